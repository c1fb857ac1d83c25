/*
 * test_config.c - the key=value file, SHOP_* overrides and typed getters.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "unit.h"

static char config_path[64];

static void write_config(const char *text)
{
    int fd;
    FILE *fp;

    snprintf(config_path, sizeof(config_path), "/tmp/shop-test-config-XXXXXX");
    fd = mkstemp(config_path);
    ck_assert_int_ge(fd, 0);
    fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
}

START_TEST(test_config_reads_keys_comments_and_spaces)
{
    write_config("# a comment\n\ndb_name = shop_test\n  threads=8  \nlog_level = debug\n");
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    ck_assert_str_eq(config_get_string("db_name", "x"), "shop_test");
    ck_assert_str_eq(config_get_string("log_level", "x"), "debug");
    ck_assert_str_eq(config_get_string("absent", "fallback"), "fallback");
    unlink(config_path);
}
END_TEST

START_TEST(test_config_environment_overrides_file)
{
    write_config("db_name = from_file\n");
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    setenv("SHOP_DB_NAME", "from_env", 1);
    ck_assert_str_eq(config_get_string("db_name", "x"), "from_env");
    unsetenv("SHOP_DB_NAME");
    ck_assert_str_eq(config_get_string("db_name", "x"), "from_file");
    unlink(config_path);
}
END_TEST

START_TEST(test_config_later_line_wins)
{
    write_config("threads = 2\nthreads = 6\n");
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    long long threads = 0;
    ck_assert_int_eq(config_get_int("threads", 4, 1, 64, &threads), SHOP_OK);
    ck_assert_int_eq(threads, 6);
    unlink(config_path);
}
END_TEST

START_TEST(test_config_int_rejects_garbage_and_out_of_range)
{
    long long value = 7;

    write_config("a = 12x\nb = 100\nc = -3\n");
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    ck_assert_int_eq(config_get_int("a", 1, 0, 1000, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(config_get_int("b", 1, 0, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(config_get_int("c", 1, -5, 5, &value), SHOP_OK);
    ck_assert_int_eq(value, -3);
    ck_assert_int_eq(config_get_int("missing", 42, 0, 99, &value), SHOP_OK);
    ck_assert_int_eq(value, 42);
    unlink(config_path);
}
END_TEST

START_TEST(test_config_bool_accepts_words_and_rejects_others)
{
    bool value = false;

    write_config("a = yes\nb = Off\nc = maybe\n");
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    ck_assert_int_eq(config_get_bool("a", false, &value), SHOP_OK);
    ck_assert(value);
    ck_assert_int_eq(config_get_bool("b", true, &value), SHOP_OK);
    ck_assert(!value);
    ck_assert_int_eq(config_get_bool("c", true, &value), SHOP_ERR_INVALID);
    unlink(config_path);
}
END_TEST

START_TEST(test_config_malformed_line_is_an_error)
{
    write_config("db_name = ok\nthis line has no equals sign\n");
    ck_assert_int_eq(config_load(config_path), SHOP_ERR_INVALID);
    /* Nothing of a bad file is kept. */
    ck_assert_str_eq(config_get_string("db_name", "none"), "none");
    unlink(config_path);
}
END_TEST

START_TEST(test_config_bad_key_is_an_error)
{
    write_config("DB-Name = shop\n");
    ck_assert_int_eq(config_load(config_path), SHOP_ERR_INVALID);
    unlink(config_path);
}
END_TEST

START_TEST(test_config_missing_named_file_is_an_error)
{
    ck_assert_int_eq(config_load("/nonexistent/shop.conf"), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_config_file_from_shop_config_variable)
{
    write_config("db_name = via_variable\n");
    setenv("SHOP_CONFIG", config_path, 1);
    ck_assert_int_eq(config_load(NULL), SHOP_OK);
    ck_assert_str_eq(config_get_string("db_name", "x"), "via_variable");
    unsetenv("SHOP_CONFIG");
    unlink(config_path);
}
END_TEST

START_TEST(test_config_secrets_file_is_read_after_and_wins)
{
    char secrets[] = "/tmp/shop-secrets-XXXXXX";
    int fd = mkstemp(secrets);
    char text[256];

    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, "db_password = from-secrets\n", 27) == 27);
    close(fd);
    snprintf(text, sizeof(text), "db_password = from-main\nsecrets_file = %s\ndb_name = main\n", secrets);
    write_config(text);
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    ck_assert_str_eq(config_get_string("db_password", "x"), "from-secrets");
    ck_assert_str_eq(config_get_string("db_name", "x"), "main");
    unlink(secrets);
    ck_assert_int_eq(config_load(config_path), SHOP_ERR_INVALID);
    unlink(config_path);
}
END_TEST

/* The configuration the package installs loads, and each value it sets is one its reader accepts. */
START_TEST(test_config_shipped_example_is_valid)
{
    const char *srcdir = getenv("srcdir");
    char path[4096];
    long long threads;
    bool secure;

    snprintf(path, sizeof(path), "%s/etc/shop.conf.example", srcdir != NULL ? srcdir : ".");
    setenv("SHOP_SECRETS_FILE", "", 1); /* /etc/fcgi-shop/secrets.conf is the package's to make */
    ck_assert_int_eq(config_load(path), SHOP_OK);
    unsetenv("SHOP_SECRETS_FILE");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    ck_assert_int_eq(log_init("unit", config_get_string("log_level", "?")), SHOP_OK);
    ck_assert_int_eq(config_get_int("threads", 0, 1, 64, &threads), SHOP_OK);
    ck_assert_int_eq(threads, 4);
    ck_assert_int_eq(config_get_bool("cookie_secure", false, &secure), SHOP_OK);
    ck_assert(secure);
    ck_assert_str_eq(config_get_string("db_socket", ""), "/run/mysqld/mysqld.sock");
}
END_TEST

UNIT_MAIN("config", test_config_reads_keys_comments_and_spaces, test_config_environment_overrides_file,
          test_config_later_line_wins, test_config_int_rejects_garbage_and_out_of_range,
          test_config_bool_accepts_words_and_rejects_others, test_config_malformed_line_is_an_error,
          test_config_bad_key_is_an_error, test_config_missing_named_file_is_an_error,
          test_config_file_from_shop_config_variable, test_config_secrets_file_is_read_after_and_wins,
          test_config_shipped_example_is_valid)

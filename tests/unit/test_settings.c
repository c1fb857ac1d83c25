/*
 * test_settings.c - the shared settings are read once from one table: defaults,
 * the configuration's values, and every bad value refused at once.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/err.h"
#include "lib/settings.h"
#include "unit.h"

static char config_path[64];

/* Loads text as the configuration file. */
static void load_config(const char *text)
{
    int fd;
    FILE *fp;

    snprintf(config_path, sizeof(config_path), "/tmp/shop-test-settings-XXXXXX");
    fd = mkstemp(config_path);
    ck_assert_int_ge(fd, 0);
    fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
    ck_assert_int_eq(config_load(config_path), SHOP_OK);
    unlink(config_path);
}

START_TEST(test_settings_unset_keys_take_their_defaults)
{
    load_config("# nothing set\n");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    ck_assert_str_eq(settings_get()->currency, "USD");
    ck_assert_str_eq(settings_get()->queue_name, "shop:orders");
    ck_assert_int_eq(settings_get()->db_port, 3306);
    ck_assert_int_eq(settings_get()->recommend_half_life_hours, 72);
    ck_assert_str_eq(settings_get()->public_origin, "");
    ck_assert_str_eq(settings_get()->support_email, "support@example.com");
}
END_TEST

START_TEST(test_settings_read_the_file_and_the_environment)
{
    load_config("currency = EUR\ndb_port = 3307\nqueue_name = shop:test\n");
    setenv("SHOP_REDIS_PORT", "6380", 1);
    ck_assert_int_eq(settings_load(), SHOP_OK);
    unsetenv("SHOP_REDIS_PORT");
    ck_assert_str_eq(settings_get()->currency, "EUR");
    ck_assert_int_eq(settings_get()->db_port, 3307);
    ck_assert_int_eq(settings_get()->redis_port, 6380);
    ck_assert_str_eq(settings_get()->queue_name, "shop:test");
}
END_TEST

START_TEST(test_settings_a_bad_value_is_refused_and_nothing_changes)
{
    load_config("db_port = 3310\n");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    load_config("currency = usd\ndb_port = 4000\npopular_half_life_hours = lots\n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
    ck_assert_int_eq(settings_get()->db_port, 3310); /* none of a bad load is taken */
    load_config("currency = EURO\n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
    load_config("queue_name = \n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
    load_config("support_email = help@shop.example\n");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    ck_assert_str_eq(settings_get()->support_email, "help@shop.example");
    load_config("support_email = Help <help@shop.example>\n"); /* a plain address only: it is shown and mailed */
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
    load_config("support_email = help\n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_settings_redis_sentinels_are_parsed_or_refused_at_load)
{
    load_config("# nothing set\n");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    ck_assert_int_eq(settings_get()->redis_sentinel_list.count, 0);
    ck_assert_str_eq(settings_get()->redis_master_name, "shop");
    load_config("redis_sentinels = 10.0.0.5:26379, 10.0.0.6:26379\nredis_master_name = shop-eu\n");
    ck_assert_int_eq(settings_load(), SHOP_OK);
    ck_assert_int_eq(settings_get()->redis_sentinel_list.count, 2);
    ck_assert_str_eq(settings_get()->redis_sentinel_list.addresses[1].host, "10.0.0.6");
    ck_assert_str_eq(settings_get()->redis_master_name, "shop-eu");
    load_config("redis_sentinels = 10.0.0.5:26379, 10.0.0.6\n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
    ck_assert_int_eq(settings_get()->redis_sentinel_list.count, 2); /* the good load stays */
    load_config("redis_master_name = shop eu\n");
    ck_assert_int_eq(settings_load(), SHOP_ERR_INVALID);
}
END_TEST

/* A program's own table, read into its own struct. */
struct own {
    long long batch;
    const char *from;
};

START_TEST(test_settings_a_programs_own_table_is_read_the_same_way)
{
    const struct setting table[] = {
        {"own_batch", SETTING_INT, offsetof(struct own, batch), NULL, 50, 1, 200, NULL},
        {"own_from", SETTING_TEXT, offsetof(struct own, from), "shop", 0, 1, 20, NULL},
    };
    struct own own = {0, NULL};

    load_config("own_batch = 7\n");
    ck_assert_int_eq(settings_read_table(table, 2, &own), SHOP_OK);
    ck_assert_int_eq(own.batch, 7);
    ck_assert_str_eq(own.from, "shop");
    load_config("own_batch = 201\nown_from = a-value-far-too-long-for-it\n");
    ck_assert_int_eq(settings_read_table(table, 2, &own), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("settings", test_settings_unset_keys_take_their_defaults, test_settings_read_the_file_and_the_environment,
          test_settings_a_bad_value_is_refused_and_nothing_changes, test_settings_a_programs_own_table_is_read_the_same_way,
          test_settings_redis_sentinels_are_parsed_or_refused_at_load)

/*
 * test_password.c - which passwords are accepted, and that the stored hash
 * verifies, carries its parameters and asks for a rehash when they rise.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/password.h"
#include "unit.h"

static char list_path[] = "/tmp/test_password_list_XXXXXX";

/* A small list, the cheapest Argon2id parameters, then password_init(). */
static void setup_small(const char *ops)
{
    int fd = mkstemp(list_path);
    const char *list = "# a comment line\nPassword123\nqwertyuiop\n\n1234567890\n";

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, list, strlen(list)), (ssize_t)strlen(list));
    close(fd);
    setenv("SHOP_COMMON_PASSWORDS_FILE", list_path, 1);
    setenv("SHOP_PASSWORD_OPSLIMIT", ops, 1);
    setenv("SHOP_PASSWORD_MEMLIMIT_KIB", "8192", 1);
    ck_assert_int_eq(password_init(), SHOP_OK);
    unlink(list_path);
    strcpy(list_path, "/tmp/test_password_list_XXXXXX");
}

static const char *check_code(const char *password)
{
    const char *code = NULL, *message = NULL;

    if (password_check(password, &code, &message) == SHOP_OK)
        return "ok";
    ck_assert_ptr_nonnull(message);
    return code;
}

START_TEST(test_password_length_counts_characters_from_10_to_128)
{
    char long_one[PASSWORD_MAX_CHARS + 2];

    setup_small("1");
    ck_assert_str_eq(check_code("nine-char"), "password_too_short");
    ck_assert_str_eq(check_code("ten-chars!"), "ok");
    ck_assert_str_eq(check_code("ábcdéfghï"), "password_too_short"); /* 9 characters, 12 bytes */
    ck_assert_str_eq(check_code("ábcdéfghïj"), "ok");
    memset(long_one, 'y', PASSWORD_MAX_CHARS);
    long_one[PASSWORD_MAX_CHARS] = '\0';
    ck_assert_str_eq(check_code(long_one), "ok");
    long_one[PASSWORD_MAX_CHARS] = 'y';
    long_one[PASSWORD_MAX_CHARS + 1] = '\0';
    ck_assert_str_eq(check_code(long_one), "password_too_long");
}
END_TEST

START_TEST(test_password_on_the_list_is_refused_in_any_case)
{
    setup_small("1");
    ck_assert_str_eq(check_code("password123"), "password_too_common");
    ck_assert_str_eq(check_code("PASSWORD123"), "password_too_common");
    ck_assert_str_eq(check_code("QwertyUiop"), "password_too_common");
    ck_assert_str_eq(check_code("1234567890"), "password_too_common");
    ck_assert_str_eq(check_code("# a comment line"), "ok");
    ck_assert_str_eq(check_code("password1234"), "ok");
}
END_TEST

START_TEST(test_password_hash_verifies_and_carries_its_parameters)
{
    char hash[PASSWORD_HASH_MAX];

    setup_small("1");
    ck_assert_int_eq(password_hash("plum-orchard-lantern", hash), SHOP_OK);
    ck_assert_ptr_nonnull(strstr(hash, "$argon2id$v=19$m=8192,t=1,p=1$"));
    ck_assert_int_eq(password_verify(hash, "plum-orchard-lantern"), SHOP_OK);
    ck_assert_int_eq(password_verify(hash, "plum-orchard-lanterN"), SHOP_ERR_UNAUTHORIZED);
    ck_assert(!password_needs_rehash(hash));
    /* Raised parameters: the old hash still verifies, and asks to be renewed. */
    setup_small("2");
    ck_assert_int_eq(password_verify(hash, "plum-orchard-lantern"), SHOP_OK);
    ck_assert(password_needs_rehash(hash));
}
END_TEST

START_TEST(test_password_init_refuses_a_missing_list)
{
    setenv("SHOP_COMMON_PASSWORDS_FILE", "/nonexistent/common-passwords.txt", 1);
    ck_assert_int_eq(password_init(), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("password", test_password_length_counts_characters_from_10_to_128,
          test_password_on_the_list_is_refused_in_any_case, test_password_hash_verifies_and_carries_its_parameters,
          test_password_init_refuses_a_missing_list)

/*
 * test_cursor.c - pagination cursors survive a round trip and reject tampering.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/cursor.h"
#include "lib/err.h"
#include "lib/token.h"
#include "secrets.h"
#include "unit.h"

START_TEST(test_cursor_round_trip_keeps_fields)
{
    const char *fields[2] = {"Aurora Desk Lamp", "prod-017"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT];
    struct arena arena;

    use_secrets(SECRET_A, NULL);
    arena_init(&arena, 1024);
    ck_assert_int_eq(cursor_encode("products", fields, 2, text, sizeof(text)), SHOP_OK);
    /* URL-safe: no characters that need escaping in a query string. */
    ck_assert_uint_eq(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), strlen(text));
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_OK);
    ck_assert_str_eq(decoded[0], "Aurora Desk Lamp");
    ck_assert_str_eq(decoded[1], "prod-017");
    arena_free(&arena);
}
END_TEST

START_TEST(test_cursor_any_changed_character_is_rejected)
{
    const char *fields[2] = {"Name", "prod-001"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT], tampered[TOKEN_MAX_TEXT];
    struct arena arena;
    size_t i, len;

    use_secrets(SECRET_A, NULL);
    arena_init(&arena, 1024);
    ck_assert_int_eq(cursor_encode("products", fields, 2, text, sizeof(text)), SHOP_OK);
    len = strlen(text);
    for (i = 0; i < len; i++) {
        strcpy(tampered, text);
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        ck_assert_int_eq(cursor_decode("products", tampered, &arena, decoded, 2), SHOP_ERR_INVALID);
    }
    arena_free(&arena);
}
END_TEST

START_TEST(test_cursor_garbage_and_truncation_are_rejected)
{
    const char *fields[2] = {"Name", "prod-001"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT];
    struct arena arena;

    use_secrets(SECRET_A, NULL);
    arena_init(&arena, 1024);
    ck_assert_int_eq(cursor_decode("products", "", &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_decode("products", "not-a-cursor", &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_decode("products", "....", &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_encode("products", fields, 2, text, sizeof(text)), SHOP_OK);
    text[strlen(text) - 3] = '\0';
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    arena_free(&arena);
}
END_TEST

START_TEST(test_cursor_field_count_must_match)
{
    const char *fields[3] = {"a", "b", "c"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT];
    struct arena arena;

    use_secrets(SECRET_A, NULL);
    arena_init(&arena, 1024);
    ck_assert_int_eq(cursor_encode("products", fields, 3, text, sizeof(text)), SHOP_OK);
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    arena_free(&arena);
}
END_TEST

START_TEST(test_cursor_separator_in_field_is_refused)
{
    const char *fields[2] = {"bad\x1fname", "prod-1"};
    char text[TOKEN_MAX_TEXT];

    use_secrets(SECRET_A, NULL);
    ck_assert_int_eq(cursor_encode("products", fields, 2, text, sizeof(text)), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_cursor_other_secret_is_rejected_previous_is_accepted)
{
    const char *fields[2] = {"Name", "prod-001"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT];
    struct arena arena;

    arena_init(&arena, 1024);
    use_secrets(SECRET_A, NULL);
    ck_assert_int_eq(cursor_encode("products", fields, 2, text, sizeof(text)), SHOP_OK);
    use_secrets(SECRET_B, NULL);
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    use_secrets(SECRET_B, SECRET_A); /* rotated: A is now the previous secret */
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_OK);
    arena_free(&arena);
}
END_TEST

START_TEST(test_cursor_of_one_list_is_refused_by_another)
{
    const char *fields[2] = {"Name", "prod-001"};
    const char *decoded[2];
    char text[TOKEN_MAX_TEXT];
    struct arena arena;

    use_secrets(SECRET_A, NULL);
    arena_init(&arena, 1024);
    ck_assert_int_eq(cursor_encode("orders", fields, 2, text, sizeof(text)), SHOP_OK);
    ck_assert_int_eq(cursor_decode("orders", text, &arena, decoded, 2), SHOP_OK);
    ck_assert_int_eq(cursor_decode("products", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_decode("order", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_decode("", text, &arena, decoded, 2), SHOP_ERR_INVALID);
    ck_assert_int_eq(cursor_encode("", fields, 2, text, sizeof(text)), SHOP_ERR_INVALID);
    arena_free(&arena);
}
END_TEST

START_TEST(test_token_purposes_do_not_mix)
{
    char text[TOKEN_MAX_TEXT], payload[64];
    size_t len;

    use_secrets(SECRET_A, NULL);
    ck_assert_int_eq(token_seal("session", "abc", 3, text, sizeof(text)), SHOP_OK);
    ck_assert_int_eq(token_open("session", text, payload, sizeof(payload), &len, NULL), SHOP_OK);
    ck_assert_int_eq(token_open("cursor", text, payload, sizeof(payload), &len, NULL), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_token_init_rejects_bad_secret)
{
    setenv("SHOP_SECRET", "too-short", 1);
    ck_assert_int_eq(token_init(), SHOP_ERR_INVALID);
    unsetenv("SHOP_SECRET");
    ck_assert_int_eq(token_init(), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("cursor", test_cursor_round_trip_keeps_fields, test_cursor_any_changed_character_is_rejected,
          test_cursor_garbage_and_truncation_are_rejected, test_cursor_field_count_must_match,
          test_cursor_separator_in_field_is_refused, test_cursor_other_secret_is_rejected_previous_is_accepted,
          test_cursor_of_one_list_is_refused_by_another, test_token_purposes_do_not_mix, test_token_init_rejects_bad_secret)

/*
 * test_json.c - request bodies parse strictly and fields come out typed and bounded.
 */
#include <check.h>
#include <string.h>

#include "lib/err.h"
#include "lib/json.h"
#include "unit.h"

static struct json_object *parse(const char *text)
{
    struct json_object *obj = NULL;

    ck_assert_int_eq(json_parse_object(text, strlen(text), &obj), SHOP_OK);
    return obj;
}

static int parse_rc(const char *text)
{
    struct json_object *obj = NULL;
    int rc = json_parse_object(text, strlen(text), &obj);

    json_object_put(obj);
    return rc;
}

START_TEST(test_json_parse_accepts_object_with_white_space)
{
    json_object_put(parse("  {\"a\": 1}\r\n"));
}
END_TEST

START_TEST(test_json_parse_rejects_non_objects_and_garbage)
{
    ck_assert_int_eq(parse_rc("[1,2]"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("\"text\""), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":1} trailing"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":1}{\"b\":2}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc(""), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_json_parse_rejects_invalid_utf8)
{
    ck_assert_int_eq(parse_rc("{\"a\":\"\xff\xfe\"}"), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_json_parse_rejects_deep_nesting)
{
    char text[256] = "{\"a\":";
    int i;

    for (i = 0; i < 40; i++)
        strcat(text, "[");
    ck_assert_int_eq(parse_rc(text), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_json_get_string_checks_type_and_length)
{
    struct json_object *obj = parse("{\"id\":\"prod-1\",\"n\":5,\"empty\":\"\",\"nul\":null,\"z\":\"a\\u0000b\"}");
    const char *value = NULL;

    ck_assert_int_eq(json_get_string(obj, "id", 1, 32, &value), SHOP_OK);
    ck_assert_str_eq(value, "prod-1");
    ck_assert_int_eq(json_get_string(obj, "id", 1, 3, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_string(obj, "n", 1, 32, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_string(obj, "empty", 1, 32, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_string(obj, "missing", 1, 32, &value), SHOP_ERR_NOT_FOUND);
    ck_assert_int_eq(json_get_string(obj, "nul", 1, 32, &value), SHOP_ERR_NOT_FOUND);
    ck_assert_int_eq(json_get_string(obj, "z", 0, 32, &value), SHOP_ERR_INVALID);
    json_object_put(obj);
}
END_TEST

START_TEST(test_json_get_int_checks_type_and_range)
{
    struct json_object *obj = parse("{\"q\":3,\"f\":1.5,\"s\":\"3\",\"b\":true,\"big\":99999999999999999999,\"neg\":-1}");
    long long value = 0;

    ck_assert_int_eq(json_get_int(obj, "q", 1, 99, &value), SHOP_OK);
    ck_assert_int_eq(value, 3);
    ck_assert_int_eq(json_get_int(obj, "f", 1, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_int(obj, "s", 1, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_int(obj, "b", 1, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_int(obj, "big", 1, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_int(obj, "neg", 1, 99, &value), SHOP_ERR_INVALID);
    ck_assert_int_eq(json_get_int(obj, "none", 1, 99, &value), SHOP_ERR_NOT_FOUND);
    json_object_put(obj);
}
END_TEST

UNIT_MAIN("json", test_json_parse_accepts_object_with_white_space, test_json_parse_rejects_non_objects_and_garbage,
          test_json_parse_rejects_invalid_utf8, test_json_parse_rejects_deep_nesting,
          test_json_get_string_checks_type_and_length, test_json_get_int_checks_type_and_range)

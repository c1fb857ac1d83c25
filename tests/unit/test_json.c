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

START_TEST(test_json_parse_rejects_utf8_outside_rfc_3629)
{
    ck_assert_int_eq(parse_rc("{\"a\":\"\xc0\xaf\"}"), SHOP_ERR_INVALID);         /* overlong "/" */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xe0\x80\x80\"}"), SHOP_ERR_INVALID);     /* overlong NUL */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xf0\x82\x82\xac\"}"), SHOP_ERR_INVALID); /* overlong euro sign */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xed\xa0\x80\"}"), SHOP_ERR_INVALID);     /* raw high surrogate */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xed\xbf\xbf\"}"), SHOP_ERR_INVALID);     /* raw low surrogate */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xf4\x90\x80\x80\"}"), SHOP_ERR_INVALID); /* U+110000 */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xf8\x88\x80\x80\x80\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"\xed\xa0\x80\":1}"), SHOP_ERR_INVALID);           /* in a key */
    ck_assert_int_eq(parse_rc("{\"a\":\"\xe2\x82\"}"), SHOP_ERR_INVALID);          /* cut short */
}
END_TEST

START_TEST(test_json_parse_rejects_escaped_lone_surrogates)
{
    ck_assert_int_eq(parse_rc("{\"a\":\"\\ud800\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":\"\\uDBFFx\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":\"\\ud800\\u0041\"}"), SHOP_ERR_INVALID); /* high, then no low */
    ck_assert_int_eq(parse_rc("{\"a\":\"\\ud800\\ud800\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":\"\\ud800\\n\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":\"x\\ud800\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(parse_rc("{\"a\":\"\\udc00\"}"), SHOP_ERR_INVALID);        /* low first */
    ck_assert_int_eq(parse_rc("{\"a\":\"\\ude00\\ud83d\"}"), SHOP_ERR_INVALID); /* pair reversed */
    ck_assert_int_eq(parse_rc("{\"\\ud83d\":1}"), SHOP_ERR_INVALID);               /* in a key */
}
END_TEST

START_TEST(test_json_parse_accepts_well_formed_utf8_and_pairs)
{
    struct json_object *obj = parse("{\"a\":\"\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\","
                                    "\"b\":\"\\ud83d\\ude00\",\"c\":\"\\u00fc\\uffff\\uD7FF\\uE000\","
                                    "\"d\":\"\\\\ud800\"}");
    const char *value = NULL;

    ck_assert_int_eq(json_get_string(obj, "b", 1, 8, &value), SHOP_OK);
    ck_assert_str_eq(value, "\xf0\x9f\x98\x80");
    ck_assert_int_eq(json_get_string(obj, "d", 1, 8, &value), SHOP_OK); /* an escaped backslash, then text */
    ck_assert_str_eq(value, "\\ud800");
    json_object_put(obj);
}
END_TEST

START_TEST(test_json_has_tells_absent_from_null)
{
    struct json_object *obj = parse("{\"quantity\":null,\"n\":1}");
    long long value = 0;

    ck_assert(json_has(obj, "quantity"));
    ck_assert(json_has(obj, "n"));
    ck_assert(!json_has(obj, "missing"));
    ck_assert(!json_has(NULL, "n"));
    ck_assert_int_eq(json_get_int(obj, "quantity", 1, 99, &value), SHOP_ERR_NOT_FOUND);
    json_object_put(obj);
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
          test_json_parse_rejects_invalid_utf8, test_json_parse_rejects_utf8_outside_rfc_3629,
          test_json_parse_rejects_escaped_lone_surrogates, test_json_parse_accepts_well_formed_utf8_and_pairs,
          test_json_has_tells_absent_from_null, test_json_parse_rejects_deep_nesting,
          test_json_get_string_checks_type_and_length, test_json_get_int_checks_type_and_range)

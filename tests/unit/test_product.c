/*
 * test_product.c - the one validation of product fields that add, set and import share.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/product.h"
#include "unit.h"

static char storefront[64];
static struct product_rules rules;

/* A storefront folder with /img/ok.svg and a folder /img/dir.png/. */
static void storefront_setup(void)
{
    char path[128];
    FILE *f;

    snprintf(storefront, sizeof(storefront), "/tmp/test_product.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(storefront));
    snprintf(path, sizeof(path), "%s/img", storefront);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/img/dir.png", storefront);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/img/ok.svg", storefront);
    ck_assert_ptr_nonnull(f = fopen(path, "w"));
    fclose(f);
    rules = (struct product_rules){.max_price_cents = 10000, .storefront_dir = storefront};
}

static void storefront_teardown(void)
{
    char command[128];

    snprintf(command, sizeof(command), "rm -rf %s", storefront);
    ck_assert_int_eq(system(command), 0);
}

/* Parses one field's text; true when accepted. */
static bool accepts(enum product_field field, const char *text)
{
    const char *fields[PRODUCT_FIELD_COUNT] = {NULL};
    struct product_problems problems;
    struct product product;

    fields[field] = text;
    product_init(&product);
    return product_parse(fields, &rules, &product, &problems) == SHOP_OK;
}

START_TEST(test_product_parse_fills_every_field_of_a_good_row)
{
    const char *fields[PRODUCT_FIELD_COUNT] = {"prod-1_A", "Zoë's Kettle", "Line one\nline two", "Home & Kitchen",
                                               "9999", "17", "/img/ok.svg", "false"};
    struct product_problems problems;
    struct product p;

    storefront_setup();
    product_init(&p);
    ck_assert_int_eq(product_parse(fields, &rules, &p, &problems), SHOP_OK);
    ck_assert_int_eq(problems.count, 0);
    ck_assert_str_eq(p.id, "prod-1_A");
    ck_assert_str_eq(p.name, "Zoë's Kettle");
    ck_assert_str_eq(p.description, "Line one\nline two");
    ck_assert_int_eq(p.price_cents, 9999);
    ck_assert_int_eq(p.stock, 17);
    ck_assert_str_eq(p.image_url, "/img/ok.svg");
    ck_assert(!p.active);
    storefront_teardown();
}
END_TEST

START_TEST(test_product_parse_reports_every_bad_field_at_once)
{
    const char *fields[PRODUCT_FIELD_COUNT] = {"bad id", "", "ok", "\t", "0", "-1", "/img/none.svg", "yes"};
    struct product_problems problems;
    struct product p;

    storefront_setup();
    product_init(&p);
    ck_assert_int_eq(product_parse(fields, &rules, &p, &problems), SHOP_ERR_INVALID);
    ck_assert_int_eq(problems.count, 7);
    ck_assert_int_eq(problems.list[0].field, PRODUCT_ID);
    ck_assert_int_eq(problems.list[1].field, PRODUCT_NAME);
    ck_assert_int_eq(problems.list[2].field, PRODUCT_CATEGORY);
    ck_assert_int_eq(problems.list[6].field, PRODUCT_ACTIVE);
    storefront_teardown();
}
END_TEST

START_TEST(test_product_ids_and_text_lengths_follow_the_columns)
{
    char text[PRODUCT_DESCRIPTION_MAX + 2];

    storefront_setup();
    ck_assert(accepts(PRODUCT_ID, "abcdefghijklmnopqrstuvwxyz012345"));
    ck_assert(!accepts(PRODUCT_ID, "abcdefghijklmnopqrstuvwxyz0123456"));
    ck_assert(!accepts(PRODUCT_ID, ""));
    ck_assert(!accepts(PRODUCT_ID, "prod.1"));
    ck_assert(!accepts(PRODUCT_ID, "prod/1"));
    ck_assert(!accepts(PRODUCT_ID, "prød"));
    memset(text, 'x', sizeof(text));
    text[200] = '\0';
    ck_assert(accepts(PRODUCT_NAME, text));
    text[200] = 'x';
    text[201] = '\0';
    ck_assert(!accepts(PRODUCT_NAME, text));
    text[64] = '\0';
    ck_assert(accepts(PRODUCT_CATEGORY, text));
    text[64] = 'x';
    ck_assert(!accepts(PRODUCT_CATEGORY, text));
    ck_assert(!accepts(PRODUCT_NAME, "tab\tin name"));
    ck_assert(!accepts(PRODUCT_NAME, "bad \xff utf8"));
    memset(text, 'x', sizeof(text));
    text[PRODUCT_DESCRIPTION_MAX] = '\0';
    ck_assert(accepts(PRODUCT_DESCRIPTION, text));
    text[PRODUCT_DESCRIPTION_MAX] = 'x';
    text[PRODUCT_DESCRIPTION_MAX + 1] = '\0';
    ck_assert(!accepts(PRODUCT_DESCRIPTION, text));
    ck_assert(accepts(PRODUCT_DESCRIPTION, ""));
    ck_assert(accepts(PRODUCT_DESCRIPTION, "crlf\r\nand\ttab"));
    ck_assert(!accepts(PRODUCT_DESCRIPTION, "bell\a"));
    ck_assert(!accepts(PRODUCT_DESCRIPTION, "\xc0\xaf overlong"));
    storefront_teardown();
}
END_TEST

START_TEST(test_product_id_valid_is_the_id_rule_and_ascii_only)
{
    ck_assert(product_id_valid("prod-001"));
    ck_assert(product_id_valid("A_z-9"));
    ck_assert(product_id_valid("abcdefghijklmnopqrstuvwxyz012345"));
    ck_assert(!product_id_valid("abcdefghijklmnopqrstuvwxyz0123456"));
    ck_assert(!product_id_valid(""));
    ck_assert(!product_id_valid("\xc3\xbc"));
    ck_assert(!product_id_valid("\xf0\x9f\x98\x80"));
    ck_assert(!product_id_valid("prod-001\xc3\xa9"));
    ck_assert(!product_id_valid("prod 001"));
    ck_assert(!product_id_valid("prod%001"));
    ck_assert(accepts(PRODUCT_ID, "prod-001") && !accepts(PRODUCT_ID, "\xc3\xbc"));
}
END_TEST

START_TEST(test_product_price_stock_and_active_ranges)
{
    storefront_setup();
    ck_assert(accepts(PRODUCT_PRICE_CENTS, "1"));
    ck_assert(accepts(PRODUCT_PRICE_CENTS, "10000"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "10001"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "0"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "-5"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "12.50"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, " 100"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "1e3"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, "99999999999999999999999"));
    ck_assert(!accepts(PRODUCT_PRICE_CENTS, ""));
    ck_assert(accepts(PRODUCT_STOCK, "0"));
    ck_assert(accepts(PRODUCT_STOCK, "1000000"));
    ck_assert(!accepts(PRODUCT_STOCK, "1000001"));
    ck_assert(!accepts(PRODUCT_STOCK, "+3"));
    for (const char *const *t = (const char *const[]){"0", "1", "true", "false", "TRUE", NULL}; *t != NULL; t++)
        ck_assert_msg(accepts(PRODUCT_ACTIVE, *t), "refused %s", *t);
    for (const char *const *t = (const char *const[]){"", "2", "yes", "on", NULL}; *t != NULL; t++)
        ck_assert_msg(!accepts(PRODUCT_ACTIVE, *t), "accepted %s", *t);
    storefront_teardown();
}
END_TEST

START_TEST(test_product_image_is_a_storefront_file_or_an_https_url)
{
    static const char *const good[] = {
        "", "/img/ok.svg", "https://cdn.example.com/a/b.png", "https://cdn.example.com:8443/x.jpg?v=2&s=%20",
        "https://example.com",
    };
    static const char *const bad[] = {
        "/img/none.svg", "/img/../img/ok.svg", "/img/./ok.svg", "/img//ok.svg", "/img/.hidden.svg",
        "/img/dir.png", "/img/dir.png/", "/index.html", "img/ok.svg", "/img/ok.svg?x", "/img/ok.txt",
        "http://example.com/a.png", "https://", "https://user@example.com/a.png", "https://exa mple.com/a.png",
        "https://example.com/a b.png", "https://example.com/\"onerror", "https://-bad.com/a.png",
        "https://example.com:99999/a.png", "https://example.com/%zz", "javascript:alert(1)",
        "file:///etc/passwd", "https://example.com/<script>",
    };
    char long_url[300];

    storefront_setup();
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(accepts(PRODUCT_IMAGE_URL, good[i]), "refused %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!accepts(PRODUCT_IMAGE_URL, bad[i]), "accepted %s", bad[i]);
    snprintf(long_url, sizeof(long_url), "https://example.com/%0235d", 0);
    ck_assert_int_eq(strlen(long_url), 255);
    ck_assert(accepts(PRODUCT_IMAGE_URL, long_url));
    snprintf(long_url, sizeof(long_url), "https://example.com/%0236d", 0);
    ck_assert(!accepts(PRODUCT_IMAGE_URL, long_url));
    storefront_teardown();
}
END_TEST

START_TEST(test_product_require_names_what_a_new_product_lacks)
{
    const char *fields[PRODUCT_FIELD_COUNT] = {"p1", NULL, NULL, "Books", NULL, NULL, NULL, NULL};
    struct product_problems problems = {0};

    product_require(fields, &problems);
    ck_assert_int_eq(problems.count, 2);
    ck_assert_int_eq(problems.list[0].field, PRODUCT_NAME);
    ck_assert_int_eq(problems.list[1].field, PRODUCT_PRICE_CENTS);
}
END_TEST

START_TEST(test_product_field_names_are_the_csv_header)
{
    static const char *const header[] = {"id", "name", "description", "category", "priceCents", "stock",
                                         "imageUrl", "active"};

    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++) {
        ck_assert_str_eq(product_field_name((enum product_field)f), header[f]);
        ck_assert_int_eq(product_field_find(header[f]), f);
    }
    ck_assert_int_eq(product_field_find("currency"), -1);
    ck_assert_int_eq(product_field_find("price_cents"), -1);
}
END_TEST

UNIT_MAIN("product", test_product_parse_fills_every_field_of_a_good_row,
          test_product_parse_reports_every_bad_field_at_once, test_product_ids_and_text_lengths_follow_the_columns,
          test_product_id_valid_is_the_id_rule_and_ascii_only,
          test_product_price_stock_and_active_ranges, test_product_image_is_a_storefront_file_or_an_https_url,
          test_product_require_names_what_a_new_product_lacks, test_product_field_names_are_the_csv_header)

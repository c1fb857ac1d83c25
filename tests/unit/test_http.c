/*
 * test_http.c - request parsing: query decoding, limits, cookies, ETags.
 *
 * A FastCGI request's parameters are only an environment array, so these tests
 * build one by hand; no connection is involved.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/http.h"
#include "unit.h"

struct fake {
    FCGX_Request fcgi;
    struct arena arena;
    struct http_request req;
    char *env[8];
};

/* Fills f with a GET for query and optional extra "NAME=value" parameters. */
static int fake_request(struct fake *f, const char *method, const char *query, const char *extra)
{
    static char method_line[64], query_line[8192], extra_line[512];

    memset(f, 0, sizeof(*f));
    snprintf(method_line, sizeof(method_line), "REQUEST_METHOD=%s", method);
    snprintf(query_line, sizeof(query_line), "QUERY_STRING=%s", query);
    f->env[0] = method_line;
    f->env[1] = query_line;
    f->env[2] = "DOCUMENT_URI=/api/products";
    if (extra != NULL) {
        snprintf(extra_line, sizeof(extra_line), "%s", extra);
        f->env[3] = extra_line;
    }
    f->fcgi.envp = f->env;
    arena_init(&f->arena, 4096);
    return http_request_init(&f->req, &f->fcgi, &f->arena);
}

static void fake_free(struct fake *f)
{
    http_request_finish(&f->req);
    arena_free(&f->arena);
}

START_TEST(test_http_query_is_percent_decoded)
{
    struct fake f;

    ck_assert_int_eq(fake_request(&f, "GET", "q=desk+lamp&category=Home%20%26%20Garden&flag&x=%C3%A9", NULL), SHOP_OK);
    ck_assert_str_eq(http_query_get(&f.req, "q"), "desk lamp");
    ck_assert_str_eq(http_query_get(&f.req, "category"), "Home & Garden");
    ck_assert_str_eq(http_query_get(&f.req, "flag"), "");
    ck_assert_str_eq(http_query_get(&f.req, "x"), "\xc3\xa9");
    ck_assert_ptr_null(http_query_get(&f.req, "absent"));
    fake_free(&f);
}
END_TEST

START_TEST(test_http_broken_percent_encoding_is_invalid)
{
    static const char *const bad[] = {"q=%zz", "q=%4", "q=abc%", "q=%00", "q=%ff", "q=%C3%28", "q=%ED%A0%80"};
    struct fake f;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(fake_request(&f, "GET", bad[i], NULL) == SHOP_ERR_INVALID, "accepted %s", bad[i]);
        fake_free(&f);
    }
}
END_TEST

START_TEST(test_http_query_limits)
{
    char query[HTTP_MAX_QUERY + 16];
    struct fake f;
    int i;

    memset(query, 'a', sizeof(query) - 1);
    query[0] = 'q';
    query[1] = '=';
    query[sizeof(query) - 1] = '\0';
    ck_assert_int_eq(fake_request(&f, "GET", query, NULL), SHOP_ERR_URI_TOO_LONG);
    fake_free(&f);

    query[0] = '\0';
    for (i = 0; i <= HTTP_MAX_QUERY_PARAMS; i++)
        strcat(query, "a=1&");
    ck_assert_int_eq(fake_request(&f, "GET", query, NULL), SHOP_ERR_INVALID);
    fake_free(&f);
}
END_TEST

START_TEST(test_http_head_is_served_as_get)
{
    struct fake f;

    ck_assert_int_eq(fake_request(&f, "HEAD", "", NULL), SHOP_OK);
    ck_assert_str_eq(f.req.method, "GET");
    ck_assert(f.req.is_head);
    fake_free(&f);
}
END_TEST

START_TEST(test_http_request_id_from_nginx_or_generated)
{
    struct fake f;

    ck_assert_int_eq(fake_request(&f, "GET", "", "REQUEST_ID=abc123"), SHOP_OK);
    ck_assert_str_eq(f.req.request_id, "abc123");
    fake_free(&f);
    ck_assert_int_eq(fake_request(&f, "GET", "", "REQUEST_ID=bad id;"), SHOP_OK);
    ck_assert_uint_eq(strlen(f.req.request_id), 32);
    fake_free(&f);
}
END_TEST

START_TEST(test_http_cookie_lookup)
{
    struct fake f;

    ck_assert_int_eq(fake_request(&f, "GET", "", "HTTP_COOKIE=theme=dark; sid=abc.def;other=1"), SHOP_OK);
    ck_assert_str_eq(http_cookie_get(&f.req, "sid"), "abc.def");
    ck_assert_str_eq(http_cookie_get(&f.req, "other"), "1");
    ck_assert_ptr_null(http_cookie_get(&f.req, "si"));
    ck_assert_ptr_null(http_cookie_get(&f.req, "missing"));
    fake_free(&f);
}
END_TEST

START_TEST(test_http_etag_matching)
{
    ck_assert(http_etag_matches("\"abc\"", "\"abc\""));
    ck_assert(http_etag_matches("W/\"abc\"", "\"abc\""));
    ck_assert(http_etag_matches("\"x\", W/\"abc\"", "\"abc\""));
    ck_assert(http_etag_matches("*", "\"abc\""));
    ck_assert(!http_etag_matches("\"abd\"", "\"abc\""));
    ck_assert(!http_etag_matches("", "\"abc\""));
}
END_TEST

UNIT_MAIN("http", test_http_query_is_percent_decoded, test_http_broken_percent_encoding_is_invalid,
          test_http_query_limits, test_http_head_is_served_as_get, test_http_request_id_from_nginx_or_generated,
          test_http_cookie_lookup, test_http_etag_matching)

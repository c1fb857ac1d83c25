/*
 * products.c - the catalog API: GET /api/products, GET /api/products/{id} and
 * GET /api/categories.
 *
 * Only products for sale are shown: active, and priced in the shop's currency
 * (a price in another currency is never shown or summed as if it were one).
 *
 * Listing uses keyset pagination over the stable order (name, id), served by the
 * indexes products_listing and products_category_listing: each page is one
 * index range scan, however deep the client pages. Filters are optional
 * parameters of one prepared statement: "? = ''" turns a filter off, and since
 * MariaDB optimizes each execution with the bound values, the dead branches are
 * removed before the range is chosen.
 *
 * Answers carry an ETag from their bytes, so a client that revalidates a page it
 * has gets a bodiless 304.
 *
 * They also tell nginx's catalog cache how long to keep them: until the end of
 * the current second (X-Accel-Expires: @<this second>). nginx counts cache time
 * in whole seconds, so "1s" would mean up to 2 s of staleness; this way a change
 * to a product is visible within 1 s, and a burst of identical requests still
 * costs the responder one per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/catalog.h"
#include "lib/cursor.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/money.h"
#include "lib/product.h"
#include "lib/responder.h"

#define PRODUCTS_DEFAULT_LIMIT 20
#define PRODUCTS_MAX_LIMIT 100
#define PRODUCTS_MAX_QUERY 100      /* bytes of the q search text */
#define PRODUCTS_MAX_CATEGORY 64

static int products_list(struct http_request *req, struct responder_context *ctx);
static int products_get(struct http_request *req, struct responder_context *ctx);
static int products_categories(struct http_request *req, struct responder_context *ctx);

static const struct responder_route products_routes[] = {
    {"GET", "/api/products", products_list},
    {"GET", "/api/products/{id}", products_get},
    {"GET", "/api/categories", products_categories},
    {NULL, NULL, NULL},
};

static const char SQL_LIST_PRODUCTS[] =
    "SELECT " CATALOG_PRODUCT_COLUMNS " FROM products"
    " WHERE active = 1 AND currency = ?"
    "   AND (? = '' OR category = ?)"
    "   AND (? = '' OR name LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!')"
    "   AND (? = 0 OR name > ? OR (name = ? AND id > ?))"
    " ORDER BY name, id"
    " LIMIT ?";

/* GROUP BY on the index prefix (active, category) lets MariaDB jump from one
 * category to the next (a loose index scan): the cost follows the number of
 * categories, not of products. (So a product priced in another currency than
 * the shop's, which is not for sale, still counts here; shopctl makes none.) */
static const char SQL_CATEGORIES[] =
    "SELECT category, COUNT(*) FROM products WHERE active = 1 GROUP BY category ORDER BY category LIMIT 200";

static const char SQL_GET_PRODUCT[] =
    "SELECT " CATALOG_PRODUCT_COLUMNS " FROM products WHERE id = ? AND active = 1 AND currency = ?";

/* Marks a catalog answer cacheable by nginx until the current second ends. */
static void products_cache_this_second(struct http_request *req)
{
    char until[32];

    snprintf(until, sizeof(until), "@%lld", (long long)time(NULL));
    http_add_header(req, "X-Accel-Expires", until);
    http_add_header(req, "Cache-Control", "no-cache");
}

/* "%text%" with LIKE's wildcards and the escape character escaped by '!'. */
static char *products_like_pattern(struct arena *arena, const char *text)
{
    size_t len = strlen(text), o = 0, i;
    char *pattern = arena_alloc(arena, len * 2 + 3);

    if (pattern == NULL)
        return NULL;
    pattern[o++] = '%';
    for (i = 0; i < len; i++) {
        if (text[i] == '%' || text[i] == '_' || text[i] == '!')
            pattern[o++] = '!';
        pattern[o++] = text[i];
    }
    pattern[o++] = '%';
    pattern[o] = '\0';
    return pattern;
}

static int products_list(struct http_request *req, struct responder_context *ctx)
{
    const char *category = http_query_get(req, "category");
    const char *query = http_query_get(req, "q");
    const char *cursor_text = http_query_get(req, "cursor");
    const char *after[2] = {"", ""};
    struct json_object *body, *items;
    struct db_result rows;
    long long limit;
    int rc, i, shown;

    if ((rc = http_query_limit(req, PRODUCTS_DEFAULT_LIMIT, PRODUCTS_MAX_LIMIT, &limit)) != SHOP_OK)
        return rc;
    if (category == NULL)
        category = "";
    if (query == NULL)
        query = "";
    if (strlen(category) > PRODUCTS_MAX_CATEGORY)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_category", "category is at most 64 bytes.", NULL);
    if (strlen(query) > PRODUCTS_MAX_QUERY)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_query", "q is at most 100 bytes.", NULL);
    if (cursor_text != NULL && cursor_decode("products", cursor_text, req->arena, after, 2) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_cursor", "cursor is not one this shop issued.", NULL);

    const char *pattern = products_like_pattern(req->arena, query);
    if (pattern == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param params[] = {
        DB_PARAM_TEXT(money_currency()), DB_PARAM_TEXT(category), DB_PARAM_TEXT(category),
        DB_PARAM_TEXT(query), DB_PARAM_TEXT(pattern), DB_PARAM_TEXT(pattern),
        DB_PARAM_INT(cursor_text != NULL), DB_PARAM_TEXT(after[0]), DB_PARAM_TEXT(after[0]), DB_PARAM_TEXT(after[1]),
        DB_PARAM_INT(limit + 1), /* one more tells whether a next page exists */
    };
    rc = db_exec(ctx->db, req->arena, SQL_LIST_PRODUCTS, params, (int)(sizeof(params) / sizeof(params[0])), &rows);
    if (rc != SHOP_OK)
        return rc;

    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    shown = rows.rows > limit ? (int)limit : rows.rows;
    for (i = 0; i < shown; i++)
        json_object_array_add(items, catalog_product_json(&rows, i));
    /* The next page starts after the last row shown: (name, id). */
    const char *last[2] = {db_result_text(&rows, shown - 1, 1), db_result_text(&rows, shown - 1, 0)};
    if (cursor_add_next(body, "products", rows.rows > limit ? last : NULL, 2) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    products_cache_this_second(req);
    return http_reply_json_etag(req, body);
}

static int products_get(struct http_request *req, struct responder_context *ctx)
{
    const char *id = req->route_params[0];
    struct db_result rows;
    struct json_object *product;
    int rc;

    if (!product_id_valid(id))
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
    const struct db_param params[] = {DB_PARAM_TEXT(id), DB_PARAM_TEXT(money_currency())};
    rc = db_exec(ctx->db, req->arena, SQL_GET_PRODUCT, params, 2, &rows);
    if (rc != SHOP_OK)
        return rc;
    if (rows.rows == 0)
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
    product = http_own(req, catalog_product_json(&rows, 0));
    if (product == NULL)
        return SHOP_ERR_NOMEM;
    products_cache_this_second(req);
    return http_reply_json_etag(req, product);
}

static int products_categories(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body, *items;
    struct db_result rows;
    int rc = db_exec(ctx->db, req->arena, SQL_CATEGORIES, NULL, 0, &rows), i;

    if (rc != SHOP_OK)
        return rc;
    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows.rows; i++) {
        struct json_object *category = json_object_new_object();
        json_object_object_add(category, "name", json_object_new_string(db_result_text(&rows, i, 0)));
        json_object_object_add(category, "productCount", json_object_new_int64(db_result_int(&rows, i, 1)));
        json_object_array_add(items, category);
    }
    products_cache_this_second(req);
    return http_reply_json_etag(req, body);
}

static const struct responder products_responder = {
    .name = "products",
    .routes = products_routes,
};

int main(int argc, char **argv)
{
    return responder_main(&products_responder, argc, argv);
}

/*
 * products.c - the catalog API: GET /api/products, GET /api/products/{id} and
 * GET /api/categories.
 *
 * Only products for sale are shown: active, and priced in the shop's currency
 * (a price in another currency is never shown or summed as if it were one).
 *
 * Listing uses keyset pagination over a stable order, chosen by sort: name
 * (name, id), price_asc (price_cents, id), price_desc and newest (price_cents,
 * created_at descending, id descending), each served by an index that ends in
 * its keyset (001 and 012): each page is one index range scan, however deep the
 * client pages, and a price range (minPrice, maxPrice, cents, inclusive) is part
 * of that range. Filters are optional parameters of one prepared statement per
 * order: "? = ''" turns a filter off, and since MariaDB optimizes each execution
 * with the bound values, the dead branches are removed before the range is
 * chosen.
 *
 * A cursor carries the last row's sort key and id, and a digest of the filters
 * it was issued for; its list name names the sort. So a cursor is refused by
 * another sort or another filter, where its position would mean nothing.
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
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
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

/* The columns of every list: the product, then created_at for the newest order's keyset. */
#define PRODUCTS_LIST_SELECT "SELECT " CATALOG_PRODUCT_COLUMNS ", created_at FROM products"
#define PRODUCTS_LIST_CREATED_AT CATALOG_PRODUCT_COLUMN_COUNT
#define PRODUCTS_LIST_NAME 1      /* in CATALOG_PRODUCT_COLUMNS */
#define PRODUCTS_LIST_PRICE 4     /* in CATALOG_PRODUCT_COLUMNS */
#define PRODUCTS_LIST_FILTERS \
    " WHERE active = 1 AND currency = ?" \
    "   AND (? = '' OR category = ?)" \
    "   AND (? = '' OR name LIKE ? ESCAPE '!' OR description LIKE ? ESCAPE '!')" \
    "   AND price_cents BETWEEN ? AND ?"

static const char SQL_LIST_BY_NAME[] = PRODUCTS_LIST_SELECT PRODUCTS_LIST_FILTERS
    "   AND (? = 0 OR name > ? OR (name = ? AND id > ?))"
    " ORDER BY name, id LIMIT ?";
static const char SQL_LIST_BY_PRICE_ASC[] = PRODUCTS_LIST_SELECT PRODUCTS_LIST_FILTERS
    "   AND (? = 0 OR price_cents > ? OR (price_cents = ? AND id > ?))"
    " ORDER BY price_cents, id LIMIT ?";
/* Descending orders break ties by id descending too: a backward scan of the index, no sort. */
static const char SQL_LIST_BY_PRICE_DESC[] = PRODUCTS_LIST_SELECT PRODUCTS_LIST_FILTERS
    "   AND (? = 0 OR price_cents < ? OR (price_cents = ? AND id < ?))"
    " ORDER BY price_cents DESC, id DESC LIMIT ?";
static const char SQL_LIST_NEWEST[] = PRODUCTS_LIST_SELECT PRODUCTS_LIST_FILTERS
    "   AND (? = 0 OR created_at < ? OR (created_at = ? AND id < ?))"
    " ORDER BY created_at DESC, id DESC LIMIT ?";

/* The orders a list can be in: the sort parameter, its query, its key column, its cursors' list. */
struct products_sort {
    const char *name;
    const char *sql;
    int key_column;
    const char *cursor_list;
};

static const struct products_sort products_sorts[] = {
    {"name", SQL_LIST_BY_NAME, PRODUCTS_LIST_NAME, "products:name"}, /* the first is the default */
    {"price_asc", SQL_LIST_BY_PRICE_ASC, PRODUCTS_LIST_PRICE, "products:price_asc"},
    {"price_desc", SQL_LIST_BY_PRICE_DESC, PRODUCTS_LIST_PRICE, "products:price_desc"},
    {"newest", SQL_LIST_NEWEST, PRODUCTS_LIST_CREATED_AT, "products:newest"},
};
#define PRODUCTS_SORT_COUNT ((int)(sizeof(products_sorts) / sizeof(products_sorts[0])))

/* One list request, validated. */
struct products_query {
    const struct products_sort *sort;
    const char *category, *text, *pattern;
    long long min_price, max_price;
    char scope[17];           /* the filters' digest, in hex: the cursor's third field */
};

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

/* The sort named by the query (the first when absent); replies 400 for an unknown one. */
static int products_parse_sort(struct http_request *req, const struct products_sort **out)
{
    const char *name = http_query_get(req, "sort");
    int i;

    *out = &products_sorts[0];
    if (name == NULL)
        return SHOP_OK;
    for (i = 0; i < PRODUCTS_SORT_COUNT; i++)
        if (strcmp(name, products_sorts[i].name) == 0) {
            *out = &products_sorts[i];
            return SHOP_OK;
        }
    return http_reply_error(req, SHOP_ERR_INVALID, "invalid_sort",
                            "sort must be one of name, price_asc, price_desc, newest.", NULL);
}

/* A price bound in cents (fallback when absent); replies 400 unless a whole number within the column's range. */
static int products_parse_price(struct http_request *req, const char *name, long long fallback, long long *out)
{
    const char *text = http_query_get(req, name);
    char *end, message[96];

    *out = fallback;
    if (text == NULL)
        return SHOP_OK;
    errno = 0;
    *out = strtoll(text, &end, 10);
    if (*text >= '0' && *text <= '9' && *end == '\0' && errno == 0 && *out <= PRODUCT_PRICE_CENTS_LIMIT)
        return SHOP_OK;
    snprintf(message, sizeof(message), "%s must be a whole number of cents from 0 to %lld.", name,
             PRODUCT_PRICE_CENTS_LIMIT);
    return http_reply_error(req, SHOP_ERR_INVALID, "invalid_price", message, NULL);
}

/* FNV-1a over the filters, so a cursor is bound to the list it came from without carrying it. */
static void products_scope(struct products_query *query)
{
    char bounds[48];
    const char *parts[] = {query->category, query->text, bounds};
    uint64_t hash = 14695981039346656037ULL;
    size_t i;
    const char *c;

    snprintf(bounds, sizeof(bounds), "%lld-%lld", query->min_price, query->max_price);
    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        for (c = parts[i];; c++) { /* each part with its terminating NUL, so parts cannot run together */
            hash = (hash ^ (unsigned char)*c) * 1099511628211ULL;
            if (*c == '\0')
                break;
        }
    snprintf(query->scope, sizeof(query->scope), "%016" PRIx64, hash);
}

/* Reads and checks a list request's parameters; replies 400 for the first bad one. */
static int products_parse_query(struct http_request *req, struct products_query *query)
{
    int rc;

    query->category = http_query_get(req, "category");
    query->text = http_query_get(req, "q");
    if (query->category == NULL)
        query->category = "";
    if (query->text == NULL)
        query->text = "";
    if (strlen(query->category) > PRODUCTS_MAX_CATEGORY)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_category", "category is at most 64 bytes.", NULL);
    if (strlen(query->text) > PRODUCTS_MAX_QUERY)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_query", "q is at most 100 bytes.", NULL);
    if ((rc = products_parse_sort(req, &query->sort)) != SHOP_OK ||
        (rc = products_parse_price(req, "minPrice", 0, &query->min_price)) != SHOP_OK ||
        (rc = products_parse_price(req, "maxPrice", PRODUCT_PRICE_CENTS_LIMIT, &query->max_price)) != SHOP_OK)
        return rc;
    if (query->min_price > query->max_price)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_price", "minPrice must not be greater than maxPrice.",
                                NULL);
    if ((query->pattern = products_like_pattern(req->arena, query->text)) == NULL)
        return SHOP_ERR_NOMEM;
    products_scope(query);
    return SHOP_OK;
}

static int products_list(struct http_request *req, struct responder_context *ctx)
{
    const char *cursor_text = http_query_get(req, "cursor");
    const char *after[3] = {"", "", ""};
    struct products_query query;
    struct json_object *body, *items;
    struct db_result rows;
    long long limit;
    int rc, i, shown;

    if ((rc = http_query_limit(req, PRODUCTS_DEFAULT_LIMIT, PRODUCTS_MAX_LIMIT, &limit)) != SHOP_OK ||
        (rc = products_parse_query(req, &query)) != SHOP_OK)
        return rc;
    if (cursor_text != NULL && (cursor_decode(query.sort->cursor_list, cursor_text, req->arena, after, 3) != SHOP_OK ||
                                strcmp(after[2], query.scope) != 0))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_cursor",
                                "cursor is not one this shop issued for this sort and these filters.", NULL);

    const struct db_param params[] = {
        DB_PARAM_TEXT(money_currency()), DB_PARAM_TEXT(query.category), DB_PARAM_TEXT(query.category),
        DB_PARAM_TEXT(query.text), DB_PARAM_TEXT(query.pattern), DB_PARAM_TEXT(query.pattern),
        DB_PARAM_INT(query.min_price), DB_PARAM_INT(query.max_price),
        DB_PARAM_INT(cursor_text != NULL), DB_PARAM_TEXT(after[0]), DB_PARAM_TEXT(after[0]), DB_PARAM_TEXT(after[1]),
        DB_PARAM_INT(limit + 1), /* one more tells whether a next page exists */
    };
    rc = db_exec(ctx->db, req->arena, query.sort->sql, params, (int)(sizeof(params) / sizeof(params[0])), &rows);
    if (rc != SHOP_OK)
        return rc;

    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    shown = rows.rows > limit ? (int)limit : rows.rows;
    for (i = 0; i < shown; i++)
        json_object_array_add(items, catalog_product_json(&rows, i));
    /* The next page starts after the last row shown: (sort key, id), within the same filters. */
    const char *last[3] = {db_result_text(&rows, shown - 1, query.sort->key_column), db_result_text(&rows, shown - 1, 0),
                           query.scope};
    if (cursor_add_next(body, query.sort->cursor_list, rows.rows > limit ? last : NULL, 3) != SHOP_OK)
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

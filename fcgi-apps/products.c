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
 * Search (q) is InnoDB FULLTEXT (017) in boolean mode: the user's text is cut
 * into words (letters and digits; everything else separates, so no boolean
 * operator of the user's reaches MATCH), each word of 3 bytes or more that is
 * not an InnoDB stopword becomes "+word*" (all words required, each a prefix),
 * at most 8 words. A text with no such word finds nothing. A search is listed
 * by relevance unless sort says otherwise: products with every word in the
 * name first, then by the index's relevance, then by id.
 *
 * Every list statement carries a time limit (catalog_statement_ms, MariaDB
 * max_statement_time): past it the answer is 503 (search_timeout, or busy)
 * with Retry-After.
 *
 * Searches have a pool of their own: this program is built twice, as
 * shop-products and as shop-search (PRODUCTS_POOL "search"), and nginx sends a
 * request with a non-empty q to the search pool's socket. Searches then wait
 * in that socket's backlog for a thread of their own, and can never take the
 * threads plain catalog pages need. (Both programs answer every route; only
 * nginx's routing makes the pools.)
 *
 * A cursor carries the last row's sort key and id, and a digest of the filters
 * it was issued for; its list name names the sort. So a cursor is refused by
 * another sort or another filter, where its position would mean nothing.
 *
 * Answers carry an ETag from their bytes, so a client that revalidates a page it
 * has gets a bodiless 304.
 *
 * Every read here goes to the read handle (ctx->read_db: the replica when
 * db_read_* names one, else the primary), so a page may lag the primary by the
 * replication delay; stock is checked again on the primary at cart and checkout.
 *
 * They also tell nginx's catalog cache how long to keep them: until the end of
 * the current second (X-Accel-Expires: @<this second>). nginx counts cache time
 * in whole seconds, so "1s" would mean up to 2 s of staleness; this way a change
 * to a product is visible within 1 s, and a burst of identical requests still
 * costs the responder one per second.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/catalog.h"
#include "lib/config.h"
#include "lib/cursor.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/money.h"
#include "lib/product.h"
#include "lib/responder.h"

/* Which pool this program serves: "products" (shop-products) or "search" (shop-search, see above). */
#ifndef PRODUCTS_POOL
#define PRODUCTS_POOL "products"
#endif

#define PRODUCTS_DEFAULT_LIMIT 20
#define PRODUCTS_MAX_LIMIT 100
#define PRODUCTS_MAX_QUERY 100      /* bytes of the q search text */
#define PRODUCTS_MAX_CATEGORY 64
#define PRODUCTS_DEFAULT_STATEMENT_MS 1000 /* catalog_statement_ms */

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
#define PRODUCTS_LIST_SELECT "SELECT " CATALOG_PRODUCT_COLUMNS ", created_at"
#define PRODUCTS_LIST_CREATED_AT CATALOG_PRODUCT_COLUMN_COUNT
#define PRODUCTS_LIST_SCORE (CATALOG_PRODUCT_COLUMN_COUNT + 1) /* relevance lists only */
#define PRODUCTS_LIST_NAME 1      /* in CATALOG_PRODUCT_COLUMNS */
#define PRODUCTS_LIST_PRICE 4     /* in CATALOG_PRODUCT_COLUMNS */
#define PRODUCTS_LIST_FILTERS \
    " AND active = 1 AND currency = ?" \
    "   AND (? = '' OR category = ?)" \
    "   AND price_cents BETWEEN ? AND ?"
/* A plain list, or a search: the products holding every word of the boolean query. */
#define PRODUCTS_PLAIN " FROM products WHERE TRUE" PRODUCTS_LIST_FILTERS
#define PRODUCTS_SEARCH " FROM products WHERE MATCH(name, description) AGAINST(? IN BOOLEAN MODE)" PRODUCTS_LIST_FILTERS

#define PRODUCTS_BY_NAME \
    "   AND (? = 0 OR name > ? OR (name = ? AND id > ?))" \
    " ORDER BY name, id LIMIT ?"
#define PRODUCTS_BY_PRICE_ASC \
    "   AND (? = 0 OR price_cents > ? OR (price_cents = ? AND id > ?))" \
    " ORDER BY price_cents, id LIMIT ?"
/* Descending orders break ties by id descending too: a backward scan of the index, no sort. */
#define PRODUCTS_BY_PRICE_DESC \
    "   AND (? = 0 OR price_cents < ? OR (price_cents = ? AND id < ?))" \
    " ORDER BY price_cents DESC, id DESC LIMIT ?"
#define PRODUCTS_NEWEST \
    "   AND (? = 0 OR created_at < ? OR (created_at = ? AND id < ?))" \
    " ORDER BY created_at DESC, id DESC LIMIT ?"
/*
 * Relevance: the products with every word in the name come first (a REGEXP
 * evaluated only on the rows found), then by the index's relevance over name
 * and description, so "lamp" lists the lamps before a product that only
 * mentions one. The score is a whole number (thousandths of the relevance),
 * so the cursor carries it exactly; ties go by id.
 */
#define PRODUCTS_BY_RELEVANCE \
    " HAVING (? = 0 OR score < ? OR (score = ? AND id > ?))" \
    " ORDER BY score DESC, id LIMIT ?"
#define PRODUCTS_SCORE \
    ", FLOOR(1000 * MATCH(name, description) AGAINST(? IN BOOLEAN MODE)) + 1000000000 * (name REGEXP ?) AS score"

/* Each order's statement, plain and searching, before the time limit is put in front (products_init). */
enum { PRODUCTS_SQL_PLAIN, PRODUCTS_SQL_SEARCH };
static const char *const products_sql_templates[][2] = {
    {PRODUCTS_LIST_SELECT PRODUCTS_PLAIN PRODUCTS_BY_NAME, PRODUCTS_LIST_SELECT PRODUCTS_SEARCH PRODUCTS_BY_NAME},
    {PRODUCTS_LIST_SELECT PRODUCTS_PLAIN PRODUCTS_BY_PRICE_ASC,
     PRODUCTS_LIST_SELECT PRODUCTS_SEARCH PRODUCTS_BY_PRICE_ASC},
    {PRODUCTS_LIST_SELECT PRODUCTS_PLAIN PRODUCTS_BY_PRICE_DESC,
     PRODUCTS_LIST_SELECT PRODUCTS_SEARCH PRODUCTS_BY_PRICE_DESC},
    {PRODUCTS_LIST_SELECT PRODUCTS_PLAIN PRODUCTS_NEWEST, PRODUCTS_LIST_SELECT PRODUCTS_SEARCH PRODUCTS_NEWEST},
    {NULL, PRODUCTS_LIST_SELECT PRODUCTS_SCORE PRODUCTS_SEARCH PRODUCTS_BY_RELEVANCE},
};
#define PRODUCTS_SQL_MAX 1024
#define PRODUCTS_RELEVANCE 4 /* index of the relevance order */

/* The orders a list can be in: the sort parameter, its key column, its cursors' list. */
struct products_sort {
    const char *name;
    int key_column;
    const char *cursor_list;
};

static const struct products_sort products_sorts[] = {
    {"name", PRODUCTS_LIST_NAME, "products:name"}, /* the first is the default without q */
    {"price_asc", PRODUCTS_LIST_PRICE, "products:price_asc"},
    {"price_desc", PRODUCTS_LIST_PRICE, "products:price_desc"},
    {"newest", PRODUCTS_LIST_CREATED_AT, "products:newest"},
    {"relevance", PRODUCTS_LIST_SCORE, "products:relevance"}, /* the default with q; only with q */
};
#define PRODUCTS_SORT_COUNT ((int)(sizeof(products_sorts) / sizeof(products_sorts[0])))

/* Read once at start (products_init); read-only afterwards. */
static char products_sql[PRODUCTS_SORT_COUNT][2][PRODUCTS_SQL_MAX];

/*
 * The user's text as a boolean query: each word of at least
 * PRODUCTS_MIN_WORD bytes (InnoDB's innodb_ft_min_token_size) becomes
 * "+word*" (every word required, as a prefix). A word is a run of letters and
 * digits (any byte of a multibyte UTF-8 character counts as a letter);
 * everything else, boolean operators and quotes included, separates words, so
 * nothing the user types is read as an operator. Shorter words and InnoDB's
 * stopwords are left out (the index holds neither); at most
 * PRODUCTS_MAX_WORDS words are kept.
 */
#define PRODUCTS_MIN_WORD 3
#define PRODUCTS_MAX_WORDS 8

/* InnoDB's default stopword list (INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD), the words of 3 bytes or more. */
static const char *const products_stopwords[] = {
    "about", "are", "com", "for", "from", "how", "that", "the", "this", "was", "what", "when", "where", "who",
    "will", "with", "und", "www",
};

static bool products_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static bool products_stopword(const char *word, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof(products_stopwords) / sizeof(products_stopwords[0]); i++)
        if (strlen(products_stopwords[i]) == len && strncasecmp(products_stopwords[i], word, len) == 0)
            return true;
    return false;
}

/*
 * The boolean query for text (see above) into *boolean, "" when no word is
 * left, and into *in_name a regular expression that matches a name holding
 * every one of those words as a word prefix, "^(?=.*\bword)…" (words are
 * letters and digits only, so nothing in them is a regex operator).
 */
static int products_boolean_query(struct arena *arena, const char *text, const char **boolean, const char **in_name)
{
    size_t len = strlen(text), o = 0, r = 1, i = 0, start;
    /* A word of 3+ bytes gains 3 bytes in the query ("+", "*", " ") and 8 in the regex: 4 × len + 16 holds either. */
    char *query = arena_alloc(arena, len * 4 + 16);
    char *regex = arena_alloc(arena, len * 4 + 16);
    int words = 0;

    if (query == NULL || regex == NULL)
        return SHOP_ERR_NOMEM;
    regex[0] = '^';
    while (i < len && words < PRODUCTS_MAX_WORDS) {
        while (i < len && !products_word_byte((unsigned char)text[i]))
            i++;
        for (start = i; i < len && products_word_byte((unsigned char)text[i]); i++)
            ;
        if (i - start < PRODUCTS_MIN_WORD || products_stopword(text + start, i - start))
            continue;
        if (o > 0)
            query[o++] = ' ';
        query[o++] = '+';
        memcpy(query + o, text + start, i - start);
        o += i - start;
        query[o++] = '*';
        memcpy(regex + r, "(?=.*\\b", 7);
        r += 7;
        memcpy(regex + r, text + start, i - start);
        r += i - start;
        regex[r++] = ')';
        words++;
    }
    query[o] = '\0';
    regex[r] = '\0';
    *boolean = query;
    *in_name = regex;
    return SHOP_OK;
}

/* One list request, validated. */
struct products_query {
    int sort;                 /* in products_sorts */
    bool search;              /* q was given */
    const char *category, *text;
    const char *boolean, *in_name; /* products_boolean_query() */
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

/* The sort named by the query (the first when absent); replies 400 for an unknown one. */
static int products_parse_sort(struct http_request *req, bool search, int *out)
{
    const char *name = http_query_get(req, "sort");
    int i;

    *out = search ? PRODUCTS_RELEVANCE : 0;
    if (name == NULL)
        return SHOP_OK;
    for (i = 0; i < PRODUCTS_SORT_COUNT; i++)
        if (strcmp(name, products_sorts[i].name) == 0 && (search || i != PRODUCTS_RELEVANCE)) {
            *out = i;
            return SHOP_OK;
        }
    return http_reply_error(req, SHOP_ERR_INVALID, "invalid_sort",
                            "sort must be one of name, price_asc, price_desc, newest (and relevance with q).", NULL);
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
    query->search = query->text[0] != '\0';
    if ((rc = products_parse_sort(req, query->search, &query->sort)) != SHOP_OK ||
        (rc = products_parse_price(req, "minPrice", 0, &query->min_price)) != SHOP_OK ||
        (rc = products_parse_price(req, "maxPrice", PRODUCT_PRICE_CENTS_LIMIT, &query->max_price)) != SHOP_OK)
        return rc;
    if (query->min_price > query->max_price)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_price", "minPrice must not be greater than maxPrice.",
                                NULL);
    if ((rc = products_boolean_query(req->arena, query->text, &query->boolean, &query->in_name)) != SHOP_OK)
        return rc;
    products_scope(query);
    return SHOP_OK;
}

/* 503 with Retry-After: 1, for a statement over its time (or a lock wait). */
static int products_reply_busy(struct http_request *req, const char *code, const char *message)
{
    http_add_header(req, "Retry-After", "1");
    return http_reply_error(req, SHOP_ERR_UNAVAILABLE, code, message, NULL);
}

/* Runs the list's statement: params in the order its placeholders come (see the SQL above). */
static int products_run(struct responder_context *ctx, struct http_request *req, const struct products_query *query,
                        const char *const *after, bool has_cursor, long long limit, struct db_result *rows)
{
    struct db_param params[16];
    int n = 0;

    if (query->sort == PRODUCTS_RELEVANCE) {
        params[n++] = DB_PARAM_TEXT(query->boolean);
        params[n++] = DB_PARAM_TEXT(query->in_name);
    }
    if (query->search)
        params[n++] = DB_PARAM_TEXT(query->boolean);
    params[n++] = DB_PARAM_TEXT(money_currency());
    params[n++] = DB_PARAM_TEXT(query->category);
    params[n++] = DB_PARAM_TEXT(query->category);
    params[n++] = DB_PARAM_INT(query->min_price);
    params[n++] = DB_PARAM_INT(query->max_price);
    params[n++] = DB_PARAM_INT(has_cursor);
    params[n++] = DB_PARAM_TEXT(after[0]);
    params[n++] = DB_PARAM_TEXT(after[0]);
    params[n++] = DB_PARAM_TEXT(after[1]);
    params[n++] = DB_PARAM_INT(limit + 1); /* one more tells whether a next page exists */
    return db_exec(ctx->read_db, req->arena, products_sql[query->sort][query->search], params, n, rows);
}

static int products_list(struct http_request *req, struct responder_context *ctx)
{
    const char *cursor_text = http_query_get(req, "cursor");
    const char *after[3] = {"", "", ""};
    const struct products_sort *sort;
    struct products_query query;
    struct json_object *body, *items;
    struct db_result rows = {0};
    long long limit;
    int rc, i, shown;

    if ((rc = http_query_limit(req, PRODUCTS_DEFAULT_LIMIT, PRODUCTS_MAX_LIMIT, &limit)) != SHOP_OK ||
        (rc = products_parse_query(req, &query)) != SHOP_OK)
        return rc;
    sort = &products_sorts[query.sort];
    if (cursor_text != NULL && (cursor_decode(sort->cursor_list, cursor_text, req->arena, after, 3) != SHOP_OK ||
                                strcmp(after[2], query.scope) != 0))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_cursor",
                                "cursor is not one this shop issued for this sort and these filters.", NULL);

    if (!query.search)
        rc = products_run(ctx, req, &query, after, cursor_text != NULL, limit, &rows);
    else if (query.boolean[0] != '\0')
        rc = products_run(ctx, req, &query, after, cursor_text != NULL, limit, &rows);
    /* else: no word the index can hold (all shorter than 3 bytes, or stopwords): nothing found. */
    if (rc == SHOP_ERR_RETRY) /* over catalog_statement_ms (db.c), or a lock wait */
        return products_reply_busy(req, query.search ? "search_timeout" : "busy",
                                   query.search ? "The search took too long; try again or with other words."
                                                : "The catalog is busy; try again in a moment.");
    if (rc != SHOP_OK)
        return rc;

    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    shown = rows.rows > limit ? (int)limit : rows.rows;
    for (i = 0; i < shown; i++)
        json_object_array_add(items, catalog_product_json(&rows, i));
    /* The next page starts after the last row shown: (sort key, id), within the same filters. */
    const char *last[3] = {rows.rows > limit ? db_result_text(&rows, shown - 1, sort->key_column) : "",
                           rows.rows > limit ? db_result_text(&rows, shown - 1, 0) : "", query.scope};
    if (cursor_add_next(body, sort->cursor_list, rows.rows > limit ? last : NULL, 3) != SHOP_OK)
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
    rc = db_exec(ctx->read_db, req->arena, SQL_GET_PRODUCT, params, 2, &rows);
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
    int rc = db_exec(ctx->read_db, req->arena, SQL_CATEGORIES, NULL, 0, &rows), i;

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

/*
 * Reads catalog_statement_ms, and puts the time
 * limit in front of every list statement: MariaDB stops one that runs longer
 * (ER_STATEMENT_TIMEOUT, answered 503), so no list holds a thread for long.
 */
static int products_init(void)
{
    long long ms;
    int i, kind;

    if (config_get_int("catalog_statement_ms", PRODUCTS_DEFAULT_STATEMENT_MS, 10, 60000, &ms) != SHOP_OK)
        return SHOP_ERR_INVALID;
    for (i = 0; i < PRODUCTS_SORT_COUNT; i++)
        for (kind = PRODUCTS_SQL_PLAIN; kind <= PRODUCTS_SQL_SEARCH; kind++)
            if (products_sql_templates[i][kind] != NULL &&
                snprintf(products_sql[i][kind], PRODUCTS_SQL_MAX, "SET STATEMENT max_statement_time = %lld.%03lld FOR %s",
                         ms / 1000, ms % 1000, products_sql_templates[i][kind]) >= PRODUCTS_SQL_MAX)
                return SHOP_ERR_INTERNAL;
    return SHOP_OK;
}

static const struct responder products_responder = {
    .name = PRODUCTS_POOL,
    .routes = products_routes,
    .init = products_init,
};

int main(int argc, char **argv)
{
    return responder_main(&products_responder, argc, argv);
}

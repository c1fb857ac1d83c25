/*
 * recommendations.c - GET /api/recommendations: products the shopper is likely to want.
 *
 * This responder reads the rows; lib/recommend.h scores them. Three sources of
 * candidates, each read through an index, so the cost does not grow with the
 * shop's history:
 *   - affinity: the shopper's last RECOMMEND_MAX_INTERACTIONS interactions give
 *     each category a share of interest; the most popular products of the top
 *     categories are candidates in proportion;
 *   - viewed with: for the shopper's most recent products, the products other
 *     shoppers most often looked at around them (product_pairs);
 *   - best sellers, for a shopper with no history of its own: the most units
 *     ordered by all shoppers in the last RECOMMEND_BEST_SELLER_DAYS days, of
 *     at most the RECOMMEND_BEST_SELLER_ORDERS latest orders (so the cost is
 *     bounded however busy the shop);
 *   - popular now: the decayed popularity ranking (product_popularity);
 *   - featured: a varied pick, one product per category in turn, newest first,
 *     so a shop with no history at all still shows more than its first aisle.
 * Products the shopper has in the cart or has ordered, and inactive or sold-out
 * ones, are left out. A shopper with no history gets best sellers, then what is
 * popular now, then the varied pick.
 *
 * Every read goes to the read handle (ctx->read_db: the replica when db_read_*
 * names one), so recommendations go on while the primary is down; the
 * shopper's history and the cart/ordered exclusion may lag by the replication
 * delay (a product added a moment ago may still be suggested). The session is
 * resolved on the primary by the responder skeleton: a sign-in must be seen at
 * once.
 *
 * Every array filled from a query is sized by the constant pasted into that
 * query's LIMIT (STR()), so the two cannot drift apart.
 *
 * The rankings order ties by id descending on purpose: secondary indexes end in
 * the primary key, so "log_score DESC, id DESC" is a backward index scan that
 * stops after LIMIT rows, while a mixed direction would sort every row.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/catalog.h"
#include "lib/settings.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/interest.h"
#include "lib/money.h"
#include "lib/order.h"
#include "lib/recommend.h"
#include "lib/responder.h"

#define RECOMMEND_DEFAULT_LIMIT 8
#define RECOMMEND_MAX_LIMIT 50
/* Query LIMITs: plain integers, pasted into the SQL below. */
#define RECOMMEND_PER_CATEGORY 20       /* products of one top category */
#define RECOMMEND_PARTNERS_PER_SEED 10  /* "viewed with" partners of one seed */
#define RECOMMEND_POPULAR 60            /* the popularity ranking's head */
#define RECOMMEND_FEATURED 100          /* catalogue filler: the newest products in stock */
#define RECOMMEND_BEST_SELLERS 20       /* the best sellers' head */
#define RECOMMEND_BEST_SELLER_ORDERS 1000 /* latest orders counted for best sellers */
#define RECOMMEND_BEST_SELLER_DAYS 30     /* how far back best sellers count */
#define RECOMMEND_ORDERED_LINES 500     /* ordered lines left out */
#define RECOMMEND_DETAILS 100           /* products fetched for the answer: seeds, then the best candidates */

#define STR_(x) #x
#define STR(x) STR_(x)

static int recommendations_get(struct http_request *req, struct responder_context *ctx);

static const struct responder_route recommendations_routes[] = {
    {"GET", "/api/recommendations", recommendations_get},
    {NULL, NULL, NULL},
};

static const char SQL_HISTORY[] =
    "SELECT product_id, event_type, category, TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) / 1000000"
    " FROM interactions WHERE user_id = ? ORDER BY created_at DESC LIMIT " STR(RECOMMEND_MAX_INTERACTIONS);
static const char SQL_EXCLUDED[] =
    "(SELECT product_id FROM cart_items WHERE user_id = ?)"
    " UNION (SELECT i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id"
    "  WHERE o.user_id = ? AND o.status IN (?, ?) ORDER BY o.created_at DESC"
    "  LIMIT " STR(RECOMMEND_ORDERED_LINES) ")";
static const char SQL_POPULAR_IN_CATEGORY[] =
    "SELECT product_id FROM product_popularity WHERE category = ? ORDER BY log_score DESC, product_id DESC"
    " LIMIT " STR(RECOMMEND_PER_CATEGORY);
static const char SQL_IN_CATEGORY[] =
    "SELECT id FROM products WHERE active = 1 AND category = ? AND stock > 0 ORDER BY name, id"
    " LIMIT " STR(RECOMMEND_PER_CATEGORY);
/* The partners of up to RECOMMEND_SEEDS products in one round trip; unused slots get ''. */
#define VIEWED_WITH_ONE(n) "(SELECT " #n " AS seed, other_id, log_score FROM product_pairs WHERE product_id = ?" \
    " ORDER BY log_score DESC, other_id DESC LIMIT " STR(RECOMMEND_PARTNERS_PER_SEED) ")"
static const char SQL_VIEWED_WITH[] =
    VIEWED_WITH_ONE(0) " UNION ALL " VIEWED_WITH_ONE(1) " UNION ALL " VIEWED_WITH_ONE(2)
    " UNION ALL " VIEWED_WITH_ONE(3) " UNION ALL " VIEWED_WITH_ONE(4);
_Static_assert(RECOMMEND_SEEDS == 5, "SQL_VIEWED_WITH has one part per seed");
static const char SQL_POPULAR[] =
    "SELECT product_id FROM product_popularity ORDER BY log_score DESC, product_id DESC LIMIT " STR(RECOMMEND_POPULAR);
/* The newest products in stock (index products_newest_listing), one per category in turn. */
static const char SQL_FEATURED[] =
    "SELECT id FROM (SELECT id, created_at,"
    "   ROW_NUMBER() OVER (PARTITION BY category ORDER BY created_at DESC, id DESC) AS turn"
    "   FROM (SELECT id, category, created_at FROM products WHERE active = 1 AND stock > 0"
    "         ORDER BY created_at DESC, id DESC LIMIT " STR(RECOMMEND_FEATURED) ") newest) varied"
    " ORDER BY turn, created_at DESC, id DESC";
/* Units bought or being bought lately: the latest orders through orders_by_created, then their lines. */
static const char SQL_BEST_SELLERS[] =
    "SELECT i.product_id FROM (SELECT id FROM orders"
    "   WHERE created_at >= NOW(3) - INTERVAL " STR(RECOMMEND_BEST_SELLER_DAYS) " DAY AND status IN (?, ?)"
    "   ORDER BY created_at DESC LIMIT " STR(RECOMMEND_BEST_SELLER_ORDERS) ") o"
    " JOIN order_items i ON i.order_id = o.id"
    " JOIN products p ON p.id = i.product_id AND p.active = 1 AND p.stock > 0" /* gone or sold out: no slot */
    " GROUP BY i.product_id ORDER BY SUM(i.quantity) DESC, i.product_id LIMIT " STR(RECOMMEND_BEST_SELLERS);
#define Q10 "?,?,?,?,?,?,?,?,?,?"
#define Q100 Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10
_Static_assert(sizeof(Q100) == 2 * RECOMMEND_DETAILS, "SQL_DETAILS has one placeholder per detail");
static const char SQL_DETAILS[] =
    "SELECT " CATALOG_PRODUCT_COLUMNS ", active FROM products WHERE id IN (" Q100 ")";
#define DETAILS_COLUMN_NAME 1                              /* in CATALOG_PRODUCT_COLUMNS */
#define DETAILS_COLUMN_CURRENCY 5                          /* in CATALOG_PRODUCT_COLUMNS */
#define DETAILS_COLUMN_STOCK 6                             /* in CATALOG_PRODUCT_COLUMNS */
#define DETAILS_COLUMN_ACTIVE CATALOG_PRODUCT_COLUMN_COUNT /* the one after them */

/* One request's work: what it read, and the candidates scored so far. */
struct recommendations {
    struct http_request *req;
    struct responder_context *ctx;
    struct recommend_interest *interest;
    struct recommend_candidates candidates;
    double half_life_hours;
};

/* The shopper's recent interactions, as the scoring wants them. */
static int recommendations_read_history(struct recommendations *r)
{
    const struct db_param user[] = {DB_PARAM_TEXT(r->ctx->session.user_id)};
    struct recommend_interaction *history;
    struct db_result rows;
    int rc, i, n = 0;

    if ((rc = db_exec(r->ctx->read_db, r->req->arena, SQL_HISTORY, user, 1, &rows)) != SHOP_OK)
        return rc;
    if ((history = arena_alloc(r->req->arena, sizeof(*history) * RECOMMEND_MAX_INTERACTIONS)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows.rows && n < RECOMMEND_MAX_INTERACTIONS; i++) {
        const char *age = db_result_text(&rows, i, 3);
        struct recommend_interaction *h = &history[n];

        if (interest_event_parse(db_result_text(&rows, i, 1), &h->event) != SHOP_OK)
            continue;
        h->product_id = db_result_text(&rows, i, 0);
        h->category = db_result_text(&rows, i, 2);
        h->age_hours = strtod(age != NULL ? age : "0", NULL) / 3600.0;
        n++;
    }
    recommend_interest_read(r->interest, history, n, r->half_life_hours);
    return SHOP_OK;
}

/* A query of product ids, with key as its one parameter, or none when key is NULL. */
static int recommendations_query(struct recommendations *r, const char *sql, const char *key, struct db_result *rows)
{
    const struct db_param param[] = {DB_PARAM_TEXT(key != NULL ? key : "")};

    return db_exec(r->ctx->read_db, r->req->arena, sql, param, key != NULL ? 1 : 0, rows);
}

/* One ranked list per top category: its popular products, then (when they are too few) the rest of it. */
static int recommendations_affinity(struct recommendations *r, int category)
{
    const char *name = r->interest->categories[category].name;
    struct db_result rows;
    int rc, i, rank = 0;

    if ((rc = recommendations_query(r, SQL_POPULAR_IN_CATEGORY, name, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++)
        recommend_add_affinity(&r->candidates, r->interest, category, db_result_text(&rows, i, 0), rank++);
    if (rank >= RECOMMEND_PER_CATEGORY)
        return SHOP_OK;
    if ((rc = recommendations_query(r, SQL_IN_CATEGORY, name, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++)
        recommend_add_affinity(&r->candidates, r->interest, category, db_result_text(&rows, i, 0), rank++);
    return SHOP_OK;
}

/* The rows of a ranked list without a parameter (popular, featured), added by add. */
static int recommendations_ranked(struct recommendations *r, const char *sql,
                                  void (*add)(struct recommend_candidates *, const char *, int))
{
    struct db_result rows;
    int rc, i;

    if ((rc = recommendations_query(r, sql, NULL, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++)
        add(&r->candidates, db_result_text(&rows, i, 0), i);
    return SHOP_OK;
}

/* Best sellers: the products most units of were ordered lately, by anyone. */
static int recommendations_best_sellers(struct recommendations *r)
{
    const struct db_param statuses[] = {DB_PARAM_TEXT(order_status_name(ORDER_PENDING)),
                                        DB_PARAM_TEXT(order_status_name(ORDER_PROCESSED))};
    struct db_result rows;
    int rc, i;

    if ((rc = db_exec(r->ctx->read_db, r->req->arena, SQL_BEST_SELLERS, statuses, 2, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++)
        recommend_add_best_seller(&r->candidates, db_result_text(&rows, i, 0), i);
    return SHOP_OK;
}

/* "Often viewed with": the partners of the shopper's most recent products. */
static int recommendations_viewed_with(struct recommendations *r)
{
    struct db_param params[RECOMMEND_SEEDS];
    struct recommend_pair pairs[RECOMMEND_SEEDS * RECOMMEND_PARTNERS_PER_SEED];
    struct db_result result;
    int rc, i, n;

    for (i = 0; i < RECOMMEND_SEEDS; i++)
        params[i] = DB_PARAM_TEXT(i < r->interest->seed_count ? r->interest->seeds[i] : "");
    if ((rc = db_exec(r->ctx->read_db, r->req->arena, SQL_VIEWED_WITH, params, RECOMMEND_SEEDS, &result)) != SHOP_OK)
        return rc;
    n = result.rows < RECOMMEND_SEEDS * RECOMMEND_PARTNERS_PER_SEED ? result.rows
                                                                     : RECOMMEND_SEEDS * RECOMMEND_PARTNERS_PER_SEED;
    for (i = 0; i < n; i++) {
        pairs[i].seed = (int)db_result_int(&result, i, 0);
        pairs[i].other = db_result_text(&result, i, 1);
        pairs[i].log_score = strtod(db_result_text(&result, i, 2), NULL);
    }
    recommend_add_viewed_with(&r->candidates, r->interest, pairs, n);
    return SHOP_OK;
}

static int recommendations_gather(struct recommendations *r)
{
    int rc, i;

    for (i = 0; i < r->interest->category_count && i < RECOMMEND_TOP_CATEGORIES; i++)
        if ((rc = recommendations_affinity(r, i)) != SHOP_OK)
            return rc;
    if (r->interest->seed_count > 0 && (rc = recommendations_viewed_with(r)) != SHOP_OK)
        return rc;
    /* Best sellers stand in for the shopper's own interest, so only a shopper without any gets them:
     * for everyone else they would drown the shopper's own signal in everyone's. */
    if (r->interest->category_count == 0 && r->interest->seed_count == 0 &&
        (rc = recommendations_best_sellers(r)) != SHOP_OK)
        return rc;
    if ((rc = recommendations_ranked(r, SQL_POPULAR, recommend_add_popular)) != SHOP_OK)
        return rc;
    if (r->candidates.count < RECOMMEND_DETAILS)
        return recommendations_ranked(r, SQL_FEATURED, recommend_add_featured);
    return SHOP_OK;
}

/* Fetches the seeds (for reason names) and the top candidates in one query. */
static int recommendations_details(struct recommendations *r, struct db_result *details)
{
    struct db_param params[RECOMMEND_DETAILS];
    int n = 0, i;

    for (i = 0; i < r->interest->seed_count; i++)
        params[n++] = DB_PARAM_TEXT(r->interest->seeds[i]);
    for (i = 0; i < r->candidates.count && n < RECOMMEND_DETAILS; i++)
        params[n++] = DB_PARAM_TEXT(r->candidates.items[i].product_id);
    while (n < RECOMMEND_DETAILS)
        params[n++] = DB_PARAM_TEXT(""); /* no product has an empty id */
    return db_exec(r->ctx->read_db, r->req->arena, SQL_DETAILS, params, RECOMMEND_DETAILS, details);
}

/* The row of product_id in the details, -1 when it was not fetched. */
static int recommendations_details_row(const struct db_result *details, const char *product_id)
{
    int row;

    for (row = 0; row < details->rows; row++)
        if (strcmp(db_result_text(details, row, 0), product_id) == 0)
            return row;
    return -1;
}

/* Whether the product at row of the details can be recommended: for sale (active, in the shop's currency),
 * in stock, not in cart or ordered. */
static bool recommendations_offered(const struct db_result *details, int row, const struct db_result *excluded)
{
    int e;

    if (row < 0 || db_result_int(details, row, DETAILS_COLUMN_ACTIVE) == 0 ||
        !money_is_shop_currency(db_result_text(details, row, DETAILS_COLUMN_CURRENCY)) ||
        db_result_int(details, row, DETAILS_COLUMN_STOCK) <= 0)
        return false; /* unknown, not for sale or sold out */
    for (e = 0; e < excluded->rows; e++)
        if (strcmp(db_result_text(excluded, e, 0), db_result_text(details, row, 0)) == 0)
            return false;
    return true;
}

/* The reason shown for candidate; NULL when out of memory. */
static const char *recommendations_reason(struct recommendations *r, const struct recommend_candidate *candidate,
                                          const struct db_result *details)
{
    struct recommend_reason reason;
    const char *seed_name = NULL;
    int row;

    recommend_reason_pick(r->interest, candidate, &reason);
    if (reason.source == RECOMMEND_SOURCE_VIEWED_WITH &&
        (row = recommendations_details_row(details, reason.because)) >= 0)
        seed_name = db_result_text(details, row, DETAILS_COLUMN_NAME);
    return recommend_reason_text(r->req->arena, &reason, seed_name);
}

static int recommendations_reply(struct recommendations *r, long long limit, const struct db_result *excluded)
{
    struct json_object *items, *body = http_list_body(r->req, &items);
    struct db_result details;
    int rc, i, row, shown = 0;

    if (body == NULL)
        return SHOP_ERR_NOMEM;
    if ((rc = recommendations_details(r, &details)) != SHOP_OK)
        return rc;
    for (i = 0; i < r->candidates.count && shown < limit; i++) {
        const struct recommend_candidate *c = &r->candidates.items[i];
        struct json_object *item;
        const char *reason;

        if (!recommendations_offered(&details, (row = recommendations_details_row(&details, c->product_id)), excluded))
            continue;
        if ((reason = recommendations_reason(r, c, &details)) == NULL || (item = catalog_product_json(&details, row)) == NULL)
            return SHOP_ERR_NOMEM;
        json_object_object_add(item, "reason", json_object_new_string(reason));
        json_object_array_add(items, item);
        shown++;
    }
    http_add_header(r->req, "Cache-Control", "no-store");
    return http_reply_json(r->req, 200, body);
}

static int recommendations_get(struct http_request *req, struct responder_context *ctx)
{
    struct recommendations r = {.req = req, .ctx = ctx};
    struct recommend_candidate *items = arena_alloc(req->arena, sizeof(*items) * RECOMMEND_MAX_CANDIDATES);
    /* Bought or being bought: not recommended again. */
    const struct db_param user[] = {DB_PARAM_TEXT(ctx->session.user_id), DB_PARAM_TEXT(ctx->session.user_id),
                                    DB_PARAM_TEXT(order_status_name(ORDER_PENDING)),
                                    DB_PARAM_TEXT(order_status_name(ORDER_PROCESSED))};
    struct db_result excluded;
    long long limit;
    int rc;

    if ((rc = http_query_limit(req, RECOMMEND_DEFAULT_LIMIT, RECOMMEND_MAX_LIMIT, &limit)) != SHOP_OK)
        return rc;
    if (items == NULL || (r.interest = arena_alloc(req->arena, sizeof(*r.interest))) == NULL)
        return SHOP_ERR_NOMEM;
    recommend_candidates_init(&r.candidates, items, RECOMMEND_MAX_CANDIDATES);
    r.half_life_hours = (double)settings_get()->recommend_half_life_hours;
    if ((rc = recommendations_read_history(&r)) != SHOP_OK ||
        (rc = db_exec(ctx->read_db, req->arena, SQL_EXCLUDED, user, 4, &excluded)) != SHOP_OK ||
        (rc = recommendations_gather(&r)) != SHOP_OK)
        return rc;
    recommend_score(&r.candidates, r.interest);
    return recommendations_reply(&r, limit, &excluded);
}

static const struct responder recommendations_responder = {
    .name = "recommendations",
    .routes = recommendations_routes,
    .uses_session = true,
};

int main(int argc, char **argv)
{
    return responder_main(&recommendations_responder, argc, argv);
}

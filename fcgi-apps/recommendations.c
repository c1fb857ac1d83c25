/*
 * recommendations.c - GET /api/recommendations: products the shopper is likely to want.
 *
 * Three sources of candidates, each read through an index, so the cost does not
 * grow with the shop's history:
 *   - affinity: the shopper's last RECOMMEND_HISTORY interactions, weighted
 *     (purchase > add to cart > view > search) and halved every
 *     recommend_half_life_hours, give each category a share of interest; the
 *     most popular products of the top categories are candidates in proportion;
 *   - viewed with: for the shopper's most recent products, the products other
 *     shoppers most often looked at around them (product_pairs);
 *   - popular now: the decayed popularity ranking (product_popularity).
 * A candidate's score is the sum of its weighted source scores; its reason
 * names the source that gave most. Products the shopper has in the cart or has
 * ordered, and inactive or sold-out ones, are left out. Ties break on the
 * product id, so the same data always gives the same answer. A shopper with no
 * history gets what is popular now.
 *
 * The rankings order ties by id descending on purpose: secondary indexes end in
 * the primary key, so "log_score DESC, id DESC" is a backward index scan that
 * stops after LIMIT rows, while a mixed direction would sort every row.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/catalog.h"
#include "lib/config.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/interest.h"
#include "lib/responder.h"

#define RECOMMEND_DEFAULT_LIMIT 8
#define RECOMMEND_MAX_LIMIT 50
#define RECOMMEND_HISTORY 300
#define RECOMMEND_TOP_CATEGORIES 3
#define RECOMMEND_PER_CATEGORY 20     /* the LIMIT of the per-category queries */
#define RECOMMEND_SEEDS 5
#define RECOMMEND_MAX_CANDIDATES 512
#define RECOMMEND_DEFAULT_HALF_LIFE_HOURS 72
#define RECOMMEND_WEIGHT_AFFINITY 1.0
#define RECOMMEND_WEIGHT_VIEWED_WITH 0.6
#define RECOMMEND_WEIGHT_POPULAR 0.15
#define RECOMMEND_SEEN_PENALTY 0.25     /* a product the shopper already looked at, shown again */

static int recommendations_get(struct http_request *req, struct responder_context *ctx);

static const struct responder_route recommendations_routes[] = {
    {"GET", "/api/recommendations", recommendations_get},
    {NULL, NULL, NULL},
};

static const char SQL_HISTORY[] =
    "SELECT product_id, event_type, category, TIMESTAMPDIFF(MICROSECOND, created_at, NOW(3)) / 1000000"
    " FROM interactions WHERE user_id = ? ORDER BY created_at DESC LIMIT 300";
static const char SQL_EXCLUDED[] =
    "(SELECT product_id FROM cart_items WHERE user_id = ?)"
    " UNION (SELECT i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id"
    "  WHERE o.user_id = ? AND o.status IN ('PENDING', 'PROCESSED') ORDER BY o.created_at DESC LIMIT 500)";
static const char SQL_POPULAR_IN_CATEGORY[] =
    "SELECT product_id FROM product_popularity WHERE category = ? ORDER BY log_score DESC, product_id DESC LIMIT 20";
static const char SQL_IN_CATEGORY[] =
    "SELECT id FROM products WHERE active = 1 AND category = ? AND stock > 0 ORDER BY name, id LIMIT 20";
/* The partners of up to RECOMMEND_SEEDS products in one round trip; unused slots get ''. */
#define VIEWED_WITH_ONE(n) "(SELECT " #n " AS seed, other_id, log_score FROM product_pairs WHERE product_id = ?" \
    " ORDER BY log_score DESC, other_id DESC LIMIT 10)"
static const char SQL_VIEWED_WITH[] =
    VIEWED_WITH_ONE(0) " UNION ALL " VIEWED_WITH_ONE(1) " UNION ALL " VIEWED_WITH_ONE(2)
    " UNION ALL " VIEWED_WITH_ONE(3) " UNION ALL " VIEWED_WITH_ONE(4);
static const char SQL_POPULAR[] =
    "SELECT product_id FROM product_popularity ORDER BY log_score DESC, product_id DESC LIMIT 60";
static const char SQL_FEATURED[] =
    "SELECT id FROM products WHERE active = 1 AND stock > 0 ORDER BY name, id LIMIT 100";
#define Q10 "?,?,?,?,?,?,?,?,?,?"
#define RECOMMEND_DETAILS 100
static const char SQL_DETAILS[] =
    "SELECT " CATALOG_PRODUCT_COLUMNS ", active FROM products WHERE id IN (" Q10 "," Q10 "," Q10 "," Q10 ","
    Q10 "," Q10 "," Q10 "," Q10 "," Q10 "," Q10 ")";

enum recommend_source { SOURCE_POPULAR, SOURCE_AFFINITY, SOURCE_VIEWED_WITH, SOURCE_FEATURED, SOURCE_COUNT };

struct candidate {
    const char *product_id;
    double parts[SOURCE_COUNT];
    const char *because[SOURCE_COUNT];   /* category or seed product id behind each part */
    double score;
    int details_row;                     /* row in the details result, -1 when not fetched */
};

struct category_interest {
    const char *category;
    double score, top_event_score[4];
};

struct recommend {
    struct http_request *req;
    struct responder_context *ctx;
    struct candidate *candidates;
    int count;
    struct category_interest categories[RECOMMEND_HISTORY];
    int category_count;
    const char *seeds[RECOMMEND_SEEDS];
    int seed_count;
    const char *seen[RECOMMEND_HISTORY];
    int seen_count;
    double half_life_hours;
};

static struct candidate *recommend_candidate(struct recommend *r, const char *product_id)
{
    int i;

    for (i = 0; i < r->count; i++)
        if (strcmp(r->candidates[i].product_id, product_id) == 0)
            return &r->candidates[i];
    if (r->count == RECOMMEND_MAX_CANDIDATES)
        return NULL;
    memset(&r->candidates[r->count], 0, sizeof(struct candidate));
    r->candidates[r->count].product_id = product_id;
    r->candidates[r->count].details_row = -1;
    return &r->candidates[r->count++];
}

static void recommend_add(struct recommend *r, const char *product_id, enum recommend_source source, double score,
                          const char *because)
{
    struct candidate *c = recommend_candidate(r, product_id);

    if (c != NULL && score > c->parts[source]) {
        c->parts[source] = score;
        c->because[source] = because;
    }
}

static bool recommend_listed(const char *const *list, int count, const char *id)
{
    int i;

    for (i = 0; i < count; i++)
        if (strcmp(list[i], id) == 0)
            return true;
    return false;
}

/* Category shares and seed products from the shopper's recent interactions. */
static int recommend_read_history(struct recommend *r)
{
    const struct db_param user[] = {DB_PARAM_TEXT(r->ctx->session.user_id)};
    struct db_result rows;
    int rc, i, k;

    if ((rc = db_exec(r->ctx->db, r->req->arena, SQL_HISTORY, user, 1, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++) {
        const char *product = db_result_text(&rows, i, 0), *category = db_result_text(&rows, i, 2);
        enum interest_event event;
        double age_hours = strtod(db_result_text(&rows, i, 3) ? db_result_text(&rows, i, 3) : "0", NULL) / 3600.0;

        if (interest_event_parse(db_result_text(&rows, i, 1), &event) != SHOP_OK)
            continue;
        double weight = interest_event_weight(event) * pow(0.5, age_hours / r->half_life_hours);
        if (category != NULL) {
            for (k = 0; k < r->category_count && strcmp(r->categories[k].category, category) != 0; k++) {
            }
            if (k == r->category_count) {
                memset(&r->categories[k], 0, sizeof(r->categories[k]));
                r->categories[r->category_count++].category = category;
            }
            r->categories[k].score += weight;
            r->categories[k].top_event_score[event] += weight;
        }
        if (product != NULL && event != INTEREST_SEARCH && !recommend_listed(r->seen, r->seen_count, product)) {
            r->seen[r->seen_count++] = product;
            if (r->seed_count < RECOMMEND_SEEDS)
                r->seeds[r->seed_count++] = product;
        }
    }
    return SHOP_OK;
}

static int recommend_by_category(const void *a, const void *b)
{
    const struct category_interest *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->category, y->category);
}

/*
 * Adds the rows of one single-column query as candidates, damped by rank; ranks
 * start at *rank and continue there, so two queries can make one ranked list.
 */
static int recommend_from_query(struct recommend *r, const char *sql, const char *key, enum recommend_source source,
                                double weight, double damping, const char *because, int *rank)
{
    const struct db_param param[] = {DB_PARAM_TEXT(key != NULL ? key : "")};
    struct db_result rows;
    int rc = db_exec(r->ctx->db, r->req->arena, sql, param, key != NULL ? 1 : 0, &rows), i;

    for (i = 0; rc == SHOP_OK && i < rows.rows; i++, (*rank)++)
        recommend_add(r, db_result_text(&rows, i, 0), source, weight / (1.0 + damping * *rank), because);
    return rc;
}

struct pair_row {
    int seed;
    double score;
    const char *other;
};

static int recommend_by_pair(const void *a, const void *b)
{
    const struct pair_row *x = a, *y = b;

    if (x->seed != y->seed)
        return x->seed - y->seed;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(y->other, x->other);
}

/* "Often viewed with": the partners of the shopper's most recent products. */
static int recommend_viewed_with(struct recommend *r)
{
    struct db_param params[RECOMMEND_SEEDS];
    struct pair_row rows[RECOMMEND_SEEDS * 10];
    struct db_result result;
    int rc, i, n, rank = 0;

    for (i = 0; i < RECOMMEND_SEEDS; i++)
        params[i] = DB_PARAM_TEXT(i < r->seed_count ? r->seeds[i] : "");
    if ((rc = db_exec(r->ctx->db, r->req->arena, SQL_VIEWED_WITH, params, RECOMMEND_SEEDS, &result)) != SHOP_OK)
        return rc;
    n = result.rows < RECOMMEND_SEEDS * 10 ? result.rows : RECOMMEND_SEEDS * 10;
    for (i = 0; i < n; i++) {
        rows[i].seed = (int)db_result_int(&result, i, 0);
        rows[i].other = db_result_text(&result, i, 1);
        rows[i].score = strtod(db_result_text(&result, i, 2), NULL);
    }
    /* A UNION has no order of its own: put each seed's partners back in rank order. */
    qsort(rows, (size_t)n, sizeof(rows[0]), recommend_by_pair);
    for (i = 0; i < n; i++) {
        rank = i > 0 && rows[i].seed == rows[i - 1].seed ? rank + 1 : 0;
        if (rows[i].seed >= 0 && rows[i].seed < r->seed_count)
            recommend_add(r, rows[i].other, SOURCE_VIEWED_WITH,
                          RECOMMEND_WEIGHT_VIEWED_WITH * pow(0.7, rows[i].seed) / (1.0 + 0.2 * rank), r->seeds[rows[i].seed]);
    }
    return SHOP_OK;
}

static int recommend_gather(struct recommend *r)
{
    double total = 0;
    int rc = SHOP_OK, i, rank;

    qsort(r->categories, (size_t)r->category_count, sizeof(r->categories[0]), recommend_by_category);
    for (i = 0; i < r->category_count; i++)
        total += r->categories[i].score;
    /* Per top category one ranked list: its popular products, then (when they are
     * too few) the rest of it. */
    for (i = 0; i < r->category_count && i < RECOMMEND_TOP_CATEGORIES && rc == SHOP_OK; i++) {
        double share = RECOMMEND_WEIGHT_AFFINITY * r->categories[i].score / total;
        const char *category = r->categories[i].category;
        rank = 0;
        rc = recommend_from_query(r, SQL_POPULAR_IN_CATEGORY, category, SOURCE_AFFINITY, share, 0.05, category, &rank);
        if (rc == SHOP_OK && rank < RECOMMEND_PER_CATEGORY)
            rc = recommend_from_query(r, SQL_IN_CATEGORY, category, SOURCE_AFFINITY, share, 0.05, category, &rank);
    }
    if (rc == SHOP_OK && r->seed_count > 0)
        rc = recommend_viewed_with(r);
    rank = 0;
    if (rc == SHOP_OK)
        rc = recommend_from_query(r, SQL_POPULAR, NULL, SOURCE_POPULAR, RECOMMEND_WEIGHT_POPULAR, 0.05, NULL, &rank);
    rank = 0;
    if (rc == SHOP_OK && r->count < RECOMMEND_DETAILS)
        rc = recommend_from_query(r, SQL_FEATURED, NULL, SOURCE_FEATURED, 0.01, 0.01, NULL, &rank);
    return rc;
}

static int recommend_by_score(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->product_id, y->product_id);
}

static void recommend_score(struct recommend *r)
{
    int i, s;

    for (i = 0; i < r->count; i++) {
        struct candidate *c = &r->candidates[i];
        c->score = 0;
        for (s = 0; s < SOURCE_COUNT; s++)
            c->score += c->parts[s];
        if (recommend_listed(r->seen, r->seen_count, c->product_id))
            c->score *= RECOMMEND_SEEN_PENALTY;
    }
    qsort(r->candidates, (size_t)r->count, sizeof(r->candidates[0]), recommend_by_score);
}

/* The category's strongest kind of interest, for the reason's verb. */
static const char *recommend_verb(const struct recommend *r, const char *category)
{
    int k, e, best = INTEREST_VIEW;

    for (k = 0; k < r->category_count; k++) {
        if (strcmp(r->categories[k].category, category) != 0)
            continue;
        for (e = 0; e < 4; e++)
            if (r->categories[k].top_event_score[e] > r->categories[k].top_event_score[best])
                best = e;
    }
    return interest_event_verb((enum interest_event)best);
}

static const char *recommend_reason(struct recommend *r, const struct candidate *c, const struct db_result *details)
{
    int best = SOURCE_FEATURED, s, row;

    for (s = 0; s < SOURCE_COUNT; s++)
        if (c->parts[s] > c->parts[best])
            best = s;
    switch (best) {
    case SOURCE_AFFINITY:
        return arena_printf(r->req->arena, "Because you %s %s", recommend_verb(r, c->because[best]), c->because[best]);
    case SOURCE_VIEWED_WITH:
        for (row = 0; row < details->rows; row++)
            if (strcmp(db_result_text(details, row, 0), c->because[best]) == 0)
                return arena_printf(r->req->arena, "Often viewed with %s", db_result_text(details, row, 1));
        return "Often viewed with what you looked at";
    case SOURCE_POPULAR:
        return "Popular now";
    default:
        return "Featured in the shop";
    }
}

/* Fetches the top candidates and the seeds (for reason names) in one query. */
static int recommend_details(struct recommend *r, struct db_result *details)
{
    struct db_param params[RECOMMEND_DETAILS];
    int n = 0, i;

    for (i = 0; i < r->seed_count; i++)
        params[n++] = DB_PARAM_TEXT(r->seeds[i]);
    for (i = 0; i < r->count && n < RECOMMEND_DETAILS; i++)
        params[n++] = DB_PARAM_TEXT(r->candidates[i].product_id);
    while (n < RECOMMEND_DETAILS)
        params[n++] = DB_PARAM_TEXT(""); /* no product has an empty id */
    return db_exec(r->ctx->db, r->req->arena, SQL_DETAILS, params, RECOMMEND_DETAILS, details);
}

static int recommend_reply(struct recommend *r, long long limit, const struct db_result *excluded)
{
    struct json_object *items, *body = http_list_body(r->req, &items);
    struct db_result details;
    int rc, i, row, shown = 0;

    if (body == NULL)
        return SHOP_ERR_NOMEM;
    if ((rc = recommend_details(r, &details)) != SHOP_OK)
        return rc;
    for (i = 0; i < r->count && shown < limit; i++) {
        const struct candidate *c = &r->candidates[i];
        for (row = 0; row < details.rows && strcmp(db_result_text(&details, row, 0), c->product_id) != 0; row++) {
        }
        if (row == details.rows || db_result_int(&details, row, CATALOG_PRODUCT_COLUMN_COUNT) == 0 ||
            db_result_int(&details, row, 6) <= 0)
            continue; /* unknown, inactive or sold out */
        bool left_out = false;
        for (int e = 0; e < excluded->rows && !left_out; e++)
            left_out = strcmp(db_result_text(excluded, e, 0), c->product_id) == 0;
        if (left_out)
            continue;
        struct json_object *item = catalog_product_json(&details, row);
        if (item == NULL)
            return SHOP_ERR_NOMEM;
        json_object_object_add(item, "reason", json_object_new_string(recommend_reason(r, c, &details)));
        json_object_array_add(items, item);
        shown++;
    }
    http_add_header(r->req, "Cache-Control", "no-store");
    return http_reply_json(r->req, 200, body);
}

static int recommendations_get(struct http_request *req, struct responder_context *ctx)
{
    struct recommend *r = arena_alloc(req->arena, sizeof(*r));
    const struct db_param user[] = {DB_PARAM_TEXT(ctx->session.user_id), DB_PARAM_TEXT(ctx->session.user_id)};
    struct db_result excluded;
    long long limit, half_life;
    int rc;

    if ((rc = http_query_limit(req, RECOMMEND_DEFAULT_LIMIT, RECOMMEND_MAX_LIMIT, &limit)) != SHOP_OK || req->status != 0)
        return rc;
    if (r == NULL || (r->candidates = arena_alloc(req->arena, sizeof(struct candidate) * RECOMMEND_MAX_CANDIDATES)) == NULL)
        return SHOP_ERR_NOMEM;
    r->req = req;
    r->ctx = ctx;
    r->count = r->category_count = r->seed_count = r->seen_count = 0;
    if (config_get_int("recommend_half_life_hours", RECOMMEND_DEFAULT_HALF_LIFE_HOURS, 1, 24 * 365, &half_life) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    r->half_life_hours = (double)half_life;
    if ((rc = recommend_read_history(r)) != SHOP_OK ||
        (rc = db_exec(ctx->db, req->arena, SQL_EXCLUDED, user, 2, &excluded)) != SHOP_OK ||
        (rc = recommend_gather(r)) != SHOP_OK)
        return rc;
    recommend_score(r);
    return recommend_reply(r, limit, &excluded);
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

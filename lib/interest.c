/*
 * interest.c - interaction events and their incremental aggregates (see interest.h).
 *
 * An event and its aggregate updates are one transaction (the caller's, when one
 * is open): one durable commit instead of a dozen, which is what bounds the
 * rate of events with innodb_flush_log_at_trx_commit = 1. The row locks it
 * takes on popular products last only that short transaction.
 */
#include "interest.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "json.h"
#include "log.h"

struct interest_kind {
    const char *name;
    double weight;
    const char *verb;
};

static const struct interest_kind interest_kinds[] = {
    [INTEREST_VIEW] = {"product-view", 1.0, "viewed"},
    [INTEREST_ADD_TO_CART] = {"add-to-cart", 3.0, "added to your cart"},
    [INTEREST_PURCHASE] = {"purchase", 5.0, "bought"},
    [INTEREST_SEARCH] = {"search", 0.5, "searched for"},
};

#define INTEREST_KIND_COUNT (sizeof(interest_kinds) / sizeof(interest_kinds[0]))

static const char SQL_RECENT_COUNT[] =
    "SELECT COUNT(*) FROM interactions WHERE user_id = ? AND created_at > NOW(3) - INTERVAL 1 MINUTE";
static const char SQL_INSERT_INTERACTION[] =
    "INSERT INTO interactions (user_id, product_id, event_type, category) VALUES (?, ?, ?, ?)";
static const char SQL_INSERT_PURCHASES[] =
    "INSERT INTO interactions (user_id, product_id, event_type, category)"
    " SELECT o.user_id, i.product_id, ?, p.category"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j"
    " JOIN orders o ON o.id = j.jid JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id"
    " ORDER BY o.id, i.product_id";

/* The aggregator's statements. A list of values travels as one JSON parameter,
 * unpacked by JSON_TABLE, so one prepared statement serves any batch size. */
static const char SQL_AGGREGATE_LOCK[] = "SELECT GET_LOCK('fcgi-shop:interest-aggregate', 0)";
static const char SQL_AGGREGATE_UNLOCK[] = "SELECT RELEASE_LOCK('fcgi-shop:interest-aggregate')";
static const char SQL_PENDING[] =
    "SELECT id, user_id, product_id, event_type, category, UNIX_TIMESTAMP(created_at) FROM interactions"
    " WHERE aggregated = 0 ORDER BY id LIMIT ?";
/* Each shopper's latest product events up to the batch (its own included), newest last. */
static const char SQL_HISTORY[] =
    "SELECT user_id, id, product_id, event_type, UNIX_TIMESTAMP(created_at) FROM ("
    " SELECT i.user_id, i.id, i.product_id, i.event_type, i.created_at,"
    "  ROW_NUMBER() OVER (PARTITION BY i.user_id ORDER BY i.id DESC) AS newest"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u"
    " JOIN interactions i ON i.user_id = u.uid AND i.created_at > FROM_UNIXTIME(?)"
    " WHERE i.id <= ? AND i.product_id IS NOT NULL AND i.event_type <> 'search') h"
    " WHERE newest <= ? ORDER BY user_id, id";
/* log-sum-exp in base 2: log2(2^a + 2^b) = max(a, b) + log2(1 + 2^-|a - b|) */
#define INTEREST_LOG_ADD(column) \
    column " = GREATEST(" column ", VALUES(" column ")) + LOG2(1 + POW(2, -ABS(" column " - VALUES(" column "))))"
static const char SQL_ADD_POPULARITY[] =
    "INSERT INTO product_popularity (product_id, category, log_score)"
    " SELECT jp, jc, js FROM JSON_TABLE(?, '$[*]' COLUMNS (jp VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin"
    "  PATH '$[0]', jc VARCHAR(64) PATH '$[1]', js DOUBLE PATH '$[2]')) j"
    " ON DUPLICATE KEY UPDATE category = VALUES(category), " INTEREST_LOG_ADD("log_score");
static const char SQL_ADD_PAIRS[] =
    "INSERT INTO product_pairs (product_id, other_id, log_score)"
    " SELECT jp, jo, js FROM JSON_TABLE(?, '$[*]' COLUMNS (jp VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin"
    "  PATH '$[0]', jo VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin PATH '$[1]', js DOUBLE PATH '$[2]')) j"
    " ON DUPLICATE KEY UPDATE " INTEREST_LOG_ADD("log_score");
static const char SQL_MARK_AGGREGATED[] =
    "UPDATE interactions i JOIN JSON_TABLE(?, '$[*]' COLUMNS (jid BIGINT UNSIGNED PATH '$')) j ON i.id = j.jid"
    " SET i.aggregated = 1";

/* The wire name of event ("add-to-cart"). */
static const char *interest_event_name(enum interest_event event)
{
    return interest_kinds[event].name;
}

int interest_event_parse(const char *name, enum interest_event *out)
{
    size_t i;

    for (i = 0; i < INTEREST_KIND_COUNT; i++) {
        if (strcmp(interest_kinds[i].name, name) == 0) {
            *out = (enum interest_event)i;
            return SHOP_OK;
        }
    }
    return SHOP_ERR_INVALID;
}

double interest_event_weight(enum interest_event event) { return interest_kinds[event].weight; }
const char *interest_event_verb(enum interest_event event) { return interest_kinds[event].verb; }

/* The rate check and the insert; inside the caller's transaction when one is open. */
int interest_record(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                    const char *category, enum interest_event event)
{
    const struct db_param user[] = {DB_PARAM_TEXT(user_id)};
    const struct db_param row[] = {DB_PARAM_TEXT(user_id), product_id != NULL ? DB_PARAM_TEXT(product_id) : DB_PARAM_NULL,
                                   DB_PARAM_TEXT(interest_event_name(event)),
                                   category != NULL ? DB_PARAM_TEXT(category) : DB_PARAM_NULL};
    struct db_result recent;
    int rc;

    if ((rc = db_exec(db, arena, SQL_RECENT_COUNT, user, 1, &recent)) != SHOP_OK)
        return rc;
    if (db_result_int(&recent, 0, 0) >= INTEREST_MAX_PER_MINUTE)
        return SHOP_ERR_RATE_LIMITED;
    return db_exec(db, arena, SQL_INSERT_INTERACTION, row, 4, NULL);
}

/* Purchases skip the rate limit: each is bounded by a real order. */
int interest_record_purchases(struct db *db, struct arena *arena, const char *order_ids_json)
{
    const struct db_param orders[] = {DB_PARAM_TEXT(interest_event_name(INTEREST_PURCHASE)),
                                      DB_PARAM_TEXT(order_ids_json)};

    return db_exec(db, arena, SQL_INSERT_PURCHASES, orders, 2, NULL);
}

/*
 * The aggregator. A pass takes the oldest INTEREST_AGGREGATE_BATCH pending
 * events and, in one transaction, adds them to the aggregates and marks them
 * aggregated. Per event, as the request path used to do it:
 *   - popularity: weight * 2^(t / half-life), added in log space, unless the
 *     same shopper had the same event on the same product within
 *     INTEREST_REPEAT_SECONDS before (a repeat is stored but does not count);
 *   - pairs: a counted event that is not a purchase pairs its product, both
 *     ways, with up to INTEREST_PAIR_PARTNERS other products among the
 *     shopper's 20 product events before it within INTEREST_PAIR_WINDOW_SECONDS.
 * Sums are formed here first, so each product and each pair is one row of one
 * upsert, however many events touched it. A named lock keeps passes of several
 * workers from overlapping; the one that does not get it skips its turn.
 */
#define INTEREST_PAIR_LOOKBACK 20
/* History rows per shopper: its events in the batch can be followed by many more. */
#define INTEREST_HISTORY_PER_USER 60

struct interest_pending {
    long long id;
    const char *user, *product, *type, *category;
    double at;                   /* seconds since the epoch */
    enum interest_event event;
};

struct interest_sum {
    const char *key, *other;     /* product (and pair partner, or the category for popularity) */
    double log_score;
};

static int interest_sum_compare(const void *a, const void *b)
{
    const struct interest_sum *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 || y->other == NULL ? c : strcmp(x->other, y->other);
}

static double interest_log_add(double a, double b)
{
    double high = a > b ? a : b, low = a > b ? b : a;

    return high + log2(1.0 + exp2(low - high));
}

/* Sorts the sums and folds equal keys into one: with_other tells pairs from popularity. */
static int interest_fold(struct interest_sum *sums, int count, bool with_other)
{
    int i, out = 0;

    if (count == 0)
        return 0;
    qsort(sums, (size_t)count, sizeof(*sums), interest_sum_compare);
    for (i = 1; i < count; i++) {
        struct interest_sum *last = &sums[out];
        if (strcmp(sums[i].key, last->key) == 0 && (!with_other || strcmp(sums[i].other, last->other) == 0))
            last->log_score = interest_log_add(last->log_score, sums[i].log_score);
        else
            sums[++out] = sums[i];
    }
    return out + 1;
}

/* The sums as a JSON array of [key, other, log_score] for one upsert; NULL when out of memory. */
static const char *interest_sums_json(struct arena *arena, const struct interest_sum *sums, int count)
{
    struct json_object *list = json_object_new_array();
    const char *text = NULL;
    size_t len;
    int i;

    if (list == NULL)
        return NULL;
    for (i = 0; i < count; i++) {
        struct json_object *row = json_object_new_array();
        if (row == NULL || json_object_array_add(list, row) != 0) {
            json_object_put(row);
            json_object_put(list);
            return NULL;
        }
        json_object_array_add(row, json_object_new_string(sums[i].key));
        json_object_array_add(row, json_object_new_string(sums[i].other));
        json_object_array_add(row, json_object_new_double(sums[i].log_score));
    }
    text = json_to_text(list, &len);
    text = text != NULL ? arena_strndup(arena, text, len) : NULL;
    json_object_put(list);
    return text;
}

static int interest_string_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The batch's ids as a JSON array, and in *users the shoppers whose history
 * matters (those with product events other than purchases), each once, with
 * their number in *user_count. NULL when out of memory.
 */
static const char *interest_batch_json(struct arena *arena, const struct interest_pending *events, int count,
                                       const char **users, int *user_count)
{
    struct json_object *ids = json_object_new_array(), *shoppers = json_object_new_array();
    const char **names = arena_alloc(arena, sizeof(*names) * (size_t)count);
    const char *text = NULL;
    size_t len;
    int i, n = 0;

    *users = NULL;
    *user_count = 0;
    if (ids == NULL || shoppers == NULL || names == NULL)
        goto done;
    for (i = 0; i < count; i++) {
        json_object_array_add(ids, json_object_new_int64(events[i].id));
        if (events[i].product != NULL && events[i].event != INTEREST_PURCHASE)
            names[n++] = events[i].user;
    }
    qsort(names, (size_t)n, sizeof(*names), interest_string_compare);
    for (i = 0; i < n; i++) {
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0) {
            json_object_array_add(shoppers, json_object_new_string(names[i]));
            (*user_count)++;
        }
    }
    if ((text = json_to_text(shoppers, &len)) == NULL || (*users = arena_strndup(arena, text, len)) == NULL ||
        (text = json_to_text(ids, &len)) == NULL)
        goto done;
    text = arena_strndup(arena, text, len);
done:
    json_object_put(ids);
    json_object_put(shoppers);
    return *users != NULL ? text : NULL;
}

/* Whether the event counts, and its pairs appended to pairs[*pair_count]. */
static bool interest_examine(const struct interest_pending *e, const struct db_result *history,
                             struct interest_sum *pairs, int *pair_count, double hours_scale)
{
    const char *partners[INTEREST_PAIR_PARTNERS];
    int first, count, i, j, seen = 0, found = 0;

    db_result_run(history, 0, e->user, &first, &count); /* the shopper's rows, sorted by id */
    for (i = first + count - 1; i >= first; i--) { /* newest first */
        if (db_result_int(history, i, 1) >= e->id)
            continue;
        if (e->at - strtod(db_result_text(history, i, 4), NULL) >= INTEREST_REPEAT_SECONDS)
            break;
        if (strcmp(db_result_text(history, i, 2), e->product) == 0 &&
            strcmp(db_result_text(history, i, 3), e->type) == 0)
            return false; /* a repeat */
    }
    for (i = first + count - 1; i >= first && seen < INTEREST_PAIR_LOOKBACK && found < INTEREST_PAIR_PARTNERS; i--) {
        const char *other = db_result_text(history, i, 2);
        bool known = false;
        if (db_result_int(history, i, 1) >= e->id || strcmp(other, e->product) == 0)
            continue;
        if (e->at - strtod(db_result_text(history, i, 4), NULL) > INTEREST_PAIR_WINDOW_SECONDS)
            break;
        seen++;
        for (j = 0; j < found && !known; j++)
            known = strcmp(partners[j], other) == 0;
        if (!known)
            partners[found++] = other;
    }
    for (j = 0; j < found; j++) {
        pairs[(*pair_count)++] = (struct interest_sum){e->product, partners[j], e->at / hours_scale};
        pairs[(*pair_count)++] = (struct interest_sum){partners[j], e->product, e->at / hours_scale};
    }
    return true;
}

/* One pass inside the caller's transaction; *taken counts the events it took. */
static int interest_aggregate_batch(struct db *db, struct arena *arena, long long half_life, int *taken)
{
    const struct db_param limit[] = {DB_PARAM_INT(INTEREST_AGGREGATE_BATCH)};
    const double hours_scale = 3600.0 * (double)half_life;
    struct interest_pending *events;
    struct interest_sum *popularity, *pairs;
    struct db_result pending, history = {0};
    int rc, i, n, user_count, popular_count = 0, pair_count = 0;
    double oldest;

    if ((rc = db_exec(db, arena, SQL_PENDING, limit, 1, &pending)) != SHOP_OK)
        return rc;
    if ((*taken = n = pending.rows) == 0)
        return SHOP_OK;
    events = arena_alloc(arena, sizeof(*events) * (size_t)n);
    popularity = arena_alloc(arena, sizeof(*popularity) * (size_t)n);
    pairs = arena_alloc(arena, sizeof(*pairs) * (size_t)n * INTEREST_PAIR_PARTNERS * 2);
    if (events == NULL || popularity == NULL || pairs == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < n; i++) {
        events[i] = (struct interest_pending){db_result_int(&pending, i, 0), db_result_text(&pending, i, 1),
                                              db_result_text(&pending, i, 2), db_result_text(&pending, i, 3),
                                              db_result_text(&pending, i, 4), strtod(db_result_text(&pending, i, 5), NULL),
                                              INTEREST_SEARCH};
        if (interest_event_parse(events[i].type, &events[i].event) != SHOP_OK || events[i].category == NULL)
            events[i].product = NULL; /* nothing to add up for it */
    }
    oldest = events[0].at;
    for (i = 1; i < n; i++)
        oldest = events[i].at < oldest ? events[i].at : oldest;
    const char *users, *ids = interest_batch_json(arena, events, n, &users, &user_count);
    if (ids == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param around[] = {DB_PARAM_TEXT(users), DB_PARAM_INT((long long)oldest - INTEREST_PAIR_WINDOW_SECONDS - 1),
                                      DB_PARAM_INT(events[n - 1].id), DB_PARAM_INT(INTEREST_HISTORY_PER_USER)};
    if (user_count > 0 && (rc = db_exec(db, arena, SQL_HISTORY, around, 4, &history)) != SHOP_OK)
        return rc;
    for (i = 0; i < n; i++) {
        const struct interest_pending *e = &events[i];
        if (e->product == NULL)
            continue;
        if (e->event != INTEREST_PURCHASE && !interest_examine(e, &history, pairs, &pair_count, hours_scale))
            continue;
        popularity[popular_count++] =
            (struct interest_sum){e->product, e->category, log2(interest_event_weight(e->event) * 10) + e->at / hours_scale};
    }
    popular_count = interest_fold(popularity, popular_count, false);
    pair_count = interest_fold(pairs, pair_count, true);
    if (popular_count > 0) {
        const char *rows = interest_sums_json(arena, popularity, popular_count);
        const struct db_param add[] = {DB_PARAM_TEXT(rows != NULL ? rows : "")};
        if (rows == NULL)
            return SHOP_ERR_NOMEM;
        if ((rc = db_exec(db, arena, SQL_ADD_POPULARITY, add, 1, NULL)) != SHOP_OK)
            return rc;
    }
    if (pair_count > 0) {
        const char *rows = interest_sums_json(arena, pairs, pair_count);
        const struct db_param add[] = {DB_PARAM_TEXT(rows != NULL ? rows : "")};
        if (rows == NULL)
            return SHOP_ERR_NOMEM;
        if ((rc = db_exec(db, arena, SQL_ADD_PAIRS, add, 1, NULL)) != SHOP_OK)
            return rc;
    }
    const struct db_param mark[] = {DB_PARAM_TEXT(ids)};
    return db_exec(db, arena, SQL_MARK_AGGREGATED, mark, 1, NULL);
}

int interest_aggregate(struct db *db, struct arena *arena, int *aggregated)
{
    long long half_life = INTEREST_DEFAULT_POPULAR_HALF_LIFE_HOURS;
    struct db_result locked;
    int rc, taken = 0, attempt;

    *aggregated = 0;
    if (config_get_int("popular_half_life_hours", INTEREST_DEFAULT_POPULAR_HALF_LIFE_HOURS, 1, 24 * 365,
                       &half_life) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    if ((rc = db_exec(db, arena, SQL_AGGREGATE_LOCK, NULL, 0, &locked)) != SHOP_OK)
        return rc;
    if (db_result_int(&locked, 0, 0) != 1)
        return SHOP_OK; /* another worker is at it */
    for (attempt = 0; attempt < DB_TRANSACTION_ATTEMPTS; attempt++) {
        if (attempt > 0)
            db_retry_pause(attempt - 1);
        if ((rc = db_begin(db)) != SHOP_OK)
            break;
        if ((rc = interest_aggregate_batch(db, arena, half_life, &taken)) == SHOP_OK && (rc = db_commit(db)) == SHOP_OK)
            break;
        db_rollback(db);
        if (rc != SHOP_ERR_RETRY)
            break;
    }
    db_exec(db, arena, SQL_AGGREGATE_UNLOCK, NULL, 0, &locked);
    if (rc == SHOP_OK)
        *aggregated = taken;
    else
        log_event(LOG_LEVEL_WARN, NULL, "event=interest_aggregate_failed error=%s", shop_err_code(rc));
    return rc;
}

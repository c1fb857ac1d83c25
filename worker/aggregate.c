/*
 * aggregate.c - folds pending interest events into the aggregates recommendations
 * read (see aggregate.h). Only the order worker runs it.
 *
 * A pass takes the oldest INTEREST_AGGREGATE_BATCH pending events and, in one
 * transaction, adds them to the aggregates and marks them aggregated. Per
 * event, as the request path used to do it:
 *   - popularity: weight * 2^(t / half-life), added in log space, unless the
 *     same shopper had the same event on the same product within
 *     INTEREST_REPEAT_SECONDS before (a repeat is stored but does not count);
 *   - pairs: a counted event that is not a purchase pairs its product, both
 *     ways, with up to INTEREST_PAIR_PARTNERS other products among the
 *     shopper's INTEREST_PAIR_LOOKBACK product events before it within
 *     INTEREST_PAIR_WINDOW_SECONDS.
 * Sums are formed here first, so each product and each pair is one row of one
 * upsert, however many events touched it. A named lock keeps passes of several
 * workers from overlapping; the one that does not get it skips its turn.
 */
#include "worker/aggregate.h"

#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/settings.h"
#include "lib/err.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/log.h"

#define INTEREST_PAIR_LOOKBACK 20
/* History rows per shopper: its events in the batch can be followed by many more. */
#define INTEREST_HISTORY_PER_USER 60

/* A list of values travels as one JSON parameter, unpacked by JSON_TABLE, so
 * one prepared statement serves any batch size. */
static const char SQL_AGGREGATE_LOCK[] = "SELECT GET_LOCK('fcgi-shop:interest-aggregate', 0)";
static const char SQL_AGGREGATE_UNLOCK[] = "SELECT RELEASE_LOCK('fcgi-shop:interest-aggregate')";
static const char SQL_UNAGGREGATED[] =
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

/* Adds count folded sums with sql, one upsert of a JSON array; nothing to do for none. */
static int interest_upsert(struct db *db, struct arena *arena, const char *sql, const struct interest_sum *sums,
                           int count)
{
    const char *rows;

    if (count == 0)
        return SHOP_OK;
    if ((rows = interest_sums_json(arena, sums, count)) == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param add[] = {DB_PARAM_TEXT(rows)};
    return db_exec(db, arena, sql, add, 1, NULL);
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

    if ((rc = db_exec(db, arena, SQL_UNAGGREGATED, limit, 1, &pending)) != SHOP_OK)
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
    if ((rc = interest_upsert(db, arena, SQL_ADD_POPULARITY, popularity, popular_count)) != SHOP_OK ||
        (rc = interest_upsert(db, arena, SQL_ADD_PAIRS, pairs, pair_count)) != SHOP_OK)
        return rc;
    const struct db_param mark[] = {DB_PARAM_TEXT(ids)};
    return db_exec(db, arena, SQL_MARK_AGGREGATED, mark, 1, NULL);
}

/* One aggregation batch, as a db_transaction body. */
struct interest_aggregation {
    struct arena *arena;
    long long half_life;
    int taken;
};

static int interest_aggregate_body(struct db *db, void *arg)
{
    struct interest_aggregation *a = arg;

    return interest_aggregate_batch(db, a->arena, a->half_life, &a->taken);
}

int interest_aggregate(struct db *db, struct arena *arena, int *aggregated)
{
    long long half_life = settings_get()->popular_half_life_hours;
    struct db_result locked;
    int rc;

    *aggregated = 0;
    if ((rc = db_exec(db, arena, SQL_AGGREGATE_LOCK, NULL, 0, &locked)) != SHOP_OK)
        return rc;
    if (db_result_int(&locked, 0, 0) != 1)
        return SHOP_OK; /* another worker is at it */
    struct interest_aggregation batch = {arena, half_life, 0};
    rc = db_transaction(db, interest_aggregate_body, &batch);
    db_exec(db, arena, SQL_AGGREGATE_UNLOCK, NULL, 0, &locked);
    if (rc == SHOP_OK)
        *aggregated = batch.taken;
    else
        log_event(LOG_LEVEL_WARN, NULL, "event=interest_aggregate_failed error=%s", shop_err_code(rc));
    return rc;
}

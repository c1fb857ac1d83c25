/*
 * interest.c - interaction events and their incremental aggregates (see interest.h).
 *
 * An event and its aggregate updates are one transaction (the caller's, when one
 * is open): one durable commit instead of a dozen, which is what bounds the
 * rate of events with innodb_flush_log_at_trx_commit = 1. The row locks it
 * takes on popular products last only that short transaction.
 */
#include "interest.h"

#include <string.h>

#include "config.h"
#include "err.h"
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
static const char SQL_REPEATED[] =
    "SELECT COUNT(*) FROM interactions WHERE user_id = ? AND created_at > NOW(3) - INTERVAL ? SECOND"
    " AND product_id = ? AND event_type = ?";
static const char SQL_INSERT_INTERACTION[] =
    "INSERT INTO interactions (user_id, product_id, event_type, category) VALUES (?, ?, ?, ?)";
/* log-sum-exp in base 2: log2(2^a + 2^b) = max(a, b) + log2(1 + 2^-|a - b|) */
static const char SQL_ADD_POPULARITY[] =
    "INSERT INTO product_popularity (product_id, category, log_score)"
    " VALUES (?, ?, LOG2(?) + UNIX_TIMESTAMP(NOW(3)) / (3600 * ?))"
    " ON DUPLICATE KEY UPDATE category = VALUES(category),"
    " log_score = GREATEST(log_score, VALUES(log_score)) + LOG2(1 + POW(2, -ABS(log_score - VALUES(log_score))))";
static const char SQL_PAIR_PARTNERS[] =
    "SELECT DISTINCT product_id FROM (SELECT product_id FROM interactions"
    "  WHERE user_id = ? AND created_at > NOW(3) - INTERVAL ? SECOND"
    "  AND product_id IS NOT NULL AND product_id <> ? AND event_type <> 'search'"
    "  ORDER BY created_at DESC LIMIT 20) recent LIMIT ?";
static const char SQL_ADD_PAIR[] =
    "INSERT INTO product_pairs (product_id, other_id, log_score)"
    " VALUES (?, ?, UNIX_TIMESTAMP(NOW(3)) / (3600 * ?))"
    " ON DUPLICATE KEY UPDATE"
    " log_score = GREATEST(log_score, VALUES(log_score)) + LOG2(1 + POW(2, -ABS(log_score - VALUES(log_score))))";

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

/* Pairs product_id with the shopper's other recent products, both ways. */
static int interest_pair(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                         long long half_life_hours)
{
    const struct db_param find[] = {DB_PARAM_TEXT(user_id), DB_PARAM_INT(INTEREST_PAIR_WINDOW_SECONDS),
                                    DB_PARAM_TEXT(product_id), DB_PARAM_INT(INTEREST_PAIR_PARTNERS)};
    struct db_result partners;
    int rc, i;

    if ((rc = db_exec(db, arena, SQL_PAIR_PARTNERS, find, 4, &partners)) != SHOP_OK)
        return rc;
    for (i = 0; i < partners.rows && rc == SHOP_OK; i++) {
        const char *other = db_result_text(&partners, i, 0);
        const struct db_param forward[] = {DB_PARAM_TEXT(product_id), DB_PARAM_TEXT(other), DB_PARAM_INT(half_life_hours)};
        const struct db_param backward[] = {DB_PARAM_TEXT(other), DB_PARAM_TEXT(product_id), DB_PARAM_INT(half_life_hours)};
        if ((rc = db_exec(db, arena, SQL_ADD_PAIR, forward, 3, NULL)) == SHOP_OK)
            rc = db_exec(db, arena, SQL_ADD_PAIR, backward, 3, NULL);
    }
    return rc;
}

static int interest_record_in(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                              const char *category, enum interest_event event);

int interest_record(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                    const char *category, enum interest_event event)
{
    bool own = !db_in_transaction(db);
    int rc = own ? db_begin(db) : SHOP_OK;

    if (rc == SHOP_OK)
        rc = interest_record_in(db, arena, user_id, product_id, category, event);
    if (own && rc == SHOP_OK)
        rc = db_commit(db);
    if (own && rc != SHOP_OK)
        db_rollback(db);
    return rc;
}

static int interest_record_in(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                              const char *category, enum interest_event event)
{
    const struct db_param user[] = {DB_PARAM_TEXT(user_id)};
    const char *type = interest_event_name(event);
    struct db_result recent;
    long long half_life = INTEREST_DEFAULT_POPULAR_HALF_LIFE_HOURS;
    bool counts = true;
    int rc;

    bool from_order = event == INTEREST_PURCHASE;

    if (config_get_int("popular_half_life_hours", INTEREST_DEFAULT_POPULAR_HALF_LIFE_HOURS, 1, 24 * 365,
                       &half_life) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    if (!from_order && (rc = db_exec(db, arena, SQL_RECENT_COUNT, user, 1, &recent)) != SHOP_OK)
        return rc;
    if (!from_order && db_result_int(&recent, 0, 0) >= INTEREST_MAX_PER_MINUTE)
        return SHOP_ERR_RATE_LIMITED;
    if (product_id != NULL && !from_order) {
        const struct db_param repeat[] = {DB_PARAM_TEXT(user_id), DB_PARAM_INT(INTEREST_REPEAT_SECONDS),
                                          DB_PARAM_TEXT(product_id), DB_PARAM_TEXT(type)};
        if ((rc = db_exec(db, arena, SQL_REPEATED, repeat, 4, &recent)) != SHOP_OK)
            return rc;
        counts = db_result_int(&recent, 0, 0) == 0;
    }
    const struct db_param row[] = {DB_PARAM_TEXT(user_id), product_id != NULL ? DB_PARAM_TEXT(product_id) : DB_PARAM_NULL,
                                   DB_PARAM_TEXT(type), category != NULL ? DB_PARAM_TEXT(category) : DB_PARAM_NULL};
    /* Pairs first (they read this shopper's history, before this event joins it),
     * the insert, and the hottest row, the product's popularity, last: its lock is
     * then held for the commit alone. */
    if (counts && !from_order && product_id != NULL && category != NULL &&
        (rc = interest_pair(db, arena, user_id, product_id, half_life)) != SHOP_OK)
        return rc;
    if ((rc = db_exec(db, arena, SQL_INSERT_INTERACTION, row, 4, NULL)) != SHOP_OK)
        return rc;
    if (!counts || product_id == NULL || category == NULL)
        return SHOP_OK;
    /* The weight travels as an integer in tenths: prepared parameters here are integers or text. */
    const struct db_param popularity[] = {DB_PARAM_TEXT(product_id), DB_PARAM_TEXT(category),
                                          DB_PARAM_INT((long long)(interest_event_weight(event) * 10)),
                                          DB_PARAM_INT(half_life)};
    return db_exec(db, arena, SQL_ADD_POPULARITY, popularity, 4, NULL);
}

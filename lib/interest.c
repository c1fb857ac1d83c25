/*
 * interest.c - recording interaction events (see interest.h).
 *
 * Recording is two small statements inside the caller's transaction when one
 * is open, and touches no aggregate: the worker folds events into those later
 * (worker/aggregate.c), so a request never waits on the row locks of popular
 * products.
 */
#include "interest.h"

#include <string.h>

#include "err.h"
#include "session.h"

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

_Static_assert(sizeof(interest_kinds) / sizeof(interest_kinds[0]) == INTEREST_EVENT_COUNT,
               "one interest_kinds entry per enum interest_event");

static const char SQL_RECENT_COUNT[] =
    "SELECT COUNT(*) FROM interactions WHERE user_id = ? AND created_at > NOW(3) - INTERVAL 1 MINUTE";
/* aggregated = 1 from the start keeps a new session's event out of the aggregates. */
static const char SQL_INSERT_INTERACTION[] =
    "INSERT INTO interactions (user_id, product_id, event_type, category, aggregated) VALUES (?, ?, ?, ?, ?)";
static const char SQL_INSERT_PURCHASES[] =
    "INSERT INTO interactions (user_id, product_id, event_type, category)"
    " SELECT o.user_id, i.product_id, ?, p.category"
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j"
    " JOIN orders o ON o.id = j.jid JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id"
    " ORDER BY o.id, i.product_id";

/* The wire name of event ("add-to-cart"). */
static const char *interest_event_name(enum interest_event event)
{
    return interest_kinds[event].name;
}

int interest_event_parse(const char *name, enum interest_event *out)
{
    size_t i;

    for (i = 0; i < INTEREST_EVENT_COUNT; i++) {
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
int interest_record(struct db *db, struct arena *arena, const struct session *shopper, const char *product_id,
                    const char *category, enum interest_event event)
{
    const struct db_param user[] = {DB_PARAM_TEXT(shopper->user_id)};
    const struct db_param row[] = {DB_PARAM_TEXT(shopper->user_id),
                                   product_id != NULL ? DB_PARAM_TEXT(product_id) : DB_PARAM_NULL,
                                   DB_PARAM_TEXT(interest_event_name(event)),
                                   category != NULL ? DB_PARAM_TEXT(category) : DB_PARAM_NULL,
                                   DB_PARAM_INT(shopper->is_new ? 1 : 0)};
    struct db_result recent;
    int rc;

    if ((rc = db_exec(db, arena, SQL_RECENT_COUNT, user, 1, &recent)) != SHOP_OK)
        return rc;
    if (db_result_int(&recent, 0, 0) >= INTEREST_MAX_PER_MINUTE)
        return SHOP_ERR_RATE_LIMITED;
    return db_exec(db, arena, SQL_INSERT_INTERACTION, row, 5, NULL);
}

/* Purchases skip the rate limit: each is bounded by a real order. */
int interest_record_purchases(struct db *db, struct arena *arena, const char *order_ids_json)
{
    const struct db_param orders[] = {DB_PARAM_TEXT(interest_event_name(INTEREST_PURCHASE)),
                                      DB_PARAM_TEXT(order_ids_json)};

    return db_exec(db, arena, SQL_INSERT_PURCHASES, orders, 2, NULL);
}

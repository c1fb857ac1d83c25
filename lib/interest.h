/*
 * interest.h - recording what a shopper shows interest in, and its aggregates.
 *
 * interest_record() appends an event (a view, an add to cart, a purchase, a
 * search) to the interactions table: two statements, so a request that records
 * one stays cheap. The aggregates recommendations read, each product's decayed
 * popularity and the "viewed together" pairs (see sql/migrations/004_interest.sql),
 * are brought up to date from the pending events in batches by
 * interest_aggregate(), which the order worker runs a few times a second.
 *
 * Limits: at most INTEREST_MAX_PER_MINUTE events per shopper (more is
 * SHOP_ERR_RATE_LIMITED), and a repeat of the same event on the same product
 * within INTEREST_REPEAT_SECONDS is stored but does not count again towards the
 * aggregates, so one shopper cannot pump a product up the charts.
 *
 * Purchases are different: the worker records them, each bounded by a real
 * order, so they skip those limits; and they add no pairs, since the views and
 * cart adds that came before a purchase already paired its product.
 */
#ifndef SHOP_INTEREST_H
#define SHOP_INTEREST_H

#include "arena.h"
#include "db.h"

#define INTEREST_MAX_PER_MINUTE 120
#define INTEREST_REPEAT_SECONDS 600
#define INTEREST_PAIR_PARTNERS 5        /* recent products an event is paired with */
#define INTEREST_PAIR_WINDOW_SECONDS 86400
#define INTEREST_DEFAULT_POPULAR_HALF_LIFE_HOURS 24
#define INTEREST_AGGREGATE_BATCH 100    /* pending events folded into the aggregates per transaction */

enum interest_event {
    INTEREST_VIEW,
    INTEREST_ADD_TO_CART,
    INTEREST_PURCHASE,
    INTEREST_SEARCH,
};

/* "product-view" → INTEREST_VIEW, …; SHOP_ERR_INVALID for an unknown name. */
int interest_event_parse(const char *name, enum interest_event *out);

/* How much the event says about interest: purchase > add to cart > view > search. */
double interest_event_weight(enum interest_event event);

/* The past tense for reasons: "viewed", "added to your cart", "bought", "searched for". */
const char *interest_event_verb(enum interest_event event);

/*
 * Records event for user_id, a shopper's own action (not a purchase), within
 * the rate limit. product_id and category may be NULL (a search); category is
 * the product's own when there is a product.
 */
int interest_record(struct db *db, struct arena *arena, const char *user_id, const char *product_id,
                    const char *category, enum interest_event event);

/*
 * Records a purchase event for every line of the orders in order_ids_json (a
 * JSON array of order ids), for the order's shopper, in one statement.
 */
int interest_record_purchases(struct db *db, struct arena *arena, const char *order_ids_json);

/*
 * Folds up to INTEREST_AGGREGATE_BATCH pending events into the aggregates, in
 * one transaction of its own; *aggregated counts them (0: none pending, or
 * another process holds the aggregator's lock).
 */
int interest_aggregate(struct db *db, struct arena *arena, int *aggregated);

#endif

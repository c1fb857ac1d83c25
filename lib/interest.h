/*
 * interest.h - recording what a shopper shows interest in.
 *
 * interest_record() appends an event (a view, an add to cart, a purchase, a
 * search) to the interactions table: two statements, so a request that records
 * one stays cheap. The aggregates recommendations read, each product's decayed
 * popularity and the "viewed together" pairs, are brought up to date from the
 * pending events by the order worker (worker/aggregate.h), which owns their
 * rules.
 *
 * Limit: at most INTEREST_MAX_PER_MINUTE events per shopper (more is
 * SHOP_ERR_RATE_LIMITED). Purchases are different: the worker records them,
 * each bounded by a real order, so they skip the limit.
 *
 * Only shoppers the shop has seen before count in the shared aggregates: an
 * event from a session its own request created (no valid cookie came with it)
 * is stored for that shopper's own recommendations but never folded into
 * popularity or pairs. Otherwise every cookie-less request would be a new
 * shopper, beyond the per-shopper limit and the repeat rule, and a script
 * could put any product on top of "Popular now".
 */
#ifndef SHOP_INTEREST_H
#define SHOP_INTEREST_H

#include "arena.h"
#include "db.h"

struct session;

#define INTEREST_MAX_PER_MINUTE 120

enum interest_event {
    INTEREST_VIEW,
    INTEREST_ADD_TO_CART,
    INTEREST_PURCHASE,
    INTEREST_SEARCH,
    INTEREST_EVENT_COUNT,   /* the number of kinds: sizes every array indexed by kind */
};

/* "product-view" → INTEREST_VIEW, …; SHOP_ERR_INVALID for an unknown name. */
int interest_event_parse(const char *name, enum interest_event *out);

/* How much the event says about interest: purchase > add to cart > view > search. */
double interest_event_weight(enum interest_event event);

/* The past tense for reasons: "viewed", "added to your cart", "bought", "searched for". */
const char *interest_event_verb(enum interest_event event);

/*
 * Records event for the shopper, their own action (not a purchase), within
 * the rate limit; for a new session (shopper->is_new), for the shopper alone.
 * product_id and category may be NULL (a search); category is the product's
 * own when there is a product.
 */
int interest_record(struct db *db, struct arena *arena, const struct session *shopper, const char *product_id,
                    const char *category, enum interest_event event);

/*
 * Records a purchase event for every line of the orders in order_ids_json (a
 * JSON array of order ids), for the order's shopper, in one statement.
 */
int interest_record_purchases(struct db *db, struct arena *arena, const char *order_ids_json);

#endif

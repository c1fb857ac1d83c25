/*
 * aggregate.h - the interest aggregator: pending interaction events folded into
 * the aggregates recommendations read (see aggregate.c).
 *
 * lib/interest records the events; the aggregates, each product's decayed
 * popularity and the "viewed together" pairs (see sql/migrations/004_interest.sql),
 * are brought up to date from them in batches here, a few times a second by
 * the order worker. A repeat of the same event on the same product within
 * INTEREST_REPEAT_SECONDS does not count again, so one shopper cannot pump a
 * product up the charts; purchases add no pairs, since the views and cart adds
 * that came before a purchase already paired its product.
 */
#ifndef SHOP_WORKER_AGGREGATE_H
#define SHOP_WORKER_AGGREGATE_H

#include "lib/arena.h"
#include "lib/db.h"

#define INTEREST_REPEAT_SECONDS 600
#define INTEREST_PAIR_PARTNERS 5        /* recent products an event is paired with */
#define INTEREST_PAIR_WINDOW_SECONDS 86400
#define INTEREST_AGGREGATE_BATCH 100    /* pending events folded into the aggregates per transaction */

/*
 * Folds up to INTEREST_AGGREGATE_BATCH pending events into the aggregates, in
 * one transaction of its own; *aggregated counts them (0: none pending, or
 * another process holds the aggregator's lock). A failure is logged here and
 * returned (the db_* error); events of a batch that was not committed stay
 * pending. popular_half_life_hours comes from lib/settings, checked at start.
 */
int interest_aggregate(struct db *db, struct arena *arena, int *aggregated);

#endif

/*
 * cart_expiry.h - removing abandoned carts: those nobody changed for a number
 * of days, with their lines, a bounded batch at a time.
 *
 * Every cart writer refreshes the cart's updated_at when it locks the cart
 * (lib/cart), checkout included, so "not updated for DAYS days" is "nobody
 * touched it since". A cart whose shopper has an order in flight (PENDING, or
 * FAILED and replayable: lib/order decides) is kept: after a declined card the
 * shopper finds the cart to try again. The delete checks the age again on
 * the rows it locks, so a cart changed meanwhile stays.
 *
 * Batches go oldest first by a cursor (updated_at, user_id), so carts kept
 * for an order in flight are stepped over rather than met again and again.
 * shopctl carts purge runs batches until the end; the worker's upkeep runs
 * one small batch now and then, carrying the cursor between rounds.
 */
#ifndef SHOP_CART_EXPIRY_H
#define SHOP_CART_EXPIRY_H

#include <stdbool.h>

#include "arena.h"
#include "db.h"

#define CART_EXPIRY_DAYS_MAX 3650
#define CART_EXPIRY_BATCH_MAX 1000

/* Where the next batch starts; zeroed: at the oldest cart. */
struct cart_expiry_cursor {
    char updated_at[32];          /* "YYYY-MM-DD HH:MM:SS.ffffff", empty at the start */
    char user_id[33];
};

/* What one batch did. */
struct cart_expiry_batch {
    int seen;                     /* stale carts looked at */
    int removed;                  /* carts removed, with their lines */
    int kept;                     /* kept for an order in flight, or changed meanwhile */
    bool done;                    /* no stale cart after these: the cursor went back to the start */
};

/*
 * Removes up to limit (1 to CART_EXPIRY_BATCH_MAX) carts not updated for days
 * (1 to CART_EXPIRY_DAYS_MAX) days, from the cursor on, in one transaction;
 * advances the cursor. SHOP_ERR_INVALID for a limit or days out of range.
 */
int cart_expiry_run(struct db *db, struct arena *arena, int days, int limit, struct cart_expiry_cursor *cursor,
                    struct cart_expiry_batch *batch);

#endif

/*
 * cart.h - the one rule every writer of a shopper's cart follows.
 *
 * Cart changes (fcgi-apps/cart.c), checkout (fcgi-apps/orders.c) and the worker
 * clearing ordered items (worker/process.c) each first lock the shopper's carts
 * row, inside their transaction. So they run one after another for one shopper,
 * and each sees the cart as the others left it.
 */
#ifndef SHOP_CART_H
#define SHOP_CART_H

#include "arena.h"
#include "db.h"

/* Locks (creating it if needed) the carts row of user_id until the transaction ends. */
int cart_lock(struct db *db, struct arena *arena, const char *user_id);

/*
 * Locks the carts rows of every shopper in users_json (a JSON array of user
 * ids), in user id order, so two callers locking overlapping sets cannot
 * deadlock each other.
 */
int cart_lock_many(struct db *db, struct arena *arena, const char *users_json);

#endif

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

#endif

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

#define CART_MAX_LINES 50
#define CART_MAX_QUANTITY 99

/* Locks (creating it if needed) the carts row of user_id until the transaction ends. */
int cart_lock(struct db *db, struct arena *arena, const char *user_id);

/*
 * Locks the carts rows of every shopper in users_json (a JSON array of user
 * ids), in user id order, so two callers locking overlapping sets cannot
 * deadlock each other.
 */
int cart_lock_many(struct db *db, struct arena *arena, const char *users_json);

/*
 * Moves the cart of from_user into to_user's (a sign-in), inside the caller's
 * transaction: both locked first; a product in both gets the sum, within
 * CART_MAX_QUANTITY and the stock (never below what to_user had); a product
 * only in from_user's cart is added if it is for sale and in stock, while
 * to_user's cart has fewer than CART_MAX_LINES lines. from_user's cart ends empty.
 */
int cart_merge(struct db *db, struct arena *arena, const char *from_user, const char *to_user);

#endif

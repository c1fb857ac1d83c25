/*
 * cart.h - the one rule every writer of a shopper's cart follows.
 *
 * Cart changes (fcgi-apps/cart.c), checkout (fcgi-apps/orders.c) and the worker
 * clearing ordered items (worker/process.c) each first lock the shopper's carts
 * row, inside their transaction. So they run one after another for one shopper,
 * and each sees the cart as the others left it.
 *
 * It also owns the cart's limits and its one JSON shape (GET /api/cart, and the
 * new cart a checkout refused with cart_changed carries).
 */
#ifndef SHOP_CART_H
#define SHOP_CART_H

#include <json-c/json.h>

#include "arena.h"
#include "db.h"

#define CART_MAX_LINES 50          /* different products in one cart */
#define CART_MAX_QUANTITY 99       /* of one product in one line */

/* Locks (creating it if needed) the carts row of user_id until the transaction ends. */
int cart_lock(struct db *db, struct arena *arena, const char *user_id);

/*
 * Locks the carts rows of every shopper in users_json (a JSON array of user
 * ids), in user id order, so two callers locking overlapping sets cannot
 * deadlock each other.
 */
int cart_lock_many(struct db *db, struct arena *arena, const char *users_json);

/*
 * The cart of user_id as the API shows it, priced live from the products table:
 * {"items":[{"productId","name","imageUrl","unitPriceCents","quantity",
 * "lineTotalCents","stock"}],"itemCount","totalCents","currency"}. A line priced in
 * another currency is left out (it is not for sale). *out is a new object the
 * caller puts. SHOP_ERR_INTERNAL when a total leaves the money bounds,
 * SHOP_ERR_NOMEM, or db_exec's errors.
 */
int cart_to_json(struct db *db, struct arena *arena, const char *user_id, struct json_object **out);

/*
 * Moves the cart of from_user into to_user's (a sign-in), inside the caller's
 * transaction: both locked first; a product in both gets the sum, within
 * CART_MAX_QUANTITY and the stock (never below what to_user had); a product
 * only in from_user's cart is added if it is for sale and in stock, while
 * to_user's cart has fewer than CART_MAX_LINES lines. from_user's cart ends empty.
 */
int cart_merge(struct db *db, struct arena *arena, const char *from_user, const char *to_user);

#endif

/*
 * stock.h - putting an order's goods back on the shelf.
 *
 * Checkout takes stock in its transaction; an order that is cancelled (by the
 * shopper, or discarded from the dead letters) or whose payment was declined
 * gives it back. Callers make that happen once: they call this only in the
 * transaction whose conditional status update changed the order's row.
 */
#ifndef SHOP_STOCK_H
#define SHOP_STOCK_H

#include "arena.h"
#include "db.h"

/* Adds every line's quantity of order_id back to its product's stock. */
int stock_return_order(struct db *db, struct arena *arena, const char *order_id);

#endif

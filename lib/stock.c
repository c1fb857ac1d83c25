/*
 * stock.c - returning an order's stock (see stock.h).
 */
#include "stock.h"

static const char SQL_RETURN_STOCK[] =
    "UPDATE products p JOIN order_items i ON i.product_id = p.id"
    " SET p.stock = p.stock + i.quantity WHERE i.order_id = ?";

int stock_return_order(struct db *db, struct arena *arena, const char *order_id)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};

    return db_exec(db, arena, SQL_RETURN_STOCK, id, 1, NULL);
}

/*
 * cart.c - the per-shopper cart lock (see cart.h).
 */
#include "cart.h"

static const char SQL_LOCK_CART[] =
    "INSERT INTO carts (user_id) VALUES (?) ON DUPLICATE KEY UPDATE updated_at = CURRENT_TIMESTAMP(3)";

int cart_lock(struct db *db, struct arena *arena, const char *user_id)
{
    const struct db_param user[] = {DB_PARAM_TEXT(user_id)};

    return db_exec(db, arena, SQL_LOCK_CART, user, 1, NULL);
}

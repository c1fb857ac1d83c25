/*
 * cart.c - the per-shopper cart lock (see cart.h).
 */
#include "cart.h"

static const char SQL_LOCK_CART[] =
    "INSERT INTO carts (user_id) VALUES (?) ON DUPLICATE KEY UPDATE updated_at = CURRENT_TIMESTAMP(3)";

static const char SQL_LOCK_CARTS[] =
    "INSERT INTO carts (user_id)"
    " SELECT DISTINCT uid FROM JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u"
    " ORDER BY uid ON DUPLICATE KEY UPDATE updated_at = CURRENT_TIMESTAMP(3)";

int cart_lock(struct db *db, struct arena *arena, const char *user_id)
{
    const struct db_param user[] = {DB_PARAM_TEXT(user_id)};

    return db_exec(db, arena, SQL_LOCK_CART, user, 1, NULL);
}

int cart_lock_many(struct db *db, struct arena *arena, const char *users_json)
{
    const struct db_param users[] = {DB_PARAM_TEXT(users_json)};

    return db_exec(db, arena, SQL_LOCK_CARTS, users, 1, NULL);
}

/*
 * cart.c - the per-shopper cart lock (see cart.h).
 */
#include "cart.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "money.h"

static const char SQL_LOCK_CART[] =
    "INSERT INTO carts (user_id) VALUES (?) ON DUPLICATE KEY UPDATE updated_at = CURRENT_TIMESTAMP(3)";

static const char SQL_LOCK_CARTS[] =
    "INSERT INTO carts (user_id)"
    " SELECT DISTINCT uid FROM JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u"
    " ORDER BY uid ON DUPLICATE KEY UPDATE updated_at = CURRENT_TIMESTAMP(3)";

static const char SQL_MERGE_SHARED[] =
    "UPDATE cart_items t JOIN cart_items f ON f.user_id = ? AND f.product_id = t.product_id"
    " JOIN products p ON p.id = t.product_id"
    " SET t.quantity = GREATEST(t.quantity, LEAST(t.quantity + f.quantity, ?, p.stock)) WHERE t.user_id = ?";
static const char SQL_COUNT_LINES[] = "SELECT COUNT(*) FROM cart_items WHERE user_id = ?";
static const char SQL_MERGE_NEW[] =
    "INSERT INTO cart_items (user_id, product_id, quantity)"
    " SELECT ?, f.product_id, LEAST(f.quantity, ?, p.stock) FROM cart_items f"
    " JOIN products p ON p.id = f.product_id AND p.active = 1 AND p.stock > 0 AND p.currency = ?"
    " WHERE f.user_id = ? AND NOT EXISTS"
    " (SELECT 1 FROM cart_items t WHERE t.user_id = ? AND t.product_id = f.product_id)"
    " ORDER BY f.added_at, f.product_id LIMIT ?";
static const char SQL_EMPTY[] = "DELETE FROM cart_items WHERE user_id = ?";

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

int cart_merge(struct db *db, struct arena *arena, const char *from_user, const char *to_user)
{
    char users[2 * 40];
    const struct db_param shared[] = {DB_PARAM_TEXT(from_user), DB_PARAM_INT(CART_MAX_QUANTITY), DB_PARAM_TEXT(to_user)};
    const struct db_param to[] = {DB_PARAM_TEXT(to_user)};
    const struct db_param from[] = {DB_PARAM_TEXT(from_user)};
    struct db_result lines;
    long long room;
    int rc;

    if (strcmp(from_user, to_user) == 0)
        return SHOP_OK;
    snprintf(users, sizeof(users), "[\"%s\",\"%s\"]", from_user, to_user);
    if ((rc = cart_lock_many(db, arena, users)) != SHOP_OK ||
        (rc = db_exec(db, arena, SQL_MERGE_SHARED, shared, 3, NULL)) != SHOP_OK ||
        (rc = db_exec(db, arena, SQL_COUNT_LINES, to, 1, &lines)) != SHOP_OK)
        return rc;
    room = CART_MAX_LINES - db_result_int(&lines, 0, 0);
    if (room > 0) {
        const struct db_param add[] = {DB_PARAM_TEXT(to_user), DB_PARAM_INT(CART_MAX_QUANTITY),
                                       DB_PARAM_TEXT(money_currency()), DB_PARAM_TEXT(from_user),
                                       DB_PARAM_TEXT(to_user), DB_PARAM_INT(room)};
        if ((rc = db_exec(db, arena, SQL_MERGE_NEW, add, 6, NULL)) != SHOP_OK)
            return rc;
    }
    return db_exec(db, arena, SQL_EMPTY, from, 1, NULL);
}

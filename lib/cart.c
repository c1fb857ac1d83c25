/*
 * cart.c - the per-shopper cart lock, the cart's JSON and the merge at sign-in (see cart.h).
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

/* A line whose product is priced in another currency is not shown or summed: it is not for sale. */
static const char SQL_CART_LINES[] =
    "SELECT c.product_id, p.name, p.image_url, p.price_cents, c.quantity, p.stock"
    " FROM cart_items c JOIN products p ON p.id = c.product_id AND p.currency = ?"
    " WHERE c.user_id = ? ORDER BY c.added_at, c.product_id";

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

int cart_to_json(struct db *db, struct arena *arena, const char *user_id, struct json_object **out)
{
    const struct db_param params[] = {DB_PARAM_TEXT(money_currency()), DB_PARAM_TEXT(user_id)};
    struct json_object *body, *items;
    struct db_result lines;
    long long item_count = 0, total = 0, line_total;
    int rc, i;

    *out = NULL;
    if ((rc = db_exec(db, arena, SQL_CART_LINES, params, 2, &lines)) != SHOP_OK)
        return rc;
    body = json_object_new_object();
    items = json_object_new_array();
    if (body == NULL || items == NULL) {
        json_object_put(body);
        json_object_put(items);
        return SHOP_ERR_NOMEM;
    }
    json_object_object_add(body, "items", items);
    for (i = 0; i < lines.rows; i++) {
        long long unit = db_result_int(&lines, i, 3), quantity = db_result_int(&lines, i, 4);
        struct json_object *line = json_object_new_object();

        if (line == NULL || money_line_total(unit, quantity, &line_total) != SHOP_OK ||
            money_add(&total, line_total) != SHOP_OK) {
            json_object_put(line);
            json_object_put(body);
            return line == NULL ? SHOP_ERR_NOMEM : SHOP_ERR_INTERNAL;
        }
        item_count += quantity;
        json_object_object_add(line, "productId", json_object_new_string(db_result_text(&lines, i, 0)));
        json_object_object_add(line, "name", json_object_new_string(db_result_text(&lines, i, 1)));
        json_object_object_add(line, "imageUrl", json_object_new_string(db_result_text(&lines, i, 2)));
        json_object_object_add(line, "unitPriceCents", json_object_new_int64(unit));
        json_object_object_add(line, "quantity", json_object_new_int64(quantity));
        json_object_object_add(line, "lineTotalCents", json_object_new_int64(line_total));
        /* So the storefront's quantity box can stop at what can be bought. */
        json_object_object_add(line, "stock", json_object_new_int64(db_result_int(&lines, i, 5)));
        json_object_array_add(items, line);
    }
    json_object_object_add(body, "itemCount", json_object_new_int64(item_count));
    json_object_object_add(body, "totalCents", json_object_new_int64(total));
    json_object_object_add(body, "currency", json_object_new_string(money_currency()));
    *out = body;
    return SHOP_OK;
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

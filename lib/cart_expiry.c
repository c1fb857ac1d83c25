/*
 * cart_expiry.c - abandoned carts, a batch at a time (see cart_expiry.h).
 */
#include "cart_expiry.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "json.h"
#include "order.h"

#define CART_EXPIRY_START "1970-01-01 00:00:00"

/* Oldest first from the cursor, on carts_by_age (updated_at, then the primary key). */
static const char SQL_STALE[] =
    "SELECT user_id, DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM carts"
    " WHERE updated_at < CURRENT_TIMESTAMP(3) - INTERVAL ? DAY"
    "  AND (updated_at > ? OR (updated_at = ? AND user_id > ?))"
    " ORDER BY updated_at, user_id LIMIT ?";
/* The age again, on the locked rows: a cart changed since it was listed stays. */
static const char SQL_DELETE_CARTS[] =
    "DELETE FROM carts WHERE user_id IN (SELECT uid FROM"
    "  JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u)"
    " AND updated_at < CURRENT_TIMESTAMP(3) - INTERVAL ? DAY RETURNING user_id";
static const char SQL_DELETE_LINES[] =
    "DELETE i FROM cart_items i"
    " JOIN JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u ON i.user_id = u.uid";

/* The transaction: the idle carts still stale, and their lines. */
struct cart_expiry_delete {
    struct arena *arena;
    const char *users_json;
    int days;
    int removed;
};

static int cart_expiry_delete_body(struct db *db, void *arg)
{
    struct cart_expiry_delete *d = arg;
    const struct db_param carts[] = {DB_PARAM_TEXT(d->users_json), DB_PARAM_INT(d->days)};
    struct db_result deleted;
    const char **ids, *ids_json;
    int rc, i;

    d->removed = 0;
    if ((rc = db_exec(db, d->arena, SQL_DELETE_CARTS, carts, 2, &deleted)) != SHOP_OK || deleted.rows == 0)
        return rc;
    if ((ids = arena_alloc(d->arena, sizeof(*ids) * (size_t)deleted.rows)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < deleted.rows; i++)
        ids[i] = db_result_text(&deleted, i, 0);
    if ((ids_json = json_string_list(d->arena, ids, deleted.rows)) == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param lines[] = {DB_PARAM_TEXT(ids_json)};
    if ((rc = db_exec(db, d->arena, SQL_DELETE_LINES, lines, 1, NULL)) != SHOP_OK)
        return rc;
    d->removed = deleted.rows;
    return SHOP_OK;
}

/* True when user is one of rows' first column. */
static bool cart_expiry_busy(const struct db_result *busy, const char *user)
{
    int i;

    for (i = 0; i < busy->rows; i++) {
        if (strcmp(db_result_text(busy, i, 0), user) == 0)
            return true;
    }
    return false;
}

/* The ids of stale (rows) that no order in flight needs, as a JSON list; *idle counts them. */
static int cart_expiry_idle(struct db *db, struct arena *arena, const struct db_result *stale, const char **idle_json,
                            int *idle)
{
    const char **users = arena_alloc(arena, sizeof(*users) * (size_t)stale->rows);
    const char *users_json;
    struct db_result busy;
    int rc, i;

    *idle = 0;
    if (users == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < stale->rows; i++)
        users[i] = db_result_text(stale, i, 0);
    if ((users_json = json_string_list(arena, users, stale->rows)) == NULL)
        return SHOP_ERR_NOMEM;
    if ((rc = order_list_busy_shoppers(db, arena, users_json, &busy)) != SHOP_OK)
        return rc;
    for (i = 0; i < stale->rows; i++) {
        if (!cart_expiry_busy(&busy, db_result_text(stale, i, 0)))
            users[(*idle)++] = db_result_text(stale, i, 0);
    }
    *idle_json = json_string_list(arena, users, *idle);
    return *idle_json != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

int cart_expiry_run(struct db *db, struct arena *arena, int days, int limit, struct cart_expiry_cursor *cursor,
                    struct cart_expiry_batch *batch)
{
    const char *from = cursor->updated_at[0] != '\0' ? cursor->updated_at : CART_EXPIRY_START;
    const struct db_param page[] = {DB_PARAM_INT(days), DB_PARAM_TEXT(from), DB_PARAM_TEXT(from),
                                    DB_PARAM_TEXT(cursor->user_id), DB_PARAM_INT(limit)};
    struct cart_expiry_delete work = {arena, NULL, days, 0};
    struct db_result stale;
    int rc, idle = 0;

    memset(batch, 0, sizeof(*batch));
    if (days < 1 || days > CART_EXPIRY_DAYS_MAX || limit < 1 || limit > CART_EXPIRY_BATCH_MAX)
        return SHOP_ERR_INVALID;
    if ((rc = db_exec(db, arena, SQL_STALE, page, 5, &stale)) != SHOP_OK)
        return rc;
    batch->seen = stale.rows;
    batch->done = stale.rows < limit;
    if (stale.rows > 0 && (rc = cart_expiry_idle(db, arena, &stale, &work.users_json, &idle)) != SHOP_OK)
        return rc;
    if (idle > 0 && (rc = db_transaction(db, cart_expiry_delete_body, &work)) != SHOP_OK)
        return rc;
    batch->removed = work.removed;
    batch->kept = stale.rows - work.removed;
    if (batch->done) {
        memset(cursor, 0, sizeof(*cursor));
    } else {
        snprintf(cursor->updated_at, sizeof(cursor->updated_at), "%s", db_result_text(&stale, stale.rows - 1, 1));
        snprintf(cursor->user_id, sizeof(cursor->user_id), "%s", db_result_text(&stale, stale.rows - 1, 0));
    }
    return SHOP_OK;
}

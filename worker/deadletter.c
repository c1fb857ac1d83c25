/*
 * deadletter.c - what an operator does with orders that failed for good.
 *
 * A FAILED order keeps its stock reserved, so it can be replayed: "replay" sets
 * it back to PENDING and queues it again; "discard" cancels it and returns its
 * stock. Each message is first moved into this process's processing list, so a
 * crash part way loses nothing (the lease recovery puts it back on the queue).
 */
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/stock.h"
#include "worker/deadletter.h"

static const char SQL_REOPEN_ORDER[] =
    "UPDATE orders SET status = 'PENDING', processing_started_at = NULL, last_error = NULL"
    " WHERE id = ? AND status = 'FAILED'";
static const char SQL_DISCARD_ORDER[] = "UPDATE orders SET status = 'CANCELLED' WHERE id = ? AND status = 'FAILED'";

static int deadletter_replay_one(struct worker *w, const char *order_id)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct json_object *message = json_object_new_object();
    const char *text;
    size_t len;
    int rc;

    if (message == NULL)
        return SHOP_ERR_NOMEM;
    rc = db_exec(w->db, &w->arena, SQL_REOPEN_ORDER, id, 1, NULL);
    if (rc == SHOP_OK) {
        json_object_object_add(message, "orderId", json_object_new_string(order_id));
        text = json_to_text(message, &len);
        rc = queue_push(w->queue, w->names.queue, text, len);
    }
    json_object_put(message);
    return rc;
}

static int deadletter_discard_one(struct worker *w, const char *order_id)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct db_result changed;
    int rc;

    if ((rc = db_begin(w->db)) != SHOP_OK)
        return rc;
    if ((rc = db_exec(w->db, &w->arena, SQL_DISCARD_ORDER, id, 1, &changed)) == SHOP_OK &&
        changed.affected_rows == 1)
        rc = stock_return_order(w->db, &w->arena, order_id);
    if (rc == SHOP_OK)
        rc = db_commit(w->db);
    if (rc != SHOP_OK)
        db_rollback(w->db);
    return rc;
}

int deadletter_run(struct worker *w, const char *action)
{
    int (*apply)(struct worker *, const char *) = NULL;
    char message[QUEUE_MAX_MESSAGE];
    size_t len;
    int rc, count = 0;

    if (strcmp(action, "replay") == 0)
        apply = deadletter_replay_one;
    else if (strcmp(action, "discard") == 0)
        apply = deadletter_discard_one;
    else
        return SHOP_ERR_INVALID;
    queue_lease(w->queue, w->lease, (int)w->lease_seconds);
    while ((rc = queue_move(w->queue, w->names.dead, w->processing, message, sizeof(message), &len)) == SHOP_OK) {
        struct json_object *parsed = NULL;
        const char *found = NULL;
        char order_id[48] = "(malformed message dropped)";

        if (json_parse_object(message, len, &parsed) == SHOP_OK &&
            json_get_string(parsed, "orderId", 1, 40, &found) == SHOP_OK) {
            snprintf(order_id, sizeof(order_id), "%s", found);
            rc = apply(w, order_id);
        }
        json_object_put(parsed); /* found dies with it; order_id is a copy */
        if (rc != SHOP_OK)
            break; /* the message stays in the processing list; the lease brings it back */
        queue_remove(w->queue, w->processing, message, len);
        printf("%s %s\n", action, order_id);
        count++;
        arena_reset(&w->arena);
    }
    queue_unlease(w->queue, w->lease);
    fprintf(stderr, "%s: %d dead letter(s)\n", action, count);
    return rc == SHOP_ERR_NOT_FOUND ? SHOP_OK : rc;
}

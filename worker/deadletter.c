/*
 * deadletter.c - what an operator does with orders that failed for good.
 *
 * A failed order keeps its stock reserved, so it can be replayed: "replay"
 * sets it back to pending (lib/order: with its enqueue mark, so the sweeper
 * queues it if the push below is lost) and queues it again; "discard" cancels
 * it and returns its stock.
 *
 * Each dead letter is first moved (atomically) into this process's own
 * dead-processing list, and leaves it only when its order was handled. If the
 * order could not be handled (MariaDB away) the letter goes back onto the
 * dead list; if this process dies, the lease recovery puts it back onto the
 * dead list too, never onto the live queue (where a failed order would be
 * skipped and its letter lost).
 */
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/order.h"
#include "worker/deadletter.h"

static int deadletter_replay_one(struct worker *w, const struct order_message *letter)
{
    struct order_message message = {.attempt = 1};
    char text[QUEUE_MAX_MESSAGE];
    size_t len;
    bool reopened;
    int rc;

    if ((rc = order_reopen(w->db, &w->arena, letter->order_id, &reopened)) != SHOP_OK || !reopened)
        return rc;
    snprintf(message.order_id, sizeof(message.order_id), "%s", letter->order_id);
    snprintf(message.email, sizeof(message.email), "%s", letter->email);
    if (order_message_encode(&message, text, sizeof(text), &len) == SHOP_OK &&
        queue_push(w->queue, w->names.queue, text, len) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=replay_push_deferred order=%s", letter->order_id);
    return SHOP_OK; /* reopened with its enqueue mark: the sweeper queues it if the push failed */
}

static int deadletter_discard_one(struct worker *w, const struct order_message *letter)
{
    return order_discard(w->db, &w->arena, letter->order_id, NULL);
}

/* Handles the letter now in the dead-processing list; SHOP_OK when it may be removed. */
static int deadletter_handle(struct worker *w, int (*apply)(struct worker *, const struct order_message *),
                             const char *text, size_t len, const char *action)
{
    struct order_message letter;
    int rc;

    if (order_message_decode(text, len, &letter) != SHOP_OK) {
        printf("%s (malformed message dropped)\n", action);
        return SHOP_OK;
    }
    if ((rc = apply(w, &letter)) == SHOP_OK)
        printf("%s %s\n", action, letter.order_id);
    return rc;
}

int deadletter_run(struct worker *w, const char *action)
{
    int (*apply)(struct worker *, const struct order_message *) = NULL;
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
    while ((rc = queue_move(w->queue, w->names.dead, w->dead_processing, message, sizeof(message), &len)) == SHOP_OK) {
        if ((rc = deadletter_handle(w, apply, message, len, action)) != SHOP_OK) {
            /* Back where it came from (the oldest end), so it is neither lost nor sent to the live queue. */
            fprintf(stderr, "%s: stopped: %s; the dead letter stays\n", action, shop_err_code(rc));
            if (queue_move_end(w->queue, w->dead_processing, QUEUE_LEFT, w->names.dead, QUEUE_RIGHT) != SHOP_OK)
                fprintf(stderr, "%s: the letter waits in %s until the lease recovery returns it\n", action,
                        w->dead_processing);
            break;
        }
        queue_remove(w->queue, w->dead_processing, message, len);
        count++;
        arena_reset(&w->arena);
    }
    queue_unlease(w->queue, w->lease);
    fprintf(stderr, "%s: %d dead letter(s)\n", action, count);
    return rc == SHOP_ERR_NOT_FOUND ? SHOP_OK : rc;
}

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
 * dead list too, never onto the live queue. A letter no order can be read
 * from (malformed, or too long) is kept whole in <queue>:dead:unreadable for a
 * person, so it never blocks the tool. A charged order is never discarded
 * (replay finishes it).
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

/*
 * Handles the letter now in the dead-processing list. SHOP_OK: it may be
 * removed. SHOP_ERR_INVALID: no order can be read from it (kept aside for a
 * person). Anything else: its order could not be handled now.
 */
static int deadletter_handle(struct worker *w, int (*apply)(struct worker *, const struct order_message *),
                             const char *text, size_t len, const char *action)
{
    struct order_message letter;
    int rc;

    if (order_message_decode(text, len, &letter) != SHOP_OK)
        return SHOP_ERR_INVALID;
    if ((rc = apply(w, &letter)) == SHOP_OK)
        printf("%s %s\n", action, letter.order_id);
    else if (rc == SHOP_ERR_CONFLICT)
        fprintf(stderr, "%s: %s was charged: replay it so it is finished\n", action, letter.order_id);
    return rc;
}

/* Moves the letter in hand from the dead-processing list to end of to; says so when that fails. */
static void deadletter_put(struct worker *w, const char *to, enum queue_end end, const char *action)
{
    if (queue_move_end(w->queue, w->dead_processing, QUEUE_LEFT, to, end) != SHOP_OK)
        fprintf(stderr, "%s: the letter waits in %s until the lease recovery returns it\n", action, w->dead_processing);
}

int deadletter_run(struct worker *w, const char *action)
{
    int (*apply)(struct worker *, const struct order_message *) = NULL;
    char message[QUEUE_MAX_MESSAGE];
    long long letters = 0, seen;
    size_t len;
    int rc, count = 0, unreadable = 0;

    if (strcmp(action, "replay") == 0)
        apply = deadletter_replay_one;
    else if (strcmp(action, "discard") == 0)
        apply = deadletter_discard_one;
    else
        return SHOP_ERR_INVALID;
    /* The letters there now, once each: one put back (a charged order) is not met again. */
    if ((rc = queue_length(w->queue, w->names.dead, &letters)) != SHOP_OK)
        return rc;
    for (seen = 0, rc = SHOP_OK; seen < letters && rc == SHOP_OK; seen++) {
        queue_lease(w->queue, w->lease, (int)w->lease_seconds);
        rc = queue_move(w->queue, w->names.dead, w->dead_processing, message, sizeof(message), &len);
        if (rc == SHOP_OK)
            rc = deadletter_handle(w, apply, message, len, action);
        if (rc == SHOP_OK) {
            queue_remove(w->queue, w->dead_processing, message, len);
            count++;
        } else if (rc == SHOP_ERR_INVALID || rc == SHOP_ERR_TOO_LARGE) {
            /* Not an order message (or too long to read): kept whole for a person, out of the way. */
            deadletter_put(w, w->names.unreadable, QUEUE_LEFT, action);
            unreadable++;
            rc = SHOP_OK;
        } else if (rc == SHOP_ERR_CONFLICT) {
            deadletter_put(w, w->names.dead, QUEUE_LEFT, action); /* stays a dead letter; the others go on */
            rc = SHOP_OK;
        } else if (rc != SHOP_ERR_NOT_FOUND) {
            /* Back where it came from (the oldest end): neither lost nor sent to the live queue. */
            fprintf(stderr, "%s: stopped: %s; the dead letter stays\n", action, shop_err_code(rc));
            deadletter_put(w, w->names.dead, QUEUE_RIGHT, action);
        }
        arena_reset(&w->arena);
    }
    queue_unlease(w->queue, w->lease);
    fprintf(stderr, "%s: %d dead letter(s)", action, count);
    if (unreadable > 0)
        fprintf(stderr, "; %d unreadable, kept in %s", unreadable, w->names.unreadable);
    fprintf(stderr, "\n");
    return rc == SHOP_ERR_NOT_FOUND ? SHOP_OK : rc;
}

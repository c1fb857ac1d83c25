/*
 * upkeep.c - the worker's housekeeping, each chore when it is due.
 *
 * - Renew this worker's lease, so others know it is alive.
 * - Move retries that are due from the retry set back onto the queue (one
 *   atomic script: a crash cannot lose one between the set and the list).
 * - Recover orphans: messages in processing lists whose worker's lease expired.
 * - Re-drive this worker's own processing list: between batches it must be
 *   empty, so anything there is a message whose acknowledgement or
 *   reschedule failed (Redis or MariaDB was away); it goes back on the queue.
 * - Fold pending interest events into the recommendation aggregates, batch
 *   after batch while there are many, for at most UPKEEP_AGGREGATE_FOR_MS.
 * - Sweep (lib/order's list): queue again the orders still marked for the
 *   queue whose last push is older than worker_sweep_after_ms (Redis was
 *   down, lost the push in a crash, or a retry's message was lost), and the
 *   orders whose claim expired (their worker died). Each push is recorded
 *   first with a conditional update, so two sweeping workers do not both push
 *   one order; a duplicate would be harmless anyway. Right after Redis comes
 *   back the sweep runs at once, batch after batch.
 * - Try again the confirmations that could not be delivered, and send the
 *   e-mails queued for the worker (mail.c).
 * - With SMTP, relay the e-mails others left in the outbox (outbox.c).
 * - Expire abandoned carts (lib/cart_expiry): every UPKEEP_CARTS_EVERY_MS,
 *   one small batch of carts nobody changed for cart_ttl_days, so a big
 *   backlog drains slowly beside the orders rather than in one long delete.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/cart_expiry.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/order.h"
#include "worker/aggregate.h"
#include "worker/outbox.h"
#include "worker/steps.h"
#include "worker/upkeep.h"

#define UPKEEP_RELEASE_EVERY_MS 250
#define UPKEEP_RELEASE_BATCH 100
#define UPKEEP_REDRIVE_EVERY_MS 1000
#define UPKEEP_SWEEP_BATCH 100
#define UPKEEP_SWEEP_FOR_MS 200         /* then orders get their turn again */
#define UPKEEP_AGGREGATE_EVERY_MS 200
#define UPKEEP_AGGREGATE_FOR_MS 50      /* then orders get their turn again */
#define UPKEEP_CARTS_EVERY_MS 60000
#define UPKEEP_CARTS_BATCH 100

/* Pushes one swept order (row i); false when Redis is away. */
static bool upkeep_push(struct worker *w, const struct db_result *rows, int i)
{
    struct order_message message = {.attempt = 1};
    char text[QUEUE_MAX_MESSAGE];
    size_t len;
    bool mine = false;

    if (order_record_push(w->db, &w->arena, rows, i, &mine) != SHOP_OK || !mine)
        return true; /* another worker pushes it, or MariaDB is away: a later sweep */
    snprintf(message.order_id, sizeof(message.order_id), "%s", db_result_text(rows, i, 0));
    snprintf(message.email, sizeof(message.email), "%s", db_result_text(rows, i, 1));
    if (order_message_encode(&message, text, sizeof(text), &len) != SHOP_OK)
        return true;
    return queue_push(w->queue, w->names.queue, text, len) == SHOP_OK;
}

static void upkeep_sweep(struct worker *w)
{
    long long until = worker_now_ms() + UPKEEP_SWEEP_FOR_MS;
    struct db_result rows;
    int i, queued = 0;

    do {
        if (order_list_unqueued(w->db, &w->arena, w->sweep_after_ms, UPKEEP_SWEEP_BATCH, &rows) != SHOP_OK)
            break;
        for (i = 0; i < rows.rows; i++) {
            if (!upkeep_push(w, &rows, i))
                goto done; /* Redis is still away: the orders stay marked for a later sweep */
            queued++;
        }
        arena_reset(&w->arena);
    } while (rows.rows >= UPKEEP_SWEEP_BATCH && worker_now_ms() < until && !worker_stopping);
done:
    if (queued > 0)
        log_event(LOG_LEVEL_INFO, NULL, "event=sweeper_queued orders=%d", queued);
}

/* Between batches this worker's processing list is empty unless an acknowledgement or reschedule failed. */
static void upkeep_redrive(struct worker *w)
{
    int moved = 0;

    if (queue_drain(w->queue, w->processing, w->names.queue, &moved) == SHOP_OK && moved > 0)
        log_event(LOG_LEVEL_WARN, NULL, "event=processing_redriven worker=%s messages=%d", w->id, moved);
}

static void upkeep_aggregate(struct worker *w)
{
    long long until = worker_now_ms() + UPKEEP_AGGREGATE_FOR_MS;
    int aggregated;

    do {
        if (interest_aggregate(w->db, &w->arena, &aggregated) != SHOP_OK)
            return;
        arena_reset(&w->arena);
    } while (aggregated == INTEREST_AGGREGATE_BATCH && worker_now_ms() < until && !worker_stopping);
}

static void upkeep_expire_carts(struct worker *w)
{
    struct cart_expiry_batch batch;

    if (cart_expiry_run(w->db, &w->arena, (int)w->cart_ttl_days, UPKEEP_CARTS_BATCH, &w->cart_cursor, &batch) !=
        SHOP_OK)
        return;
    if (batch.removed > 0)
        log_event(LOG_LEVEL_INFO, NULL, "event=carts_expired carts=%d kept=%d", batch.removed, batch.kept);
    /* More to go: the next batch soon, still one at a time between batches of orders. */
    if (!batch.done)
        w->due.carts = worker_now_ms() + UPKEEP_CARTS_EVERY_MS / 60;
}

void worker_upkeep(struct worker *w)
{
    long long now = worker_now_ms();
    int moved = 0;

    worker_renew_lease(w);
    if (now >= w->due.release) {
        w->due.release = now + UPKEEP_RELEASE_EVERY_MS;
        queue_release_due(w->queue, w->names.retry, w->names.queue, now, UPKEEP_RELEASE_BATCH, NULL);
    }
    if (now >= w->due.recover) {
        w->due.recover = now + (w->lease_seconds * 500 > 1000 ? w->lease_seconds * 500 : 1000);
        if (queue_recover_orphans(w->queue, &w->names, &moved) == SHOP_OK && moved > 0)
            log_event(LOG_LEVEL_WARN, NULL, "event=orphans_recovered messages=%d", moved);
    }
    if (now >= w->due.redrive) {
        w->due.redrive = now + UPKEEP_REDRIVE_EVERY_MS;
        upkeep_redrive(w);
    }
    if (now >= w->due.aggregate) {
        w->due.aggregate = now + UPKEEP_AGGREGATE_EVERY_MS;
        upkeep_aggregate(w);
    }
    if (now >= w->due.sweep) {
        w->due.sweep = now + w->sweep_interval_ms;
        upkeep_sweep(w);
    }
    mail_resend_due(w);
    outbox_relay_due(w);
    if (now >= w->due.carts) {
        w->due.carts = now + UPKEEP_CARTS_EVERY_MS;
        upkeep_expire_carts(w);
    }
    arena_reset(&w->arena);
}

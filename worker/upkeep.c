/*
 * upkeep.c - the worker's housekeeping, each chore when it is due.
 *
 * - Renew this worker's lease, so others know it is alive.
 * - Move retries that are due from the retry set back onto the queue.
 * - Recover orphans: messages in processing lists whose worker's lease expired.
 * - Fold pending interest events into the recommendation aggregates, batch
 *   after batch while there are many, for at most UPKEEP_AGGREGATE_FOR_MS.
 * - Sweep: queue again the orders no worker has claimed (still enqueue_pending)
 *   whose last push is older than worker_sweep_after_ms: Redis was down, lost
 *   the push in a crash, or the responder died between commit and push. Each
 *   push is recorded (enqueued_at) with a conditional update first, so two
 *   sweeping workers do not both push one order; a duplicate would be harmless.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "worker/worker.h"

#define UPKEEP_RELEASE_EVERY_MS 250
#define UPKEEP_RELEASE_BATCH 100
#define UPKEEP_SWEEP_BATCH 100
#define UPKEEP_AGGREGATE_EVERY_MS 200
#define UPKEEP_AGGREGATE_FOR_MS 50      /* then orders get their turn again */

static const char SQL_MARKED_ORDERS[] =
    "SELECT id, email, enqueued_at FROM orders"
    " WHERE enqueue_pending = 1 AND enqueued_at < NOW(3) - INTERVAL ? * 1000 MICROSECOND"
    " ORDER BY enqueued_at LIMIT 100";
static const char SQL_RECORD_PUSH[] =
    "UPDATE orders SET enqueued_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND enqueue_pending = 1 AND enqueued_at = ?";

long long worker_now_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

static void upkeep_sweep(struct worker *w)
{
    const struct db_param age[] = {DB_PARAM_INT(w->sweep_after_ms)};
    struct db_result marked, taken;
    int i, queued = 0;

    if (db_exec(w->db, &w->arena, SQL_MARKED_ORDERS, age, 1, &marked) != SHOP_OK)
        return;
    for (i = 0; i < marked.rows; i++) {
        const struct db_param push[] = {DB_PARAM_TEXT(db_result_text(&marked, i, 0)),
                                        DB_PARAM_TEXT(db_result_text(&marked, i, 2))};
        struct json_object *message;
        const char *text;
        size_t len;
        int rc;

        if (db_exec(w->db, &w->arena, SQL_RECORD_PUSH, push, 2, &taken) != SHOP_OK || taken.affected_rows != 1)
            continue; /* another worker pushed it just now */
        if ((message = json_object_new_object()) == NULL)
            return;
        json_object_object_add(message, "orderId", json_object_new_string(db_result_text(&marked, i, 0)));
        json_object_object_add(message, "userEmail", json_object_new_string(db_result_text(&marked, i, 1)));
        text = json_to_text(message, &len);
        rc = queue_push(w->queue, w->names.queue, text, len);
        json_object_put(message);
        if (rc != SHOP_OK)
            return; /* Redis is still away: the order stays marked for a later sweep */
        queued++;
    }
    if (queued > 0)
        log_event(LOG_LEVEL_INFO, NULL, "event=sweeper_queued orders=%d", queued);
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

void worker_renew_lease(struct worker *w)
{
    long long now = worker_now_ms();

    if (now >= w->due.lease && queue_lease(w->queue, w->lease, (int)w->lease_seconds) == SHOP_OK)
        w->due.lease = now + w->lease_seconds * 1000 / 3;
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
    if (now >= w->due.aggregate) {
        w->due.aggregate = now + UPKEEP_AGGREGATE_EVERY_MS;
        upkeep_aggregate(w);
    }
    if (now >= w->due.sweep) {
        w->due.sweep = now + w->sweep_interval_ms;
        upkeep_sweep(w);
    }
    arena_reset(&w->arena);
}

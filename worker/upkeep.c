/*
 * upkeep.c - the worker's housekeeping, each chore when it is due.
 *
 * - Renew this worker's lease, so others know it is alive.
 * - Move retries that are due from the retry set back onto the queue.
 * - Recover orphans: messages in processing lists whose worker's lease expired.
 * - Sweep: queue orders still marked enqueue_pending a moment after checkout
 *   (Redis was down, or the responder died between commit and push). The mark
 *   is cleared before the push and restored if the push fails, so two sweeping
 *   workers do not both queue one order; a duplicate would be harmless anyway.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "worker/worker.h"

#define UPKEEP_RELEASE_EVERY_MS 250
#define UPKEEP_RELEASE_BATCH 100
#define UPKEEP_SWEEP_BATCH 100

static const char SQL_MARKED_ORDERS[] =
    "SELECT id, email FROM orders WHERE enqueue_pending = 1 AND created_at < NOW(3) - INTERVAL 1 SECOND"
    " ORDER BY created_at LIMIT 100";
static const char SQL_TAKE_MARK[] = "UPDATE orders SET enqueue_pending = 0 WHERE id = ? AND enqueue_pending = 1";
static const char SQL_RESTORE_MARK[] = "UPDATE orders SET enqueue_pending = 1 WHERE id = ?";

long long worker_now_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

static void upkeep_sweep(struct worker *w)
{
    struct db_result marked, taken;
    int i, queued = 0;

    if (db_exec(w->db, &w->arena, SQL_MARKED_ORDERS, NULL, 0, &marked) != SHOP_OK)
        return;
    for (i = 0; i < marked.rows; i++) {
        const struct db_param id[] = {DB_PARAM_TEXT(db_result_text(&marked, i, 0))};
        struct json_object *message;
        const char *text;
        size_t len;
        int rc;

        if (db_exec(w->db, &w->arena, SQL_TAKE_MARK, id, 1, &taken) != SHOP_OK || taken.affected_rows != 1)
            continue; /* another worker took it */
        if ((message = json_object_new_object()) == NULL)
            return;
        json_object_object_add(message, "orderId", json_object_new_string(db_result_text(&marked, i, 0)));
        json_object_object_add(message, "userEmail", json_object_new_string(db_result_text(&marked, i, 1)));
        text = json_to_text(message, &len);
        rc = queue_push(w->queue, w->names.queue, text, len);
        json_object_put(message);
        if (rc != SHOP_OK) {
            db_exec(w->db, &w->arena, SQL_RESTORE_MARK, id, 1, NULL);
            return; /* Redis is still away: try again next sweep */
        }
        queued++;
    }
    if (queued > 0)
        log_event(LOG_LEVEL_INFO, NULL, "event=sweeper_queued orders=%d", queued);
}

void worker_upkeep(struct worker *w)
{
    long long now = worker_now_ms();
    int moved = 0;

    if (now >= w->due.lease && queue_lease(w->queue, w->lease, (int)w->lease_seconds) == SHOP_OK)
        w->due.lease = now + w->lease_seconds * 1000 / 3;
    if (now >= w->due.release) {
        w->due.release = now + UPKEEP_RELEASE_EVERY_MS;
        queue_release_due(w->queue, w->names.retry, w->names.queue, now, UPKEEP_RELEASE_BATCH, NULL);
    }
    if (now >= w->due.recover) {
        w->due.recover = now + (w->lease_seconds * 500 > 1000 ? w->lease_seconds * 500 : 1000);
        if (queue_recover_orphans(w->queue, &w->names, &moved) == SHOP_OK && moved > 0)
            log_event(LOG_LEVEL_WARN, NULL, "event=orphans_recovered messages=%d", moved);
    }
    if (now >= w->due.sweep) {
        w->due.sweep = now + w->sweep_interval_ms;
        upkeep_sweep(w);
    }
    arena_reset(&w->arena);
}

/*
 * process.c - a batch of order messages, each from pending to processed or
 * payment failed.
 *
 * The steps run for the whole batch at once: decode the messages and load
 * their orders (one SELECT), claim them (lib/order: one UPDATE and the list of
 * the orders this worker now holds), charge (payment.c), send the
 * confirmations (mail.c), and make them processed in one transaction
 * (order_mark_processed). With durable commits an order used to cost four
 * fsyncs of its own; now a batch shares them. An order that fails a step
 * leaves the batch alone (worker_order_end) and is retried on its own.
 *
 * Only the orders the claim really took go on to the charge: an order
 * cancelled after it was loaded, or held by another worker (a duplicate
 * message), is acknowledged and left alone. Every step may run again (a
 * duplicate message, a retry, a worker that died half way), so every step is
 * idempotent: the charge and the e-mail are each recorded once under the
 * order id, and each final status is a conditional update by the holder.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/email.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/order.h"
#include "worker/process.h"
#include "worker/steps.h"

/* The batch: its messages decoded, the distinct orders they name, and which order each message is. */
struct process_batch {
    struct worker_message *messages;
    int count;
    const char **message_ids;     /* per message; NULL for a malformed one */
    struct worker_order *orders;
    int order_count;
    int *order_of;                /* per message: index into orders, or -1 */
};

/*
 * Decodes every message; a malformed one is dead. Returns the distinct order
 * ids as a JSON list in *ids_json (NULL when there are none).
 */
static int process_decode(struct worker *w, struct process_batch *b, const char **ids_json)
{
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)b->count);
    struct order_message message;
    int i, k, distinct = 0;

    *ids_json = NULL;
    if (ids == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < b->count; i++) {
        bool seen = false;
        b->order_of[i] = -1;
        b->messages[i].outcome = WORKER_DONE;
        b->messages[i].error = NULL;
        b->message_ids[i] = NULL;
        if (order_message_decode(b->messages[i].text, b->messages[i].len, &message) != SHOP_OK) {
            b->messages[i].outcome = WORKER_DEAD;
            b->messages[i].error = "malformed message";
            continue;
        }
        if ((b->message_ids[i] = arena_strdup(&w->arena, message.order_id)) == NULL)
            return SHOP_ERR_NOMEM;
        for (k = 0; k < distinct && !seen; k++)
            seen = strcmp(ids[k], b->message_ids[i]) == 0;
        if (!seen)
            ids[distinct++] = b->message_ids[i];
    }
    if (distinct > 0 && (*ids_json = json_string_list(&w->arena, ids, distinct)) == NULL)
        return SHOP_ERR_NOMEM;
    return SHOP_OK;
}

/*
 * Loads the batch's orders, each open while pending, and maps each message to
 * its order: the first copy of an order does the work; another copy, an
 * unknown order or one no longer pending is simply done.
 */
static int process_load(struct worker *w, struct process_batch *b)
{
    bool *taken;
    const char *ids_json;
    int i, k, rc;

    if ((rc = process_decode(w, b, &ids_json)) != SHOP_OK || ids_json == NULL)
        return rc;
    if ((rc = worker_load_orders(w, ids_json, &b->orders, &b->order_count)) != SHOP_OK)
        return rc;
    if ((taken = arena_alloc(&w->arena, sizeof(*taken) * (size_t)(b->order_count + 1))) == NULL)
        return SHOP_ERR_NOMEM;
    for (k = 0; k < b->order_count; k++) {
        struct worker_order *order = &b->orders[k];
        enum order_status status;
        taken[k] = false;
        if (order->open)
            continue;
        log_event(LOG_LEVEL_INFO, NULL, "event=order_skipped order=%s status=%s", order->id, order->status);
        /* A FAILED order's message belongs among the dead letters: one that got back here (its burial was
         * lost with Redis, or the worker died in between) goes back, so replay and discard still find it. */
        if (order_status_parse(order->status, &status) == SHOP_OK && status == ORDER_FAILED)
            worker_order_end(order, WORKER_DEAD, order->last_error != NULL ? order->last_error : "failed");
    }
    for (i = 0; i < b->count; i++) {
        for (k = 0; b->message_ids[i] != NULL && k < b->order_count && b->order_of[i] < 0; k++) {
            if (!taken[k] && strcmp(b->orders[k].id, b->message_ids[i]) == 0) {
                b->order_of[i] = k;
                taken[k] = true;
            }
        }
    }
    return SHOP_OK;
}

/* Claims the open orders; those the claim did not take (cancelled, or held by another worker) are done. */
static int process_claim(struct worker *w, struct worker_order *orders, int count)
{
    struct db_result claimed;
    int open, i, k, rc;
    const char *ids_json = worker_open_ids(w, orders, count, &open);

    if (ids_json == NULL)
        return SHOP_ERR_NOMEM;
    if (open == 0)
        return SHOP_OK;
    if ((rc = order_claim(w->db, &w->arena, ids_json, w->id, w->lease_seconds, &claimed)) != SHOP_OK)
        return rc;
    w->held_json = ids_json; /* renewed with the lease: those not taken simply do not match */
    for (i = 0; i < count; i++) {
        bool held = false;
        for (k = 0; orders[i].open && k < claimed.rows && !held; k++)
            held = strcmp(orders[i].id, db_result_text(&claimed, k, 0)) == 0;
        if (orders[i].open && !held) {
            log_event(LOG_LEVEL_INFO, NULL, "event=order_not_claimed order=%s", orders[i].id);
            worker_order_end(&orders[i], WORKER_DONE, NULL);
        }
    }
    return SHOP_OK;
}

/* The declined ones end as payment failed, each on its own (rare, and each returns its own stock). */
static void process_declined(struct worker *w, struct worker_order *orders, int count)
{
    int i, rc;

    for (i = 0; i < count; i++) {
        if (!orders[i].open || !orders[i].declined)
            continue;
        rc = order_mark_payment_failed(w->db, &w->arena, orders[i].id, w->id, NULL);
        if (rc == SHOP_OK)
            metrics_add(METRICS_ORDERS_PAYMENT_FAILED, 1);
        worker_order_end(&orders[i], rc == SHOP_OK ? WORKER_DONE : WORKER_RETRY,
                         rc == SHOP_OK ? NULL : worker_error(w, "payment failed status", shop_err_code(rc)));
    }
}

/* The final transaction for the open orders, recording the confirmations this attempt delivered. */
static void process_complete(struct worker *w, struct worker_order *orders, int count)
{
    const char **sent = arena_alloc(&w->arena, sizeof(*sent) * (size_t)count);
    const char *ids_json, *sent_json = NULL;
    struct mail_sent record;
    int open, mailed = 0, i, rc;

    if (sent == NULL || (ids_json = worker_open_ids(w, orders, count, &open)) == NULL) {
        worker_order_end_all(w, orders, count, "processed status", SHOP_ERR_NOMEM);
        return;
    }
    if (open == 0)
        return;
    for (i = 0; i < count; i++) {
        if (orders[i].open && orders[i].mailed)
            sent[mailed++] = orders[i].id;
    }
    if (mailed > 0 && (sent_json = json_string_list(&w->arena, sent, mailed)) == NULL) {
        rc = SHOP_ERR_NOMEM;
    } else {
        record = (struct mail_sent){&w->arena, sent_json, EMAIL_KIND_CONFIRMATION};
        rc = order_mark_processed(w->db, &w->arena, ids_json, w->id, sent_json != NULL ? mail_record_sent : NULL,
                                  &record, NULL);
    }
    if (rc == SHOP_OK)
        metrics_add(METRICS_ORDERS_PROCESSED, (unsigned long long)open);
    worker_order_end_all(w, orders, count, "processed status", rc);
}

/* The steps, in order; each only for the orders still open after the one before. */
static void process_orders(struct worker *w, struct worker_order *orders, int count)
{
    int rc;

    if ((rc = process_claim(w, orders, count)) != SHOP_OK) {
        worker_order_end_all(w, orders, count, "claim", rc);
        return;
    }
    if ((rc = payment_charge_batch(w, orders, count)) != SHOP_OK) {
        worker_order_end_all(w, orders, count, "payment ledger", rc);
        return;
    }
    process_declined(w, orders, count);
    if ((rc = mail_send_confirmations(w, orders, count)) != SHOP_OK) {
        worker_order_end_all(w, orders, count, "e-mail claim", rc);
        return;
    }
    process_complete(w, orders, count);
}

void worker_process_batch(struct worker *w, struct worker_message *messages, int count)
{
    struct process_batch b = {
        .messages = messages,
        .count = count,
        .message_ids = arena_alloc(&w->arena, sizeof(*b.message_ids) * (size_t)count),
        .order_of = arena_alloc(&w->arena, sizeof(*b.order_of) * (size_t)count),
    };
    int i, rc;

    rc = b.message_ids != NULL && b.order_of != NULL ? process_load(w, &b) : SHOP_ERR_NOMEM;
    if (rc != SHOP_OK) {
        const char *error = worker_error(w, "load", shop_err_code(rc));
        for (i = 0; i < count; i++) {
            if (messages[i].outcome != WORKER_DEAD) {
                messages[i].outcome = WORKER_RETRY;
                messages[i].error = error;
            }
        }
        return;
    }
    w->holding = true;
    process_orders(w, b.orders, b.order_count);
    w->holding = false;
    w->held_json = NULL;
    for (i = 0; i < count; i++) {
        if (b.order_of[i] >= 0) {
            messages[i].outcome = b.orders[b.order_of[i]].outcome;
            messages[i].error = b.orders[b.order_of[i]].error;
        }
    }
}

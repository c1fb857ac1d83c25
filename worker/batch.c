/*
 * batch.c - what every step of an order batch shares: loading the orders,
 * the set still open, ending an order, the lease that covers the batch.
 *
 * The lowest layer of the worker: it calls only libshop, so the steps
 * (payment.c, mail.c) and the pipeline (process.c) can all build on it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "worker/worker.h"

static const char SQL_GET_ORDERS[] =
    "SELECT o.id, o.user_id, o.status, o.email, o.shipping_name, o.shipping_address, o.shipping_city,"
    " o.shipping_postal_code, o.shipping_country, o.currency, o.total_cents, o.processing_started_at IS NOT NULL,"
    " o.last_error FROM " ORDER_SQL_IDS " JOIN orders o ON o.id = j.jid";

long long worker_now_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

const char *worker_error(struct worker *w, const char *step, const char *cause)
{
    const char *text = arena_printf(&w->arena, "%s: %s", step, cause);

    return text != NULL ? text : step;
}

void worker_order_end(struct worker_order *order, enum worker_outcome outcome, const char *error)
{
    order->open = false;
    order->outcome = outcome;
    order->error = error;
}

void worker_order_end_all(struct worker *w, struct worker_order *orders, int count, const char *step, int rc)
{
    const char *error = rc == SHOP_OK ? NULL : worker_error(w, step, shop_err_code(rc));
    int i;

    for (i = 0; i < count; i++) {
        if (orders[i].open)
            worker_order_end(&orders[i], rc == SHOP_OK ? WORKER_DONE : WORKER_RETRY, error);
    }
}

const char *worker_open_ids(struct worker *w, const struct worker_order *orders, int count, int *open)
{
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)(count > 0 ? count : 1));
    int i;

    *open = 0;
    if (ids == NULL)
        return NULL;
    for (i = 0; i < count; i++) {
        if (orders[i].open)
            ids[(*open)++] = orders[i].id;
    }
    return json_string_list(&w->arena, ids, *open);
}

int worker_load_orders(struct worker *w, const char *ids_json, struct worker_order **orders, int *count)
{
    const struct db_param list[] = {DB_PARAM_TEXT(ids_json)};
    struct db_result rows;
    enum order_status status;
    int rc, i;

    *count = 0;
    if ((rc = db_exec(w->db, &w->arena, SQL_GET_ORDERS, list, 1, &rows)) != SHOP_OK)
        return rc;
    if ((*orders = arena_alloc(&w->arena, sizeof(**orders) * (size_t)(rows.rows > 0 ? rows.rows : 1))) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows.rows; i++) {
        (*orders)[i] = (struct worker_order){
            .id = db_result_text(&rows, i, 0),
            .user_id = db_result_text(&rows, i, 1),
            .status = db_result_text(&rows, i, 2),
            .email = db_result_text(&rows, i, 3),
            .name = db_result_text(&rows, i, 4),
            .address = db_result_text(&rows, i, 5),
            .city = db_result_text(&rows, i, 6),
            .postal_code = db_result_text(&rows, i, 7),
            .country = db_result_text(&rows, i, 8),
            .currency = db_result_text(&rows, i, 9),
            .total_cents = db_result_int(&rows, i, 10),
            .attempted = db_result_int(&rows, i, 11) != 0,
            .last_error = db_result_text(&rows, i, 12),
            .outcome = WORKER_DONE,
        };
        (*orders)[i].open = order_status_parse((*orders)[i].status, &status) == SHOP_OK && status == ORDER_PENDING;
    }
    *count = rows.rows;
    return SHOP_OK;
}

void worker_renew_lease(struct worker *w)
{
    long long now = worker_now_ms();
    bool leased;

    if (now < w->due.lease)
        return;
    /* Listed: health counts the live workers in the roster (lib/queue.h). */
    leased = queue_lease_listed(w->queue, w->lease, (int)w->lease_seconds, w->names.workers, w->id) == SHOP_OK;
    /* The claims live in MariaDB: renewed even while Redis is away. */
    if (w->holding && w->held_json != NULL &&
        order_claim_renew(w->db, &w->arena, w->held_json, w->id, w->lease_seconds) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=claim_renew_failed worker=%s", w->id);
    if (leased)
        w->due.lease = now + w->lease_seconds * 1000 / 3;
}

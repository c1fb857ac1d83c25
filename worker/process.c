/*
 * process.c - a batch of order messages, each from PENDING to PROCESSED or
 * PAYMENT_FAILED.
 *
 * The steps run for the whole batch at once: load the orders (one SELECT),
 * claim them (one UPDATE), charge (payment.c), send the confirmations
 * (mail.c), and make them PROCESSED in one transaction that also takes the
 * ordered items out of the carts and records the purchases. With durable
 * commits an order used to cost four fsyncs of its own; now a batch shares
 * them. An order that fails a step leaves the batch alone (worker_order_end)
 * and is retried on its own, so one bad order never holds up the others.
 *
 * Every step may run again (a duplicate message, a retry, a worker that died
 * half way), so every step is idempotent: an order that is no longer PENDING
 * is skipped, the charge and the e-mail are each recorded once under the
 * order id (payment.c, mail.c), and each final status is set by a conditional
 * update "WHERE status = 'PENDING'", whose side effects (stock back, cart
 * cleared) apply only to the rows that update changed.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/cart.h"
#include "lib/err.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/stock.h"
#include "worker/worker.h"

static const char SQL_GET_ORDERS[] =
    "SELECT o.id, o.user_id, o.status, o.email, o.shipping_name, o.shipping_address, o.shipping_city,"
    " o.shipping_postal_code, o.shipping_country, o.currency, o.total_cents, o.processing_started_at IS NOT NULL"
    " FROM " WORKER_SQL_ORDER_IDS " JOIN orders o ON o.id = j.jid";
/* The claim also clears the enqueue mark: the orders are in a worker's hands now. */
static const char SQL_CLAIM_ORDERS[] =
    "UPDATE orders o JOIN " WORKER_SQL_ORDER_IDS " ON o.id = j.jid"
    " SET o.processing_started_at = CURRENT_TIMESTAMP(3), o.enqueue_pending = 0"
    " WHERE o.status = 'PENDING' AND o.processing_started_at IS NULL";
/* The final transaction: which of the orders are still PENDING, locked in id order. */
static const char SQL_LOCK_PENDING[] =
    "SELECT o.id, o.user_id FROM " WORKER_SQL_ORDER_IDS " JOIN orders o ON o.id = j.jid"
    " WHERE o.status = 'PENDING' ORDER BY o.id FOR UPDATE";
static const char SQL_SET_PROCESSED[] =
    "UPDATE orders o JOIN " WORKER_SQL_ORDER_IDS " ON o.id = j.jid"
    " SET o.status = 'PROCESSED', o.last_error = NULL WHERE o.status = 'PENDING'";
/* Summed per (shopper, product) first: a multi-table UPDATE changes a row once. */
static const char SQL_TAKE_ORDERED_FROM_CARTS[] =
    "UPDATE cart_items c JOIN (SELECT o.user_id, i.product_id, SUM(i.quantity) AS quantity"
    "  FROM " WORKER_SQL_ORDER_IDS " JOIN orders o ON o.id = j.jid JOIN order_items i ON i.order_id = o.id"
    "  GROUP BY o.user_id, i.product_id) t ON c.user_id = t.user_id AND c.product_id = t.product_id"
    " SET c.quantity = IF(c.quantity > t.quantity, c.quantity - t.quantity, 0)";
static const char SQL_DROP_EMPTY_LINES[] =
    "DELETE c FROM cart_items c"
    " JOIN JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u ON c.user_id = u.uid"
    " WHERE c.quantity = 0";
static const char SQL_EMAILS_SENT[] =
    "UPDATE emails e JOIN " WORKER_SQL_ORDER_IDS " ON e.order_id = j.jid"
    " SET e.sent_at = CURRENT_TIMESTAMP(3) WHERE e.sent_at IS NULL";
/* One order, for the rare endings: a declined card, or FAILED after the last attempt. */
static const char SQL_SET_FINAL_STATUS[] =
    "UPDATE orders SET status = ?, last_error = ? WHERE id = ? AND status = 'PENDING'";

#define ORDER_ID_MAX 40

void worker_order_end(struct worker_order *order, enum worker_outcome outcome, const char *error)
{
    order->open = false;
    order->outcome = outcome;
    order->error = error;
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

/* Ends every open order of the batch: done (rc SHOP_OK), or a step failed for all of them. */
static void process_end_all(struct worker_order *orders, int count, int rc)
{
    int i;

    for (i = 0; i < count; i++) {
        if (orders[i].open)
            worker_order_end(&orders[i], rc == SHOP_OK ? WORKER_DONE : WORKER_RETRY,
                             rc == SHOP_OK ? NULL : shop_err_code(rc));
    }
}

/*
 * The open orders' ids as a JSON list, or NULL when there is nothing to do:
 * none is open, or out of memory (then every open order is ended for a retry).
 */
static const char *process_open_ids(struct worker *w, struct worker_order *orders, int count)
{
    int open = 0;
    const char *ids_json = worker_open_ids(w, orders, count, &open);

    if (ids_json == NULL)
        process_end_all(orders, count, SHOP_ERR_NOMEM);
    return ids_json != NULL && open > 0 ? ids_json : NULL;
}

/* Fills order from row i of an SQL_GET_ORDERS result. */
static void process_order_from_row(struct worker_order *order, const struct db_result *rows, int i)
{
    *order = (struct worker_order){
        .id = db_result_text(rows, i, 0),
        .user_id = db_result_text(rows, i, 1),
        .status = db_result_text(rows, i, 2),
        .email = db_result_text(rows, i, 3),
        .name = db_result_text(rows, i, 4),
        .address = db_result_text(rows, i, 5),
        .city = db_result_text(rows, i, 6),
        .postal_code = db_result_text(rows, i, 7),
        .country = db_result_text(rows, i, 8),
        .currency = db_result_text(rows, i, 9),
        .total_cents = db_result_int(rows, i, 10),
        .attempted = db_result_int(rows, i, 11) != 0,
        .open = true,
        .outcome = WORKER_DONE,
    };
}

/*
 * In one transaction: PENDING becomes status for one order; when that changed
 * the row, a declined payment's stock goes back. (FAILED keeps its stock
 * reserved, so the order can be replayed.)
 */
static int process_finish_one(struct worker *w, const char *order_id, const char *status, const char *error)
{
    const struct db_param set[] = {DB_PARAM_TEXT(status), error != NULL ? DB_PARAM_TEXT(error) : DB_PARAM_NULL,
                                   DB_PARAM_TEXT(order_id)};
    struct db_result changed;
    int rc;

    if ((rc = db_begin(w->db)) != SHOP_OK)
        return rc;
    rc = db_exec(w->db, &w->arena, SQL_SET_FINAL_STATUS, set, 3, &changed);
    if (rc == SHOP_OK && changed.affected_rows == 1 && strcmp(status, "PAYMENT_FAILED") == 0)
        rc = stock_return_order(w->db, &w->arena, order_id);
    if (rc == SHOP_OK)
        rc = db_commit(w->db);
    if (rc != SHOP_OK) {
        db_rollback(w->db);
        return rc;
    }
    if (changed.affected_rows == 1)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=%s", order_id, status);
    return SHOP_OK;
}

int worker_fail_order(struct worker *w, const char *order_id, const char *error)
{
    return process_finish_one(w, order_id, "FAILED", error);
}

static int process_user_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The shoppers (distinct, sorted) and ids of the orders in rows (id, user_id)
 * as JSON lists; SHOP_ERR_NOMEM when out of memory.
 */
static int process_changed_lists(struct worker *w, const struct db_result *rows, const char **ids_json,
                                 const char **users_json)
{
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)rows->rows);
    const char **users = arena_alloc(&w->arena, sizeof(*users) * (size_t)rows->rows);
    int i, user_count = 0;

    if (ids == NULL || users == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows->rows; i++) {
        ids[i] = db_result_text(rows, i, 0);
        users[i] = db_result_text(rows, i, 1);
    }
    qsort(users, (size_t)rows->rows, sizeof(*users), process_user_compare);
    for (i = 0; i < rows->rows; i++) {
        if (user_count == 0 || strcmp(users[i], users[user_count - 1]) != 0)
            users[user_count++] = users[i];
    }
    *ids_json = json_string_list(&w->arena, ids, rows->rows);
    *users_json = json_string_list(&w->arena, users, user_count);
    return *ids_json != NULL && *users_json != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

/*
 * One attempt at the final transaction for the open orders (ids_json): those
 * still PENDING become PROCESSED, their items leave their shoppers' carts
 * (each cart locked first, as every cart writer does), their e-mails are
 * marked sent and their purchases recorded for the recommendations.
 */
static int process_complete_once(struct worker *w, const char *ids_json)
{
    const struct db_param ids[] = {DB_PARAM_TEXT(ids_json)};
    struct db_result pending = {0};
    const char *changed_json = NULL, *users_json = NULL;
    int rc, i;

    if ((rc = db_begin(w->db)) != SHOP_OK)
        return rc;
    rc = db_exec(w->db, &w->arena, SQL_LOCK_PENDING, ids, 1, &pending);
    if (rc == SHOP_OK && pending.rows > 0)
        rc = process_changed_lists(w, &pending, &changed_json, &users_json);
    if (rc == SHOP_OK && pending.rows > 0) {
        const struct db_param changed[] = {DB_PARAM_TEXT(changed_json)};
        const struct db_param carts[] = {DB_PARAM_TEXT(users_json)};
        if ((rc = db_exec(w->db, &w->arena, SQL_SET_PROCESSED, changed, 1, NULL)) == SHOP_OK &&
            (rc = cart_lock_many(w->db, &w->arena, users_json)) == SHOP_OK &&
            (rc = db_exec(w->db, &w->arena, SQL_TAKE_ORDERED_FROM_CARTS, changed, 1, NULL)) == SHOP_OK &&
            (rc = db_exec(w->db, &w->arena, SQL_DROP_EMPTY_LINES, carts, 1, NULL)) == SHOP_OK &&
            (rc = db_exec(w->db, &w->arena, SQL_EMAILS_SENT, changed, 1, NULL)) == SHOP_OK)
            rc = interest_record_purchases(w->db, &w->arena, changed_json);
    }
    if (rc == SHOP_OK)
        rc = db_commit(w->db);
    if (rc != SHOP_OK) {
        db_rollback(w->db);
        return rc;
    }
    for (i = 0; i < pending.rows; i++)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=PROCESSED", db_result_text(&pending, i, 0));
    return SHOP_OK;
}

/* The final transaction, tried again when it deadlocked with a cart change or checkout. */
static void process_complete(struct worker *w, struct worker_order *orders, int count)
{
    int rc = SHOP_ERR_RETRY, attempt;
    const char *ids_json = process_open_ids(w, orders, count);

    if (ids_json == NULL)
        return;
    for (attempt = 0; attempt < DB_TRANSACTION_ATTEMPTS && rc == SHOP_ERR_RETRY; attempt++) {
        if (attempt > 0)
            db_retry_pause(attempt - 1);
        rc = process_complete_once(w, ids_json);
    }
    process_end_all(orders, count, rc);
}

/* The order id of a queue message, or NULL when the message is malformed. */
static const char *process_order_id(struct worker *w, const char *message)
{
    struct json_object *parsed = NULL;
    const char *id = NULL, *copy = NULL;

    if (json_parse_object(message, strlen(message), &parsed) == SHOP_OK &&
        json_get_string(parsed, "orderId", 1, ORDER_ID_MAX, &id) == SHOP_OK && strncmp(id, "order-", 6) == 0)
        copy = arena_strdup(&w->arena, id);
    json_object_put(parsed);
    return copy;
}

/*
 * Loads the batch's orders: (*orders)[k] for each distinct, well-formed order
 * id, open when it is PENDING, and order_of[m], the order of message m or -1.
 * Sets the outcome of the messages that need no work: malformed (dead), a
 * second copy in the batch, an unknown order or one no longer PENDING (done).
 */
static int process_load(struct worker *w, struct worker_message *messages, int count, struct worker_order **orders,
                        int *order_count, int *order_of)
{
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)count);
    const char **message_ids = arena_alloc(&w->arena, sizeof(*message_ids) * (size_t)count);
    const char *ids_json;
    bool *taken;
    struct db_result rows;
    int i, k, distinct = 0, rc;

    *order_count = 0;
    if (ids == NULL || message_ids == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < count; i++) {
        bool seen = false;
        order_of[i] = -1;
        messages[i].outcome = WORKER_DONE;
        messages[i].error = NULL;
        if ((message_ids[i] = process_order_id(w, messages[i].text)) == NULL) {
            messages[i].outcome = WORKER_DEAD;
            messages[i].error = "malformed message";
            continue;
        }
        for (k = 0; k < distinct && !seen; k++)
            seen = strcmp(ids[k], message_ids[i]) == 0;
        if (!seen)
            ids[distinct++] = message_ids[i];
    }
    if (distinct == 0)
        return SHOP_OK;
    if ((ids_json = json_string_list(&w->arena, ids, distinct)) == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param list[] = {DB_PARAM_TEXT(ids_json)};
    if ((rc = db_exec(w->db, &w->arena, SQL_GET_ORDERS, list, 1, &rows)) != SHOP_OK)
        return rc;
    *orders = arena_alloc(&w->arena, sizeof(**orders) * (size_t)(rows.rows > 0 ? rows.rows : 1));
    taken = arena_alloc(&w->arena, sizeof(*taken) * (size_t)(rows.rows > 0 ? rows.rows : 1));
    if (*orders == NULL || taken == NULL)
        return SHOP_ERR_NOMEM;
    for (k = 0; k < rows.rows; k++) {
        process_order_from_row(&(*orders)[k], &rows, k);
        taken[k] = false;
        if (strcmp((*orders)[k].status, "PENDING") != 0) {
            log_event(LOG_LEVEL_INFO, NULL, "event=order_skipped order=%s status=%s", (*orders)[k].id, (*orders)[k].status);
            worker_order_end(&(*orders)[k], WORKER_DONE, NULL);
        }
    }
    *order_count = rows.rows;
    for (i = 0; i < count; i++) {
        for (k = 0; message_ids[i] != NULL && k < rows.rows && order_of[i] < 0; k++) {
            if (!taken[k] && strcmp((*orders)[k].id, message_ids[i]) == 0) {
                order_of[i] = k; /* the first copy does the work; another copy is simply done */
                taken[k] = true;
            }
        }
    }
    return SHOP_OK;
}

/* The declined ones become PAYMENT_FAILED, each on its own (rare, and each returns its own stock). */
static void process_declined(struct worker *w, struct worker_order *orders, int count)
{
    int i, rc;

    for (i = 0; i < count; i++) {
        if (!orders[i].open || !orders[i].declined)
            continue;
        rc = process_finish_one(w, orders[i].id, "PAYMENT_FAILED", "card declined");
        worker_order_end(&orders[i], rc == SHOP_OK ? WORKER_DONE : WORKER_RETRY, rc == SHOP_OK ? NULL : shop_err_code(rc));
    }
}

/* The steps, in order; each only for the orders still open after the one before. */
static void process_orders(struct worker *w, struct worker_order *orders, int count)
{
    int rc;
    const char *ids_json = process_open_ids(w, orders, count);

    if (ids_json == NULL)
        return;
    /* From here on the shoppers can no longer cancel: a charge may follow. */
    const struct db_param ids[] = {DB_PARAM_TEXT(ids_json)};
    if ((rc = db_exec(w->db, &w->arena, SQL_CLAIM_ORDERS, ids, 1, NULL)) != SHOP_OK ||
        (rc = payment_charge_batch(w, orders, count)) != SHOP_OK) {
        process_end_all(orders, count, rc);
        return;
    }
    process_declined(w, orders, count);
    if ((rc = mail_send_confirmations(w, orders, count)) != SHOP_OK) {
        process_end_all(orders, count, rc);
        return;
    }
    process_complete(w, orders, count);
}

void worker_process_batch(struct worker *w, struct worker_message *messages, int count)
{
    struct worker_order *orders = NULL;
    int *order_of = arena_alloc(&w->arena, sizeof(*order_of) * (size_t)count);
    int i, order_count = 0, rc;

    rc = order_of != NULL ? process_load(w, messages, count, &orders, &order_count, order_of) : SHOP_ERR_NOMEM;
    if (rc != SHOP_OK) {
        for (i = 0; i < count; i++) {
            if (messages[i].outcome != WORKER_DEAD) {
                messages[i].outcome = WORKER_RETRY;
                messages[i].error = shop_err_code(rc);
            }
        }
        return;
    }
    process_orders(w, orders, order_count);
    for (i = 0; i < count; i++) {
        if (order_of[i] >= 0) {
            messages[i].outcome = orders[order_of[i]].outcome;
            messages[i].error = orders[order_of[i]].error;
        }
    }
}

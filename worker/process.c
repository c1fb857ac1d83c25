/*
 * process.c - one order message, from PENDING to PROCESSED or PAYMENT_FAILED.
 *
 * Every step may run again (a duplicate message, a retry, a worker that died
 * half way), so every step is idempotent: an order that is no longer PENDING is
 * skipped, the charge and the e-mail are each recorded once under the order id
 * (payment.c, mail.c), and each final status is set by a conditional update
 * "WHERE status = 'PENDING'", whose side effects (stock back, cart cleared) run
 * only when that update changed the row.
 */
#include <string.h>

#include "lib/cart.h"
#include "lib/err.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/stock.h"
#include "worker/worker.h"

static const char SQL_GET_ORDER[] =
    "SELECT id, user_id, status, email, shipping_name, shipping_address, shipping_city, shipping_postal_code,"
    " shipping_country, currency, total_cents, processing_started_at IS NOT NULL FROM orders WHERE id = ?";
/* The claim also clears the enqueue mark: the order is in a worker's hands now. */
static const char SQL_CLAIM_ORDER[] =
    "UPDATE orders SET processing_started_at = CURRENT_TIMESTAMP(3), enqueue_pending = 0"
    " WHERE id = ? AND status = 'PENDING' AND processing_started_at IS NULL";
static const char SQL_SET_FINAL_STATUS[] =
    "UPDATE orders SET status = ?, last_error = ? WHERE id = ? AND status = 'PENDING'";
static const char SQL_TAKE_ORDERED_FROM_CART[] =
    "UPDATE cart_items c JOIN order_items i ON i.product_id = c.product_id AND i.order_id = ?"
    " SET c.quantity = IF(c.quantity > i.quantity, c.quantity - i.quantity, 0) WHERE c.user_id = ?";
static const char SQL_DROP_EMPTY_LINES[] = "DELETE FROM cart_items WHERE user_id = ? AND quantity = 0";
static const char SQL_EMAIL_SENT[] =
    "UPDATE emails SET sent_at = CURRENT_TIMESTAMP(3) WHERE order_id = ? AND sent_at IS NULL";
static const char SQL_ORDERED_PRODUCTS[] =
    "SELECT i.product_id, p.category FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = ?";

#define ORDER_ID_MAX 40

static int process_load(struct worker *w, const char *order_id, struct worker_order *order, bool *found)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct db_result rows;
    int rc = db_exec(w->db, &w->arena, SQL_GET_ORDER, id, 1, &rows);

    if (rc != SHOP_OK)
        return rc;
    *found = rows.rows == 1;
    if (!*found)
        return SHOP_OK;
    order->id = db_result_text(&rows, 0, 0);
    order->user_id = db_result_text(&rows, 0, 1);
    order->status = db_result_text(&rows, 0, 2);
    order->email = db_result_text(&rows, 0, 3);
    order->name = db_result_text(&rows, 0, 4);
    order->address = db_result_text(&rows, 0, 5);
    order->city = db_result_text(&rows, 0, 6);
    order->postal_code = db_result_text(&rows, 0, 7);
    order->country = db_result_text(&rows, 0, 8);
    order->currency = db_result_text(&rows, 0, 9);
    order->total_cents = db_result_int(&rows, 0, 10);
    order->attempted = db_result_int(&rows, 0, 11) != 0;
    return SHOP_OK;
}

/* Purchases feed the recommendations, in the transaction that makes the order PROCESSED. */
static int process_record_purchases(struct worker *w, const struct worker_order *order)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order->id)};
    struct db_result items;
    int rc, i;

    if ((rc = db_exec(w->db, &w->arena, SQL_ORDERED_PRODUCTS, id, 1, &items)) != SHOP_OK)
        return rc;
    for (i = 0; i < items.rows && rc == SHOP_OK; i++) {
        rc = interest_record(w->db, &w->arena, order->user_id, db_result_text(&items, i, 0),
                             db_result_text(&items, i, 1), INTEREST_PURCHASE);
        if (rc == SHOP_ERR_RATE_LIMITED)
            rc = SHOP_OK; /* a very busy buyer: the order matters, the statistics can wait */
    }
    return rc;
}

/*
 * In one transaction: PENDING becomes status; when that changed the row, the
 * follow-up runs too (stock back for a failed payment, the cart cleared for a
 * processed order, with its purchases recorded for the recommendations).
 */
static int process_finish(struct worker *w, const struct worker_order *order, const char *status, const char *error)
{
    const struct db_param set[] = {DB_PARAM_TEXT(status), error != NULL ? DB_PARAM_TEXT(error) : DB_PARAM_NULL,
                                   DB_PARAM_TEXT(order->id)};
    const struct db_param id[] = {DB_PARAM_TEXT(order->id)};
    const struct db_param user[] = {DB_PARAM_TEXT(order->user_id)};
    const struct db_param cart[] = {DB_PARAM_TEXT(order->id), DB_PARAM_TEXT(order->user_id)};
    struct db_result changed;
    int rc;

    if ((rc = db_begin(w->db)) != SHOP_OK)
        return rc;
    rc = db_exec(w->db, &w->arena, SQL_SET_FINAL_STATUS, set, 3, &changed);
    if (rc == SHOP_OK && changed.affected_rows == 1) {
        if (strcmp(status, "PROCESSED") == 0) {
            if ((rc = cart_lock(w->db, &w->arena, order->user_id)) == SHOP_OK &&
                (rc = db_exec(w->db, &w->arena, SQL_TAKE_ORDERED_FROM_CART, cart, 2, NULL)) == SHOP_OK &&
                (rc = db_exec(w->db, &w->arena, SQL_DROP_EMPTY_LINES, user, 1, NULL)) == SHOP_OK &&
                (rc = db_exec(w->db, &w->arena, SQL_EMAIL_SENT, id, 1, NULL)) == SHOP_OK)
                rc = process_record_purchases(w, order);
        } else if (strcmp(status, "PAYMENT_FAILED") == 0) {
            rc = stock_return_order(w->db, &w->arena, order->id);
        }
    }
    if (rc == SHOP_OK)
        rc = db_commit(w->db);
    if (rc != SHOP_OK) {
        db_rollback(w->db);
        return rc;
    }
    if (changed.affected_rows == 1)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=%s", order->id, status);
    return SHOP_OK;
}

int worker_fail_order(struct worker *w, const char *order_id, const char *error)
{
    struct worker_order order = {.id = order_id, .user_id = ""};

    return process_finish(w, &order, "FAILED", error);
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

enum worker_outcome worker_process(struct worker *w, const char *message, const char **error)
{
    const char *order_id = process_order_id(w, message);
    const struct db_param id[] = {DB_PARAM_TEXT(order_id != NULL ? order_id : "")};
    struct worker_order order;
    bool found = false, declined = false;
    int rc;

    *error = NULL;
    if (order_id == NULL) {
        *error = "malformed message";
        return WORKER_DEAD;
    }
    if ((rc = process_load(w, order_id, &order, &found)) != SHOP_OK)
        goto transient;
    if (!found || strcmp(order.status, "PENDING") != 0) {
        log_event(LOG_LEVEL_INFO, NULL, "event=order_skipped order=%s status=%s", order_id, found ? order.status : "unknown");
        return WORKER_DONE;
    }
    /* From here on the shopper can no longer cancel: a charge may follow. */
    if ((rc = db_exec(w->db, &w->arena, SQL_CLAIM_ORDER, id, 1, NULL)) != SHOP_OK ||
        (rc = payment_charge(w, &order, &declined)) != SHOP_OK)
        goto transient;
    if (declined) {
        if ((rc = process_finish(w, &order, "PAYMENT_FAILED", "card declined")) != SHOP_OK)
            goto transient;
        return WORKER_DONE;
    }
    if ((rc = mail_send_confirmation(w, &order)) != SHOP_OK ||
        (rc = process_finish(w, &order, "PROCESSED", NULL)) != SHOP_OK)
        goto transient;
    return WORKER_DONE;
transient:
    *error = shop_err_code(rc);
    return WORKER_RETRY;
}

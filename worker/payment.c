/*
 * payment.c - the simulated payment gateway.
 *
 * Deterministic where tests need it: an e-mail address containing "+decline"
 * is declined, every other charge succeeds. payment_latency_ms makes each call
 * slow and payment_failure_percent makes that share of calls fail transiently
 * (nothing charged, try again).
 *
 * The payments table is the gateway's ledger, keyed by order id: a charge is a
 * row, so whatever the number of attempts, workers or duplicate messages, an
 * order is charged at most once. A real gateway gets the order id as its
 * idempotency key for the same guarantee. A batch's charges are recorded with
 * one statement; where another worker's charge got there first, the ledger's
 * row stands and is read back.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "worker/steps.h"

static const char SQL_FIND_PAYMENTS[] =
    "SELECT p.order_id, p.outcome FROM " ORDER_SQL_IDS " JOIN payments p ON p.order_id = j.jid";
/* IGNORE: a charge already in the ledger (another worker's) stands; RETURNING names the rows this one added. */
static const char SQL_RECORD_PAYMENTS[] =
    "INSERT IGNORE INTO payments (order_id, outcome, amount_cents, currency, reference)"
    " SELECT jp, jo, ja, jc, jr FROM JSON_TABLE(?, '$[*]' COLUMNS ("
    "  jp VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]', jo VARCHAR(16) CHARACTER SET ascii PATH '$[1]',"
    "  ja BIGINT UNSIGNED PATH '$[2]', jc CHAR(3) CHARACTER SET ascii PATH '$[3]',"
    "  jr VARCHAR(64) CHARACTER SET ascii PATH '$[4]')) j"
    " RETURNING order_id";

/* Sleeps the whole time even through signals: the batch in hand is finished. */
static void payment_wait(long long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

static struct worker_order *payment_find_order(struct worker_order *orders, int count, const char *id)
{
    int i;

    for (i = 0; i < count; i++) {
        if (strcmp(orders[i].id, id) == 0)
            return &orders[i];
    }
    return NULL;
}

/*
 * The ledger's word on the orders in ids_json: each one found there is marked
 * charged (in *charged, when not NULL) and its declined flag set from it.
 */
static int payment_read_ledger(struct worker *w, struct worker_order *orders, int count, const char *ids_json,
                               bool *charged)
{
    const struct db_param ids[] = {DB_PARAM_TEXT(ids_json)};
    struct db_result rows;
    int rc = db_exec(w->db, &w->arena, SQL_FIND_PAYMENTS, ids, 1, &rows), i;

    for (i = 0; rc == SHOP_OK && i < rows.rows; i++) {
        struct worker_order *order = payment_find_order(orders, count, db_result_text(&rows, i, 0));
        if (order == NULL)
            continue;
        order->declined = strcmp(db_result_text(&rows, i, 1), "DECLINED") == 0;
        if (charged != NULL)
            charged[order - orders] = true;
    }
    return rc;
}

/* The simulated gateway: one charge; false for a transient failure (nothing charged). */
static bool payment_gateway_charge(struct worker *w, struct worker_order *order, char *reference, size_t size)
{
    unsigned char random[8];

    log_event(LOG_LEVEL_INFO, NULL, "event=payment_gateway_call order=%s", order->id);
    payment_wait(w->payment.latency_ms);
    if (w->payment.failure_percent > 0 && (long long)randombytes_uniform(100) < w->payment.failure_percent) {
        log_event(LOG_LEVEL_WARN, NULL, "event=payment_transient_failure order=%s", order->id);
        metrics_add(METRICS_PAYMENT_TRANSIENT_FAILURE, 1);
        return false;
    }
    order->declined = strstr(order->email, "+decline") != NULL;
    metrics_add(order->declined ? METRICS_PAYMENT_DECLINED : METRICS_PAYMENT_CHARGED, 1);
    randombytes_buf(random, sizeof(random));
    snprintf(reference, size, "sim_");
    sodium_bin2hex(reference + 4, size - 4, random, sizeof(random));
    return true;
}

/* A ledger row as JSON: [order id, outcome, amount, currency, reference]. */
static struct json_object *payment_row(const struct worker_order *order, const char *reference)
{
    struct json_object *row = json_object_new_array();

    if (row == NULL)
        return NULL;
    json_object_array_add(row, json_object_new_string(order->id));
    json_object_array_add(row, json_object_new_string(order->declined ? "DECLINED" : "CHARGED"));
    json_object_array_add(row, json_object_new_int64(order->total_cents));
    json_object_array_add(row, json_object_new_string(order->currency));
    json_object_array_add(row, json_object_new_string(reference));
    return row;
}

/* Logs the charges the ledger took from rows: those RETURNING named in added. */
static void payment_log_recorded(struct json_object *rows, const struct db_result *added)
{
    size_t i, n = json_object_array_length(rows);
    int k;

    for (k = 0; k < added->rows; k++) {
        for (i = 0; i < n; i++) {
            struct json_object *row = json_object_array_get_idx(rows, i);
            const char *id = json_object_get_string(json_object_array_get_idx(row, 0));
            if (strcmp(id, db_result_text(added, k, 0)) != 0)
                continue;
            log_event(LOG_LEVEL_INFO, NULL, "event=payment order=%s outcome=%s amount_cents=%lld reference=%s", id,
                      strcmp(json_object_get_string(json_object_array_get_idx(row, 1)), "DECLINED") == 0 ? "declined"
                                                                                                       : "charged",
                      (long long)json_object_get_int64(json_object_array_get_idx(row, 2)),
                      json_object_get_string(json_object_array_get_idx(row, 4)));
            break;
        }
    }
}

/*
 * Records the rows; an order another worker charged first keeps that charge
 * (read back from the ledger). An order charged now whose row is in the
 * ledger neither way (INSERT IGNORE skipped it for another reason) is ended
 * for a retry, never mailed or finished without its ledger row.
 */
static int payment_record(struct worker *w, struct worker_order *orders, int count, struct json_object *rows,
                          const char *ids_json)
{
    size_t len;
    const char *text = json_to_text(rows, &len);
    bool *in_ledger = arena_alloc(&w->arena, sizeof(*in_ledger) * (size_t)count);
    struct db_result added;
    int rc, i;

    if (text == NULL || in_ledger == NULL || (text = arena_strndup(&w->arena, text, len)) == NULL)
        return SHOP_ERR_NOMEM;
    const struct db_param list[] = {DB_PARAM_TEXT(text)};
    if ((rc = db_exec(w->db, &w->arena, SQL_RECORD_PAYMENTS, list, 1, &added)) != SHOP_OK)
        return rc;
    payment_log_recorded(rows, &added);
    if (added.rows == (int)json_object_array_length(rows))
        return SHOP_OK;
    for (i = 0; i < count; i++)
        in_ledger[i] = false;
    if ((rc = payment_read_ledger(w, orders, count, ids_json, in_ledger)) != SHOP_OK)
        return rc;
    for (i = 0; i < count; i++) {
        if (orders[i].open && !in_ledger[i] && strstr(ids_json, orders[i].id) != NULL) /* charged just now */
            worker_order_end(&orders[i], WORKER_RETRY, "payment ledger: charge not recorded");
    }
    return SHOP_OK;
}

int payment_charge_batch(struct worker *w, struct worker_order *orders, int count)
{
    bool *charged = arena_alloc(&w->arena, sizeof(*charged) * (size_t)count);
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)count);
    const char *attempted_json, *charging_json;
    struct json_object *rows = NULL;
    int i, attempted = 0, charging = 0, rc;

    if (charged == NULL || ids == NULL)
        return SHOP_ERR_NOMEM;
    /* A charge before (a retry, a duplicate message) would show as a conflict when
     * recorded; look first only for orders already tried, to spare the common case. */
    for (i = 0; i < count; i++) {
        charged[i] = false;
        if (orders[i].open && orders[i].attempted)
            ids[attempted++] = orders[i].id;
    }
    if (attempted > 0) {
        if ((attempted_json = json_string_list(&w->arena, ids, attempted)) == NULL)
            return SHOP_ERR_NOMEM;
        if ((rc = payment_read_ledger(w, orders, count, attempted_json, charged)) != SHOP_OK)
            return rc;
    }
    if ((rows = json_object_new_array()) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < count; i++) {
        char reference[32];
        struct json_object *row;
        if (!orders[i].open || charged[i])
            continue; /* charged (or refused) before: never again */
        worker_renew_lease(w);
        if (!payment_gateway_charge(w, &orders[i], reference, sizeof(reference))) {
            worker_order_end(&orders[i], WORKER_RETRY, "payment gateway: transient failure");
            continue;
        }
        if ((row = payment_row(&orders[i], reference)) == NULL || json_object_array_add(rows, row) != 0) {
            json_object_put(row);
            json_object_put(rows);
            return SHOP_ERR_NOMEM;
        }
        ids[charging++] = orders[i].id;
    }
    rc = SHOP_OK;
    if (charging > 0) {
        charging_json = json_string_list(&w->arena, ids, charging);
        rc = charging_json != NULL ? payment_record(w, orders, count, rows, charging_json) : SHOP_ERR_NOMEM;
    }
    json_object_put(rows);
    return rc;
}

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
 * idempotency key for the same guarantee.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/log.h"
#include "worker/worker.h"

static const char SQL_FIND_PAYMENT[] = "SELECT outcome FROM payments WHERE order_id = ?";
static const char SQL_RECORD_PAYMENT[] =
    "INSERT INTO payments (order_id, outcome, amount_cents, currency, reference) VALUES (?, ?, ?, ?, ?)";

/* Sleeps the whole time even through signals: the order in hand is finished. */
static void payment_wait(long long ms)
{
    struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

static int payment_recorded(struct worker *w, const char *order_id, bool *found, bool *declined)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct db_result rows;
    int rc = db_exec(w->db, &w->arena, SQL_FIND_PAYMENT, id, 1, &rows);

    if (rc != SHOP_OK)
        return rc;
    *found = rows.rows > 0;
    if (*found)
        *declined = strcmp(db_result_text(&rows, 0, 0), "DECLINED") == 0;
    return SHOP_OK;
}

int payment_charge(struct worker *w, const struct worker_order *order, bool *declined)
{
    unsigned char random[8];
    char reference[32] = "sim_";
    bool found = false;
    int rc;

    /* A charge before (a retry, a duplicate message) shows as a conflict below;
     * look first only when this order was already tried, to spare the common case. */
    if (order->attempted && ((rc = payment_recorded(w, order->id, &found, declined)) != SHOP_OK || found))
        return rc; /* charged (or refused) before: never again */
    payment_wait(w->payment.latency_ms);
    if (w->payment.failure_percent > 0 && (long long)randombytes_uniform(100) < w->payment.failure_percent) {
        log_event(LOG_LEVEL_WARN, NULL, "event=payment_transient_failure order=%s", order->id);
        return SHOP_ERR_UNAVAILABLE;
    }
    *declined = strstr(order->email, "+decline") != NULL;
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(reference + 4, sizeof(reference) - 4, random, sizeof(random));
    const struct db_param payment[] = {DB_PARAM_TEXT(order->id), DB_PARAM_TEXT(*declined ? "DECLINED" : "CHARGED"),
                                       DB_PARAM_INT(order->total_cents), DB_PARAM_TEXT(order->currency),
                                       DB_PARAM_TEXT(reference)};
    rc = db_exec(w->db, &w->arena, SQL_RECORD_PAYMENT, payment, 5, NULL);
    if (rc == SHOP_ERR_CONFLICT) /* another worker's charge got there first: it stands */
        return payment_recorded(w, order->id, &found, declined);
    if (rc == SHOP_OK)
        log_event(LOG_LEVEL_INFO, NULL, "event=payment order=%s outcome=%s amount_cents=%lld reference=%s", order->id,
                  *declined ? "declined" : "charged", order->total_cents, reference);
    return rc;
}

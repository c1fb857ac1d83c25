/*
 * payment.c - refunds on the simulated gateway's ledger (see payment.h).
 */
#include "payment.h"

#include <sodium.h>
#include <stdio.h>

#include "err.h"

#define PAYMENT_REFUND_PREFIX "sim_refund_"

/* The gateway's one refund: only a charge, only once. */
static const char SQL_REFUND[] =
    "UPDATE payments SET refunded_at = CURRENT_TIMESTAMP(3), refund_reference = ?"
    " WHERE order_id = ? AND outcome = 'CHARGED' AND refunded_at IS NULL";

int payment_refund(struct db *db, struct arena *arena, const char *order_id, char *reference)
{
    unsigned char random[8];
    char hex[sizeof(random) * 2 + 1];
    struct db_result result;
    int rc;

    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    snprintf(reference, PAYMENT_REFERENCE_MAX + 1, "%s%s", PAYMENT_REFUND_PREFIX, hex);
    const struct db_param params[] = {DB_PARAM_TEXT(reference), DB_PARAM_TEXT(order_id)};
    if ((rc = db_exec(db, arena, SQL_REFUND, params, 2, &result)) != SHOP_OK)
        return rc;
    return result.affected_rows == 1 ? SHOP_OK : SHOP_ERR_CONFLICT;
}

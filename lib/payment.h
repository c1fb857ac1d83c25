/*
 * payment.h - the simulated gateway's ledger, as far as more than the worker
 * uses it: refunds.
 *
 * The payments table holds one row per order that reached the gateway
 * (worker/payment.c writes the charges). A refund gives a charge back once:
 * it is one conditional update of that row (refunded_at still empty), so two
 * operators refunding at once, or one refunding twice, refund it once. A real
 * gateway gets the order id as its idempotency key for the same guarantee.
 */
#ifndef SHOP_PAYMENT_H
#define SHOP_PAYMENT_H

#include "arena.h"
#include "db.h"

#define PAYMENT_REFERENCE_MAX 64

/*
 * Refunds the charge of order_id inside the caller's transaction, writing the
 * gateway's refund reference into reference (PAYMENT_REFERENCE_MAX + 1
 * bytes). SHOP_ERR_CONFLICT when the ledger holds no charge of it that is
 * not refunded yet (the caller rolls back).
 */
int payment_refund(struct db *db, struct arena *arena, const char *order_id, char *reference);

#endif

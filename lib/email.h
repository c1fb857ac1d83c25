/*
 * email.h - the e-mails the shop sends a shopper, as rows of the emails table.
 *
 * One row per (order, kind): an e-mail of a kind is sent at most once per
 * order. The worker sends them (worker/mail.c, texts in worker/compose.c): a
 * confirmation as part of processing the order; every other kind is queued
 * here by the lib/order transition that decides it (a decline, a failure, a
 * cancel, a refund), in that transition's transaction, as a row due at once,
 * which the worker's e-mail round (next_attempt_at, claims, retries) picks up
 * and delivers like a confirmation it tries again.
 */
#ifndef SHOP_EMAIL_H
#define SHOP_EMAIL_H

#include "arena.h"
#include "db.h"

#define EMAIL_KIND_CONFIRMATION "confirmation"
#define EMAIL_KIND_REFUND "refund"
#define EMAIL_KIND_PAYMENT_FAILED "payment_failed"   /* the card was declined */
#define EMAIL_KIND_FAILED "failed"                   /* the order could not be completed */
#define EMAIL_KIND_CANCELLED "cancelled"

/*
 * Queues the e-mail kind of order_id for the worker, inside the caller's
 * transaction (so it is sent only if that commits). When the order has one of
 * that kind already, nothing changes: each kind is sent once per order.
 */
int email_queue(struct db *db, struct arena *arena, const char *order_id, const char *kind);

#endif

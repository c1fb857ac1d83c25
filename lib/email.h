/*
 * email.h - the e-mails the shop sends a shopper, as rows of the emails table.
 *
 * One row per (order, kind): an e-mail of a kind is sent at most once per
 * order. The worker sends them (worker/mail.c): a confirmation as part of
 * processing the order; any other kind is queued here by whoever decides it
 * (a refund, lib/order) as a row due at once, which the worker's e-mail round
 * (next_attempt_at, claims, retries) picks up and delivers like a
 * confirmation it tries again.
 */
#ifndef SHOP_EMAIL_H
#define SHOP_EMAIL_H

#include "arena.h"
#include "db.h"

#define EMAIL_KIND_CONFIRMATION "confirmation"
#define EMAIL_KIND_REFUND "refund"

/*
 * Queues the e-mail kind of order_id for the worker, inside the caller's
 * transaction (so it is sent only if that commits). SHOP_ERR_CONFLICT when
 * the order already has one of that kind.
 */
int email_queue(struct db *db, struct arena *arena, const char *order_id, const char *kind);

#endif

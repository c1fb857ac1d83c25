/*
 * steps.h - the two steps of an order that reach outside the shop: the charge
 * (payment.c) and the confirmation e-mail (mail.c). Each runs for the open
 * orders of a batch and is idempotent: its ledger row is keyed by the order.
 */
#ifndef SHOP_WORKER_STEPS_H
#define SHOP_WORKER_STEPS_H

#include <curl/curl.h>

#include "worker/compose.h"
#include "worker/worker.h"

/*
 * Charges each open order at most once, setting declined; an order whose
 * charge failed transiently is ended for a retry. An error return: the
 * ledger could not be read or written, and no open order may go on.
 */
int payment_charge_batch(struct worker *w, struct worker_order *orders, int count);

/*
 * Sends each open order's confirmation at most once (the spool or SMTP),
 * setting mailed for those delivered now. A delivery that failed does not
 * hold the order back: its e-mail is scheduled to be tried again on its own
 * (mail_resend_due). An error return: the e-mails could not be claimed, and
 * no open order may go on.
 */
int mail_send_confirmations(struct worker *w, struct worker_order *orders, int count);

/* The confirmations delivered (sent_json, a JSON list of order ids), to record as sent. */
struct mail_sent {
    struct arena *arena;
    const char *sent_json;
    const char *kind;             /* the emails row kind (lib/email) */
};

/* Records the deliveries of arg (a struct mail_sent): a db_transaction body, run in the order's final transaction. */
int mail_record_sent(struct db *db, void *arg);

/*
 * Sends text to address (bare, no brackets) through smtp_url, from mail_from's
 * address: SHOP_OK once the server accepted it, SHOP_ERR_UNAVAILABLE with
 * *result the cause (logged by the caller, who knows what it sent),
 * SHOP_ERR_NOMEM.
 */
int mail_smtp_send(struct worker *w, const char *address, struct mail_text *text, CURLcode *result);

/*
 * Housekeeping: sends the e-mails queued for the worker (a refund's, see
 * lib/email), tries again the confirmations whose time has come, and
 * records the failures an earlier call could not record (the database was
 * away). After mail_max_attempts a confirmation is given up (logged).
 */
void mail_resend_due(struct worker *w);

#endif

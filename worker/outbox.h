/*
 * outbox.h - relays the e-mails others leave in <mail_spool>/outbox/ by SMTP
 * (see outbox.c).
 */
#ifndef SHOP_WORKER_OUTBOX_H
#define SHOP_WORKER_OUTBOX_H

#include "worker/worker.h"

/*
 * With smtp_url set, at most once a second: claims up to a round's worth of
 * outbox files, sends each, deletes the sent, puts back those the server
 * did not take, moves aside those that can never be sent, and puts back a
 * dead worker's stale claims. Without smtp_url it does nothing.
 */
void outbox_relay_due(struct worker *w);

#endif

/*
 * compose.h - the e-mails the worker writes, one kind each (see compose.c).
 */
#ifndef SHOP_WORKER_COMPOSE_H
#define SHOP_WORKER_COMPOSE_H

#include "worker/worker.h"

/* A message being written, then sent (sent counts the bytes handed to SMTP). */
struct mail_text {
    char *data;
    size_t len, cap, sent;
};

/* One kind of e-mail: its emails row kind, its spool file name, its text. */
struct mail_kind {
    const char *name;             /* emails.kind (lib/email) */
    const char *spool_suffix;     /* the spool file is <order id><suffix> */
    /* Writes the RFC 5322 message for order; lines are the order lines (sorted by order id) of a batch. */
    int (*compose)(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                   struct mail_text *text);
};

extern const struct mail_kind mail_kind_confirmation;
extern const struct mail_kind mail_kind_refund;
extern const struct mail_kind mail_kind_payment_failed;
extern const struct mail_kind mail_kind_failed;
extern const struct mail_kind mail_kind_cancelled;

/* Every kind, for the e-mail rounds that send the queued ones and try them again. */
extern const struct mail_kind *const mail_kinds[];
#define MAIL_KIND_COUNT 5

#endif

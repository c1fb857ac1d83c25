/*
 * deadletter.h - replay or discard the dead-letter list (see deadletter.c).
 */
#ifndef SHOP_WORKER_DEADLETTER_H
#define SHOP_WORKER_DEADLETTER_H

#include "worker/worker.h"

/* action "replay" or "discard", applied to every dead letter; prints each order. */
int deadletter_run(struct worker *w, const char *action);

#endif

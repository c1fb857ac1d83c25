/*
 * process.h - a batch of order messages, each from pending to a final status
 * (see process.c).
 */
#ifndef SHOP_WORKER_PROCESS_H
#define SHOP_WORKER_PROCESS_H

#include "worker/worker.h"

/* Handles a batch of queue messages, setting each one's outcome. */
void worker_process_batch(struct worker *w, struct worker_message *messages, int count);

#endif

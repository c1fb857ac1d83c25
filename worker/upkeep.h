/*
 * upkeep.h - the worker's housekeeping between batches (see upkeep.c).
 */
#ifndef SHOP_WORKER_UPKEEP_H
#define SHOP_WORKER_UPKEEP_H

#include "worker/worker.h"

/*
 * Each chore when it is due: lease renewal, due retries, orphan recovery,
 * this worker's own stale processing entries, interest aggregation, the
 * sweeper, e-mail retries. Called only while no batch is in hand.
 */
void worker_upkeep(struct worker *w);

#endif

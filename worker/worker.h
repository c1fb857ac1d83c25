/*
 * worker.h - what the parts of the order worker share.
 *
 * One struct worker per process: its identity, its connections, its settings.
 * The worker is single-threaded on purpose: run more processes to go faster.
 * Each takes messages into its own processing list, so any number can run at
 * once, on any host, and a dead one's messages are recovered by the others.
 */
#ifndef SHOP_WORKER_H
#define SHOP_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "lib/arena.h"
#include "lib/db.h"
#include "lib/queue.h"

#define WORKER_ID_MAX 96
#define WORKER_ARENA_CHUNK 16384

struct payment_settings {
    long long latency_ms;         /* payment_latency_ms: how long a charge takes */
    long long failure_percent;    /* payment_failure_percent: transient failures, 0-100 */
};

struct mail_settings {
    const char *spool;            /* mail_spool: folder for .eml files when no SMTP */
    const char *smtp_url;         /* smtp_url: smtp://host:port, empty for the spool */
    const char *from;             /* mail_from, a From: header value */
    char envelope_from[256];      /* the bare address inside mail_from */
};

struct worker {
    char id[WORKER_ID_MAX];
    char processing[QUEUE_MAX_NAME + WORKER_ID_MAX];
    char lease[QUEUE_MAX_NAME + WORKER_ID_MAX];
    struct queue_names names;
    struct db *db;
    struct queue *queue;
    struct arena arena;           /* reset after every message */
    long long lease_seconds;      /* worker_lease_seconds */
    long long max_attempts;       /* worker_max_attempts */
    long long retry_backoff_ms;   /* worker_retry_backoff_ms, doubled per attempt */
    long long sweep_interval_ms;  /* worker_sweep_interval_ms */
    long long sweep_after_ms;     /* worker_sweep_after_ms: re-push an unclaimed order after this */
    struct payment_settings payment;
    struct mail_settings mail;
    struct {                      /* when each upkeep chore is next due (ms) */
        long long lease, release, recover, aggregate, sweep;
    } due;
};

/* An order as the worker sees it. */
struct worker_order {
    const char *id, *user_id, *status, *email, *name, *address, *city, *postal_code, *country, *currency;
    long long total_cents;
    bool attempted;               /* a worker claimed it before: a charge may exist */
};

/* How handling a message ended. */
enum worker_outcome {
    WORKER_DONE,       /* finished (or nothing to do): acknowledge */
    WORKER_RETRY,      /* a transient failure: try again later */
    WORKER_DEAD,       /* can never succeed (malformed message): dead-letter it */
};

/* Set by SIGTERM/SIGINT; the loop finishes the order in hand, then stops. */
extern volatile sig_atomic_t worker_stopping;

/* Milliseconds since the epoch. */
long long worker_now_ms(void);

/* Handles one queue message; *error names the failure for logs and dead letters. */
enum worker_outcome worker_process(struct worker *w, const char *message, const char **error);

/* Marks an order FAILED after its last attempt; stock stays reserved for a replay. */
int worker_fail_order(struct worker *w, const char *order_id, const char *error);

/* Housekeeping, each when due: lease renewal, due retries, orphan recovery, the sweeper. */
void worker_upkeep(struct worker *w);

/* Charges the order at most once; *declined tells a refused card from a charge. */
int payment_charge(struct worker *w, const struct worker_order *order, bool *declined);

/* Sends the order confirmation at most once (the spool or SMTP). */
int mail_send_confirmation(struct worker *w, const struct worker_order *order);

#endif

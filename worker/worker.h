/*
 * worker.h - what the parts of the order worker share.
 *
 * One struct worker per process: its identity, its connections, its settings.
 * The worker is single-threaded on purpose: run more processes to go faster.
 * Each takes messages into its own processing list, so any number can run at
 * once, on any host, and a dead one's messages are recovered by the others.
 *
 * Messages are handled in batches (worker_batch_size at most): each step of
 * the order pipeline (load, claim, charge, mail, final status) is one
 * set-based statement or transaction for the whole batch, so the durable
 * commits an order costs are shared by every order in the batch. Each order
 * still ends on its own: one that fails a step is retried alone.
 */
#ifndef SHOP_WORKER_H
#define SHOP_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "lib/arena.h"
#include "lib/db.h"
#include "lib/queue.h"

#define WORKER_ID_MAX 96
#define WORKER_ARENA_CHUNK 65536
#define WORKER_BATCH_MAX 200          /* highest worker_batch_size */
#define WORKER_DEFAULT_BATCH 50

/* A list of order ids bound as one JSON parameter, for set-based statements. */
#define WORKER_SQL_ORDER_IDS \
    "JSON_TABLE(?, '$[*]' COLUMNS (jid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j"

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
    long long batch_size;         /* worker_batch_size: messages taken and handled together */
    struct payment_settings payment;
    struct mail_settings mail;
    struct {                      /* when each upkeep chore is next due (ms) */
        long long lease, release, recover, aggregate, sweep;
    } due;
};

/* How handling a message ended. */
enum worker_outcome {
    WORKER_DONE,       /* finished (or nothing to do): acknowledge */
    WORKER_RETRY,      /* a transient failure: try again later */
    WORKER_DEAD,       /* can never succeed (malformed message): dead-letter it */
};

/* An order as the worker sees it, and how far it got in its batch. */
struct worker_order {
    const char *id, *user_id, *status, *email, *name, *address, *city, *postal_code, *country, *currency;
    long long total_cents;
    bool attempted;               /* a worker claimed it before: a charge may exist */
    bool open;                    /* still going through the steps */
    bool declined;                /* the card was refused (set by the payment step) */
    enum worker_outcome outcome;  /* once no longer open */
    const char *error;            /* with WORKER_RETRY: what failed */
};

/* A queue message taken in a batch, and how handling it ended. */
struct worker_message {
    char text[QUEUE_MAX_MESSAGE];
    size_t len;
    enum worker_outcome outcome;
    const char *error;            /* names the failure for logs and dead letters */
};

/* Set by SIGTERM/SIGINT; the loop finishes the batch in hand, then stops. */
extern volatile sig_atomic_t worker_stopping;

/* Milliseconds since the epoch. */
long long worker_now_ms(void);

/* Handles a batch of queue messages, setting each one's outcome. */
void worker_process_batch(struct worker *w, struct worker_message *messages, int count);

/* Ends an open order of a batch: it leaves the remaining steps with outcome (and error). */
void worker_order_end(struct worker_order *order, enum worker_outcome outcome, const char *error);

/* The ids of the batch's open orders as a JSON list (NULL when out of memory); *count gets their number. */
const char *worker_open_ids(struct worker *w, const struct worker_order *orders, int count, int *open);

/* Marks an order FAILED after its last attempt; stock stays reserved for a replay. */
int worker_fail_order(struct worker *w, const char *order_id, const char *error);

/* Housekeeping, each when due: lease renewal, due retries, orphan recovery, the sweeper. */
void worker_upkeep(struct worker *w);

/*
 * Renews this worker's lease when due. Called between the slow calls inside a
 * batch too (payments, SMTP), so a long batch is never taken for a dead worker.
 */
void worker_renew_lease(struct worker *w);

/*
 * Charges each open order at most once, setting declined; an order whose
 * charge failed transiently is ended for a retry. An error return: the
 * ledger could not be read or written, and no open order may go on.
 */
int payment_charge_batch(struct worker *w, struct worker_order *orders, int count);

/*
 * Sends each open order's confirmation at most once (the spool or SMTP); an
 * order whose delivery failed is ended for a retry. An error return: no open
 * order may go on.
 */
int mail_send_confirmations(struct worker *w, struct worker_order *orders, int count);

#endif

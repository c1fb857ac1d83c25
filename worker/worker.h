/*
 * worker.h - what the parts of the order worker share: its state, an order as
 * it goes through a batch, and the batch helpers of batch.c.
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
 *
 * The files depend on each other in one direction:
 *   main.c ─▶ process.c, upkeep.c, deadletter.c ─▶ payment.c, mail.c (steps.h) ─▶ compose.c ─▶ batch.c
 * (this header), and every order status change goes through lib/order; the
 * dead letters are lib/deadletter's, shared with shopctl.
 */
#ifndef SHOP_WORKER_H
#define SHOP_WORKER_H

#include <signal.h>
#include <stdbool.h>

#include "lib/arena.h"
#include "lib/cart_expiry.h"
#include "lib/db.h"
#include "lib/order.h"
#include "lib/queue.h"

#define WORKER_ID_MAX ORDER_HOLDER_MAX   /* the worker id is the holder of its claims */
#define WORKER_ARENA_CHUNK 65536
#define WORKER_BATCH_MAX 200          /* highest worker_batch_size */
#define WORKER_DEFAULT_BATCH 50
#define WORKER_MAX_BACKOFF_MS 60000LL
#define WORKER_ERROR_MAX ORDER_ERROR_MAX  /* a failure's cause, as dead letters and last_error carry it */

struct mail_kind;                 /* worker/compose.h */


struct payment_settings {
    long long latency_ms;         /* payment_latency_ms: how long a charge takes */
    long long failure_percent;    /* payment_failure_percent: transient failures, 0-100 */
};

struct mail_settings {
    long long max_attempts;       /* mail_max_attempts: deliveries tried before giving up */
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
    struct arena arena;           /* reset after every batch and every upkeep round */
    long long lease_seconds;      /* worker_lease_seconds */
    long long max_attempts;       /* worker_max_attempts */
    long long retry_backoff_ms;   /* worker_retry_backoff_ms, doubled per attempt */
    long long sweep_interval_ms;  /* worker_sweep_interval_ms */
    long long sweep_after_ms;     /* worker_sweep_after_ms: re-push an unclaimed order after this */
    long long batch_size;         /* worker_batch_size: messages taken and handled together */
    long long cart_ttl_days;      /* cart_ttl_days: carts nobody changed this long are removed */
    struct cart_expiry_cursor cart_cursor; /* where the next batch of cart expiry starts */
    struct payment_settings payment;
    struct mail_settings mail;
    bool holding;                 /* a batch is in hand: its claims are renewed with the lease */
    const char *held_json;        /* while holding: the ids the batch's claim took (in the arena) */
    long long mail_round;         /* numbers the e-mail retry rounds (their claim tokens) */
    struct {                      /* e-mails whose failed delivery could not be recorded yet */
        char ids[WORKER_BATCH_MAX][ORDER_ID_MAX + 1];
        char errors[WORKER_BATCH_MAX][WORKER_ERROR_MAX + 1];
        const struct mail_kind *kinds[WORKER_BATCH_MAX];
        int count;
    } mail_unrecorded;
    struct {                      /* when each upkeep chore is next due (ms) */
        long long lease, release, recover, redrive, aggregate, sweep, mail, outbox, carts;
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
    bool mailed;                  /* its confirmation was delivered by this attempt */
    bool open;                    /* still going through the steps */
    bool declined;                /* the card was refused (set by the payment step) */
    enum worker_outcome outcome;  /* once no longer open */
    const char *error;            /* with WORKER_RETRY: what failed ("step: cause") */
    const char *last_error;       /* the order's recorded reason (a FAILED order's cause) */
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

/* "step: cause" in the worker's arena: what failed, as logs and dead letters name it. */
const char *worker_error(struct worker *w, const char *step, const char *cause);

/* Ends an open order of a batch: it leaves the remaining steps with outcome (and error). */
void worker_order_end(struct worker_order *order, enum worker_outcome outcome, const char *error);

/* Ends every open order of a batch: done for SHOP_OK, else a retry naming step and rc. */
void worker_order_end_all(struct worker *w, struct worker_order *orders, int count, const char *step, int rc);

/* The ids of the batch's open orders as a JSON list (NULL when out of memory); *open gets their number. */
const char *worker_open_ids(struct worker *w, const struct worker_order *orders, int count, int *open);

/*
 * Loads the orders of ids_json (a JSON list) into *orders (*count of them, in
 * the worker's arena), each open while it is pending.
 */
int worker_load_orders(struct worker *w, const char *ids_json, struct worker_order **orders, int *count);

/*
 * Renews this worker's lease when due, and with it the claims on the orders of
 * the batch in hand. Called between the slow calls inside a batch too
 * (payments, SMTP), so a long batch is never taken for a dead worker's.
 */
void worker_renew_lease(struct worker *w);

#endif

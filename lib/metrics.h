/*
 * metrics.h - counting what the shop does, for Prometheus, at no cost a request notices.
 *
 * Every process that serves (each responder, each worker) counts into a file
 * of its own in metrics_dir, mapped into memory: counting is an add to a
 * mapped word, no lock and no system call. The file has one section per
 * thread, so every word has exactly one writer and threads never contend for
 * a cache line. GET /metrics (shop-metrics, metrics_scrape.h) sums the files
 * of all processes on the host.
 *
 * A process holds a shared flock on its file for its whole life; the kernel
 * drops it when the process ends, however it ends. That is how the scrape
 * tells a dead process's file from a live one, without pids that may be
 * reused: it folds a dead file into the program's archive file and removes
 * it, so counters never go backwards when a responder restarts.
 *
 * Settings (read at start): metrics (on or off, default on) and metrics_dir
 * (default /run/fcgi-shop-metrics). With metrics off, or when the folder
 * cannot be written (logged as event=metrics_unavailable at start), every
 * count below is a test of one thread-local pointer: counting must never
 * keep the shop from serving.
 */
#ifndef SHOP_METRICS_H
#define SHOP_METRICS_H

#include <stdbool.h>

#define METRICS_DEFAULT_DIR "/run/fcgi-shop-metrics"
#define METRICS_MAX_ROUTES 16             /* the most routes a responder may have */

/* The process-wide counters (routes are counted with metrics_count_request). */
enum metrics_counter {
    METRICS_DB_CONNECT_FAILED,
    METRICS_DB_CONNECTION_LOST,
    METRICS_DB_DEADLOCK,          /* deadlock or lock wait timeout: the transaction is retried */
    METRICS_DB_ERROR,             /* any other statement error (logged) */
    METRICS_DB_RECONNECT,         /* a connection made again after one was lost or refused */
    METRICS_REDIS_CONNECT_FAILED,
    METRICS_REDIS_CONNECTION_LOST,
    METRICS_REDIS_ERROR,
    METRICS_REDIS_RECONNECT,
    METRICS_REDIS_MASTER_CHANGED, /* a new primary address found through Sentinel */
    METRICS_WORKER_BATCHES,
    METRICS_WORKER_BATCH_MESSAGES,
    METRICS_ORDERS_PROCESSED,
    METRICS_ORDERS_PAYMENT_FAILED,
    METRICS_ORDERS_RETRIED,
    METRICS_ORDERS_DEAD_LETTERED,
    METRICS_PAYMENT_CHARGED,
    METRICS_PAYMENT_DECLINED,
    METRICS_PAYMENT_TRANSIENT_FAILURE,
    METRICS_EMAIL_SENT,
    METRICS_EMAIL_FAILED,
    METRICS_EMAIL_GIVEN_UP,
    METRICS_EVENT_ACCEPTED,
    METRICS_EVENT_RATE_LIMITED,
    METRICS_COUNTER_COUNT,
};

/*
 * Reads metrics and metrics_dir and, when on, makes this process's file with
 * sections threads sections for program ("products", "worker"), labelled with
 * the routes (route_count of them: "GET" and "/api/products/{id}" each; NULL
 * for none). Call once at start, before any thread counts. SHOP_ERR_INVALID
 * for a bad setting (the program stops); a folder that cannot be written is
 * logged and leaves metrics off (SHOP_OK).
 */
int metrics_open(const char *program, const char *const *methods, const char *const *patterns, int route_count,
                 int sections);

/* True when this process counts (metrics on and its file made). */
bool metrics_enabled(void);

/* The folder of the metrics files (the setting, read by metrics_open). */
const char *metrics_dir(void);

/* Makes section (0 .. sections-1) the calling thread's: its counts go there. */
void metrics_attach_thread(int section);

/* Adds n to a counter of the calling thread. */
void metrics_add(enum metrics_counter counter, unsigned long long n);

/* One answered request: route index (-1 for none matched), HTTP status, time taken. */
void metrics_count_request(int route, int status, long long microseconds);

/* The worker finished a batch now (fcgi_shop_worker_last_batch_timestamp_seconds). */
void metrics_note_batch(long long now_ms);

#endif

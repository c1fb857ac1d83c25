/*
 * responder.h - the skeleton every FastCGI responder runs.
 *
 * A responder is declared as data: a name, a route table and whether it needs
 * Redis. responder_main() does the rest: configuration, logging, N threads each
 * in its own FCGX_Accept_r loop with its own MariaDB and Redis connections and
 * request arena, route matching (404 and 405 with Allow), one access-log line
 * per request, one error body for every failure, and a clean shutdown.
 * Every request other than GET passes http_check_state_change() (JSON body,
 * same origin) before its handler runs.
 *
 * Shutdown: SIGTERM or SIGINT is taken by the main thread (sigwait), which
 * writes to a wake pipe every idle thread polls beside the listening socket.
 * Idle threads stop at once, each busy thread finishes the request in hand;
 * the process exits when all threads are done, or after RESPONDER_STOP_MS at
 * the latest. The listening socket itself is left alone: when it is shared
 * with a replacement process (scripts/supervise, systemd socket activation),
 * connections not yet accepted wait in it and are served by the new process,
 * so a restart refuses nothing.
 */
#ifndef SHOP_RESPONDER_H
#define SHOP_RESPONDER_H

#include <stdbool.h>

#include <fcgiapp.h>

#include "arena.h"
#include "db.h"
#include "http.h"
#include "queue.h"
#include "session.h"

#define RESPONDER_MAX_THREADS 64
#define RESPONDER_DEFAULT_THREADS 4
#define RESPONDER_ARENA_CHUNK 16384
#define RESPONDER_STOP_MS 1800
#define RESPONDER_DEFAULT_MAX_BODY 16384

/* What one thread owns; handlers get it with every request. */
struct responder_context {
    int thread_index;
    struct db *db;              /* the primary: writes, transactions, reads of one's own writes */
    struct db *read_db;         /* catalog-like reads that may lag (db_open_read: a replica, or the primary) */
    struct queue *queue;        /* NULL unless the responder uses Redis */
    struct arena arena;
    struct session session;     /* this request's shopper, for uses_session responders */
};

/*
 * A route handler. It replies with http_reply_*() and returns SHOP_OK, or returns
 * a negative shop_err without replying, and the skeleton sends the standard
 * error answer for it.
 */
typedef int (*responder_handler)(struct http_request *req, struct responder_context *ctx);

struct responder_route {
    const char *method;         /* "GET", "POST", ... (GET also answers HEAD) */
    const char *pattern;        /* "/api/products/{id}": {…} matches one segment */
    responder_handler handler;
};

struct responder {
    const char *name;                       /* "products": logs, --help */
    const struct responder_route *routes;   /* ends with a {NULL} entry */
    bool uses_queue;
    bool uses_session;                      /* identify the shopper (session.h) */
    int (*init)(void);                      /* optional: read own config at start */
};

/*
 * Serves one accepted request: parses it, runs the matching route (or answers
 * 404/405), replies, counts and logs it. responder_main's threads call it per
 * request; the request fuzzer (tests/fuzz) calls it with a request built in
 * memory, no socket.
 */
void responder_serve(const struct responder *responder, FCGX_Request *fcgi, struct responder_context *ctx);

/* Runs the responder; returns the process exit status. */
int responder_main(const struct responder *responder, int argc, char **argv);

/* The configured request body limit (max_body_bytes), read at start. */
long long responder_max_body(void);

#endif

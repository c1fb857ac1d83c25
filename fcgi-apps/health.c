/*
 * health.c - GET /api/health (readiness) and GET /api/health/live (liveness).
 *
 * Readiness says whether the shop can take orders and fulfil them now, and if
 * not, which part cannot:
 *   db, redis   each answers on this thread's own connections (which also
 *               proves those connections recover);
 *   workers     at least one order worker holds a live lease (the workers'
 *               roster in Redis, lib/queue.h): a worker stopped cleanly
 *               leaves it at once, a killed one when its lease runs out;
 *   queue       the oldest order no worker has claimed has waited at most
 *               health_max_order_wait_seconds (lib/order); the queue's depth,
 *               retries and dead letters are reported beside it;
 *   responders  every other responder answers FastCGI on its socket in
 *               responder_socket_dir (lib/probe.h: a connect alone proves
 *               nothing while a supervisor holds the socket).
 *   dbRead      only when db_read_* names a read server (a replica): it
 *               answers on this thread's read connection. Reads fall back
 *               to the primary without it, so it fails alone as
 *               "status":"degraded" (still 200) and is named in "degraded".
 * 200 "status":"ok" when every part holds; otherwise 503
 * "status":"unavailable" with "failing" naming each part that does not
 * ("db", "redis", "workers", "queue", "responders.<name>"). A part that
 * cannot be known because another is down ("unknown") is not named again.
 *
 * Every part is bounded, so health never hangs: the probes HEALTH_PROBE_MS in
 * all, MariaDB and Redis their connections' timeouts, and each query is one
 * index step or O(log n). nginx never caches these answers (no-store, and the
 * catalog cache skips them).
 *
 * Liveness touches no backend: 200 whenever nginx reaches this responder.
 * It is for a load balancer deciding whether the host is up at all.
 */
#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"
#include "lib/http.h"
#include "lib/order.h"
#include "lib/probe.h"
#include "lib/responder.h"
#include "lib/settings.h"

#define HEALTH_PROBE_MS 250
#define HEALTH_SOCKET_DIR_MAX 80        /* a socket path fits sun_path (108 bytes) with "/recommendations.sock" */
#define HEALTH_SOCKET_PATH_MAX (HEALTH_SOCKET_DIR_MAX + 32)
#define HEALTH_MAX_WAIT_DEFAULT 60
#define HEALTH_MAX_WAIT_MAX 86400

/* The responders probed: every one but this (answering at all proves it). <name>.sock in the socket folder. */
static const char *const health_responders[] = {"products", "search", "cart", "orders", "events", "recommendations",
                                                 "account"};
#define HEALTH_RESPONDER_COUNT ((int)(sizeof(health_responders) / sizeof(health_responders[0])))

struct health_settings {
    const char *socket_dir;               /* responder_socket_dir */
    long long max_order_wait_seconds;     /* health_max_order_wait_seconds */
};

static const struct setting health_settings_table[] = {
    {"responder_socket_dir", SETTING_TEXT, offsetof(struct health_settings, socket_dir), "/run/fcgi-shop", 0, 1,
     HEALTH_SOCKET_DIR_MAX, NULL},
    {"health_max_order_wait_seconds", SETTING_INT, offsetof(struct health_settings, max_order_wait_seconds), NULL,
     HEALTH_MAX_WAIT_DEFAULT, 1, HEALTH_MAX_WAIT_MAX, NULL},
};

/* Read once at start (health_init); read-only afterwards. */
static struct health_settings health_config;
static struct queue_names health_names;
static char health_sockets[HEALTH_RESPONDER_COUNT][HEALTH_SOCKET_PATH_MAX];

/* One readiness answer being built: the body and its lists of failing and degraded parts. */
struct health_report {
    struct json_object *body;
    struct json_object *failing;
    struct json_object *degraded;   /* NULL unless a read server is configured */
};

static int health_ready(struct http_request *req, struct responder_context *ctx);
static int health_live(struct http_request *req, struct responder_context *ctx);

static const struct responder_route health_routes[] = {
    {"GET", "/api/health", health_ready},
    {"GET", "/api/health/live", health_live},
    {NULL, NULL, NULL},
};

static int health_init(void)
{
    int i;

    if (settings_read_table(health_settings_table, sizeof(health_settings_table) / sizeof(health_settings_table[0]),
                            &health_config) != SHOP_OK ||
        queue_names_load(&health_names) != SHOP_OK)
        return SHOP_ERR_INVALID;
    for (i = 0; i < HEALTH_RESPONDER_COUNT; i++)
        snprintf(health_sockets[i], sizeof(health_sockets[i]), "%s/%s.sock", health_config.socket_dir,
                 health_responders[i]);
    return SHOP_OK;
}

static void health_fail(struct health_report *r, const char *part)
{
    json_object_array_add(r->failing, json_object_new_string(part));
}

static struct json_object *health_state(bool known, bool ok, const char *bad)
{
    return json_object_new_string(!known ? "unknown" : ok ? "ok" : bad);
}

/* db: MariaDB answers. Returns whether it does. */
static bool health_db(struct health_report *r, struct responder_context *ctx)
{
    bool ok = db_ping(ctx->db) == SHOP_OK;

    json_object_object_add(r->body, "db", health_state(true, ok, "down"));
    if (!ok)
        health_fail(r, "db");
    return ok;
}

/* dbRead: the read server answers; its failure degrades (reads use the primary), it does not fail. */
static void health_db_read(struct health_report *r, struct responder_context *ctx)
{
    bool ok;

    if (r->degraded == NULL)
        return;
    ok = db_ping(ctx->read_db) == SHOP_OK;
    json_object_object_add(r->body, "dbRead", health_state(true, ok, "down"));
    if (!ok)
        json_object_array_add(r->degraded, json_object_new_string("dbRead"));
}

/* redis and workers: one script reads the queue's figures and counts the live workers. */
static bool health_redis(struct health_report *r, struct responder_context *ctx, struct queue_stats *stats)
{
    bool ok = queue_ping(ctx->queue) == SHOP_OK && queue_stats_read(ctx->queue, &health_names, stats) == SHOP_OK;
    struct json_object *workers = json_object_new_object();

    json_object_object_add(r->body, "redis", health_state(true, ok, "down"));
    if (!ok)
        health_fail(r, "redis");
    json_object_object_add(workers, "status", health_state(ok, stats->live_workers > 0, "down"));
    json_object_object_add(workers, "live", ok ? json_object_new_int64(stats->live_workers) : NULL);
    json_object_object_add(r->body, "workers", workers);
    if (ok && stats->live_workers == 0)
        health_fail(r, "workers");
    return ok;
}

/* queue: how long the oldest unclaimed order has waited (MariaDB), with the Redis figures when known. */
static void health_queue(struct health_report *r, struct responder_context *ctx, struct http_request *req,
                         bool db_ok, bool redis_ok, const struct queue_stats *stats)
{
    struct json_object *queue = json_object_new_object();
    long long waited = 0;
    bool waiting = false, known = db_ok && order_oldest_unclaimed(ctx->db, req->arena, &waiting, &waited) == SHOP_OK;
    bool ok = waited <= health_config.max_order_wait_seconds;

    json_object_object_add(queue, "status", health_state(known, ok, "lagging"));
    json_object_object_add(queue, "oldestUnclaimedSeconds", known ? json_object_new_int64(waited) : NULL);
    json_object_object_add(queue, "maxWaitSeconds", json_object_new_int64(health_config.max_order_wait_seconds));
    json_object_object_add(queue, "depth", redis_ok ? json_object_new_int64(stats->depth) : NULL);
    json_object_object_add(queue, "retrying", redis_ok ? json_object_new_int64(stats->retrying) : NULL);
    json_object_object_add(queue, "deadLetters", redis_ok ? json_object_new_int64(stats->dead) : NULL);
    json_object_object_add(r->body, "queue", queue);
    if (known && !ok)
        health_fail(r, "queue");
}

/* responders: each answers FastCGI on its socket, all asked at once. */
static void health_responders_probe(struct health_report *r)
{
    struct probe_target targets[HEALTH_RESPONDER_COUNT];
    struct json_object *responders = json_object_new_object();
    char part[64];
    int i;

    for (i = 0; i < HEALTH_RESPONDER_COUNT; i++)
        targets[i] = (struct probe_target){.path = health_sockets[i]};
    probe_fastcgi(targets, HEALTH_RESPONDER_COUNT, HEALTH_PROBE_MS);
    for (i = 0; i < HEALTH_RESPONDER_COUNT; i++) {
        json_object_object_add(responders, health_responders[i], health_state(true, targets[i].up, "down"));
        if (!targets[i].up) {
            snprintf(part, sizeof(part), "responders.%s", health_responders[i]);
            health_fail(r, part);
        }
    }
    json_object_object_add(r->body, "responders", responders);
}

static int health_ready(struct http_request *req, struct responder_context *ctx)
{
    struct health_report r = {http_own(req, json_object_new_object()), json_object_new_array(),
                              settings_db_read_configured() ? json_object_new_array() : NULL};
    struct queue_stats stats = {0};
    bool db_ok, redis_ok, ok, degraded;

    if (r.body == NULL || r.failing == NULL || (settings_db_read_configured() && r.degraded == NULL)) {
        json_object_put(r.failing);
        json_object_put(r.degraded);
        return SHOP_ERR_NOMEM;
    }
    /* status and failing first, so they lead the answer; status is filled in last. */
    json_object_object_add(r.body, "status", NULL);
    json_object_object_add(r.body, "failing", r.failing);
    if (r.degraded != NULL)
        json_object_object_add(r.body, "degraded", r.degraded);
    db_ok = health_db(&r, ctx);
    health_db_read(&r, ctx);
    redis_ok = health_redis(&r, ctx, &stats);
    health_queue(&r, ctx, req, db_ok, redis_ok, &stats);
    health_responders_probe(&r);
    ok = json_object_array_length(r.failing) == 0;
    degraded = r.degraded != NULL && json_object_array_length(r.degraded) > 0;
    json_object_object_add(r.body, "status", json_object_new_string(!ok ? "unavailable" : degraded ? "degraded" : "ok"));
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, ok ? 200 : 503, r.body);
}

static int health_live(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body = http_own(req, json_object_new_object());

    (void)ctx;
    if (body == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "status", json_object_new_string("ok"));
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, 200, body);
}

static const struct responder health_responder = {
    .name = "health",
    .routes = health_routes,
    .uses_queue = true,
    .init = health_init,
};

int main(int argc, char **argv)
{
    return responder_main(&health_responder, argc, argv);
}

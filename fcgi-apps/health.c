/*
 * health.c - GET /api/health: is the shop able to serve?
 *
 * It asks the two services every request depends on, MariaDB and Redis, on the
 * thread's own connections, so it also proves those connections recover. 200
 * {"status":"ok","db":"ok","redis":"ok"} when both answer; 503 naming what is
 * down otherwise, which is what a load balancer or monitor keys on.
 */
#include "lib/err.h"
#include "lib/http.h"
#include "lib/responder.h"

static int health_get(struct http_request *req, struct responder_context *ctx);

static const struct responder_route health_routes[] = {
    {"GET", "/api/health", health_get},
    {NULL, NULL, NULL},
};

static int health_get(struct http_request *req, struct responder_context *ctx)
{
    bool db_ok = db_ping(ctx->db) == SHOP_OK;
    bool redis_ok = queue_ping(ctx->queue) == SHOP_OK;
    struct json_object *body = http_own(req, json_object_new_object());

    if (body == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "status", json_object_new_string(db_ok && redis_ok ? "ok" : "unavailable"));
    json_object_object_add(body, "db", json_object_new_string(db_ok ? "ok" : "down"));
    json_object_object_add(body, "redis", json_object_new_string(redis_ok ? "ok" : "down"));
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, db_ok && redis_ok ? 200 : 503, body);
}

static const struct responder health_responder = {
    .name = "health",
    .routes = health_routes,
    .uses_queue = true,
};

int main(int argc, char **argv)
{
    return responder_main(&health_responder, argc, argv);
}

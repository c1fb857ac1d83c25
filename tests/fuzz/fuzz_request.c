/*
 * fuzz_request.c - a whole request through the routing layer: lib/responder.c's
 * responder_serve() with a FastCGI request built in memory (fuzz.h), so the
 * fuzzer picks every parameter nginx would pass (method, path, query string,
 * cookies, content type and length, origin, request id) and the body.
 *
 * The routes have the shop's shapes ({id} segments, GET and writes, a session)
 * and handlers that read what the real ones read from a request (limit, cursor,
 * JSON body fields, route parameters) and reply, without a database: what is
 * fuzzed is the request side, from FastCGI parameters to the reply and the log
 * line.
 *
 * Input: "NAME=value" lines (FastCGI parameters), an empty line, then the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/json.h"
#include "lib/order.h"
#include "lib/responder.h"
#include "lib/session.h"
#include "lib/settings.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A page of one row, with the cursor for the next: as products and orders list. */
static int fuzz_list(struct http_request *req, const char *list)
{
    const char *cursor = http_query_get(req, "cursor");
    const char *after[2] = {"Name", "id-1"};
    struct json_object *body, *items;
    long long limit;
    int rc;

    if ((rc = http_query_limit(req, 20, 100, &limit)) != SHOP_OK)
        return rc;
    if (cursor != NULL && cursor_decode(list, cursor, req->arena, after, 2) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_cursor", "cursor is not one this shop issued.", NULL);
    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_array_add(items, json_object_new_string(after[1]));
    if (cursor_add_next(body, list, limit > 1 ? after : NULL, 2) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    return http_reply_json_etag(req, body);
}

static int fuzz_products(struct http_request *req, struct responder_context *ctx)
{
    (void)ctx;
    return fuzz_list(req, "products");
}

static int fuzz_orders(struct http_request *req, struct responder_context *ctx)
{
    (void)ctx;
    return fuzz_list(req, "orders");
}

static int fuzz_product(struct http_request *req, struct responder_context *ctx)
{
    (void)ctx;
    if (strcmp(req->route_params[0], "prod-001") != 0)
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
    return http_reply_json(req, 200, http_own(req, json_object_new_object()));
}

/* A JSON body with productId and quantity: the cart's and the events' shape. */
static int fuzz_write(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body, *answer;
    const char *product_id = req->route_param_count > 0 ? req->route_params[0] : NULL;
    long long quantity = 1;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if (product_id == NULL && json_get_string(body, "productId", 1, 255, &product_id) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_product_id", "productId must be a string.", NULL);
    rc = json_get_int(body, "quantity", 0, 99, &quantity);
    if (rc != SHOP_OK && rc != SHOP_ERR_NOT_FOUND)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_quantity", "quantity is 0 to 99.", NULL);
    if ((answer = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(answer, "userId", json_object_new_string(ctx->session.user_id));
    json_object_object_add(answer, "productId", json_object_new_string(product_id));
    json_object_object_add(answer, "quantity", json_object_new_int64(quantity));
    return http_reply_json(req, 200, answer);
}

static int fuzz_cancel(struct http_request *req, struct responder_context *ctx)
{
    (void)ctx;
    if (!order_id_valid(req->route_params[0]))
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "order_not_found", "No such order.", NULL);
    return http_reply(req, 204, NULL, NULL, 0);
}

static const struct responder_route fuzz_routes[] = {
    {"GET", "/api/products", fuzz_products},
    {"GET", "/api/products/{id}", fuzz_product},
    {"GET", "/api/orders", fuzz_orders},
    {"POST", "/api/orders/{id}/cancel", fuzz_cancel},
    {"POST", "/api/cart", fuzz_write},
    {"PUT", "/api/cart/items/{id}", fuzz_write},
    {"DELETE", "/api/cart/items/{id}", fuzz_cancel},
    {"POST", "/api/events", fuzz_write},
    {NULL, NULL, NULL},
};

static const struct responder fuzz_responder = {
    .name = "fuzz",
    .routes = fuzz_routes,
    .uses_session = true,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_start();
    if (settings_load() != SHOP_OK || session_init() != SHOP_OK)
        abort();
    return 0;
}

/* Adds the "NAME=value" lines before the first empty line; returns where the body starts. */
static size_t fuzz_params(struct fuzz_fcgi *fcgi, struct arena *arena, const uint8_t *data, size_t size)
{
    size_t at = 0;

    while (at < size) {
        const uint8_t *end = memchr(data + at, '\n', size - at);
        size_t len = end != NULL ? (size_t)(end - (data + at)) : size - at;
        const uint8_t *eq = memchr(data + at, '=', len);
        char *name;

        if (len == 0)
            return at + 1;
        if (eq != NULL && (name = arena_strndup(arena, (const char *)data + at, (size_t)(eq - (data + at)))) != NULL)
            fuzz_fcgi_param(fcgi, arena, name, (const char *)eq + 1,
                            strnlen((const char *)eq + 1, len - (size_t)(eq - (data + at)) - 1));
        at += len + 1;
    }
    return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct responder_context ctx;
    struct fuzz_fcgi fcgi;
    struct arena params;
    size_t body;

    memset(&ctx, 0, sizeof(ctx));
    arena_init(&ctx.arena, RESPONDER_ARENA_CHUNK);
    arena_init(&params, 4096);
    fuzz_fcgi_init(&fcgi, "", 0);
    body = fuzz_params(&fcgi, &params, data, size);
    fcgi.in.rdNext = fcgi.in.stopUnget = (unsigned char *)data + body;
    fcgi.in.stop = fcgi.in.wrNext = (unsigned char *)data + size;
    responder_serve(&fuzz_responder, &fcgi.request, &ctx);
    arena_free(&params);
    arena_free(&ctx.arena);
    return 0;
}

/*
 * events.c - POST /api/events: the storefront tells what a shopper looked at.
 *
 * {"productId":"prod-123","eventType":"product-view","productType":"Electronics"}
 * is stored for the session's shopper and answered 202 at once. The category
 * recorded is the product's own from the catalog: productType is only a hint
 * and is used for events without a product (searches). Recording also brings
 * the popularity and "viewed together" aggregates up to date (lib/interest.c).
 * Purchases are refused: only real orders record them. An event from a session
 * this very request started counts for its shopper alone (lib/interest.h).
 */
#include <string.h>

#include "lib/err.h"
#include "lib/http.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/metrics.h"
#include "lib/product.h"
#include "lib/responder.h"
#include "lib/validate.h"

#define EVENTS_MAX_PRODUCT_ID 32
#define EVENTS_MAX_CATEGORY 64
#define EVENTS_MAX_BODY 1024

static int events_post(struct http_request *req, struct responder_context *ctx);

static const struct responder_route events_routes[] = {
    {"POST", "/api/events", events_post},
    {NULL, NULL, NULL},
};

static const char SQL_PRODUCT_CATEGORY[] = "SELECT category FROM products WHERE id = ?";

static int events_post(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body, *reply;
    const char *type = NULL, *product_id = NULL, *hint = NULL, *category = NULL;
    enum interest_event event;
    struct db_result product;
    int rc = http_read_json(req, EVENTS_MAX_BODY, &body);

    if (rc != SHOP_OK)
        return rc;
    /* Purchases come from real orders alone (the worker records them), never from a client. */
    if (json_get_string(body, "eventType", 1, 32, &type) != SHOP_OK || interest_event_parse(type, &event) != SHOP_OK ||
        event == INTEREST_PURCHASE)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_event_type",
                                "eventType must be product-view, add-to-cart or search.", NULL);
    rc = json_get_string(body, "productId", 1, EVENTS_MAX_PRODUCT_ID, &product_id);
    if (rc == SHOP_ERR_INVALID || (rc == SHOP_ERR_NOT_FOUND && event != INTEREST_SEARCH))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_product_id",
                                "productId must be a product id (1 to 32 characters).", NULL);
    rc = json_get_string(body, "productType", 1, EVENTS_MAX_CATEGORY, &hint);
    if (rc == SHOP_ERR_INVALID || (rc == SHOP_OK && !validate_text(hint, EVENTS_MAX_CATEGORY)))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_product_type", "productType is at most 64 characters.", NULL);
    if (product_id != NULL) {
        const struct db_param id[] = {DB_PARAM_TEXT(product_id)};
        /* No product has an id outside the alphabet: unknown, without a query (the column is ASCII). */
        if (!product_id_valid(product_id))
            return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
        if ((rc = db_exec(ctx->db, req->arena, SQL_PRODUCT_CATEGORY, id, 1, &product)) != SHOP_OK)
            return rc;
        if (product.rows == 0)
            return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
        category = db_result_text(&product, 0, 0);
    } else {
        category = hint;
    }
    rc = interest_record(ctx->db, req->arena, &ctx->session, product_id, category, event);
    if (rc == SHOP_ERR_RATE_LIMITED) {
        metrics_add(METRICS_EVENT_RATE_LIMITED, 1);
        return http_reply_error(req, rc, NULL, "Too many events from this shopper; slow down.", NULL);
    }
    if (rc != SHOP_OK)
        return rc;
    metrics_add(METRICS_EVENT_ACCEPTED, 1);
    if ((reply = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(reply, "accepted", json_object_new_boolean(1));
    return http_reply_json(req, 202, reply);
}

static const struct responder events_responder = {
    .name = "events",
    .routes = events_routes,
    .uses_session = true,
};

int main(int argc, char **argv)
{
    return responder_main(&events_responder, argc, argv);
}

/*
 * cart.c - the shopper's cart: /api/cart and /api/cart/items/{productId}.
 *
 * Whose cart is decided by the session cookie alone. Every answer is the whole
 * cart, priced live from the products table: the client never sends a price.
 *
 * A change runs in one transaction that first locks the shopper's carts row, so
 * two tabs adding at once are applied one after the other and end with the sum,
 * and the limits (1-99 per line, the stock, 50 lines) hold against concurrent
 * changes. A deadlock or lock timeout re-runs the transaction a few times.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/cart.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/interest.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/money.h"
#include "lib/product.h"
#include "lib/responder.h"

static int cart_get(struct http_request *req, struct responder_context *ctx);
static int cart_add(struct http_request *req, struct responder_context *ctx);
static int cart_empty(struct http_request *req, struct responder_context *ctx);
static int cart_set_item(struct http_request *req, struct responder_context *ctx);
static int cart_remove_item(struct http_request *req, struct responder_context *ctx);

static const struct responder_route cart_routes[] = {
    {"GET", "/api/cart", cart_get},
    {"POST", "/api/cart", cart_add},
    {"DELETE", "/api/cart", cart_empty},
    {"PUT", "/api/cart/items/{productId}", cart_set_item},
    {"DELETE", "/api/cart/items/{productId}", cart_remove_item},
    {NULL, NULL, NULL},
};

/* All a change needs to know, in one round trip: the product, its line in the cart, the cart's lines. */
static const char SQL_CHANGE_STATE[] =
    "SELECT p.active, p.stock, p.category,"
    " (SELECT c.quantity FROM cart_items c WHERE c.user_id = ? AND c.product_id = p.id),"
    " (SELECT COUNT(*) FROM cart_items c WHERE c.user_id = ?), p.currency"
    " FROM products p WHERE p.id = ?";
static const char SQL_SET_LINE[] =
    "INSERT INTO cart_items (user_id, product_id, quantity) VALUES (?, ?, ?)"
    " ON DUPLICATE KEY UPDATE quantity = VALUES(quantity)";
static const char SQL_DELETE_LINE[] = "DELETE FROM cart_items WHERE user_id = ? AND product_id = ?";
static const char SQL_EMPTY_CART[] = "DELETE FROM cart_items WHERE user_id = ?";
/* A line whose product is priced in another currency is not shown or summed: it is not for sale. */
static const char SQL_CART_LINES[] =
    "SELECT c.product_id, p.name, p.image_url, p.price_cents, c.quantity"
    " FROM cart_items c JOIN products p ON p.id = c.product_id AND p.currency = ?"
    " WHERE c.user_id = ? ORDER BY c.added_at, c.product_id";

/* Answers with the whole cart of the request's shopper. */
static int cart_reply(struct http_request *req, struct responder_context *ctx)
{
    const struct db_param params[] = {DB_PARAM_TEXT(money_currency()), DB_PARAM_TEXT(ctx->session.user_id)};
    struct json_object *body, *items;
    struct db_result lines;
    long long item_count = 0, total = 0, line_total;
    int rc, i;

    rc = db_exec(ctx->db, req->arena, SQL_CART_LINES, params, 2, &lines);
    if (rc != SHOP_OK)
        return rc;
    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < lines.rows; i++) {
        long long unit = db_result_int(&lines, i, 3), quantity = db_result_int(&lines, i, 4);
        struct json_object *line = json_object_new_object();

        if (line == NULL || money_line_total(unit, quantity, &line_total) != SHOP_OK ||
            money_add(&total, line_total) != SHOP_OK) {
            json_object_put(line);
            return SHOP_ERR_INTERNAL;
        }
        item_count += quantity;
        json_object_object_add(line, "productId", json_object_new_string(db_result_text(&lines, i, 0)));
        json_object_object_add(line, "name", json_object_new_string(db_result_text(&lines, i, 1)));
        json_object_object_add(line, "imageUrl", json_object_new_string(db_result_text(&lines, i, 2)));
        json_object_object_add(line, "unitPriceCents", json_object_new_int64(unit));
        json_object_object_add(line, "quantity", json_object_new_int64(quantity));
        json_object_object_add(line, "lineTotalCents", json_object_new_int64(line_total));
        json_object_array_add(items, line);
    }
    json_object_object_add(body, "itemCount", json_object_new_int64(item_count));
    json_object_object_add(body, "totalCents", json_object_new_int64(total));
    json_object_object_add(body, "currency", json_object_new_string(money_currency()));
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, 200, body);
}

/* How a change turns the line's current quantity and the requested one into the new one. */
typedef long long (*cart_quantity_rule)(long long current, long long requested);

static long long cart_rule_add(long long current, long long requested) { return current + requested; }
static long long cart_rule_set(long long current, long long requested) { (void)current; return requested; }

/* A kind of change: its quantity rule, and whether it tells the recommendations. */
struct cart_change_kind {
    cart_quantity_rule rule;
    bool records_interest;
};

static const struct cart_change_kind cart_add_kind = {cart_rule_add, true};
static const struct cart_change_kind cart_set_kind = {cart_rule_set, false};

/* Answers with an error; its SHOP_ERR_REPLIED makes db_transaction roll back. */
static int cart_refuse(struct http_request *req, int err, const char *code, const char *message,
                       struct json_object *details)
{
    return http_reply_error(req, err, code, message, details);
}

static int cart_refuse_stock(struct http_request *req, long long stock, long long current)
{
    char message[128];
    struct json_object *details = http_own(req, json_object_new_object());

    if (details == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(details, "available", json_object_new_int64(stock));
    json_object_object_add(details, "inCart", json_object_new_int64(current));
    snprintf(message, sizeof(message), "Only %lld of this product %s available.", stock, stock == 1 ? "is" : "are");
    return cart_refuse(req, SHOP_ERR_CONFLICT, "insufficient_stock", message, details);
}

/* One change of one line, as a db_transaction body. */
struct cart_change {
    struct http_request *req;
    struct responder_context *ctx;
    const char *product_id;
    long long requested;
    const struct cart_change_kind *kind;
};

/* One attempt at changing one line: SHOP_OK to commit, SHOP_ERR_REPLIED for a refusal. */
static int cart_change_body(struct db *db, void *arg)
{
    const struct cart_change *change = arg;
    struct http_request *req = change->req;
    struct responder_context *ctx = change->ctx;
    const char *product_id = change->product_id;
    const struct cart_change_kind *kind = change->kind;
    long long requested = change->requested;
    const char *user = ctx->session.user_id;
    const struct db_param state_key[] = {DB_PARAM_TEXT(user), DB_PARAM_TEXT(user), DB_PARAM_TEXT(product_id)};
    const struct db_param line_key[] = {DB_PARAM_TEXT(user), DB_PARAM_TEXT(product_id)};
    struct db_result product;
    long long current, quantity, stock;
    int rc;

    if ((rc = cart_lock(db, req->arena, user)) != SHOP_OK ||
        (rc = db_exec(db, req->arena, SQL_CHANGE_STATE, state_key, 3, &product)) != SHOP_OK)
        return rc;
    if (product.rows == 0)
        return cart_refuse(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
    current = db_result_int(&product, 0, 3); /* NULL, no line yet: 0 */
    quantity = kind->rule(current, requested);
    stock = db_result_int(&product, 0, 1);
    if (quantity == 0) {
        rc = db_exec(db, req->arena, SQL_DELETE_LINE, line_key, 2, NULL);
    } else {
        if (db_result_int(&product, 0, 0) == 0 || !money_is_shop_currency(db_result_text(&product, 0, 5)))
            return cart_refuse(req, SHOP_ERR_UNPROCESSABLE, "product_inactive",
                               "This product is no longer for sale.", NULL);
        if (quantity > CART_MAX_QUANTITY)
            return cart_refuse(req, SHOP_ERR_UNPROCESSABLE, "quantity_limit",
                               "A cart line holds at most 99 of a product.", NULL);
        if (quantity > stock)
            return cart_refuse_stock(req, stock, current);
        if (current == 0 && db_result_int(&product, 0, 4) >= CART_MAX_LINES)
            return cart_refuse(req, SHOP_ERR_UNPROCESSABLE, "cart_full",
                               "A cart holds at most 50 different products.", NULL);
        const struct db_param set[] = {DB_PARAM_TEXT(user), DB_PARAM_TEXT(product_id), DB_PARAM_INT(quantity)};
        rc = db_exec(db, req->arena, SQL_SET_LINE, set, 3, NULL);
        /* In the same transaction: one durable commit for the add and its interest.
         * A shopper over the event rate limit still gets the item, just not counted. */
        if (rc == SHOP_OK && kind->records_interest) {
            rc = interest_record(db, req->arena, &ctx->session, product_id, db_result_text(&product, 0, 2),
                                 INTEREST_ADD_TO_CART);
            if (rc == SHOP_ERR_RATE_LIMITED)
                rc = SHOP_OK;
        }
    }
    return rc;
}

static int cart_change(struct http_request *req, struct responder_context *ctx, const char *product_id,
                       long long requested, const struct cart_change_kind *kind)
{
    struct cart_change change = {req, ctx, product_id, requested, kind};
    int rc;

    if (!product_id_valid(product_id))
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "product_not_found", "No such product.", NULL);
    if ((rc = db_transaction(ctx->db, cart_change_body, &change)) == SHOP_ERR_RETRY)
        log_event(LOG_LEVEL_WARN, req->request_id, "event=cart_contention attempts=%d", DB_TRANSACTION_ATTEMPTS);
    if (rc != SHOP_OK)
        return rc;
    return cart_reply(req, ctx);
}

/*
 * The "quantity" field: a missing one is default_quantity (when >= 0), a
 * non-integer (null too) is 400, a number outside [min, 99] is 422. Replies on failure.
 */
static int cart_read_quantity(struct http_request *req, struct json_object *body, long long min,
                              long long default_quantity, long long *quantity)
{
    int rc = json_get_int(body, "quantity", LLONG_MIN, LLONG_MAX, quantity);

    if (rc == SHOP_ERR_NOT_FOUND && default_quantity >= 0 && !json_has(body, "quantity")) {
        *quantity = default_quantity;
        return SHOP_OK;
    }
    if (rc != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_quantity", "quantity must be a whole number.", NULL);
    if (*quantity < min || *quantity > CART_MAX_QUANTITY) {
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "invalid_quantity",
                                min == 0 ? "quantity must be from 0 to 99." : "quantity must be from 1 to 99.", NULL);
    }
    return SHOP_OK;
}

static int cart_get(struct http_request *req, struct responder_context *ctx)
{
    return cart_reply(req, ctx);
}

static int cart_add(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body;
    const char *product_id;
    long long quantity;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    /* Any "userId" in the body is ignored: the session decides whose cart this is. */
    if (json_get_string(body, "productId", 1, 255, &product_id) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_product_id", "productId must be a product id string.", NULL);
    if ((rc = cart_read_quantity(req, body, 1, 1, &quantity)) != SHOP_OK)
        return rc;
    return cart_change(req, ctx, product_id, quantity, &cart_add_kind);
}

static int cart_set_item(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body;
    long long quantity;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if ((rc = cart_read_quantity(req, body, 0, -1, &quantity)) != SHOP_OK)
        return rc;
    return cart_change(req, ctx, req->route_params[0], quantity, &cart_set_kind);
}

static int cart_remove_item(struct http_request *req, struct responder_context *ctx)
{
    const struct db_param line_key[] = {DB_PARAM_TEXT(ctx->session.user_id), DB_PARAM_TEXT(req->route_params[0])};
    int rc;

    /* No product has such an id, so no line does: removing it is harmless, as for any unknown id. */
    if (!product_id_valid(req->route_params[0]))
        return cart_reply(req, ctx);
    rc = db_exec(ctx->db, req->arena, SQL_DELETE_LINE, line_key, 2, NULL);
    return rc != SHOP_OK ? rc : cart_reply(req, ctx);
}

static int cart_empty(struct http_request *req, struct responder_context *ctx)
{
    const struct db_param cart_key[] = {DB_PARAM_TEXT(ctx->session.user_id)};
    int rc = db_exec(ctx->db, req->arena, SQL_EMPTY_CART, cart_key, 1, NULL);

    return rc != SHOP_OK ? rc : cart_reply(req, ctx);
}

static const struct responder cart_responder = {
    .name = "cart",
    .routes = cart_routes,
    .uses_session = true,
};

int main(int argc, char **argv)
{
    return responder_main(&cart_responder, argc, argv);
}

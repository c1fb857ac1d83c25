/*
 * orders.c - checkout and the shopper's orders: /api/orders, /api/orders/{id},
 * /api/orders/{id}/cancel.
 *
 * Checkout is one MariaDB transaction: lock the shopper's cart, read its lines
 * with their products FOR UPDATE (in product id order, so concurrent checkouts
 * lock rows in one order and cannot deadlock each other), check the stock, and
 * hand over to order_create() (lib/order), which takes the stock, prices every
 * line from the products table and writes the order, pending, with its "to be
 * queued" mark. Only after the commit is the message pushed onto the Redis
 * list. The mark stays until a worker claims the order: if the push failed
 * (Redis down: the order is then made due for the sweeper at once) or was lost
 * (Redis crashed before its append-only file reached the disk), the worker's
 * sweeper queues it again. Nothing is lost, and the worker's idempotent steps
 * make a repeat harmless. The lifecycle itself (statuses, cancel) is lib/order's.
 *
 * What the shopper saw (expectedTotalCents, expectedItems: lib/order's
 * order_expectation) is compared with the cart read and priced under that same
 * lock, so no other tab can change the cart between the check and the order: a
 * difference is 409 cart_changed with the cart as it is now, and nothing moves.
 *
 * Idempotency-Key: its row is inserted in the same transaction under the
 * primary key (shopper, key), so of concurrent requests with one key exactly one
 * commits an order; the others wait on that key and then answer as it did.
 * Two requests are the same when they mean the same: the row keeps a hash of
 * the shipping fields in a fixed order, not of the body's bytes. (A replay
 * answers with the order the key made; expectations are checked only when an
 * order is made, and a refused one leaves no key behind.)
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cart.h"
#include "lib/country.h"
#include "lib/cursor.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/money.h"
#include "lib/order.h"
#include "lib/responder.h"
#include "lib/settings.h"
#include "lib/validate.h"

#define ORDERS_DEFAULT_PAGE 20
#define ORDERS_MAX_PAGE 100
#define ORDER_STATUS_RECEIVED "Order Received"

static int orders_create(struct http_request *req, struct responder_context *ctx);
static int orders_list(struct http_request *req, struct responder_context *ctx);
static int orders_get(struct http_request *req, struct responder_context *ctx);
static int orders_cancel(struct http_request *req, struct responder_context *ctx);

static const struct responder_route orders_routes[] = {
    {"POST", "/api/orders", orders_create},
    {"GET", "/api/orders", orders_list},
    {"GET", "/api/orders/{id}", orders_get},
    {"POST", "/api/orders/{id}/cancel", orders_cancel},
    {NULL, NULL, NULL},
};

static const char SQL_FIND_IDEMPOTENCY_KEY[] =
    "SELECT request_hash, order_id FROM idempotency_keys WHERE user_id = ? AND idem_key = ?";
static const char SQL_INSERT_IDEMPOTENCY_KEY[] =
    "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, order_id) VALUES (?, ?, ?, ?)";
static const char SQL_CART_FOR_ORDER[] =
    "SELECT c.product_id, c.quantity, p.name, p.price_cents, p.stock, p.active, p.currency"
    " FROM cart_items c JOIN products p ON p.id = c.product_id"
    " WHERE c.user_id = ? ORDER BY c.product_id FOR UPDATE";
static const char SQL_GET_ORDER[] =
    "SELECT id, status, total_cents, currency, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ')"
    " FROM orders WHERE id = ? AND user_id = ?";
static const char SQL_ORDER_ITEMS[] =
    "SELECT product_id, name, unit_price_cents, quantity, line_total_cents"
    " FROM order_items WHERE order_id = ? ORDER BY product_id";
static const char SQL_LIST_ORDERS[] =
    "SELECT o.id, o.status, o.total_cents, o.currency, DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " DATE_FORMAT(o.updated_at, '%Y-%m-%dT%H:%i:%sZ'),"
    " (SELECT SUM(quantity) FROM order_items i WHERE i.order_id = o.id),"
    " DATE_FORMAT(o.created_at, '%Y-%m-%d %H:%i:%s.%f')"
    " FROM orders o WHERE o.user_id = ?"
    "   AND (? = 0 OR o.created_at < ? OR (o.created_at = ? AND o.id < ?))"
    " ORDER BY o.created_at DESC, o.id DESC LIMIT ?";
/* What the shopper sends for shipping; every field validated (orders_read_shipping). */
struct shipping {
    const char *name, *email, *address, *city, *postal_code, *country;
};

struct shipping_field;

/*
 * A field's check: NULL when *value is fine (it may then be rewritten to its
 * normal form, in the request's arena), else the message for the shopper. It
 * may read the other fields of ship, as read from the request (NULL: missing).
 */
typedef const char *shipping_check(struct http_request *req, const struct shipping *ship, const char **value,
                                   const struct shipping_field *field);

struct shipping_field {
    const char *key;
    size_t offset;              /* of the value in struct shipping */
    size_t min_bytes, max_bytes;
    shipping_check *check;
    size_t max_chars;
    const char *message;
};

static shipping_check shipping_text_check, shipping_email_check, shipping_address_check, shipping_city_check,
    shipping_postal_check, shipping_country_check;

/* In this order in the Idempotency-Key's request hash: append, never reorder. */
static const struct shipping_field shipping_fields[] = {
    {"name", offsetof(struct shipping, name), 1, 400, shipping_text_check, 100,
     "Enter the name to ship to (up to 100 characters)."},
    {"email", offsetof(struct shipping, email), 1, VALIDATE_EMAIL_MAX, shipping_email_check, 0,
     "Enter a valid e-mail address."},
    {"address", offsetof(struct shipping, address), 1, 800, shipping_address_check, 200,
     "Enter the street and house number (3 to 200 characters)."},
    {"city", offsetof(struct shipping, city), 1, 400, shipping_city_check, 100,
     "Enter the city or town (up to 100 characters)."},
    {"postalCode", offsetof(struct shipping, postal_code), 0, 20, shipping_postal_check, 0,
     "Enter the postal code: 3 to 10 letters, digits, spaces or hyphens, with at least one digit."},
    {"country", offsetof(struct shipping, country), 1, 2, shipping_country_check, 0,
     "Choose a country from the list."},
};

static const char *shipping_text_check(struct http_request *req, const struct shipping *ship, const char **value,
                                       const struct shipping_field *field)
{
    (void)req, (void)ship;
    return validate_text(*value, field->max_chars) ? NULL : field->message;
}

static const char *shipping_email_check(struct http_request *req, const struct shipping *ship, const char **value,
                                        const struct shipping_field *field)
{
    (void)req, (void)ship;
    return validate_email(*value) ? NULL : field->message;
}

static const char *shipping_address_check(struct http_request *req, const struct shipping *ship, const char **value,
                                          const struct shipping_field *field)
{
    (void)req, (void)ship;
    return validate_street_address(*value, field->max_chars) ? NULL : field->message;
}

static const char *shipping_city_check(struct http_request *req, const struct shipping *ship, const char **value,
                                       const struct shipping_field *field)
{
    (void)req, (void)ship;
    return validate_place_name(*value, field->max_chars) ? NULL : field->message;
}

/* Stored in upper case: "gb" is GB. */
static const char *shipping_country_check(struct http_request *req, const struct shipping *ship, const char **value,
                                          const struct shipping_field *field)
{
    const struct country *country = country_find(*value);

    (void)req, (void)ship;
    if (country == NULL)
        return field->message;
    *value = country->code;
    return NULL;
}

/* By the country's format when the shop knows it; with an unknown country, by the generic rule. */
static const char *shipping_postal_check(struct http_request *req, const struct shipping *ship, const char **value,
                                         const struct shipping_field *field)
{
    const struct country *country = ship->country != NULL ? country_find(ship->country) : NULL;
    const char *code = country != NULL ? country->code : "", *example = validate_postal_example(code), *message;
    char normalised[VALIDATE_POSTAL_MAX + 1];

    if (validate_postal_code(code, *value, normalised))
        return (*value = arena_strdup(req->arena, normalised)) != NULL ? NULL : field->message;
    if (example != NULL && (message = arena_printf(req->arena, "Enter a postal code for %s, such as %s.",
                                                   country->name, example)) != NULL)
        return message;
    if (country != NULL && validate_postal_optional(code))
        return "Enter the postal code (3 to 10 letters and digits), or leave it empty.";
    return field->message;
}

/*
 * Reads body.shipping into *out. Replies 400 when it is absent or not an object,
 * 422 invalid_shipping naming every bad field ({"fields":{"email":"…"}}).
 */
static int orders_read_shipping(struct http_request *req, struct json_object *body, struct shipping *out)
{
    struct json_object *shipping = NULL, *fields = NULL;
    size_t i;

    if (!json_object_object_get_ex(body, "shipping", &shipping) || !json_object_is_type(shipping, json_type_object))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_shipping", "shipping must be an object.", NULL);
    /* All read first: a field's check may look at another (the postal code at the country). */
    for (i = 0; i < sizeof(shipping_fields) / sizeof(shipping_fields[0]); i++) {
        const struct shipping_field *field = &shipping_fields[i];
        const char *value = NULL;

        if (json_get_string(shipping, field->key, field->min_bytes, field->max_bytes, &value) != SHOP_OK)
            value = NULL;
        *(const char **)((char *)out + field->offset) = value;
    }
    struct shipping read = *out;
    for (i = 0; i < sizeof(shipping_fields) / sizeof(shipping_fields[0]); i++) {
        const struct shipping_field *field = &shipping_fields[i];
        const char **value = (const char **)((char *)out + field->offset);
        const char *message = *value == NULL ? field->message : field->check(req, &read, value, field);

        if (message != NULL) {
            if (fields == NULL && (fields = http_own(req, json_object_new_object())) == NULL)
                return SHOP_ERR_NOMEM;
            json_object_object_add(fields, field->key, json_object_new_string(message));
        }
    }
    if (fields == NULL)
        return SHOP_OK;
    struct json_object *details = http_own(req, json_object_new_object());
    if (details == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(details, "fields", json_object_get(fields));
    return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "invalid_shipping", "Some shipping details need fixing.",
                            details);
}

/* Reads what the shopper saw (order_expectation_read); replies 400 invalid_expected_cart naming the bad field. */
static int orders_read_expected(struct http_request *req, struct json_object *body, struct order_expectation *out)
{
    struct json_object *details, *fields;
    const char *field;

    if (order_expectation_read(body, out, &field) == SHOP_OK)
        return SHOP_OK;
    if ((details = http_own(req, json_object_new_object())) == NULL || (fields = json_object_new_object()) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(details, "fields", fields);
    json_object_object_add(fields, field, json_object_new_string(
        strcmp(field, "expectedTotalCents") == 0
            ? "expectedTotalCents must be the total shown, in whole cents."
            : "expectedItems must list each product shown once, as {productId, quantity}, at most 50."));
    return http_reply_error(req, SHOP_ERR_INVALID, "invalid_expected_cart",
                            "The cart you saw (expectedTotalCents, expectedItems) is not well-formed.", details);
}

static int orders_reply_received(struct http_request *req, const char *order_id)
{
    struct json_object *body = http_own(req, json_object_new_object());

    if (body == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "orderId", json_object_new_string(order_id));
    json_object_object_add(body, "status", json_object_new_string(ORDER_STATUS_RECEIVED));
    http_add_header(req, "Location", arena_printf(req->arena, "/api/orders/%s", order_id));
    return http_reply_json(req, 201, body);
}

/*
 * The request's meaning as a hash (64 hex digits in hash): the shipping fields,
 * in shipping_fields[] order, as one JSON array. Key order, spacing and fields
 * the shop does not read make no difference; an absent or invalid field is
 * hashed as it is, so a retry of a refused request is refused the same way.
 */
static int orders_request_hash(struct json_object *body, char hash[crypto_hash_sha256_BYTES * 2 + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    struct json_object *shipping = NULL, *fields = json_object_new_array();
    const char *text;
    size_t i, len;

    if (fields == NULL)
        return SHOP_ERR_NOMEM;
    if (!json_object_object_get_ex(body, "shipping", &shipping) || !json_object_is_type(shipping, json_type_object))
        shipping = NULL;
    for (i = 0; i < sizeof(shipping_fields) / sizeof(shipping_fields[0]); i++) {
        struct json_object *value = NULL;

        if (shipping != NULL)
            json_object_object_get_ex(shipping, shipping_fields[i].key, &value);
        value = json_object_get(value); /* NULL stays NULL: JSON null */
        if (json_object_array_add(fields, value) != 0) {
            json_object_put(value);
            json_object_put(fields);
            return SHOP_ERR_NOMEM;
        }
    }
    if ((text = json_to_text(fields, &len)) == NULL) {
        json_object_put(fields);
        return SHOP_ERR_NOMEM;
    }
    crypto_hash_sha256(digest, (const unsigned char *)text, len);
    sodium_bin2hex(hash, crypto_hash_sha256_BYTES * 2 + 1, digest, sizeof(digest));
    json_object_put(fields);
    return SHOP_OK;
}

/*
 * Answers a request whose Idempotency-Key was used before: the first answer when
 * the request means the same (orders_request_hash), 422 when it differs. SHOP_ERR_NOT_FOUND: the key is new.
 */
static int orders_replay(struct http_request *req, struct responder_context *ctx, const char *key, const char *hash)
{
    const struct db_param params[] = {DB_PARAM_TEXT(ctx->session.user_id), DB_PARAM_TEXT(key)};
    struct db_result found;
    int rc = db_exec(ctx->db, req->arena, SQL_FIND_IDEMPOTENCY_KEY, params, 2, &found);

    if (rc != SHOP_OK)
        return rc;
    if (found.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    if (strcmp(db_result_text(&found, 0, 0), hash) != 0)
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "idempotency_key_reused",
                                "This Idempotency-Key was used with a different request.", NULL);
    return orders_reply_received(req, db_result_text(&found, 0, 1));
}

/* Locks the shopper's cart and reads its lines, with their products FOR UPDATE, into *lines (*count of them). */
static int orders_read_lines(struct http_request *req, struct db *db, const char *user, struct order_line **lines,
                             int *count)
{
    const struct db_param params[] = {DB_PARAM_TEXT(user)};
    struct db_result cart;
    int rc, i;

    if ((rc = cart_lock(db, req->arena, user)) != SHOP_OK ||
        (rc = db_exec(db, req->arena, SQL_CART_FOR_ORDER, params, 1, &cart)) != SHOP_OK)
        return rc;
    *count = cart.rows;
    if (cart.rows == 0)
        return SHOP_OK;
    if ((*lines = arena_alloc(req->arena, sizeof(**lines) * (size_t)cart.rows)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < cart.rows; i++) {
        struct order_line *line = &(*lines)[i];
        line->product_id = db_result_text(&cart, i, 0);
        line->quantity = db_result_int(&cart, i, 1);
        line->name = db_result_text(&cart, i, 2);
        line->unit_cents = db_result_int(&cart, i, 3);
        line->stock = db_result_int(&cart, i, 4);
        /* for sale: active, and priced in the shop's currency (never summed into another's total) */
        line->active = db_result_int(&cart, i, 5) != 0 && money_is_shop_currency(db_result_text(&cart, i, 6));
    }
    return SHOP_OK;
}

/* Refuses (SHOP_ERR_REPLIED, 409 insufficient_stock) lines no longer for sale in their quantity, naming each. */
static int orders_check_stock(struct http_request *req, const struct order_line *lines, int count)
{
    struct json_object *short_lines = NULL;
    int i;

    for (i = 0; i < count; i++) {
        const struct order_line *line = &lines[i];

        if (line->active && line->stock >= line->quantity)
            continue;
        if (short_lines == NULL && (short_lines = http_own(req, json_object_new_array())) == NULL)
            return SHOP_ERR_NOMEM;
        struct json_object *item = json_object_new_object();
        json_object_object_add(item, "productId", json_object_new_string(line->product_id));
        json_object_object_add(item, "name", json_object_new_string(line->name));
        json_object_object_add(item, "requested", json_object_new_int64(line->quantity));
        json_object_object_add(item, "available", json_object_new_int64(line->active ? line->stock : 0));
        json_object_array_add(short_lines, item);
    }
    if (short_lines == NULL)
        return SHOP_OK;
    struct json_object *details = http_own(req, json_object_new_object());
    if (details == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(details, "lines", json_object_get(short_lines));
    return http_reply_error(req, SHOP_ERR_CONFLICT, "insufficient_stock",
                            "Some products in the cart are no longer available in that quantity.", details);
}

/* The order total from the priced lines; the cart limits keep it far below overflow. */
static int orders_total(struct http_request *req, struct order_line *lines, int count, long long *total)
{
    int i;

    *total = 0;
    for (i = 0; i < count; i++) {
        if (money_line_total(lines[i].unit_cents, lines[i].quantity, &lines[i].line_cents) != SHOP_OK ||
            money_add(total, lines[i].line_cents) != SHOP_OK) {
            log_event(LOG_LEVEL_ERROR, req->request_id, "event=checkout_invariant step=total product=%s",
                      lines[i].product_id);
            return SHOP_ERR_INTERNAL;
        }
    }
    return SHOP_OK;
}

/* One checkout, as a db_transaction body. */
struct orders_checkout {
    struct http_request *req;
    struct responder_context *ctx;
    const char *order_id, *key, *hash;
    const struct shipping *ship;
    const struct order_expectation *expected;
};

/*
 * Refuses (SHOP_ERR_REPLIED, 409 cart_changed) a cart that is not the one the
 * shopper saw, with the cart as it is now (read under the same lock), so they
 * can look again: nothing is ordered, nothing taken from stock.
 */
static int orders_check_expected(struct http_request *req, struct db *db, const struct orders_checkout *c,
                                 const struct order_line *lines, int count, long long total)
{
    struct json_object *cart, *details;
    int rc;

    if (order_expectation_met(c->expected, lines, count, total))
        return SHOP_OK;
    if ((rc = cart_to_json(db, req->arena, c->ctx->session.user_id, &cart)) != SHOP_OK)
        return rc;
    if (http_own(req, cart) == NULL || (details = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(details, "cart", json_object_get(cart));
    log_event(LOG_LEVEL_INFO, req->request_id, "event=checkout_cart_changed lines=%d total_cents=%lld", count, total);
    return http_reply_error(req, SHOP_ERR_CONFLICT, "cart_changed",
                            "Your cart changed (in another tab?): check the new total and place the order again.",
                            details);
}

static int orders_checkout_body(struct db *db, void *arg)
{
    const struct orders_checkout *c = arg;
    struct http_request *req = c->req;
    const char *user = c->ctx->session.user_id;
    struct order_line *lines = NULL;
    struct order_draft draft;
    int count = 0, rc;

    if (c->key != NULL) {
        const struct db_param idem[] = {DB_PARAM_TEXT(user), DB_PARAM_TEXT(c->key), DB_PARAM_TEXT(c->hash),
                                        DB_PARAM_TEXT(c->order_id)};
        /* SHOP_ERR_CONFLICT: a request with this key committed first */
        if ((rc = db_exec(db, req->arena, SQL_INSERT_IDEMPOTENCY_KEY, idem, 4, NULL)) != SHOP_OK)
            return rc;
    }
    draft = (struct order_draft){
        .id = c->order_id, .user_id = user, .email = c->ship->email, .name = c->ship->name,
        .address = c->ship->address, .city = c->ship->city, .postal_code = c->ship->postal_code,
        .country = c->ship->country, .currency = money_currency(),
    };
    /* Stock first: once every line is for sale, the cart the shopper is shown is exactly these lines. */
    if ((rc = orders_read_lines(req, db, user, &lines, &count)) != SHOP_OK ||
        (rc = orders_check_stock(req, lines, count)) != SHOP_OK ||
        (rc = orders_total(req, lines, count, &draft.total_cents)) != SHOP_OK ||
        (rc = orders_check_expected(req, db, c, lines, count, draft.total_cents)) != SHOP_OK)
        return rc;
    if (count == 0)
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "cart_empty", "The cart is empty.", NULL);
    draft.line_count = count;
    return order_create(db, req->arena, &draft);
}

/* Pushes the order's message; on failure the order is made due for the sweeper at once. */
static void orders_enqueue(struct http_request *req, struct responder_context *ctx, const char *order_id,
                           const char *email)
{
    struct order_message message = {.attempt = 1};
    struct queue_names names;
    char text[QUEUE_MAX_MESSAGE];
    size_t len;
    int rc;

    snprintf(message.order_id, sizeof(message.order_id), "%s", order_id);
    snprintf(message.email, sizeof(message.email), "%s", email);
    if ((rc = queue_names_load(&names)) == SHOP_OK &&
        (rc = order_message_encode(&message, text, sizeof(text), &len)) == SHOP_OK)
        rc = queue_push(ctx->queue, names.queue, text, len);
    if (rc == SHOP_OK)
        return;
    log_event(LOG_LEVEL_WARN, req->request_id, "event=order_enqueue_deferred order=%s reason=%s", order_id,
              shop_err_code(rc));
    if (order_note_push_failed(ctx->db, req->arena, order_id) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, req->request_id, "event=order_push_failure_unrecorded order=%s", order_id);
}

static int orders_create(struct http_request *req, struct responder_context *ctx)
{
    const char *key = http_param(req, "HTTP_IDEMPOTENCY_KEY");
    char order_id[ORDER_ID_MAX + 1], hash[crypto_hash_sha256_BYTES * 2 + 1];
    struct order_expectation expected;
    struct json_object *body;
    struct shipping ship;
    int rc;

    if ((rc = http_read_json(req, (size_t)responder_max_body(), &body)) != SHOP_OK)
        return rc;
    if (key != NULL && !order_idempotency_key_valid(key))
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_idempotency_key",
                                "Idempotency-Key must be 1 to 128 printable ASCII characters.", NULL);
    if ((rc = orders_request_hash(body, hash)) != SHOP_OK)
        return rc;
    /* A key seen before answers first, whatever this body holds. */
    if (key != NULL && (rc = orders_replay(req, ctx, key, hash)) != SHOP_ERR_NOT_FOUND)
        return rc;
    if ((rc = orders_read_shipping(req, body, &ship)) != SHOP_OK ||
        (rc = orders_read_expected(req, body, &expected)) != SHOP_OK)
        return rc;

    order_id_new(order_id);
    struct orders_checkout checkout = {req, ctx, order_id, key, hash, &ship, &expected};
    rc = db_transaction(ctx->db, orders_checkout_body, &checkout);
    if (rc == SHOP_ERR_CONFLICT && key != NULL) /* a request with this key committed first */
        return orders_replay(req, ctx, key, hash);
    if (rc != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=order_accepted order=%s", order_id);
    orders_enqueue(req, ctx, order_id, ship.email);
    return orders_reply_received(req, order_id);
}

static struct json_object *orders_items_json(struct http_request *req, struct responder_context *ctx,
                                             const char *order_id, int *rc)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct db_result rows;
    struct json_object *items;
    int i;

    if ((*rc = db_exec(ctx->db, req->arena, SQL_ORDER_ITEMS, id, 1, &rows)) != SHOP_OK)
        return NULL;
    if ((items = json_object_new_array()) == NULL) {
        *rc = SHOP_ERR_NOMEM;
        return NULL;
    }
    for (i = 0; i < rows.rows; i++) {
        struct json_object *item = json_object_new_object();
        json_object_object_add(item, "productId", json_object_new_string(db_result_text(&rows, i, 0)));
        json_object_object_add(item, "name", json_object_new_string(db_result_text(&rows, i, 1)));
        json_object_object_add(item, "unitPriceCents", json_object_new_int64(db_result_int(&rows, i, 2)));
        json_object_object_add(item, "quantity", json_object_new_int64(db_result_int(&rows, i, 3)));
        json_object_object_add(item, "lineTotalCents", json_object_new_int64(db_result_int(&rows, i, 4)));
        json_object_array_add(items, item);
    }
    return items;
}

/* The order's short reference (lib/order), what the shopper quotes. */
static struct json_object *orders_reference_json(const char *order_id)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order_id, reference);
    return json_object_new_string(reference);
}

/*
 * Whom the shopper can write to about the order (the support_email setting):
 * in the order's own answer, so the page that needs it (a declined or failed
 * order) has it without another request.
 */
static struct json_object *orders_contact_json(void)
{
    struct json_object *contact = json_object_new_object();

    if (contact != NULL)
        json_object_object_add(contact, "email", json_object_new_string(settings_get()->support_email));
    return contact;
}

static int orders_get(struct http_request *req, struct responder_context *ctx)
{
    const char *order_id = req->route_params[0];
    struct db_result order;
    struct json_object *body, *items;
    int rc;

    if (!order_id_valid(order_id))
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "order_not_found", "No such order.", NULL);
    const struct db_param key[] = {DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(ctx->session.user_id)};
    if ((rc = db_exec(ctx->db, req->arena, SQL_GET_ORDER, key, 2, &order)) != SHOP_OK)
        return rc;
    /* Another shopper's order is as unknown as one that does not exist. */
    if (order.rows == 0)
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "order_not_found", "No such order.", NULL);
    if ((body = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    if ((items = orders_items_json(req, ctx, order_id, &rc)) == NULL)
        return rc;
    json_object_object_add(body, "orderId", json_object_new_string(db_result_text(&order, 0, 0)));
    json_object_object_add(body, "reference", orders_reference_json(db_result_text(&order, 0, 0)));
    json_object_object_add(body, "status", json_object_new_string(db_result_text(&order, 0, 1)));
    json_object_object_add(body, "items", items);
    json_object_object_add(body, "totalCents", json_object_new_int64(db_result_int(&order, 0, 2)));
    json_object_object_add(body, "currency", json_object_new_string(db_result_text(&order, 0, 3)));
    json_object_object_add(body, "createdAt", json_object_new_string(db_result_text(&order, 0, 4)));
    json_object_object_add(body, "updatedAt", json_object_new_string(db_result_text(&order, 0, 5)));
    json_object_object_add(body, "contact", orders_contact_json());
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, 200, body);
}

static int orders_parse_page(struct http_request *req, long long *limit, const char **after)
{
    const char *cursor = http_query_get(req, "cursor");
    int rc = http_query_limit(req, ORDERS_DEFAULT_PAGE, ORDERS_MAX_PAGE, limit);

    if (rc != SHOP_OK)
        return rc;
    if (cursor != NULL && cursor_decode("orders", cursor, req->arena, after, 2) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_cursor", "cursor is not one this shop issued.", NULL);
    return SHOP_OK;
}

static int orders_list(struct http_request *req, struct responder_context *ctx)
{
    const char *after[2] = {"", ""};
    struct json_object *body, *items;
    struct db_result rows;
    long long limit;
    int rc, i, shown;

    if ((rc = orders_parse_page(req, &limit, after)) != SHOP_OK)
        return rc;
    const bool paged = http_query_get(req, "cursor") != NULL;
    const struct db_param params[] = {DB_PARAM_TEXT(ctx->session.user_id), DB_PARAM_INT(paged),
                                      DB_PARAM_TEXT(paged ? after[0] : "1970-01-01"),
                                      DB_PARAM_TEXT(paged ? after[0] : "1970-01-01"), DB_PARAM_TEXT(after[1]),
                                      DB_PARAM_INT(limit + 1)};
    if ((rc = db_exec(ctx->db, req->arena, SQL_LIST_ORDERS, params, 6, &rows)) != SHOP_OK)
        return rc;
    if ((body = http_list_body(req, &items)) == NULL)
        return SHOP_ERR_NOMEM;
    shown = rows.rows > limit ? (int)limit : rows.rows;
    for (i = 0; i < shown; i++) {
        struct json_object *order = json_object_new_object();
        json_object_object_add(order, "orderId", json_object_new_string(db_result_text(&rows, i, 0)));
        json_object_object_add(order, "reference", orders_reference_json(db_result_text(&rows, i, 0)));
        json_object_object_add(order, "status", json_object_new_string(db_result_text(&rows, i, 1)));
        json_object_object_add(order, "totalCents", json_object_new_int64(db_result_int(&rows, i, 2)));
        json_object_object_add(order, "currency", json_object_new_string(db_result_text(&rows, i, 3)));
        json_object_object_add(order, "createdAt", json_object_new_string(db_result_text(&rows, i, 4)));
        json_object_object_add(order, "updatedAt", json_object_new_string(db_result_text(&rows, i, 5)));
        json_object_object_add(order, "itemCount", json_object_new_int64(db_result_int(&rows, i, 6)));
        json_object_array_add(items, order);
    }
    /* The next page starts after the last row shown: (created_at, id). */
    const char *last[2] = {db_result_text(&rows, shown - 1, 7), db_result_text(&rows, shown - 1, 0)};
    if (cursor_add_next(body, "orders", rows.rows > limit ? last : NULL, 2) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, 200, body);
}

static int orders_cancel(struct http_request *req, struct responder_context *ctx)
{
    const char *order_id = req->route_params[0];
    bool cancelled = false;
    int rc;

    if (!order_id_valid(order_id))
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "order_not_found", "No such order.", NULL);
    rc = order_cancel(ctx->db, req->arena, order_id, ctx->session.user_id, &cancelled);
    if (rc == SHOP_ERR_NOT_FOUND)
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "order_not_found", "No such order.", NULL);
    if (rc != SHOP_OK)
        return rc;
    if (cancelled)
        return orders_get(req, ctx);
    return http_reply_error(req, SHOP_ERR_CONFLICT, "not_cancellable",
                            "Only an order that is still pending and not yet being processed can be cancelled.", NULL);
}

static const struct responder orders_responder = {
    .name = "orders",
    .routes = orders_routes,
    .uses_queue = true,
    .uses_session = true,
};

int main(int argc, char **argv)
{
    return responder_main(&orders_responder, argc, argv);
}

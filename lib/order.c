/*
 * order.c - the order lifecycle (see order.h): the one place that knows the
 * status names and writes the orders table's status, claim and enqueue mark.
 *
 * Each transition is one conditional UPDATE "WHERE status = <from> AND <who
 * may>", and its side effects (stock back, carts, e-mails, purchases) run in
 * the same transaction only when that UPDATE changed the row. That is what
 * makes every step safe to repeat.
 */
#include "order.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "email.h"
#include "err.h"
#include "interest.h"
#include "json.h"
#include "log.h"
#include "money.h"
#include "payment.h"
#include "product.h"
#include "stock.h"

/* Indexed by enum order_status. */
static const char *const order_status_names[ORDER_STATUS_COUNT] = {
    [ORDER_PENDING] = "PENDING",
    [ORDER_PROCESSED] = "PROCESSED",
    [ORDER_PAYMENT_FAILED] = "PAYMENT_FAILED",
    [ORDER_FAILED] = "FAILED",
    [ORDER_CANCELLED] = "CANCELLED",
    [ORDER_REFUNDED] = "REFUNDED",
};

/* Checkout: every line at once; the rows are locked and were checked, so each line's update must hit. */
static const char SQL_TAKE_STOCK[] =
    "UPDATE products p JOIN cart_items c ON c.product_id = p.id AND c.user_id = ?"
    " SET p.stock = p.stock - c.quantity WHERE p.active = 1 AND p.stock >= c.quantity";
static const char SQL_INSERT_ORDER[] =
    "INSERT INTO orders (id, user_id, status, email, shipping_name, shipping_address, shipping_city,"
    " shipping_postal_code, shipping_country, total_cents, currency, enqueue_pending)"
    " VALUES (?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?, 1)";
/* Priced from the products rows the transaction holds locked: the prices the total was made of. */
static const char SQL_INSERT_ORDER_ITEMS[] =
    "INSERT INTO order_items (order_id, product_id, name, unit_price_cents, quantity, line_total_cents)"
    " SELECT ?, c.product_id, p.name, p.price_cents, c.quantity, p.price_cents * c.quantity"
    " FROM cart_items c JOIN products p ON p.id = c.product_id WHERE c.user_id = ?";
static const char SQL_PUSH_FAILED[] =
    "UPDATE orders SET enqueued_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 DAY WHERE id = ? AND enqueue_pending = 1";

static const char SQL_REQUEUE_PENDING[] =
    "UPDATE orders SET enqueue_pending = 1, enqueued_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 DAY,"
    " claimed_by = NULL, claim_expires_at = NULL WHERE status = 'PENDING'";

/* Cancel: only an order no worker ever claimed, so a cancel never races a charge. */
static const char SQL_CANCEL[] =
    "UPDATE orders SET status = 'CANCELLED', enqueue_pending = 0"
    " WHERE id = ? AND user_id = ? AND status = 'PENDING' AND processing_started_at IS NULL";
static const char SQL_OWNED[] = "SELECT 1 FROM orders WHERE id = ? AND user_id = ?";
static const char SQL_CANCEL_BY_OPERATOR[] =
    "UPDATE orders SET status = 'CANCELLED', enqueue_pending = 0"
    " WHERE id = ? AND status = 'PENDING' AND processing_started_at IS NULL";
static const char SQL_EXISTS[] = "SELECT 1 FROM orders WHERE id = ?";
/* A range of the primary key: the ids that start with the reference's prefix (two are enough to tell). */
static const char SQL_BY_REFERENCE[] =
    "SELECT id FROM orders WHERE id LIKE CONCAT(?, '%') ORDER BY id LIMIT 2";

/* Refund: a PROCESSED order only; the row lock makes a concurrent second refund wait, then find it REFUNDED. */
static const char SQL_SET_REFUNDED[] = "UPDATE orders SET status = 'REFUNDED' WHERE id = ? AND status = 'PROCESSED'";

/* A PENDING order is marked for the queue or claimed (order.h): each an index of its own, no scan of every order. */
static const char SQL_BUSY_SHOPPERS[] =
    "SELECT DISTINCT u.uid FROM JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u"
    " JOIN orders o ON o.user_id = u.uid WHERE o.status IN ('PENDING', 'FAILED')";
static const char SQL_MOVE_TO_USER[] = "UPDATE orders SET user_id = ? WHERE user_id = ?";

static const char SQL_CLAIM[] =
    "UPDATE orders o JOIN " ORDER_SQL_IDS " ON o.id = j.jid"
    " SET o.processing_started_at = COALESCE(o.processing_started_at, CURRENT_TIMESTAMP(3)),"
    "  o.enqueue_pending = 0, o.claimed_by = ?, o.claim_expires_at = CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND"
    " WHERE o.status = 'PENDING'"
    "  AND (o.claimed_by IS NULL OR o.claimed_by = ? OR o.claim_expires_at < CURRENT_TIMESTAMP(3))";
static const char SQL_CLAIMED[] =
    "SELECT o.id FROM " ORDER_SQL_IDS " JOIN orders o ON o.id = j.jid"
    " WHERE o.status = 'PENDING' AND o.claimed_by = ?";
/* Only the orders of the batch in hand: a claim left over from a failed release must be let expire. */
static const char SQL_CLAIM_RENEW[] =
    "UPDATE orders o JOIN " ORDER_SQL_IDS " ON o.id = j.jid"
    " SET o.claim_expires_at = CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND"
    " WHERE o.claimed_by = ? AND o.status = 'PENDING'";
static const char SQL_RELEASE[] =
    "UPDATE orders SET claimed_by = NULL, claim_expires_at = NULL, enqueue_pending = 1,"
    " enqueued_at = CURRENT_TIMESTAMP(3) + INTERVAL ? * 1000 MICROSECOND"
    " WHERE id = ? AND status = 'PENDING' AND claimed_by = ?";

/* The final transaction: which of the orders are still PENDING and held, locked in id order. */
static const char SQL_LOCK_HELD[] =
    "SELECT o.id, o.user_id FROM " ORDER_SQL_IDS " JOIN orders o ON o.id = j.jid"
    " WHERE o.status = 'PENDING' AND o.claimed_by = ? ORDER BY o.id FOR UPDATE";
static const char SQL_SET_PROCESSED[] =
    "UPDATE orders o JOIN " ORDER_SQL_IDS " ON o.id = j.jid"
    " SET o.status = 'PROCESSED', o.last_error = NULL, o.claimed_by = NULL, o.claim_expires_at = NULL"
    " WHERE o.status = 'PENDING'";
/* Summed per (shopper, product) first: a multi-table UPDATE changes a row once. */
static const char SQL_TAKE_ORDERED_FROM_CARTS[] =
    "UPDATE cart_items c JOIN (SELECT o.user_id, i.product_id, SUM(i.quantity) AS quantity"
    "  FROM " ORDER_SQL_IDS " JOIN orders o ON o.id = j.jid JOIN order_items i ON i.order_id = o.id"
    "  GROUP BY o.user_id, i.product_id) t ON c.user_id = t.user_id AND c.product_id = t.product_id"
    " SET c.quantity = IF(c.quantity > t.quantity, c.quantity - t.quantity, 0)";
static const char SQL_DROP_EMPTY_LINES[] =
    "DELETE c FROM cart_items c"
    " JOIN JSON_TABLE(?, '$[*]' COLUMNS (uid CHAR(32) CHARACTER SET ascii PATH '$')) u ON c.user_id = u.uid"
    " WHERE c.quantity = 0";

static const char SQL_SET_PAYMENT_FAILED[] =
    "UPDATE orders SET status = 'PAYMENT_FAILED', last_error = 'card declined', claimed_by = NULL,"
    " claim_expires_at = NULL WHERE id = ? AND status = 'PENDING' AND claimed_by = ?";
/*
 * A charged order never ends FAILED (it is finished by a later attempt), nor
 * CANCELLED from the dead letters: the ledger is checked in the same statement.
 */
#define ORDER_SQL_NOT_CHARGED \
    " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = orders.id AND p.outcome = 'CHARGED')"
static const char SQL_IS_CHARGED[] = "SELECT 1 FROM payments WHERE order_id = ? AND outcome = 'CHARGED'";
static const char SQL_SET_FAILED[] =
    "UPDATE orders SET status = 'FAILED', last_error = ?, claimed_by = NULL, claim_expires_at = NULL,"
    " enqueue_pending = 0 WHERE id = ? AND status = 'PENDING'"
    "  AND (claimed_by IS NULL OR claimed_by = ? OR claim_expires_at < CURRENT_TIMESTAMP(3))" ORDER_SQL_NOT_CHARGED;
/* processing_started_at stays: a replayed order may have been charged, so it is never cancellable. */
static const char SQL_REOPEN[] =
    "UPDATE orders SET status = 'PENDING', last_error = NULL, claimed_by = NULL, claim_expires_at = NULL,"
    " enqueue_pending = 1, enqueued_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'FAILED'";
static const char SQL_DISCARD[] =
    "UPDATE orders SET status = 'CANCELLED', enqueue_pending = 0 WHERE id = ? AND status = 'FAILED'"
    ORDER_SQL_NOT_CHARGED;

/* Marked orders first (column 3 = 0), then expired claims (1); column 2 identifies the state seen. */
static const char SQL_UNQUEUED[] =
    "(SELECT id, email, enqueued_at, 0 FROM orders"
    "  WHERE enqueue_pending = 1 AND status = 'PENDING' AND enqueued_at < CURRENT_TIMESTAMP(3) - INTERVAL ? * 1000 MICROSECOND"
    "  ORDER BY enqueued_at LIMIT ?)"
    " UNION ALL"
    " (SELECT id, email, claim_expires_at, 1 FROM orders"
    "  WHERE claim_expires_at < CURRENT_TIMESTAMP(3) AND status = 'PENDING' ORDER BY claim_expires_at LIMIT ?)";
/* Index order (orders_unclaimed): the first row is the oldest; marked orders are PENDING, so none is skipped. */
static const char SQL_OLDEST_UNCLAIMED[] =
    "SELECT TIMESTAMPDIFF(SECOND, created_at, CURRENT_TIMESTAMP(3)) FROM orders"
    " WHERE enqueue_pending = 1 AND processing_started_at IS NULL AND status = 'PENDING'"
    " ORDER BY created_at LIMIT 1";
static const char SQL_RECORD_PUSH_MARKED[] =
    "UPDATE orders SET enqueued_at = CURRENT_TIMESTAMP(3)"
    " WHERE id = ? AND enqueue_pending = 1 AND status = 'PENDING' AND enqueued_at = ?";
static const char SQL_RECORD_PUSH_EXPIRED[] =
    "UPDATE orders SET claimed_by = NULL, claim_expires_at = NULL, enqueue_pending = 1,"
    " enqueued_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'PENDING' AND claim_expires_at = ?";

const char *order_status_name(enum order_status status)
{
    return (unsigned)status < ORDER_STATUS_COUNT ? order_status_names[status] : NULL;
}

int order_status_parse(const char *name, enum order_status *out)
{
    int i;

    for (i = 0; i < ORDER_STATUS_COUNT; i++) {
        if (strcmp(order_status_names[i], name) == 0) {
            *out = (enum order_status)i;
            return SHOP_OK;
        }
    }
    return SHOP_ERR_INVALID;
}

static const char SQL_COUNT_BY_STATUS[] = "SELECT status, COUNT(*) FROM orders GROUP BY status";
/* Each half reads one mark's index; UNION drops an order seen in both (none should be). */
static const char SQL_PENDING_SUMMARY[] =
    "SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(3)), 0) FROM ("
    " SELECT id, created_at FROM orders WHERE enqueue_pending = 1 AND status = 'PENDING'"
    " UNION SELECT id, created_at FROM orders WHERE claim_expires_at IS NOT NULL AND status = 'PENDING') p";

int order_count_by_status(struct db *db, struct arena *arena, long long counts[ORDER_STATUS_COUNT])
{
    struct db_result rows;
    enum order_status status;
    int rc, i;

    for (i = 0; i < ORDER_STATUS_COUNT; i++)
        counts[i] = 0;
    if ((rc = db_exec(db, arena, SQL_COUNT_BY_STATUS, NULL, 0, &rows)) != SHOP_OK)
        return rc;
    for (i = 0; i < rows.rows; i++) {
        if (order_status_parse(db_result_text(&rows, i, 0), &status) == SHOP_OK)
            counts[status] = db_result_int(&rows, i, 1);
    }
    return SHOP_OK;
}

int order_pending_summary(struct db *db, struct arena *arena, long long *pending, double *oldest_seconds)
{
    struct db_result rows;
    int rc;

    if ((rc = db_exec(db, arena, SQL_PENDING_SUMMARY, NULL, 0, &rows)) != SHOP_OK)
        return rc;
    *pending = db_result_int(&rows, 0, 0);
    *oldest_seconds = (double)db_result_int(&rows, 0, 1) / 1e6;
    return SHOP_OK;
}

bool order_idempotency_key_valid(const char *key)
{
    size_t len = strlen(key), i;
    bool visible = false;

    if (len == 0 || len > ORDER_IDEMPOTENCY_KEY_MAX)
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < ' ' || c > '~')
            return false;
        visible |= key[i] != ' ';
    }
    return visible;
}

bool order_id_valid(const char *id)
{
    size_t prefix = sizeof(ORDER_ID_PREFIX) - 1, i;

    if (strlen(id) != ORDER_ID_MAX || strncmp(id, ORDER_ID_PREFIX, prefix) != 0)
        return false;
    for (i = prefix; i < ORDER_ID_MAX; i++) {
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    }
    return true;
}

void order_reference(const char *order_id, char *out)
{
    const char *hex = order_id + sizeof(ORDER_ID_PREFIX) - 1;
    int i, o = 0;

    for (i = 0; i < ORDER_REFERENCE_HEX; i++) {
        if (i == ORDER_REFERENCE_HEX / 2)
            out[o++] = '-';
        out[o++] = (char)toupper((unsigned char)hex[i]);
    }
    out[o] = '\0';
}

int order_reference_parse(const char *reference, char *prefix)
{
    size_t len = strlen(reference), start = sizeof(ORDER_ID_PREFIX) - 1, n = 0, i;

    if (len != ORDER_REFERENCE_HEX && len != ORDER_REFERENCE_MAX)
        return SHOP_ERR_INVALID;
    memcpy(prefix, ORDER_ID_PREFIX, start);
    for (i = 0; i < len; i++) {
        if (len == ORDER_REFERENCE_MAX && i == ORDER_REFERENCE_HEX / 2) {
            if (reference[i] != '-')
                return SHOP_ERR_INVALID;
            continue;
        }
        if (!isxdigit((unsigned char)reference[i]))
            return SHOP_ERR_INVALID;
        prefix[start + n++] = (char)tolower((unsigned char)reference[i]);
    }
    prefix[start + n] = '\0';
    return SHOP_OK;
}

int order_find_by_reference(struct db *db, struct arena *arena, const char *reference, char *id)
{
    char prefix[sizeof(ORDER_ID_PREFIX) + ORDER_REFERENCE_HEX];
    struct db_result found;
    int rc;

    if (order_reference_parse(reference, prefix) != SHOP_OK)
        return SHOP_ERR_INVALID;
    const struct db_param key[] = {DB_PARAM_TEXT(prefix)};
    if ((rc = db_exec(db, arena, SQL_BY_REFERENCE, key, 1, &found)) != SHOP_OK)
        return rc;
    if (found.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    snprintf(id, ORDER_ID_MAX + 1, "%s", db_result_text(&found, 0, 0));
    return found.rows > 1 ? SHOP_ERR_CONFLICT : SHOP_OK;
}

void order_id_new(char *out)
{
    unsigned char random[ORDER_ID_HEX / 2];
    size_t prefix = sizeof(ORDER_ID_PREFIX) - 1;

    randombytes_buf(random, sizeof(random));
    memcpy(out, ORDER_ID_PREFIX, prefix);
    sodium_bin2hex(out + prefix, ORDER_ID_HEX + 1, random, sizeof(random));
}

int order_message_encode(const struct order_message *m, char *out, size_t cap, size_t *len)
{
    struct json_object *message = json_object_new_object();
    const char *text;
    int rc = SHOP_OK;

    if (message == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(message, "orderId", json_object_new_string(m->order_id));
    if (m->email[0] != '\0')
        json_object_object_add(message, "userEmail", json_object_new_string(m->email));
    if (m->attempt > 1)
        json_object_object_add(message, "attempt", json_object_new_int64(m->attempt));
    if (m->error[0] != '\0')
        json_object_object_add(message, "error", json_object_new_string(m->error));
    if ((text = json_to_text(message, len)) == NULL)
        rc = SHOP_ERR_NOMEM;
    else if (*len >= cap)
        rc = SHOP_ERR_TOO_LARGE;
    else
        memcpy(out, text, *len + 1);
    json_object_put(message);
    return rc;
}

/* Copies optional string field key (at most max bytes) into out; absent is empty. */
static int order_message_field(struct json_object *parsed, const char *key, size_t max, char *out)
{
    const char *value = NULL;
    int rc = json_get_string(parsed, key, 0, max, &value);

    out[0] = '\0';
    if (rc == SHOP_ERR_NOT_FOUND)
        return SHOP_OK;
    if (rc == SHOP_OK)
        snprintf(out, max + 1, "%s", value);
    return rc;
}

int order_message_decode(const char *text, size_t len, struct order_message *m)
{
    struct json_object *parsed = NULL;
    int rc;

    memset(m, 0, sizeof(*m));
    if (json_parse_object(text, len, &parsed) != SHOP_OK)
        return SHOP_ERR_INVALID;
    rc = order_message_field(parsed, "orderId", ORDER_ID_MAX, m->order_id);
    if (rc == SHOP_OK && !order_id_valid(m->order_id))
        rc = SHOP_ERR_INVALID;
    if (rc == SHOP_OK)
        rc = order_message_field(parsed, "userEmail", ORDER_EMAIL_MAX, m->email);
    if (rc == SHOP_OK)
        rc = order_message_field(parsed, "error", ORDER_ERROR_MAX, m->error);
    if (rc == SHOP_OK && (rc = json_get_int(parsed, "attempt", 1, ORDER_ATTEMPT_MAX, &m->attempt)) == SHOP_ERR_NOT_FOUND) {
        m->attempt = 1;
        rc = SHOP_OK;
    }
    json_object_put(parsed);
    return rc == SHOP_OK ? SHOP_OK : SHOP_ERR_INVALID;
}

/* One line of expectedItems: {"productId": a product id, "quantity": 1..CART_MAX_QUANTITY}. */
static bool order_expected_line_read(struct json_object *item, struct order_expected_line *out)
{
    if (!json_object_is_type(item, json_type_object) ||
        json_get_string(item, "productId", 1, PRODUCT_ID_MAX, &out->product_id) != SHOP_OK ||
        !product_id_valid(out->product_id))
        return false;
    return json_get_int(item, "quantity", 1, CART_MAX_QUANTITY, &out->quantity) == SHOP_OK;
}

static bool order_expected_lines_read(struct json_object *items, struct order_expectation *out)
{
    size_t count, i;
    int j;

    if (!json_object_is_type(items, json_type_array) || (count = json_object_array_length(items)) > CART_MAX_LINES)
        return false;
    for (i = 0; i < count; i++) {
        struct order_expected_line *line = &out->lines[i];

        if (!order_expected_line_read(json_object_array_get_idx(items, i), line))
            return false;
        for (j = 0; j < (int)i; j++) { /* each product once: a cart has one line per product */
            if (strcmp(out->lines[j].product_id, line->product_id) == 0)
                return false;
        }
    }
    out->line_count = (int)count;
    return true;
}

int order_expectation_read(struct json_object *body, struct order_expectation *out, const char **field)
{
    struct json_object *items = NULL;

    memset(out, 0, sizeof(*out));
    *field = NULL;
    if (json_has(body, "expectedTotalCents")) {
        if (json_get_int(body, "expectedTotalCents", 0, MONEY_MAX_CENTS, &out->total_cents) != SHOP_OK) {
            *field = "expectedTotalCents";
            return SHOP_ERR_INVALID;
        }
        out->has_total = true;
    }
    if (json_object_object_get_ex(body, "expectedItems", &items)) {
        if (!order_expected_lines_read(items, out)) {
            *field = "expectedItems";
            return SHOP_ERR_INVALID;
        }
        out->has_lines = true;
    }
    return SHOP_OK;
}

/* The quantity *e expects of product_id; 0 when it expects none. */
static long long order_expected_quantity(const struct order_expectation *e, const char *product_id)
{
    int i;

    for (i = 0; i < e->line_count; i++) {
        if (strcmp(e->lines[i].product_id, product_id) == 0)
            return e->lines[i].quantity;
    }
    return 0;
}

bool order_expectation_met(const struct order_expectation *e, const struct order_line *lines, int count,
                           long long total_cents)
{
    int i;

    if (e->has_total && e->total_cents != total_cents)
        return false;
    if (!e->has_lines)
        return true;
    /* Same number of distinct products, and each cart line expected with its quantity: the same set. */
    if (e->line_count != count)
        return false;
    for (i = 0; i < count; i++) {
        if (order_expected_quantity(e, lines[i].product_id) != lines[i].quantity)
            return false;
    }
    return true;
}

/* A statement that had to touch exactly expected rows did not: a broken invariant, logged. */
static int order_invariant(const char *order_id, const char *step, int expected, unsigned long long touched)
{
    if (touched == (unsigned long long)expected)
        return SHOP_OK;
    log_event(LOG_LEVEL_ERROR, NULL, "event=order_invariant order=%s step=%s lines=%d touched=%llu", order_id, step,
              expected, touched);
    return SHOP_ERR_INTERNAL;
}

int order_create(struct db *db, struct arena *arena, const struct order_draft *d)
{
    const struct db_param user[] = {DB_PARAM_TEXT(d->user_id)};
    const struct db_param items[] = {DB_PARAM_TEXT(d->id), DB_PARAM_TEXT(d->user_id)};
    const struct db_param order[] = {
        DB_PARAM_TEXT(d->id), DB_PARAM_TEXT(d->user_id), DB_PARAM_TEXT(d->email), DB_PARAM_TEXT(d->name),
        DB_PARAM_TEXT(d->address), DB_PARAM_TEXT(d->city), DB_PARAM_TEXT(d->postal_code),
        DB_PARAM_TEXT(d->country), DB_PARAM_INT(d->total_cents), DB_PARAM_TEXT(d->currency),
    };
    struct db_result taken, written;
    int rc;

    if (!db_in_transaction(db))
        return SHOP_ERR_INTERNAL;
    if ((rc = db_exec(db, arena, SQL_TAKE_STOCK, user, 1, &taken)) != SHOP_OK ||
        (rc = order_invariant(d->id, "stock", d->line_count, taken.affected_rows)) != SHOP_OK ||
        (rc = db_exec(db, arena, SQL_INSERT_ORDER, order, 10, NULL)) != SHOP_OK ||
        (rc = db_exec(db, arena, SQL_INSERT_ORDER_ITEMS, items, 2, &written)) != SHOP_OK)
        return rc;
    return order_invariant(d->id, "items", d->line_count, written.affected_rows);
}

int order_note_push_failed(struct db *db, struct arena *arena, const char *order_id)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};

    return db_exec(db, arena, SQL_PUSH_FAILED, id, 1, NULL);
}

int order_requeue_pending(struct db *db, struct arena *arena, unsigned long long *count)
{
    struct db_result result;
    int rc = db_exec(db, arena, SQL_REQUEUE_PENDING, NULL, 0, &result);

    *count = rc == SHOP_OK ? result.affected_rows : 0;
    return rc;
}

/* A status change of one order and, when it changed the row, its stock back and the shopper's e-mail queued. */
struct order_change {
    struct arena *arena;
    const char *sql;
    const struct db_param *params;
    int count;
    bool return_stock;
    const char *order_id;
    const char *email_kind;       /* lib/email: the e-mail the new status sends (NULL: none) */
    bool changed;
};

static int order_change_body(struct db *db, void *arg)
{
    struct order_change *c = arg;
    struct db_result result;
    int rc = db_exec(db, c->arena, c->sql, c->params, c->count, &result);

    c->changed = rc == SHOP_OK && result.affected_rows == 1;
    if (c->changed && c->return_stock)
        rc = stock_return_order(db, c->arena, c->order_id);
    if (rc == SHOP_OK && c->changed && c->email_kind != NULL)
        rc = email_queue(db, c->arena, c->order_id, c->email_kind);
    return rc;
}

/* Runs one order_change in a transaction of its own; logs the new status when it changed. */
static int order_change_run(struct db *db, struct order_change *c, enum order_status to, bool *changed)
{
    int rc = db_transaction(db, order_change_body, c);

    if (rc == SHOP_OK && c->changed)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=%s", c->order_id, order_status_name(to));
    if (changed != NULL)
        *changed = rc == SHOP_OK && c->changed;
    return rc;
}

int order_cancel(struct db *db, struct arena *arena, const char *order_id, const char *user_id, bool *cancelled)
{
    const struct db_param key[] = {DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(user_id)};
    struct order_change change = {arena, SQL_CANCEL, key, 2, true, order_id, EMAIL_KIND_CANCELLED, false};
    struct db_result owned;
    int rc;

    if ((rc = order_change_run(db, &change, ORDER_CANCELLED, cancelled)) != SHOP_OK || *cancelled)
        return rc;
    if ((rc = db_exec(db, arena, SQL_OWNED, key, 2, &owned)) != SHOP_OK)
        return rc;
    return owned.rows == 1 ? SHOP_OK : SHOP_ERR_NOT_FOUND;
}

int order_cancel_by_operator(struct db *db, struct arena *arena, const char *order_id, bool *cancelled)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct order_change change = {arena, SQL_CANCEL_BY_OPERATOR, id, 1, true, order_id, EMAIL_KIND_CANCELLED, false};
    struct db_result exists;
    int rc;

    if ((rc = order_change_run(db, &change, ORDER_CANCELLED, cancelled)) != SHOP_OK || *cancelled)
        return rc;
    if ((rc = db_exec(db, arena, SQL_EXISTS, id, 1, &exists)) != SHOP_OK)
        return rc;
    return exists.rows == 1 ? SHOP_OK : SHOP_ERR_NOT_FOUND;
}

/* The refund's transaction. */
struct order_refund_work {
    struct arena *arena;
    const char *order_id;
    bool restock;
    struct order_refund *out;
};

static int order_refund_body(struct db *db, void *arg)
{
    struct order_refund_work *r = arg;
    const struct db_param id[] = {DB_PARAM_TEXT(r->order_id)};
    struct db_result result;
    int rc;

    r->out->refunded = false;
    if ((rc = db_exec(db, r->arena, SQL_SET_REFUNDED, id, 1, &result)) != SHOP_OK || result.affected_rows != 1)
        return rc;
    if ((rc = payment_refund(db, r->arena, r->order_id, r->out->reference)) != SHOP_OK ||
        (r->restock && (rc = stock_return_order(db, r->arena, r->order_id)) != SHOP_OK) ||
        (rc = email_queue(db, r->arena, r->order_id, EMAIL_KIND_REFUND)) != SHOP_OK)
        return rc;
    r->out->refunded = true;
    return SHOP_OK;
}

int order_refund(struct db *db, struct arena *arena, const char *order_id, bool restock, struct order_refund *out)
{
    struct order_refund_work work = {arena, order_id, restock, out};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = db_transaction(db, order_refund_body, &work);
    if (rc != SHOP_OK) {
        out->refunded = false;
        if (rc == SHOP_ERR_CONFLICT)
            log_event(LOG_LEVEL_ERROR, NULL, "event=order_invariant order=%s step=refund reason=\"no charge to refund\"",
                      order_id);
        return rc;
    }
    if (out->refunded)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=%s restock=%d", order_id,
                  order_status_name(ORDER_REFUNDED), restock ? 1 : 0);
    return SHOP_OK;
}

int order_list_busy_shoppers(struct db *db, struct arena *arena, const char *users_json, struct db_result *rows)
{
    const struct db_param users[] = {DB_PARAM_TEXT(users_json)};

    return db_exec(db, arena, SQL_BUSY_SHOPPERS, users, 1, rows);
}

int order_move_to_user(struct db *db, struct arena *arena, const char *from_user, const char *to_user)
{
    const struct db_param users[] = {DB_PARAM_TEXT(to_user), DB_PARAM_TEXT(from_user)};

    return db_exec(db, arena, SQL_MOVE_TO_USER, users, 2, NULL);
}

int order_claim(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                long long lease_seconds, struct db_result *claimed)
{
    const struct db_param claim[] = {DB_PARAM_TEXT(ids_json), DB_PARAM_TEXT(holder), DB_PARAM_INT(lease_seconds),
                                     DB_PARAM_TEXT(holder)};
    const struct db_param held[] = {DB_PARAM_TEXT(ids_json), DB_PARAM_TEXT(holder)};
    int rc;

    if ((rc = db_exec(db, arena, SQL_CLAIM, claim, 4, NULL)) != SHOP_OK)
        return rc;
    return db_exec(db, arena, SQL_CLAIMED, held, 2, claimed);
}

int order_claim_renew(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                      long long lease_seconds)
{
    const struct db_param params[] = {DB_PARAM_TEXT(ids_json), DB_PARAM_INT(lease_seconds), DB_PARAM_TEXT(holder)};

    return db_exec(db, arena, SQL_CLAIM_RENEW, params, 3, NULL);
}

int order_release(struct db *db, struct arena *arena, const char *order_id, const char *holder, long long delay_ms)
{
    const struct db_param params[] = {DB_PARAM_INT(delay_ms), DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(holder)};

    return db_exec(db, arena, SQL_RELEASE, params, 3, NULL);
}

int order_mark_payment_failed(struct db *db, struct arena *arena, const char *order_id, const char *holder,
                              bool *changed)
{
    const struct db_param params[] = {DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(holder)};
    struct order_change change = {arena, SQL_SET_PAYMENT_FAILED, params, 2, true, order_id, EMAIL_KIND_PAYMENT_FAILED,
                                  false};

    return order_change_run(db, &change, ORDER_PAYMENT_FAILED, changed);
}

/* SHOP_ERR_CONFLICT when the ledger holds a charge for the order, else SHOP_OK. */
static int order_charged(struct db *db, struct arena *arena, const char *order_id)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct db_result charged;
    int rc = db_exec(db, arena, SQL_IS_CHARGED, id, 1, &charged);

    return rc != SHOP_OK ? rc : charged.rows > 0 ? SHOP_ERR_CONFLICT : SHOP_OK;
}

/* An order_change whose SQL refuses charged orders: SHOP_ERR_CONFLICT when that is why nothing changed. */
static int order_change_unless_charged(struct db *db, struct order_change *c, enum order_status to, bool *changed)
{
    bool done = false;
    int rc = order_change_run(db, c, to, &done);

    if (changed != NULL)
        *changed = done;
    return rc != SHOP_OK || done ? rc : order_charged(db, c->arena, c->order_id);
}

int order_mark_failed(struct db *db, struct arena *arena, const char *order_id, const char *holder,
                      const char *error, bool *changed)
{
    const struct db_param params[] = {DB_PARAM_TEXT(error), DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(holder)};
    struct order_change change = {arena, SQL_SET_FAILED, params, 3, false, order_id, EMAIL_KIND_FAILED, false};

    return order_change_unless_charged(db, &change, ORDER_FAILED, changed);
}

int order_reopen(struct db *db, struct arena *arena, const char *order_id, bool *changed)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct order_change change = {arena, SQL_REOPEN, id, 1, false, order_id, NULL, false};

    return order_change_run(db, &change, ORDER_PENDING, changed);
}

int order_discard(struct db *db, struct arena *arena, const char *order_id, bool *changed)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    struct order_change change = {arena, SQL_DISCARD, id, 1, true, order_id, EMAIL_KIND_CANCELLED, false};

    return order_change_unless_charged(db, &change, ORDER_CANCELLED, changed);
}

int order_list_unqueued(struct db *db, struct arena *arena, long long after_ms, int limit, struct db_result *rows)
{
    const struct db_param params[] = {DB_PARAM_INT(after_ms), DB_PARAM_INT(limit), DB_PARAM_INT(limit)};

    return db_exec(db, arena, SQL_UNQUEUED, params, 3, rows);
}

int order_oldest_unclaimed(struct db *db, struct arena *arena, bool *waiting, long long *seconds)
{
    struct db_result oldest;
    int rc = db_exec(db, arena, SQL_OLDEST_UNCLAIMED, NULL, 0, &oldest);

    *waiting = rc == SHOP_OK && oldest.rows == 1;
    *seconds = *waiting ? db_result_int(&oldest, 0, 0) : 0;
    return rc;
}

int order_record_push(struct db *db, struct arena *arena, const struct db_result *rows, int i, bool *mine)
{
    const struct db_param params[] = {DB_PARAM_TEXT(db_result_text(rows, i, 0)),
                                      DB_PARAM_TEXT(db_result_text(rows, i, 2))};
    bool expired = db_result_int(rows, i, 3) != 0;
    struct db_result changed;
    int rc = db_exec(db, arena, expired ? SQL_RECORD_PUSH_EXPIRED : SQL_RECORD_PUSH_MARKED, params, 2, &changed);

    *mine = rc == SHOP_OK && changed.affected_rows == 1;
    if (*mine && expired)
        log_event(LOG_LEVEL_WARN, NULL, "event=order_claim_expired order=%s", db_result_text(rows, i, 0));
    return rc;
}

/* The final transaction of order_mark_processed. */
struct order_finish {
    struct arena *arena;
    const char *ids_json, *holder;
    db_transaction_body also;
    void *also_arg;
    struct db_result held;
};

static int order_user_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids and the distinct shoppers (sorted, for lock order) of rows (id, user_id) as JSON lists. */
static int order_finish_lists(struct arena *arena, const struct db_result *rows, const char **ids_json,
                              const char **users_json)
{
    const char **ids = arena_alloc(arena, sizeof(*ids) * (size_t)rows->rows);
    const char **users = arena_alloc(arena, sizeof(*users) * (size_t)rows->rows);
    int i, user_count = 0;

    if (ids == NULL || users == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows->rows; i++) {
        ids[i] = db_result_text(rows, i, 0);
        users[i] = db_result_text(rows, i, 1);
    }
    qsort(users, (size_t)rows->rows, sizeof(*users), order_user_compare);
    for (i = 0; i < rows->rows; i++) {
        if (user_count == 0 || strcmp(users[i], users[user_count - 1]) != 0)
            users[user_count++] = users[i];
    }
    *ids_json = json_string_list(arena, ids, rows->rows);
    *users_json = json_string_list(arena, users, user_count);
    return *ids_json != NULL && *users_json != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

static int order_finish_body(struct db *db, void *arg)
{
    struct order_finish *f = arg;
    const struct db_param ids[] = {DB_PARAM_TEXT(f->ids_json), DB_PARAM_TEXT(f->holder)};
    const char *changed_json = NULL, *users_json = NULL;
    int rc;

    /* The caller's work first: it does not depend on which orders are still held. */
    if (f->also != NULL && (rc = f->also(db, f->also_arg)) != SHOP_OK)
        return rc;
    if ((rc = db_exec(db, f->arena, SQL_LOCK_HELD, ids, 2, &f->held)) != SHOP_OK || f->held.rows == 0)
        return rc;
    if ((rc = order_finish_lists(f->arena, &f->held, &changed_json, &users_json)) != SHOP_OK)
        return rc;
    const struct db_param changed[] = {DB_PARAM_TEXT(changed_json)};
    const struct db_param carts[] = {DB_PARAM_TEXT(users_json)};
    if ((rc = db_exec(db, f->arena, SQL_SET_PROCESSED, changed, 1, NULL)) != SHOP_OK ||
        (rc = cart_lock_many(db, f->arena, users_json)) != SHOP_OK ||
        (rc = db_exec(db, f->arena, SQL_TAKE_ORDERED_FROM_CARTS, changed, 1, NULL)) != SHOP_OK ||
        (rc = db_exec(db, f->arena, SQL_DROP_EMPTY_LINES, carts, 1, NULL)) != SHOP_OK)
        return rc;
    return interest_record_purchases(db, f->arena, changed_json);
}

int order_mark_processed(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                         db_transaction_body also, void *also_arg, struct db_result *finished)
{
    struct order_finish f = {arena, ids_json, holder, also, also_arg, {0}};
    int rc = db_transaction(db, order_finish_body, &f), i;

    if (rc != SHOP_OK)
        return rc;
    for (i = 0; i < f.held.rows; i++)
        log_event(LOG_LEVEL_INFO, NULL, "event=order_status order=%s status=%s", db_result_text(&f.held, i, 0),
                  order_status_name(ORDER_PROCESSED));
    if (finished != NULL)
        *finished = f.held;
    return SHOP_OK;
}

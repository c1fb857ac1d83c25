/*
 * orders.c - shopctl orders list|show|cancel|refund: a shop owner finds a
 * shopper's order, looks at it whole, cancels or refunds it, without SQL.
 * "orders show" takes the order id or the short reference the shopper quotes.
 *
 * Reads are this file's own SQL (no status name in it: a status filter is
 * bound from lib/order's names). Every change is a lib/order transition:
 * order_cancel_by_operator, order_refund.
 */
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "lib/err.h"
#include "lib/order.h"
#include "lib/validate.h"
#include "shopctl/args.h"
#include "shopctl/output.h"
#include "shopctl/shopctl.h"

#define ORDERS_LIMIT_DEFAULT 50
#define ORDERS_LIMIT_MAX 1000
#define ORDERS_SINCE_ALWAYS "1970-01-01 00:00:00"
#define ORDERS_TIME(column) "DATE_FORMAT(" column ", '%Y-%m-%dT%H:%i:%sZ')"

/*
 * Newest first, walking orders_by_email for an e-mail, otherwise
 * orders_by_created backwards (a status is a filter on it; 009_operations.sql
 * says why no index leads with status).
 */
#define ORDERS_LIST_SELECT \
    "SELECT o.id, o.status, o.email, o.total_cents, o.currency," \
    " (SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i WHERE i.order_id = o.id), " ORDERS_TIME("o.created_at") \
    " FROM orders o"
#define ORDERS_LIST_ORDER " ORDER BY o.created_at DESC, o.id DESC LIMIT ?"
static const char SQL_LIST_BY_EMAIL[] = ORDERS_LIST_SELECT
    " WHERE o.email = ? AND o.created_at >= ? AND (? = '' OR o.status = ?)" ORDERS_LIST_ORDER;
static const char SQL_LIST_BY_STATUS[] = ORDERS_LIST_SELECT
    " WHERE o.status = ? AND o.created_at >= ?" ORDERS_LIST_ORDER;
static const char SQL_LIST_ALL[] = ORDERS_LIST_SELECT " WHERE o.created_at >= ?" ORDERS_LIST_ORDER;

static const char SQL_SHOW_ORDER[] =
    "SELECT id, status, email, shipping_name, shipping_address, shipping_city, shipping_postal_code,"
    " shipping_country, total_cents, currency, " ORDERS_TIME("created_at") ", " ORDERS_TIME("updated_at") ","
    " " ORDERS_TIME("processing_started_at") ", claimed_by, enqueue_pending, last_error"
    " FROM orders WHERE id = ?";
static const char SQL_SHOW_ITEMS[] =
    "SELECT product_id, name, unit_price_cents, quantity, line_total_cents FROM order_items"
    " WHERE order_id = ? ORDER BY product_id";
static const char SQL_SHOW_PAYMENT[] =
    "SELECT outcome, amount_cents, currency, reference, " ORDERS_TIME("created_at") ", "
    ORDERS_TIME("refunded_at") ", refund_reference FROM payments WHERE order_id = ?";
static const char SQL_SHOW_EMAILS[] =
    "SELECT kind, attempts, " ORDERS_TIME("sent_at") ", " ORDERS_TIME("next_attempt_at") ", last_error"
    " FROM emails WHERE order_id = ? ORDER BY created_at, kind";
static const char SQL_STATE[] =
    "SELECT o.status, o.processing_started_at IS NOT NULL, " ORDERS_TIME("p.refunded_at") ", p.refund_reference"
    " FROM orders o LEFT JOIN payments p ON p.order_id = o.id WHERE o.id = ?";

/* A column of a result as a JSON member: its name, and whether it is a number. */
struct orders_column {
    const char *name;
    bool number;
};

static const struct orders_column orders_list_columns[] = {
    {"orderId", false}, {"status", false}, {"email", false}, {"totalCents", true},
    {"currency", false}, {"itemCount", true}, {"createdAt", false},
};
static const struct orders_column orders_show_columns[] = {
    {"orderId", false}, {"status", false}, {"email", false}, {"name", false}, {"address", false},
    {"city", false}, {"postalCode", false}, {"country", false}, {"totalCents", true}, {"currency", false},
    {"createdAt", false}, {"updatedAt", false}, {"takenAt", false}, {"claimedBy", false},
    {"awaitingQueue", true}, {"lastError", false},
};
static const struct orders_column orders_item_columns[] = {
    {"productId", false}, {"name", false}, {"unitPriceCents", true}, {"quantity", true}, {"lineTotalCents", true},
};
static const struct orders_column orders_payment_columns[] = {
    {"outcome", false}, {"amountCents", true}, {"currency", false}, {"reference", false},
    {"chargedAt", false}, {"refundedAt", false}, {"refundReference", false},
};
static const struct orders_column orders_email_columns[] = {
    {"kind", false}, {"attempts", true}, {"sentAt", false}, {"nextAttemptAt", false}, {"lastError", false},
};
#define ORDERS_COUNT(table) ((int)(sizeof(table) / sizeof(table[0])))

/* Row row of result as an object named by columns (NULL cells are null). */
static struct json_object *orders_row(const struct db_result *result, int row, const struct orders_column *columns,
                                      int count)
{
    struct json_object *object = json_object_new_object();

    for (int c = 0; object != NULL && c < count && c < result->columns; c++) {
        const char *cell = db_result_text(result, row, c);
        struct json_object *value = cell == NULL ? NULL
                                    : columns[c].number ? json_object_new_int64(db_result_int(result, row, c))
                                                        : json_object_new_string(cell);
        json_object_object_add(object, columns[c].name, value);
    }
    return object;
}

/* Every row of result as an array of objects. */
static struct json_object *orders_rows(const struct db_result *result, const struct orders_column *columns, int count)
{
    struct json_object *array = json_object_new_array();

    for (int r = 0; array != NULL && r < result->rows; r++)
        json_object_array_add(array, orders_row(result, r, columns, count));
    return array;
}

/*
 * Row row of result (its first column the order id) as an object, with the
 * order's reference after its id: the one the shopper quotes.
 */
static struct json_object *orders_record(const struct db_result *result, int row, const struct orders_column *columns,
                                         int count)
{
    struct json_object *cells = orders_row(result, row, columns, count);
    struct json_object *record = json_object_new_object();
    char reference[ORDER_REFERENCE_MAX + 1];

    if (cells == NULL || record == NULL) {
        json_object_put(cells);
        json_object_put(record);
        return NULL;
    }
    order_reference(db_result_text(result, row, 0), reference);
    json_object_object_foreach(cells, key, value) {
        json_object_object_add(record, key, json_object_get(value));
        if (strcmp(key, "orderId") == 0)
            json_object_object_add(record, "reference", json_object_new_string(reference));
    }
    json_object_put(cells);
    return record;
}

/* The reason a command could not reach the database, as a refusal. */
static int orders_failed(const char *what, int rc)
{
    return shopctl_refuse("%s: %s (MariaDB: %s)", what,
                          rc == SHOP_ERR_UNAVAILABLE ? "the database is not reachable" : "the database refused",
                          shop_err_code(rc));
}

static bool orders_check_status(const char *value)
{
    enum order_status status;

    return order_status_parse(value, &status) == SHOP_OK;
}

static bool orders_check_email(const char *value)
{
    return validate_email(value);
}

static bool orders_check_date(const char *value)
{
    char sql[DATE_SQL_LEN + 1];

    return date_parse_utc(value, sql) == SHOP_OK;
}

struct orders_list_options {
    const char *status, *email, *since;
    long long limit;
};

static const struct shopctl_option orders_list_table[] = {
    {"--status", SHOPCTL_OPTION_TEXT, offsetof(struct orders_list_options, status), 0, 0, orders_check_status,
     "a status: PENDING, PROCESSED, PAYMENT_FAILED, FAILED, CANCELLED or REFUNDED"},
    {"--email", SHOPCTL_OPTION_TEXT, offsetof(struct orders_list_options, email), 0, 0, orders_check_email,
     "an e-mail address (local@domain)"},
    {"--since", SHOPCTL_OPTION_TEXT, offsetof(struct orders_list_options, since), 0, 0, orders_check_date,
     "a UTC date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"},
    {"--limit", SHOPCTL_OPTION_INT, offsetof(struct orders_list_options, limit), 1, ORDERS_LIMIT_MAX, NULL,
     "a number from 1 to 1000"},
};

static int orders_list(int argc, char **argv)
{
    static const char *const columns[] = {"orderId", "reference", "status", "email", "totalCents", "currency",
                                          "itemCount", "createdAt", NULL};
    struct orders_list_options o = {.limit = ORDERS_LIMIT_DEFAULT};
    struct shopctl_positionals rest;
    char since[DATE_SQL_LEN + 1] = ORDERS_SINCE_ALWAYS;
    const char *status = "";
    enum order_status parsed;
    struct db_result rows;
    int rc;

    if ((rc = shopctl_args_parse("orders list", orders_list_table, ORDERS_COUNT(orders_list_table), argc, argv, &o, 0,
                                 &rest)) != SHOPCTL_DONE)
        return rc;
    if (o.since != NULL)
        date_parse_utc(o.since, since);
    if (o.status != NULL && order_status_parse(o.status, &parsed) == SHOP_OK)
        status = order_status_name(parsed);
    const struct db_param by_email[] = {DB_PARAM_TEXT(o.email != NULL ? o.email : ""), DB_PARAM_TEXT(since),
                                        DB_PARAM_TEXT(status), DB_PARAM_TEXT(status), DB_PARAM_INT(o.limit)};
    const struct db_param by_status[] = {DB_PARAM_TEXT(status), DB_PARAM_TEXT(since), DB_PARAM_INT(o.limit)};
    const struct db_param all[] = {DB_PARAM_TEXT(since), DB_PARAM_INT(o.limit)};
    if (o.email != NULL)
        rc = db_exec(shopctl_db(), shopctl_arena(), SQL_LIST_BY_EMAIL, by_email, 5, &rows);
    else if (*status != '\0')
        rc = db_exec(shopctl_db(), shopctl_arena(), SQL_LIST_BY_STATUS, by_status, 3, &rows);
    else
        rc = db_exec(shopctl_db(), shopctl_arena(), SQL_LIST_ALL, all, 2, &rows);
    if (rc != SHOP_OK)
        return orders_failed("orders list", rc);
    struct json_object *list = json_object_new_array();
    for (int r = 0; list != NULL && r < rows.rows; r++)
        json_object_array_add(list, orders_record(&rows, r, orders_list_columns, ORDERS_COUNT(orders_list_columns)));
    shopctl_print_rows(list, columns);
    json_object_put(list);
    return SHOPCTL_DONE;
}

/* The one ORDER-ID argument of command, checked; SHOPCTL_USAGE after saying why. */
static int orders_id_argument(const char *command, const struct shopctl_positionals *rest)
{
    if (rest->count != 1) {
        fprintf(stderr, "shopctl: %s needs one order id (see shopctl --help)\n", command);
        return SHOPCTL_USAGE;
    }
    if (!order_id_valid(rest->values[0])) {
        fprintf(stderr, "shopctl: %s: %.60s is not an order id (order- and 32 hex digits)\n", command,
                rest->values[0]);
        return SHOPCTL_USAGE;
    }
    return SHOPCTL_DONE;
}

/*
 * The order shown: rest's one argument, an order id or its short reference
 * (lib/order), into id. SHOPCTL_USAGE for neither; a refusal for a reference
 * no order has, or one two orders share (then only the full id will do).
 */
static int orders_show_target(const struct shopctl_positionals *rest, char *id)
{
    const char *given = rest->count == 1 ? rest->values[0] : "";
    int rc;

    if (rest->count == 1 && order_id_valid(given)) {
        snprintf(id, ORDER_ID_MAX + 1, "%s", given);
        return SHOPCTL_DONE;
    }
    if (rest->count != 1 || (rc = order_find_by_reference(shopctl_db(), shopctl_arena(), given, id)) == SHOP_ERR_INVALID) {
        if (rest->count == 1)
            fprintf(stderr, "shopctl: orders show: %.60s is neither an order id (order- and 32 hex digits) nor a "
                            "reference (such as 7F3A-91C2)\n", given);
        else
            fprintf(stderr, "shopctl: orders show needs one order id or reference (see shopctl --help)\n");
        return SHOPCTL_USAGE;
    }
    if (rc == SHOP_ERR_NOT_FOUND)
        return shopctl_refuse("orders show: no order has the reference %s", given);
    if (rc == SHOP_ERR_CONFLICT)
        return shopctl_refuse("orders show: the reference %s is ambiguous: more than one order has it; give the full "
                              "order id (shopctl orders list --email ...)", given);
    if (rc != SHOP_OK)
        return orders_failed("orders show", rc);
    return SHOPCTL_DONE;
}

/* Prints a part of the order shown as text: a heading, then its table. */
static void orders_print_part(const char *heading, struct json_object *rows, const char *const *columns)
{
    printf("\n%s:\n", heading);
    shopctl_print_rows(rows, columns);
}

static int orders_show(int argc, char **argv)
{
    static const char *const item_columns[] = {"productId", "name", "unitPriceCents", "quantity", "lineTotalCents",
                                               NULL};
    static const char *const payment_columns[] = {"outcome", "amountCents", "currency", "reference", "chargedAt",
                                                  "refundedAt", "refundReference", NULL};
    static const char *const email_columns[] = {"kind", "attempts", "sentAt", "nextAttemptAt", "lastError", NULL};
    struct shopctl_positionals rest;
    struct db_result order, items, payment, emails;
    char order_id[ORDER_ID_MAX + 1];
    int rc;

    if ((rc = shopctl_args_parse("orders show", NULL, 0, argc, argv, NULL, 1, &rest)) != SHOPCTL_DONE ||
        (rc = orders_show_target(&rest, order_id)) != SHOPCTL_DONE)
        return rc;
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    if ((rc = db_exec(shopctl_db(), shopctl_arena(), SQL_SHOW_ORDER, id, 1, &order)) != SHOP_OK ||
        (rc = db_exec(shopctl_db(), shopctl_arena(), SQL_SHOW_ITEMS, id, 1, &items)) != SHOP_OK ||
        (rc = db_exec(shopctl_db(), shopctl_arena(), SQL_SHOW_PAYMENT, id, 1, &payment)) != SHOP_OK ||
        (rc = db_exec(shopctl_db(), shopctl_arena(), SQL_SHOW_EMAILS, id, 1, &emails)) != SHOP_OK)
        return orders_failed("orders show", rc);
    if (order.rows == 0)
        return shopctl_refuse("orders show: no order %s", order_id);
    struct json_object *record = orders_record(&order, 0, orders_show_columns, ORDERS_COUNT(orders_show_columns));
    struct json_object *lines = orders_rows(&items, orders_item_columns, ORDERS_COUNT(orders_item_columns));
    struct json_object *payments = orders_rows(&payment, orders_payment_columns, ORDERS_COUNT(orders_payment_columns));
    struct json_object *mails = orders_rows(&emails, orders_email_columns, ORDERS_COUNT(orders_email_columns));
    if (shopctl_json) {
        json_object_object_add(record, "items", json_object_get(lines));
        json_object_object_add(record, "payment", json_object_get(json_object_array_get_idx(payments, 0)));
        json_object_object_add(record, "emails", json_object_get(mails));
        shopctl_print_record(record);
    } else {
        shopctl_print_record(record);
        orders_print_part("items", lines, item_columns);
        orders_print_part("payment", payments, payment_columns);
        orders_print_part("e-mails", mails, email_columns);
    }
    json_object_put(record);
    json_object_put(lines);
    json_object_put(payments);
    json_object_put(mails);
    return SHOPCTL_DONE;
}

/* The order's state, to say why a change did not apply; SHOP_ERR_NOT_FOUND when there is no such order. */
static int orders_state(const char *order_id, struct db_result *state)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order_id)};
    int rc = db_exec(shopctl_db(), shopctl_arena(), SQL_STATE, id, 1, state);

    return rc != SHOP_OK ? rc : state->rows == 0 ? SHOP_ERR_NOT_FOUND : SHOP_OK;
}

/* Prints the changed order: orderId and status, as a record. */
static void orders_print_change(const char *order_id, enum order_status status, struct json_object *extra)
{
    struct json_object *record = json_object_new_object();

    json_object_object_add(record, "orderId", json_object_new_string(order_id));
    json_object_object_add(record, "status", json_object_new_string(order_status_name(status)));
    if (extra != NULL) {
        json_object_object_foreach(extra, key, value) json_object_object_add(record, key, json_object_get(value));
        json_object_put(extra);
    }
    shopctl_print_record(record);
    json_object_put(record);
}

static int orders_cancel(int argc, char **argv)
{
    struct shopctl_positionals rest;
    struct db_result state;
    bool cancelled = false;
    int rc;

    if ((rc = shopctl_args_parse("orders cancel", NULL, 0, argc, argv, NULL, 1, &rest)) != SHOPCTL_DONE ||
        (rc = orders_id_argument("orders cancel", &rest)) != SHOPCTL_DONE)
        return rc;
    const char *order_id = rest.values[0];
    rc = order_cancel_by_operator(shopctl_db(), shopctl_arena(), order_id, &cancelled);
    if (rc == SHOP_ERR_NOT_FOUND)
        return shopctl_refuse("orders cancel: no order %s", order_id);
    if (rc != SHOP_OK)
        return orders_failed("orders cancel: nothing changed", rc);
    if (cancelled) {
        orders_print_change(order_id, ORDER_CANCELLED, NULL);
        return SHOPCTL_DONE;
    }
    if ((rc = orders_state(order_id, &state)) != SHOP_OK)
        return orders_failed("orders cancel: not cancelled", rc);
    if (strcmp(db_result_text(&state, 0, 0), order_status_name(ORDER_PENDING)) == 0)
        return shopctl_refuse("orders cancel: a worker has taken %s (its payment may be under way): it can no longer "
                              "be cancelled; refund it once it is PROCESSED", order_id);
    return shopctl_refuse("orders cancel: %s is %s: only a PENDING order no worker has taken can be cancelled", order_id,
                          db_result_text(&state, 0, 0));
}

struct orders_refund_options {
    bool restock;
};

static const struct shopctl_option orders_refund_table[] = {
    {"--restock", SHOPCTL_OPTION_FLAG, offsetof(struct orders_refund_options, restock), 0, 0, NULL, ""},
};

/* Why a refund changed nothing, as a refusal. */
static int orders_refund_refused(const char *order_id)
{
    struct db_result state;
    int rc = orders_state(order_id, &state);

    if (rc == SHOP_ERR_NOT_FOUND)
        return shopctl_refuse("orders refund: no order %s", order_id);
    if (rc != SHOP_OK)
        return orders_failed("orders refund: not refunded", rc);
    if (strcmp(db_result_text(&state, 0, 0), order_status_name(ORDER_REFUNDED)) == 0)
        return shopctl_refuse("orders refund: %s was refunded already (%s, reference %s); nothing changed", order_id,
                              db_result_text(&state, 0, 2) != NULL ? db_result_text(&state, 0, 2) : "-",
                              db_result_text(&state, 0, 3) != NULL ? db_result_text(&state, 0, 3) : "-");
    return shopctl_refuse("orders refund: %s is %s: only a PROCESSED order can be refunded; nothing changed", order_id,
                          db_result_text(&state, 0, 0));
}

static int orders_refund(int argc, char **argv)
{
    struct orders_refund_options o = {false};
    struct shopctl_positionals rest;
    struct order_refund refund;
    int rc;

    if ((rc = shopctl_args_parse("orders refund", orders_refund_table, ORDERS_COUNT(orders_refund_table), argc, argv,
                                 &o, 1, &rest)) != SHOPCTL_DONE ||
        (rc = orders_id_argument("orders refund", &rest)) != SHOPCTL_DONE)
        return rc;
    const char *order_id = rest.values[0];
    rc = order_refund(shopctl_db(), shopctl_arena(), order_id, o.restock, &refund);
    if (rc == SHOP_ERR_CONFLICT)
        return shopctl_refuse("orders refund: the ledger holds no charge of %s to refund; nothing changed", order_id);
    if (rc == SHOP_ERR_UNAVAILABLE)
        return shopctl_refuse("orders refund: the database went away; see shopctl orders show %s for whether it "
                              "was refunded", order_id);
    if (rc != SHOP_OK)
        return orders_failed("orders refund: nothing changed", rc);
    if (!refund.refunded)
        return orders_refund_refused(order_id);
    struct json_object *extra = json_object_new_object();
    json_object_object_add(extra, "refundReference", json_object_new_string(refund.reference));
    json_object_object_add(extra, "restocked", json_object_new_boolean(o.restock));
    json_object_object_add(extra, "email", json_object_new_string("queued"));
    orders_print_change(order_id, ORDER_REFUNDED, extra);
    return SHOPCTL_DONE;
}

struct orders_command {
    const char *name;
    int (*run)(int argc, char **argv);
};

static const struct orders_command orders_commands[] = {
    {"list", orders_list},
    {"show", orders_show},
    {"cancel", orders_cancel},
    {"refund", orders_refund},
};

int shopctl_orders(int argc, char **argv)
{
    for (int i = 0; argc > 0 && i < ORDERS_COUNT(orders_commands); i++) {
        if (strcmp(argv[0], orders_commands[i].name) == 0)
            return orders_commands[i].run(argc - 1, argv + 1);
    }
    return shopctl_bad_argument("orders", argc > 0 ? argv[0] : "no subcommand (list, show, cancel, refund)");
}

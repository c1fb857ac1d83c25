/*
 * queue.c - shopctl queue stats and shopctl dead-letters list|replay|discard:
 * what waits in Redis, and what an operator does with orders that failed for
 * good. The dead letters are lib/deadletter's (shop-worker dead-letters uses
 * the same module); this file parses, prints and sets the exit status.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/deadletter.h"
#include "lib/err.h"
#include "lib/order.h"
#include "lib/queue.h"
#include "shopctl/args.h"
#include "shopctl/output.h"
#include "shopctl/shopctl.h"

#define QUEUE_LIST_DEFAULT 100
#define QUEUE_TOOL_LEASE_SECONDS 30   /* renewed before each letter; ends at once when the run ends */
#define QUEUE_UNREADABLE_SHOWN 120    /* bytes of an unreadable letter a listing shows */

/* The Redis connection and key names; NULL after a refusal. */
static struct queue *queue_connect_shop(struct queue_names *names)
{
    struct queue *q;

    if (queue_names_load(names) != SHOP_OK) {
        shopctl_refuse("queue_name is not usable (see above)");
        return NULL;
    }
    if ((q = queue_open()) == NULL)
        shopctl_refuse("out of memory");
    return q;
}

static int queue_redis_failed(const char *what, int rc)
{
    return shopctl_refuse("%s: %s (%s)", what,
                          rc == SHOP_ERR_UNAVAILABLE ? "Redis is not reachable" : "Redis refused", shop_err_code(rc));
}

/* Adds name: value to record. */
static void queue_stat(struct json_object *record, const char *name, long long value)
{
    json_object_object_add(record, name, json_object_new_int64(value));
}

static int queue_stats(int argc, char **argv)
{
    struct queue_names names;
    struct queue_totals processing, in_hand;
    long long queued = 0, retrying = 0, dead = 0, unreadable = 0, pending = 0;
    double oldest = 0;
    struct queue *q;
    int rc;

    if (argc > 0)
        return shopctl_bad_argument("queue stats", argv[0]);
    if ((q = queue_connect_shop(&names)) == NULL)
        return SHOPCTL_REFUSED;
    if ((rc = queue_length(q, names.queue, &queued)) != SHOP_OK ||
        (rc = queue_count_lists(q, names.processing_prefix, &processing)) != SHOP_OK ||
        (rc = queue_set_size(q, names.retry, &retrying)) != SHOP_OK ||
        (rc = queue_length(q, names.dead, &dead)) != SHOP_OK ||
        (rc = queue_length(q, names.unreadable, &unreadable)) != SHOP_OK ||
        (rc = queue_count_lists(q, names.dead_processing_prefix, &in_hand)) != SHOP_OK) {
        queue_close(q);
        return queue_redis_failed("queue stats", rc);
    }
    queue_close(q);
    if ((rc = order_pending_summary(shopctl_db(), shopctl_arena(), &pending, &oldest)) != SHOP_OK)
        return shopctl_refuse("queue stats: the database is not reachable (%s)", shop_err_code(rc));
    struct json_object *record = json_object_new_object();
    queue_stat(record, "queued", queued);
    queue_stat(record, "processing", processing.messages);
    queue_stat(record, "processingLists", processing.keys);
    queue_stat(record, "retrying", retrying);
    queue_stat(record, "deadLetters", dead);
    queue_stat(record, "deadLettersInHand", in_hand.messages);
    queue_stat(record, "unreadableLetters", unreadable);
    queue_stat(record, "pendingOrders", pending);
    queue_stat(record, "oldestPendingSeconds", (long long)oldest);
    shopctl_print_record(record);
    json_object_put(record);
    return SHOPCTL_DONE;
}

struct queue_list_options {
    long long limit;
};

static const struct shopctl_option queue_list_table[] = {
    {"--limit", SHOPCTL_OPTION_INT, offsetof(struct queue_list_options, limit), 1, DEADLETTER_LIST_MAX, NULL,
     "a number from 1 to 1000"},
};

/* One letter as a row: its order, attempt and cause; an unreadable one shows its start. */
static struct json_object *queue_letter_row(const struct deadletter_letter *l)
{
    struct json_object *row = json_object_new_object();

    json_object_object_add(row, "orderId", l->order_id != NULL ? json_object_new_string(l->order_id) : NULL);
    json_object_object_add(row, "attempt", l->order_id != NULL ? json_object_new_int64(l->attempt) : NULL);
    if (l->order_id != NULL)
        json_object_object_add(row, "error", json_object_new_string(l->error));
    else
        json_object_object_add(row, "unreadable",
                               json_object_new_string_len(l->text, (int)strnlen(l->text, QUEUE_UNREADABLE_SHOWN)));
    return row;
}

static int queue_dead_list(int argc, char **argv)
{
    static const char *const columns[] = {"orderId", "attempt", "error", "unreadable", NULL};
    struct queue_list_options o = {QUEUE_LIST_DEFAULT};
    struct shopctl_positionals rest;
    struct deadletter_letter *letters = NULL;
    struct queue_names names;
    long long total = 0;
    struct queue *q;
    int rc, count = 0;

    if ((rc = shopctl_args_parse("dead-letters list", queue_list_table, 1, argc, argv, &o, 0, &rest)) != SHOPCTL_DONE)
        return rc;
    if ((q = queue_connect_shop(&names)) == NULL)
        return SHOPCTL_REFUSED;
    rc = deadletter_list(q, &names, shopctl_arena(), (int)o.limit, &letters, &count, &total);
    queue_close(q);
    if (rc != SHOP_OK)
        return queue_redis_failed("dead-letters list", rc);
    struct json_object *rows = json_object_new_array();
    for (int i = 0; i < count; i++)
        json_object_array_add(rows, queue_letter_row(&letters[i]));
    shopctl_print_rows(rows, columns);
    json_object_put(rows);
    if (!shopctl_json && total > count)
        printf("(the newest %d of %lld dead letters; --limit shows more)\n", count, total);
    return SHOPCTL_DONE;
}

/* What a run tells: each letter as it is settled (a row for --json, a line otherwise). */
struct queue_run {
    struct json_object *rows;
};

static void queue_run_report(void *arg, enum deadletter_action action, const char *order_id, int outcome)
{
    struct queue_run *run = arg;
    const char *done = action == DEADLETTER_REPLAY ? "replayed" : "discarded";
    const char *what = outcome == SHOP_OK             ? done
                       : outcome == SHOP_ERR_CONFLICT ? "kept: charged, replay it so it is finished"
                       : outcome == SHOP_ERR_INVALID  ? "unreadable: set aside"
                                                      : "stopped: put back";
    struct json_object *row = json_object_new_object();

    json_object_object_add(row, "orderId", order_id != NULL ? json_object_new_string(order_id) : NULL);
    json_object_object_add(row, "result", json_object_new_string(what));
    json_object_array_add(run->rows, row);
    if (!shopctl_json)
        printf("%s %s\n", what, order_id != NULL ? order_id : "-");
}

/* A name for this run's dead-processing list and lease: unique to this process. */
static void queue_holder(char *holder, size_t size)
{
    char host[64] = "localhost", hex[9];
    unsigned char random[4];

    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
    snprintf(holder, size, "shopctl-%s-%ld-%s", host, (long)getpid(), hex);
}

/* Checks the order ids named; SHOPCTL_USAGE after saying which is wrong. */
static int queue_check_ids(const char *command, const struct shopctl_positionals *ids)
{
    int rc = SHOPCTL_DONE;

    for (int i = 0; i < ids->count; i++) {
        if (!order_id_valid(ids->values[i])) {
            fprintf(stderr, "shopctl: %s: %.60s is not an order id (order- and 32 hex digits)\n", command,
                    ids->values[i]);
            rc = SHOPCTL_USAGE;
        }
    }
    return rc;
}

/* dead-letters replay|discard [ID...]: the letters of those orders, or all when none is named. */
static int queue_dead_act(enum deadletter_action action, int argc, char **argv)
{
    char command[32], holder[ORDER_HOLDER_MAX];
    struct shopctl_positionals ids;
    struct deadletter_tool tool;
    struct deadletter_counts counts;
    struct queue_run run = {NULL};
    struct queue_names names;
    bool matched[DEADLETTER_IDS_MAX];
    struct queue *q;
    int rc, unmatched = 0;

    snprintf(command, sizeof(command), "dead-letters %s", deadletter_action_name(action));
    if ((rc = shopctl_args_parse(command, NULL, 0, argc, argv, NULL, DEADLETTER_IDS_MAX, &ids)) != SHOPCTL_DONE ||
        (rc = queue_check_ids(command, &ids)) != SHOPCTL_DONE)
        return rc;
    if ((q = queue_connect_shop(&names)) == NULL)
        return SHOPCTL_REFUSED;
    queue_holder(holder, sizeof(holder));
    run.rows = json_object_new_array();
    deadletter_tool_init(&tool, shopctl_db(), q, &names, holder, QUEUE_TOOL_LEASE_SECONDS, queue_run_report, &run);
    if (ids.count == 0)
        rc = deadletter_apply_all(&tool, action, &counts);
    else
        rc = deadletter_apply_orders(&tool, action, (const char *const *)ids.values, ids.count, matched, &counts);
    queue_close(q);
    if (shopctl_json)
        shopctl_print_rows(run.rows, (const char *const[]){"orderId", "result", NULL});
    json_object_put(run.rows);
    for (int i = 0; rc == SHOP_OK && i < ids.count; i++) {
        if (!matched[i]) {
            fprintf(stderr, "shopctl: %s: no dead letter for %s\n", command, ids.values[i]);
            unmatched++;
        }
    }
    if (rc != SHOP_OK)
        return shopctl_refuse("%s: stopped (%s); the letters not handled stay dead letters", command,
                              shop_err_code(rc));
    if (!shopctl_json)
        printf("%s: %d dead letter(s) %s, %d kept (charged), %d unreadable set aside in %s\n", command, counts.handled,
               action == DEADLETTER_REPLAY ? "replayed" : "discarded", counts.charged, counts.unreadable,
               names.unreadable);
    return ids.count > 0 && unmatched == ids.count ? SHOPCTL_REFUSED : SHOPCTL_DONE;
}

int shopctl_queue(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "stats") == 0)
        return queue_stats(argc - 1, argv + 1);
    return shopctl_bad_argument("queue", argc > 0 ? argv[0] : "no subcommand (stats)");
}

int shopctl_dead_letters(int argc, char **argv)
{
    enum deadletter_action action;

    if (argc > 0 && strcmp(argv[0], "list") == 0)
        return queue_dead_list(argc - 1, argv + 1);
    if (argc > 0 && deadletter_action_parse(argv[0], &action) == SHOP_OK)
        return queue_dead_act(action, argc - 1, argv + 1);
    return shopctl_bad_argument("dead-letters", argc > 0 ? argv[0] : "no subcommand (list, replay, discard)");
}

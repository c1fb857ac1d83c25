/*
 * deadletter.h - what an operator does with orders that failed for good:
 * look at their dead letters, replay them, or discard them.
 *
 * The worker buries an order's message on the dead-letter list (<queue>:dead)
 * after its last attempt, with the order FAILED and its stock still reserved.
 * Replay sets the order back to PENDING (lib/order: with its enqueue mark, so
 * the sweeper queues it if the push is lost) and queues it again; discard
 * cancels it and returns its stock, never for an order the ledger shows
 * charged (replay finishes that one).
 *
 * Each letter is first moved atomically (one Redis command or script) into
 * the tool's own dead-processing list, under a lease, and leaves it only once
 * its order was handled. If the order could not be handled (MariaDB away) the
 * letter goes back onto the dead list; if the tool dies, the workers' lease
 * recovery puts it back onto the dead list, never onto the live queue. A
 * letter no order can be read from (malformed, too long) is moved whole to
 * <queue>:dead:unreadable for a person, so it never blocks the tool.
 *
 * shop-worker dead-letters and shopctl dead-letters both act through here.
 */
#ifndef SHOP_DEADLETTER_H
#define SHOP_DEADLETTER_H

#include <stdbool.h>

#include "arena.h"
#include "db.h"
#include "order.h"
#include "queue.h"

#define DEADLETTER_LIST_MAX 1000      /* most letters one listing shows */
#define DEADLETTER_IDS_MAX 1000       /* most orders named in one run */
#define DEADLETTER_SCAN_MAX 100000    /* most letters searched for named orders */

enum deadletter_action {
    DEADLETTER_REPLAY,
    DEADLETTER_DISCARD,
};

/*
 * What happened to one letter, for the tool to tell its user:
 * SHOP_OK handled; SHOP_ERR_CONFLICT its order was charged, so it was not
 * discarded and stays a dead letter; SHOP_ERR_INVALID unreadable, set aside
 * (order_id NULL); anything else: the run stopped there, the letter is back
 * on the dead list.
 */
typedef void (*deadletter_report)(void *arg, enum deadletter_action action, const char *order_id, int outcome);

/* A tool acting on the dead letters: its connections and its own dead-processing list. */
struct deadletter_tool {
    struct db *db;
    struct queue *queue;
    const struct queue_names *names;
    char processing[QUEUE_MAX_NAME + ORDER_HOLDER_MAX];   /* <queue>:dead-processing:<holder> */
    char lease[QUEUE_MAX_NAME + ORDER_HOLDER_MAX];        /* <queue>:lease:<holder> */
    int lease_seconds;
    deadletter_report report;
    void *report_arg;
};

/* How many letters a run handled, kept (charged) and set aside (unreadable). */
struct deadletter_counts {
    int handled, charged, unreadable;
};

/* One dead letter as a listing shows it. */
struct deadletter_letter {
    const char *order_id;         /* NULL: unreadable */
    const char *email, *error;    /* empty when the letter has none */
    long long attempt;
    const char *text;             /* the letter as it is */
};

/* The action named "replay" or "discard"; SHOP_ERR_INVALID for any other name. */
int deadletter_action_parse(const char *name, enum deadletter_action *out);

/* "replay" or "discard". */
const char *deadletter_action_name(enum deadletter_action action);

/*
 * Sets up t for holder (a name unique to this process, at most
 * ORDER_HOLDER_MAX - 1 bytes): its dead-processing list and lease key.
 */
void deadletter_tool_init(struct deadletter_tool *t, struct db *db, struct queue *queue,
                          const struct queue_names *names, const char *holder, int lease_seconds,
                          deadletter_report report, void *report_arg);

/*
 * Applies action to every letter on the dead list when the run starts, once
 * each (one put back, a charged order, is not met again). The first failure
 * that is not about one letter stops the run and is returned.
 */
int deadletter_apply_all(struct deadletter_tool *t, enum deadletter_action action, struct deadletter_counts *counts);

/*
 * Applies action to the letters of the orders ids[0..count) (valid order ids,
 * at most DEADLETTER_IDS_MAX), searching at most DEADLETTER_SCAN_MAX letters;
 * matched[i] tells whether a letter of ids[i] was found. Other letters are
 * not touched.
 */
int deadletter_apply_orders(struct deadletter_tool *t, enum deadletter_action action, const char *const *ids,
                            int count, bool *matched, struct deadletter_counts *counts);

/*
 * The newest letters, at most limit (1 to DEADLETTER_LIST_MAX), into *letters
 * (in arena), *count of them; *total gets the dead list's length.
 */
int deadletter_list(struct queue *queue, const struct queue_names *names, struct arena *arena, int limit,
                    struct deadletter_letter **letters, int *count, long long *total);

#endif

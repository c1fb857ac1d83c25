/*
 * deadletter.c - replay, discard and list the dead letters (see deadletter.h).
 *
 * A run takes letters one at a time into its dead-processing list: every
 * letter in turn from the tail of the dead list (LMOVE), or, for named
 * orders, exactly the letters found for them (a script that moves a letter
 * only if the dead list still holds it, so two tools never both take it).
 * The letter in hand is then settled: removed once its order was handled, or
 * moved on (unreadable, kept, or back) with one LMOVE from the head of the
 * dead-processing list, where it is.
 */
#include "deadletter.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"

#define DEADLETTER_ARENA_CHUNK 16384
#define DEADLETTER_PAGE 500

static const char *const deadletter_action_names[] = {
    [DEADLETTER_REPLAY] = "replay",
    [DEADLETTER_DISCARD] = "discard",
};

int deadletter_action_parse(const char *name, enum deadletter_action *out)
{
    if (strcmp(name, deadletter_action_names[DEADLETTER_REPLAY]) == 0)
        *out = DEADLETTER_REPLAY;
    else if (strcmp(name, deadletter_action_names[DEADLETTER_DISCARD]) == 0)
        *out = DEADLETTER_DISCARD;
    else
        return SHOP_ERR_INVALID;
    return SHOP_OK;
}

const char *deadletter_action_name(enum deadletter_action action)
{
    return deadletter_action_names[action];
}

void deadletter_tool_init(struct deadletter_tool *t, struct db *db, struct queue *queue,
                          const struct queue_names *names, const char *holder, int lease_seconds,
                          deadletter_report report, void *report_arg)
{
    t->db = db;
    t->queue = queue;
    t->names = names;
    snprintf(t->processing, sizeof(t->processing), "%s%s", names->dead_processing_prefix, holder);
    snprintf(t->lease, sizeof(t->lease), "%s%s", names->lease_prefix, holder);
    t->lease_seconds = lease_seconds;
    t->report = report;
    t->report_arg = report_arg;
}

static int deadletter_replay_one(struct deadletter_tool *t, struct arena *arena, const struct order_message *letter)
{
    struct order_message message = {.attempt = 1};
    char text[QUEUE_MAX_MESSAGE];
    size_t len;
    bool reopened;
    int rc;

    if ((rc = order_reopen(t->db, arena, letter->order_id, &reopened)) != SHOP_OK || !reopened)
        return rc;
    snprintf(message.order_id, sizeof(message.order_id), "%s", letter->order_id);
    snprintf(message.email, sizeof(message.email), "%s", letter->email);
    if (order_message_encode(&message, text, sizeof(text), &len) == SHOP_OK &&
        queue_push(t->queue, t->names->queue, text, len) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=replay_push_deferred order=%s", letter->order_id);
    return SHOP_OK; /* reopened with its enqueue mark: the sweeper queues it if the push failed */
}

/*
 * Handles the order of the letter in hand. SHOP_OK: it may be removed.
 * SHOP_ERR_INVALID: no order can be read from it. SHOP_ERR_CONFLICT: a
 * charged order, not discarded. Anything else: not handled now.
 */
static int deadletter_handle(struct deadletter_tool *t, struct arena *arena, enum deadletter_action action,
                             const char *text, size_t len, struct order_message *letter)
{
    if (order_message_decode(text, len, letter) != SHOP_OK)
        return SHOP_ERR_INVALID;
    if (action == DEADLETTER_REPLAY)
        return deadletter_replay_one(t, arena, letter);
    return order_discard(t->db, arena, letter->order_id, NULL);
}

/* Moves the letter in hand (the head of the dead-processing list) to an end of to. */
static void deadletter_put(struct deadletter_tool *t, const char *to, enum queue_end end)
{
    if (queue_move_end(t->queue, t->processing, QUEUE_LEFT, to, end) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=dead_letter_left list=%s reason=\"the lease recovery returns it\"",
                  t->processing);
}

/*
 * Settles the letter in hand after taking it returned taken: handled and
 * removed, set aside, kept, or put back. Returns SHOP_OK to go on with the
 * next letter, anything else to stop.
 */
static int deadletter_settle(struct deadletter_tool *t, enum deadletter_action action, int taken, const char *text,
                             size_t len, struct deadletter_counts *counts)
{
    struct order_message letter;
    struct arena arena;
    int rc = taken;

    memset(&letter, 0, sizeof(letter));
    arena_init(&arena, DEADLETTER_ARENA_CHUNK);
    if (rc == SHOP_OK)
        rc = deadletter_handle(t, &arena, action, text, len, &letter);
    arena_free(&arena);
    if (rc == SHOP_ERR_TOO_LARGE)
        rc = SHOP_ERR_INVALID;
    if (rc == SHOP_ERR_NOT_FOUND)
        return rc;
    t->report(t->report_arg, action, rc == SHOP_ERR_INVALID || letter.order_id[0] == '\0' ? NULL : letter.order_id, rc);
    if (rc == SHOP_OK) {
        queue_remove(t->queue, t->processing, text, len);
        counts->handled++;
    } else if (rc == SHOP_ERR_INVALID) {
        deadletter_put(t, t->names->unreadable, QUEUE_LEFT); /* kept whole for a person, out of the way */
        counts->unreadable++;
        rc = SHOP_OK;
    } else if (rc == SHOP_ERR_CONFLICT) {
        deadletter_put(t, t->names->dead, QUEUE_LEFT); /* stays a dead letter; the others go on */
        counts->charged++;
        rc = SHOP_OK;
    } else {
        deadletter_put(t, t->names->dead, QUEUE_RIGHT); /* back at the oldest end: neither lost nor live */
    }
    return rc;
}

int deadletter_apply_all(struct deadletter_tool *t, enum deadletter_action action, struct deadletter_counts *counts)
{
    char message[QUEUE_MAX_MESSAGE];
    long long letters = 0, seen;
    size_t len = 0;
    int rc;

    memset(counts, 0, sizeof(*counts));
    if ((rc = queue_length(t->queue, t->names->dead, &letters)) != SHOP_OK)
        return rc;
    for (seen = 0; seen < letters && rc == SHOP_OK; seen++) {
        queue_lease(t->queue, t->lease, t->lease_seconds);
        rc = queue_move(t->queue, t->names->dead, t->processing, message, sizeof(message), &len);
        rc = deadletter_settle(t, action, rc, message, rc == SHOP_OK ? len : 0, counts);
    }
    queue_unlease(t->queue, t->lease);
    return rc == SHOP_ERR_NOT_FOUND ? SHOP_OK : rc;
}

/* The index in ids of the order letter names, or -1. */
static int deadletter_find(const char *const *ids, int count, const char *text, size_t len)
{
    struct order_message letter;
    int i;

    if (order_message_decode(text, len, &letter) != SHOP_OK)
        return -1;
    for (i = 0; i < count; i++) {
        if (strcmp(ids[i], letter.order_id) == 0)
            return i;
    }
    return -1;
}

/*
 * Searches the dead list from its oldest end, a page at a time, for letters
 * of the orders in ids; copies them into found (in arena). Indexes from the
 * tail stay put while workers push new letters at the head.
 */
static int deadletter_search(struct deadletter_tool *t, struct arena *arena, const char *const *ids, int count,
                             bool *matched, struct queue_messages *found)
{
    struct queue_messages page;
    long long from;
    int rc = SHOP_OK, i, k;

    found->count = 0;
    found->texts = arena_alloc(arena, sizeof(*found->texts) * DEADLETTER_IDS_MAX);
    found->lens = arena_alloc(arena, sizeof(*found->lens) * DEADLETTER_IDS_MAX);
    if (found->texts == NULL || found->lens == NULL)
        return SHOP_ERR_NOMEM;
    for (from = -1; from >= -DEADLETTER_SCAN_MAX && found->count < DEADLETTER_IDS_MAX; from -= DEADLETTER_PAGE) {
        if ((rc = queue_range(t->queue, t->names->dead, from - DEADLETTER_PAGE + 1, from, arena, &page)) != SHOP_OK)
            return rc;
        for (i = page.count - 1; i >= 0 && found->count < DEADLETTER_IDS_MAX; i--) {
            if ((k = deadletter_find(ids, count, page.texts[i], page.lens[i])) < 0)
                continue;
            matched[k] = true;
            found->texts[found->count] = page.texts[i];
            found->lens[found->count++] = page.lens[i];
        }
        if (page.count < DEADLETTER_PAGE)
            break;
    }
    return rc;
}

int deadletter_apply_orders(struct deadletter_tool *t, enum deadletter_action action, const char *const *ids,
                            int count, bool *matched, struct deadletter_counts *counts)
{
    struct queue_messages found;
    struct arena arena;
    int rc, i;

    memset(counts, 0, sizeof(*counts));
    for (i = 0; i < count; i++)
        matched[i] = false;
    if (count > DEADLETTER_IDS_MAX)
        return SHOP_ERR_INVALID;
    arena_init(&arena, DEADLETTER_ARENA_CHUNK);
    rc = deadletter_search(t, &arena, ids, count, matched, &found);
    for (i = 0; rc == SHOP_OK && i < found.count; i++) {
        queue_lease(t->queue, t->lease, t->lease_seconds);
        rc = queue_take_message(t->queue, t->names->dead, t->processing, found.texts[i], found.lens[i]);
        rc = deadletter_settle(t, action, rc, found.texts[i], found.lens[i], counts);
        if (rc == SHOP_ERR_NOT_FOUND)
            rc = SHOP_OK; /* another tool took it meanwhile */
    }
    queue_unlease(t->queue, t->lease);
    arena_free(&arena);
    return rc;
}

int deadletter_list(struct queue *queue, const struct queue_names *names, struct arena *arena, int limit,
                    struct deadletter_letter **letters, int *count, long long *total)
{
    struct queue_messages page;
    struct order_message letter;
    int rc, i;

    *count = 0;
    if (limit < 1 || limit > DEADLETTER_LIST_MAX)
        return SHOP_ERR_INVALID;
    if ((rc = queue_length(queue, names->dead, total)) != SHOP_OK ||
        (rc = queue_range(queue, names->dead, 0, limit - 1, arena, &page)) != SHOP_OK)
        return rc;
    if ((*letters = arena_alloc(arena, sizeof(**letters) * (size_t)(page.count + 1))) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < page.count; i++) {
        struct deadletter_letter *l = &(*letters)[i];
        bool readable = order_message_decode(page.texts[i], page.lens[i], &letter) == SHOP_OK;
        l->text = page.texts[i];
        l->order_id = readable ? arena_strndup(arena, letter.order_id, strlen(letter.order_id)) : NULL;
        l->email = readable ? arena_strndup(arena, letter.email, strlen(letter.email)) : "";
        l->error = readable ? arena_strndup(arena, letter.error, strlen(letter.error)) : "";
        l->attempt = readable ? letter.attempt : 0;
        if (readable && (l->order_id == NULL || l->email == NULL || l->error == NULL))
            return SHOP_ERR_NOMEM;
    }
    *count = page.count;
    return SHOP_OK;
}

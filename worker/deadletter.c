/*
 * deadletter.c - shop-worker dead-letters replay|discard: every dead letter at
 * once, through lib/deadletter (which shopctl dead-letters uses too, also for
 * single letters). This file only tells the operator what happened.
 */
#include <stdio.h>

#include "lib/deadletter.h"
#include "lib/err.h"
#include "worker/deadletter.h"

static void deadletter_print(void *arg, enum deadletter_action action, const char *order_id, int outcome)
{
    const char *name = deadletter_action_name(action);

    (void)arg;
    if (outcome == SHOP_OK)
        printf("%s %s\n", name, order_id);
    else if (outcome == SHOP_ERR_CONFLICT)
        fprintf(stderr, "%s: %s was charged: replay it so it is finished\n", name, order_id);
    else if (outcome != SHOP_ERR_INVALID)
        fprintf(stderr, "%s: stopped: %s; the dead letter stays\n", name, shop_err_code(outcome));
}

int deadletter_run(struct worker *w, const char *action_name)
{
    struct deadletter_tool tool;
    struct deadletter_counts counts;
    enum deadletter_action action;
    int rc;

    if (deadletter_action_parse(action_name, &action) != SHOP_OK)
        return SHOP_ERR_INVALID;
    deadletter_tool_init(&tool, w->db, w->queue, &w->names, w->id, (int)w->lease_seconds, deadletter_print, NULL);
    rc = deadletter_apply_all(&tool, action, &counts);
    fprintf(stderr, "%s: %d dead letter(s)", action_name, counts.handled);
    if (counts.unreadable > 0)
        fprintf(stderr, "; %d unreadable, kept in %s", counts.unreadable, w->names.unreadable);
    fprintf(stderr, "\n");
    return rc;
}

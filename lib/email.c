/*
 * email.c - queueing an e-mail for the worker (see email.h).
 */
#include "email.h"

/* Due at once: the worker's next e-mail round (about a second) sends it. */
static const char SQL_QUEUE_EMAIL[] =
    "INSERT INTO emails (order_id, kind, next_attempt_at) VALUES (?, ?, CURRENT_TIMESTAMP(3))";

int email_queue(struct db *db, struct arena *arena, const char *order_id, const char *kind)
{
    const struct db_param params[] = {DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(kind)};

    return db_exec(db, arena, SQL_QUEUE_EMAIL, params, 2, NULL);
}

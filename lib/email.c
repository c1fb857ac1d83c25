/*
 * email.c - queueing an e-mail for the worker (see email.h).
 */
#include "email.h"

/*
 * Due at once: the worker's next e-mail round (about a second) sends it. A row
 * of that kind already there (a FAILED order replayed and failed again) is
 * left as it is: the shopper was told once. Only the key conflict is ignored.
 */
static const char SQL_QUEUE_EMAIL[] =
    "INSERT INTO emails (order_id, kind, next_attempt_at) VALUES (?, ?, CURRENT_TIMESTAMP(3))"
    " ON DUPLICATE KEY UPDATE order_id = order_id";

int email_queue(struct db *db, struct arena *arena, const char *order_id, const char *kind)
{
    const struct db_param params[] = {DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(kind)};

    return db_exec(db, arena, SQL_QUEUE_EMAIL, params, 2, NULL);
}

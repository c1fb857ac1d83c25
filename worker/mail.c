/*
 * mail.c - the shopper's e-mails (an order's confirmation, a refund's
 * notice): sent at most once, and tried again on its own when it could not
 * be delivered.
 *
 * The message is RFC 5322 text. With smtp_url set it goes to that SMTP server
 * through libcurl; otherwise it is written to the mail spool folder as
 * <order id>.eml (written to a temporary name, synced, then renamed, so a
 * reader never sees half a message). A batch's spool files are synced
 * together: one syncfs() instead of an fsync() per message.
 *
 * The same path sends the e-mails others queue for the worker (a refund,
 * lib/email): each kind (compose.c) is its own rows, spool file and text.
 *
 * At most once: a row in the emails table is claimed before delivery (a
 * batch's rows with one INSERT IGNORE ... RETURNING, which names exactly the
 * rows this worker added). sent_at is set only for a delivery this worker
 * saw succeed. What a claim whose worker died (between claim and delivery,
 * or before it recorded the delivery) becomes depends on the delivery:
 * - spool: the claim is a lease (next_attempt_at a lease ahead), so the row
 *   falls due and mail_resend_due() finishes it: an existing spool file is
 *   recorded as sent, a missing one written. The spool is the mailbox: one
 *   file per order, replaced atomically, so this never makes two e-mails as
 *   long as nothing removes files from it (a reader copies them out).
 * - SMTP: a delivery cannot be taken back, so the outcome stays unknown
 *   (logged, sent_at empty) rather than risk sending the e-mail twice.
 *
 * A delivery that failed (SMTP away, spool full) does not hold back a paid
 * order: the order is processed, and the row is scheduled for another
 * try (next_attempt_at, backoff doubling from worker_retry_backoff_ms up to a
 * minute), which mail_resend_due() makes, up to mail_max_attempts. If even
 * that schedule cannot be written (MariaDB away), the worker keeps it in
 * memory and writes it once it can.
 */
#define _GNU_SOURCE /* syncfs */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "worker/compose.h"
#include "lib/metrics.h"
#include "worker/steps.h"

#define MAIL_SMTP_TIMEOUT_SECONDS 15L
#define MAIL_RESEND_BATCH 20
#define MAIL_RESEND_EVERY_MS 1000
/* A round goes on while its batches come back full, this long: a backlog (a
 * thousand cancels) drains at hundreds a second, not 20, and orders still get
 * the worker between rounds. */
#define MAIL_RESEND_FOR_MS 250

/* The lease (NULL with SMTP): when a claim whose worker died falls due for mail_resend_due(). */
static const char SQL_CLAIM_EMAILS[] =
    "INSERT IGNORE INTO emails (order_id, kind, claimed_by, next_attempt_at)"
    " SELECT j.jid, ?, ?, CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND FROM " ORDER_SQL_IDS " RETURNING order_id";
/* next_attempt_at first: MariaDB evaluates a single-table SET from left to right. NULL: given up. */
static const char SQL_SCHEDULE_RETRY[] =
    "UPDATE emails SET next_attempt_at = IF(attempts + 1 >= ?, NULL, CURRENT_TIMESTAMP(3)"
    "  + INTERVAL CAST(LEAST(? * POW(2, LEAST(attempts, 30)), ?) AS UNSIGNED) * 1000 MICROSECOND),"
    " attempts = attempts + 1, last_error = ?, claimed_by = NULL"
    " WHERE order_id = ? AND kind = ? AND sent_at IS NULL";
/*
 * A retry round's claim: with the spool it is due again after a lease (a worker
 * that died mid-round only delays it; rewriting a spool file cannot make two
 * e-mails); with SMTP the lease is NULL, so a round cut short is never resent.
 */
static const char SQL_CLAIM_DUE[] =
    "UPDATE emails SET claimed_by = ?, next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND"
    " WHERE kind = ? AND sent_at IS NULL AND next_attempt_at <= CURRENT_TIMESTAMP(3) ORDER BY next_attempt_at LIMIT ?";
static const char SQL_CLAIMED_DUE[] =
    "SELECT order_id, attempts FROM emails WHERE claimed_by = ? AND kind = ? AND sent_at IS NULL ORDER BY order_id";
static const char SQL_MARK_SENT[] =
    "UPDATE emails e JOIN " ORDER_SQL_IDS " ON e.order_id = j.jid"
    " SET e.sent_at = CURRENT_TIMESTAMP(3), e.next_attempt_at = NULL, e.last_error = NULL"
    " WHERE e.kind = ? AND e.sent_at IS NULL";
static const char SQL_ORDER_LINES[] =
    "SELECT i.order_id, i.name, i.quantity, i.line_total_cents FROM " ORDER_SQL_IDS
    " JOIN order_items i ON i.order_id = j.jid ORDER BY i.order_id, i.product_id";

static void mail_spool_paths(struct worker *w, const struct mail_kind *kind, const struct worker_order *order,
                             char *path, size_t path_size, char *temporary, size_t temporary_size)
{
    snprintf(path, path_size, "%s/%s%s", w->mail.spool, order->id, kind->spool_suffix);
    snprintf(temporary, temporary_size, "%s/.%s%s.%s", w->mail.spool, order->id, kind->spool_suffix, w->id);
}

/* True when the order's message is already in the spool: an earlier attempt published it. */
static bool mail_spool_has(struct worker *w, const struct mail_kind *kind, const struct worker_order *order)
{
    char path[1024], temporary[1100];

    mail_spool_paths(w, kind, order, path, sizeof(path), temporary, sizeof(temporary));
    return access(path, F_OK) == 0;
}

/* Writes the message under its temporary name; mail_spool_publish() syncs and renames it. */
static int mail_spool_write(struct worker *w, const struct mail_kind *kind, const struct worker_order *order,
                            const struct mail_text *text)
{
    char path[1024], temporary[1100];
    int fd;
    ssize_t written;

    mail_spool_paths(w, kind, order, path, sizeof(path), temporary, sizeof(temporary));
    int saved;

    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        saved = errno;
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", temporary, strerror(saved));
        errno = saved; /* the caller names the cause */
        return SHOP_ERR_UNAVAILABLE;
    }
    written = write(fd, text->data, text->len);
    saved = written < 0 ? errno : ENOSPC; /* a short write is a full disk */
    if (close(fd) != 0 && written == (ssize_t)text->len) {
        saved = errno;
        written = -1;
    }
    if (written != (ssize_t)text->len) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", temporary, strerror(saved));
        unlink(temporary);
        errno = saved;
        return SHOP_ERR_UNAVAILABLE;
    }
    return SHOP_OK;
}

/*
 * Makes the written messages (spooled[i]) durable at once, then visible under
 * their real names. On failure every one is removed and SHOP_ERR_UNAVAILABLE
 * returned: none counts as sent.
 */
static int mail_spool_publish(struct worker *w, const struct mail_kind *kind, const struct worker_order *orders,
                              const bool *spooled, int count)
{
    char path[1024], temporary[1100];
    int dir, i, rc = SHOP_OK, written = 0;

    for (i = 0; i < count; i++)
        written += spooled[i] ? 1 : 0;
    if (written == 0)
        return SHOP_OK;
    dir = open(w->mail.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || syncfs(dir) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", w->mail.spool, strerror(errno));
        rc = SHOP_ERR_UNAVAILABLE;
    }
    for (i = 0; i < count; i++) {
        if (!spooled[i])
            continue;
        mail_spool_paths(w, kind, &orders[i], path, sizeof(path), temporary, sizeof(temporary));
        if (rc == SHOP_OK && rename(temporary, path) != 0) {
            log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", path, strerror(errno));
            rc = SHOP_ERR_UNAVAILABLE;
        }
        if (rc != SHOP_OK)
            unlink(temporary);
    }
    if (dir >= 0) {
        if (rc == SHOP_OK)
            fsync(dir); /* the renames; the messages themselves are already on disk */
        close(dir);
    }
    return rc;
}

static size_t mail_read_callback(char *buffer, size_t size, size_t count, void *arg)
{
    struct mail_text *text = arg;
    size_t room = size * count, left = text->len - text->sent;
    size_t n = left < room ? left : room;

    memcpy(buffer, text->data + text->sent, n);
    text->sent += n;
    return n;
}

int mail_smtp_send(struct worker *w, const char *address, struct mail_text *text, CURLcode *result)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *recipients = NULL;
    char recipient[300];

    *result = CURLE_OK;
    if (curl == NULL)
        return SHOP_ERR_NOMEM;
    snprintf(recipient, sizeof(recipient), "<%s>", address);
    recipients = curl_slist_append(recipients, recipient);
    curl_easy_setopt(curl, CURLOPT_URL, w->mail.smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, w->mail.envelope_from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_read_callback);
    curl_easy_setopt(curl, CURLOPT_READDATA, text);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, MAIL_SMTP_TIMEOUT_SECONDS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    text->sent = 0;
    *result = curl_easy_perform(curl);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return *result == CURLE_OK ? SHOP_OK : SHOP_ERR_UNAVAILABLE;
}

static int mail_send_smtp(struct worker *w, const struct worker_order *order, struct mail_text *text)
{
    CURLcode result;
    int rc = mail_smtp_send(w, order->email, text, &result);

    if (rc == SHOP_ERR_UNAVAILABLE)
        log_event(LOG_LEVEL_WARN, NULL, "event=smtp_failed order=%s error=\"%s\"", order->id, curl_easy_strerror(result));
    return rc;
}

/* Remembers a failure whose schedule could not be written, to write it from mail_resend_due(). */
static void mail_remember_unrecorded(struct worker *w, const struct mail_kind *kind, const char *order_id,
                                     const char *error)
{
    int n = w->mail_unrecorded.count;

    if (n == WORKER_BATCH_MAX) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_failure_lost order=%s error=\"%s\"", order_id, error);
        return;
    }
    snprintf(w->mail_unrecorded.ids[n], sizeof(w->mail_unrecorded.ids[n]), "%s", order_id);
    snprintf(w->mail_unrecorded.errors[n], sizeof(w->mail_unrecorded.errors[n]), "%s", error);
    w->mail_unrecorded.kinds[n] = kind;
    w->mail_unrecorded.count = n + 1;
}

/* Schedules another try of an undelivered e-mail (or gives it up after the last attempt). */
static int mail_schedule_retry(struct worker *w, const struct mail_kind *kind, const char *order_id, const char *error)
{
    const struct db_param params[] = {
        DB_PARAM_INT(w->mail.max_attempts), DB_PARAM_INT(w->retry_backoff_ms), DB_PARAM_INT(WORKER_MAX_BACKOFF_MS),
        DB_PARAM_TEXT(error), DB_PARAM_TEXT(order_id), DB_PARAM_TEXT(kind->name),
    };
    int rc = db_exec(w->db, &w->arena, SQL_SCHEDULE_RETRY, params, 6, NULL);

    if (rc != SHOP_OK) {
        log_event(LOG_LEVEL_WARN, NULL, "event=mail_retry_unrecorded order=%s kind=%s error=%s", order_id, kind->name,
                  shop_err_code(rc));
        mail_remember_unrecorded(w, kind, order_id, error);
    }
    return rc;
}

/*
 * Delivers the e-mail of kind of each orders[i] with want[i], setting
 * delivered[i]; each failure is logged with its cause in errors[i].
 */
static void mail_deliver(struct worker *w, const struct mail_kind *kind, const struct worker_order *orders, int count,
                         const bool *want, bool *delivered, const char **errors)
{
    bool *spooled = arena_alloc(&w->arena, sizeof(*spooled) * (size_t)(count > 0 ? count : 1));
    const char **ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)(count > 0 ? count : 1));
    bool smtp = w->mail.smtp_url[0] != '\0', smtp_down = false;
    const char *ids_json;
    struct db_result lines;
    struct mail_text text;
    int i, n = 0, rc;

    for (i = 0; i < count; i++) {
        delivered[i] = false;
        errors[i] = NULL;
        if (spooled != NULL)
            spooled[i] = false;
        if (want[i] && ids != NULL)
            ids[n++] = orders[i].id;
    }
    if (spooled == NULL || ids == NULL || (ids_json = json_string_list(&w->arena, ids, n)) == NULL)
        rc = SHOP_ERR_NOMEM;
    else {
        const struct db_param list[] = {DB_PARAM_TEXT(ids_json)};
        rc = db_exec(w->db, &w->arena, SQL_ORDER_LINES, list, 1, &lines);
    }
    for (i = 0; i < count; i++) {
        if (!want[i])
            continue;
        if (rc != SHOP_OK) {
            errors[i] = worker_error(w, "mail lines", shop_err_code(rc));
            continue;
        }
        if (smtp && smtp_down) { /* the server is away: do not wait out its timeout once per message */
            errors[i] = "smtp: server unreachable";
            continue;
        }
        if (!smtp && mail_spool_has(w, kind, &orders[i])) {
            delivered[i] = true; /* published by an attempt that could not record it */
            continue;
        }
        worker_renew_lease(w);
        int sent = kind->compose(w, &orders[i], &lines, &text);
        if (sent == SHOP_OK)
            sent = smtp ? mail_send_smtp(w, &orders[i], &text) : mail_spool_write(w, kind, &orders[i], &text);
        smtp_down = smtp_down || (smtp && sent == SHOP_ERR_UNAVAILABLE);
        if (sent != SHOP_OK)
            errors[i] = smtp ? "smtp: delivery failed" : worker_error(w, "mail spool", strerror(errno));
        else if (smtp)
            delivered[i] = true;
        else
            spooled[i] = true;
    }
    if (!smtp && rc == SHOP_OK) {
        rc = mail_spool_publish(w, kind, orders, spooled, count);
        for (i = 0; i < count; i++) {
            if (spooled[i] && rc != SHOP_OK)
                errors[i] = "mail spool: sync or rename failed";
            delivered[i] = delivered[i] || (spooled[i] && rc == SHOP_OK);
        }
    }
}

/* Sets mine[i] for each open order whose id is in column 0 of rows. */
static void mail_mark_mine(const struct worker_order *orders, int count, const struct db_result *rows, bool *mine)
{
    int i, k;

    for (i = 0; i < count; i++) {
        for (k = 0; orders[i].open && k < rows->rows && !mine[i]; k++)
            mine[i] = strcmp(orders[i].id, db_result_text(rows, k, 0)) == 0;
    }
}

/* The open orders whose e-mail was claimed before (not mine[]) are left to that claim (see the top). */
static void mail_log_claimed_before(const struct worker_order *orders, int count, const bool *mine)
{
    int i;

    for (i = 0; i < count; i++) {
        if (orders[i].open && !mine[i])
            log_event(LOG_LEVEL_INFO, NULL, "event=mail_claimed_before order=%s", orders[i].id);
    }
}

/* Claims the open orders' e-mails; mine[i] tells which claims this worker holds now. */
static int mail_claim(struct worker *w, struct worker_order *orders, int count, bool *mine)
{
    const char *ids_json;
    struct db_result added;
    int i, open, rc;

    for (i = 0; i < count; i++)
        mine[i] = false;
    if ((ids_json = worker_open_ids(w, orders, count, &open)) == NULL)
        return SHOP_ERR_NOMEM;
    if (open == 0)
        return SHOP_OK;
    const bool smtp = w->mail.smtp_url[0] != '\0';
    const struct db_param claim[] = {DB_PARAM_TEXT(mail_kind_confirmation.name), DB_PARAM_TEXT(w->id),
                                     smtp ? DB_PARAM_NULL : DB_PARAM_INT(w->lease_seconds), DB_PARAM_TEXT(ids_json)};
    if ((rc = db_exec(w->db, &w->arena, SQL_CLAIM_EMAILS, claim, 4, &added)) != SHOP_OK)
        return rc;
    mail_mark_mine(orders, count, &added, mine);
    mail_log_claimed_before(orders, count, mine);
    return SHOP_OK;
}

int mail_send_confirmations(struct worker *w, struct worker_order *orders, int count)
{
    bool *mine = arena_alloc(&w->arena, sizeof(*mine) * (size_t)count);
    bool *delivered = arena_alloc(&w->arena, sizeof(*delivered) * (size_t)count);
    const char **errors = arena_alloc(&w->arena, sizeof(*errors) * (size_t)count);
    int i, rc;

    if (mine == NULL || delivered == NULL || errors == NULL)
        return SHOP_ERR_NOMEM;
    if ((rc = mail_claim(w, orders, count, mine)) != SHOP_OK)
        return rc;
    mail_deliver(w, &mail_kind_confirmation, orders, count, mine, delivered, errors);
    for (i = 0; i < count; i++) {
        if (!mine[i])
            continue;
        orders[i].mailed = delivered[i];
        metrics_add(delivered[i] ? METRICS_EMAIL_SENT : METRICS_EMAIL_FAILED, 1);
        if (delivered[i]) {
            log_event(LOG_LEVEL_INFO, NULL, "event=mail_sent order=%s via=%s", orders[i].id,
                      w->mail.smtp_url[0] != '\0' ? "smtp" : "spool");
        } else {
            log_event(LOG_LEVEL_WARN, NULL, "event=mail_failed order=%s attempt=1 error=\"%s\"", orders[i].id, errors[i]);
            mail_schedule_retry(w, &mail_kind_confirmation, orders[i].id, errors[i]); /* the order goes on: it is paid */
        }
    }
    return SHOP_OK;
}

int mail_record_sent(struct db *db, void *arg)
{
    const struct mail_sent *sent = arg;
    const struct db_param mark[] = {DB_PARAM_TEXT(sent->sent_json), DB_PARAM_TEXT(sent->kind)};

    return db_exec(db, sent->arena, SQL_MARK_SENT, mark, 2, NULL);
}

/* Writes the schedules an earlier failure could not; stops at the first that still fails. */
static void mail_record_unrecorded(struct worker *w)
{
    while (w->mail_unrecorded.count > 0) {
        int n = w->mail_unrecorded.count - 1;
        w->mail_unrecorded.count = n; /* mail_schedule_retry puts it back on failure */
        if (mail_schedule_retry(w, w->mail_unrecorded.kinds[n], w->mail_unrecorded.ids[n],
                                w->mail_unrecorded.errors[n]) != SHOP_OK)
            return;
    }
}

/* Claims up to MAIL_RESEND_BATCH due e-mails of kind; *ids_json (NULL: none) and *attempts per row of *rows. */
static int mail_claim_due(struct worker *w, const struct mail_kind *kind, struct db_result *rows,
                          const char **ids_json)
{
    const char *token = arena_printf(&w->arena, "%s:%lld", w->id, ++w->mail_round);
    const char **ids;
    int rc, i;

    *ids_json = NULL;
    if (token == NULL)
        return SHOP_ERR_NOMEM;
    const bool smtp = w->mail.smtp_url[0] != '\0';
    const struct db_param claim[] = {DB_PARAM_TEXT(token), smtp ? DB_PARAM_NULL : DB_PARAM_INT(w->lease_seconds),
                                     DB_PARAM_TEXT(kind->name), DB_PARAM_INT(MAIL_RESEND_BATCH)};
    const struct db_param mine[] = {DB_PARAM_TEXT(token), DB_PARAM_TEXT(kind->name)};
    if ((rc = db_exec(w->db, &w->arena, SQL_CLAIM_DUE, claim, 4, NULL)) != SHOP_OK ||
        (rc = db_exec(w->db, &w->arena, SQL_CLAIMED_DUE, mine, 2, rows)) != SHOP_OK || rows->rows == 0)
        return rc;
    if ((ids = arena_alloc(&w->arena, sizeof(*ids) * (size_t)rows->rows)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < rows->rows; i++)
        ids[i] = db_result_text(rows, i, 0);
    *ids_json = json_string_list(&w->arena, ids, rows->rows);
    return *ids_json != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

/* The outcome of one e-mail of a round: sent (in sent, for one UPDATE) or scheduled again. */
static void mail_resend_outcome(struct worker *w, const struct mail_kind *kind, const struct worker_order *order,
                                long long attempts, bool delivered, const char *error, const char **sent,
                                int *sent_count)
{
    if (delivered) {
        sent[(*sent_count)++] = order->id;
        metrics_add(METRICS_EMAIL_SENT, 1);
        log_event(LOG_LEVEL_INFO, NULL, "event=mail_sent order=%s kind=%s attempt=%lld", order->id, kind->name,
                  attempts + 1);
        return;
    }
    metrics_add(attempts + 1 >= w->mail.max_attempts ? METRICS_EMAIL_GIVEN_UP : METRICS_EMAIL_FAILED, 1);
    if (attempts + 1 >= w->mail.max_attempts)
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_given_up order=%s kind=%s attempts=%lld error=\"%s\"", order->id,
                  kind->name, attempts + 1, error);
    else
        log_event(LOG_LEVEL_WARN, NULL, "event=mail_failed order=%s kind=%s attempt=%lld error=\"%s\"", order->id,
                  kind->name, attempts + 1, error);
    mail_schedule_retry(w, kind, order->id, error);
}

/* One batch of e-mails of kind that are due: claimed, delivered, recorded or scheduled again. How many it claimed. */
static int mail_resend_kind(struct worker *w, const struct mail_kind *kind)
{
    struct worker_order *orders = NULL;
    struct db_result due;
    const char *ids_json, **errors, **sent;
    bool *want, *delivered;
    int count = 0, sent_count = 0, i, first, n, rc;

    if (mail_claim_due(w, kind, &due, &ids_json) != SHOP_OK || ids_json == NULL)
        return 0;
    if ((rc = worker_load_orders(w, ids_json, &orders, &count)) != SHOP_OK) {
        for (i = 0; i < due.rows; i++) /* claimed but not tried: due again later */
            mail_schedule_retry(w, kind, db_result_text(&due, i, 0),
                                worker_error(w, "mail retry load", shop_err_code(rc)));
        return due.rows;
    }
    want = arena_alloc(&w->arena, sizeof(*want) * (size_t)(count + 1));
    delivered = arena_alloc(&w->arena, sizeof(*delivered) * (size_t)(count + 1));
    errors = arena_alloc(&w->arena, sizeof(*errors) * (size_t)(count + 1));
    sent = arena_alloc(&w->arena, sizeof(*sent) * (size_t)(count + 1));
    if (want == NULL || delivered == NULL || errors == NULL || sent == NULL)
        return due.rows;
    for (i = 0; i < count; i++)
        want[i] = true;
    mail_deliver(w, kind, orders, count, want, delivered, errors);
    for (i = 0; i < count; i++) {
        db_result_run(&due, 0, orders[i].id, &first, &n);
        mail_resend_outcome(w, kind, &orders[i], n > 0 ? db_result_int(&due, first, 1) : 0, delivered[i], errors[i], sent,
                            &sent_count);
    }
    if (sent_count == 0)
        return due.rows;
    struct mail_sent record = {&w->arena, json_string_list(&w->arena, sent, sent_count), kind->name};
    if (record.sent_json == NULL)
        rc = SHOP_ERR_NOMEM;
    else
        rc = mail_record_sent(w->db, &record);
    if (rc != SHOP_OK)
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_sent_unrecorded count=%d error=%s", sent_count, shop_err_code(rc));
    return due.rows;
}

void mail_resend_due(struct worker *w)
{
    long long until;
    int k;

    if (worker_now_ms() < w->due.mail)
        return;
    w->due.mail = worker_now_ms() + MAIL_RESEND_EVERY_MS;
    mail_record_unrecorded(w);
    until = worker_now_ms() + MAIL_RESEND_FOR_MS;
    for (k = 0; k < MAIL_KIND_COUNT; k++)
        while (mail_resend_kind(w, mail_kinds[k]) >= MAIL_RESEND_BATCH && worker_now_ms() < until && !worker_stopping)
            arena_reset(&w->arena);
}

/*
 * mail.c - the order confirmation e-mail, sent at most once.
 *
 * The message is RFC 5322 text. With smtp_url set it goes to that SMTP server
 * through libcurl; otherwise it is written to the mail spool folder as
 * <order id>.eml (written to a temporary name, synced, then renamed, so a
 * reader never sees half a message). A batch's spool files are synced
 * together: one syncfs() instead of an fsync() per message.
 *
 * At most once: a row in the emails table is claimed before delivery (a
 * batch's rows with one INSERT IGNORE ... RETURNING, which names exactly the
 * rows this worker added). If the delivery fails the claim is withdrawn and
 * the step is retried later; if the worker dies between claim and delivery the
 * mail is not sent at all, which is the price of never sending it twice.
 */
#define _GNU_SOURCE /* syncfs */
#include <curl/curl.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "worker/worker.h"

#define MAIL_KIND_CONFIRMATION "confirmation"
#define MAIL_SMTP_TIMEOUT_SECONDS 15L

static const char SQL_CLAIM_EMAILS[] =
    "INSERT IGNORE INTO emails (order_id, kind) SELECT j.jid, ? FROM " WORKER_SQL_ORDER_IDS " RETURNING order_id";
static const char SQL_RELEASE_EMAIL[] = "DELETE FROM emails WHERE order_id = ? AND kind = ? AND sent_at IS NULL";
static const char SQL_ORDER_LINES[] =
    "SELECT i.order_id, i.name, i.quantity, i.line_total_cents FROM " WORKER_SQL_ORDER_IDS
    " JOIN order_items i ON i.order_id = j.jid ORDER BY i.order_id, i.product_id";

struct mail_text {
    char *data;
    size_t len, cap, sent;
};

static int mail_append(struct worker *w, struct mail_text *text, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int mail_append(struct worker *w, struct mail_text *text, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(text->data + text->len, text->cap - text->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= text->cap - text->len) {
        /* Grow into a fresh arena block and write again. */
        size_t cap = (text->cap + (size_t)(n < 0 ? 0 : n)) * 2;
        char *bigger = arena_alloc(&w->arena, cap);
        if (n < 0 || bigger == NULL)
            return SHOP_ERR_NOMEM;
        memcpy(bigger, text->data, text->len);
        text->data = bigger;
        text->cap = cap;
        va_start(ap, fmt);
        n = vsnprintf(text->data + text->len, text->cap - text->len, fmt, ap);
        va_end(ap);
    }
    text->len += (size_t)n;
    return SHOP_OK;
}

static int mail_compose(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                        struct mail_text *text)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    int rc, i, first, count;

    db_result_run(lines, 0, order->id, &first, &count); /* lines are sorted by order id */
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    text->cap = 4096;
    text->len = text->sent = 0;
    if ((text->data = arena_alloc(&w->arena, text->cap)) == NULL)
        return SHOP_ERR_NOMEM;
    /* Every value here was validated at checkout: no CR or LF can reach a header. */
    rc = mail_append(w, text,
                     "From: %s\r\nTo: <%s>\r\nSubject: Your order %s is confirmed\r\nDate: %s\r\n"
                     "Message-ID: <%s.confirmation@fcgi-shop>\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                     "Hello %s,\r\n\r\nthank you for your order %s. We have received your payment.\r\n\r\n",
                     w->mail.from, order->email, order->id, date, order->id, order->name, order->id);
    for (i = first; i < first + count && rc == SHOP_OK; i++) {
        long long cents = db_result_int(lines, i, 3);
        rc = mail_append(w, text, "  %3lld x %-40s %8lld.%02lld %s\r\n", db_result_int(lines, i, 2),
                         db_result_text(lines, i, 1), cents / 100, cents % 100, order->currency);
    }
    if (rc == SHOP_OK)
        rc = mail_append(w, text,
                         "\r\n  Total: %lld.%02lld %s\r\n\r\nWe will ship it to:\r\n  %s\r\n  %s\r\n  %s %s\r\n  %s\r\n\r\n"
                         "-- \r\nfcgi-shop\r\n",
                         order->total_cents / 100, order->total_cents % 100, order->currency, order->name,
                         order->address, order->postal_code, order->city, order->country);
    return rc;
}

static void mail_spool_paths(struct worker *w, const struct worker_order *order, char *path, size_t path_size,
                             char *temporary, size_t temporary_size)
{
    snprintf(path, path_size, "%s/%s.eml", w->mail.spool, order->id);
    snprintf(temporary, temporary_size, "%s/.%s.eml.%s", w->mail.spool, order->id, w->id);
}

/* Writes the message under its temporary name; mail_spool_publish() syncs and renames it. */
static int mail_spool_write(struct worker *w, const struct worker_order *order, const struct mail_text *text)
{
    char path[1024], temporary[1100];
    int fd;
    ssize_t written;

    mail_spool_paths(w, order, path, sizeof(path), temporary, sizeof(temporary));
    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", temporary, strerror(errno));
        return SHOP_ERR_UNAVAILABLE;
    }
    written = write(fd, text->data, text->len);
    if (written != (ssize_t)text->len || close(fd) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", temporary, strerror(errno));
        unlink(temporary);
        return SHOP_ERR_UNAVAILABLE;
    }
    return SHOP_OK;
}

/*
 * Makes the written messages (spooled[i]) durable at once, then visible under
 * their real names. On failure every one is removed and SHOP_ERR_UNAVAILABLE
 * returned: none counts as sent.
 */
static int mail_spool_publish(struct worker *w, const struct worker_order *orders, const bool *spooled, int count)
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
        mail_spool_paths(w, &orders[i], path, sizeof(path), temporary, sizeof(temporary));
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

static int mail_send_smtp(struct worker *w, const struct worker_order *order, struct mail_text *text)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *recipients = NULL;
    char recipient[300];
    CURLcode result;

    if (curl == NULL)
        return SHOP_ERR_NOMEM;
    snprintf(recipient, sizeof(recipient), "<%s>", order->email);
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
    result = curl_easy_perform(curl);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    if (result != CURLE_OK) {
        log_event(LOG_LEVEL_WARN, NULL, "event=smtp_failed order=%s error=\"%s\"", order->id, curl_easy_strerror(result));
        return SHOP_ERR_UNAVAILABLE;
    }
    return SHOP_OK;
}

/* Withdraws the claim of an order whose message was not delivered, and ends it for a retry. */
static void mail_unclaim(struct worker *w, struct worker_order *order, int rc)
{
    const struct db_param key[] = {DB_PARAM_TEXT(order->id), DB_PARAM_TEXT(MAIL_KIND_CONFIRMATION)};

    db_exec(w->db, &w->arena, SQL_RELEASE_EMAIL, key, 2, NULL);
    worker_order_end(order, WORKER_RETRY, shop_err_code(rc));
}

/* Claims the open orders' e-mails; mine[i] tells which claims this call made. */
static int mail_claim(struct worker *w, struct worker_order *orders, int count, bool *mine, const char **claimed_json)
{
    const char *ids_json, **claimed;
    struct db_result added;
    int i, k, open, rc;

    *claimed_json = NULL;
    if ((ids_json = worker_open_ids(w, orders, count, &open)) == NULL)
        return SHOP_ERR_NOMEM;
    for (i = 0; i < count; i++)
        mine[i] = false;
    if (open == 0)
        return SHOP_OK;
    const struct db_param claim[] = {DB_PARAM_TEXT(MAIL_KIND_CONFIRMATION), DB_PARAM_TEXT(ids_json)};
    if ((rc = db_exec(w->db, &w->arena, SQL_CLAIM_EMAILS, claim, 2, &added)) != SHOP_OK)
        return rc;
    if ((claimed = arena_alloc(&w->arena, sizeof(*claimed) * (size_t)(added.rows > 0 ? added.rows : 1))) == NULL)
        return SHOP_ERR_NOMEM;
    for (k = 0; k < added.rows; k++) {
        claimed[k] = db_result_text(&added, k, 0);
        for (i = 0; i < count; i++)
            mine[i] = mine[i] || (orders[i].open && strcmp(orders[i].id, claimed[k]) == 0);
    }
    /* The others were claimed before: sent, or lost with a dead worker. */
    if (added.rows > 0 && (*claimed_json = json_string_list(&w->arena, claimed, added.rows)) == NULL)
        return SHOP_ERR_NOMEM;
    return SHOP_OK;
}

int mail_send_confirmations(struct worker *w, struct worker_order *orders, int count)
{
    bool *mine = arena_alloc(&w->arena, sizeof(*mine) * (size_t)count);
    bool *spooled = arena_alloc(&w->arena, sizeof(*spooled) * (size_t)count);
    bool smtp = w->mail.smtp_url[0] != '\0', delivery_failed = false;
    const char *claimed_json;
    struct db_result lines;
    struct mail_text text;
    int i, rc;

    if (mine == NULL || spooled == NULL)
        return SHOP_ERR_NOMEM;
    if ((rc = mail_claim(w, orders, count, mine, &claimed_json)) != SHOP_OK || claimed_json == NULL)
        return rc;
    const struct db_param ids[] = {DB_PARAM_TEXT(claimed_json)};
    if ((rc = db_exec(w->db, &w->arena, SQL_ORDER_LINES, ids, 1, &lines)) != SHOP_OK) {
        for (i = 0; i < count; i++) {
            if (mine[i])
                mail_unclaim(w, &orders[i], rc);
        }
        return SHOP_OK;
    }
    for (i = 0; i < count; i++) {
        spooled[i] = false;
        if (!mine[i])
            continue;
        if (smtp && delivery_failed) { /* the server is away: do not wait out its timeout once per message */
            mail_unclaim(w, &orders[i], SHOP_ERR_UNAVAILABLE);
            continue;
        }
        worker_renew_lease(w);
        rc = mail_compose(w, &orders[i], &lines, &text);
        if (rc == SHOP_OK)
            rc = smtp ? mail_send_smtp(w, &orders[i], &text) : mail_spool_write(w, &orders[i], &text);
        delivery_failed = delivery_failed || rc == SHOP_ERR_UNAVAILABLE;
        if (rc != SHOP_OK)
            mail_unclaim(w, &orders[i], rc); /* not delivered: a later attempt sends it */
        else
            spooled[i] = !smtp;
    }
    if (!smtp && mail_spool_publish(w, orders, spooled, count) != SHOP_OK) {
        for (i = 0; i < count; i++) {
            if (spooled[i])
                mail_unclaim(w, &orders[i], SHOP_ERR_UNAVAILABLE);
        }
    }
    for (i = 0; i < count; i++) {
        if (mine[i] && orders[i].open)
            log_event(LOG_LEVEL_INFO, NULL, "event=mail_sent order=%s via=%s", orders[i].id, smtp ? "smtp" : "spool");
    }
    return SHOP_OK; /* sent_at is set with the orders' final status (process.c) */
}

/*
 * mail.c - the order confirmation e-mail, sent at most once.
 *
 * The message is RFC 5322 text. With smtp_url set it goes to that SMTP server
 * through libcurl; otherwise it is written to the mail spool folder as
 * <order id>.eml (written to a temporary name, synced, then renamed, so a
 * reader never sees half a message).
 *
 * At most once: a row in the emails table is claimed before delivery. If the
 * delivery fails the claim is withdrawn and the step is retried later; if the
 * worker dies between claim and delivery the mail is not sent at all, which is
 * the price of never sending it twice.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"
#include "worker/worker.h"

#define MAIL_KIND_CONFIRMATION "confirmation"
#define MAIL_SMTP_TIMEOUT_SECONDS 15L

static const char SQL_CLAIM_EMAIL[] = "INSERT INTO emails (order_id, kind) VALUES (?, ?)";
static const char SQL_RELEASE_EMAIL[] = "DELETE FROM emails WHERE order_id = ? AND kind = ? AND sent_at IS NULL";
static const char SQL_ORDER_LINES[] =
    "SELECT name, quantity, line_total_cents FROM order_items WHERE order_id = ? ORDER BY product_id";

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

static int mail_compose(struct worker *w, const struct worker_order *order, struct mail_text *text)
{
    const struct db_param id[] = {DB_PARAM_TEXT(order->id)};
    struct db_result lines;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    int rc, i;

    if ((rc = db_exec(w->db, &w->arena, SQL_ORDER_LINES, id, 1, &lines)) != SHOP_OK)
        return rc;
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
    for (i = 0; i < lines.rows && rc == SHOP_OK; i++) {
        long long cents = db_result_int(&lines, i, 2);
        rc = mail_append(w, text, "  %3lld x %-40s %8lld.%02lld %s\r\n", db_result_int(&lines, i, 1),
                         db_result_text(&lines, i, 0), cents / 100, cents % 100, order->currency);
    }
    if (rc == SHOP_OK)
        rc = mail_append(w, text,
                         "\r\n  Total: %lld.%02lld %s\r\n\r\nWe will ship it to:\r\n  %s\r\n  %s\r\n  %s %s\r\n  %s\r\n\r\n"
                         "-- \r\nfcgi-shop\r\n",
                         order->total_cents / 100, order->total_cents % 100, order->currency, order->name,
                         order->address, order->postal_code, order->city, order->country);
    return rc;
}

static int mail_write_spool(struct worker *w, const struct worker_order *order, const struct mail_text *text)
{
    char path[1024], temporary[1100];
    int fd;
    ssize_t written;

    snprintf(path, sizeof(path), "%s/%s.eml", w->mail.spool, order->id);
    snprintf(temporary, sizeof(temporary), "%s/.%s.eml.%s", w->mail.spool, order->id, w->id);
    fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", temporary, strerror(errno));
        return SHOP_ERR_UNAVAILABLE;
    }
    written = write(fd, text->data, text->len);
    if (written != (ssize_t)text->len || fsync(fd) != 0 || close(fd) != 0 || rename(temporary, path) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=mail_spool_failed path=%s error=\"%s\"", path, strerror(errno));
        unlink(temporary);
        return SHOP_ERR_UNAVAILABLE;
    }
    return SHOP_OK;
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

int mail_send_confirmation(struct worker *w, const struct worker_order *order)
{
    const struct db_param key[] = {DB_PARAM_TEXT(order->id), DB_PARAM_TEXT(MAIL_KIND_CONFIRMATION)};
    struct mail_text text;
    int rc = db_exec(w->db, &w->arena, SQL_CLAIM_EMAIL, key, 2, NULL);

    if (rc == SHOP_ERR_CONFLICT)
        return SHOP_OK; /* claimed before: sent, or lost with a dead worker */
    if (rc != SHOP_OK)
        return rc;
    rc = mail_compose(w, order, &text);
    if (rc == SHOP_OK)
        rc = w->mail.smtp_url[0] != '\0' ? mail_send_smtp(w, order, &text) : mail_write_spool(w, order, &text);
    if (rc != SHOP_OK) {
        /* Not delivered: withdraw the claim so a later attempt sends it. */
        db_exec(w->db, &w->arena, SQL_RELEASE_EMAIL, key, 2, NULL);
        return rc;
    }
    log_event(LOG_LEVEL_INFO, NULL, "event=mail_sent order=%s via=%s", order->id, w->mail.smtp_url[0] != '\0' ? "smtp" : "spool");
    return SHOP_OK; /* sent_at is set with the order's final status (process.c) */
}

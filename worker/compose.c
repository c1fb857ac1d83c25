/*
 * compose.c - the text of each e-mail the worker sends: the confirmation of a
 * processed order and the notice of a refund. Plain text, UTF-8, CRLF lines.
 *
 * Every value that reaches a header (address, name, id) was validated at
 * checkout (lib/validate): none holds a CR or LF, so no header injection.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/email.h"
#include "lib/err.h"
#include "worker/compose.h"

#define COMPOSE_FIRST_CAP 4096

static int compose_append(struct worker *w, struct mail_text *text, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int compose_append(struct worker *w, struct mail_text *text, const char *fmt, ...)
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

/* The headers, up to the blank line; kind names the Message-ID. */
static int compose_headers(struct worker *w, const struct worker_order *order, const char *kind, const char *subject,
                           struct mail_text *text)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    text->cap = COMPOSE_FIRST_CAP;
    text->len = text->sent = 0;
    if ((text->data = arena_alloc(&w->arena, text->cap)) == NULL)
        return SHOP_ERR_NOMEM;
    return compose_append(w, text,
                          "From: %s\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\n"
                          "Message-ID: <%s.%s@fcgi-shop>\r\nMIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
                          w->mail.from, order->email, subject, date, order->id, kind);
}

/* The order's lines and its total. */
static int compose_lines(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                         struct mail_text *text)
{
    int rc = SHOP_OK, i, first, count;

    db_result_run(lines, 0, order->id, &first, &count); /* lines are sorted by order id */
    for (i = first; i < first + count && rc == SHOP_OK; i++) {
        long long cents = db_result_int(lines, i, 3);
        rc = compose_append(w, text, "  %3lld x %-40s %8lld.%02lld %s\r\n", db_result_int(lines, i, 2),
                            db_result_text(lines, i, 1), cents / 100, cents % 100, order->currency);
    }
    if (rc == SHOP_OK)
        rc = compose_append(w, text, "\r\n  Total: %lld.%02lld %s\r\n", order->total_cents / 100,
                            order->total_cents % 100, order->currency);
    return rc;
}

static int compose_confirmation(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                                struct mail_text *text)
{
    char subject[128];
    int rc;

    snprintf(subject, sizeof(subject), "Your order %s is confirmed", order->id);
    if ((rc = compose_headers(w, order, EMAIL_KIND_CONFIRMATION, subject, text)) != SHOP_OK ||
        (rc = compose_append(w, text, "Hello %s,\r\n\r\nthank you for your order %s. We have received your payment.\r\n\r\n",
                             order->name, order->id)) != SHOP_OK ||
        (rc = compose_lines(w, order, lines, text)) != SHOP_OK)
        return rc;
    return compose_append(w, text, "\r\nWe will ship it to:\r\n  %s\r\n  %s\r\n  %s %s\r\n  %s\r\n\r\n-- \r\nfcgi-shop\r\n",
                          order->name, order->address, order->postal_code, order->city, order->country);
}

static int compose_refund(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                          struct mail_text *text)
{
    char subject[128];
    int rc;

    snprintf(subject, sizeof(subject), "Your order %s has been refunded", order->id);
    if ((rc = compose_headers(w, order, EMAIL_KIND_REFUND, subject, text)) != SHOP_OK ||
        (rc = compose_append(w, text,
                             "Hello %s,\r\n\r\nwe have refunded your order %s: %lld.%02lld %s go back to the card"
                             " you paid with.\r\n\r\n",
                             order->name, order->id, order->total_cents / 100, order->total_cents % 100,
                             order->currency)) != SHOP_OK ||
        (rc = compose_lines(w, order, lines, text)) != SHOP_OK)
        return rc;
    return compose_append(w, text, "\r\n-- \r\nfcgi-shop\r\n");
}

const struct mail_kind mail_kind_confirmation = {EMAIL_KIND_CONFIRMATION, ".eml", compose_confirmation};
const struct mail_kind mail_kind_refund = {EMAIL_KIND_REFUND, ".refund.eml", compose_refund};
const struct mail_kind *const mail_kinds[MAIL_KIND_COUNT] = {&mail_kind_confirmation, &mail_kind_refund};

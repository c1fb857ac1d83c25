/*
 * compose.c - the text of each e-mail the worker sends, one per final status:
 * the confirmation of a processed order, and the notice of a declined card, of
 * an order that could not be completed, of a cancel and of a refund. Plain
 * text, UTF-8, CRLF lines.
 *
 * Each names the order by its short reference (lib/order: the one the order
 * page and shopctl show), lists its lines and total, says what happens next,
 * and ends with whom to write to (the support_email setting).
 *
 * Every value that reaches a header (address, name, id) was validated at
 * checkout (lib/validate), the support address at start: none holds a CR or
 * LF, so no header injection.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/email.h"
#include "lib/err.h"
#include "lib/order.h"
#include "lib/settings.h"
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

/* Where the notice's "what next" sends the shopper: the shop's own page when its address is known. */
static const char *compose_page(struct worker *w, const char *path)
{
    const char *origin = settings_get()->public_origin, *page;
    int first = (int)strcspn(origin, ","); /* public_origin may list several: the first is the shop's own */

    page = first > 0 ? arena_printf(&w->arena, " (%.*s%s)", first, origin, path) : "";
    return page != NULL ? page : "";
}

/*
 * The whole message: headers with subject, the greeting, opening, the lines
 * and total, next (what happens now), then whom to write to, quoting the
 * reference. Any text NULL (the arena was out of memory): SHOP_ERR_NOMEM.
 */
static int compose_notice(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                          const char *kind, const char *subject, const char *opening, const char *next,
                          struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];
    int rc;

    if (subject == NULL || opening == NULL || next == NULL)
        return SHOP_ERR_NOMEM;
    order_reference(order->id, reference);
    if ((rc = compose_headers(w, order, kind, subject, text)) != SHOP_OK ||
        (rc = compose_append(w, text, "Hello %s,\r\n\r\n%s\r\n\r\n", order->name, opening)) != SHOP_OK ||
        (rc = compose_lines(w, order, lines, text)) != SHOP_OK ||
        (rc = compose_append(w, text, "\r\n%s\r\n\r\n", next)) != SHOP_OK)
        return rc;
    return compose_append(w, text,
                          "Questions? Write to %s and quote your order reference %s.\r\n\r\n-- \r\nfcgi-shop\r\n",
                          settings_get()->support_email, reference);
}

static int compose_confirmation(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                                struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order->id, reference);
    return compose_notice(
        w, order, lines, EMAIL_KIND_CONFIRMATION, arena_printf(&w->arena, "Your order %s is confirmed", reference),
        arena_printf(&w->arena, "thank you for your order %s. We have received your payment.", reference),
        arena_printf(&w->arena, "We will ship it to:\r\n  %s\r\n  %s\r\n  %s %s\r\n  %s", order->name, order->address,
                     order->postal_code, order->city, order->country),
        text);
}

static int compose_payment_failed(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                                  struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order->id, reference);
    return compose_notice(
        w, order, lines, EMAIL_KIND_PAYMENT_FAILED,
        arena_printf(&w->arena, "Your payment for order %s was declined", reference),
        arena_printf(&w->arena, "your card was declined for your order %s, so we have not charged you and the order"
                                " will not be shipped.", reference),
        arena_printf(&w->arena, "Your cart is still there%s: you can try again with another card, or ask your bank"
                                " why the payment was refused.", compose_page(w, "/cart")),
        text);
}

static int compose_failed(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                          struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order->id, reference);
    return compose_notice(
        w, order, lines, EMAIL_KIND_FAILED, arena_printf(&w->arena, "We could not complete your order %s", reference),
        arena_printf(&w->arena, "we are sorry: a fault on our side kept us from completing your order %s, and it"
                                " will not be shipped as it is.", reference),
        "You have not been charged for it: any charge made for it goes back to your card. We will write to you if"
        " we can still complete it.",
        text);
}

static int compose_cancelled(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                             struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order->id, reference);
    return compose_notice(
        w, order, lines, EMAIL_KIND_CANCELLED, arena_printf(&w->arena, "Your order %s has been cancelled", reference),
        arena_printf(&w->arena, "your order %s has been cancelled and will not be shipped.", reference),
        "You are not charged for it: any charge made for it goes back to your card.", text);
}

static int compose_refund(struct worker *w, const struct worker_order *order, const struct db_result *lines,
                          struct mail_text *text)
{
    char reference[ORDER_REFERENCE_MAX + 1];

    order_reference(order->id, reference);
    return compose_notice(
        w, order, lines, EMAIL_KIND_REFUND, arena_printf(&w->arena, "Your order %s has been refunded", reference),
        arena_printf(&w->arena, "we have refunded your order %s.", reference),
        arena_printf(&w->arena, "%lld.%02lld %s go back to the card you paid with; your bank usually shows the refund"
                                " within 5 to 10 business days.", order->total_cents / 100, order->total_cents % 100,
                     order->currency),
        text);
}

const struct mail_kind mail_kind_confirmation = {EMAIL_KIND_CONFIRMATION, ".eml", compose_confirmation};
const struct mail_kind mail_kind_refund = {EMAIL_KIND_REFUND, ".refund.eml", compose_refund};
const struct mail_kind mail_kind_payment_failed = {EMAIL_KIND_PAYMENT_FAILED, ".declined.eml", compose_payment_failed};
const struct mail_kind mail_kind_failed = {EMAIL_KIND_FAILED, ".failed.eml", compose_failed};
const struct mail_kind mail_kind_cancelled = {EMAIL_KIND_CANCELLED, ".cancelled.eml", compose_cancelled};
const struct mail_kind *const mail_kinds[MAIL_KIND_COUNT] = {
    &mail_kind_confirmation, &mail_kind_refund, &mail_kind_payment_failed, &mail_kind_failed, &mail_kind_cancelled,
};

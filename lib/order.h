/*
 * order.h - the order lifecycle: its statuses, its queue message, and every
 * transition, each one function that carries its SQL and its side effects.
 *
 *   PENDING ──claim──▶ (charge, mail) ──▶ PROCESSED ──refund (operator)──▶ REFUNDED
 *      │                 │                  (ledger refunded once, e-mail queued, stock back on request)
 *      │                 ├─ declined ──▶ PAYMENT_FAILED (stock back, cart kept)
 *      │                 └─ attempts used up ──▶ FAILED ──reopen──▶ PENDING
 *      │                                           └─ discard ──▶ CANCELLED (stock back)
 *      └─ cancel (shopper or operator, before any claim) ──▶ CANCELLED (stock back)
 *
 * Who may act on a PENDING order is decided by two marks on its row:
 * - the enqueue mark (enqueue_pending, enqueued_at): the order waits for a
 *   worker and its message may have been lost; the sweeper pushes it again
 *   once it is older than the sweep delay;
 * - a claim (claimed_by, claim_expires_at): one worker holds the order. Only
 *   the holder charges, mails and finishes it; the claim ends with a final
 *   status, a release for a retry (which sets the enqueue mark again), or its
 *   expiry (the holder died), after which the sweeper queues the order again.
 * So a PENDING order always has one of the two, and no PENDING order can be
 * forgotten. Every final status is a conditional update from PENDING by the
 * holder; its side effects run only when it changed the row, so they happen
 * once whatever the number of messages, workers or retries.
 *
 * Every final status tells the shopper by e-mail: PROCESSED's confirmation is
 * the worker's; PAYMENT_FAILED, FAILED, CANCELLED and REFUNDED each queue
 * their e-mail (lib/email) in the transition's own transaction, once per
 * order and kind.
 *
 * Status names appear in C only in order.c; other code uses enum order_status.
 */
#ifndef SHOP_ORDER_H
#define SHOP_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "arena.h"
#include "cart.h"
#include "db.h"
#include "payment.h"

enum order_status {
    ORDER_PENDING,
    ORDER_PROCESSED,
    ORDER_PAYMENT_FAILED,
    ORDER_FAILED,
    ORDER_CANCELLED,
    ORDER_REFUNDED,
    ORDER_STATUS_COUNT,
};

#define ORDER_ID_PREFIX "order-"
#define ORDER_ID_HEX 32                          /* 128 random bits */
#define ORDER_ID_MAX (sizeof(ORDER_ID_PREFIX) - 1 + ORDER_ID_HEX)
#define ORDER_EMAIL_MAX 254
#define ORDER_IDEMPOTENCY_KEY_MAX 128            /* idempotency_keys.idem_key */
#define ORDER_ERROR_MAX 200
#define ORDER_ATTEMPT_MAX 1000
#define ORDER_HOLDER_MAX 96          /* orders.claimed_by holds at most 95 characters and the NUL */

/* A list of order ids bound as one JSON parameter (alias j, column jid), for set-based statements. */
#define ORDER_SQL_IDS \
    "JSON_TABLE(?, '$[*]' COLUMNS (jid VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin PATH '$')) j"

/* The status's name as stored and shown ("PENDING"); NULL for a value out of range. */
const char *order_status_name(enum order_status status);

/* The status named name; SHOP_ERR_INVALID for an unknown name. */
int order_status_parse(const char *name, enum order_status *out);

/*
 * For monitoring: the number of orders in each status (counts, indexed by enum
 * order_status). A full scan of the table (no index leads with status, and
 * one would change the plans, and so the locks, of the lifecycle's
 * statements): call it seldom.
 */
int order_count_by_status(struct db *db, struct arena *arena, long long counts[ORDER_STATUS_COUNT]);

/*
 * The orders waiting for a worker, for monitoring and queue stats: the PENDING orders (*pending) and the age in
 * seconds of the oldest (0 when none). Read through the two marks a pending
 * order always carries (the enqueue mark, a claim) and their indexes, so it
 * costs the backlog, not the table.
 */
int order_pending_summary(struct db *db, struct arena *arena, long long *pending, double *oldest_seconds);

/* True for "order-" followed by 32 lowercase hex digits: the only ids the shop issues. */
bool order_id_valid(const char *id);

/*
 * True for an Idempotency-Key the shop keeps: 1 to ORDER_IDEMPOTENCY_KEY_MAX
 * bytes of printable ASCII (space to ~), not all spaces. Its column is ASCII:
 * any other text is refused before it reaches a query.
 */
bool order_idempotency_key_valid(const char *key);

/* Writes a new random order id (ORDER_ID_MAX + 1 bytes) into out. */
void order_id_new(char *out);

/*
 * The order's short reference, what a shopper reads and quotes: the first
 * ORDER_REFERENCE_HEX hex digits of the id, upper case, in two groups of four
 * ("order-7f3a91c2..." is "7F3A-91C2"). E-mails, the API and shopctl all show
 * this one. It names an order well enough to talk about (32 random bits) but
 * is not unique: a lookup by reference must refuse an ambiguous one.
 */
#define ORDER_REFERENCE_HEX 8
#define ORDER_REFERENCE_MAX (ORDER_REFERENCE_HEX + 1)

/* Writes the reference of order_id (a valid id) into out (ORDER_REFERENCE_MAX + 1 bytes). */
void order_reference(const char *order_id, char *out);

/*
 * Reads a reference as a person types it: "7F3A-91C2", "7f3a91c2", either
 * case, with or without the hyphen. Writes the id prefix it stands for
 * ("order-7f3a91c2", ORDER_ID_PREFIX + ORDER_REFERENCE_HEX + 1 bytes) into
 * prefix; SHOP_ERR_INVALID for anything else.
 */
int order_reference_parse(const char *reference, char *prefix);

/*
 * The order whose reference is reference (as order_reference_parse reads it),
 * its id into id (ORDER_ID_MAX + 1 bytes). SHOP_ERR_INVALID: not a reference;
 * SHOP_ERR_NOT_FOUND: no such order; SHOP_ERR_CONFLICT: two or more orders
 * share it (id gets one of them; ask for the full id).
 */
int order_find_by_reference(struct db *db, struct arena *arena, const char *reference, char *id);

/* The queue message: {"orderId","userEmail"}, with "attempt" and "error" once retried or dead. */
struct order_message {
    char order_id[ORDER_ID_MAX + 1];
    char email[ORDER_EMAIL_MAX + 1];   /* may be empty */
    long long attempt;                 /* 1 for a first delivery */
    char error[ORDER_ERROR_MAX + 1];   /* why it failed; empty when none */
};

/*
 * Encodes m as JSON into out (cap bytes, NUL-terminated), its length in *len.
 * SHOP_ERR_TOO_LARGE when it does not fit, SHOP_ERR_NOMEM.
 */
int order_message_encode(const struct order_message *m, char *out, size_t cap, size_t *len);

/*
 * Decodes a queue message. SHOP_ERR_INVALID for anything but a JSON object with
 * a valid orderId and, when present, a userEmail, attempt (1 to
 * ORDER_ATTEMPT_MAX) and error within their bounds.
 */
int order_message_decode(const char *text, size_t len, struct order_message *m);

/* One cart line as checkout reads it, locked, inside its transaction. */
struct order_line {
    const char *product_id, *name;
    long long quantity, unit_cents, line_cents, stock;
    bool active;
};

/* One line of what the shopper saw: this many of this product. */
struct order_expected_line {
    const char *product_id;
    long long quantity;
};

/*
 * What the shopper saw when placing the order: POST /api/orders's optional
 * expectedTotalCents and expectedItems (the storefront always sends both).
 * Checkout makes the order only when the cart it has locked and priced still
 * matches each part given; otherwise nothing is ordered (409 cart_changed). It
 * only refuses: the amount charged is always the server's.
 */
struct order_expectation {
    bool has_total, has_lines;
    long long total_cents;
    int line_count;
    struct order_expected_line lines[CART_MAX_LINES];  /* each product once; any order */
};

/*
 * Reads expectedTotalCents and expectedItems ([{"productId","quantity"}]) of
 * body into *out; the strings point into body. Absent fields are not expected.
 * SHOP_ERR_INVALID, with *field naming the first bad field, for a total that
 * is not an integer in [0, MONEY_MAX_CENTS] (null too), or items that are not
 * a list of at most CART_MAX_LINES objects, each a valid product id (once) and
 * a quantity from 1 to CART_MAX_QUANTITY.
 */
int order_expectation_read(struct json_object *body, struct order_expectation *out, const char **field);

/* True when the count cart lines and their total are what *e expects (every part it has). */
bool order_expectation_met(const struct order_expectation *e, const struct order_line *lines, int count,
                           long long total_cents);

/* What checkout decided; the order's lines are the shopper's cart lines. */
struct order_draft {
    const char *id, *user_id, *email, *name, *address, *city, *postal_code, *country, *currency;
    long long total_cents;
    int line_count;                    /* the cart's lines, read and locked by the caller */
};

/*
 * Creates the order PENDING with its enqueue mark, inside the caller's
 * transaction (which holds the cart and its products locked and checked):
 * takes each line's quantity from stock and writes the lines priced from the
 * products table. SHOP_ERR_INTERNAL (logged) when a statement did not touch
 * exactly line_count rows: a broken invariant.
 */
int order_create(struct db *db, struct arena *arena, const struct order_draft *draft);

/*
 * After a failed push: makes the order due for the sweeper at once, so it is
 * queued as soon as Redis is back rather than a sweep delay later.
 */
int order_note_push_failed(struct db *db, struct arena *arena, const char *order_id);

/*
 * The shopper's cancel: a PENDING order no worker ever claimed becomes
 * CANCELLED and its stock goes back, in one transaction (retried on deadlock).
 * *cancelled tells whether it changed; SHOP_ERR_NOT_FOUND when user_id has no
 * such order.
 */
int order_cancel(struct db *db, struct arena *arena, const char *order_id, const char *user_id, bool *cancelled);

/*
 * The operator's cancel (shopctl): the same transition as order_cancel for
 * any shopper's order. SHOP_ERR_NOT_FOUND when there is no such order;
 * *cancelled false when a worker took it already or it is not PENDING.
 */
int order_cancel_by_operator(struct db *db, struct arena *arena, const char *order_id, bool *cancelled);

/* What order_refund did. */
struct order_refund {
    bool refunded;                     /* false: the order was not PROCESSED (nothing changed) */
    char reference[PAYMENT_REFERENCE_MAX + 1]; /* the gateway's refund reference */
};

/*
 * The operator's refund, in one transaction: a PROCESSED order becomes
 * REFUNDED, the gateway refunds its charge (lib/payment: once), its stock goes
 * back when restock, and the refund e-mail is queued for the worker
 * (lib/email). Two refunds at once: one wins, the other finds the order
 * REFUNDED and changes nothing. SHOP_ERR_CONFLICT (nothing changed) when the
 * ledger holds no charge to refund, a broken invariant.
 */
int order_refund(struct db *db, struct arena *arena, const char *order_id, bool restock, struct order_refund *out);

/*
 * Of the shoppers in users_json (a JSON list of user ids), those with an
 * order in flight (PENDING, or FAILED and so replayable) into *rows (one
 * column): their carts are still wanted (a declined card leaves the cart to
 * try again), so cart expiry keeps them.
 */
int order_list_busy_shoppers(struct db *db, struct arena *arena, const char *users_json, struct db_result *rows);

/*
 * Gives every order of from_user to to_user (a guest signing up: the orders
 * placed in that session become the account's), in the caller's transaction.
 */
int order_move_to_user(struct db *db, struct arena *arena, const char *from_user, const char *to_user);

/*
 * Claims the PENDING orders of ids_json (a JSON list) for holder until
 * lease_seconds from now: those unclaimed, claimed by holder before, or whose
 * claim expired. Clears their enqueue mark and sets processing_started_at on
 * the first claim. *claimed gets the ids holder now holds (one column).
 */
int order_claim(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                long long lease_seconds, struct db_result *claimed);

/*
 * Extends holder's claims on the orders of ids_json (the batch in hand) to
 * lease_seconds from now. Other claims of holder (a release that failed) are
 * let expire, so the sweeper finds their orders.
 */
int order_claim_renew(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                      long long lease_seconds);

/*
 * Gives a claimed order up for a retry due in delay_ms: the claim ends and the
 * enqueue mark is set with that due time, so if the retry's message is lost
 * the sweeper queues the order again.
 */
int order_release(struct db *db, struct arena *arena, const char *order_id, const char *holder, long long delay_ms);

/*
 * The final transaction for holder's orders in ids_json: also (may be NULL)
 * runs first in it (the worker records its deliveries there), then those
 * still PENDING and held become PROCESSED, their items leave the shoppers'
 * carts (each cart locked first) and their purchases are recorded. *finished
 * (may be NULL) gets the ids that changed. Retried on deadlock.
 */
int order_mark_processed(struct db *db, struct arena *arena, const char *ids_json, const char *holder,
                         db_transaction_body also, void *also_arg, struct db_result *finished);

/* A declined payment: PAYMENT_FAILED and the stock back; the cart is kept. *changed may be NULL. */
int order_mark_payment_failed(struct db *db, struct arena *arena, const char *order_id, const char *holder,
                              bool *changed);

/*
 * After the last attempt: FAILED with error as its reason, no longer marked
 * for the queue; the stock stays reserved for a replay. Applies to an order
 * held by holder, by no one, or whose claim expired. SHOP_ERR_CONFLICT (and
 * *changed false) when the order was charged: it must be finished instead.
 */
int order_mark_failed(struct db *db, struct arena *arena, const char *order_id, const char *holder,
                      const char *error, bool *changed);

/* Replay of a dead letter: FAILED becomes PENDING with its enqueue mark (the push follows). */
int order_reopen(struct db *db, struct arena *arena, const char *order_id, bool *changed);

/*
 * Discard of a dead letter: FAILED becomes CANCELLED and its stock goes back.
 * SHOP_ERR_CONFLICT when the order was charged: replay it instead.
 */
int order_discard(struct db *db, struct arena *arena, const char *order_id, bool *changed);

/*
 * After a restore: every PENDING order is due for the sweeper at once, and the
 * claims of workers from before the backup end. *count gets how many.
 */
int order_requeue_pending(struct db *db, struct arena *arena, unsigned long long *count);

/*
 * The sweeper's list, oldest first, at most limit rows of (id, email, mark):
 * orders still marked for the queue whose last push is older than after_ms,
 * then orders whose claim expired. mark identifies the state seen, for
 * order_record_push.
 */
int order_list_unqueued(struct db *db, struct arena *arena, long long after_ms, int limit, struct db_result *rows);

/*
 * How long the oldest order no worker has claimed yet has waited: a PENDING
 * order with the enqueue mark that was never claimed, by its creation time
 * (one step down the orders_unclaimed index). *waiting is false when there is
 * none; then *seconds is 0. Orders a worker gave back for a retry are not
 * counted: their wait is the backoff, and the retries and dead letters speak
 * for them.
 */
int order_oldest_unclaimed(struct db *db, struct arena *arena, bool *waiting, long long *seconds);

/*
 * Records that the sweeper pushes row i of an order_list_unqueued result now;
 * *mine is false when another sweeper got there first (then do not push).
 */
int order_record_push(struct db *db, struct arena *arena, const struct db_result *rows, int i, bool *mine);

#endif

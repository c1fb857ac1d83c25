/*
 * session.h - who is asking: a shopper identified by a signed cookie.
 *
 * The cookie "sid" holds a random 128-bit id signed with the shop secret
 * (token.h, purpose "session"). Nothing else identifies a shopper: a user id in
 * a body or query string is never read. A missing, malformed or tampered cookie
 * starts a new session (never an error, never someone else's), and a cookie
 * signed with secret_previous is accepted and re-issued under the current
 * secret, so a rotation logs no one out.
 *
 * Cookie attributes: Path=/, HttpOnly, SameSite=Lax, Max-Age of a year, and
 * Secure when cookie_secure is true (set it behind HTTPS).
 *
 * A signed-in session is a cookie of another purpose ("account-session") whose
 * random id has a row in account_sessions (stored as its SHA-256). It answers
 * for the account's user_id, so cart and orders follow the account to every
 * device. session_resolve() checks the row; a cookie whose row is gone (signed
 * out, password changed, expired) starts a new anonymous session. Signing in and
 * out always issues a new id, so an id known before (fixation) signs no one in.
 */
#ifndef SHOP_SESSION_H
#define SHOP_SESSION_H

#include <stdbool.h>

#include "arena.h"
#include "db.h"
#include "http.h"

#define SESSION_COOKIE_NAME "sid"
#define SESSION_ID_BYTES 16
#define SESSION_USER_ID_TEXT (SESSION_ID_BYTES * 2 + 1)
#define SESSION_MAX_AGE_SECONDS (365 * 24 * 3600)
#define SESSION_SIGNED_IN_MAX_AGE_SECONDS (30 * 24 * 3600)
/* Signed-in sessions an account keeps at most; a new one past it ends the oldest. */
#define SESSION_MAX_PER_ACCOUNT 20

struct session {
    char user_id[SESSION_USER_ID_TEXT];  /* 32 hex digits: whose cart and orders */
    bool is_new;                         /* no valid cookie came with the request */
    bool signed_in;                      /* a live account session (after session_resolve) */
    bool account_cookie;                 /* the cookie claims an account session, not yet checked */
    bool by_previous;                    /* that cookie is signed with secret_previous: re-issue it */
    long long account_id;                /* the account, when signed_in */
    unsigned char id[SESSION_ID_BYTES];  /* the cookie's own random id */
};

/* Reads cookie_secure; call once at start. */
int session_init(void);

/*
 * Fills session from the request's cookie, or starts a new one; adds the
 * Set-Cookie header whenever the browser must store a (new or re-signed) cookie.
 */
int session_from_request(struct http_request *req, struct session *session);

/*
 * After session_from_request: checks an account session cookie against
 * account_sessions. A live one sets signed_in, account_id and the account's
 * user_id; a dead one becomes a new anonymous session (new cookie). Does
 * nothing for an anonymous cookie. SHOP_ERR_UNAVAILABLE etc. from the database.
 */
int session_resolve(struct http_request *req, struct db *db, struct session *session);

/*
 * Signs the request's shopper in to account_id (whose user id is user_id): a new
 * session id, its row, its cookie; the previous signed-in row, if any, is deleted,
 * and so are the account's oldest past SESSION_MAX_PER_ACCOUNT.
 */
int session_sign_in(struct http_request *req, struct db *db, struct session *session, long long account_id,
                    const char *user_id);

/* Ends the request's signed-in session (its row) and starts a new anonymous one. */
int session_sign_out(struct http_request *req, struct db *db, struct session *session);

/* Ends every session of account_id (a password change), inside the caller's transaction if any. */
int session_end_account(struct db *db, struct arena *arena, long long account_id);

#endif

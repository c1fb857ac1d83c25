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
 */
#ifndef SHOP_SESSION_H
#define SHOP_SESSION_H

#include <stdbool.h>

#include "http.h"

#define SESSION_COOKIE_NAME "sid"
#define SESSION_ID_BYTES 16
#define SESSION_USER_ID_TEXT (SESSION_ID_BYTES * 2 + 1)
#define SESSION_MAX_AGE_SECONDS (365 * 24 * 3600)

struct session {
    char user_id[SESSION_USER_ID_TEXT];  /* 32 hex digits */
    bool is_new;                         /* no valid cookie came with the request */
};

/* Reads cookie_secure; call once at start. */
int session_init(void);

/*
 * Fills session from the request's cookie, or starts a new one; adds the
 * Set-Cookie header whenever the browser must store a (new or re-signed) cookie.
 */
int session_from_request(struct http_request *req, struct session *session);

#endif

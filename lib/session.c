/*
 * session.c - signed session cookies (see session.h).
 */
#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "token.h"

/* Set once by session_init() before threads start. */
static bool session_cookie_secure;

int session_init(void)
{
    return config_get_bool("cookie_secure", false, &session_cookie_secure);
}

static int session_set_cookie(struct http_request *req, const unsigned char id[SESSION_ID_BYTES])
{
    char token[TOKEN_MAX_TEXT], cookie[TOKEN_MAX_TEXT + 128];
    int rc = token_seal("session", id, SESSION_ID_BYTES, token, sizeof(token));

    if (rc != SHOP_OK)
        return rc;
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", SESSION_COOKIE_NAME,
             token, SESSION_MAX_AGE_SECONDS, session_cookie_secure ? "; Secure" : "");
    return http_add_header(req, "Set-Cookie", cookie);
}

int session_from_request(struct http_request *req, struct session *session)
{
    const char *cookie = http_cookie_get(req, SESSION_COOKIE_NAME);
    unsigned char id[TOKEN_MAX_PAYLOAD];
    size_t len = 0;
    bool by_previous = false;

    session->is_new = cookie == NULL ||
                      token_open("session", cookie, id, sizeof(id), &len, &by_previous) != SHOP_OK ||
                      len != SESSION_ID_BYTES;
    if (session->is_new)
        randombytes_buf(id, SESSION_ID_BYTES);
    sodium_bin2hex(session->user_id, sizeof(session->user_id), id, SESSION_ID_BYTES);
    if (session->is_new || by_previous)
        return session_set_cookie(req, id);
    return SHOP_OK;
}

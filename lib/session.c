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

/* The token purposes of the two kinds of cookie: a signed one is never taken for the other. */
#define SESSION_PURPOSE_ANONYMOUS "session"
#define SESSION_PURPOSE_ACCOUNT "account-session"
#define SESSION_ID_HASH_TEXT (crypto_hash_sha256_BYTES * 2 + 1)

static const char SQL_FIND_SESSION[] =
    "SELECT account_id, user_id FROM account_sessions WHERE id_hash = ? AND expires_at > CURRENT_TIMESTAMP(3)";
static const char SQL_ADD_SESSION[] =
    "INSERT INTO account_sessions (id_hash, account_id, user_id, expires_at)"
    " VALUES (?, ?, ?, CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND)";
static const char SQL_DELETE_SESSION[] = "DELETE FROM account_sessions WHERE id_hash = ?";
static const char SQL_DELETE_EXPIRED[] =
    "DELETE FROM account_sessions WHERE account_id = ? AND expires_at <= CURRENT_TIMESTAMP(3)";
static const char SQL_COUNT_SESSIONS[] = "SELECT COUNT(*) FROM account_sessions WHERE account_id = ?";
static const char SQL_DELETE_OLDEST[] =
    "DELETE FROM account_sessions WHERE account_id = ? ORDER BY created_at, id_hash LIMIT ?";
static const char SQL_DELETE_ACCOUNT_SESSIONS[] = "DELETE FROM account_sessions WHERE account_id = ?";

static int session_set_cookie(struct http_request *req, const char *purpose, const unsigned char id[SESSION_ID_BYTES],
                              int max_age)
{
    char token[TOKEN_MAX_TEXT], cookie[TOKEN_MAX_TEXT + 128];
    int rc = token_seal(purpose, id, SESSION_ID_BYTES, token, sizeof(token));

    if (rc != SHOP_OK)
        return rc;
    snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", SESSION_COOKIE_NAME,
             token, max_age, session_cookie_secure ? "; Secure" : "");
    return http_add_header(req, "Set-Cookie", cookie);
}

/* Opens cookie as a token of purpose carrying a session id. */
static bool session_open(const char *purpose, const char *cookie, unsigned char id[SESSION_ID_BYTES],
                         bool *by_previous)
{
    unsigned char payload[TOKEN_MAX_PAYLOAD];
    size_t len = 0;

    if (token_open(purpose, cookie, payload, sizeof(payload), &len, by_previous) != SHOP_OK ||
        len != SESSION_ID_BYTES)
        return false;
    memcpy(id, payload, SESSION_ID_BYTES);
    return true;
}

/* A new anonymous session: a new random id, its cookie. */
static int session_start_anonymous(struct http_request *req, struct session *session)
{
    randombytes_buf(session->id, SESSION_ID_BYTES);
    sodium_bin2hex(session->user_id, sizeof(session->user_id), session->id, SESSION_ID_BYTES);
    session->is_new = true;
    session->by_previous = false;
    session->signed_in = false;
    session->account_cookie = false;
    session->account_id = 0;
    return session_set_cookie(req, SESSION_PURPOSE_ANONYMOUS, session->id, SESSION_MAX_AGE_SECONDS);
}

int session_from_request(struct http_request *req, struct session *session)
{
    const char *cookie = http_cookie_get(req, SESSION_COOKIE_NAME);
    bool by_previous = false;

    memset(session, 0, sizeof(*session));
    if (cookie != NULL && session_open(SESSION_PURPOSE_ACCOUNT, cookie, session->id, &session->by_previous)) {
        /* Whose it is, and whether it still lives, is session_resolve's to say. */
        session->account_cookie = true;
        return SHOP_OK;
    }
    if (cookie == NULL || !session_open(SESSION_PURPOSE_ANONYMOUS, cookie, session->id, &by_previous))
        return session_start_anonymous(req, session);
    sodium_bin2hex(session->user_id, sizeof(session->user_id), session->id, SESSION_ID_BYTES);
    if (by_previous)
        return session_set_cookie(req, SESSION_PURPOSE_ANONYMOUS, session->id, SESSION_MAX_AGE_SECONDS);
    return SHOP_OK;
}

/* The stored form of a session id: SHA-256, hex. */
static void session_id_hash(const unsigned char id[SESSION_ID_BYTES], char out[SESSION_ID_HASH_TEXT])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, id, SESSION_ID_BYTES);
    sodium_bin2hex(out, SESSION_ID_HASH_TEXT, digest, sizeof(digest));
}

int session_resolve(struct http_request *req, struct db *db, struct session *session)
{
    char hash[SESSION_ID_HASH_TEXT];
    struct db_result found;
    int rc;

    if (!session->account_cookie)
        return SHOP_OK;
    session_id_hash(session->id, hash);
    const struct db_param key[] = {DB_PARAM_TEXT(hash)};
    if ((rc = db_exec(db, req->arena, SQL_FIND_SESSION, key, 1, &found)) != SHOP_OK)
        return rc;
    if (found.rows == 0 || strlen(db_result_text(&found, 0, 1)) != SESSION_USER_ID_TEXT - 1)
        return session_start_anonymous(req, session);
    session->signed_in = true;
    session->account_id = db_result_int(&found, 0, 0);
    memcpy(session->user_id, db_result_text(&found, 0, 1), SESSION_USER_ID_TEXT);
    if (session->by_previous) /* signed under the previous secret: issue it again under the current one */
        return session_set_cookie(req, SESSION_PURPOSE_ACCOUNT, session->id, SESSION_SIGNED_IN_MAX_AGE_SECONDS);
    return SHOP_OK;
}

/* Deletes the row of the request's signed-in session, if it has one. */
static int session_delete_current(struct http_request *req, struct db *db, const struct session *session)
{
    char hash[SESSION_ID_HASH_TEXT];

    if (!session->signed_in)
        return SHOP_OK;
    session_id_hash(session->id, hash);
    const struct db_param key[] = {DB_PARAM_TEXT(hash)};
    return db_exec(db, req->arena, SQL_DELETE_SESSION, key, 1, NULL);
}

/* Ends the oldest sessions of an account past SESSION_MAX_PER_ACCOUNT: the table stays bounded. */
static int session_keep_newest(struct http_request *req, struct db *db, long long account_id)
{
    const struct db_param account[] = {DB_PARAM_INT(account_id)};
    struct db_result count;
    long long excess;
    int rc = db_exec(db, req->arena, SQL_COUNT_SESSIONS, account, 1, &count);

    if (rc != SHOP_OK)
        return rc;
    excess = db_result_int(&count, 0, 0) - SESSION_MAX_PER_ACCOUNT;
    if (excess <= 0)
        return SHOP_OK;
    const struct db_param oldest[] = {DB_PARAM_INT(account_id), DB_PARAM_INT(excess)};
    return db_exec(db, req->arena, SQL_DELETE_OLDEST, oldest, 2, NULL);
}

int session_sign_in(struct http_request *req, struct db *db, struct session *session, long long account_id,
                    const char *user_id)
{
    char hash[SESSION_ID_HASH_TEXT];
    const struct db_param account[] = {DB_PARAM_INT(account_id)};
    int rc;

    if (strlen(user_id) != SESSION_USER_ID_TEXT - 1)
        return SHOP_ERR_INTERNAL;
    if ((rc = session_delete_current(req, db, session)) != SHOP_OK ||
        (rc = db_exec(db, req->arena, SQL_DELETE_EXPIRED, account, 1, NULL)) != SHOP_OK)
        return rc;
    randombytes_buf(session->id, SESSION_ID_BYTES);
    session_id_hash(session->id, hash);
    const struct db_param row[] = {DB_PARAM_TEXT(hash), DB_PARAM_INT(account_id), DB_PARAM_TEXT(user_id),
                                   DB_PARAM_INT(SESSION_SIGNED_IN_MAX_AGE_SECONDS)};
    if ((rc = db_exec(db, req->arena, SQL_ADD_SESSION, row, 4, NULL)) != SHOP_OK ||
        (rc = session_keep_newest(req, db, account_id)) != SHOP_OK)
        return rc;
    session->signed_in = true;
    session->account_cookie = true;
    session->by_previous = false;
    session->account_id = account_id;
    memcpy(session->user_id, user_id, SESSION_USER_ID_TEXT);
    return session_set_cookie(req, SESSION_PURPOSE_ACCOUNT, session->id, SESSION_SIGNED_IN_MAX_AGE_SECONDS);
}

int session_sign_out(struct http_request *req, struct db *db, struct session *session)
{
    int rc = session_delete_current(req, db, session);

    return rc != SHOP_OK ? rc : session_start_anonymous(req, session);
}

int session_end_account(struct db *db, struct arena *arena, long long account_id)
{
    const struct db_param account[] = {DB_PARAM_INT(account_id)};

    return db_exec(db, arena, SQL_DELETE_ACCOUNT_SESSIONS, account, 1, NULL);
}

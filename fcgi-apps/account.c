/*
 * account.c - shopper accounts: /api/account, /api/session and the password reset.
 *
 * Signing up or in gives the request's shopper a new signed-in session
 * (lib/session: a new id, so an id known before signs no one in) that answers
 * for the account's user id; the cart of the anonymous session moves into the
 * account's (lib/cart: cart_merge), and at sign-up its orders too (lib/order).
 * Signing out starts a new anonymous session.
 *
 * Against guessing: every failed sign-in answers the same 401, after the same
 * Argon2id work whether the e-mail has an account or not (lib/password's dummy
 * hash), and counts against the e-mail and the client address (lib/account);
 * past either limit the answer is 429 with Retry-After. A password change or
 * reset ends every session of the account. The reset answers 202 whatever the
 * address; the e-mail carries a link with a random single-use token valid 30
 * minutes, stored only as its hash. It is written to the mail spool, or with
 * smtp_url set to <mail_spool>/outbox/, which the worker relays by SMTP
 * (worker/outbox.c); the responder itself never talks to a mail server.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/account.h"
#include "lib/cart.h"
#include "lib/config.h"
#include "lib/err.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/order.h"
#include "lib/password.h"
#include "lib/responder.h"
#include "lib/settings.h"
#include "lib/validate.h"

#define ACCOUNT_NAME_MAX_BYTES (ACCOUNT_NAME_MAX_CHARS * 4)
#define ACCOUNT_MAIL_MAX 4096
#define ACCOUNT_ORIGIN_MAX 512
#define ACCOUNT_PATH_MAX 900

static int account_sign_up(struct http_request *req, struct responder_context *ctx);
static int account_get(struct http_request *req, struct responder_context *ctx);
static int account_session_get(struct http_request *req, struct responder_context *ctx);
static int account_update(struct http_request *req, struct responder_context *ctx);
static int account_sign_in(struct http_request *req, struct responder_context *ctx);
static int account_sign_out(struct http_request *req, struct responder_context *ctx);
static int account_reset_request(struct http_request *req, struct responder_context *ctx);
static int account_reset_confirm(struct http_request *req, struct responder_context *ctx);

static const struct responder_route account_routes[] = {
    {"POST", "/api/account", account_sign_up},
    {"GET", "/api/account", account_get},
    {"PATCH", "/api/account", account_update},
    {"GET", "/api/session", account_session_get},
    {"POST", "/api/session", account_sign_in},
    {"DELETE", "/api/session", account_sign_out},
    {"POST", "/api/account/password-reset", account_reset_request},
    {"POST", "/api/account/password-reset/confirm", account_reset_confirm},
    {NULL, NULL, NULL},
};

/* Read once at start (account_init_all); read-only afterwards. */
static const char *account_mail_spool;
static const char *account_mail_from;
static char account_mail_folder[ACCOUNT_PATH_MAX]; /* the spool, or its outbox with smtp_url */
static bool account_mail_outbox;

static int account_init_all(void)
{
    if (password_init() != SHOP_OK || account_init() != SHOP_OK)
        return SHOP_ERR_INVALID;
    account_mail_spool = config_get_string("mail_spool", "/var/spool/fcgi-shop/mail");
    account_mail_from = config_get_string("mail_from", "fcgi-shop <shop@localhost>");
    if (strlen(account_mail_spool) > ACCOUNT_PATH_MAX - 100 || strpbrk(account_mail_from, "\r\n") != NULL)
        return SHOP_ERR_INVALID;
    account_mail_outbox = config_get_string("smtp_url", "")[0] != '\0';
    snprintf(account_mail_folder, sizeof(account_mail_folder), "%s%s", account_mail_spool,
             account_mail_outbox ? "/outbox" : "");
    if (settings_get()->public_origin[0] == '\0')
        log_event(LOG_LEVEL_WARN, NULL, "event=public_origin_unset reason=\"reset links use the request's host\"");
    return SHOP_OK;
}

/* The client's address, as nginx saw it ("" when unknown). */
static const char *account_client_address(const struct http_request *req)
{
    const char *address = FCGX_GetParam("REMOTE_ADDR", req->fcgi->envp);

    return address != NULL ? address : "";
}

/* The signed-in account as {email, name, createdAt}, owned by the request. */
static int account_json(struct http_request *req, struct responder_context *ctx, struct json_object **out)
{
    struct account account;
    struct json_object *body;
    int rc = account_find(ctx->db, req->arena, ctx->session.account_id, &account);

    if (rc != SHOP_OK)
        return rc == SHOP_ERR_NOT_FOUND ? SHOP_ERR_INTERNAL : rc;
    if ((body = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "email", json_object_new_string(account.email));
    json_object_object_add(body, "name", json_object_new_string(account.name));
    json_object_object_add(body, "createdAt", json_object_new_string(account.created_at));
    *out = body;
    return SHOP_OK;
}

/* Answers with the signed-in account's {email, name, createdAt}. */
static int account_reply(struct http_request *req, struct responder_context *ctx, int status)
{
    struct json_object *body;
    int rc = account_json(req, ctx, &body);

    if (rc != SHOP_OK)
        return rc;
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, status, body);
}

static int account_refuse_not_signed_in(struct http_request *req)
{
    return http_reply_error(req, SHOP_ERR_UNAUTHORIZED, "not_signed_in", "Sign in first.", NULL);
}

/* The "email" field, normalized into out; replies 400/422 itself. */
static int account_read_email(struct http_request *req, struct json_object *body, char out[ACCOUNT_EMAIL_MAX + 1])
{
    const char *email;

    if (json_get_string(body, "email", 1, ACCOUNT_EMAIL_MAX, &email) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_email", "email must be an e-mail address string.", NULL);
    if (!account_normalize_email(email, out))
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "invalid_email", "Enter a valid e-mail address.", NULL);
    return SHOP_OK;
}

/* The string field key as a password, checked against the policy; replies itself. */
static int account_read_new_password(struct http_request *req, struct json_object *body, const char *key,
                                     const char **password)
{
    const char *code, *message;

    if (json_get_string(body, key, 0, PASSWORD_MAX_BYTES * 2, password) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_password", "password must be a string.", NULL);
    if (password_check(*password, &code, &message) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, code, message, NULL);
    return SHOP_OK;
}

static int account_read_name(struct http_request *req, struct json_object *body, const char **name)
{
    if (json_get_string(body, "name", 1, ACCOUNT_NAME_MAX_BYTES, name) != SHOP_OK ||
        !validate_text(*name, ACCOUNT_NAME_MAX_CHARS))
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "invalid_name",
                                "Enter your name (up to 100 characters).", NULL);
    return SHOP_OK;
}

/* A sign-up as a db_transaction body: the account, and the guest's cart and orders moved to it. */
struct account_new {
    struct http_request *req;
    const char *email, *name, *hash, *guest;
    char user_id[SESSION_USER_ID_TEXT];
    long long id;
};

static int account_sign_up_body(struct db *db, void *arg)
{
    struct account_new *n = arg;
    struct account created;
    int rc = account_create(db, n->req->arena, n->email, n->name, n->hash, n->user_id);

    if (rc == SHOP_ERR_CONFLICT)
        return http_reply_error(n->req, SHOP_ERR_CONFLICT, "email_taken",
                                "An account with this e-mail address exists; sign in instead.", NULL);
    if (rc != SHOP_OK || (rc = account_find_by_email(db, n->req->arena, n->email, &created)) != SHOP_OK ||
        (rc = cart_merge(db, n->req->arena, n->guest, n->user_id)) != SHOP_OK ||
        (rc = order_move_to_user(db, n->req->arena, n->guest, n->user_id)) != SHOP_OK)
        return rc;
    n->id = created.id;
    return SHOP_OK;
}

static int account_sign_up(struct http_request *req, struct responder_context *ctx)
{
    char email[ACCOUNT_EMAIL_MAX + 1], hash[PASSWORD_HASH_MAX];
    struct account_new n = {.req = req, .email = email, .hash = hash, .guest = ctx->session.user_id};
    struct json_object *body;
    const char *password;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if (ctx->session.signed_in)
        return http_reply_error(req, SHOP_ERR_CONFLICT, "already_signed_in", "Sign out first.", NULL);
    if ((rc = account_read_email(req, body, email)) != SHOP_OK || (rc = account_read_name(req, body, &n.name)) != SHOP_OK ||
        (rc = account_read_new_password(req, body, "password", &password)) != SHOP_OK ||
        (rc = password_hash(password, hash)) != SHOP_OK)
        return rc;
    if ((rc = db_transaction(ctx->db, account_sign_up_body, &n)) != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=account_created account=%lld", n.id);
    if ((rc = session_sign_in(req, ctx->db, &ctx->session, n.id, n.user_id)) != SHOP_OK)
        return rc;
    return account_reply(req, ctx, 201);
}

static int account_get(struct http_request *req, struct responder_context *ctx)
{
    if (!ctx->session.signed_in)
        return account_refuse_not_signed_in(req);
    return account_reply(req, ctx, 200);
}

/*
 * Who this session is, always 200: {"signedIn":false} or {"signedIn":true,
 * "account":{…}}. The storefront asks this on every page, so a guest's page
 * load has no failed request (GET /api/account answers a guest 401).
 */
static int account_session_get(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body, *account;
    int rc;

    if ((body = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "signedIn", json_object_new_boolean(ctx->session.signed_in));
    if (ctx->session.signed_in) {
        if ((rc = account_json(req, ctx, &account)) != SHOP_OK)
            return rc;
        json_object_object_add(body, "account", json_object_get(account));
    }
    http_add_header(req, "Cache-Control", "no-store");
    return http_reply_json(req, 200, body);
}

/* Refuses with 429 and Retry-After. */
static int account_refuse_limited(struct http_request *req, long long retry_after)
{
    char seconds[32];

    snprintf(seconds, sizeof(seconds), "%lld", retry_after);
    http_add_header(req, "Retry-After", seconds);
    return http_reply_error(req, SHOP_ERR_RATE_LIMITED, "too_many_attempts",
                            "Too many failed attempts; try again later.", NULL);
}

/* SHOP_OK while neither the e-mail nor the client address is over its limit; replies 429 otherwise. */
static int account_check_limits(struct http_request *req, struct responder_context *ctx, const char *email)
{
    long long retry_after = 0, by_address = 0;
    int rc = account_limit_check(ctx->db, req->arena, ACCOUNT_LIMIT_SIGN_IN_EMAIL, email, &retry_after);

    if (rc == SHOP_OK || rc == SHOP_ERR_RATE_LIMITED) {
        int by = account_limit_check(ctx->db, req->arena, ACCOUNT_LIMIT_SIGN_IN_ADDRESS, account_client_address(req),
                                     &by_address);
        if (by != SHOP_OK && by != SHOP_ERR_RATE_LIMITED)
            return by;
        if (by == SHOP_ERR_RATE_LIMITED && by_address > retry_after)
            retry_after = by_address;
        if (by == SHOP_ERR_RATE_LIMITED)
            rc = SHOP_ERR_RATE_LIMITED;
    }
    return rc == SHOP_ERR_RATE_LIMITED ? account_refuse_limited(req, retry_after) : rc;
}

/* Counts a failed sign-in against the e-mail and the address, then answers the one generic 401. */
static int account_refuse_credentials(struct http_request *req, struct responder_context *ctx, const char *email)
{
    int rc;

    if ((rc = account_limit_count(ctx->db, req->arena, ACCOUNT_LIMIT_SIGN_IN_EMAIL, email)) != SHOP_OK ||
        (rc = account_limit_count(ctx->db, req->arena, ACCOUNT_LIMIT_SIGN_IN_ADDRESS, account_client_address(req))) != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=sign_in_failed");
    return http_reply_error(req, SHOP_ERR_UNAUTHORIZED, "invalid_credentials", "Wrong e-mail address or password.",
                            NULL);
}

/* The e-mail and password of the request; *account the e-mail's account if the password is right. */
static int account_check_credentials(struct http_request *req, struct responder_context *ctx, const char *email,
                                     const char *password, struct account *account)
{
    int rc = account_find_by_email(ctx->db, req->arena, email, account);

    if (rc == SHOP_ERR_NOT_FOUND) {
        password_verify_dummy(password);
        return account_refuse_credentials(req, ctx, email);
    }
    if (rc != SHOP_OK)
        return rc;
    if (password_verify(account->password_hash, password) != SHOP_OK)
        return account_refuse_credentials(req, ctx, email);
    return SHOP_OK;
}

/* The anonymous cart joining the account's, as a db_transaction body. */
struct account_merge {
    struct arena *arena;
    const char *from, *to;
};

static int account_merge_body(struct db *db, void *arg)
{
    const struct account_merge *m = arg;

    return cart_merge(db, m->arena, m->from, m->to);
}

/* After a right password: new parameters stored, counts cleared, cart merged, a new signed-in session. */
static int account_start_session(struct http_request *req, struct responder_context *ctx, const char *email,
                                 const char *password, const struct account *account)
{
    struct account_merge merge = {req->arena, ctx->session.user_id, account->user_id};
    char hash[PASSWORD_HASH_MAX];
    int rc;

    if (password_needs_rehash(account->password_hash) && password_hash(password, hash) == SHOP_OK &&
        (rc = account_set_password_hash(ctx->db, req->arena, account->id, hash)) != SHOP_OK)
        return rc;
    if ((rc = account_limit_clear(ctx->db, req->arena, ACCOUNT_LIMIT_SIGN_IN_EMAIL, email)) != SHOP_OK)
        return rc;
    /* A shopper signed in to another account brings no anonymous cart. */
    if (!ctx->session.signed_in && (rc = db_transaction(ctx->db, account_merge_body, &merge)) != SHOP_OK)
        return rc;
    return session_sign_in(req, ctx->db, &ctx->session, account->id, account->user_id);
}

static int account_sign_in(struct http_request *req, struct responder_context *ctx)
{
    char email[ACCOUNT_EMAIL_MAX + 1];
    struct json_object *body;
    struct account account;
    const char *password;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if ((rc = account_read_email(req, body, email)) != SHOP_OK)
        return rc;
    if (json_get_string(body, "password", 1, PASSWORD_MAX_BYTES, &password) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_password", "password must be a string.", NULL);
    if ((rc = account_check_limits(req, ctx, email)) != SHOP_OK ||
        (rc = account_check_credentials(req, ctx, email, password, &account)) != SHOP_OK ||
        (rc = account_start_session(req, ctx, email, password, &account)) != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=signed_in account=%lld", account.id);
    return account_reply(req, ctx, 200);
}

static int account_sign_out(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body;
    int rc = session_sign_out(req, ctx->db, &ctx->session);

    if (rc != SHOP_OK)
        return rc;
    if ((body = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "signedIn", json_object_new_boolean(false));
    return http_reply_json(req, 200, body);
}

/* A new password for account id, as a db_transaction body: stored, and every session of the account ended. */
struct account_password {
    struct arena *arena;
    long long id;
    const char *hash;
    const char *token;          /* a reset: the token to use up first (sets id) */
};

static int account_password_body(struct db *db, void *arg)
{
    struct account_password *p = arg;
    int rc;

    if (p->token != NULL && (rc = account_reset_take(db, p->arena, p->token, &p->id)) != SHOP_OK)
        return rc;
    if ((rc = account_set_password_hash(db, p->arena, p->id, p->hash)) != SHOP_OK)
        return rc;
    return session_end_account(db, p->arena, p->id);
}

/* PATCH's password change: the current password first (counted like a sign-in), then the new one. */
static int account_change_password(struct http_request *req, struct responder_context *ctx, struct json_object *body,
                                   const struct account *account)
{
    char hash[PASSWORD_HASH_MAX];
    struct account_password change = {req->arena, account->id, hash, NULL};
    const char *current, *password;
    int rc;

    if (json_get_string(body, "currentPassword", 1, PASSWORD_MAX_BYTES, &current) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_password",
                                "currentPassword is needed to change the password.", NULL);
    if ((rc = account_check_limits(req, ctx, account->email)) != SHOP_OK)
        return rc;
    if (password_verify(account->password_hash, current) != SHOP_OK)
        return account_refuse_credentials(req, ctx, account->email);
    if ((rc = account_read_new_password(req, body, "password", &password)) != SHOP_OK ||
        (rc = password_hash(password, hash)) != SHOP_OK ||
        (rc = db_transaction(ctx->db, account_password_body, &change)) != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=password_changed account=%lld", account->id);
    /* Every session ended, this one too: the device that changed it stays signed in with a new one. */
    ctx->session.signed_in = false;
    return session_sign_in(req, ctx->db, &ctx->session, account->id, account->user_id);
}

static int account_update(struct http_request *req, struct responder_context *ctx)
{
    struct json_object *body;
    struct account account;
    const char *name;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if (!ctx->session.signed_in)
        return account_refuse_not_signed_in(req);
    if ((rc = account_find(ctx->db, req->arena, ctx->session.account_id, &account)) != SHOP_OK)
        return rc;
    if (json_has(body, "name") && (rc = account_read_name(req, body, &name)) != SHOP_OK)
        return rc;
    if (json_has(body, "password") && (rc = account_change_password(req, ctx, body, &account)) != SHOP_OK)
        return rc;
    if (json_has(body, "name") && (rc = account_set_name(ctx->db, req->arena, account.id, name)) != SHOP_OK)
        return rc;
    return account_reply(req, ctx, 200);
}

/* The origin links in e-mails point to: the first public_origin, else the one the request came to. */
static void account_link_origin(const struct http_request *req, char *out, size_t cap)
{
    const char *configured = settings_get()->public_origin;
    const char *own = FCGX_GetParam("SHOP_REQUEST_ORIGIN", req->fcgi->envp);

    if (configured[0] != '\0')
        snprintf(out, cap, "%.*s", (int)strcspn(configured, ", "), configured);
    else
        snprintf(out, cap, "%s", own != NULL && strpbrk(own, "\r\n") == NULL ? own : "");
}

/* Opens a new temporary file in the mail folder, making the outbox (0750) when it is missing. */
static int account_mail_open(const char *temporary)
{
    int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0 && errno == ENOENT && account_mail_outbox &&
        (mkdir(account_mail_folder, 0750) == 0 || errno == EEXIST))
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    return fd;
}

/* Writes the reset e-mail into the mail folder: a temporary name, synced, then renamed, as worker/mail.c does. */
static int account_mail_reset(struct http_request *req, const char *email, const char *token)
{
    char origin[ACCOUNT_ORIGIN_MAX], text[ACCOUNT_MAIL_MAX];
    char path[ACCOUNT_PATH_MAX + 64], temporary[ACCOUNT_PATH_MAX + 64]; /* the folder plus the file name */
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    int fd, len;

    account_link_origin(req, origin, sizeof(origin));
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    len = snprintf(text, sizeof(text),
                   "From: %s\r\nTo: <%s>\r\nSubject: Reset your password\r\nDate: %s\r\n"
                   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                   "Someone asked to reset the password of your account. If it was you, open this link\r\n"
                   "within 30 minutes to choose a new password; it works once:\r\n\r\n"
                   "%s/reset-password#token=%s\r\n\r\n"
                   "If it was not you, ignore this e-mail: your password stays as it is.\r\n",
                   account_mail_from, email, date, origin, token);
    if (len < 0 || (size_t)len >= sizeof(text))
        return SHOP_ERR_INTERNAL;
    snprintf(path, sizeof(path), "%s/reset-%.16s.eml", account_mail_folder, token + 16);
    snprintf(temporary, sizeof(temporary), "%s/.reset-%.16s.eml.tmp", account_mail_folder, token + 16);
    fd = account_mail_open(temporary);
    if (fd < 0 || write(fd, text, (size_t)len) != len || fsync(fd) != 0 || close(fd) != 0 ||
        rename(temporary, path) != 0) {
        log_event(LOG_LEVEL_ERROR, req->request_id, "event=mail_spool_failed kind=password_reset error=\"%s\"",
                  strerror(errno));
        if (fd >= 0)
            unlink(temporary);
        return SHOP_ERR_UNAVAILABLE;
    }
    return SHOP_OK;
}

static int account_reply_accepted(struct http_request *req)
{
    struct json_object *body = http_own(req, json_object_new_object());

    if (body == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(body, "accepted", json_object_new_boolean(true));
    return http_reply_json(req, 202, body);
}

static int account_reset_request(struct http_request *req, struct responder_context *ctx)
{
    char email[ACCOUNT_EMAIL_MAX + 1], token[ACCOUNT_RESET_TOKEN_TEXT];
    struct json_object *body;
    struct account account;
    long long retry_after;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK || (rc = account_read_email(req, body, email)) != SHOP_OK)
        return rc;
    /* The same 202 whether or not there is an account, and whether or not a mail went. */
    rc = account_limit_check(ctx->db, req->arena, ACCOUNT_LIMIT_RESET_EMAIL, email, &retry_after);
    if (rc == SHOP_ERR_RATE_LIMITED)
        return account_reply_accepted(req);
    if (rc != SHOP_OK || (rc = account_limit_count(ctx->db, req->arena, ACCOUNT_LIMIT_RESET_EMAIL, email)) != SHOP_OK)
        return rc;
    rc = account_find_by_email(ctx->db, req->arena, email, &account);
    if (rc == SHOP_ERR_NOT_FOUND)
        return account_reply_accepted(req);
    if (rc != SHOP_OK || (rc = account_reset_create(ctx->db, req->arena, account.id, token)) != SHOP_OK ||
        (rc = account_mail_reset(req, account.email, token)) != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=password_reset_sent account=%lld", account.id);
    return account_reply_accepted(req);
}

static int account_reset_confirm(struct http_request *req, struct responder_context *ctx)
{
    char hash[PASSWORD_HASH_MAX];
    struct account_password reset = {req->arena, 0, hash, NULL};
    struct json_object *body, *reply;
    const char *password;
    int rc = http_read_json(req, (size_t)responder_max_body(), &body);

    if (rc != SHOP_OK)
        return rc;
    if (json_get_string(body, "token", 1, 256, &reset.token) != SHOP_OK)
        return http_reply_error(req, SHOP_ERR_INVALID, "invalid_token", "token must be a string.", NULL);
    if ((rc = account_read_new_password(req, body, "password", &password)) != SHOP_OK ||
        (rc = password_hash(password, hash)) != SHOP_OK)
        return rc;
    rc = db_transaction(ctx->db, account_password_body, &reset);
    if (rc == SHOP_ERR_NOT_FOUND)
        return http_reply_error(req, SHOP_ERR_UNPROCESSABLE, "invalid_token",
                                "This link is no longer valid: ask for a new one.", NULL);
    if (rc != SHOP_OK)
        return rc;
    log_event(LOG_LEVEL_INFO, req->request_id, "event=password_reset account=%lld", reset.id);
    if ((reply = http_own(req, json_object_new_object())) == NULL)
        return SHOP_ERR_NOMEM;
    json_object_object_add(reply, "reset", json_object_new_boolean(true));
    return http_reply_json(req, 200, reply);
}

static const struct responder account_responder = {
    .name = "account",
    .routes = account_routes,
    .uses_session = true,
    .init = account_init_all,
};

int main(int argc, char **argv)
{
    return responder_main(&account_responder, argc, argv);
}

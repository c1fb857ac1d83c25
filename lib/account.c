/*
 * account.c - accounts, reset tokens and failure limits (see account.h).
 *
 * The failure limits are fixed windows in MariaDB (sign_in_failures): the first
 * failure of a subject opens a window of account_limit_window_seconds, each
 * further one adds to its count, and past the limit the subject is refused
 * until the window ends (Retry-After). Subjects are stored as a kind letter and
 * a SHA-256, never as the address itself.
 */
#include "account.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "validate.h"

#define ACCOUNT_SUBJECT_TEXT (2 + crypto_hash_sha256_BYTES * 2 + 1)
#define ACCOUNT_LIMIT_MAX 100000
#define ACCOUNT_WINDOW_MAX_SECONDS (24 * 3600)
/* Expired windows deleted per counted failure: the table stays as small as the live windows. */
#define ACCOUNT_LIMIT_SWEEP 10

static const char SQL_CREATE[] =
    "INSERT INTO accounts (user_id, email, name, password_hash) VALUES (?, ?, ?, ?)";
#define ACCOUNT_COLUMNS "id, user_id, email, name, password_hash, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ')"
static const char SQL_FIND_BY_EMAIL[] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE email = ?";
static const char SQL_FIND[] = "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?";
static const char SQL_SET_NAME[] = "UPDATE accounts SET name = ? WHERE id = ?";
static const char SQL_SET_HASH[] = "UPDATE accounts SET password_hash = ? WHERE id = ?";
static const char SQL_LIMIT_CHECK[] =
    "SELECT GREATEST(1, CEIL(TIMESTAMPDIFF(MICROSECOND, CURRENT_TIMESTAMP(3), window_ends) / 1000000))"
    " FROM sign_in_failures WHERE subject = ? AND failures >= ? AND window_ends > CURRENT_TIMESTAMP(3)";
/* MariaDB applies the assignments in order: window_ends sees the new failures (1 = a new window). */
static const char SQL_LIMIT_COUNT[] =
    "INSERT INTO sign_in_failures (subject, failures, window_ends)"
    " VALUES (?, 1, CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND) ON DUPLICATE KEY UPDATE"
    " failures = IF(window_ends <= CURRENT_TIMESTAMP(3), 1, failures + 1),"
    " window_ends = IF(failures = 1, VALUES(window_ends), window_ends)";
static const char SQL_LIMIT_SWEEP[] =
    "DELETE FROM sign_in_failures WHERE window_ends <= CURRENT_TIMESTAMP(3) ORDER BY window_ends LIMIT ?";
static const char SQL_LIMIT_CLEAR[] = "DELETE FROM sign_in_failures WHERE subject = ?";
static const char SQL_RESET_ADD[] =
    "INSERT INTO password_resets (token_hash, account_id, expires_at)"
    " VALUES (?, ?, CURRENT_TIMESTAMP(3) + INTERVAL ? SECOND)";
static const char SQL_RESET_SWEEP[] =
    "DELETE FROM password_resets WHERE account_id = ? AND expires_at <= CURRENT_TIMESTAMP(3)";
static const char SQL_RESET_FIND[] =
    "SELECT account_id FROM password_resets WHERE token_hash = ? AND expires_at > CURRENT_TIMESTAMP(3) FOR UPDATE";
static const char SQL_RESET_DELETE_ALL[] = "DELETE FROM password_resets WHERE account_id = ?";

/* One limit: its subject prefix and how many events a window allows. */
struct account_limit {
    const char *prefix;
    const char *key;
    long long fallback;
    long long allowed;          /* set by account_init */
};

/* Indexed by enum account_limit_kind. Written once by account_init() before threads start. */
static struct account_limit account_limits[] = {
    {"e:", "account_sign_in_email_limit", 10, 10},
    {"a:", "account_sign_in_address_limit", 30, 30},
    {"r:", "account_reset_email_limit", 3, 3},
};
static long long account_window_seconds = 900;

int account_init(void)
{
    size_t i;

    for (i = 0; i < sizeof(account_limits) / sizeof(account_limits[0]); i++) {
        if (config_get_int(account_limits[i].key, account_limits[i].fallback, 1, ACCOUNT_LIMIT_MAX,
                           &account_limits[i].allowed) != SHOP_OK)
            return SHOP_ERR_INVALID;
    }
    return config_get_int("account_limit_window_seconds", 900, 1, ACCOUNT_WINDOW_MAX_SECONDS,
                          &account_window_seconds);
}

bool account_normalize_email(const char *email, char out[ACCOUNT_EMAIL_MAX + 1])
{
    size_t i;

    for (i = 0; email[i] != '\0'; i++) {
        if (i == ACCOUNT_EMAIL_MAX)
            return false;
        out[i] = (char)tolower((unsigned char)email[i]);
    }
    out[i] = '\0';
    return validate_email(out);
}

/* SHA-256 of data, hex, into out (crypto_hash_sha256_BYTES * 2 + 1 bytes). */
static void account_sha256_hex(const char *data, size_t len, char *out)
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(digest, (const unsigned char *)data, len);
    sodium_bin2hex(out, crypto_hash_sha256_BYTES * 2 + 1, digest, sizeof(digest));
}

int account_create(struct db *db, struct arena *arena, const char *email, const char *name, const char *password_hash,
                   char user_id[SESSION_USER_ID_TEXT])
{
    unsigned char id[SESSION_ID_BYTES];

    randombytes_buf(id, sizeof(id));
    sodium_bin2hex(user_id, SESSION_USER_ID_TEXT, id, sizeof(id));
    const struct db_param row[] = {DB_PARAM_TEXT(user_id), DB_PARAM_TEXT(email), DB_PARAM_TEXT(name),
                                   DB_PARAM_TEXT(password_hash)};
    /* A random 128-bit user id does not collide: SHOP_ERR_CONFLICT is the e-mail's key. */
    return db_exec(db, arena, SQL_CREATE, row, 4, NULL);
}

static int account_read(struct db *db, struct arena *arena, const char *sql, const struct db_param *key,
                        struct account *out)
{
    struct db_result found;
    int rc = db_exec(db, arena, sql, key, 1, &found);

    if (rc != SHOP_OK)
        return rc;
    if (found.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    out->id = db_result_int(&found, 0, 0);
    out->user_id = db_result_text(&found, 0, 1);
    out->email = db_result_text(&found, 0, 2);
    out->name = db_result_text(&found, 0, 3);
    out->password_hash = db_result_text(&found, 0, 4);
    out->created_at = db_result_text(&found, 0, 5);
    return SHOP_OK;
}

int account_find_by_email(struct db *db, struct arena *arena, const char *email, struct account *out)
{
    const struct db_param key[] = {DB_PARAM_TEXT(email)};

    return account_read(db, arena, SQL_FIND_BY_EMAIL, key, out);
}

int account_find(struct db *db, struct arena *arena, long long id, struct account *out)
{
    const struct db_param key[] = {DB_PARAM_INT(id)};

    return account_read(db, arena, SQL_FIND, key, out);
}

int account_set_name(struct db *db, struct arena *arena, long long id, const char *name)
{
    const struct db_param set[] = {DB_PARAM_TEXT(name), DB_PARAM_INT(id)};

    return db_exec(db, arena, SQL_SET_NAME, set, 2, NULL);
}

int account_set_password_hash(struct db *db, struct arena *arena, long long id, const char *password_hash)
{
    const struct db_param set[] = {DB_PARAM_TEXT(password_hash), DB_PARAM_INT(id)};

    return db_exec(db, arena, SQL_SET_HASH, set, 2, NULL);
}

/* The stored form of a limit's subject: its prefix and the SHA-256 of the subject. */
static void account_limit_subject(enum account_limit_kind kind, const char *subject, char out[ACCOUNT_SUBJECT_TEXT])
{
    memcpy(out, account_limits[kind].prefix, 2);
    account_sha256_hex(subject, strlen(subject), out + 2);
}

int account_limit_check(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject,
                        long long *retry_after)
{
    char key[ACCOUNT_SUBJECT_TEXT];
    struct db_result found;
    int rc;

    account_limit_subject(kind, subject, key);
    const struct db_param params[] = {DB_PARAM_TEXT(key), DB_PARAM_INT(account_limits[kind].allowed)};
    if ((rc = db_exec(db, arena, SQL_LIMIT_CHECK, params, 2, &found)) != SHOP_OK)
        return rc;
    if (found.rows == 0)
        return SHOP_OK;
    *retry_after = db_result_int(&found, 0, 0);
    return SHOP_ERR_RATE_LIMITED;
}

int account_limit_count(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject)
{
    char key[ACCOUNT_SUBJECT_TEXT];
    const struct db_param sweep[] = {DB_PARAM_INT(ACCOUNT_LIMIT_SWEEP)};
    int rc;

    account_limit_subject(kind, subject, key);
    const struct db_param params[] = {DB_PARAM_TEXT(key), DB_PARAM_INT(account_window_seconds)};
    if ((rc = db_exec(db, arena, SQL_LIMIT_SWEEP, sweep, 1, NULL)) != SHOP_OK)
        return rc;
    return db_exec(db, arena, SQL_LIMIT_COUNT, params, 2, NULL);
}

int account_limit_clear(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject)
{
    char key[ACCOUNT_SUBJECT_TEXT];

    account_limit_subject(kind, subject, key);
    const struct db_param params[] = {DB_PARAM_TEXT(key)};
    return db_exec(db, arena, SQL_LIMIT_CLEAR, params, 1, NULL);
}

int account_reset_create(struct db *db, struct arena *arena, long long id, char token[ACCOUNT_RESET_TOKEN_TEXT])
{
    unsigned char raw[ACCOUNT_RESET_TOKEN_BYTES];
    char hash[crypto_hash_sha256_BYTES * 2 + 1];
    const struct db_param account[] = {DB_PARAM_INT(id)};
    int rc;

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(token, ACCOUNT_RESET_TOKEN_TEXT, raw, sizeof(raw));
    account_sha256_hex(token, ACCOUNT_RESET_TOKEN_TEXT - 1, hash);
    const struct db_param row[] = {DB_PARAM_TEXT(hash), DB_PARAM_INT(id), DB_PARAM_INT(ACCOUNT_RESET_VALID_SECONDS)};
    if ((rc = db_exec(db, arena, SQL_RESET_SWEEP, account, 1, NULL)) != SHOP_OK)
        return rc;
    return db_exec(db, arena, SQL_RESET_ADD, row, 3, NULL);
}

static bool account_reset_token_valid(const char *token)
{
    size_t i;

    for (i = 0; token[i] != '\0'; i++) {
        if (!isxdigit((unsigned char)token[i]) || isupper((unsigned char)token[i]))
            return false;
    }
    return i == ACCOUNT_RESET_TOKEN_TEXT - 1;
}

int account_reset_take(struct db *db, struct arena *arena, const char *token, long long *id)
{
    char hash[crypto_hash_sha256_BYTES * 2 + 1];
    struct db_result found;
    int rc;

    if (!account_reset_token_valid(token))
        return SHOP_ERR_NOT_FOUND;
    account_sha256_hex(token, strlen(token), hash);
    const struct db_param key[] = {DB_PARAM_TEXT(hash)};
    if ((rc = db_exec(db, arena, SQL_RESET_FIND, key, 1, &found)) != SHOP_OK)
        return rc;
    if (found.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    *id = db_result_int(&found, 0, 0);
    const struct db_param account[] = {DB_PARAM_INT(*id)};
    return db_exec(db, arena, SQL_RESET_DELETE_ALL, account, 1, NULL);
}

/*
 * account.h - shopper accounts: the accounts row, password reset tokens and the
 * sign-in failure limits. Owner of the accounts, password_resets and
 * sign_in_failures tables (013_accounts.sql); sessions are lib/session's,
 * passwords lib/password's.
 *
 * E-mail addresses are stored lower-cased (account_normalize_email), so one
 * address has one account whatever its case. Nothing here logs an address or
 * a name.
 */
#ifndef SHOP_ACCOUNT_H
#define SHOP_ACCOUNT_H

#include <stdbool.h>

#include <sodium.h>

#include "arena.h"
#include "db.h"
#include "session.h"

#define ACCOUNT_EMAIL_MAX 254
#define ACCOUNT_NAME_MAX_CHARS 100
#define ACCOUNT_RESET_TOKEN_BYTES 32
#define ACCOUNT_RESET_TOKEN_TEXT (ACCOUNT_RESET_TOKEN_BYTES * 2 + 1)
#define ACCOUNT_RESET_VALID_SECONDS (30 * 60)

struct account {
    long long id;
    const char *user_id;        /* 32 hex digits: the cart and orders key */
    const char *email;
    const char *name;
    const char *password_hash;
    const char *created_at;     /* ISO 8601, UTC */
};

/* What the failure limits count. */
enum account_limit_kind {
    ACCOUNT_LIMIT_SIGN_IN_EMAIL,    /* failed sign-ins to one e-mail address */
    ACCOUNT_LIMIT_SIGN_IN_ADDRESS,  /* failed sign-ins from one client address */
    ACCOUNT_LIMIT_RESET_EMAIL,      /* reset e-mails to one address */
};

/* Reads the limits (account_*_limit, account_limit_window_seconds); call once at start. */
int account_init(void);

/* Lower-cases email (ASCII) into out (ACCOUNT_EMAIL_MAX + 1 bytes); false when it is no valid address. */
bool account_normalize_email(const char *email, char out[ACCOUNT_EMAIL_MAX + 1]);

/*
 * Creates an account with a new random user id (written to user_id).
 * SHOP_ERR_CONFLICT when the e-mail address has an account already.
 */
int account_create(struct db *db, struct arena *arena, const char *email, const char *name, const char *password_hash,
                   char user_id[SESSION_USER_ID_TEXT]);

/* The account of email (normalized) or of id; SHOP_ERR_NOT_FOUND when there is none. */
int account_find_by_email(struct db *db, struct arena *arena, const char *email, struct account *out);
int account_find(struct db *db, struct arena *arena, long long id, struct account *out);

int account_set_name(struct db *db, struct arena *arena, long long id, const char *name);
int account_set_password_hash(struct db *db, struct arena *arena, long long id, const char *password_hash);

/*
 * SHOP_OK while subject (an e-mail address or a client address) is under the
 * limit of kind; SHOP_ERR_RATE_LIMITED with *retry_after (seconds) when over.
 */
int account_limit_check(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject,
                        long long *retry_after);

/* Counts one more event of kind for subject (the window starts with the first). */
int account_limit_count(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject);

/* Forgets the count of kind for subject (a successful sign-in). */
int account_limit_clear(struct db *db, struct arena *arena, enum account_limit_kind kind, const char *subject);

/* A new reset token for account id, valid ACCOUNT_RESET_VALID_SECONDS; only its hash is stored. */
int account_reset_create(struct db *db, struct arena *arena, long long id, char token[ACCOUNT_RESET_TOKEN_TEXT]);

/*
 * Uses token up, inside the caller's transaction: deletes it and every other
 * token of its account, and gives the account's id. SHOP_ERR_NOT_FOUND when the
 * token is unknown, used or expired.
 */
int account_reset_take(struct db *db, struct arena *arena, const char *token, long long *id);

#endif

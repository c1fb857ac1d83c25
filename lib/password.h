/*
 * password.h - shoppers' passwords: what is accepted, and how it is stored.
 *
 * Accepted: 10 to 128 characters (UTF-8 code points), not on the list of
 * common passwords (common_passwords_file, compared without regard to ASCII
 * case). Stored: Argon2id through libsodium's crypto_pwhash_str, whose text
 * carries the algorithm, its parameters and the salt, so password_opslimit and
 * password_memlimit can be raised later: older hashes still verify, and
 * password_needs_rehash() tells the sign-in to store a new one.
 */
#ifndef SHOP_PASSWORD_H
#define SHOP_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include <sodium.h>

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_CHARS 128
#define PASSWORD_MAX_BYTES (PASSWORD_MAX_CHARS * 4)
#define PASSWORD_HASH_MAX crypto_pwhash_STRBYTES
/* The defaults: about 45 ms per hash on the reference machine (2 cores). */
#define PASSWORD_DEFAULT_OPSLIMIT 3
#define PASSWORD_DEFAULT_MEMLIMIT_KIB (32 * 1024)
/* The common-password list is bounded: a longer file stops the program at start. */
#define PASSWORD_LIST_MAX_ENTRIES 200000
#define PASSWORD_LIST_MAX_BYTES (4 * 1024 * 1024)

/*
 * Reads password_opslimit, password_memlimit_kib and common_passwords_file,
 * loads the list and makes the dummy hash. SHOP_ERR_INVALID (logged) for a bad
 * setting or an unreadable or oversized list; call once at start.
 */
int password_init(void);

/*
 * SHOP_OK when password may be used; otherwise SHOP_ERR_UNPROCESSABLE with *code
 * set to "password_too_short", "password_too_long" or "password_too_common"
 * (and *message to a sentence for the shopper).
 */
int password_check(const char *password, const char **code, const char **message);

/* Hashes password into out (PASSWORD_HASH_MAX bytes). SHOP_ERR_NOMEM when the memory limit cannot be had. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* SHOP_OK when password matches hash, SHOP_ERR_UNAUTHORIZED otherwise. */
int password_verify(const char *hash, const char *password);

/*
 * Spends the time of one verification against a hash of the current parameters,
 * for a sign-in to an unknown e-mail: it answers as late as a wrong password.
 */
void password_verify_dummy(const char *password);

/* True when hash was made with other parameters than the current ones. */
bool password_needs_rehash(const char *hash);

#endif

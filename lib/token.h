/*
 * token.h - tamper-proof tokens: a payload the client may hold but not change.
 *
 * A token is base64url(payload) "." base64url(MAC), where MAC is the first 16
 * bytes of HMAC-SHA-256 under the shop secret over purpose, a NUL byte and the
 * payload. The purpose ("cursor:products", "session") keeps a token minted for one use
 * from being accepted for another. Payloads are readable, not secret.
 *
 * Keys come from the configuration: secret (64 hex digits, required) and
 * secret_previous (optional), which is still accepted when opening so that a
 * secret rotation invalidates nothing at once.
 */
#ifndef SHOP_TOKEN_H
#define SHOP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_KEY_BYTES 32
#define TOKEN_MAC_BYTES 16
#define TOKEN_MAX_PAYLOAD 512
/* Longest token text for TOKEN_MAX_PAYLOAD, with its NUL. */
#define TOKEN_MAX_TEXT (((TOKEN_MAX_PAYLOAD + 2) / 3) * 4 + 1 + 24 + 1)

/* Reads secret and secret_previous; SHOP_ERR_INVALID (logged) if missing or malformed. */
int token_init(void);

/* Writes the token for payload into out (cap bytes, NUL-terminated). */
int token_seal(const char *purpose, const void *payload, size_t len, char *out, size_t cap);

/*
 * Checks token and copies its payload into payload (cap bytes) with its length in
 * *len. SHOP_ERR_INVALID when malformed, too long or not signed by a known key.
 * *by_previous (may be NULL) tells whether only the previous secret matched, so
 * the caller can re-issue the token under the current one.
 */
int token_open(const char *purpose, const char *token, void *payload, size_t cap, size_t *len,
               bool *by_previous);

#endif

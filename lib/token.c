/*
 * token.c - HMAC-signed tokens over libsodium (see token.h).
 */
#include "token.h"

#include <sodium.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"

/* Loaded once by token_init() before threads start; read-only afterwards. */
static unsigned char token_key_current[TOKEN_KEY_BYTES];
static unsigned char token_key_previous[TOKEN_KEY_BYTES];
static bool token_has_previous;
static bool token_ready;

static int token_key_parse(const char *name, const char *hex, unsigned char key[TOKEN_KEY_BYTES])
{
    size_t bin_len = 0;
    const char *end = NULL;

    if (strlen(hex) != TOKEN_KEY_BYTES * 2 ||
        sodium_hex2bin(key, TOKEN_KEY_BYTES, hex, strlen(hex), NULL, &bin_len, &end) != 0 ||
        bin_len != TOKEN_KEY_BYTES || *end != '\0') {
        log_event(LOG_LEVEL_ERROR, NULL,
                  "event=config_invalid key=%s reason=\"expected 64 hex digits; make one with: head -c32 /dev/urandom | od -An -tx1 | tr -d ' \\\\n'\"",
                  name);
        return SHOP_ERR_INVALID;
    }
    return SHOP_OK;
}

int token_init(void)
{
    const char *current = config_get_string("secret", NULL);
    const char *previous = config_get_string("secret_previous", NULL);

    if (sodium_init() < 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=sodium_init_failed");
        return SHOP_ERR_INTERNAL;
    }
    if (current == NULL || *current == '\0') {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_missing key=secret reason=\"the shop secret signs cookies and cursors\"");
        return SHOP_ERR_INVALID;
    }
    if (token_key_parse("secret", current, token_key_current) != SHOP_OK)
        return SHOP_ERR_INVALID;
    token_has_previous = previous != NULL && *previous != '\0';
    if (token_has_previous && token_key_parse("secret_previous", previous, token_key_previous) != SHOP_OK)
        return SHOP_ERR_INVALID;
    token_ready = true;
    return SHOP_OK;
}

static void token_mac(const unsigned char key[TOKEN_KEY_BYTES], const char *purpose, const void *payload,
                      size_t len, unsigned char mac[TOKEN_MAC_BYTES])
{
    crypto_auth_hmacsha256_state state;
    unsigned char full[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&state, key, TOKEN_KEY_BYTES);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *)purpose, strlen(purpose) + 1);
    crypto_auth_hmacsha256_update(&state, payload, len);
    crypto_auth_hmacsha256_final(&state, full);
    memcpy(mac, full, TOKEN_MAC_BYTES);
}

int token_seal(const char *purpose, const void *payload, size_t len, char *out, size_t cap)
{
    unsigned char mac[TOKEN_MAC_BYTES];
    size_t payload_chars, mac_chars;

    if (!token_ready || len > TOKEN_MAX_PAYLOAD)
        return SHOP_ERR_INTERNAL;
    payload_chars = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    mac_chars = sodium_base64_ENCODED_LEN(TOKEN_MAC_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    /* Each ENCODED_LEN counts its own NUL; one of them becomes the '.'. */
    if (payload_chars + mac_chars > cap)
        return SHOP_ERR_INTERNAL;
    token_mac(token_key_current, purpose, payload, len, mac);
    sodium_bin2base64(out, payload_chars, payload, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    payload_chars = strlen(out);
    out[payload_chars] = '.';
    sodium_bin2base64(out + payload_chars + 1, mac_chars, mac, TOKEN_MAC_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return SHOP_OK;
}

static int token_decode(const char *text, size_t text_len, unsigned char *bin, size_t cap, size_t *bin_len)
{
    const char *end = NULL;

    if (sodium_base642bin(bin, cap, text, text_len, NULL, bin_len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text + text_len)
        return SHOP_ERR_INVALID;
    return SHOP_OK;
}

int token_open(const char *purpose, const char *token, void *payload, size_t cap, size_t *len,
               bool *by_previous)
{
    const char *dot;
    unsigned char mac_given[TOKEN_MAC_BYTES], mac_expected[TOKEN_MAC_BYTES];
    size_t mac_len = 0, token_len = strnlen(token, TOKEN_MAX_TEXT);

    if (by_previous != NULL)
        *by_previous = false;
    if (!token_ready || token_len >= TOKEN_MAX_TEXT)
        return SHOP_ERR_INVALID;
    dot = memchr(token, '.', token_len);
    if (dot == NULL)
        return SHOP_ERR_INVALID;
    if (token_decode(token, (size_t)(dot - token), payload, cap, len) != SHOP_OK ||
        token_decode(dot + 1, token_len - (size_t)(dot - token) - 1, mac_given, sizeof(mac_given),
                     &mac_len) != SHOP_OK ||
        mac_len != TOKEN_MAC_BYTES)
        return SHOP_ERR_INVALID;
    token_mac(token_key_current, purpose, payload, *len, mac_expected);
    if (crypto_verify_16(mac_given, mac_expected) == 0)
        return SHOP_OK;
    if (token_has_previous) {
        token_mac(token_key_previous, purpose, payload, *len, mac_expected);
        if (crypto_verify_16(mac_given, mac_expected) == 0) {
            if (by_previous != NULL)
                *by_previous = true;
            return SHOP_OK;
        }
    }
    return SHOP_ERR_INVALID;
}

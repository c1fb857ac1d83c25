/*
 * fuzz_token_cursor.c - signed tokens and pagination cursors (lib/token.c,
 * lib/cursor.c): what a client sends back as a cookie or a cursor.
 *
 * Input: a first byte that chooses the mode, then the rest.
 *   even: the rest is token text, opened as a session and as cursors of every
 *         field count.
 *   odd:  the rest is up to CURSOR_MAX_FIELDS fields split at '\n'; what
 *         encodes must decode to the same fields, for its own list only, and
 *         the rest as a token payload must come back byte for byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/cursor.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_start();
    return 0;
}

static void fuzz_open(struct arena *arena, const char *text)
{
    unsigned char payload[TOKEN_MAX_PAYLOAD];
    const char *fields[CURSOR_MAX_FIELDS];
    size_t len;
    int count;

    if (token_open("session", text, payload, sizeof(payload), &len, NULL) == SHOP_OK && len > sizeof(payload))
        __builtin_trap();
    for (count = 1; count <= CURSOR_MAX_FIELDS; count++)
        cursor_decode("products", text, arena, fields, count);
}

static void fuzz_round_trip(struct arena *arena, const uint8_t *data, size_t size)
{
    char *copy = fuzz_text(arena, data, size), *next = copy, text[TOKEN_MAX_TEXT];
    const char *fields[CURSOR_MAX_FIELDS], *decoded[CURSOR_MAX_FIELDS];
    unsigned char payload[TOKEN_MAX_PAYLOAD];
    size_t len;
    int count = 0, i;

    while (next != NULL && count < CURSOR_MAX_FIELDS) {
        fields[count++] = next;
        if ((next = strchr(next, '\n')) != NULL)
            *next++ = '\0';
    }
    if (cursor_encode("orders", fields, count, text, sizeof(text)) == SHOP_OK) {
        if (cursor_decode("orders", text, arena, decoded, count) != SHOP_OK ||
            cursor_decode("products", text, arena, decoded, count) == SHOP_OK)
            __builtin_trap();
        for (i = 0; i < count; i++)
            if (strcmp(fields[i], decoded[i]) != 0)
                __builtin_trap();
    }
    if (token_seal("session", data, size, text, sizeof(text)) == SHOP_OK &&
        (token_open("session", text, payload, sizeof(payload), &len, NULL) != SHOP_OK || len != size ||
         memcmp(payload, data, size) != 0))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena arena;

    if (size == 0)
        return 0;
    arena_init(&arena, 4096);
    if (data[0] % 2 == 0)
        fuzz_open(&arena, fuzz_text(&arena, data + 1, size - 1));
    else
        fuzz_round_trip(&arena, data + 1, size - 1);
    arena_free(&arena);
    return 0;
}

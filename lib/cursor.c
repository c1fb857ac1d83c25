/*
 * cursor.c - pagination cursors as signed tokens (see cursor.h).
 *
 * The payload is the fields joined by the ASCII unit separator 0x1f, a byte no
 * product name or id contains.
 */
#include "cursor.h"

#include <string.h>

#include "err.h"
#include "token.h"

#define CURSOR_SEPARATOR '\x1f'

int cursor_encode(const char *const *fields, int count, char *out, size_t cap)
{
    char payload[TOKEN_MAX_PAYLOAD];
    size_t used = 0, len;
    int i;

    if (count < 1 || count > CURSOR_MAX_FIELDS)
        return SHOP_ERR_INVALID;
    for (i = 0; i < count; i++) {
        len = strlen(fields[i]);
        if (memchr(fields[i], CURSOR_SEPARATOR, len) != NULL || used + len + 1 > sizeof(payload))
            return SHOP_ERR_INVALID;
        memcpy(payload + used, fields[i], len);
        used += len;
        if (i + 1 < count)
            payload[used++] = CURSOR_SEPARATOR;
    }
    return token_seal("cursor", payload, used, out, cap);
}

int cursor_add_next(struct json_object *body, const char *const *after, int count)
{
    char text[TOKEN_MAX_TEXT];
    int rc;

    if (after == NULL) {
        json_object_object_add(body, "nextCursor", NULL);
        return SHOP_OK;
    }
    if ((rc = cursor_encode(after, count, text, sizeof(text))) != SHOP_OK)
        return rc;
    json_object_object_add(body, "nextCursor", json_object_new_string(text));
    return SHOP_OK;
}

int cursor_decode(const char *text, struct arena *arena, const char **fields, int count)
{
    char payload[TOKEN_MAX_PAYLOAD];
    size_t len = 0, start = 0, i;
    int field = 0;

    if (count < 1 || count > CURSOR_MAX_FIELDS ||
        token_open("cursor", text, payload, sizeof(payload), &len, NULL) != SHOP_OK)
        return SHOP_ERR_INVALID;
    for (i = 0; i <= len; i++) {
        if (i < len && payload[i] != CURSOR_SEPARATOR)
            continue;
        if (field == count || memchr(payload + start, '\0', i - start) != NULL)
            return SHOP_ERR_INVALID;
        fields[field] = arena_strndup(arena, payload + start, i - start);
        if (fields[field] == NULL)
            return SHOP_ERR_NOMEM;
        field++;
        start = i + 1;
    }
    return field == count ? SHOP_OK : SHOP_ERR_INVALID;
}

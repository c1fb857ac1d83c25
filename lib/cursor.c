/*
 * cursor.c - pagination cursors as signed tokens (see cursor.h).
 *
 * The payload is the fields joined by the ASCII unit separator 0x1f, a byte no
 * product name or id contains. The list's name is in the token's purpose, not
 * the payload: the MAC covers it, and a cursor carries no extra bytes.
 */
#include "cursor.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "token.h"

#define CURSOR_SEPARATOR '\x1f'

/* The token purpose of list's cursors, "cursor:<list>"; SHOP_ERR_INVALID for a bad name. */
static int cursor_purpose(const char *list, char *out, size_t cap)
{
    size_t len = strlen(list);

    if (len == 0 || len > CURSOR_MAX_LIST || (size_t)snprintf(out, cap, "cursor:%s", list) >= cap)
        return SHOP_ERR_INVALID;
    return SHOP_OK;
}

int cursor_encode(const char *list, const char *const *fields, int count, char *out, size_t cap)
{
    char payload[TOKEN_MAX_PAYLOAD], purpose[CURSOR_MAX_LIST + 8];
    size_t used = 0, len;
    int i;

    if (count < 1 || count > CURSOR_MAX_FIELDS || cursor_purpose(list, purpose, sizeof(purpose)) != SHOP_OK)
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
    return token_seal(purpose, payload, used, out, cap);
}

int cursor_add_next(struct json_object *body, const char *list, const char *const *after, int count)
{
    char text[TOKEN_MAX_TEXT];
    int rc;

    if (after == NULL) {
        json_object_object_add(body, "nextCursor", NULL);
        return SHOP_OK;
    }
    if ((rc = cursor_encode(list, after, count, text, sizeof(text))) != SHOP_OK)
        return rc;
    json_object_object_add(body, "nextCursor", json_object_new_string(text));
    return SHOP_OK;
}

int cursor_decode(const char *list, const char *text, struct arena *arena, const char **fields, int count)
{
    char payload[TOKEN_MAX_PAYLOAD], purpose[CURSOR_MAX_LIST + 8];
    size_t len = 0, start = 0, i;
    int field = 0;

    if (count < 1 || count > CURSOR_MAX_FIELDS || cursor_purpose(list, purpose, sizeof(purpose)) != SHOP_OK ||
        token_open(purpose, text, payload, sizeof(payload), &len, NULL) != SHOP_OK)
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

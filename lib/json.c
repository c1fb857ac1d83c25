/*
 * json.c - validated field access over json-c (see json.h).
 */
#include "json.h"

#include <string.h>

#include "err.h"
#include "validate.h"

/* The UTF-16 code unit of the \uXXXX escape at text (len bytes available), or -1 when there is none. */
static long json_escape_unit(const char *text, size_t len)
{
    long unit = 0;
    int i;

    if (len < 6 || text[0] != '\\' || text[1] != 'u')
        return -1;
    for (i = 2; i < 6; i++) {
        char c = text[i];
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return -1;
        unit = unit * 16 + digit;
    }
    return unit;
}

/*
 * True when every escaped surrogate is a high one followed at once by an
 * escaped low one. json-c decodes a lone one into U+FFFD or into bytes that are
 * not UTF-8, so it is refused before: what a handler reads is the text sent.
 * A backslash is only valid inside a string, so scanning the whole text is
 * exact; where it is not valid the parse fails anyway.
 */
static bool json_surrogates_paired(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len) {
        long unit, low;

        if (text[i] != '\\') {
            i++;
            continue;
        }
        unit = json_escape_unit(text + i, len - i);
        if (unit < 0) { /* another escape: \" \\ \n … */
            i += 2;
            continue;
        }
        if (unit >= 0xdc00 && unit <= 0xdfff)
            return false;
        if (unit >= 0xd800 && unit <= 0xdbff) {
            low = json_escape_unit(text + i + 6, len - i - 6);
            if (low < 0xdc00 || low > 0xdfff)
                return false;
            i += 6;
        }
        i += 6;
    }
    return true;
}

int json_parse_object(const char *text, size_t len, struct json_object **out)
{
    struct json_tokener *tok;
    struct json_object *obj;
    size_t parsed;

    *out = NULL;
    if (len > (size_t)0x7fffffff)
        return SHOP_ERR_TOO_LARGE;
    /* json-c's own check lets overlong forms, surrogates and code points above U+10FFFF through. */
    if (!validate_utf8_bytes(text, len) || !json_surrogates_paired(text, len))
        return SHOP_ERR_INVALID;
    tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    if (tok == NULL)
        return SHOP_ERR_NOMEM;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    /* A complete value must consume the whole body, bar trailing white space. */
    parsed = json_tokener_get_parse_end(tok);
    if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success) {
        /* memchr, not strchr: strchr finds a NUL byte too, and "{}\0" is no JSON. */
        while (parsed < len && memchr(" \t\r\n", text[parsed], 4) != NULL)
            parsed++;
    }
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success || parsed != len ||
        !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        json_tokener_free(tok);
        return SHOP_ERR_INVALID;
    }
    json_tokener_free(tok);
    *out = obj;
    return SHOP_OK;
}

static struct json_object *json_field(struct json_object *obj, const char *key)
{
    struct json_object *value = NULL;

    if (obj == NULL || !json_object_object_get_ex(obj, key, &value))
        return NULL;
    return value; /* NULL for JSON null as well */
}

int json_get_string(struct json_object *obj, const char *key, size_t min_len, size_t max_len,
                    const char **out)
{
    struct json_object *value = json_field(obj, key);
    size_t len;

    if (value == NULL)
        return SHOP_ERR_NOT_FOUND;
    if (!json_object_is_type(value, json_type_string))
        return SHOP_ERR_INVALID;
    len = (size_t)json_object_get_string_len(value);
    if (len < min_len || len > max_len)
        return SHOP_ERR_INVALID;
    *out = json_object_get_string(value);
    /* An embedded NUL would make C string handling see a different value. */
    if (strlen(*out) != len)
        return SHOP_ERR_INVALID;
    return SHOP_OK;
}

int json_get_int(struct json_object *obj, const char *key, long long min, long long max,
                 long long *out)
{
    struct json_object *value = json_field(obj, key);
    int64_t number;

    if (value == NULL)
        return SHOP_ERR_NOT_FOUND;
    if (!json_object_is_type(value, json_type_int))
        return SHOP_ERR_INVALID;
    number = json_object_get_int64(value);
    /* json-c saturates out-of-range literals at INT64 limits; bounds catch them. */
    if (number < min || number > max)
        return SHOP_ERR_INVALID;
    *out = number;
    return SHOP_OK;
}

bool json_has(struct json_object *obj, const char *key)
{
    return obj != NULL && json_object_object_get_ex(obj, key, NULL);
}

const char *json_to_text(struct json_object *obj, size_t *len)
{
    return json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
                                              len);
}

const char *json_string_list(struct arena *arena, const char *const *strings, int count)
{
    struct json_object *list = json_object_new_array();
    const char *text = NULL;
    size_t len;
    int i;

    if (list == NULL)
        return NULL;
    for (i = 0; i < count; i++) {
        struct json_object *item = json_object_new_string(strings[i]);
        if (item == NULL || json_object_array_add(list, item) != 0) {
            json_object_put(item);
            json_object_put(list);
            return NULL;
        }
    }
    if ((text = json_to_text(list, &len)) != NULL)
        text = arena_strndup(arena, text, len);
    json_object_put(list);
    return text;
}

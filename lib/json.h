/*
 * json.h - typed, validated field extraction over json-c.
 *
 * Request bodies are parsed with a depth limit and UTF-8 validation; fields are
 * read with their type and bounds checked in one call, so a handler states what
 * it accepts instead of checking json-c types by hand.
 */
#ifndef SHOP_JSON_H
#define SHOP_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define JSON_MAX_DEPTH 16

/*
 * Parses text (len bytes) into a new object owned by the caller (*out).
 * SHOP_ERR_INVALID for malformed JSON, text that is not UTF-8 as RFC 3629
 * defines it (no overlong forms, no surrogates, nothing above U+10FFFF), an
 * escaped surrogate that is not half of a pair, nesting deeper than
 * JSON_MAX_DEPTH, trailing bytes, or a top level that is not an object.
 */
int json_parse_object(const char *text, size_t len, struct json_object **out);

/*
 * The string field key of obj, whose length in bytes must be in [min_len, max_len].
 * SHOP_ERR_NOT_FOUND when absent or null, SHOP_ERR_INVALID when not a string or
 * out of bounds. *out points into obj and lives as long as obj.
 */
int json_get_string(struct json_object *obj, const char *key, size_t min_len, size_t max_len,
                    const char **out);

/*
 * The integer field key of obj in [min, max]. SHOP_ERR_NOT_FOUND when absent or
 * null; SHOP_ERR_INVALID for a non-integer (1.5, "3", true) or out of range.
 */
int json_get_int(struct json_object *obj, const char *key, long long min, long long max,
                 long long *out);

/* True when obj has the field key, even as null: tells "absent" from "null". */
bool json_has(struct json_object *obj, const char *key);

/* Serializes obj compactly; the text lives as long as obj. */
const char *json_to_text(struct json_object *obj, size_t *len);

/*
 * The count strings as one JSON array text in arena ("[\"a\",\"b\"]"): how a
 * list of values travels to a set-based statement as one bound parameter
 * (JSON_TABLE unpacks it). NULL when out of memory.
 */
const char *json_string_list(struct arena *arena, const char *const *strings, int count);

#endif

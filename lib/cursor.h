/*
 * cursor.h - opaque, tamper-proof keyset pagination cursors.
 *
 * A cursor carries the sort key of the last row of a page (for products: name
 * and id) so the next page starts strictly after it: no OFFSET, so the cost of a
 * page does not grow with how deep the client pages, and rows added meanwhile
 * are neither skipped nor repeated. It is signed (token.h) with the purpose
 * "cursor:" and the name of its list ("products", "orders"), so a client cannot
 * forge a position, and a cursor from one list is refused by every other: a
 * changed or foreign cursor is rejected.
 */
#ifndef SHOP_CURSOR_H
#define SHOP_CURSOR_H

#include <json-c/json.h>
#include <stddef.h>

#include "arena.h"

#define CURSOR_MAX_FIELDS 4
#define CURSOR_MAX_LIST 32 /* bytes of a list's name */

/*
 * Encodes count fields of a row of list into out (cap bytes). SHOP_ERR_INVALID
 * if a field holds the separator byte 0x1f, the whole is longer than a token may
 * carry, or list is empty or longer than CURSOR_MAX_LIST.
 */
int cursor_encode(const char *list, const char *const *fields, int count, char *out, size_t cap);

/*
 * Decodes text into exactly count fields (arena copies). SHOP_ERR_INVALID for
 * anything that is not a cursor this shop issued for list with that many fields.
 */
int cursor_decode(const char *list, const char *text, struct arena *arena, const char **fields, int count);

/*
 * Sets body's "nextCursor": the cursor of list for the row after (count
 * fields), or null when after is NULL (the last page).
 */
int cursor_add_next(struct json_object *body, const char *list, const char *const *after, int count);

#endif

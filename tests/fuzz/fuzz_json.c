/*
 * fuzz_json.c - the JSON reader with its limits (lib/json.c): what a request
 * body goes through before any handler sees it.
 *
 * Input: a request body. Whatever parses holds no NUL byte (not JSON, and C
 * strings would stop there), reads back within the stated bounds, with valid
 * UTF-8, and prints to text that parses again.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/json.h"
#include "lib/validate.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_json_read_back(struct json_object *obj)
{
    const char *text;
    long long number;
    size_t len;
    struct json_object *again = NULL;

    if (json_get_string(obj, "productId", 1, 255, &text) == SHOP_OK &&
        (strlen(text) < 1 || strlen(text) > 255 || !validate_utf8(text)))
        __builtin_trap();
    if (json_get_int(obj, "quantity", 0, 99, &number) == SHOP_OK && (number < 0 || number > 99))
        __builtin_trap();
    text = json_to_text(obj, &len);
    if (text == NULL)
        return;
    if (json_parse_object(text, len, &again) != SHOP_OK) /* what we print, we read */
        __builtin_trap();
    json_object_put(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *obj = NULL;

    if (json_parse_object((const char *)data, size, &obj) == SHOP_OK) {
        if (memchr(data, '\0', size) != NULL)
            __builtin_trap();
        fuzz_json_read_back(obj);
        json_object_put(obj);
    }
    return 0;
}

/*
 * fuzz_order_message.c - the queue message decoder (lib/order.c
 * order_message_decode): what the worker reads from Redis, which anyone who can
 * reach Redis can write.
 *
 * Input: a message. What decodes must encode and decode again to the same
 * message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/order.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct order_message message, again;
    char text[2048];
    size_t len;

    if (order_message_decode((const char *)data, size, &message) != SHOP_OK)
        return 0;
    if (!order_id_valid(message.order_id) || message.attempt < 1 || message.attempt > ORDER_ATTEMPT_MAX)
        __builtin_trap();
    if (order_message_encode(&message, text, sizeof(text), &len) != SHOP_OK)
        return 0;
    if (order_message_decode(text, len, &again) != SHOP_OK || strcmp(message.order_id, again.order_id) != 0 ||
        strcmp(message.email, again.email) != 0 || strcmp(message.error, again.error) != 0 ||
        message.attempt != again.attempt)
        __builtin_trap();
    return 0;
}

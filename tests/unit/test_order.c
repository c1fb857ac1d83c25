/*
 * test_order.c - the order lifecycle's pure parts: status names, order ids,
 * and the queue message codec with its bounds. (The transitions need
 * MariaDB: tests/integration/test_order_lifecycle.py drives them.)
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/order.h"
#include "unit.h"

#define VALID_ID "order-0123456789abcdef0123456789abcdef"

START_TEST(test_order_status_names_round_trip)
{
    enum order_status status;
    int i;

    for (i = 0; i < ORDER_STATUS_COUNT; i++) {
        ck_assert_ptr_nonnull(order_status_name((enum order_status)i));
        ck_assert_int_eq(order_status_parse(order_status_name((enum order_status)i), &status), SHOP_OK);
        ck_assert_int_eq(status, i);
    }
    ck_assert_str_eq(order_status_name(ORDER_PAYMENT_FAILED), "PAYMENT_FAILED");
    ck_assert_ptr_null(order_status_name(ORDER_STATUS_COUNT));
    ck_assert_int_eq(order_status_parse("pending", &status), SHOP_ERR_INVALID);
    ck_assert_int_eq(order_status_parse("", &status), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_order_id_only_the_shops_own_form_is_valid)
{
    char id[ORDER_ID_MAX + 1];

    ck_assert(order_id_valid(VALID_ID));
    ck_assert(!order_id_valid("order-0123456789ABCDEF0123456789abcdef"));   /* upper case */
    ck_assert(!order_id_valid("order-0123456789abcdef0123456789abcde"));    /* short */
    ck_assert(!order_id_valid("order-0123456789abcdef0123456789abcdef0")); /* long */
    ck_assert(!order_id_valid("cart-0123456789abcdef0123456789abcdef0"));
    ck_assert(!order_id_valid("order-\xc3\xbc"));
    ck_assert(!order_id_valid(""));
    order_id_new(id);
    ck_assert_uint_eq(strlen(id), ORDER_ID_MAX);
    ck_assert(order_id_valid(id));
}
END_TEST

START_TEST(test_order_idempotency_key_is_printable_ascii_up_to_128)
{
    char key[ORDER_IDEMPOTENCY_KEY_MAX + 2];

    ck_assert(order_idempotency_key_valid("checkout-7f3a"));
    ck_assert(order_idempotency_key_valid("a b ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"));
    ck_assert(order_idempotency_key_valid("x"));
    ck_assert(!order_idempotency_key_valid(""));
    ck_assert(!order_idempotency_key_valid("   "));
    ck_assert(!order_idempotency_key_valid("\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87")); /* Cyrillic */
    ck_assert(!order_idempotency_key_valid("\xf0\x9f\x98\x80"));                 /* emoji */
    ck_assert(!order_idempotency_key_valid("key\xff"));
    ck_assert(!order_idempotency_key_valid("tab\tkey"));
    ck_assert(!order_idempotency_key_valid("del\x7f"));
    memset(key, 'k', sizeof(key));
    key[ORDER_IDEMPOTENCY_KEY_MAX] = '\0';
    ck_assert(order_idempotency_key_valid(key));
    key[ORDER_IDEMPOTENCY_KEY_MAX] = 'k';
    key[ORDER_IDEMPOTENCY_KEY_MAX + 1] = '\0';
    ck_assert(!order_idempotency_key_valid(key));
}
END_TEST

START_TEST(test_order_message_round_trips_with_attempt_and_error)
{
    struct order_message in = {.attempt = 3}, out;
    char text[1024];
    size_t len;

    snprintf(in.order_id, sizeof(in.order_id), "%s", VALID_ID);
    snprintf(in.email, sizeof(in.email), "ana@example.com");
    snprintf(in.error, sizeof(in.error), "payment gateway: transient failure");
    ck_assert_int_eq(order_message_encode(&in, text, sizeof(text), &len), SHOP_OK);
    ck_assert_uint_eq(strlen(text), len);
    ck_assert_int_eq(order_message_decode(text, len, &out), SHOP_OK);
    ck_assert_str_eq(out.order_id, VALID_ID);
    ck_assert_str_eq(out.email, "ana@example.com");
    ck_assert_int_eq(out.attempt, 3);
    ck_assert_str_eq(out.error, "payment gateway: transient failure");
}
END_TEST

START_TEST(test_order_message_first_delivery_is_the_plain_shape)
{
    struct order_message in = {.attempt = 1}, out;
    char text[1024];
    size_t len;

    snprintf(in.order_id, sizeof(in.order_id), "%s", VALID_ID);
    snprintf(in.email, sizeof(in.email), "ana@example.com");
    ck_assert_int_eq(order_message_encode(&in, text, sizeof(text), &len), SHOP_OK);
    ck_assert_str_eq(text, "{\"orderId\":\"" VALID_ID "\",\"userEmail\":\"ana@example.com\"}");
    ck_assert_int_eq(order_message_decode(text, len, &out), SHOP_OK);
    ck_assert_int_eq(out.attempt, 1);
    ck_assert_str_eq(out.error, "");
}
END_TEST

static int decode(const char *text)
{
    struct order_message m;

    return order_message_decode(text, strlen(text), &m);
}

START_TEST(test_order_message_decoder_refuses_anything_out_of_bounds)
{
    char long_email[400];

    ck_assert_int_eq(decode("{\"orderId\":\"" VALID_ID "\"}"), SHOP_OK);
    ck_assert_int_eq(decode("not json"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("[]"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{\"orderId\":\"order-x\"}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{\"orderId\":42}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{\"orderId\":\"" VALID_ID "\",\"attempt\":0}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{\"orderId\":\"" VALID_ID "\",\"attempt\":1001}"), SHOP_ERR_INVALID);
    ck_assert_int_eq(decode("{\"orderId\":\"" VALID_ID "\",\"attempt\":\"2\"}"), SHOP_ERR_INVALID);
    snprintf(long_email, sizeof(long_email), "{\"orderId\":\"" VALID_ID "\",\"userEmail\":\"%0300d\"}", 0);
    ck_assert_int_eq(decode(long_email), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_order_message_encoder_refuses_a_buffer_too_small)
{
    struct order_message in = {.attempt = 1};
    char text[32];
    size_t len;

    snprintf(in.order_id, sizeof(in.order_id), "%s", VALID_ID);
    ck_assert_int_eq(order_message_encode(&in, text, sizeof(text), &len), SHOP_ERR_TOO_LARGE);
}
END_TEST

START_TEST(test_order_reference_is_the_ids_first_eight_digits_grouped_and_read_back_as_typed)
{
    char reference[ORDER_REFERENCE_MAX + 1], prefix[sizeof(ORDER_ID_PREFIX) + ORDER_REFERENCE_HEX];

    order_reference(VALID_ID, reference);
    ck_assert_str_eq(reference, "0123-4567");
    order_reference("order-7f3a91c2ffffffffffffffffffffffff", reference);
    ck_assert_str_eq(reference, "7F3A-91C2");
    ck_assert_int_eq(order_reference_parse("7F3A-91C2", prefix), SHOP_OK);
    ck_assert_str_eq(prefix, "order-7f3a91c2");
    ck_assert_int_eq(order_reference_parse("7f3a91C2", prefix), SHOP_OK);
    ck_assert_str_eq(prefix, "order-7f3a91c2");
    ck_assert_int_eq(order_reference_parse("7F3A-91C", prefix), SHOP_ERR_INVALID);     /* short */
    ck_assert_int_eq(order_reference_parse("7F3A-91C2A", prefix), SHOP_ERR_INVALID);   /* long */
    ck_assert_int_eq(order_reference_parse("7F3A91-C2", prefix), SHOP_ERR_INVALID);    /* hyphen misplaced */
    ck_assert_int_eq(order_reference_parse("7F3A-91G2", prefix), SHOP_ERR_INVALID);    /* not hex */
    ck_assert_int_eq(order_reference_parse("7F3A%91C", prefix), SHOP_ERR_INVALID);     /* a LIKE wildcard */
    ck_assert_int_eq(order_reference_parse("", prefix), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("order", test_order_status_names_round_trip, test_order_id_only_the_shops_own_form_is_valid,
          test_order_idempotency_key_is_printable_ascii_up_to_128,
          test_order_message_round_trips_with_attempt_and_error, test_order_message_first_delivery_is_the_plain_shape,
          test_order_message_decoder_refuses_anything_out_of_bounds, test_order_message_encoder_refuses_a_buffer_too_small,
          test_order_reference_is_the_ids_first_eight_digits_grouped_and_read_back_as_typed)

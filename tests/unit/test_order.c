/*
 * test_order.c - the order lifecycle's pure parts: status names, order ids,
 * the queue message codec with its bounds, and checkout's expectations (what
 * the shopper saw). (The transitions need MariaDB:
 * tests/integration/test_order_lifecycle.py drives them.)
 */
#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/json.h"
#include "lib/order.h"
#include "lib/product.h"
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

/* order_expectation_read on body (JSON text); *field gets the bad field or NULL. */
static int read_expectation(const char *body, struct order_expectation *e, const char **field)
{
    static char ids[CART_MAX_LINES][PRODUCT_ID_MAX + 1];
    struct json_object *parsed = NULL;
    int rc, i;

    ck_assert_int_eq(json_parse_object(body, strlen(body), &parsed), SHOP_OK);
    rc = order_expectation_read(parsed, e, field);
    /* the ids point into the body: keep copies for the checks that follow */
    for (i = 0; rc == SHOP_OK && i < e->line_count; i++) {
        snprintf(ids[i], sizeof(ids[i]), "%s", e->lines[i].product_id);
        e->lines[i].product_id = ids[i];
    }
    json_object_put(parsed);
    return rc;
}

START_TEST(test_order_expectation_refuses_bad_types_duplicates_and_long_lists)
{
    struct order_expectation e;
    const char *field;
    char body[8192];
    size_t used;
    int i;

    ck_assert_int_eq(read_expectation("{}", &e, &field), SHOP_OK);
    ck_assert(!e.has_total && !e.has_lines);
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":\"5999\"}", &e, &field), SHOP_ERR_INVALID);
    ck_assert_str_eq(field, "expectedTotalCents");
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":59.99}", &e, &field), SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":-1}", &e, &field), SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":null}", &e, &field), SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedItems\":{}}", &e, &field), SHOP_ERR_INVALID);
    ck_assert_str_eq(field, "expectedItems");
    ck_assert_int_eq(read_expectation("{\"expectedItems\":[{\"productId\":\"prod-001\"}]}", &e, &field),
                     SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedItems\":[{\"productId\":\"prod 001\",\"quantity\":1}]}", &e, &field),
                     SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedItems\":[{\"productId\":\"prod-001\",\"quantity\":100}]}", &e,
                                      &field), SHOP_ERR_INVALID);
    ck_assert_int_eq(read_expectation("{\"expectedItems\":[{\"productId\":\"prod-001\",\"quantity\":1},"
                                      "{\"productId\":\"prod-001\",\"quantity\":2}]}", &e, &field),
                     SHOP_ERR_INVALID);
    used = (size_t)snprintf(body, sizeof(body), "{\"expectedItems\":[");
    for (i = 0; i <= CART_MAX_LINES; i++)
        used += (size_t)snprintf(body + used, sizeof(body) - used, "%s{\"productId\":\"p-%d\",\"quantity\":1}",
                                 i ? "," : "", i);
    snprintf(body + used, sizeof(body) - used, "]}");
    ck_assert_int_eq(read_expectation(body, &e, &field), SHOP_ERR_INVALID);
    ck_assert_str_eq(field, "expectedItems");
}
END_TEST

START_TEST(test_order_expectation_met_only_by_the_same_lines_and_total)
{
    const struct order_line cart[] = {{.product_id = "prod-001", .quantity = 2},
                                      {.product_id = "prod-002", .quantity = 1}};
    struct order_expectation e;
    const char *field;

    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":5000,\"expectedItems\":["
                                      "{\"productId\":\"prod-002\",\"quantity\":1},"
                                      "{\"productId\":\"prod-001\",\"quantity\":2}]}", &e, &field), SHOP_OK);
    ck_assert(order_expectation_met(&e, cart, 2, 5000));    /* in any order */
    ck_assert(!order_expectation_met(&e, cart, 2, 5001));   /* a price changed */
    ck_assert(!order_expectation_met(&e, cart, 1, 5000));   /* a line less */
    e.lines[1].quantity = 3;
    ck_assert(!order_expectation_met(&e, cart, 2, 5000));   /* another quantity */
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":0,\"expectedItems\":[]}", &e, &field), SHOP_OK);
    ck_assert(order_expectation_met(&e, cart, 0, 0));
    ck_assert(!order_expectation_met(&e, cart, 2, 0));
    ck_assert_int_eq(read_expectation("{\"expectedTotalCents\":5000}", &e, &field), SHOP_OK);
    ck_assert(order_expectation_met(&e, cart, 2, 5000));    /* only the parts given count */
    ck_assert_int_eq(read_expectation("{}", &e, &field), SHOP_OK);
    ck_assert(order_expectation_met(&e, cart, 1, 1));
}
END_TEST

UNIT_MAIN("order", test_order_status_names_round_trip, test_order_id_only_the_shops_own_form_is_valid,
          test_order_idempotency_key_is_printable_ascii_up_to_128,
          test_order_message_round_trips_with_attempt_and_error, test_order_message_first_delivery_is_the_plain_shape,
          test_order_message_decoder_refuses_anything_out_of_bounds, test_order_message_encoder_refuses_a_buffer_too_small,
          test_order_reference_is_the_ids_first_eight_digits_grouped_and_read_back_as_typed,
          test_order_expectation_refuses_bad_types_duplicates_and_long_lists,
          test_order_expectation_met_only_by_the_same_lines_and_total)

/*
 * test_money.c - cents arithmetic is exact and refuses to overflow.
 */
#include <check.h>
#include <limits.h>

#include "lib/err.h"
#include "lib/money.h"
#include "unit.h"

START_TEST(test_money_line_total_multiplies_exactly)
{
    long long total = 0;

    ck_assert_int_eq(money_line_total(1999, 3, &total), SHOP_OK);
    ck_assert_int_eq(total, 5997);
    ck_assert_int_eq(money_line_total(1999, 0, &total), SHOP_OK);
    ck_assert_int_eq(total, 0);
}
END_TEST

START_TEST(test_money_line_total_refuses_overflow_and_negatives)
{
    long long total = 0;

    ck_assert_int_eq(money_line_total(LLONG_MAX / 2, 3, &total), SHOP_ERR_INVALID);
    ck_assert_int_eq(money_line_total(MONEY_MAX_CENTS, 2, &total), SHOP_ERR_INVALID);
    ck_assert_int_eq(money_line_total(-1, 1, &total), SHOP_ERR_INVALID);
    ck_assert_int_eq(money_line_total(1, -1, &total), SHOP_ERR_INVALID);
}
END_TEST

START_TEST(test_money_add_accumulates_and_bounds)
{
    long long total = 0;

    ck_assert_int_eq(money_add(&total, 12999), SHOP_OK);
    ck_assert_int_eq(money_add(&total, 1), SHOP_OK);
    ck_assert_int_eq(total, 13000);
    ck_assert_int_eq(money_add(&total, MONEY_MAX_CENTS), SHOP_ERR_INVALID);
    ck_assert_int_eq(total, 13000); /* unchanged on failure */
    ck_assert_int_eq(money_add(&total, -5), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("money", test_money_line_total_multiplies_exactly, test_money_line_total_refuses_overflow_and_negatives,
          test_money_add_accumulates_and_bounds)

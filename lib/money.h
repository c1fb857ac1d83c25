/*
 * money.h - amounts in integer minor units (cents), never floating point.
 *
 * Every amount is a long long count of minor units of one currency; the currency
 * travels beside it as an ISO 4217 code. Arithmetic is checked: an overflow is an
 * error, not a wrong total.
 */
#ifndef SHOP_MONEY_H
#define SHOP_MONEY_H

#include <stdbool.h>

/* Larger than any real order, far below overflow: a sanity bound on totals. */
#define MONEY_MAX_CENTS 100000000000LL

/* *out = unit_cents * quantity; SHOP_ERR_INVALID when negative or above MONEY_MAX_CENTS. */
int money_line_total(long long unit_cents, long long quantity, long long *out);

/* *total += cents; SHOP_ERR_INVALID when the result leaves [0, MONEY_MAX_CENTS]. */
int money_add(long long *total, long long cents);

/* The shop's currency (setting currency, default USD, checked at start): three capital letters. */
const char *money_currency(void);

/*
 * Whether an amount in currency may be charged here: only the shop's currency.
 * A product priced in another is not for sale (never summed into a cart).
 */
bool money_is_shop_currency(const char *currency);

#endif

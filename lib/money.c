/*
 * money.c - checked arithmetic on integer cents (see money.h).
 */
#include "money.h"

#include <string.h>

#include "settings.h"
#include "err.h"

int money_line_total(long long unit_cents, long long quantity, long long *out)
{
    if (unit_cents < 0 || quantity < 0 || (quantity > 0 && unit_cents > MONEY_MAX_CENTS / quantity))
        return SHOP_ERR_INVALID;
    *out = unit_cents * quantity;
    return SHOP_OK;
}

int money_add(long long *total, long long cents)
{
    if (cents < 0 || *total < 0 || cents > MONEY_MAX_CENTS - *total)
        return SHOP_ERR_INVALID;
    *total += cents;
    return SHOP_OK;
}

const char *money_currency(void)
{
    return settings_get()->currency;
}

bool money_is_shop_currency(const char *currency)
{
    return currency != NULL && strcmp(currency, money_currency()) == 0;
}

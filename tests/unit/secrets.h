/*
 * secrets.h - test secrets and switching between them, for suites that sign.
 */
#ifndef SHOP_TESTS_SECRETS_H
#define SHOP_TESTS_SECRETS_H

#include <check.h>
#include <stdlib.h>

#include "lib/err.h"
#include "lib/token.h"

#define SECRET_A "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SECRET_B "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

/* Signs with current from now on, still accepting previous (NULL: none). */
static inline void use_secrets(const char *current, const char *previous)
{
    setenv("SHOP_SECRET", current, 1);
    if (previous != NULL)
        setenv("SHOP_SECRET_PREVIOUS", previous, 1);
    else
        unsetenv("SHOP_SECRET_PREVIOUS");
    ck_assert_int_eq(token_init(), SHOP_OK);
}

#endif

/*
 * country.h - the countries the shop ships to: ISO 3166-1 alpha-2, the
 * officially assigned codes with their English short names.
 *
 * This table is the one list. The storefront's public/js/countries.js is made
 * from it by scripts/countries-js (and a test fails when the two differ), so
 * the checkout never offers a country the API would refuse.
 */
#ifndef SHOP_COUNTRY_H
#define SHOP_COUNTRY_H

#include <stddef.h>

struct country {
    const char *code; /* two upper-case ASCII letters */
    const char *name; /* English short name, UTF-8 */
};

/*
 * The assigned country with this code, upper or lower case ("gb" finds GB);
 * NULL for anything else: a user-assigned code (XX), a withdrawn one, a text
 * of other than two ASCII letters. The entry's code is the canonical spelling.
 */
const struct country *country_find(const char *code);

/* How many countries the table holds. */
size_t country_count(void);

/* The index-th country in code order (0 <= index < country_count()). */
const struct country *country_at(size_t index);

#endif

/*
 * test_country.c - the ISO 3166-1 alpha-2 table: complete, sorted, found in any case.
 */
#include <check.h>
#include <string.h>

#include "lib/country.h"
#include "unit.h"

START_TEST(test_country_table_holds_every_assigned_code_once_in_order)
{
    ck_assert_uint_eq(country_count(), 249);
    for (size_t i = 0; i < country_count(); i++) {
        const struct country *c = country_at(i);
        ck_assert_msg(strlen(c->code) == 2 && c->code[0] >= 'A' && c->code[0] <= 'Z' && c->code[1] >= 'A' &&
                      c->code[1] <= 'Z', "bad code %s", c->code);
        ck_assert_msg(c->name[0] != '\0', "no name for %s", c->code);
        if (i > 0)
            ck_assert_msg(strcmp(country_at(i - 1)->code, c->code) < 0, "%s out of order", c->code);
        ck_assert_ptr_eq(country_find(c->code), c);
    }
}
END_TEST

START_TEST(test_country_find_any_case_gives_the_canonical_entry)
{
    const struct country *gb = country_find("gb");

    ck_assert_ptr_nonnull(gb);
    ck_assert_str_eq(gb->code, "GB");
    ck_assert_str_eq(gb->name, "United Kingdom");
    ck_assert_ptr_eq(country_find("Gb"), gb);
    ck_assert_str_eq(country_find("PT")->name, "Portugal");
    ck_assert_str_eq(country_find("CI")->name, "Côte d'Ivoire");
    ck_assert_str_eq(country_find("AD")->code, "AD"); /* the first */
    ck_assert_str_eq(country_find("ZW")->code, "ZW"); /* the last */
}
END_TEST

START_TEST(test_country_find_refuses_unassigned_and_malformed_codes)
{
    static const char *const bad[] = {"XX", "ZZ", "AA", "UK", "EU", "QO", "YU", "", "G", "GBR", "United Kingdom",
                                      "G1", "1G", " G", "GB ", "\xc3\x85X"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(country_find(bad[i]) == NULL, "found %s", bad[i]);
}
END_TEST

UNIT_MAIN("country", test_country_table_holds_every_assigned_code_once_in_order,
          test_country_find_any_case_gives_the_canonical_entry, test_country_find_refuses_unassigned_and_malformed_codes)

/*
 * test_validate.c - what counts as acceptable shopper text, e-mail, country, postal code.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "lib/validate.h"
#include "unit.h"

START_TEST(test_validate_email_accepts_ordinary_addresses)
{
    ck_assert(validate_email("ana@example.com"));
    ck_assert(validate_email("ana.maria+decline@mail.example.co.uk"));
    ck_assert(validate_email("o'brien_1@ex-ample.org"));
}
END_TEST

START_TEST(test_validate_email_refuses_malformed_and_injection)
{
    static const char *const bad[] = {
        "", "ana", "@example.com", "ana@", "ana@example", "ana@@example.com", "a@b@example.com",
        ".ana@example.com", "ana.@example.com", "an..a@example.com", "ana@-example.com",
        "ana@example-.com", "ana@example..com", "ana@.example.com", "ana@example.com.",
        "ana maria@example.com", "ana@exa mple.com", "ana@example.com\r\nBcc: x@evil.example",
        "\"quoted\"@example.com", "ana@[127.0.0.1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!validate_email(bad[i]), "accepted %s", bad[i]);
}
END_TEST

START_TEST(test_validate_email_length_limits)
{
    char local[80], address[300];

    memset(local, 'a', 65);
    local[65] = '\0';
    snprintf(address, sizeof(address), "%s@example.com", local);
    ck_assert(!validate_email(address));
    local[64] = '\0';
    snprintf(address, sizeof(address), "%s@example.com", local);
    ck_assert(validate_email(address));
}
END_TEST

START_TEST(test_validate_text_counts_characters_and_refuses_controls)
{
    ck_assert(validate_text("Zoë Ångström", 12));
    ck_assert(!validate_text("Zoë Ångström", 11));
    ck_assert(!validate_text("line\nbreak", 100));
    ck_assert(!validate_text("tab\there", 100));
    ck_assert(!validate_text("   ", 100));
    ck_assert(!validate_text("", 100));
    ck_assert(!validate_text("bad \xff utf8", 100));
}
END_TEST

START_TEST(test_validate_utf8_bytes_counts_nul_and_stops_at_len)
{
    ck_assert(validate_utf8_bytes("a\0b", 3));
    ck_assert(validate_utf8_bytes("\xc3\xbc", 2));
    ck_assert(!validate_utf8_bytes("\xc3\xbc", 1));              /* cut short by len */
    ck_assert(!validate_utf8_bytes("\xe2\x82\xac", 2));
    ck_assert(validate_utf8_bytes("\xf4\x8f\xbf\xbf", 4));      /* U+10FFFF */
    ck_assert(!validate_utf8_bytes("\xf4\x90\x80\x80", 4));     /* U+110000 */
    ck_assert(!validate_utf8_bytes("\xc0\xaf", 2));
    ck_assert(!validate_utf8_bytes("\xed\xa0\x80", 3));
    ck_assert(validate_utf8_bytes("", 0));
    ck_assert(validate_utf8("\xc3\xbc") && !validate_utf8("\xc3"));
}
END_TEST

START_TEST(test_validate_country_and_postal_code)
{
    ck_assert(validate_country("DE"));
    ck_assert(!validate_country("de"));
    ck_assert(!validate_country("DEU"));
    ck_assert(validate_postal_code("10115"));
    ck_assert(validate_postal_code("SW1A 1AA"));
    ck_assert(validate_postal_code("1234-567"));
    ck_assert(!validate_postal_code(""));
    ck_assert(!validate_postal_code(" 123"));
    ck_assert(!validate_postal_code("123;DROP"));
    ck_assert(!validate_postal_code("123456789012345678901"));
}
END_TEST

UNIT_MAIN("validate", test_validate_email_accepts_ordinary_addresses, test_validate_email_refuses_malformed_and_injection,
          test_validate_email_length_limits, test_validate_text_counts_characters_and_refuses_controls,
          test_validate_country_and_postal_code, test_validate_utf8_bytes_counts_nul_and_stops_at_len)

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

START_TEST(test_validate_country_takes_assigned_upper_case_codes_only)
{
    ck_assert(validate_country("DE"));
    ck_assert(validate_country("GB"));
    ck_assert(!validate_country("de"));
    ck_assert(!validate_country("DEU"));
    ck_assert(!validate_country("XX"));
    ck_assert(!validate_country("UK"));
    ck_assert(!validate_country(""));
}
END_TEST

/* Each accepted code, as written by the shopper, and as the post writes it. */
static void assert_postal(const char *country, const char *code, const char *expected)
{
    char normalised[VALIDATE_POSTAL_MAX + 1];

    ck_assert_msg(validate_postal_code(country, code, normalised), "%s refused %s", country, code);
    ck_assert_str_eq(normalised, expected);
}

START_TEST(test_validate_postal_code_by_country_format)
{
    assert_postal("US", "94103", "94103");
    assert_postal("US", "94103-1234", "94103-1234");
    assert_postal("US", "941031234", "94103-1234");
    assert_postal("GB", "SW1A 1AA", "SW1A 1AA");
    assert_postal("GB", "sw1a1aa", "SW1A 1AA");
    assert_postal("GB", "M1 1AE", "M1 1AE");
    assert_postal("GB", "B33 8TH", "B33 8TH");
    assert_postal("GB", "CR2 6XH", "CR2 6XH");
    assert_postal("GB", "DN55 1PT", "DN55 1PT");
    assert_postal("GB", "W1A 0AX", "W1A 0AX");
    assert_postal("GB", "EC1A 1BB", "EC1A 1BB");
    assert_postal("DE", " 10115 ", "10115");
    assert_postal("FR", "75008", "75008");
    assert_postal("IT", "00184", "00184");
    assert_postal("ES", "28013", "28013");
    assert_postal("PT", "1000-001", "1000-001");
    assert_postal("PT", "1000001", "1000-001");
    assert_postal("NL", "1012ab", "1012 AB");
    assert_postal("CA", "k1a 0b1", "K1A 0B1");
    assert_postal("BR", "01310-100", "01310-100");
    assert_postal("JP", "100-0001", "100-0001");
    assert_postal("AU", "2000", "2000");
    assert_postal("AT", "1010", "1010");
    assert_postal("CH", "8001", "8001");
    assert_postal("BE", "1000", "1000");
    assert_postal("DK", "1050", "1050");
    assert_postal("PL", "00-950", "00-950");
    assert_postal("SE", "11455", "114 55");
}
END_TEST

START_TEST(test_validate_postal_code_refuses_other_shapes)
{
    static const char *const bad[][2] = {
        {"US", "0"}, {"US", "9410"}, {"US", "941031"}, {"US", "94103-12"}, {"US", "ABCDE"},
        {"GB", "0"}, {"GB", "SW1A"}, {"GB", "12345"}, {"GB", "SW1A-1AA"}, {"GB", "SW1A 1A"},
        {"DE", "1011"}, {"DE", "101155"}, {"FR", "7500A"}, {"PT", "1000"}, {"PT", "1000-01"},
        {"NL", "1012"}, {"CA", "K1A"}, {"CA", "111 111"}, {"AU", "200"}, {"AU", "20000"},
        {"US", ""}, {"DE", ""}, {"GB", "SW1A\t1AA"}, {"US", "123456789012345678901"},
    };
    char normalised[VALIDATE_POSTAL_MAX + 1];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!validate_postal_code(bad[i][0], bad[i][1], normalised), "%s accepted %s", bad[i][0], bad[i][1]);
}
END_TEST

START_TEST(test_validate_postal_code_generic_rule_and_countries_without_codes)
{
    char normalised[VALIDATE_POSTAL_MAX + 1];

    assert_postal("LT", "lt-01100", "LT-01100"); /* no format of its own: the generic rule */
    assert_postal("IS", "101", "101");
    ck_assert(!validate_postal_code("LT", "0", normalised));
    ck_assert(!validate_postal_code("LT", "ABC", normalised)); /* no digit */
    ck_assert(!validate_postal_code("LT", "12345678901", normalised));
    ck_assert(!validate_postal_code("LT", "123;DROP", normalised));
    ck_assert(!validate_postal_code("LT", "-123", normalised));
    ck_assert(!validate_postal_code("LT", "", normalised));
    assert_postal("IE", "", "");
    assert_postal("IE", "d02 x285", "D02 X285");
    assert_postal("HK", "", "");
    assert_postal("AE", "  ", "");
    ck_assert(!validate_postal_code("HK", "0", normalised));
    ck_assert(validate_postal_optional("HK") && validate_postal_optional("ZW") && validate_postal_optional("AE"));
    ck_assert(!validate_postal_optional("GB") && !validate_postal_optional("EA") && !validate_postal_optional(""));
    ck_assert_str_eq(validate_postal_example("GB"), "SW1A 1AA");
    ck_assert_ptr_null(validate_postal_example("LT"));
}
END_TEST

START_TEST(test_validate_street_address_and_place_name_need_letters)
{
    ck_assert(validate_street_address("Rua das Flores 12", 200));
    ck_assert(validate_street_address("1 Main St", 200));
    ck_assert(validate_street_address("Åby 3", 200));
    ck_assert(validate_street_address("東京都千代田区1", 200));
    ck_assert(!validate_street_address("1", 200));
    ck_assert(!validate_street_address("12345", 200));
    ck_assert(!validate_street_address("A1", 200));
    ck_assert(!validate_street_address(" a  1 ", 200));
    ck_assert(!validate_street_address("", 200));
    ck_assert(!validate_street_address("Main St\n1", 200));
    ck_assert(validate_place_name("Lisboa", 100));
    ck_assert(validate_place_name("Łódź", 100));
    ck_assert(validate_place_name("Ry", 100));
    ck_assert(!validate_place_name("12345", 100));
    ck_assert(!validate_place_name("-", 100));
    ck_assert(!validate_place_name("", 100));
}
END_TEST

UNIT_MAIN("validate", test_validate_email_accepts_ordinary_addresses, test_validate_email_refuses_malformed_and_injection,
          test_validate_email_length_limits, test_validate_text_counts_characters_and_refuses_controls,
          test_validate_country_takes_assigned_upper_case_codes_only, test_validate_postal_code_by_country_format,
          test_validate_postal_code_refuses_other_shapes, test_validate_postal_code_generic_rule_and_countries_without_codes,
          test_validate_street_address_and_place_name_need_letters, test_validate_utf8_bytes_counts_nul_and_stops_at_len)

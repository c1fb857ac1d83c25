/*
 * test_log.c - what a log line may quote from elsewhere: never a quoted value.
 */
#include <check.h>

#include "lib/log.h"
#include "unit.h"

START_TEST(test_log_redact_quoted_hides_every_quoted_value)
{
    char out[128];

    ck_assert_str_eq(log_redact_quoted("Incorrect string value: '\\xF0Ana Lima' for column `shipping_name` at row 1",
                                       out, sizeof(out)),
                     "Incorrect string value: '?' for column `shipping_name` at row 1");
    ck_assert_str_eq(log_redact_quoted("Duplicate entry 'ana@example.com' for key 'email'", out, sizeof(out)),
                     "Duplicate entry '?' for key '?'");
    ck_assert_str_eq(log_redact_quoted("Lost connection to server during query", out, sizeof(out)),
                     "Lost connection to server during query");
}
END_TEST

START_TEST(test_log_redact_quoted_unclosed_quote_hides_the_rest)
{
    char out[64];

    ck_assert_str_eq(log_redact_quoted("value 'Rua das Flores 12", out, sizeof(out)), "value '?'");
}
END_TEST

START_TEST(test_log_redact_quoted_stays_within_its_buffer)
{
    char out[8];

    ck_assert_str_eq(log_redact_quoted("abcdefghijkl", out, sizeof(out)), "abcdefg");
    ck_assert_str_eq(log_redact_quoted("abcde 'secret'", out, sizeof(out)), "abcde "); /* no room for '?': cut */
    ck_assert_str_eq(log_redact_quoted("ab 'x' cd", out, sizeof(out)), "ab '?' ");
}
END_TEST

UNIT_MAIN("log", test_log_redact_quoted_hides_every_quoted_value, test_log_redact_quoted_unclosed_quote_hides_the_rest,
          test_log_redact_quoted_stays_within_its_buffer)

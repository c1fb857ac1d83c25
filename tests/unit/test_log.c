/*
 * test_log.c - what a log line may quote from elsewhere: never a quoted value;
 * and what a value from outside may do to a line: nothing (no second line, no
 * extra key).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "unit.h"

/* Runs one log_event with stderr sent to a file and returns what was written. */
static const char *logged_line(char *out, size_t cap, const char *path)
{
    FILE *file = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t len;

    ck_assert_ptr_nonnull(file);
    dup2(fileno(file), STDERR_FILENO);
    log_event(LOG_LEVEL_INFO, "rid-1", "event=request method=GET path=%s status=404", path);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(file);
    len = fread(out, 1, cap - 1, file);
    out[len] = '\0';
    fclose(file);
    return out;
}

START_TEST(test_log_event_value_with_newline_cannot_forge_a_second_line)
{
    char out[LOG_MAX_LINE + 1];
    const char *line = logged_line(out, sizeof(out),
                                   "/api/x\nts=2000-01-01T00:00:00.000Z level=error prog=orders event=forged");

    ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1); /* exactly one line */
    ck_assert_ptr_null(strchr(line, '\r'));
    ck_assert_ptr_nonnull(strstr(line, "path=/api/x\\x0ats=2000"));
}
END_TEST

START_TEST(test_log_value_quotes_and_escapes_what_could_forge_a_key_or_line)
{
    char out[LOG_MAX_VALUE];

    ck_assert_str_eq(log_value("/api/products/prod-001", out, sizeof(out)), "/api/products/prod-001");
    ck_assert_str_eq(log_value("/x level=error", out, sizeof(out)), "\"/x level\\x3derror\"");
    ck_assert_str_eq(log_value("a\nts=1", out, sizeof(out)), "\"a\\x0ats\\x3d1\"");
    ck_assert_str_eq(log_value("say \"hi\" \\", out, sizeof(out)), "\"say \\\"hi\\\" \\\\\"");
    ck_assert_str_eq(log_value("\xc3\xbc\r", out, sizeof(out)), "\"\\xc3\\xbc\\x0d\"");
    ck_assert_str_eq(log_value("", out, sizeof(out)), "\"\"");
}
END_TEST

START_TEST(test_log_value_stays_within_its_buffer_and_stays_quoted)
{
    char out[8];

    ck_assert_str_eq(log_value("abcdefgh", out, sizeof(out)), "\"abcde\"");
    ck_assert_str_eq(log_value("a b\n", out, sizeof(out)), "\"a b\"");
    ck_assert_str_eq(log_value("abcdefg", out, sizeof(out)), "abcdefg");
    ck_assert_str_eq(log_value("x", out, 2), "");
}
END_TEST

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

UNIT_MAIN("log", test_log_event_value_with_newline_cannot_forge_a_second_line,
          test_log_value_quotes_and_escapes_what_could_forge_a_key_or_line,
          test_log_value_stays_within_its_buffer_and_stays_quoted,
          test_log_redact_quoted_hides_every_quoted_value, test_log_redact_quoted_unclosed_quote_hides_the_rest,
          test_log_redact_quoted_stays_within_its_buffer)

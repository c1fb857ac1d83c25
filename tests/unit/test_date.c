/*
 * test_date.c - the dates shopctl accepts (--since), and the ones it refuses.
 */
#include <check.h>

#include "lib/date.h"
#include "lib/err.h"
#include "unit.h"

START_TEST(test_date_day_and_utc_time_become_sql_text)
{
    char out[DATE_SQL_LEN + 1];

    ck_assert_int_eq(date_parse_utc("2026-11-25", out), SHOP_OK);
    ck_assert_str_eq(out, "2026-11-25 00:00:00");
    ck_assert_int_eq(date_parse_utc("2026-11-25T14:30:05Z", out), SHOP_OK);
    ck_assert_str_eq(out, "2026-11-25 14:30:05");
    ck_assert_int_eq(date_parse_utc("2024-02-29", out), SHOP_OK);
    ck_assert_int_eq(date_parse_utc("2000-02-29", out), SHOP_OK);
}
END_TEST

START_TEST(test_date_refuses_what_is_not_a_real_utc_date)
{
    const char *bad[] = {"", "2026-11-5", "2026/11/25", "2026-13-01", "2026-00-10", "2026-11-31", "2023-02-29",
                         "1900-02-29", "1969-12-31", "3000-01-01", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z",
                         "2026-11-25T10:00:00", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00+01", "+026-11-25",
                         "2026-11-25; DROP", "yesterday", "2026-1a-25"};
    char out[DATE_SQL_LEN + 1];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(date_parse_utc(bad[i], out) == SHOP_ERR_INVALID, "accepted %s", bad[i]);
}
END_TEST

UNIT_MAIN("date", test_date_day_and_utc_time_become_sql_text, test_date_refuses_what_is_not_a_real_utc_date)

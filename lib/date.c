/*
 * date.c - an operator's date, strictly (see date.h).
 */
#include "date.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define DATE_YEAR_MIN 1970
#define DATE_YEAR_MAX 2999

/* The number of width digits at text, or -1 when they are not all digits. */
static int date_number(const char *text, int width)
{
    int value = 0, i;

    for (i = 0; i < width; i++) {
        if (!isdigit((unsigned char)text[i]))
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

static int date_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

int date_parse_utc(const char *text, char *out)
{
    size_t len = strlen(text);
    int year, month, day, hour = 0, minute = 0, second = 0;

    if (len != 10 && len != 20)
        return SHOP_ERR_INVALID;
    if (text[4] != '-' || text[7] != '-')
        return SHOP_ERR_INVALID;
    year = date_number(text, 4);
    month = date_number(text + 5, 2);
    day = date_number(text + 8, 2);
    if (len == 20) {
        if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
            return SHOP_ERR_INVALID;
        hour = date_number(text + 11, 2);
        minute = date_number(text + 14, 2);
        second = date_number(text + 17, 2);
    }
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX || month < 1 || month > 12 || day < 1 ||
        day > date_days_in_month(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
        second > 59)
        return SHOP_ERR_INVALID;
    char sql[64]; /* the checks above make it exactly DATE_SQL_LEN; the compiler cannot see that */
    snprintf(sql, sizeof(sql), "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, hour, minute, second);
    memcpy(out, sql, DATE_SQL_LEN);
    out[DATE_SQL_LEN] = '\0';
    return SHOP_OK;
}

/*
 * date.h - dates an operator types, checked before they reach SQL.
 *
 * The database speaks UTC (lib/db sets the session's time zone), so a date
 * is taken as UTC too: "2026-11-25" (midnight) or "2026-11-25T14:30:00Z".
 */
#ifndef SHOP_DATE_H
#define SHOP_DATE_H

#define DATE_SQL_LEN 19               /* "YYYY-MM-DD HH:MM:SS" */

/*
 * Parses text as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (a real day of the
 * Gregorian calendar, years 1970 to 2999) into out (DATE_SQL_LEN + 1 bytes)
 * as SQL writes it. SHOP_ERR_INVALID for anything else.
 */
int date_parse_utc(const char *text, char *out);

#endif

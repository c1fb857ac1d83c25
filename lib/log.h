/*
 * log.h - one line per event on stderr.
 *
 * Lines are key=value: "ts=... level=info prog=products rid=9f2c... event=...".
 * Each line is written with a single write(2), so lines from several threads
 * never interleave. Levels below the one given to log_init() are dropped.
 *
 * A value from outside (a request's path, a queue message) cannot forge a line
 * or a key: callers pass it through log_value(), which quotes and escapes it,
 * and log_event() itself shows any control byte left in a line as \xNN, so a
 * caller that forgot still writes exactly one line.
 *
 * log depends on nothing but err: config logs through it, so the caller reads
 * the level from the configuration and hands it over.
 */
#ifndef SHOP_LOG_H
#define SHOP_LOG_H

#include <stddef.h>

enum log_level {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARN,
    LOG_LEVEL_ERROR,
};

#define LOG_MAX_LINE 2048
#define LOG_MAX_VALUE 512 /* bytes of one log_value(), quotes and escapes included */

/*
 * Names the program in every line and drops lines below level ("debug",
 * "info", "warn" or "error"); anything else is SHOP_ERR_INVALID, logged.
 */
int log_init(const char *program, const char *level);

/* Writes one event line. fmt yields key=value pairs; request_id may be NULL. */
void log_event(enum log_level level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Writes text into out (cap bytes, NUL-terminated) as one log value and returns
 * out: as is when it is printable ASCII without spaces, quotes, backslashes or
 * '='; otherwise in double quotes, with '"' and '\\' escaped by a backslash
 * and every control or non-ASCII byte and "=" as \xNN (so not even a search
 * for " key=" finds a key inside a value). Cut short (still quoted) when
 * cap is too small. For every value that comes from outside the program.
 */
const char *log_value(const char *text, char *out, size_t cap);

/*
 * Copies text into out (cap bytes, NUL-terminated, cut short if need be) with
 * every '…'-quoted span shown as '?', and returns out. For messages written
 * elsewhere that may quote a value (MariaDB's "Incorrect string value:
 * '\xF0…'"): a value may be a shopper's e-mail address, name or street
 * address, and none goes into a log.
 */
const char *log_redact_quoted(const char *text, char *out, size_t cap);

#endif

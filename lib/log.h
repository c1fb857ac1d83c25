/*
 * log.h - one line per event on stderr.
 *
 * Lines are key=value: "ts=... level=info prog=products rid=9f2c... event=...".
 * Each line is written with a single write(2), so lines from several threads
 * never interleave. Levels below the one given to log_init() are dropped.
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

/*
 * Names the program in every line and drops lines below level ("debug",
 * "info", "warn" or "error"); anything else is SHOP_ERR_INVALID, logged.
 */
int log_init(const char *program, const char *level);

/* Writes one event line. fmt yields key=value pairs; request_id may be NULL. */
void log_event(enum log_level level, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Copies text into out (cap bytes, NUL-terminated, cut short if need be) with
 * every '…'-quoted span shown as '?', and returns out. For messages written
 * elsewhere that may quote a value (MariaDB's "Incorrect string value:
 * '\xF0…'"): a value may be a shopper's e-mail address, name or street
 * address, and none goes into a log.
 */
const char *log_redact_quoted(const char *text, char *out, size_t cap);

#endif

/*
 * log.c - key=value event lines on stderr (see log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

/* Set once by log_init() before threads start; read-only afterwards. */
static char log_program[32] = "shop";
static enum log_level log_threshold = LOG_LEVEL_INFO;

int log_init(const char *program, const char *level)
{
    size_t i;

    snprintf(log_program, sizeof(log_program), "%s", program);
    for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
        if (strcmp(level, log_level_names[i]) == 0) {
            log_threshold = (enum log_level)i;
            return SHOP_OK;
        }
    }
    log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=log_level value=\"%s\" reason=\"expected debug, info, warn or error\"",
              level);
    return SHOP_ERR_INVALID;
}

void log_event(enum log_level level, const char *request_id, const char *fmt, ...)
{
    char line[LOG_MAX_LINE];
    struct timespec now;
    struct tm tm;
    size_t len;
    int n;
    va_list ap;

    if (level < log_threshold)
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    n = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s prog=%s",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 now.tv_nsec / 1000000, log_level_names[level], log_program);
    len = (size_t)n;
    if (request_id != NULL && len < sizeof(line))
        len += (size_t)snprintf(line + len, sizeof(line) - len, " rid=%s", request_id);
    if (len < sizeof(line) - 1) {
        line[len++] = ' ';
        va_start(ap, fmt);
        n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
        va_end(ap);
        if (n > 0)
            len += (size_t)n;
    }
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2; /* truncated: still one line */
    line[len++] = '\n';
    if (write(STDERR_FILENO, line, len) < 0) {
        /* Nowhere left to report it. */
    }
}

const char *log_redact_quoted(const char *text, char *out, size_t cap)
{
    size_t used = 0;
    bool quoted = false;

    if (cap == 0)
        return out;
    for (; *text != '\0'; text++) {
        if (*text != '\'') {
            if (quoted)
                continue;
            if (used + 1 >= cap)
                break;
            out[used++] = *text;
            continue;
        }
        quoted = !quoted;
        if (quoted) { /* the whole span becomes '?' as it opens; an unclosed one hides the rest */
            if (used + 3 >= cap)
                break;
            memcpy(out + used, "'?'", 3);
            used += 3;
        }
    }
    out[used] = '\0';
    return out;
}

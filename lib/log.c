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
    char shown[LOG_MAX_VALUE];
    size_t i;

    snprintf(log_program, sizeof(log_program), "%s", program);
    for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
        if (strcmp(level, log_level_names[i]) == 0) {
            log_threshold = (enum log_level)i;
            return SHOP_OK;
        }
    }
    log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=log_level value=%s reason=\"expected debug, info, warn or error\"",
              log_value(level, shown, sizeof(shown)));
    return SHOP_ERR_INVALID;
}

static bool log_byte_plain(unsigned char c)
{
    return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

const char *log_value(const char *text, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t used = 0, i;
    unsigned char c;

    if (cap < 3) { /* no room for "" */
        if (cap > 0)
            out[0] = '\0';
        return out;
    }
    for (i = 0; text[i] != '\0' && log_byte_plain((unsigned char)text[i]); i++)
        ;
    if (text[i] == '\0' && i > 0 && i < cap) {
        memcpy(out, text, i + 1);
        return out;
    }
    out[used++] = '"';
    for (; (c = (unsigned char)*text) != '\0'; text++) {
        size_t need = (c == '"' || c == '\\') ? 2 : (c < ' ' || c >= 0x7f || c == '=') ? 4 : 1;

        if (used + need + 2 > cap) /* room for the closing quote and the NUL */
            break;
        if (need == 2) {
            out[used++] = '\\';
            out[used++] = (char)c;
        } else if (need == 4) {
            out[used++] = '\\';
            out[used++] = 'x';
            out[used++] = hex[c >> 4];
            out[used++] = hex[c & 0xf];
        } else {
            out[used++] = (char)c;
        }
    }
    out[used++] = '"';
    out[used] = '\0';
    return out;
}

/*
 * Appends text to line (at *len, below cap) with every control byte shown as
 * \xNN: the last guard that keeps one event on one line.
 */
static void log_append_escaped(char *line, size_t cap, size_t *len, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c;

    for (; (c = (unsigned char)*text) != '\0' && *len < cap; text++) {
        if (c >= ' ' && c != 0x7f) {
            line[(*len)++] = (char)c;
            continue;
        }
        if (*len + 4 > cap)
            break;
        line[(*len)++] = '\\';
        line[(*len)++] = 'x';
        line[(*len)++] = hex[c >> 4];
        line[(*len)++] = hex[c & 0xf];
    }
}

void log_event(enum log_level level, const char *request_id, const char *fmt, ...)
{
    char line[LOG_MAX_LINE], text[LOG_MAX_LINE];
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
        n = vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (n > 0)
            log_append_escaped(line, sizeof(line), &len, text);
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

/*
 * config.c - parse the key=value file once; answer lookups env-first.
 *
 * The parsed file lives in a fixed table of entries: no allocation after load,
 * and lookups are a short linear scan, which beats hashing for ~30 keys.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "log.h"

struct config_entry {
    char key[CONFIG_MAX_KEY];
    char value[CONFIG_MAX_VALUE];
};

static struct config_entry config_entries[CONFIG_MAX_ENTRIES];
static int config_count;

/* Forgets the loaded file (environment overrides still apply). */
static void config_clear(void)
{
    config_count = 0;
}

static char *config_trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static bool config_key_valid(const char *key)
{
    if (*key == '\0' || strlen(key) >= CONFIG_MAX_KEY)
        return false;
    for (; *key != '\0'; key++)
        if (!(islower((unsigned char)*key) || isdigit((unsigned char)*key) || *key == '_'))
            return false;
    return true;
}

static int config_parse_line(char *line, const char *path, int lineno)
{
    char *eq, *key, *value;
    int i;

    line = config_trim(line);
    if (*line == '\0' || *line == '#')
        return SHOP_OK;
    eq = strchr(line, '=');
    if (eq == NULL) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid file=%s line=%d reason=\"expected key = value\"",
                  path, lineno);
        return SHOP_ERR_INVALID;
    }
    *eq = '\0';
    key = config_trim(line);
    value = config_trim(eq + 1);
    if (!config_key_valid(key) || strlen(value) >= CONFIG_MAX_VALUE) {
        log_event(LOG_LEVEL_ERROR, NULL,
                  "event=config_invalid file=%s line=%d reason=\"key must be [a-z0-9_], value under %d bytes\"",
                  path, lineno, CONFIG_MAX_VALUE);
        return SHOP_ERR_INVALID;
    }
    for (i = 0; i < config_count; i++)
        if (strcmp(config_entries[i].key, key) == 0)
            break;
    if (i == CONFIG_MAX_ENTRIES) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid file=%s line=%d reason=\"more than %d keys\"",
                  path, lineno, CONFIG_MAX_ENTRIES);
        return SHOP_ERR_INVALID;
    }
    /* A later line for the same key wins, as in most config formats. */
    snprintf(config_entries[i].key, sizeof(config_entries[i].key), "%s", key);
    snprintf(config_entries[i].value, sizeof(config_entries[i].value), "%s", value);
    if (i == config_count)
        config_count++;
    return SHOP_OK;
}

/* Parses file's lines into the table (later lines win); SHOP_ERR_NOT_FOUND when it does not exist. */
static int config_parse_file(const char *file)
{
    char line[CONFIG_MAX_KEY + CONFIG_MAX_VALUE + 16];
    int lineno = 0, rc = SHOP_OK;
    FILE *fp = fopen(file, "r");

    if (fp == NULL) {
        if (errno == ENOENT)
            return SHOP_ERR_NOT_FOUND;
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_unreadable file=%s error=\"%s\"", file, strerror(errno));
        return SHOP_ERR_INVALID;
    }
    while (rc == SHOP_OK && fgets(line, sizeof(line), fp) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(fp)) {
            log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid file=%s line=%d reason=\"line too long\"",
                      file, lineno);
            rc = SHOP_ERR_INVALID;
            break;
        }
        rc = config_parse_line(line, file, lineno);
    }
    fclose(fp);
    return rc;
}

int config_load(const char *path)
{
    const char *named = path != NULL ? path : getenv("SHOP_CONFIG");
    bool is_default = named == NULL || *named == '\0';
    const char *file = is_default ? CONFIG_DEFAULT_PATH : named;
    char secrets[CONFIG_MAX_VALUE];
    int rc;

    config_clear();
    rc = config_parse_file(file);
    if (rc == SHOP_ERR_NOT_FOUND) {
        if (is_default)
            return SHOP_OK;
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_unreadable file=%s error=\"%s\"", file, strerror(ENOENT));
        rc = SHOP_ERR_INVALID;
    }
    /* The secrets file it names, read after it: its values win. */
    snprintf(secrets, sizeof(secrets), "%s", rc == SHOP_OK ? config_get_string("secrets_file", "") : "");
    if (*secrets != '\0') {
        rc = config_parse_file(secrets);
        if (rc == SHOP_ERR_NOT_FOUND) {
            log_event(LOG_LEVEL_ERROR, NULL, "event=config_unreadable file=%s error=\"%s\"", secrets,
                      strerror(ENOENT));
            rc = SHOP_ERR_INVALID;
        }
    }
    if (rc != SHOP_OK)
        config_clear();
    return rc;
}

const char *config_get_string(const char *key, const char *fallback)
{
    char env_name[CONFIG_MAX_KEY + 8] = "SHOP_";
    const char *env;
    size_t i;
    int e;

    for (i = 0; key[i] != '\0' && i + 6 < sizeof(env_name); i++)
        env_name[5 + i] = (char)toupper((unsigned char)key[i]);
    env_name[5 + i] = '\0';
    env = getenv(env_name);
    if (env != NULL)
        return env;
    for (e = 0; e < config_count; e++)
        if (strcmp(config_entries[e].key, key) == 0)
            return config_entries[e].value;
    return fallback;
}

int config_get_int(const char *key, long long fallback, long long min, long long max, long long *out)
{
    const char *text = config_get_string(key, NULL);
    char *end, shown[LOG_MAX_VALUE];
    long long value;

    if (text == NULL || *text == '\0') {
        *out = fallback;
        return SHOP_OK;
    }
    errno = 0;
    value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=%s value=%s reason=\"expected a whole number from %lld to %lld\"",
                  key, log_value(text, shown, sizeof(shown)), min, max);
        return SHOP_ERR_INVALID;
    }
    *out = value;
    return SHOP_OK;
}

int config_get_bool(const char *key, bool fallback, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    const char *text = config_get_string(key, NULL);
    char shown[LOG_MAX_VALUE];
    size_t i;

    if (text == NULL || *text == '\0') {
        *out = fallback;
        return SHOP_OK;
    }
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return SHOP_OK;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return SHOP_OK;
        }
    }
    log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=%s value=%s reason=\"expected true or false\"",
              key, log_value(text, shown, sizeof(shown)));
    return SHOP_ERR_INVALID;
}

/*
 * settings.c - the shared settings as one table (see settings.h).
 */
#include "settings.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "validate.h"

#define SETTINGS_TEXT_MAX 1024
#define SETTINGS_HALF_LIFE_MAX_HOURS (24 * 365)
#define SETTINGS_SUPPORT_EMAIL "support@example.com" /* the example conffile's: set your own */

static int settings_check_currency(const char *value)
{
    return strlen(value) == 3 && isupper((unsigned char)value[0]) && isupper((unsigned char)value[1]) &&
                   isupper((unsigned char)value[2])
               ? SHOP_OK
               : SHOP_ERR_INVALID;
}

/* Shown to shoppers and written into e-mails: a plain address, so it can reach no header but as one. */
static int settings_check_email(const char *value)
{
    return validate_email(value) ? SHOP_OK : SHOP_ERR_INVALID;
}

#define TEXT(key, field, fallback, min, max, check) \
    {key, SETTING_TEXT, offsetof(struct settings, field), fallback, 0, min, max, check}
#define INT(key, field, fallback, min, max) {key, SETTING_INT, offsetof(struct settings, field), NULL, fallback, min, max, NULL}

static const struct setting settings_table[] = {
    TEXT("db_socket", db_socket, "", 0, 200, NULL),
    TEXT("db_host", db_host, "127.0.0.1", 1, 255, NULL),
    INT("db_port", db_port, 3306, 1, 65535),
    TEXT("db_user", db_user, "shop", 1, 80, NULL),
    TEXT("db_password", db_password, "", 0, 256, NULL),
    TEXT("db_name", db_name, "shop", 1, 64, NULL),
    TEXT("db_read_socket", db_read_socket, "", 0, 200, NULL),
    TEXT("db_read_host", db_read_host, "", 0, 255, NULL),
    INT("db_read_port", db_read_port, 3306, 1, 65535),
    TEXT("redis_socket", redis_socket, "", 0, 200, NULL),
    TEXT("redis_host", redis_host, "127.0.0.1", 1, 255, NULL),
    INT("redis_port", redis_port, 6379, 1, 65535),
    TEXT("redis_sentinels", redis_sentinels, "", 0, SENTINEL_LIST_TEXT_MAX, NULL),
    TEXT("redis_master_name", redis_master_name, "shop", 1, SENTINEL_MASTER_NAME_MAX, sentinel_master_name_check),
    TEXT("queue_name", queue_name, "shop:orders", 1, 176, NULL),
    TEXT("currency", currency, "USD", 3, 3, settings_check_currency),
    TEXT("public_origin", public_origin, "", 0, SETTINGS_TEXT_MAX, NULL),
    TEXT("support_email", support_email, SETTINGS_SUPPORT_EMAIL, 3, VALIDATE_EMAIL_MAX, settings_check_email),
    INT("recommend_half_life_hours", recommend_half_life_hours, 72, 1, SETTINGS_HALF_LIFE_MAX_HOURS),
    INT("popular_half_life_hours", popular_half_life_hours, 24, 1, SETTINGS_HALF_LIFE_MAX_HOURS),
};

/* Written once by settings_load() before any thread starts; read-only afterwards. */
static struct settings settings_current = {
    .db_socket = "", .db_host = "127.0.0.1", .db_port = 3306, .db_user = "shop", .db_password = "",
    .db_name = "shop", .db_read_socket = "", .db_read_host = "", .db_read_port = 3306, .redis_socket = "",
    .redis_host = "127.0.0.1", .redis_port = 6379, .redis_sentinels = "", .redis_master_name = "shop",
    .queue_name = "shop:orders", .currency = "USD", .public_origin = "", .support_email = SETTINGS_SUPPORT_EMAIL,
    .recommend_half_life_hours = 72, .popular_half_life_hours = 24,
};

static int settings_read_one(const struct setting *s, void *out)
{
    char *field = (char *)out + s->offset;

    if (s->kind == SETTING_INT)
        return config_get_int(s->key, s->int_default, s->min, s->max, (long long *)(void *)field);
    const char *value = config_get_string(s->key, s->text_default);
    size_t len = strlen(value);
    if ((long long)len < s->min || (long long)len > s->max || (s->check != NULL && s->check(value) != SHOP_OK)) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=%s reason=\"%lld to %lld characters%s\"", s->key,
                  s->min, s->max, s->check != NULL ? " of the expected form" : "");
        return SHOP_ERR_INVALID;
    }
    *(const char **)(void *)field = value;
    return SHOP_OK;
}

int settings_read_table(const struct setting *table, size_t count, void *out)
{
    bool bad = false;
    size_t i;

    for (i = 0; i < count; i++)
        bad = settings_read_one(&table[i], out) != SHOP_OK || bad; /* every bad key is reported */
    return bad ? SHOP_ERR_INVALID : SHOP_OK;
}

/* Parses redis_sentinels, naming the bad entry and why (the table checked its length). */
static int settings_parse_sentinels(struct settings *loaded)
{
    char reason[SENTINEL_REASON_MAX];

    if (sentinel_list_parse(loaded->redis_sentinels, &loaded->redis_sentinel_list, reason, sizeof(reason)) == SHOP_OK)
        return SHOP_OK;
    log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=redis_sentinels reason=\"%s\"", reason);
    return SHOP_ERR_INVALID;
}

int settings_load(void)
{
    struct settings loaded = settings_current;
    int rc = settings_read_table(settings_table, sizeof(settings_table) / sizeof(settings_table[0]), &loaded);

    if (rc == SHOP_OK)
        rc = settings_parse_sentinels(&loaded);
    if (rc == SHOP_OK)
        settings_current = loaded;
    return rc;
}

bool settings_db_read_configured(void)
{
    return settings_current.db_read_socket[0] != '\0' || settings_current.db_read_host[0] != '\0';
}

const struct settings *settings_get(void)
{
    return &settings_current;
}

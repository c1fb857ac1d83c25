/*
 * settings.h - the shared settings every program reads once at start.
 *
 * settings_load() reads each key of one table (settings.c) from the
 * configuration (lib/config: the file and SHOP_* overrides), checks its type
 * and range, and reports every bad key at once; a program that gets an error
 * stops before serving anything. Afterwards the settings are read-only, so
 * any thread reads them without a lock and no request ever parses a value.
 *
 * Keys that belong to one program alone are read the same way in that
 * program (worker/main.c). Text values point into the loaded configuration,
 * which is loaded once per process.
 */
#ifndef SHOP_SETTINGS_H
#define SHOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "sentinel.h"

struct settings {
    const char *db_socket, *db_host, *db_user, *db_password, *db_name;
    long long db_port;
    const char *db_read_socket, *db_read_host;  /* both empty: reads go to the primary */
    long long db_read_port;
    const char *redis_socket, *redis_host;
    long long redis_port;
    const char *redis_sentinels;          /* as written; parsed into redis_sentinel_list */
    struct sentinel_list redis_sentinel_list;   /* empty: no Sentinel, redis_socket or redis_host is used */
    const char *redis_master_name;        /* the name the Sentinels monitor the primary under */
    const char *queue_name;
    const char *currency;                 /* ISO 4217, three capital letters */
    const char *public_origin;            /* empty: the request's own host */
    const char *support_email;            /* where shoppers write about an order (pages, e-mails) */
    long long recommend_half_life_hours;
    long long popular_half_life_hours;
};

/* How a setting is read and checked. */
enum setting_kind {
    SETTING_TEXT,
    SETTING_INT,
};

/* One row of a settings table: a key, where its value goes, and its bounds. */
struct setting {
    const char *key;
    enum setting_kind kind;
    size_t offset;                /* of the value (const char * or long long) in the settings struct */
    const char *text_default;
    long long int_default, min, max;   /* SETTING_INT: range; SETTING_TEXT: length in bytes */
    int (*check)(const char *value);   /* NULL, or SHOP_OK for an acceptable text */
};

/*
 * Reads every row of table (count rows) into out, a struct whose fields the
 * rows' offsets name. Logs each bad key (event=config_invalid) and returns
 * SHOP_ERR_INVALID if any was bad.
 */
int settings_read_table(const struct setting *table, size_t count, void *out);

/* Loads the shared settings (after config_load); SHOP_ERR_INVALID when any is bad. */
int settings_load(void);

/* True when db_read_socket or db_read_host names a read server (a replica). */
bool settings_db_read_configured(void);

/* The shared settings; defaults until settings_load() ran. */
const struct settings *settings_get(void);

#endif

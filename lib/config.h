/*
 * config.h - the shop's configuration: one key=value file plus SHOP_* overrides.
 *
 * The file (default /etc/fcgi-shop/shop.conf, or the path in SHOP_CONFIG) holds
 * lines "key = value"; '#' starts a comment line. Every key can be overridden by
 * the environment variable SHOP_<KEY> in upper case (db_socket -> SHOP_DB_SOCKET),
 * which is how scripts and containers configure a process without a file.
 *
 * The configuration is loaded once at start, before any thread exists, and is
 * read-only afterwards: the getters are safe from any thread.
 */
#ifndef SHOP_CONFIG_H
#define SHOP_CONFIG_H

#include <stdbool.h>

#define CONFIG_DEFAULT_PATH "/etc/fcgi-shop/shop.conf"
#define CONFIG_MAX_KEY 64
#define CONFIG_MAX_VALUE 1024
#define CONFIG_MAX_ENTRIES 128

/*
 * Loads the file at path; with path NULL, the file named by SHOP_CONFIG or else
 * the default path. When it sets secrets_file (or SHOP_SECRETS_FILE is set),
 * that file is read next and its values win: the Debian package keeps the
 * secret and the database password there, outside the shipped conffile. A missing default file is not an error (the environment may
 * carry everything); a missing named file, a malformed line or too many keys is
 * SHOP_ERR_INVALID, with the reason and line number logged. Replaces any
 * configuration loaded before.
 */
int config_load(const char *path);

/* The value of key, from SHOP_<KEY>, else the file, else fallback. */
const char *config_get_string(const char *key, const char *fallback);

/*
 * The integer value of key in [min, max] into *out (fallback when unset).
 * A value that is not a whole number in range is SHOP_ERR_INVALID, logged with
 * the key and the accepted range.
 */
int config_get_int(const char *key, long long fallback, long long min, long long max,
                   long long *out);

/* A boolean (true/false, yes/no, on/off, 1/0) into *out; SHOP_ERR_INVALID otherwise. */
int config_get_bool(const char *key, bool fallback, bool *out);

#endif

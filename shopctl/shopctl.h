/*
 * shopctl.h - what the shopctl commands share.
 *
 * shopctl is the operator's tool: one command per job (setup, migrate, backup,
 * restore, orders, queue, dead-letters, carts), on the same configuration file as the responders and workers.
 * Every command returns an exit status: SHOPCTL_DONE, SHOPCTL_REFUSED (it did
 * not or could not do the job; the reason is on stderr) or SHOPCTL_USAGE.
 */
#ifndef SHOPCTL_H
#define SHOPCTL_H

#include <mysql.h>
#include <stdbool.h>

#include "lib/arena.h"
#include "lib/db.h"

enum shopctl_exit {
    SHOPCTL_DONE = 0,
    SHOPCTL_REFUSED = 1,
    SHOPCTL_USAGE = 2,
};

/* Where the migrations and the sample catalog are (SHOP_SQL_DIR, --sql-dir, or the installed folder). */
const char *shopctl_sql_dir(void);

/* The configuration file in use (--config, SHOP_CONFIG or the default path). */
const char *shopctl_config_path(void);

/* Prints "shopctl: " and the message to stderr; returns SHOPCTL_REFUSED. */
int shopctl_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The shop's database as the programs use it (lib/db: prepared statements
 * only), opened on first use and closed at exit; NULL when out of memory.
 */
struct db *shopctl_db(void);

/* Memory for the command's results, freed at exit. */
struct arena *shopctl_arena(void);

/* Prints that command does not take arg; returns SHOPCTL_USAGE. */
int shopctl_bad_argument(const char *command, const char *arg);

/*
 * A connection as the shop's database user (db_* settings), with several
 * statements per query allowed (for migration files); NULL after a refusal
 * printed on stderr.
 */
MYSQL *shopctl_connect_shop(void);

/* Applies the migrations not yet recorded (and the sample catalog once, when sample). */
int shopctl_migrate_apply(bool sample);

int shopctl_setup(int argc, char **argv);
int shopctl_migrate(int argc, char **argv);
int shopctl_backup(int argc, char **argv);
int shopctl_restore(int argc, char **argv);
int shopctl_products(int argc, char **argv);
int shopctl_stock(int argc, char **argv);
int shopctl_orders(int argc, char **argv);
int shopctl_queue(int argc, char **argv);
int shopctl_dead_letters(int argc, char **argv);
int shopctl_carts(int argc, char **argv);

#endif

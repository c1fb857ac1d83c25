/*
 * main.c - shopctl: the operator's commands for an fcgi-shop installation.
 *
 *   shopctl [--config FILE] [--sql-dir DIR] COMMAND [ARGS]
 *
 * setup and migrate live in setup.c, backup and restore in backup.c, the
 * catalog commands (products, stock) in products.c and catalog_csv.c, orders
 * in orders.c, queue and dead-letters in queue.c, carts in carts.c.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/db.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "shopctl/output.h"
#include "shopctl/shopctl.h"

#ifndef SHOP_SQL_DIR
#define SHOP_SQL_DIR "/usr/share/fcgi-shop/sql"
#endif

static const char *shopctl_config_file;
static const char *shopctl_sql_folder;
static struct db *shopctl_connection;
static struct arena shopctl_memory;

struct db *shopctl_db(void)
{
    if (shopctl_connection == NULL)
        shopctl_connection = db_open();
    return shopctl_connection;
}

struct arena *shopctl_arena(void)
{
    return &shopctl_memory;
}

const char *shopctl_config_path(void)
{
    return shopctl_config_file;
}

const char *shopctl_sql_dir(void)
{
    return shopctl_sql_folder;
}

int shopctl_refuse(const char *fmt, ...)
{
    va_list ap;

    fputs("shopctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return SHOPCTL_REFUSED;
}

int shopctl_bad_argument(const char *command, const char *arg)
{
    fprintf(stderr, "shopctl: %s does not take %s (see shopctl --help)\n", command, arg);
    return SHOPCTL_USAGE;
}

static void shopctl_usage(FILE *out)
{
    fprintf(out,
            "usage: shopctl [--config FILE] [--sql-dir DIR] COMMAND [ARGS]\n"
            "\n"
            "Commands:\n"
            "  setup [--sample] [--admin-socket PATH]\n"
            "                   create the database and its user (a random password is\n"
            "                   written into the configuration file), then migrate;\n"
            "                   run as root on the database host; rerunning is harmless\n"
            "  migrate [--sample]\n"
            "                   apply the schema migrations not applied yet\n"
            "                   (--sample: also the sample catalog, once)\n"
            "  backup FILE      a consistent dump of the database while the shop runs\n"
            "  restore FILE     load a dump (replacing the tables); orders still pending\n"
            "                   are queued again\n"
            "  products list [--category C] [--inactive]\n"
            "                   the catalog (--inactive: products not for sale too)\n"
            "  products show ID one product, every field\n"
            "  products add ID key=value...\n"
            "  products set ID key=value...\n"
            "                   a new product, or change some fields of one; keys: name,\n"
            "                   description, category, priceCents, stock, imageUrl, active\n"
            "  products import FILE.csv [--dry-run]\n"
            "                   add or change every product of the file, all or nothing\n"
            "  products export [FILE.csv]\n"
            "                   the whole catalog as CSV that import reads back\n"
            "  stock adjust ID +N|-N\n"
            "                   add to or take from a product's stock (never below 0)\n"
            "  orders list [--status S] [--email E] [--since DATE] [--limit N]\n"
            "                   orders, newest first (DATE: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ,\n"
            "                   UTC; N: 1-1000, default 50)\n"
            "  orders show ID|REFERENCE\n"
            "                   an order with its lines, payment and e-mails (REFERENCE: 7F3A-91C2)\n"
            "  orders cancel ID cancel a PENDING order no worker has taken; stock goes back\n"
            "  orders refund ID [--restock]\n"
            "                   refund a PROCESSED order once (REFUNDED); the shopper is\n"
            "                   e-mailed; --restock puts its goods back in stock\n"
            "  queue stats      the queue, processing lists, retries, dead letters, and\n"
            "                   the oldest pending order's age\n"
            "  dead-letters list [--limit N]\n"
            "                   the newest dead letters (orders that failed for good)\n"
            "  dead-letters replay [ID...]\n"
            "                   set those orders (all without ID) back to pending, queued\n"
            "  dead-letters discard [ID...]\n"
            "                   cancel those orders (all without ID); stock goes back\n"
            "  carts purge --older-than DAYS\n"
            "                   remove carts nobody changed for DAYS days\n"
            "\n"
            "  --config FILE    configuration file (default $SHOP_CONFIG or %s)\n"
            "  --sql-dir DIR    migrations and sample catalog (default $SHOP_SQL_DIR or %s)\n"
            "  --json           answers as JSON, for scripts\n"
            "\n"
            "Exit status: 0 done, 1 refused (the reason is on stderr), 2 usage.\n",
            CONFIG_DEFAULT_PATH, SHOP_SQL_DIR);
}

struct shopctl_command {
    const char *name;
    int (*run)(int argc, char **argv);
};

static const struct shopctl_command shopctl_commands[] = {
    {"setup", shopctl_setup},
    {"migrate", shopctl_migrate},
    {"backup", shopctl_backup},
    {"restore", shopctl_restore},
    {"products", shopctl_products},
    {"stock", shopctl_stock},
    {"orders", shopctl_orders},
    {"queue", shopctl_queue},
    {"dead-letters", shopctl_dead_letters},
    {"carts", shopctl_carts},
};

/* Takes --json out of argv wherever it is; returns the new argc. */
static int shopctl_take_json_flag(int argc, char **argv)
{
    int kept = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            shopctl_json = true;
        else
            argv[kept++] = argv[i];
    }
    argv[kept] = NULL;
    return kept;
}

int main(int argc, char **argv)
{
    int i = 1, status;

    argc = shopctl_take_json_flag(argc, argv);
    shopctl_config_file = getenv("SHOP_CONFIG");
    if (shopctl_config_file == NULL || *shopctl_config_file == '\0')
        shopctl_config_file = CONFIG_DEFAULT_PATH;
    shopctl_sql_folder = getenv("SHOP_SQL_DIR");
    if (shopctl_sql_folder == NULL || *shopctl_sql_folder == '\0')
        shopctl_sql_folder = SHOP_SQL_DIR;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            shopctl_usage(stdout);
            return SHOPCTL_DONE;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            shopctl_config_file = argv[++i];
        } else if (strcmp(argv[i], "--sql-dir") == 0 && i + 1 < argc) {
            shopctl_sql_folder = argv[++i];
        } else {
            shopctl_usage(stderr);
            return SHOPCTL_USAGE;
        }
    }
    if (i == argc) {
        shopctl_usage(stderr);
        return SHOPCTL_USAGE;
    }
    for (size_t c = 0; c < sizeof(shopctl_commands) / sizeof(shopctl_commands[0]); c++) {
        if (strcmp(argv[i], shopctl_commands[c].name) != 0)
            continue;
        /* Warnings and errors only: shopctl speaks to a person on stdout. */
        if (log_init("shopctl", "warn") != SHOP_OK || config_load(shopctl_config_file) != SHOP_OK ||
            settings_load() != SHOP_OK)
            return shopctl_refuse("the configuration in %s is not usable (see above)", shopctl_config_file);
        if (sodium_init() < 0 || db_library_init() != SHOP_OK)
            return shopctl_refuse("could not initialise libsodium or the MariaDB client library");
        arena_init(&shopctl_memory, 16384);
        status = shopctl_commands[c].run(argc - i - 1, argv + i + 1);
        db_close(shopctl_connection);
        arena_free(&shopctl_memory);
        db_library_end();
        return status;
    }
    fprintf(stderr, "shopctl: no command %s\n", argv[i]);
    shopctl_usage(stderr);
    return SHOPCTL_USAGE;
}

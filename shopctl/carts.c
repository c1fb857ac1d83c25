/*
 * carts.c - shopctl carts purge --older-than DAYS: removes the carts nobody
 * changed for DAYS days, with their lines, in bounded batches (one
 * transaction each, lib/cart_expiry), keeping those of shoppers with an order
 * in flight. The worker does the same on its own after cart_ttl_days.
 */
#include <stdio.h>
#include <string.h>

#include "lib/cart_expiry.h"
#include "lib/err.h"
#include "shopctl/args.h"
#include "shopctl/output.h"
#include "shopctl/shopctl.h"

#define CARTS_BATCH 500

struct carts_purge_options {
    long long days;
};

static const struct shopctl_option carts_purge_table[] = {
    {"--older-than", SHOPCTL_OPTION_INT, offsetof(struct carts_purge_options, days), 1, CART_EXPIRY_DAYS_MAX, NULL,
     "a number of days from 1 to 3650"},
};

static int carts_purge(int argc, char **argv)
{
    struct carts_purge_options o = {0};
    struct shopctl_positionals rest;
    struct cart_expiry_cursor cursor;
    struct cart_expiry_batch batch;
    long long removed = 0, kept = 0;
    int rc;

    if ((rc = shopctl_args_parse("carts purge", carts_purge_table, 1, argc, argv, &o, 0, &rest)) != SHOPCTL_DONE)
        return rc;
    if (o.days == 0) {
        fprintf(stderr, "shopctl: carts purge needs --older-than DAYS (see shopctl --help)\n");
        return SHOPCTL_USAGE;
    }
    memset(&cursor, 0, sizeof(cursor));
    do {
        rc = cart_expiry_run(shopctl_db(), shopctl_arena(), (int)o.days, CARTS_BATCH, &cursor, &batch);
        arena_reset(shopctl_arena());
        removed += batch.removed;
        kept += batch.kept;
    } while (rc == SHOP_OK && !batch.done);
    if (rc != SHOP_OK)
        return shopctl_refuse("carts purge: stopped after %lld cart(s) (%s); run it again", removed,
                              shop_err_code(rc));
    struct json_object *record = json_object_new_object();
    json_object_object_add(record, "removed", json_object_new_int64(removed));
    json_object_object_add(record, "kept", json_object_new_int64(kept));
    shopctl_print_record(record);
    json_object_put(record);
    return SHOPCTL_DONE;
}

int shopctl_carts(int argc, char **argv)
{
    if (argc > 0 && strcmp(argv[0], "purge") == 0)
        return carts_purge(argc - 1, argv + 1);
    return shopctl_bad_argument("carts", argc > 0 ? argv[0] : "no subcommand (purge)");
}

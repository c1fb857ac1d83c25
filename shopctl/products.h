/*
 * products.h - what the catalog commands share (products.c, catalog_csv.c).
 */
#ifndef SHOPCTL_PRODUCTS_H
#define SHOPCTL_PRODUCTS_H

#include <json-c/json.h>

#include "lib/db.h"
#include "lib/product.h"

/* Reads max_price_cents and storefront_dir into *rules; SHOPCTL_REFUSED (logged) when one is bad. */
int shopctl_product_rules(struct product_rules *rules);

/* Prints each problem as "shopctl: WHERE: field: reason" on stderr; returns SHOPCTL_REFUSED. */
int shopctl_product_problems(const char *where, const struct product_problems *problems,
                             const struct product_rules *rules);

/* Refuses what after the database answered rc (not SHOP_OK); returns SHOPCTL_REFUSED. */
int shopctl_db_refuse(const char *what, int rc);

/* A product_page() row as JSON: the fields by name, currency and updatedAt; NULL when out of memory. */
struct json_object *shopctl_product_json(const struct db_result *rows, int row);

/* The products subcommands in catalog_csv.c, run with the rules read. */
int shopctl_products_import(int argc, char **argv, const struct product_rules *rules);
int shopctl_products_export(int argc, char **argv, const struct product_rules *rules);

#endif

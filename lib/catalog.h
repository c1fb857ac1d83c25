/*
 * catalog.h - a product as the API shows it, for every responder that lists products.
 *
 * Queries select CATALOG_PRODUCT_COLUMNS first, in that order; catalog_product_json()
 * turns such a row into {"id","name","description","category","priceCents",
 * "currency","stock","imageUrl"}.
 */
#ifndef SHOP_CATALOG_H
#define SHOP_CATALOG_H

#include <json-c/json.h>

#include "db.h"

#define CATALOG_PRODUCT_COLUMNS "id, name, description, category, price_cents, currency, stock, image_url"
#define CATALOG_PRODUCT_COLUMN_COUNT 8

/* A new JSON object for row of rows (owned by the caller), or NULL when out of memory. */
struct json_object *catalog_product_json(const struct db_result *rows, int row);

#endif

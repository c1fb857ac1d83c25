/*
 * catalog.c - product rows as API JSON (see catalog.h).
 */
#include "catalog.h"

struct json_object *catalog_product_json(const struct db_result *rows, int row)
{
    struct json_object *product = json_object_new_object();

    if (product == NULL)
        return NULL;
    json_object_object_add(product, "id", json_object_new_string(db_result_text(rows, row, 0)));
    json_object_object_add(product, "name", json_object_new_string(db_result_text(rows, row, 1)));
    json_object_object_add(product, "description", json_object_new_string(db_result_text(rows, row, 2)));
    json_object_object_add(product, "category", json_object_new_string(db_result_text(rows, row, 3)));
    json_object_object_add(product, "priceCents", json_object_new_int64(db_result_int(rows, row, 4)));
    json_object_object_add(product, "currency", json_object_new_string(db_result_text(rows, row, 5)));
    json_object_object_add(product, "stock", json_object_new_int64(db_result_int(rows, row, 6)));
    json_object_object_add(product, "imageUrl", json_object_new_string(db_result_text(rows, row, 7)));
    return product;
}

/*
 * product.h - a catalog product as the operator writes it: its fields, their
 * rules, and the statements that change products.
 *
 * Every way a product is written (shopctl products add, set and import) goes
 * through product_parse(), one table of fields with a parser each, so a rule
 * holds the same everywhere and every bad field of a product is reported at
 * once. Text limits are the columns' (sql/migrations/001_products.sql).
 *
 * A product is always priced in the shop's currency (setting currency): a
 * write that sets a price also sets the currency, and a product priced in
 * another one is not for sale (see money_is_shop_currency) until an operator
 * gives it a price in the shop's.
 */
#ifndef SHOP_PRODUCT_H
#define SHOP_PRODUCT_H

#include <stdbool.h>

#include "arena.h"
#include "db.h"

#define PRODUCT_ID_MAX 32                  /* bytes of [A-Za-z0-9_-]: products.id */
#define PRODUCT_NAME_MAX 200               /* characters: products.name */
#define PRODUCT_DESCRIPTION_MAX 65535      /* bytes: a TEXT column */
#define PRODUCT_CATEGORY_MAX 64            /* characters: products.category */
#define PRODUCT_IMAGE_URL_MAX 255          /* characters: products.image_url */
#define PRODUCT_STOCK_MAX 1000000          /* far above any shelf, far below the column's limit */
#define PRODUCT_MAX_PRICE_CENTS_DEFAULT 10000000
#define PRODUCT_PRICE_CENTS_LIMIT 4294967295LL /* products.price_cents is INT UNSIGNED */
#define PRODUCT_PAGE 1000                  /* rows per product_page() */

/* The fields, in the order of the CSV header and of product_page()'s columns. */
enum product_field {
    PRODUCT_ID,
    PRODUCT_NAME,
    PRODUCT_DESCRIPTION,
    PRODUCT_CATEGORY,
    PRODUCT_PRICE_CENTS,
    PRODUCT_STOCK,
    PRODUCT_IMAGE_URL,
    PRODUCT_ACTIVE,
    PRODUCT_FIELD_COUNT
};

struct product {
    const char *id, *name, *description, *category, *image_url;
    long long price_cents, stock;
    bool active;
};

/* What the rules depend on: settings max_price_cents and storefront_dir. */
struct product_rules {
    long long max_price_cents;
    const char *storefront_dir;   /* the storefront's files; a local imageUrl must name one */
};

struct product_problem {
    enum product_field field;
    const char *reason;           /* a static sentence */
};

struct product_problems {
    int count;
    struct product_problem list[PRODUCT_FIELD_COUNT];
};

/* The field's name as in the CSV header, key=value and JSON ("priceCents"). */
const char *product_field_name(enum product_field field);

/* The field called name, or -1. */
int product_field_find(const char *name);

/*
 * True for 1 to PRODUCT_ID_MAX of A-Z a-z 0-9 _ -: the only ids a product can
 * have, so anything else is an unknown product without asking the database
 * (whose ASCII id column cannot even compare it with non-ASCII text).
 */
bool product_id_valid(const char *id);

/* A product with the defaults of a new one: empty description and image, no stock, active. */
void product_init(struct product *product);

/*
 * The one validation: checks text[f] of every field f given (not NULL) and
 * stores its value in *product (strings point into text). SHOP_OK when all
 * are good; otherwise SHOP_ERR_INVALID with every bad field in *problems.
 *
 *   id           1-32 of A-Z a-z 0-9 _ -
 *   name         1-200 characters, category 1-64: UTF-8, something visible, no control character
 *   description  0-65535 bytes of UTF-8; line ends and tabs are its only control characters
 *   priceCents   whole cents, 1 to rules->max_price_cents
 *   stock        0 to PRODUCT_STOCK_MAX
 *   imageUrl     empty; or /img/NAME.EXT, a plain path (no "..", no hidden part) to an image
 *                file that exists under rules->storefront_dir; or an https:// URL, at most 255
 *   active       0, 1, true or false
 */
int product_parse(const char *const text[PRODUCT_FIELD_COUNT], const struct product_rules *rules,
                  struct product *product, struct product_problems *problems);

/* Adds a problem for each field a new product needs (id, name, category, priceCents) that text lacks. */
void product_require(const char *const text[PRODUCT_FIELD_COUNT], struct product_problems *problems);

/* Inserts a new product at the shop's currency; SHOP_ERR_CONFLICT when the id exists. */
int product_insert(struct db *db, struct arena *arena, const struct product *product);

/*
 * Sets the fields given in text (parsed into product) of product->id, in a
 * transaction of its own. SHOP_ERR_NOT_FOUND: no such product;
 * SHOP_ERR_CONFLICT: it is priced in another currency and no priceCents
 * was given (a price is never reinterpreted in another currency).
 */
int product_update(struct db *db, struct arena *arena, const char *const text[PRODUCT_FIELD_COUNT],
                   const struct product *product);

enum product_upsert_outcome {
    PRODUCT_UNCHANGED,
    PRODUCT_ADDED,
    PRODUCT_CHANGED,
};

/* Inserts the product or sets every field of the one with its id (in the caller's transaction). */
int product_upsert(struct db *db, struct arena *arena, const struct product *product,
                   enum product_upsert_outcome *outcome);

/*
 * Adds delta to the product's stock, in a transaction of its own, unless the
 * result would leave [0, PRODUCT_STOCK_MAX]: then SHOP_ERR_UNPROCESSABLE and
 * nothing changes. *stock is the stock afterwards (or as it stays).
 * SHOP_ERR_NOT_FOUND: no such product.
 */
int product_adjust_stock(struct db *db, struct arena *arena, const char *id, long long delta, long long *stock);

/*
 * Up to PRODUCT_PAGE products with ids after after_id ("" for the first page),
 * in id order, in category (or any when ""), inactive ones too when
 * with_inactive. Columns: the product fields in enum order, then currency,
 * then updated_at (RFC 3339).
 */
int product_page(struct db *db, struct arena *arena, const char *after_id, const char *category, bool with_inactive,
                 struct db_result *rows);

#define PRODUCT_COLUMN_CURRENCY PRODUCT_FIELD_COUNT
#define PRODUCT_COLUMN_UPDATED_AT (PRODUCT_FIELD_COUNT + 1)

/* The product with this id as product_page's one row; rows->rows is 0 when there is none. */
int product_get(struct db *db, struct arena *arena, const char *id, struct db_result *rows);

#endif

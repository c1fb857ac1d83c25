/*
 * products.c - shopctl products list|show|add|set and shopctl stock adjust.
 *
 * The catalog as an operator changes it while the shop sells: every write is
 * checked by lib/product (the same rules as products import), applied in one
 * statement or transaction, and visible in the storefront within a second (the
 * responders read the table; nginx keeps a catalog answer at most until the
 * end of the second). import and export live in catalog_csv.c.
 *
 * The settings only these commands need, max_price_cents and storefront_dir,
 * are read here, from a table like lib/settings's, before any command runs.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/money.h"
#include "lib/settings.h"
#include "shopctl/output.h"
#include "shopctl/products.h"
#include "shopctl/shopctl.h"

#define PRODUCTS_SETTING_PATH_MAX 1024

static const struct setting products_settings[] = {
    {"max_price_cents", SETTING_INT, offsetof(struct product_rules, max_price_cents), NULL,
     PRODUCT_MAX_PRICE_CENTS_DEFAULT, 1, PRODUCT_PRICE_CENTS_LIMIT, NULL},
    {"storefront_dir", SETTING_TEXT, offsetof(struct product_rules, storefront_dir), "/usr/share/fcgi-shop/public",
     0, 1, PRODUCTS_SETTING_PATH_MAX, NULL},
};

int shopctl_product_rules(struct product_rules *rules)
{
    if (settings_read_table(products_settings, sizeof(products_settings) / sizeof(products_settings[0]), rules) !=
        SHOP_OK)
        return shopctl_refuse("the configuration in %s is not usable (see above)", shopctl_config_path());
    return SHOPCTL_DONE;
}

int shopctl_product_problems(const char *where, const struct product_problems *problems,
                             const struct product_rules *rules)
{
    for (int i = 0; i < problems->count; i++) {
        enum product_field field = problems->list[i].field;

        fprintf(stderr, "shopctl: %s: %s: %s", where, product_field_name(field), problems->list[i].reason);
        if (field == PRODUCT_PRICE_CENTS)
            fprintf(stderr, " (%lld)", rules->max_price_cents);
        fputc('\n', stderr);
    }
    return SHOPCTL_REFUSED;
}

int shopctl_db_refuse(const char *what, int rc)
{
    if (rc == SHOP_ERR_UNAVAILABLE)
        return shopctl_refuse("%s: the database is not reachable", what);
    return shopctl_refuse("%s: the database refused it (%s)", what, shop_err_code(rc));
}

struct json_object *shopctl_product_json(const struct db_result *rows, int row)
{
    struct json_object *product = json_object_new_object();

    if (product == NULL)
        return NULL;
    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++) {
        const char *cell = db_result_text(rows, row, f);
        struct json_object *value;

        if (f == PRODUCT_PRICE_CENTS || f == PRODUCT_STOCK)
            value = json_object_new_int64(db_result_int(rows, row, f));
        else if (f == PRODUCT_ACTIVE)
            value = json_object_new_boolean(db_result_int(rows, row, f) != 0);
        else
            value = json_object_new_string(cell != NULL ? cell : "");
        json_object_object_add(product, product_field_name((enum product_field)f), value);
    }
    json_object_object_add(product, "currency",
                           json_object_new_string(db_result_text(rows, row, PRODUCT_COLUMN_CURRENCY)));
    json_object_object_add(product, "updatedAt",
                           json_object_new_string(db_result_text(rows, row, PRODUCT_COLUMN_UPDATED_AT)));
    return product;
}

/* Prints the product as it is stored now: a record, or JSON. */
static int products_print(const char *what, const char *id)
{
    struct db_result rows;
    struct json_object *product;
    int rc = product_get(shopctl_db(), shopctl_arena(), id, &rows);

    if (rc != SHOP_OK)
        return shopctl_db_refuse(what, rc);
    if (rows.rows == 0)
        return shopctl_refuse("%s: no product %s", what, id);
    if ((product = shopctl_product_json(&rows, 0)) == NULL)
        return shopctl_refuse("out of memory");
    shopctl_print_record(product);
    json_object_put(product);
    return SHOPCTL_DONE;
}

static int products_list(int argc, char **argv, const struct product_rules *rules)
{
    static const char *const columns[] = {"id", "name", "category", "priceCents", "currency", "stock", "active",
                                          NULL};
    const char *category = "", *after = "";
    bool with_inactive = false;
    struct json_object *list;
    struct db_result rows;
    int rc = SHOP_OK;

    (void)rules;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--category") == 0 && i + 1 < argc && strlen(argv[i + 1]) <= PRODUCT_CATEGORY_MAX * 4)
            category = argv[++i];
        else if (strcmp(argv[i], "--inactive") == 0)
            with_inactive = true;
        else
            return shopctl_bad_argument("products list", argv[i]);
    }
    if ((list = json_object_new_array()) == NULL)
        return shopctl_refuse("out of memory");
    do { /* page by id until a short page */
        if ((rc = product_page(shopctl_db(), shopctl_arena(), after, category, with_inactive, &rows)) != SHOP_OK)
            break;
        for (int r = 0; r < rows.rows; r++)
            json_object_array_add(list, shopctl_product_json(&rows, r));
        if (rows.rows > 0)
            after = db_result_text(&rows, rows.rows - 1, PRODUCT_ID);
    } while (rows.rows == PRODUCT_PAGE);
    if (rc == SHOP_OK)
        shopctl_print_rows(list, columns);
    json_object_put(list);
    return rc == SHOP_OK ? SHOPCTL_DONE : shopctl_db_refuse("products list", rc);
}

static int products_show(int argc, char **argv, const struct product_rules *rules)
{
    (void)rules;
    if (argc != 1)
        return shopctl_bad_argument("products show", argc == 0 ? "no ID" : argv[1]);
    return products_print("products show", argv[0]);
}

/*
 * Reads ID and key=value arguments into text (one per field, NULL when not
 * given); SHOPCTL_USAGE for an unknown, repeated or malformed one.
 */
static int products_read_fields(const char *command, int argc, char **argv, const char *text[PRODUCT_FIELD_COUNT])
{
    if (argc < 1)
        return shopctl_bad_argument(command, "no ID");
    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++)
        text[f] = NULL;
    text[PRODUCT_ID] = argv[0];
    for (int i = 1; i < argc; i++) {
        char *equals = strchr(argv[i], '=');
        int field;

        if (equals == NULL)
            return shopctl_bad_argument(command, argv[i]);
        *equals = '\0';
        field = product_field_find(argv[i]);
        *equals = '=';
        if (field <= PRODUCT_ID || text[field] != NULL)
            return shopctl_bad_argument(command, argv[i]);
        text[field] = equals + 1;
    }
    return SHOPCTL_DONE;
}

static int products_add(int argc, char **argv, const struct product_rules *rules)
{
    const char *text[PRODUCT_FIELD_COUNT];
    struct product_problems problems;
    struct product product;
    int rc;

    if ((rc = products_read_fields("products add", argc, argv, text)) != SHOPCTL_DONE)
        return rc;
    product_init(&product);
    product_parse(text, rules, &product, &problems);
    product_require(text, &problems);
    if (problems.count > 0)
        return shopctl_product_problems("products add", &problems, rules);
    rc = product_insert(shopctl_db(), shopctl_arena(), &product);
    if (rc == SHOP_ERR_CONFLICT)
        return shopctl_refuse("products add: %s exists already (products set changes it)", product.id);
    if (rc != SHOP_OK)
        return shopctl_db_refuse("products add", rc);
    return products_print("products add", product.id);
}

static int products_set(int argc, char **argv, const struct product_rules *rules)
{
    const char *text[PRODUCT_FIELD_COUNT];
    struct product_problems problems;
    struct product product;
    int rc;

    if ((rc = products_read_fields("products set", argc, argv, text)) != SHOPCTL_DONE)
        return rc;
    if (argc < 2)
        return shopctl_bad_argument("products set", "no key=value");
    product_init(&product);
    if (product_parse(text, rules, &product, &problems) != SHOP_OK)
        return shopctl_product_problems("products set", &problems, rules);
    rc = product_update(shopctl_db(), shopctl_arena(), text, &product);
    if (rc == SHOP_ERR_NOT_FOUND)
        return shopctl_refuse("products set: no product %s", product.id);
    if (rc == SHOP_ERR_CONFLICT)
        return shopctl_refuse("products set: %s is priced in another currency than the shop's %s;"
                              " give it a price in %s (priceCents=N) with this change",
                              product.id, money_currency(), money_currency());
    if (rc != SHOP_OK)
        return shopctl_db_refuse("products set", rc);
    return products_print("products set", product.id);
}

struct products_subcommand {
    const char *name;
    int (*run)(int argc, char **argv, const struct product_rules *rules);
};

static const struct products_subcommand products_subcommands[] = {
    {"list", products_list},     {"show", products_show},     {"add", products_add},
    {"set", products_set},       {"import", shopctl_products_import}, {"export", shopctl_products_export},
};

int shopctl_products(int argc, char **argv)
{
    struct product_rules rules;
    int rc;

    if (argc < 1)
        return shopctl_bad_argument("products", "no subcommand");
    for (size_t i = 0; i < sizeof(products_subcommands) / sizeof(products_subcommands[0]); i++) {
        if (strcmp(argv[0], products_subcommands[i].name) != 0)
            continue;
        if ((rc = shopctl_product_rules(&rules)) != SHOPCTL_DONE)
            return rc;
        return products_subcommands[i].run(argc - 1, argv + 1, &rules);
    }
    return shopctl_bad_argument("products", argv[0]);
}

/* "+N" or "-N", N from 1 to PRODUCT_STOCK_MAX; false otherwise. */
static bool stock_read_delta(const char *text, long long *delta)
{
    size_t digits = strspn(text + 1, "0123456789");
    long long n = 0;

    if ((text[0] != '+' && text[0] != '-') || digits == 0 || digits > 7 || text[1 + digits] != '\0')
        return false;
    for (size_t i = 1; i <= digits; i++)
        n = n * 10 + (text[i] - '0');
    *delta = text[0] == '-' ? -n : n;
    return n >= 1 && n <= PRODUCT_STOCK_MAX;
}

int shopctl_stock(int argc, char **argv)
{
    struct product_rules rules;
    struct json_object *record;
    long long delta, stock = 0;
    int rc;

    if (argc < 1 || strcmp(argv[0], "adjust") != 0)
        return shopctl_bad_argument("stock", argc < 1 ? "no subcommand" : argv[0]);
    if ((rc = shopctl_product_rules(&rules)) != SHOPCTL_DONE) /* a bad setting stops every catalog command */
        return rc;
    if (argc != 3 || !stock_read_delta(argv[2], &delta))
        return shopctl_bad_argument("stock adjust", argc < 3 ? "fewer than ID +N|-N" : argc > 3 ? argv[3] : argv[2]);
    rc = product_adjust_stock(shopctl_db(), shopctl_arena(), argv[1], delta, &stock);
    if (rc == SHOP_ERR_NOT_FOUND)
        return shopctl_refuse("stock adjust: no product %s", argv[1]);
    if (rc == SHOP_ERR_UNPROCESSABLE)
        return delta < 0 ? shopctl_refuse("stock adjust: %s has %lld in stock; %lld would take it below 0", argv[1],
                                          stock, delta)
                         : shopctl_refuse("stock adjust: %s has %lld in stock; +%lld would take it above %d", argv[1],
                                          stock, delta, PRODUCT_STOCK_MAX);
    if (rc != SHOP_OK)
        return shopctl_db_refuse("stock adjust", rc);
    if ((record = json_object_new_object()) == NULL)
        return shopctl_refuse("out of memory");
    json_object_object_add(record, "id", json_object_new_string(argv[1]));
    json_object_object_add(record, "stock", json_object_new_int64(stock));
    shopctl_print_record(record);
    json_object_put(record);
    return SHOPCTL_DONE;
}

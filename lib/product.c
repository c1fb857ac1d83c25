/*
 * product.c - product fields, their rules as a table, and product writes (see product.h).
 */
#include "product.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "err.h"
#include "money.h"
#include "validate.h"

#define PRODUCT_NUMBER_DIGITS 18   /* more digits could overflow a long long */
#define PRODUCT_PATH_MAX 4096

static const char SQL_INSERT[] =
    "INSERT INTO products (id, name, description, category, price_cents, currency, stock, image_url, active)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_UPSERT[] =
    "INSERT INTO products (id, name, description, category, price_cents, currency, stock, image_url, active)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE name = VALUES(name), description = VALUES(description),"
    " category = VALUES(category), price_cents = VALUES(price_cents), currency = VALUES(currency),"
    " stock = VALUES(stock), image_url = VALUES(image_url), active = VALUES(active)";
static const char SQL_LOCK[] = "SELECT currency, stock FROM products WHERE id = ? FOR UPDATE";
/* A field bound as NULL keeps its value; a new price brings the shop's currency with it. */
static const char SQL_UPDATE[] =
    "UPDATE products SET name = COALESCE(?, name), description = COALESCE(?, description),"
    " category = COALESCE(?, category), price_cents = COALESCE(?, price_cents),"
    " currency = IF(? IS NULL, currency, ?), stock = COALESCE(?, stock), image_url = COALESCE(?, image_url),"
    " active = COALESCE(?, active) WHERE id = ?";
static const char SQL_SET_STOCK[] = "UPDATE products SET stock = ? WHERE id = ?";
#define PRODUCT_SELECT                                                                                        \
    "SELECT id, name, description, category, price_cents, stock, image_url, active, currency,"              \
    " DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') FROM products"
static const char SQL_PAGE[] = PRODUCT_SELECT " WHERE id > ? AND (? = '' OR category = ?) AND (? OR active = 1)"
                                              " ORDER BY id LIMIT " "1000";
static const char SQL_GET[] = PRODUCT_SELECT " WHERE id = ?";

_Static_assert(PRODUCT_PAGE == 1000, "SQL_PAGE's LIMIT is PRODUCT_PAGE");

/* A field's parser: checks text, stores the value in *product; NULL or why the text is not acceptable. */
typedef const char *(*product_parser)(const char *text, const struct product_rules *rules, struct product *product);

struct product_field_rule {
    const char *name;
    product_parser parse;
};

bool product_id_valid(const char *id)
{
    size_t len = strlen(id);

    return len >= 1 && len <= PRODUCT_ID_MAX &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static const char *product_parse_id(const char *text, const struct product_rules *rules, struct product *product)
{
    (void)rules;
    if (!product_id_valid(text))
        return "1 to 32 of letters, digits, _ and -";
    product->id = text;
    return NULL;
}

static const char *product_parse_name(const char *text, const struct product_rules *rules, struct product *product)
{
    (void)rules;
    if (!validate_text(text, PRODUCT_NAME_MAX))
        return "1 to 200 characters of UTF-8 text without control characters";
    product->name = text;
    return NULL;
}

static const char *product_parse_category(const char *text, const struct product_rules *rules,
                                          struct product *product)
{
    (void)rules;
    if (!validate_text(text, PRODUCT_CATEGORY_MAX))
        return "1 to 64 characters of UTF-8 text without control characters";
    product->category = text;
    return NULL;
}

static const char *product_parse_description(const char *text, const struct product_rules *rules,
                                             struct product *product)
{
    (void)rules;
    if (strlen(text) > PRODUCT_DESCRIPTION_MAX || !validate_utf8(text))
        return "at most 65535 bytes of UTF-8 text";
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if ((*c < 0x20 && *c != '\n' && *c != '\r' && *c != '\t') || *c == 0x7f)
            return "no control characters but line ends and tabs";
    product->description = text;
    return NULL;
}

/* A whole number in [min, max] written as decimal digits only; false otherwise. */
static bool product_number(const char *text, long long min, long long max, long long *out)
{
    size_t len = strlen(text);
    long long value = 0;

    if (len == 0 || len > PRODUCT_NUMBER_DIGITS || strspn(text, "0123456789") != len)
        return false;
    for (size_t i = 0; i < len; i++)
        value = value * 10 + (text[i] - '0');
    *out = value;
    return value >= min && value <= max;
}

static const char *product_parse_price(const char *text, const struct product_rules *rules, struct product *product)
{
    long long max = rules->max_price_cents;

    if (max > PRODUCT_PRICE_CENTS_LIMIT)
        max = PRODUCT_PRICE_CENTS_LIMIT;
    if (!product_number(text, 1, max, &product->price_cents))
        return "whole cents from 1 to the setting max_price_cents";
    return NULL;
}

static const char *product_parse_stock(const char *text, const struct product_rules *rules, struct product *product)
{
    (void)rules;
    if (!product_number(text, 0, PRODUCT_STOCK_MAX, &product->stock))
        return "a whole number from 0 to 1000000";
    return NULL;
}

static const char *product_parse_active(const char *text, const struct product_rules *rules, struct product *product)
{
    (void)rules;
    if (strcmp(text, "1") == 0 || strcasecmp(text, "true") == 0)
        product->active = true;
    else if (strcmp(text, "0") == 0 || strcasecmp(text, "false") == 0)
        product->active = false;
    else
        return "0, 1, true or false";
    return NULL;
}

/* A path's last part ends in an image type a browser shows. */
static bool product_image_type(const char *path)
{
    static const char *const types[] = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"};
    const char *dot = strrchr(path, '.');

    for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(dot, types[i]) == 0)
            return true;
    return false;
}

/* /img/a/b.png: parts of letters, digits, '.', '_', '-', none empty or starting with '.' ("..", hidden files). */
static const char *product_local_image(const char *text, const struct product_rules *rules)
{
    static const char part_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
    char path[PRODUCT_PATH_MAX];
    struct stat st;

    if (strncmp(text, "/img/", 5) != 0)
        return "a path under /img/ or an https:// URL";
    for (const char *part = text + 1; *part != '\0';) {
        size_t len = strspn(part, part_chars);

        if (len == 0 || part[0] == '.' || (part[len] != '/' && part[len] != '\0'))
            return "a plain path: letters, digits, '.', '_', '-' and '/', no empty, hidden or '..' part";
        part += len + (part[len] == '/');
        if (part[-1] == '/' && *part == '\0')
            return "a path to a file, not a folder";
    }
    if (!product_image_type(text))
        return "an image: .svg, .png, .jpg, .jpeg, .webp, .gif or .avif";
    if ((size_t)snprintf(path, sizeof(path), "%s%s", rules->storefront_dir, text) >= sizeof(path) ||
        stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return "a file that exists in the storefront (storefront_dir)";
    return NULL;
}

/* A DNS name of letter-digit-hyphen labels, then an optional :port; *end after it. */
static bool product_url_host(const char *host, const char **end)
{
    size_t label = 0, i = 0;

    for (; isalnum((unsigned char)host[i]) || host[i] == '-' || host[i] == '.'; i++) {
        if (host[i] == '.') {
            if (label == 0 || host[i - 1] == '-')
                return false;
            label = 0;
        } else if ((host[i] == '-' && label == 0) || ++label > 63 || (unsigned char)host[i] >= 0x80) {
            return false;
        }
    }
    if (i == 0 || label == 0 || host[i - 1] == '-')
        return false;
    if (host[i] == ':') {
        size_t digits = strspn(host + i + 1, "0123456789");
        long long port = 0;

        for (size_t d = 0; d < digits && d < 6; d++)
            port = port * 10 + (host[i + 1 + d] - '0');
        if (digits == 0 || digits > 5 || port < 1 || port > 65535)
            return false;
        i += 1 + digits;
    }
    *end = host + i;
    return true;
}

/* https://host[:port][/path][?query][#fragment]: RFC 3986 characters, %XX escapes, no user info. */
static const char *product_remote_image(const char *text)
{
    static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                    "-._~!$&'()*+,;=:@/?#";
    const char *rest;

    if (strlen(text) > PRODUCT_IMAGE_URL_MAX)
        return "at most 255 characters";
    if (!product_url_host(text + 8, &rest) || (*rest != '\0' && *rest != '/' && *rest != '?' && *rest != '#'))
        return "an https:// URL with a host name (letters, digits, '-' and '.') and no user name";
    for (; *rest != '\0'; rest++) {
        if (*rest == '%' && isxdigit((unsigned char)rest[1]) && isxdigit((unsigned char)rest[2]))
            rest += 2;
        else if (strchr(url_chars, *rest) == NULL)
            return "an https:// URL of RFC 3986 characters (others %-escaped)";
    }
    return NULL;
}

static const char *product_parse_image(const char *text, const struct product_rules *rules, struct product *product)
{
    const char *reason = NULL;

    if (strncmp(text, "https://", 8) == 0)
        reason = product_remote_image(text);
    else if (*text != '\0')
        reason = product_local_image(text, rules);
    if (reason == NULL)
        product->image_url = text;
    return reason;
}

static const struct product_field_rule product_fields[PRODUCT_FIELD_COUNT] = {
    [PRODUCT_ID] = {"id", product_parse_id},
    [PRODUCT_NAME] = {"name", product_parse_name},
    [PRODUCT_DESCRIPTION] = {"description", product_parse_description},
    [PRODUCT_CATEGORY] = {"category", product_parse_category},
    [PRODUCT_PRICE_CENTS] = {"priceCents", product_parse_price},
    [PRODUCT_STOCK] = {"stock", product_parse_stock},
    [PRODUCT_IMAGE_URL] = {"imageUrl", product_parse_image},
    [PRODUCT_ACTIVE] = {"active", product_parse_active},
};

const char *product_field_name(enum product_field field)
{
    return product_fields[field].name;
}

int product_field_find(const char *name)
{
    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++)
        if (strcmp(product_fields[f].name, name) == 0)
            return f;
    return -1;
}

void product_init(struct product *product)
{
    *product = (struct product){.id = "", .name = "", .description = "", .category = "", .image_url = "",
                                .price_cents = 0, .stock = 0, .active = true};
}

static void product_problem(struct product_problems *problems, enum product_field field, const char *reason)
{
    if (problems->count < PRODUCT_FIELD_COUNT)
        problems->list[problems->count++] = (struct product_problem){field, reason};
}

int product_parse(const char *const text[PRODUCT_FIELD_COUNT], const struct product_rules *rules,
                  struct product *product, struct product_problems *problems)
{
    problems->count = 0;
    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++) {
        const char *reason;

        if (text[f] != NULL && (reason = product_fields[f].parse(text[f], rules, product)) != NULL)
            product_problem(problems, (enum product_field)f, reason);
    }
    return problems->count == 0 ? SHOP_OK : SHOP_ERR_INVALID;
}

void product_require(const char *const text[PRODUCT_FIELD_COUNT], struct product_problems *problems)
{
    static const enum product_field required[] = {PRODUCT_ID, PRODUCT_NAME, PRODUCT_CATEGORY, PRODUCT_PRICE_CENTS};

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (text[required[i]] == NULL)
            product_problem(problems, required[i], "required for a new product");
}

/* The nine values of SQL_INSERT and SQL_UPSERT. */
static void product_values(const struct product *p, struct db_param values[9])
{
    values[0] = DB_PARAM_TEXT(p->id);
    values[1] = DB_PARAM_TEXT(p->name);
    values[2] = DB_PARAM_TEXT(p->description);
    values[3] = DB_PARAM_TEXT(p->category);
    values[4] = DB_PARAM_INT(p->price_cents);
    values[5] = DB_PARAM_TEXT(money_currency());
    values[6] = DB_PARAM_INT(p->stock);
    values[7] = DB_PARAM_TEXT(p->image_url);
    values[8] = DB_PARAM_INT(p->active ? 1 : 0);
}

int product_insert(struct db *db, struct arena *arena, const struct product *product)
{
    struct db_param values[9];

    product_values(product, values);
    return db_exec(db, arena, SQL_INSERT, values, 9, NULL);
}

int product_upsert(struct db *db, struct arena *arena, const struct product *product,
                   enum product_upsert_outcome *outcome)
{
    struct db_param values[9];
    struct db_result result;
    int rc;

    product_values(product, values);
    if ((rc = db_exec(db, arena, SQL_UPSERT, values, 9, &result)) != SHOP_OK)
        return rc;
    /* MariaDB counts 1 for an insert, 2 for an update that changed the row, 0 for one that did not */
    *outcome = result.affected_rows == 1 ? PRODUCT_ADDED : result.affected_rows == 2 ? PRODUCT_CHANGED
                                                                                     : PRODUCT_UNCHANGED;
    return SHOP_OK;
}

struct product_change {
    struct arena *arena;
    const char *const *text;
    const struct product *product;
};

static struct db_param product_given_text(const char *given, const char *value)
{
    return given != NULL ? DB_PARAM_TEXT(value) : DB_PARAM_NULL;
}

static struct db_param product_given_int(const char *given, long long value)
{
    return given != NULL ? DB_PARAM_INT(value) : DB_PARAM_NULL;
}

static int product_update_body(struct db *db, void *arg)
{
    const struct product_change *c = arg;
    const char *const *t = c->text;
    const struct product *p = c->product;
    const struct db_param key[] = {DB_PARAM_TEXT(p->id)};
    struct db_result row;
    int rc;

    if ((rc = db_exec(db, c->arena, SQL_LOCK, key, 1, &row)) != SHOP_OK)
        return rc;
    if (row.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    if (t[PRODUCT_PRICE_CENTS] == NULL && !money_is_shop_currency(db_result_text(&row, 0, 0)))
        return SHOP_ERR_CONFLICT;
    const struct db_param set[] = {
        product_given_text(t[PRODUCT_NAME], p->name),
        product_given_text(t[PRODUCT_DESCRIPTION], p->description),
        product_given_text(t[PRODUCT_CATEGORY], p->category),
        product_given_int(t[PRODUCT_PRICE_CENTS], p->price_cents),
        product_given_int(t[PRODUCT_PRICE_CENTS], p->price_cents),
        DB_PARAM_TEXT(money_currency()),
        product_given_int(t[PRODUCT_STOCK], p->stock),
        product_given_text(t[PRODUCT_IMAGE_URL], p->image_url),
        product_given_int(t[PRODUCT_ACTIVE], p->active ? 1 : 0),
        DB_PARAM_TEXT(p->id),
    };
    return db_exec(db, c->arena, SQL_UPDATE, set, 10, NULL);
}

int product_update(struct db *db, struct arena *arena, const char *const text[PRODUCT_FIELD_COUNT],
                   const struct product *product)
{
    struct product_change change = {arena, text, product};

    return db_transaction(db, product_update_body, &change);
}

struct product_stock_change {
    struct arena *arena;
    const char *id;
    long long delta, *stock;
};

static int product_adjust_body(struct db *db, void *arg)
{
    const struct product_stock_change *c = arg;
    const struct db_param key[] = {DB_PARAM_TEXT(c->id)};
    struct db_result row;
    long long now;
    int rc;

    if ((rc = db_exec(db, c->arena, SQL_LOCK, key, 1, &row)) != SHOP_OK)
        return rc;
    if (row.rows == 0)
        return SHOP_ERR_NOT_FOUND;
    now = *c->stock = db_result_int(&row, 0, 1);
    if (c->delta < -now || c->delta > PRODUCT_STOCK_MAX - now)
        return SHOP_ERR_UNPROCESSABLE;
    *c->stock = now + c->delta;
    const struct db_param set[] = {DB_PARAM_INT(*c->stock), DB_PARAM_TEXT(c->id)};
    return db_exec(db, c->arena, SQL_SET_STOCK, set, 2, NULL);
}

int product_adjust_stock(struct db *db, struct arena *arena, const char *id, long long delta, long long *stock)
{
    struct product_stock_change change = {arena, id, delta, stock};
    return db_transaction(db, product_adjust_body, &change);
}

int product_page(struct db *db, struct arena *arena, const char *after_id, const char *category, bool with_inactive,
                 struct db_result *rows)
{
    const struct db_param params[] = {DB_PARAM_TEXT(after_id), DB_PARAM_TEXT(category), DB_PARAM_TEXT(category),
                                      DB_PARAM_INT(with_inactive ? 1 : 0)};

    return db_exec(db, arena, SQL_PAGE, params, 4, rows);
}

int product_get(struct db *db, struct arena *arena, const char *id, struct db_result *rows)
{
    const struct db_param params[] = {DB_PARAM_TEXT(id)};

    return db_exec(db, arena, SQL_GET, params, 1, rows);
}

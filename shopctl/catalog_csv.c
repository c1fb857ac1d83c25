/*
 * catalog_csv.c - shopctl products import FILE.csv [--dry-run] and products export [FILE.csv].
 *
 * The catalog as a CSV file (RFC 4180, lib/csv) with the header
 * id,name,description,category,priceCents,stock,imageUrl,active, prices in the
 * shop's currency. export writes exactly what import reads back unchanged.
 *
 * import is all or nothing: the whole file is read and every row checked
 * (lib/product's rules, ids unique in the file) before anything is written,
 * every bad row is reported with the line it starts on, and one bad row means
 * nothing is applied. Then every row is upserted by id in one transaction.
 * --dry-run runs that same transaction and rolls it back, so its counts are
 * exactly what an import would do. File size and row count are bounded.
 *
 * export reads in one transaction (one snapshot, however many pages) and
 * refuses a catalog holding a product priced in another currency: the file
 * has no currency column, so importing it would silently re-price it.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/csv.h"
#include "lib/err.h"
#include "lib/money.h"
#include "shopctl/output.h"
#include "shopctl/products.h"
#include "shopctl/shopctl.h"

#define IMPORT_MAX_BYTES (32L * 1024 * 1024)
#define IMPORT_MAX_ROWS 100000
#define EXPORT_PATH_MAX 4096

/* What import read: the checked products, in file order, and the lines they start on. */
struct import_file {
    const char *path;
    char *text;
    size_t len;
    struct product *products;
    long *lines;
    int count;         /* rows with a good id (every product when no row is bad) */
    int good;          /* rows without a problem */
    int bad;           /* problems reported */
};

/* Counts from one run of the transaction. */
struct import_run {
    struct import_file *file;
    int outcomes[3];   /* by enum product_upsert_outcome */
};

/* Reads the whole file, refusing one over IMPORT_MAX_BYTES; SHOPCTL_DONE or a refusal. */
static int import_read(struct import_file *file)
{
    FILE *fp = fopen(file->path, "rb");
    struct stat st;
    size_t size = 0;
    int rc = SHOPCTL_DONE;

    if (fp == NULL)
        return shopctl_refuse("products import: cannot read %s: %s", file->path, strerror(errno));
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
        rc = shopctl_refuse("products import: %s is not a regular file", file->path);
    else if (st.st_size > IMPORT_MAX_BYTES)
        rc = shopctl_refuse("products import: %s is larger than %ld bytes", file->path, IMPORT_MAX_BYTES);
    else if ((file->text = arena_alloc(shopctl_arena(), (size = (size_t)st.st_size + 1))) == NULL)
        rc = shopctl_refuse("out of memory");
    if (rc == SHOPCTL_DONE) {
        file->len = fread(file->text, 1, size, fp); /* one byte more than expected tells of a growing file */
        if (ferror(fp))
            rc = shopctl_refuse("products import: cannot read %s: %s", file->path, strerror(errno));
        else if (file->len != (size_t)st.st_size)
            rc = shopctl_refuse("products import: %s changed while it was read", file->path);
    }
    fclose(fp);
    return rc;
}

/* Reports a bad row as "shopctl: FILE:LINE: ..."; counts it. */
static void import_bad_row(struct import_file *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void import_bad_row(struct import_file *file, long line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "shopctl: %s:%ld: ", file->path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    file->bad++;
}

/* The header must name the fields exactly, in order. */
static int import_header(struct import_file *file, struct csv_reader *reader)
{
    struct csv_record header;
    const char *error;
    int rc = csv_read_record(reader, shopctl_arena(), PRODUCT_FIELD_COUNT, &header, &error);
    bool exact = rc == SHOP_OK && header.count == PRODUCT_FIELD_COUNT;

    for (int f = 0; exact && f < PRODUCT_FIELD_COUNT; f++)
        exact = strcmp(header.fields[f], product_field_name((enum product_field)f)) == 0;
    if (rc == SHOP_ERR_NOMEM)
        return shopctl_refuse("out of memory");
    if (!exact)
        return shopctl_refuse("products import: %s:1: the header must be exactly "
                              "id,name,description,category,priceCents,stock,imageUrl,active",
                              file->path);
    return SHOPCTL_DONE;
}

/* Checks one record's fields into the next product; reports every bad field. */
static void import_check_record(struct import_file *file, const struct csv_record *record,
                                const struct product_rules *rules)
{
    struct product *product = &file->products[file->count];
    struct product_problems problems;
    const char *where;

    if (record->count != PRODUCT_FIELD_COUNT) {
        import_bad_row(file, record->line, "%d field(s), not the header's %d", record->count, PRODUCT_FIELD_COUNT);
        return;
    }
    product_init(product);
    product->id = NULL;
    if (product_parse((const char *const *)record->fields, rules, product, &problems) != SHOP_OK) {
        if ((where = arena_printf(shopctl_arena(), "%s:%ld", file->path, record->line)) != NULL)
            shopctl_product_problems(where, &problems, rules);
        file->bad++;
    }
    if (product->id != NULL) /* a good id is checked for duplicates, even on a bad row */
        file->lines[file->count++] = record->line;
    file->good += problems.count == 0;
}

static int import_compare_ids(const void *a, const void *b)
{
    const struct product *const *x = a, *const *y = b;
    int order = strcmp((*x)->id, (*y)->id);

    return order != 0 ? order : (*x < *y ? -1 : *x > *y);
}

/* Reports every row whose id an earlier row has (naming the first such line). */
static int import_duplicates(struct import_file *file)
{
    const struct product **sorted = arena_alloc(shopctl_arena(), sizeof(*sorted) * (size_t)(file->count + 1));

    if (sorted == NULL)
        return shopctl_refuse("out of memory");
    for (int i = 0; i < file->count; i++)
        sorted[i] = &file->products[i];
    qsort(sorted, (size_t)file->count, sizeof(*sorted), import_compare_ids);
    for (int i = 1; i < file->count; i++) {
        int first = i - 1;

        if (strcmp(sorted[i]->id, sorted[first]->id) != 0)
            continue;
        while (first > 0 && strcmp(sorted[first - 1]->id, sorted[i]->id) == 0)
            first--;
        import_bad_row(file, file->lines[sorted[i] - file->products], "id %s is also on line %ld", sorted[i]->id,
                       file->lines[sorted[first] - file->products]);
    }
    return SHOPCTL_DONE;
}

/* Reads and checks every row; SHOPCTL_DONE when all are good. */
static int import_check(struct import_file *file, const struct product_rules *rules)
{
    struct csv_reader reader;
    struct csv_record record;
    const char *error;
    int rc, rows = 0;

    csv_reader_init(&reader, file->text, file->len);
    if ((rc = import_header(file, &reader)) != SHOPCTL_DONE)
        return rc;
    file->products = arena_alloc(shopctl_arena(), sizeof(*file->products) * IMPORT_MAX_ROWS);
    file->lines = arena_alloc(shopctl_arena(), sizeof(*file->lines) * IMPORT_MAX_ROWS);
    if (file->products == NULL || file->lines == NULL)
        return shopctl_refuse("out of memory");
    while ((rc = csv_read_record(&reader, shopctl_arena(), PRODUCT_FIELD_COUNT, &record, &error)) != SHOP_ERR_NOT_FOUND) {
        if (rc == SHOP_ERR_NOMEM)
            return shopctl_refuse("out of memory");
        if (++rows > IMPORT_MAX_ROWS)
            return shopctl_refuse("products import: %s has more than %d rows; nothing was changed", file->path,
                                  IMPORT_MAX_ROWS);
        if (rc == SHOP_ERR_INVALID)
            import_bad_row(file, record.line, "%s", error);
        else
            import_check_record(file, &record, rules);
    }
    if ((rc = import_duplicates(file)) != SHOPCTL_DONE)
        return rc;
    if (file->bad > 0)
        return shopctl_refuse("products import: %d problem(s) in %s; nothing was changed", file->bad, file->path);
    assert(file->good == file->count);
    return SHOPCTL_DONE;
}

static int import_body(struct db *db, void *arg)
{
    struct import_run *run = arg;
    enum product_upsert_outcome outcome;
    int rc;

    memset(run->outcomes, 0, sizeof(run->outcomes)); /* a retried transaction counts afresh */
    for (int i = 0; i < run->file->count; i++) {
        if ((rc = product_upsert(db, shopctl_arena(), &run->file->products[i], &outcome)) != SHOP_OK)
            return rc;
        run->outcomes[outcome]++;
    }
    return SHOP_OK;
}

/* The import's transaction, rolled back at the end when dry. */
static int import_apply(struct import_run *run, bool dry)
{
    struct db *db = shopctl_db();
    int rc;

    if (!dry)
        return db_transaction(db, import_body, run);
    if ((rc = db_begin(db)) != SHOP_OK)
        return rc;
    rc = import_body(db, run);
    db_rollback(db);
    return rc;
}

int shopctl_products_import(int argc, char **argv, const struct product_rules *rules)
{
    struct import_file file = {0};
    struct import_run run = {.file = &file};
    struct json_object *record;
    bool dry = false;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0)
            dry = true;
        else if (file.path == NULL && argv[i][0] != '-')
            file.path = argv[i];
        else
            return shopctl_bad_argument("products import", argv[i]);
    }
    if (file.path == NULL)
        return shopctl_bad_argument("products import", "no FILE");
    if ((rc = import_read(&file)) != SHOPCTL_DONE || (rc = import_check(&file, rules)) != SHOPCTL_DONE)
        return rc;
    if ((rc = import_apply(&run, dry)) != SHOP_OK)
        return shopctl_db_refuse("products import", rc);
    if ((record = json_object_new_object()) == NULL)
        return shopctl_refuse("out of memory");
    json_object_object_add(record, "file", json_object_new_string(file.path));
    json_object_object_add(record, "rows", json_object_new_int(file.count));
    json_object_object_add(record, "added", json_object_new_int(run.outcomes[PRODUCT_ADDED]));
    json_object_object_add(record, "changed", json_object_new_int(run.outcomes[PRODUCT_CHANGED]));
    json_object_object_add(record, "unchanged", json_object_new_int(run.outcomes[PRODUCT_UNCHANGED]));
    json_object_object_add(record, "dryRun", json_object_new_boolean(dry));
    shopctl_print_record(record);
    json_object_put(record);
    return SHOPCTL_DONE;
}

/* One page of the export, kept until every page was read. */
struct export_page {
    struct db_result rows;
    struct export_page *next;
};

/* Reads every product in one snapshot; refuses when one is priced in another currency. */
static int export_read(struct export_page **first)
{
    struct export_page **tail = first;
    const char *after = "";
    int rc, foreign = 0, last = 0;

    if ((rc = db_begin(shopctl_db())) != SHOP_OK)
        return shopctl_db_refuse("products export", rc);
    do {
        struct export_page *page = arena_alloc(shopctl_arena(), sizeof(*page));

        if (page == NULL) {
            rc = SHOP_ERR_NOMEM;
            break;
        }
        if ((rc = product_page(shopctl_db(), shopctl_arena(), after, "", true, &page->rows)) != SHOP_OK)
            break;
        page->next = NULL;
        *tail = page;
        tail = &page->next;
        for (int r = 0; r < page->rows.rows; r++) {
            if (money_is_shop_currency(db_result_text(&page->rows, r, PRODUCT_COLUMN_CURRENCY)))
                continue;
            fprintf(stderr, "shopctl: products export: %s is priced in %s, not the shop's %s\n",
                    db_result_text(&page->rows, r, PRODUCT_ID),
                    db_result_text(&page->rows, r, PRODUCT_COLUMN_CURRENCY), money_currency());
            foreign++;
        }
        if ((last = page->rows.rows) > 0)
            after = db_result_text(&page->rows, last - 1, PRODUCT_ID);
    } while (last == PRODUCT_PAGE);
    db_rollback(shopctl_db());
    if (rc != SHOP_OK)
        return shopctl_db_refuse("products export", rc);
    if (foreign > 0)
        return shopctl_refuse("products export: give those %d product(s) a price in %s (products set ID "
                              "priceCents=N) first: the file has no currency column",
                              foreign, money_currency());
    return SHOPCTL_DONE;
}

/* Writes every product as a CSV record after the header. */
static void export_write(FILE *out, const struct export_page *page)
{
    const char *fields[PRODUCT_FIELD_COUNT];

    for (int f = 0; f < PRODUCT_FIELD_COUNT; f++)
        fields[f] = product_field_name((enum product_field)f);
    csv_write_record(out, fields, PRODUCT_FIELD_COUNT);
    for (; page != NULL; page = page->next) {
        for (int r = 0; r < page->rows.rows; r++) {
            for (int f = 0; f < PRODUCT_FIELD_COUNT; f++)
                fields[f] = db_result_text(&page->rows, r, f);
            fields[PRODUCT_ACTIVE] = db_result_int(&page->rows, r, PRODUCT_ACTIVE) != 0 ? "true" : "false";
            csv_write_record(out, fields, PRODUCT_FIELD_COUNT);
        }
    }
}

/* Writes to a new file next to path and renames it into place when complete, so path is always a whole export. */
static int export_to_file(const char *path, const struct export_page *pages)
{
    char partial[EXPORT_PATH_MAX];
    FILE *out;
    int fd, failed;

    if ((size_t)snprintf(partial, sizeof(partial), "%s.partial.%ld", path, (long)getpid()) >= sizeof(partial))
        return shopctl_refuse("products export: the path %s is too long", path);
    fd = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return shopctl_refuse("products export: cannot write %s: %s", partial, strerror(errno));
    }
    export_write(out, pages);
    failed = fflush(out) != 0 || ferror(out) || fsync(fd) != 0;
    failed = fclose(out) != 0 || failed;
    if (failed || rename(partial, path) != 0) {
        int saved = errno;

        unlink(partial);
        return shopctl_refuse("products export: cannot write %s: %s", path, strerror(saved));
    }
    return SHOPCTL_DONE;
}

int shopctl_products_export(int argc, char **argv, const struct product_rules *rules)
{
    struct export_page *pages = NULL;
    int rc;

    (void)rules;
    if (argc > 1 || (argc == 1 && argv[0][0] == '-'))
        return shopctl_bad_argument("products export", argv[argc - 1]);
    if ((rc = export_read(&pages)) != SHOPCTL_DONE)
        return rc;
    if (argc == 1)
        return export_to_file(argv[0], pages);
    export_write(stdout, pages);
    if (fflush(stdout) != 0 || ferror(stdout))
        return shopctl_refuse("products export: cannot write to standard output: %s", strerror(errno));
    return SHOPCTL_DONE;
}

/*
 * output.h - what shopctl prints: aligned tables for people, JSON for scripts.
 *
 * A command builds its answer as json-c values (an array of row objects, or
 * one object) and hands it here; with --json it is printed as JSON, otherwise
 * as a table (rows) or as "key: value" lines (one record).
 */
#ifndef SHOPCTL_OUTPUT_H
#define SHOPCTL_OUTPUT_H

#include <json-c/json.h>
#include <stdbool.h>

/* Set by --json anywhere on the command line. */
extern bool shopctl_json;

/*
 * Prints rows (a JSON array of objects): with --json the array; otherwise a
 * table of the given columns (NULL-terminated keys), headed by their names in
 * capitals, each column as wide as its widest cell; "(none)" for no rows.
 * Does not take ownership of rows.
 */
void shopctl_print_rows(struct json_object *rows, const char *const *columns);

/* Prints one object: with --json as JSON; otherwise one "key: value" line per member. */
void shopctl_print_record(struct json_object *record);

/* A cell as text: strings as they are, null as "-", other values as JSON. */
const char *shopctl_cell(struct json_object *value);

#endif

/*
 * output.c - tables and JSON on stdout (see output.h).
 */
#include "shopctl/output.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define OUTPUT_MAX_COLUMNS 32

bool shopctl_json;

const char *shopctl_cell(struct json_object *value)
{
    if (value == NULL)
        return "-";
    if (json_object_is_type(value, json_type_string))
        return json_object_get_string(value);
    return json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN);
}

/* Display width: bytes that start a UTF-8 character, so names with accents still line up. */
static size_t output_width(const char *text)
{
    size_t width = 0;

    for (; *text != '\0'; text++)
        width += ((unsigned char)*text & 0xC0) != 0x80;
    return width;
}

static void output_cell(const char *text, size_t width, bool last)
{
    fputs(text, stdout);
    if (!last)
        for (size_t pad = output_width(text); pad < width + 2; pad++)
            putchar(' ');
}

void shopctl_print_rows(struct json_object *rows, const char *const *columns)
{
    size_t widths[OUTPUT_MAX_COLUMNS] = {0};
    size_t count = json_object_array_length(rows);
    int ncol = 0;

    if (shopctl_json) {
        puts(json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN));
        return;
    }
    if (count == 0) {
        puts("(none)");
        return;
    }
    while (columns[ncol] != NULL && ncol < OUTPUT_MAX_COLUMNS) {
        widths[ncol] = output_width(columns[ncol]);
        for (size_t r = 0; r < count; r++) {
            struct json_object *cell = NULL;
            size_t w;

            json_object_object_get_ex(json_object_array_get_idx(rows, r), columns[ncol], &cell);
            w = output_width(shopctl_cell(cell));
            if (w > widths[ncol])
                widths[ncol] = w;
        }
        ncol++;
    }
    for (int c = 0; c < ncol; c++) {
        char head[64];
        size_t i = 0;

        for (; columns[c][i] != '\0' && i < sizeof(head) - 1; i++)
            head[i] = (char)toupper((unsigned char)columns[c][i]);
        head[i] = '\0';
        output_cell(head, widths[c], c == ncol - 1);
    }
    putchar('\n');
    for (size_t r = 0; r < count; r++) {
        for (int c = 0; c < ncol; c++) {
            struct json_object *cell = NULL;

            json_object_object_get_ex(json_object_array_get_idx(rows, r), columns[c], &cell);
            output_cell(shopctl_cell(cell), widths[c], c == ncol - 1);
        }
        putchar('\n');
    }
}

void shopctl_print_record(struct json_object *record)
{
    size_t width = 0;

    if (shopctl_json) {
        puts(json_object_to_json_string_ext(record, JSON_C_TO_STRING_PLAIN));
        return;
    }
    json_object_object_foreach(record, key, unused)
    {
        (void)unused;
        if (strlen(key) > width)
            width = strlen(key);
    }
    json_object_object_foreach(record, name, value)
    {
        printf("%s:%*s %s\n", name, (int)(width - strlen(name)), "", shopctl_cell(value));
    }
}

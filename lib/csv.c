/*
 * csv.c - RFC 4180 CSV records (see csv.h).
 */
#include "csv.h"

#include <string.h>

#include "err.h"

void csv_reader_init(struct csv_reader *reader, const char *text, size_t len)
{
    *reader = (struct csv_reader){.text = text, .len = len, .pos = 0, .line = 1, .ended = false};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        reader->pos = 3;
}

/* The byte at pos, or '\0' past the end (a NUL inside the text is refused before it matters). */
static char csv_peek(const struct csv_reader *reader, size_t pos)
{
    return pos < reader->len ? reader->text[pos] : '\0';
}

/* Length of the line end at pos: 1 for LF, 2 for CRLF, 0 for none. */
static size_t csv_line_end(const struct csv_reader *reader, size_t pos)
{
    if (csv_peek(reader, pos) == '\n')
        return 1;
    if (csv_peek(reader, pos) == '\r' && csv_peek(reader, pos + 1) == '\n')
        return 2;
    return 0;
}

/* After a bad record: on to the start of the next line. */
static void csv_skip_line(struct csv_reader *reader)
{
    while (reader->pos < reader->len && reader->text[reader->pos] != '\n')
        reader->pos++;
    if (reader->pos < reader->len) {
        reader->pos++;
        reader->line++;
    }
}

/* A plain field from pos up to a comma, a line end or the end; *error when it holds a quote, CR or NUL. */
static char *csv_plain_field(struct csv_reader *reader, struct arena *arena, const char **error)
{
    size_t start = reader->pos;

    for (; reader->pos < reader->len; reader->pos++) {
        char c = reader->text[reader->pos];

        if (c == ',' || csv_line_end(reader, reader->pos) > 0)
            break;
        if (c == '"') {
            *error = "a quote inside a field that does not start with one";
            return NULL;
        }
        if (c == '\r' || c == '\0') {
            *error = c == '\r' ? "a carriage return without a line feed outside quotes" : "a NUL byte";
            return NULL;
        }
    }
    return arena_strndup(arena, reader->text + start, reader->pos - start);
}

/* A quoted field from the opening quote at pos; "" inside is one quote; line ends inside are counted. */
static char *csv_quoted_field(struct csv_reader *reader, struct arena *arena, const char **error)
{
    size_t start = reader->pos + 1, end = start, size = 0, o = 0;
    char *field;

    for (;; end++, size++) { /* first find the closing quote and the unquoted size */
        if (end >= reader->len) {
            *error = "a quoted field is not closed";
            reader->ended = true;
            reader->pos = reader->len;
            return NULL;
        }
        if (reader->text[end] == '\0') {
            *error = "a NUL byte";
            return NULL;
        }
        if (reader->text[end] == '"') {
            if (csv_peek(reader, end + 1) != '"')
                break;
            end++;
        }
    }
    if ((field = arena_alloc(arena, size + 1)) == NULL)
        return NULL;
    for (size_t i = start; i < end; i++) {
        if (reader->text[i] == '\n')
            reader->line++;
        field[o++] = reader->text[i];
        if (reader->text[i] == '"')
            i++; /* the second of a doubled quote */
    }
    field[o] = '\0';
    reader->pos = end + 1;
    if (csv_peek(reader, reader->pos) != ',' && csv_line_end(reader, reader->pos) == 0 &&
        reader->pos < reader->len) {
        *error = "text after a closing quote";
        return NULL;
    }
    return field;
}

int csv_read_record(struct csv_reader *reader, struct arena *arena, int max_fields, struct csv_record *record,
                    const char **error)
{
    size_t eol;

    *error = NULL;
    while ((eol = csv_line_end(reader, reader->pos)) > 0) { /* blank lines */
        reader->pos += eol;
        reader->line++;
    }
    record->line = reader->line;
    record->count = 0;
    if (reader->pos >= reader->len || reader->ended)
        return SHOP_ERR_NOT_FOUND;
    if ((record->fields = arena_alloc(arena, sizeof(char *) * (size_t)max_fields)) == NULL)
        return SHOP_ERR_NOMEM;
    for (;;) {
        char *field = csv_peek(reader, reader->pos) == '"' ? csv_quoted_field(reader, arena, error)
                                                            : csv_plain_field(reader, arena, error);
        if (field == NULL && *error == NULL)
            return SHOP_ERR_NOMEM;
        if (field != NULL && record->count == max_fields)
            *error = "more fields than the header has";
        if (*error != NULL) {
            if (!reader->ended)
                csv_skip_line(reader);
            return SHOP_ERR_INVALID;
        }
        record->fields[record->count++] = field;
        if (csv_peek(reader, reader->pos) != ',')
            break;
        reader->pos++;
    }
    eol = csv_line_end(reader, reader->pos);
    if (eol > 0) {
        reader->pos += eol;
        reader->line++;
    }
    return SHOP_OK;
}

static void csv_write_field(FILE *out, const char *field, bool alone)
{
    if (strpbrk(field, ",\"\r\n") == NULL && !(alone && *field == '\0')) {
        fputs(field, out);
        return;
    }
    fputc('"', out);
    for (; *field != '\0'; field++) {
        if (*field == '"')
            fputc('"', out);
        fputc(*field, out);
    }
    fputc('"', out);
}

void csv_write_record(FILE *out, const char *const *fields, int count)
{
    for (int i = 0; i < count; i++) {
        if (i > 0)
            fputc(',', out);
        csv_write_field(out, fields[i], count == 1);
    }
    fputs("\r\n", out);
}

/*
 * csv.h - reading and writing RFC 4180 CSV.
 *
 * A record is fields separated by commas and ended by CRLF or LF (the last
 * one may have no line end). A field is either plain text without commas,
 * quotes or line ends, or enclosed in double quotes, inside which commas and
 * line ends are data and a quote is written twice. The reader works on a
 * whole text in memory (the caller bounds its size) and counts physical
 * lines, so every record is reported with the line it starts on, even when
 * quoted fields before it span several lines.
 *
 * A malformed record is reported and skipped to the end of its line, so one
 * pass finds every bad record of a file; only an unclosed quote ends the
 * reading, since everything after it is inside that field.
 */
#ifndef SHOP_CSV_H
#define SHOP_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "arena.h"

struct csv_reader {
    const char *text;
    size_t len, pos;
    long line;          /* physical line of pos, from 1 */
    bool ended;         /* an unclosed quote consumed the rest */
};

/* One record: its fields (NUL-terminated copies in the caller's arena) and the line it starts on. */
struct csv_record {
    char **fields;
    int count;
    long line;
};

/* Reads text (len bytes, not necessarily NUL-terminated); a leading UTF-8 byte order mark is skipped. */
void csv_reader_init(struct csv_reader *reader, const char *text, size_t len);

/*
 * Reads the next record into *record, with at most max_fields fields (fields
 * from the arena). Blank lines are skipped. Returns SHOP_OK; SHOP_ERR_NOT_FOUND
 * at the end of the text; SHOP_ERR_INVALID for a malformed record (*error says
 * why, record->line where it starts; the reader has moved past it, so the next
 * call reads on); SHOP_ERR_NOMEM.
 */
int csv_read_record(struct csv_reader *reader, struct arena *arena, int max_fields, struct csv_record *record,
                    const char **error);

/*
 * Writes one record of count fields to out, ended by CRLF; a field is quoted
 * when it holds a comma, a quote, CR or LF, or is empty while it is the only
 * field (so the record is not a blank line). What csv_read_record reads back
 * as the same fields.
 */
void csv_write_record(FILE *out, const char *const *fields, int count);

#endif

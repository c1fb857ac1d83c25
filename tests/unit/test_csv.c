/*
 * test_csv.c - RFC 4180 records: quotes, commas, quotes and line ends inside fields, line numbers, bad records.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/err.h"
#include "unit.h"

#define MAX_FIELDS 8

static struct arena arena;

/* Reads the next record of reader; returns its rc and the record. */
static int next(struct csv_reader *reader, struct csv_record *record, const char **error)
{
    return csv_read_record(reader, &arena, MAX_FIELDS, record, error);
}

START_TEST(test_csv_reads_plain_and_quoted_fields_with_commas_quotes_and_newlines)
{
    static const char text[] = "id,name\r\n"
                               "a,\"x, y\"\r\n"
                               "b,\"say \"\"hi\"\"\"\n"
                               "c,\"two\nlines\"\n"
                               "d,\n";
    struct csv_reader reader;
    struct csv_record r;
    const char *error;

    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, strlen(text));
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_int_eq(r.count, 2);
    ck_assert_str_eq(r.fields[1], "name");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[1], "x, y");
    ck_assert_int_eq(r.line, 2);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[1], "say \"hi\"");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[1], "two\nlines");
    ck_assert_int_eq(r.line, 4);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_int_eq(r.line, 6);
    ck_assert_int_eq(r.count, 2);
    ck_assert_str_eq(r.fields[0], "d");
    ck_assert_str_eq(r.fields[1], "");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_NOT_FOUND);
    arena_free(&arena);
}
END_TEST

START_TEST(test_csv_last_record_without_line_end_bom_and_blank_lines)
{
    static const char text[] = "\xEF\xBB\xBFid\n\n\"q\"";
    struct csv_reader reader;
    struct csv_record r;
    const char *error;

    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, strlen(text));
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[0], "id");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[0], "q");
    ck_assert_int_eq(r.line, 3);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_NOT_FOUND);
    arena_free(&arena);
}
END_TEST

START_TEST(test_csv_bad_records_are_reported_with_their_line_and_reading_goes_on)
{
    static const char text[] = "ok,1\n"
                               "bad\"quote,2\n"
                               "\"closed\"junk,3\n"
                               "\"multi\nline\",4\n"
                               "lone\rcr,5\n"
                               "1,2,3,4,5,6,7,8,9\n"
                               "last,6\n";
    static const long bad_lines[] = {2, 3, 6, 7};
    struct csv_reader reader;
    struct csv_record r;
    const char *error;
    size_t bad = 0;

    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, strlen(text));
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_INVALID);
        ck_assert_ptr_nonnull(error);
        ck_assert_int_eq(r.line, bad_lines[bad++]);
        if (i == 1) { /* the good multi-line record after the bad one */
            ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
            ck_assert_str_eq(r.fields[0], "multi\nline");
            ck_assert_int_eq(r.line, 4);
        }
    }
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_str_eq(r.fields[0], "last");
    ck_assert_int_eq(r.line, 8);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_NOT_FOUND);
    arena_free(&arena);
}
END_TEST

START_TEST(test_csv_an_unclosed_quote_ends_the_reading)
{
    static const char text[] = "a,1\nb,\"never closed\nc,3\n";
    struct csv_reader reader;
    struct csv_record r;
    const char *error;

    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, strlen(text));
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_INVALID);
    ck_assert_int_eq(r.line, 2);
    ck_assert_str_eq(error, "a quoted field is not closed");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_NOT_FOUND);
    arena_free(&arena);
}
END_TEST

START_TEST(test_csv_a_nul_byte_is_refused)
{
    static const char text[] = "a,b\0c\n\"d\0\"\n";
    struct csv_reader reader;
    struct csv_record r;
    const char *error;

    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, sizeof(text) - 1);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_INVALID);
    ck_assert_str_eq(error, "a NUL byte");
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_INVALID);
    ck_assert_int_eq(r.line, 2);
    arena_free(&arena);
}
END_TEST

START_TEST(test_csv_written_records_read_back_the_same)
{
    static const char *const fields[] = {"plain", "a,b", "say \"x\"", "two\r\nlines", "", "ünïcode"};
    static const char *const alone[] = {""};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct csv_reader reader;
    struct csv_record r;
    const char *error;

    csv_write_record(out, fields, 6);
    csv_write_record(out, alone, 1);
    fclose(out);
    ck_assert_str_eq(text, "plain,\"a,b\",\"say \"\"x\"\"\",\"two\r\nlines\",,ünïcode\r\n\"\"\r\n");
    arena_init(&arena, 4096);
    csv_reader_init(&reader, text, len);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_int_eq(r.count, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(r.fields[i], fields[i]);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_OK);
    ck_assert_int_eq(r.count, 1);
    ck_assert_str_eq(r.fields[0], "");
    ck_assert_int_eq(r.line, 3);
    ck_assert_int_eq(next(&reader, &r, &error), SHOP_ERR_NOT_FOUND);
    arena_free(&arena);
    free(text);
}
END_TEST

UNIT_MAIN("csv", test_csv_reads_plain_and_quoted_fields_with_commas_quotes_and_newlines,
          test_csv_last_record_without_line_end_bom_and_blank_lines,
          test_csv_bad_records_are_reported_with_their_line_and_reading_goes_on,
          test_csv_an_unclosed_quote_ends_the_reading, test_csv_a_nul_byte_is_refused,
          test_csv_written_records_read_back_the_same)

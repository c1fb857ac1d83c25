/*
 * validate.h - checks on text that comes from shoppers.
 *
 * Each function answers true for acceptable input. They guard what reaches the
 * database and, for e-mail addresses and names, what reaches mail headers: a
 * value that passes holds no control character, so no CR/LF header injection.
 */
#ifndef SHOP_VALIDATE_H
#define SHOP_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#define VALIDATE_EMAIL_MAX 254

/* Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates). */
bool validate_utf8(const char *s);

/* The same for len bytes, which may hold NUL (a character like any other). */
bool validate_utf8_bytes(const char *s, size_t len);

/* UTF-8 without control characters, with 1 to max_chars characters after trimming. */
bool validate_text(const char *s, size_t max_chars);

/*
 * A plain address local@domain: at most 254 bytes, a local part of at most 64
 * bytes of the RFC 5322 atom characters with single inner dots, a domain of at
 * least two letter-digit-hyphen labels. Quoted local parts and address literals
 * are refused: no shop customer needs them, and they complicate every consumer.
 */
bool validate_email(const char *s);

/* An ISO 3166-1 alpha-2 code: two upper-case ASCII letters. */
bool validate_country(const char *s);

/* 1 to 20 of letters, digits, spaces and hyphens, starting with a letter or digit. */
bool validate_postal_code(const char *s);

#endif

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

/* An assigned ISO 3166-1 alpha-2 code in upper case (lib/country): "DE", not "de" or "XX". */
bool validate_country(const char *s);

/* Room for a normalised postal code and its NUL. */
#define VALIDATE_POSTAL_MAX 10

/*
 * A postal code as written in country (an assigned upper-case code). Countries
 * the shop knows have their format (US 12345 or 12345-6789, GB SW1A 1AA, PT
 * 1000-001, CA K1A 0B1, ...), where a format's space or hyphen may be left out;
 * any other country takes 3 to 10 letters, digits, spaces and hyphens with at
 * least one digit. Countries without postal codes (IE, HK, AE, ...) also take
 * an empty one. Case and the spaces around do not matter. On success writes
 * the code as the post writes it ("sw1a1aa" -> "SW1A 1AA") to normalised,
 * VALIDATE_POSTAL_MAX + 1 bytes.
 */
bool validate_postal_code(const char *country, const char *code, char normalised[VALIDATE_POSTAL_MAX + 1]);

/* A postal code of country as an example ("SW1A 1AA"); NULL when the shop knows no format for it. */
const char *validate_postal_example(const char *country);

/* True when country has no postal codes (or they are optional): an empty one is fine. */
bool validate_postal_optional(const char *country);

#define VALIDATE_ADDRESS_MIN 3 /* visible characters */

/* A street address: validate_text, at least 3 characters, at least one letter ("1" is not one). */
bool validate_street_address(const char *s, size_t max_chars);

/* A city or other place name: validate_text with at least one letter. */
bool validate_place_name(const char *s, size_t max_chars);

#endif

/*
 * validate.c - checks on shopper-supplied text (see validate.h).
 */
#include "validate.h"

#include "country.h"

#include <ctype.h>
#include <string.h>

bool validate_utf8_bytes(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + len;

    while (s < end) {
        int extra, k;
        unsigned int cp;

        if (*s < 0x80) {
            s++;
            continue;
        } else if ((*s & 0xe0) == 0xc0) {
            extra = 1;
            cp = *s & 0x1f;
        } else if ((*s & 0xf0) == 0xe0) {
            extra = 2;
            cp = *s & 0x0f;
        } else if ((*s & 0xf8) == 0xf0) {
            extra = 3;
            cp = *s & 0x07;
        } else {
            return false;
        }
        if (end - s <= extra)
            return false;
        for (k = 1; k <= extra; k++) {
            if ((s[k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[k] & 0x3f);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        s += extra + 1;
    }
    return true;
}

bool validate_utf8(const char *text)
{
    return validate_utf8_bytes(text, strlen(text));
}

bool validate_text(const char *s, size_t max_chars)
{
    size_t chars = 0, i;
    bool visible = false;

    if (!validate_utf8(s))
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
        if ((c & 0xc0) != 0x80)
            chars++; /* count characters, not continuation bytes */
        if (c != ' ')
            visible = true;
    }
    return visible && chars <= max_chars;
}

static bool validate_atom_char(char c)
{
    return isalnum((unsigned char)c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

bool validate_email(const char *s)
{
    const char *at = strchr(s, '@');
    size_t len = strlen(s), local_len, i, label_len = 0, labels = 1;
    const char *domain;

    if (at == NULL || len > VALIDATE_EMAIL_MAX || strchr(at + 1, '@') != NULL)
        return false;
    local_len = (size_t)(at - s);
    if (local_len == 0 || local_len > 64 || s[0] == '.' || s[local_len - 1] == '.')
        return false;
    for (i = 0; i < local_len; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !validate_atom_char(s[i]))
            return false;
    }
    domain = at + 1;
    if (*domain == '\0' || *domain == '.' || *domain == '-')
        return false;
    for (i = 0; domain[i] != '\0'; i++) {
        if (domain[i] == '.') {
            if (label_len == 0 || domain[i - 1] == '-' || domain[i + 1] == '\0' || domain[i + 1] == '-')
                return false;
            labels++;
            label_len = 0;
        } else if (isalnum((unsigned char)domain[i]) || domain[i] == '-') {
            if (++label_len > 63)
                return false;
        } else {
            return false;
        }
    }
    return labels >= 2 && domain[i - 1] != '-';
}

bool validate_country(const char *s)
{
    const struct country *country = country_find(s);

    return country != NULL && strcmp(country->code, s) == 0;
}

/*
 * Postal code formats: '9' a digit, 'A' a letter, '?' either, ' ' or '-' a
 * separator the shopper may leave out, '|' between alternatives. Only
 * countries whose format is simple and well known are here; the rest take
 * the generic rule (validate_postal_generic).
 */
struct postal_format {
    const char *country, *formats, *example;
};

static const struct postal_format postal_formats[] = {
    {"AR", "A9999AAA|9999", "C1002AAB"},
    {"AT", "9999", "1010"},
    {"AU", "9999", "2000"},
    {"BE", "9999", "1000"},
    {"BR", "99999-999", "01310-100"},
    {"CA", "A9A 9A9", "K1A 0B1"},
    {"CH", "9999", "8001"},
    {"CN", "999999", "100000"},
    {"CZ", "999 99", "110 00"},
    {"DE", "99999", "10115"},
    {"DK", "9999", "1050"},
    {"ES", "99999", "28013"},
    {"FI", "99999", "00100"},
    {"FR", "99999", "75008"},
    {"GB", "A9 9AA|A99 9AA|AA9 9AA|AA99 9AA|A9A 9AA|AA9A 9AA|AAA 9AA", "SW1A 1AA"},
    {"GR", "999 99", "105 57"},
    {"HU", "9999", "1051"},
    {"IE", "A9? ????", "D02 X285"},
    {"IN", "999999", "110001"},
    {"IT", "99999", "00184"},
    {"JP", "999-9999", "100-0001"},
    {"KR", "99999", "03187"},
    {"MX", "99999", "06000"},
    {"NL", "9999 AA", "1012 AB"},
    {"NO", "9999", "0150"},
    {"NZ", "9999", "6011"},
    {"PL", "99-999", "00-950"},
    {"PT", "9999-999", "1000-001"},
    {"RU", "999999", "101000"},
    {"SE", "999 99", "114 55"},
    {"SG", "999999", "018956"},
    {"SK", "999 99", "811 01"},
    {"TR", "99999", "34000"},
    {"US", "99999|99999-9999", "94103"},
    {"ZA", "9999", "8001"},
};

/* Countries where mail goes without a postal code (IE's Eircode is optional too). */
static const char POSTAL_OPTIONAL[] =
    "AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK IE KI KM KN KP LY "
    "ML MO MR MW NR NU QA RW SB SC SL SR SS ST SY TD TG TK TL TO TV UG VU YE ZW";

#define POSTAL_INPUT_MAX 20 /* bytes, before trimming */
#define POSTAL_GENERIC_MIN 3

static const struct postal_format *postal_format_find(const char *country)
{
    size_t i;

    for (i = 0; i < sizeof(postal_formats) / sizeof(postal_formats[0]); i++)
        if (strcmp(postal_formats[i].country, country) == 0)
            return &postal_formats[i];
    return NULL;
}

/* Matches code (upper case, trimmed) against one format of len bytes; writes the formatted code to out. */
static bool postal_match(const char *format, size_t len, const char *code, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        char f = format[i], c = *code;

        if (f == ' ' || f == '-') {
            if (c == f)
                code++;
        } else if (f == '9' ? !isdigit((unsigned char)c)
                   : f == 'A' ? !(c >= 'A' && c <= 'Z')
                   : f == '?' ? !(isdigit((unsigned char)c) || (c >= 'A' && c <= 'Z'))
                   : c != f) {
            return false;
        } else {
            code++;
        }
        out[o++] = f == '9' || f == 'A' || f == '?' ? c : f;
    }
    out[o] = '\0';
    return *code == '\0';
}

/* 3 to 10 letters, digits, spaces and hyphens, at least one digit, starting and ending with one of those two. */
static bool postal_generic(const char *code)
{
    size_t len = strlen(code), i;
    bool digit = false;

    if (len < POSTAL_GENERIC_MIN || len > VALIDATE_POSTAL_MAX || !isalnum((unsigned char)code[0]) ||
        !isalnum((unsigned char)code[len - 1]))
        return false;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)code[i];
        if (isdigit(c))
            digit = true;
        else if (!(c >= 'A' && c <= 'Z') && c != ' ' && c != '-')
            return false;
    }
    return digit;
}

bool validate_postal_code(const char *country, const char *code, char normalised[VALIDATE_POSTAL_MAX + 1])
{
    const struct postal_format *format = postal_format_find(country);
    char upper[POSTAL_INPUT_MAX + 1];
    size_t len = strlen(code), i, n = 0;

    while (len > 0 && code[len - 1] == ' ')
        len--;
    while (len > 0 && *code == ' ')
        code++, len--;
    if (len > POSTAL_INPUT_MAX)
        return false;
    for (i = 0; i < len; i++)
        upper[n++] = (char)toupper((unsigned char)code[i]); /* ASCII only: the C locale */
    upper[n] = '\0';
    if (n == 0) {
        normalised[0] = '\0';
        return validate_postal_optional(country);
    }
    if (format == NULL) {
        if (!postal_generic(upper))
            return false;
        memcpy(normalised, upper, n + 1);
        return true;
    }
    for (const char *f = format->formats;;) {
        size_t flen = strcspn(f, "|");
        if (flen <= VALIDATE_POSTAL_MAX && postal_match(f, flen, upper, normalised))
            return true;
        if (f[flen] == '\0')
            return false;
        f += flen + 1;
    }
}

const char *validate_postal_example(const char *country)
{
    const struct postal_format *format = postal_format_find(country);

    return format != NULL ? format->example : NULL;
}

bool validate_postal_optional(const char *country)
{
    const char *at;

    if (strlen(country) != 2)
        return false;
    for (at = strstr(POSTAL_OPTIONAL, country); at != NULL; at = strstr(at + 1, country))
        if ((at - POSTAL_OPTIONAL) % 3 == 0)
            return true; /* a whole code, not the end of one and the start of the next */
    return false;
}

/* An ASCII letter or any non-ASCII character: without Unicode tables, most of those are letters of some script. */
static bool validate_has_letter(const char *s)
{
    for (; *s != '\0'; s++)
        if (isalpha((unsigned char)*s) || (unsigned char)*s >= 0x80)
            return true;
    return false;
}

bool validate_street_address(const char *s, size_t max_chars)
{
    size_t chars = 0;
    const char *p;

    if (!validate_text(s, max_chars) || !validate_has_letter(s))
        return false;
    for (p = s; *p != '\0'; p++)
        if (*p != ' ' && ((unsigned char)*p & 0xc0) != 0x80)
            chars++;
    return chars >= VALIDATE_ADDRESS_MIN;
}

bool validate_place_name(const char *s, size_t max_chars)
{
    return validate_text(s, max_chars) && validate_has_letter(s);
}

/*
 * validate.c - checks on shopper-supplied text (see validate.h).
 */
#include "validate.h"

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
    return strlen(s) == 2 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           (unsigned char)s[0] < 0x80 && (unsigned char)s[1] < 0x80;
}

bool validate_postal_code(const char *s)
{
    size_t len = strlen(s), i;

    if (len == 0 || len > 20 || !isalnum((unsigned char)s[0]))
        return false;
    for (i = 0; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) && (unsigned char)s[i] < 0x80) && s[i] != ' ' && s[i] != '-')
            return false;
    return true;
}

/*
 * password.c - password policy and Argon2id hashing (see password.h).
 *
 * The common-password list is read whole at start into one buffer, lower-cased,
 * split into entries and sorted, so a check is one binary search and the list
 * is shared read-only by every thread.
 */
#include "password.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "validate.h"

#define PASSWORD_DEFAULT_LIST "/usr/share/fcgi-shop/common-passwords.txt"
#define PASSWORD_MAX_OPSLIMIT 20
#define PASSWORD_MAX_MEMLIMIT_KIB (1024 * 1024)

/* Set once by password_init() before threads start; read-only afterwards. */
static unsigned long long password_opslimit = PASSWORD_DEFAULT_OPSLIMIT;
static size_t password_memlimit = (size_t)PASSWORD_DEFAULT_MEMLIMIT_KIB * 1024;
static char *password_list_text;
static const char **password_list;
static size_t password_list_count;
static char password_dummy_hash[PASSWORD_HASH_MAX];

static int password_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads the whole file into a new NUL-terminated buffer; SHOP_ERR_INVALID when unreadable or too large. */
static int password_read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t len;

    if (f == NULL)
        return SHOP_ERR_INVALID;
    text = malloc(PASSWORD_LIST_MAX_BYTES + 1);
    len = text == NULL ? 0 : fread(text, 1, PASSWORD_LIST_MAX_BYTES + 1, f);
    if (text == NULL || ferror(f) || len > PASSWORD_LIST_MAX_BYTES) {
        fclose(f);
        free(text);
        return SHOP_ERR_INVALID;
    }
    fclose(f);
    text[len] = '\0';
    *out = text;
    return SHOP_OK;
}

/* Splits the list into lower-cased entries (one a line; '#' lines and blank lines skipped) and sorts them. */
static int password_index_list(char *text)
{
    size_t count = 0;
    char *line, *save = NULL;

    password_list = calloc(PASSWORD_LIST_MAX_ENTRIES, sizeof(*password_list)); /* 1.6 MB at most, once */
    if (password_list == NULL)
        return SHOP_ERR_NOMEM;
    for (line = strtok_r(text, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (count == PASSWORD_LIST_MAX_ENTRIES)
            return SHOP_ERR_INVALID;
        for (char *c = line; *c != '\0'; c++)
            *c = (char)tolower((unsigned char)*c);
        password_list[count++] = line;
    }
    qsort(password_list, count, sizeof(*password_list), password_compare);
    password_list_count = count;
    return SHOP_OK;
}

static int password_load_list(const char *path)
{
    int rc;

    /* A second init (tests) replaces the list. */
    free(password_list_text);
    free(password_list);
    password_list_text = NULL;
    password_list = NULL;
    password_list_count = 0;
    rc = password_read_file(path, &password_list_text);

    if (rc == SHOP_OK)
        rc = password_index_list(password_list_text);
    if (rc != SHOP_OK)
        log_event(LOG_LEVEL_ERROR, NULL,
                  "event=config_invalid key=common_passwords_file path=%s reason=\"unreadable, over 4 MiB or 200000 lines\"",
                  path);
    return rc;
}

int password_init(void)
{
    long long ops, mem_kib;

    if (config_get_int("password_opslimit", PASSWORD_DEFAULT_OPSLIMIT, crypto_pwhash_OPSLIMIT_MIN,
                       PASSWORD_MAX_OPSLIMIT, &ops) != SHOP_OK ||
        config_get_int("password_memlimit_kib", PASSWORD_DEFAULT_MEMLIMIT_KIB, 8 * 1024, PASSWORD_MAX_MEMLIMIT_KIB,
                       &mem_kib) != SHOP_OK)
        return SHOP_ERR_INVALID;
    password_opslimit = (unsigned long long)ops;
    password_memlimit = (size_t)mem_kib * 1024;
    if (password_load_list(config_get_string("common_passwords_file", PASSWORD_DEFAULT_LIST)) != SHOP_OK)
        return SHOP_ERR_INVALID;
    /* Any text will do: only the time of verifying against it matters. */
    return password_hash("not a password of anyone", password_dummy_hash);
}

static bool password_is_common(const char *password)
{
    char lowered[PASSWORD_MAX_BYTES + 1];
    const char *key = lowered;
    size_t i;

    for (i = 0; password[i] != '\0' && i < PASSWORD_MAX_BYTES; i++)
        lowered[i] = (char)tolower((unsigned char)password[i]);
    lowered[i] = '\0';
    return password_list_count > 0 &&
           bsearch(&key, password_list, password_list_count, sizeof(*password_list), password_compare) != NULL;
}

/* The number of UTF-8 code points in s (valid UTF-8). */
static size_t password_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

int password_check(const char *password, const char **code, const char **message)
{
    size_t chars = password_chars(password);

    if (chars < PASSWORD_MIN_CHARS) {
        *code = "password_too_short";
        *message = "A password needs at least 10 characters.";
    } else if (chars > PASSWORD_MAX_CHARS || strlen(password) > PASSWORD_MAX_BYTES || !validate_utf8(password)) {
        *code = "password_too_long";
        *message = "A password has at most 128 characters.";
    } else if (password_is_common(password)) {
        *code = "password_too_common";
        *message = "This password is one of the most common ones; choose another.";
    } else {
        return SHOP_OK;
    }
    return SHOP_ERR_UNPROCESSABLE;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    if (crypto_pwhash_str_alg(out, password, strlen(password), password_opslimit, password_memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return SHOP_ERR_NOMEM;
    return SHOP_OK;
}

int password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? SHOP_OK : SHOP_ERR_UNAUTHORIZED;
}

void password_verify_dummy(const char *password)
{
    (void)password_verify(password_dummy_hash, password);
}

bool password_needs_rehash(const char *hash)
{
    return crypto_pwhash_str_needs_rehash(hash, password_opslimit, password_memlimit) != 0;
}

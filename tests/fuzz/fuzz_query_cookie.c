/*
 * fuzz_query_cookie.c - the query string and the Cookie header (lib/http.c),
 * and the session cookie read from it (lib/session.c).
 *
 * Input: the raw query string, a newline, then the raw Cookie header.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/http.h"
#include "lib/session.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"limit", "cursor", "q", "category", ""};
    const uint8_t *newline = memchr(data, '\n', size);
    size_t query_len = newline != NULL ? (size_t)(newline - data) : size;
    struct fuzz_fcgi fcgi;
    struct http_request req;
    struct session session;
    struct arena arena;
    long long limit;
    size_t i;

    arena_init(&arena, 4096);
    fuzz_fcgi_init(&fcgi, "", 0);
    fuzz_fcgi_param(&fcgi, &arena, "REQUEST_METHOD", "GET", 3);
    fuzz_fcgi_param(&fcgi, &arena, "DOCUMENT_URI", "/api/products", 13);
    fuzz_fcgi_param(&fcgi, &arena, "QUERY_STRING", (const char *)data, strnlen((const char *)data, query_len));
    if (newline != NULL)
        fuzz_fcgi_param(&fcgi, &arena, "HTTP_COOKIE", (const char *)newline + 1,
                        strnlen((const char *)newline + 1, size - query_len - 1));
    if (http_request_init(&req, &fcgi.request, &arena) == SHOP_OK) {
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            const char *value = http_query_get(&req, names[i]);

            if (value != NULL && strlen(value) > HTTP_MAX_QUERY)
                __builtin_trap(); /* a decoded value is never longer than the raw query */
        }
        http_cookie_get(&req, "theme");
        session_from_request(&req, &session);
        http_query_limit(&req, 20, 100, &limit);
    }
    http_request_finish(&req);
    arena_free(&arena);
    return 0;
}

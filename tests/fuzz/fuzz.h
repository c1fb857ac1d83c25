/*
 * fuzz.h - what the libFuzzer targets share: a FastCGI request held in memory
 * (parameters and body from the fuzzer, the answer written to a buffer and
 * dropped), so lib/http.c and lib/responder.c run as under nginx, without a
 * socket; and the start-up every target needs (a secret for tokens, quiet logs).
 *
 * Header-only on purpose: each target is one .c file plus this, built by
 * tests/fuzz/Makefile with clang -fsanitize=fuzzer,address,undefined.
 */
#ifndef SHOP_TESTS_FUZZ_H
#define SHOP_TESTS_FUZZ_H

#include <fcgiapp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/token.h"

#define FUZZ_MAX_PARAMS 32
#define FUZZ_OUT_BUFFER 4096
/* A fixed test secret: tokens the seeds carry were sealed under it. */
#define FUZZ_SECRET "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fuzz_fcgi {
    FCGX_Request request;
    FCGX_Stream in, out, err;
    unsigned char out_buffer[FUZZ_OUT_BUFFER];
    char *envp[FUZZ_MAX_PARAMS + 1];
    int param_count;
};

/* The body is all there is: once read, the stream is at its end. */
static inline void fuzz_stream_fill(FCGX_Stream *stream)
{
    stream->isClosed = 1;
}

/* The answer is not kept: a full buffer starts over. */
static inline void fuzz_stream_empty(FCGX_Stream *stream, int do_close)
{
    struct fuzz_fcgi *fcgi = stream->data;

    stream->wrNext = fcgi->out_buffer;
    stream->stop = fcgi->out_buffer + sizeof(fcgi->out_buffer);
    stream->isClosed = do_close;
}

/* Sets up fcgi with no parameters and body (len bytes, kept by the caller) as its input. */
static inline void fuzz_fcgi_init(struct fuzz_fcgi *fcgi, const void *body, size_t len)
{
    memset(fcgi, 0, sizeof(*fcgi));
    fcgi->in.rdNext = fcgi->in.stopUnget = (unsigned char *)body;
    fcgi->in.stop = fcgi->in.wrNext = (unsigned char *)body + len;
    fcgi->in.isReader = 1;
    fcgi->in.fillBuffProc = fuzz_stream_fill;
    fcgi->in.data = fcgi;
    fcgi->out.wrNext = fcgi->out.rdNext = fcgi->out_buffer;
    fcgi->out.stop = fcgi->out_buffer + sizeof(fcgi->out_buffer);
    fcgi->out.emptyBuffProc = fuzz_stream_empty;
    fcgi->out.data = fcgi;
    fcgi->err = fcgi->out;
    fcgi->request.in = &fcgi->in;
    fcgi->request.out = &fcgi->out;
    fcgi->request.err = &fcgi->err;
    fcgi->request.envp = fcgi->envp;
}

/* Adds "NAME=value" (an arena copy); beyond FUZZ_MAX_PARAMS it is dropped. */
static inline void fuzz_fcgi_param(struct fuzz_fcgi *fcgi, struct arena *arena, const char *name,
                                   const char *value, size_t value_len)
{
    size_t name_len = strlen(name);
    char *pair;

    if (fcgi->param_count == FUZZ_MAX_PARAMS || (pair = arena_alloc(arena, name_len + value_len + 2)) == NULL)
        return;
    memcpy(pair, name, name_len);
    pair[name_len] = '=';
    memcpy(pair + name_len + 1, value, value_len);
    pair[name_len + 1 + value_len] = '\0';
    fcgi->envp[fcgi->param_count++] = pair;
    fcgi->envp[fcgi->param_count] = NULL;
}

/* Start-up every target shares: the test secret, and only error lines. */
static inline void fuzz_start(void)
{
    setenv("SHOP_SECRET", FUZZ_SECRET, 1);
    unsetenv("SHOP_SECRET_PREVIOUS");
    if (token_init() != SHOP_OK)
        abort();
    log_init("fuzz", "error");
}

/* data as a NUL-terminated arena copy (inputs may hold NULs: the copy ends at the first). */
static inline char *fuzz_text(struct arena *arena, const uint8_t *data, size_t size)
{
    return arena_strndup(arena, (const char *)data, size);
}

#endif

/*
 * arena.c - bump allocator in a list of chunks (see arena.h).
 *
 * Allocations larger than a quarter chunk get a chunk of their own, so one big
 * request body does not waste the rest of an ordinary chunk.
 */
#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t size;
    size_t used;
    alignas(max_align_t) char data[];
};

#define ARENA_ALIGN (alignof(max_align_t))

void arena_init(struct arena *arena, size_t chunk_size)
{
    arena->head = NULL;
    arena->chunk_size = chunk_size < 256 ? 256 : chunk_size;
}

static struct arena_chunk *arena_chunk_new(size_t size)
{
    struct arena_chunk *chunk;

    if (size > SIZE_MAX - sizeof(*chunk))
        return NULL;
    chunk = malloc(sizeof(*chunk) + size);
    if (chunk == NULL)
        return NULL;
    chunk->next = NULL;
    chunk->size = size;
    chunk->used = 0;
    return chunk;
}

void *arena_alloc(struct arena *arena, size_t size)
{
    struct arena_chunk *chunk = arena->head;
    size_t offset;

    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    if (chunk != NULL) {
        offset = (chunk->used + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
        if (offset <= chunk->size && size <= chunk->size - offset) {
            chunk->used = offset + size;
            return chunk->data + offset;
        }
    }
    if (size > arena->chunk_size / 4) {
        /* A private chunk, linked behind the current one so the current one
         * keeps serving small allocations. */
        struct arena_chunk *big = arena_chunk_new(size);
        if (big == NULL)
            return NULL;
        big->used = size;
        if (chunk != NULL) {
            big->next = chunk->next;
            chunk->next = big;
        } else {
            arena->head = big;
        }
        return big->data;
    }
    chunk = arena_chunk_new(arena->chunk_size);
    if (chunk == NULL)
        return NULL;
    chunk->next = arena->head;
    arena->head = chunk;
    chunk->used = size;
    return chunk->data;
}

char *arena_strndup(struct arena *arena, const char *s, size_t len)
{
    char *copy = arena_alloc(arena, len + 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *arena_strdup(struct arena *arena, const char *s)
{
    return arena_strndup(arena, s, strlen(s));
}

char *arena_printf(struct arena *arena, const char *fmt, ...)
{
    va_list ap;
    int len;
    char *out;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    out = arena_alloc(arena, (size_t)len + 1);
    if (out == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return out;
}

void arena_reset(struct arena *arena)
{
    struct arena_chunk *keep = NULL, *chunk = arena->head, *next;

    /* Keep the oldest chunk when it is an ordinary one: the next request
     * starts in it without touching malloc. */
    while (chunk != NULL) {
        next = chunk->next;
        if (next == NULL && chunk->size == arena->chunk_size)
            keep = chunk;
        else
            free(chunk);
        chunk = next;
    }
    arena->head = keep;
    if (keep != NULL) {
        keep->next = NULL;
        keep->used = 0;
    }
}

void arena_free(struct arena *arena)
{
    struct arena_chunk *chunk = arena->head, *next;

    while (chunk != NULL) {
        next = chunk->next;
        free(chunk);
        chunk = next;
    }
    arena->head = NULL;
}

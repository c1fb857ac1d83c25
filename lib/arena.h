/*
 * arena.h - a request arena: bump allocation, released all at once.
 *
 * Every per-request allocation comes from the arena of the thread serving it and
 * is released by arena_reset() when the request ends, so handlers never free
 * piece by piece and an early return cannot leak. The first chunk is kept across
 * resets, so a typical request allocates nothing from malloc at all.
 */
#ifndef SHOP_ARENA_H
#define SHOP_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;   /* newest chunk first */
    size_t chunk_size;          /* size of ordinary chunks */
};

/* Prepares an empty arena whose chunks hold chunk_size bytes. */
void arena_init(struct arena *arena, size_t chunk_size);

/* size bytes aligned for any type, or NULL when memory is exhausted. */
void *arena_alloc(struct arena *arena, size_t size);

/* A NUL-terminated copy of the first len bytes of s, or NULL. */
char *arena_strndup(struct arena *arena, const char *s, size_t len);

/* A NUL-terminated copy of s, or NULL. */
char *arena_strdup(struct arena *arena, const char *s);

/* A formatted string, or NULL. */
char *arena_printf(struct arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Releases every allocation; keeps the first chunk for reuse. */
void arena_reset(struct arena *arena);

/* Releases everything, including the kept chunk. */
void arena_free(struct arena *arena);

#endif

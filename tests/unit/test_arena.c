/*
 * test_arena.c - the request arena hands out aligned, independent memory and
 * gives it all back at once.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "unit.h"

START_TEST(test_arena_allocations_are_aligned_and_distinct)
{
    struct arena arena;
    char *a, *b;

    arena_init(&arena, 1024);
    a = arena_alloc(&arena, 3);
    b = arena_alloc(&arena, 8);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq((uintptr_t)b % _Alignof(max_align_t), 0);
    ck_assert(b >= a + 3);
    arena_free(&arena);
}
END_TEST

START_TEST(test_arena_large_allocation_gets_own_chunk)
{
    struct arena arena;
    char *small, *big, *after;

    arena_init(&arena, 1024);
    small = arena_alloc(&arena, 16);
    big = arena_alloc(&arena, 100000);
    after = arena_alloc(&arena, 16);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', 100000);
    /* The ordinary chunk keeps serving small allocations after a big one. */
    ck_assert(after > small && after < small + 1024);
    arena_free(&arena);
}
END_TEST

START_TEST(test_arena_reset_reuses_first_chunk)
{
    struct arena arena;
    char *first, *again;

    arena_init(&arena, 1024);
    first = arena_alloc(&arena, 100);
    for (int i = 0; i < 100; i++)
        ck_assert_ptr_nonnull(arena_alloc(&arena, 200));
    arena_reset(&arena);
    again = arena_alloc(&arena, 100);
    ck_assert_ptr_eq(first, again);
    arena_free(&arena);
}
END_TEST

START_TEST(test_arena_printf_and_strndup_copy)
{
    struct arena arena;
    const char *source = "prod-123 and more";

    arena_init(&arena, 256);
    ck_assert_str_eq(arena_printf(&arena, "%s-%d", "order", 42), "order-42");
    ck_assert_str_eq(arena_strndup(&arena, source, 8), "prod-123");
    arena_free(&arena);
}
END_TEST

START_TEST(test_arena_refuses_impossible_size)
{
    struct arena arena;

    arena_init(&arena, 256);
    ck_assert_ptr_null(arena_alloc(&arena, SIZE_MAX - 4));
    arena_free(&arena);
}
END_TEST

UNIT_MAIN("arena", test_arena_allocations_are_aligned_and_distinct, test_arena_large_allocation_gets_own_chunk,
          test_arena_reset_reuses_first_chunk, test_arena_printf_and_strndup_copy, test_arena_refuses_impossible_size)

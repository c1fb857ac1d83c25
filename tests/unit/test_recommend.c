/*
 * test_recommend.c - recommendation scores: decay, weights, sources, reasons, ties and limits.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/interest.h"
#include "lib/recommend.h"
#include "unit.h"

#define HALF_LIFE_HOURS 72.0

/* Large structures live here, not on the test's stack; each test starts them afresh. */
static struct recommend_interest interest;
static struct recommend_candidate storage[RECOMMEND_MAX_CANDIDATES];
static struct recommend_candidates candidates;

static void start(const struct recommend_interaction *history, int count)
{
    recommend_interest_read(&interest, history, count, HALF_LIFE_HOURS);
    recommend_candidates_init(&candidates, storage, RECOMMEND_MAX_CANDIDATES);
}

/* The reason shown for the candidate at position i after scoring. */
static const char *reason_of(struct arena *arena, int i, const char *seed_name)
{
    struct recommend_reason reason;

    recommend_reason_pick(&interest, &candidates.items[i], &reason);
    return recommend_reason_text(arena, &reason, seed_name);
}

START_TEST(test_recommend_recent_view_outweighs_old_purchase)
{
    const struct recommend_interaction history[] = {
        {"book-1", "Books", INTEREST_VIEW, 1.0},
        {"toy-1", "Toys", INTEREST_PURCHASE, 30 * 24.0},
    };

    start(history, 2);
    ck_assert_int_eq(interest.category_count, 2);
    ck_assert_str_eq(interest.categories[0].name, "Books");
    ck_assert_str_eq(interest.categories[1].name, "Toys");
}
END_TEST

START_TEST(test_recommend_interest_halves_every_half_life)
{
    const struct recommend_interaction history[] = {
        {"book-1", "Books", INTEREST_VIEW, 0.0},
        {"toy-1", "Toys", INTEREST_VIEW, HALF_LIFE_HOURS},
        {"game-1", "Games", INTEREST_VIEW, 2 * HALF_LIFE_HOURS},
    };

    start(history, 3);
    ck_assert_double_eq_tol(interest.categories[0].score, 1.0, 1e-12);
    ck_assert_double_eq_tol(interest.categories[1].score, 0.5, 1e-12);
    ck_assert_double_eq_tol(interest.categories[2].score, 0.25, 1e-12);
    ck_assert_double_eq_tol(interest.total_score, 1.75, 1e-12);
}
END_TEST

START_TEST(test_recommend_purchase_outweighs_cart_outweighs_view_outweighs_search)
{
    const struct recommend_interaction history[] = {
        {NULL, "Searched", INTEREST_SEARCH, 1.0},
        {"v", "Viewed", INTEREST_VIEW, 1.0},
        {"c", "Carted", INTEREST_ADD_TO_CART, 1.0},
        {"b", "Bought", INTEREST_PURCHASE, 1.0},
    };

    start(history, 4);
    ck_assert_str_eq(interest.categories[0].name, "Bought");
    ck_assert_str_eq(interest.categories[1].name, "Carted");
    ck_assert_str_eq(interest.categories[2].name, "Viewed");
    ck_assert_str_eq(interest.categories[3].name, "Searched");
}
END_TEST

START_TEST(test_recommend_seeds_are_the_latest_distinct_products_never_searches)
{
    const struct recommend_interaction history[] = {
        {"p1", "A", INTEREST_VIEW, 0.1}, {"p1", "A", INTEREST_ADD_TO_CART, 0.2}, {"p2", "A", INTEREST_SEARCH, 0.3},
        {"p3", "A", INTEREST_VIEW, 0.4}, {"p4", "A", INTEREST_VIEW, 0.5},       {"p5", "A", INTEREST_VIEW, 0.6},
        {"p6", "A", INTEREST_VIEW, 0.7}, {"p7", "A", INTEREST_VIEW, 0.8},
    };
    const char *expected[RECOMMEND_SEEDS] = {"p1", "p3", "p4", "p5", "p6"};
    int i;

    start(history, 8);
    ck_assert_int_eq(interest.seed_count, RECOMMEND_SEEDS);
    for (i = 0; i < RECOMMEND_SEEDS; i++)
        ck_assert_str_eq(interest.seeds[i], expected[i]);
    ck_assert_int_eq(interest.seen_count, 6); /* p1 once, p2 only searched */
    ck_assert_int_eq(interest.category_count, 1);
}
END_TEST

START_TEST(test_recommend_empty_history_gives_what_is_popular_now)
{
    struct arena arena;

    arena_init(&arena, 1024);
    start(NULL, 0);
    ck_assert_int_eq(interest.category_count, 0);
    ck_assert_int_eq(interest.seed_count, 0);
    recommend_add_popular(&candidates, "hit", 0);
    recommend_add_featured(&candidates, "filler", 0);
    recommend_score(&candidates, &interest);
    ck_assert_int_eq(candidates.count, 2);
    ck_assert_str_eq(candidates.items[0].product_id, "hit");
    ck_assert_str_eq(reason_of(&arena, 0, NULL), "Popular now");
    ck_assert_str_eq(reason_of(&arena, 1, NULL), "Featured in the shop");
    arena_free(&arena);
}
END_TEST

START_TEST(test_recommend_best_sellers_lead_what_is_popular_for_a_new_shopper)
{
    struct arena arena;

    arena_init(&arena, 1024);
    start(NULL, 0);
    recommend_add_popular(&candidates, "viewed", 0);
    recommend_add_best_seller(&candidates, "bought", 0);
    recommend_add_best_seller(&candidates, "bought-less", 1);
    recommend_add_featured(&candidates, "filler", 0);
    recommend_score(&candidates, &interest);
    ck_assert_int_eq(candidates.count, 4);
    ck_assert_str_eq(candidates.items[0].product_id, "bought");
    ck_assert_str_eq(candidates.items[1].product_id, "bought-less");
    ck_assert_str_eq(candidates.items[2].product_id, "viewed");
    ck_assert_str_eq(reason_of(&arena, 0, NULL), "Best seller");
    ck_assert_str_eq(candidates.items[3].product_id, "filler");
    arena_free(&arena);
}
END_TEST

START_TEST(test_recommend_reason_names_the_strongest_kind_of_interest)
{
    const struct recommend_interaction history[] = {
        {"e1", "Electronics", INTEREST_VIEW, 1.0},
        {"e2", "Electronics", INTEREST_VIEW, 1.0},
        {"e3", "Electronics", INTEREST_PURCHASE, 1.0},
        {"b1", "Books", INTEREST_VIEW, 1.0},
    };
    struct arena arena;

    arena_init(&arena, 1024);
    start(history, 4);
    recommend_add_affinity(&candidates, &interest, 0, "e9", 0);
    recommend_add_affinity(&candidates, &interest, 1, "b9", 0);
    recommend_score(&candidates, &interest);
    ck_assert_str_eq(candidates.items[0].product_id, "e9");
    ck_assert_str_eq(reason_of(&arena, 0, NULL), "Because you bought Electronics");
    ck_assert_str_eq(reason_of(&arena, 1, NULL), "Because you viewed Books");
    arena_free(&arena);
}
END_TEST

START_TEST(test_recommend_reason_is_the_source_that_gave_most)
{
    const struct recommend_interaction history[] = {{"seed", "Books", INTEREST_VIEW, 1.0}};
    struct recommend_pair pairs[] = {{0, "both", 1.0}, {0, "partner", 0.5}};
    struct arena arena;

    arena_init(&arena, 1024);
    start(history, 1);
    /* "both" is the top of its category and a partner too: affinity weighs more. */
    recommend_add_affinity(&candidates, &interest, 0, "both", 0);
    recommend_add_viewed_with(&candidates, &interest, pairs, 2);
    recommend_add_popular(&candidates, "partner", 0);
    recommend_score(&candidates, &interest);
    ck_assert_str_eq(candidates.items[0].product_id, "both");
    ck_assert_str_eq(reason_of(&arena, 0, "Seed Lamp"), "Because you viewed Books");
    ck_assert_str_eq(candidates.items[1].product_id, "partner");
    ck_assert_str_eq(reason_of(&arena, 1, "Seed Lamp"), "Often viewed with Seed Lamp");
    ck_assert_str_eq(reason_of(&arena, 1, NULL), "Often viewed with what you looked at");
    arena_free(&arena);
}
END_TEST

START_TEST(test_recommend_partners_of_recent_seeds_and_top_ranks_come_first)
{
    const struct recommend_interaction history[] = {
        {"newer", "A", INTEREST_VIEW, 1.0},
        {"older", "A", INTEREST_VIEW, 2.0},
    };
    /* As a UNION returns them: in no particular order, and one row for a seed that is not there. */
    struct recommend_pair pairs[] = {
        {1, "older-top", 9.0}, {0, "newer-second", 1.0}, {0, "newer-top", 2.0}, {7, "stray", 99.0},
    };

    start(history, 2);
    recommend_add_viewed_with(&candidates, &interest, pairs, 4);
    recommend_score(&candidates, &interest);
    ck_assert_int_eq(candidates.count, 3);
    ck_assert_str_eq(candidates.items[0].product_id, "newer-top");
    ck_assert_str_eq(candidates.items[1].product_id, "newer-second");
    ck_assert_str_eq(candidates.items[2].product_id, "older-top");
    ck_assert_str_eq(candidates.items[2].because[RECOMMEND_SOURCE_VIEWED_WITH], "older");
}
END_TEST

START_TEST(test_recommend_products_already_seen_drop_behind)
{
    const struct recommend_interaction history[] = {{"seen", NULL, INTEREST_VIEW, 1.0}};

    start(history, 1);
    recommend_add_popular(&candidates, "seen", 0);
    recommend_add_popular(&candidates, "new", 5);
    recommend_score(&candidates, &interest);
    ck_assert_str_eq(candidates.items[0].product_id, "new");
    ck_assert_str_eq(candidates.items[1].product_id, "seen");
}
END_TEST

START_TEST(test_recommend_ties_break_on_product_id_whatever_the_input_order)
{
    start(NULL, 0);
    recommend_add_popular(&candidates, "b", 0);
    recommend_add_popular(&candidates, "c", 0);
    recommend_add_popular(&candidates, "a", 0);
    recommend_score(&candidates, &interest);
    ck_assert_str_eq(candidates.items[0].product_id, "a");
    ck_assert_str_eq(candidates.items[1].product_id, "b");
    ck_assert_str_eq(candidates.items[2].product_id, "c");
}
END_TEST

START_TEST(test_recommend_a_candidate_keeps_its_best_score_per_source)
{
    start(NULL, 0);
    recommend_add_popular(&candidates, "x", 0);
    recommend_add_popular(&candidates, "x", 30);
    recommend_add_popular(&candidates, "y", 1);
    recommend_score(&candidates, &interest);
    ck_assert_int_eq(candidates.count, 2);
    ck_assert_str_eq(candidates.items[0].product_id, "x");
}
END_TEST

START_TEST(test_recommend_candidates_beyond_capacity_are_dropped)
{
    struct recommend_candidate few[2];

    start(NULL, 0);
    recommend_candidates_init(&candidates, few, 2);
    recommend_add_featured(&candidates, "a", 0);
    recommend_add_featured(&candidates, "b", 1);
    recommend_add_featured(&candidates, "c", 2);
    recommend_add_popular(&candidates, "a", 0); /* a known candidate still gains */
    ck_assert_int_eq(candidates.count, 2);
    ck_assert_double_gt(candidates.items[0].parts[RECOMMEND_SOURCE_POPULAR], 0);
}
END_TEST

START_TEST(test_recommend_history_beyond_the_limit_is_ignored)
{
    static struct recommend_interaction history[RECOMMEND_MAX_INTERACTIONS + 1];
    static char names[RECOMMEND_MAX_INTERACTIONS + 1][16];
    int i;

    for (i = 0; i <= RECOMMEND_MAX_INTERACTIONS; i++) {
        snprintf(names[i], sizeof(names[i]), "c%d", i);
        history[i] = (struct recommend_interaction){names[i], names[i], INTEREST_VIEW, 1.0};
    }
    start(history, RECOMMEND_MAX_INTERACTIONS + 1);
    ck_assert_int_eq(interest.category_count, RECOMMEND_MAX_INTERACTIONS);
    ck_assert_int_eq(interest.seen_count, RECOMMEND_MAX_INTERACTIONS);
}
END_TEST

UNIT_MAIN("recommend", test_recommend_recent_view_outweighs_old_purchase, test_recommend_interest_halves_every_half_life,
          test_recommend_purchase_outweighs_cart_outweighs_view_outweighs_search,
          test_recommend_seeds_are_the_latest_distinct_products_never_searches,
          test_recommend_empty_history_gives_what_is_popular_now,
          test_recommend_best_sellers_lead_what_is_popular_for_a_new_shopper,
          test_recommend_reason_names_the_strongest_kind_of_interest, test_recommend_reason_is_the_source_that_gave_most,
          test_recommend_partners_of_recent_seeds_and_top_ranks_come_first,
          test_recommend_products_already_seen_drop_behind,
          test_recommend_ties_break_on_product_id_whatever_the_input_order,
          test_recommend_a_candidate_keeps_its_best_score_per_source,
          test_recommend_candidates_beyond_capacity_are_dropped, test_recommend_history_beyond_the_limit_is_ignored)

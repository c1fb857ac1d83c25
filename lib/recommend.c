/*
 * recommend.c - recommendation scores from plain inputs (see recommend.h).
 *
 * Every score is a source's weight, scaled by what the source knows (the
 * category's share of interest, the seed's recency), divided by 1 + damping *
 * rank: the tenth product of a list is still worth something, so a strong
 * source's long tail can beat a weak source's head. The weights are relative:
 * affinity is the shopper's own signal and leads; "popular now" and the
 * catalogue's filler fill the list for shoppers with little history. Best
 * sellers (what shoppers bought lately: the strongest signal the shop has
 * without the shopper's own) lead for a shopper with none, ahead of "popular
 * now"; the responder adds them only then.
 *
 * Ties are broken on names, never on input order, so the answer does not
 * depend on the order rows come back from the database.
 */
#include "recommend.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define RECOMMEND_SEEN_PENALTY 0.25        /* a product the shopper already looked at, shown again */
#define RECOMMEND_SEED_DECAY 0.7           /* each older seed's partners count this much less */

struct recommend_rule {
    double weight;
    double damping;                        /* per rank in the source's list */
};

static const struct recommend_rule recommend_rules[RECOMMEND_SOURCE_COUNT] = {
    [RECOMMEND_SOURCE_POPULAR] = {0.15, 0.05},
    [RECOMMEND_SOURCE_AFFINITY] = {1.0, 0.05},
    [RECOMMEND_SOURCE_VIEWED_WITH] = {0.6, 0.2},
    [RECOMMEND_SOURCE_BEST_SELLER] = {0.3, 0.05},
    [RECOMMEND_SOURCE_FEATURED] = {0.01, 0.01},
};

static bool recommend_listed(const char *const *list, int count, const char *id)
{
    int i;

    for (i = 0; i < count; i++)
        if (strcmp(list[i], id) == 0)
            return true;
    return false;
}

static int recommend_by_category(const void *a, const void *b)
{
    const struct recommend_category *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->name, y->name);
}

static struct recommend_category *recommend_category_find(struct recommend_interest *interest, const char *name)
{
    int k;

    for (k = 0; k < interest->category_count; k++)
        if (strcmp(interest->categories[k].name, name) == 0)
            return &interest->categories[k];
    memset(&interest->categories[k], 0, sizeof(interest->categories[k]));
    interest->categories[k].name = name;
    interest->category_count++;
    return &interest->categories[k];
}

void recommend_interest_read(struct recommend_interest *out, const struct recommend_interaction *history, int count,
                             double half_life_hours)
{
    int i;

    out->category_count = out->seed_count = out->seen_count = 0;
    out->total_score = 0;
    if (count > RECOMMEND_MAX_INTERACTIONS)
        count = RECOMMEND_MAX_INTERACTIONS; /* one category and one seen product per row at most */
    for (i = 0; i < count; i++) {
        const struct recommend_interaction *h = &history[i];
        double weight = interest_event_weight(h->event) * pow(0.5, h->age_hours / half_life_hours);

        if (h->category != NULL) {
            struct recommend_category *category = recommend_category_find(out, h->category);
            category->score += weight;
            category->event_score[h->event] += weight;
        }
        if (h->product_id != NULL && h->event != INTEREST_SEARCH &&
            !recommend_listed(out->seen, out->seen_count, h->product_id)) {
            out->seen[out->seen_count++] = h->product_id;
            if (out->seed_count < RECOMMEND_SEEDS)
                out->seeds[out->seed_count++] = h->product_id;
        }
    }
    qsort(out->categories, (size_t)out->category_count, sizeof(out->categories[0]), recommend_by_category);
    for (i = 0; i < out->category_count; i++)
        out->total_score += out->categories[i].score;
}

void recommend_candidates_init(struct recommend_candidates *set, struct recommend_candidate *items, int capacity)
{
    set->items = items;
    set->count = 0;
    set->capacity = capacity;
}

/* The candidate for product_id, new when unknown; NULL when the set is full. */
static struct recommend_candidate *recommend_candidate(struct recommend_candidates *set, const char *product_id)
{
    struct recommend_candidate *c;
    int i;

    for (i = 0; i < set->count; i++)
        if (strcmp(set->items[i].product_id, product_id) == 0)
            return &set->items[i];
    if (set->count == set->capacity)
        return NULL;
    c = &set->items[set->count++];
    memset(c, 0, sizeof(*c));
    c->product_id = product_id;
    return c;
}

/* Keeps the best score each source gives a candidate, and what was behind it. */
static void recommend_add(struct recommend_candidates *set, const char *product_id, enum recommend_source source,
                          double score, const char *because)
{
    struct recommend_candidate *c = recommend_candidate(set, product_id);

    if (c != NULL && score > c->parts[source]) {
        c->parts[source] = score;
        c->because[source] = because;
    }
}

/* A source's score for rank, scaled by factor (the caller's share of the weight). */
static double recommend_ranked(enum recommend_source source, double factor, int rank)
{
    return recommend_rules[source].weight * factor / (1.0 + recommend_rules[source].damping * rank);
}

void recommend_add_affinity(struct recommend_candidates *set, const struct recommend_interest *interest, int category,
                            const char *product_id, int rank)
{
    const struct recommend_category *c = &interest->categories[category];

    recommend_add(set, product_id, RECOMMEND_SOURCE_AFFINITY,
                  recommend_ranked(RECOMMEND_SOURCE_AFFINITY, c->score / interest->total_score, rank), c->name);
}

void recommend_add_popular(struct recommend_candidates *set, const char *product_id, int rank)
{
    recommend_add(set, product_id, RECOMMEND_SOURCE_POPULAR, recommend_ranked(RECOMMEND_SOURCE_POPULAR, 1.0, rank),
                  NULL);
}

void recommend_add_best_seller(struct recommend_candidates *set, const char *product_id, int rank)
{
    recommend_add(set, product_id, RECOMMEND_SOURCE_BEST_SELLER,
                  recommend_ranked(RECOMMEND_SOURCE_BEST_SELLER, 1.0, rank), NULL);
}

void recommend_add_featured(struct recommend_candidates *set, const char *product_id, int rank)
{
    recommend_add(set, product_id, RECOMMEND_SOURCE_FEATURED, recommend_ranked(RECOMMEND_SOURCE_FEATURED, 1.0, rank),
                  NULL);
}

static int recommend_by_pair(const void *a, const void *b)
{
    const struct recommend_pair *x = a, *y = b;

    if (x->seed != y->seed)
        return x->seed - y->seed;
    if (x->log_score != y->log_score)
        return x->log_score > y->log_score ? -1 : 1;
    return strcmp(y->other, x->other);
}

void recommend_add_viewed_with(struct recommend_candidates *set, const struct recommend_interest *interest,
                               struct recommend_pair *pairs, int count)
{
    int i, rank = 0;

    qsort(pairs, (size_t)count, sizeof(pairs[0]), recommend_by_pair);
    for (i = 0; i < count; i++) {
        const struct recommend_pair *p = &pairs[i];
        rank = i > 0 && p->seed == pairs[i - 1].seed ? rank + 1 : 0;
        if (p->seed >= 0 && p->seed < interest->seed_count)
            recommend_add(set, p->other, RECOMMEND_SOURCE_VIEWED_WITH,
                          recommend_ranked(RECOMMEND_SOURCE_VIEWED_WITH, pow(RECOMMEND_SEED_DECAY, p->seed), rank),
                          interest->seeds[p->seed]);
    }
}

static int recommend_by_score(const void *a, const void *b)
{
    const struct recommend_candidate *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->product_id, y->product_id);
}

void recommend_score(struct recommend_candidates *set, const struct recommend_interest *interest)
{
    int i, s;

    for (i = 0; i < set->count; i++) {
        struct recommend_candidate *c = &set->items[i];
        c->score = 0;
        for (s = 0; s < RECOMMEND_SOURCE_COUNT; s++)
            c->score += c->parts[s];
        if (recommend_listed(interest->seen, interest->seen_count, c->product_id))
            c->score *= RECOMMEND_SEEN_PENALTY;
    }
    qsort(set->items, (size_t)set->count, sizeof(set->items[0]), recommend_by_score);
}

/* The shopper's strongest kind of interest in category, for the reason's verb; a view when unknown. */
static enum interest_event recommend_strongest_event(const struct recommend_interest *interest, const char *category)
{
    int k, e, best = INTEREST_VIEW;

    for (k = 0; k < interest->category_count; k++) {
        const struct recommend_category *c = &interest->categories[k];
        if (strcmp(c->name, category) != 0)
            continue;
        for (e = 0; e < INTEREST_EVENT_COUNT; e++)
            if (c->event_score[e] > c->event_score[best])
                best = e;
    }
    return (enum interest_event)best;
}

void recommend_reason_pick(const struct recommend_interest *interest, const struct recommend_candidate *candidate,
                           struct recommend_reason *out)
{
    int best = RECOMMEND_SOURCE_FEATURED, s;

    for (s = 0; s < RECOMMEND_SOURCE_COUNT; s++)
        if (candidate->parts[s] > candidate->parts[best])
            best = s;
    out->source = (enum recommend_source)best;
    out->because = candidate->because[best];
    out->event = INTEREST_VIEW;
    if (out->source == RECOMMEND_SOURCE_AFFINITY)
        out->event = recommend_strongest_event(interest, out->because);
}

const char *recommend_reason_text(struct arena *arena, const struct recommend_reason *reason, const char *seed_name)
{
    switch (reason->source) {
    case RECOMMEND_SOURCE_AFFINITY:
        return arena_printf(arena, "Because you %s %s", interest_event_verb(reason->event), reason->because);
    case RECOMMEND_SOURCE_VIEWED_WITH:
        if (seed_name == NULL)
            return "Often viewed with what you looked at";
        return arena_printf(arena, "Often viewed with %s", seed_name);
    case RECOMMEND_SOURCE_POPULAR:
        return "Popular now";
    case RECOMMEND_SOURCE_BEST_SELLER:
        return "Best seller";
    default:
        return "Featured in the shop";
    }
}

/*
 * recommend.h - scoring recommendations: pure computation, no database, no HTTP.
 *
 * The recommendations responder reads the rows; this module decides what they
 * are worth. The steps, in the order the responder takes them:
 *   1. recommend_interest_read(): the shopper's recent interactions, each
 *      weighted by its kind (purchase > add to cart > view > search) and halved
 *      every half_life_hours, give each category a score; the most recent
 *      distinct products become seeds for "often viewed with".
 *   2. recommend_add_*(): candidates from each source, a score per source,
 *      damped by the candidate's rank in that source's list. A candidate keeps
 *      the best score each source gave it.
 *   3. recommend_score(): the sum over sources, a penalty for products the
 *      shopper already looked at, and the candidates in order, best first,
 *      ties broken on the product id so the same input gives the same answer.
 *   4. recommend_reason_pick() + recommend_reason_text(): the reason shown is
 *      the source that gave most ("Because you viewed Books").
 *
 * Strings are never copied: the structures point into the caller's input, which
 * must outlive them (in the responder, the request arena does).
 */
#ifndef SHOP_RECOMMEND_H
#define SHOP_RECOMMEND_H

#include "arena.h"
#include "interest.h"

/* These bound arrays and are pasted into SQL LIMITs, so they stay plain integers. */
#define RECOMMEND_MAX_INTERACTIONS 300  /* a shopper's history read: the LIMIT of its query */
#define RECOMMEND_SEEDS 5               /* recent products whose partners are candidates */
#define RECOMMEND_TOP_CATEGORIES 3      /* categories whose products are candidates */
#define RECOMMEND_MAX_CANDIDATES 512    /* more candidates than this are dropped */

/* Where a candidate comes from. The order matters: see recommend_reason_pick(). */
enum recommend_source {
    RECOMMEND_SOURCE_POPULAR,      /* the decayed popularity ranking */
    RECOMMEND_SOURCE_AFFINITY,     /* popular in a category the shopper likes */
    RECOMMEND_SOURCE_VIEWED_WITH,  /* other shoppers looked at it around a seed */
    RECOMMEND_SOURCE_BEST_SELLER,  /* most units ordered lately, all shoppers */
    RECOMMEND_SOURCE_FEATURED,     /* filler from the catalogue: a varied pick */
    RECOMMEND_SOURCE_COUNT,
};

/* One row of the shopper's history; product_id and category may be NULL (a search). */
struct recommend_interaction {
    const char *product_id;
    const char *category;
    enum interest_event event;
    double age_hours;
};

struct recommend_category {
    const char *name;
    double score;                                /* decayed, weighted sum of its events */
    double event_score[INTEREST_EVENT_COUNT];    /* the same, per kind of event */
};

/* What a shopper's history says: at most one entry per interaction read. */
struct recommend_interest {
    struct recommend_category categories[RECOMMEND_MAX_INTERACTIONS];  /* best first */
    int category_count;
    double total_score;                          /* of all categories */
    const char *seeds[RECOMMEND_SEEDS];          /* most recent first */
    int seed_count;
    const char *seen[RECOMMEND_MAX_INTERACTIONS];  /* products viewed, added or bought */
    int seen_count;
};

struct recommend_candidate {
    const char *product_id;
    double parts[RECOMMEND_SOURCE_COUNT];        /* the best score each source gave */
    const char *because[RECOMMEND_SOURCE_COUNT]; /* category or seed product behind each part */
    double score;                                /* set by recommend_score() */
};

/* Candidates in storage the caller owns (RECOMMEND_MAX_CANDIDATES is plenty). */
struct recommend_candidates {
    struct recommend_candidate *items;
    int count, capacity;
};

/* A "viewed together" row: seed is an index into recommend_interest.seeds. */
struct recommend_pair {
    int seed;
    const char *other;
    double log_score;
};

struct recommend_reason {
    enum recommend_source source;  /* the source that gave the candidate most */
    const char *because;           /* affinity: the category; viewed with: the seed product id */
    enum interest_event event;     /* affinity: the shopper's strongest kind of interest in it */
};

/*
 * Reads count interactions, newest first, into *out (count at most
 * RECOMMEND_MAX_INTERACTIONS; the rest are ignored). Categories end up sorted
 * by score, best first, ties by name. Searches count towards a category but
 * make no seed and no seen product.
 */
void recommend_interest_read(struct recommend_interest *out, const struct recommend_interaction *history, int count,
                             double half_life_hours);

/* An empty set of candidates in items[0 .. capacity). */
void recommend_candidates_init(struct recommend_candidates *set, struct recommend_candidate *items, int capacity);

/*
 * Adds product_id, at rank (0 = best) of the ranked list of interest's
 * category number category, in proportion to the category's share of all
 * interest.
 */
void recommend_add_affinity(struct recommend_candidates *set, const struct recommend_interest *interest, int category,
                            const char *product_id, int rank);

/* Adds product_id at rank (0 = best) of the popularity ranking. */
void recommend_add_popular(struct recommend_candidates *set, const char *product_id, int rank);

/* Adds product_id at rank (0 = best) of the best sellers (units ordered lately). */
void recommend_add_best_seller(struct recommend_candidates *set, const char *product_id, int rank);

/* Adds product_id at rank (0 = best) of the catalogue's filler list. */
void recommend_add_featured(struct recommend_candidates *set, const char *product_id, int rank);

/*
 * Adds the partners of interest's seeds. pairs need no order (it is sorted
 * here: by seed, then score, best first); a seed's partners are ranked among
 * themselves, and partners of older seeds count less. Rows whose seed is not
 * one of interest's are ignored.
 */
void recommend_add_viewed_with(struct recommend_candidates *set, const struct recommend_interest *interest,
                               struct recommend_pair *pairs, int count);

/* Sums each candidate's parts, damps the products already seen, and sorts best first. */
void recommend_score(struct recommend_candidates *set, const struct recommend_interest *interest);

/*
 * The reason for candidate: the source that gave it most. On a tie the filler
 * (RECOMMEND_SOURCE_FEATURED) wins, then the earlier in enum recommend_source.
 */
void recommend_reason_pick(const struct recommend_interest *interest, const struct recommend_candidate *candidate,
                           struct recommend_reason *out);

/*
 * The reason as shown to the shopper, from arena; NULL when out of memory.
 * seed_name is the name of the seed product for RECOMMEND_SOURCE_VIEWED_WITH
 * (NULL when unknown: a generic text is used) and ignored otherwise.
 */
const char *recommend_reason_text(struct arena *arena, const struct recommend_reason *reason, const char *seed_name);

#endif

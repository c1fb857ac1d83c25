/*
 * metrics_layout.h - the layout of a metrics file, shared by the process that
 * writes it (metrics.c) and the scrape that reads it (metrics_scrape.c).
 *
 * A file is a header (the program and its route labels, written once before
 * the file gets its final name) followed by one section per thread. A
 * section's words have one writer each, its thread, which stores them with
 * relaxed atomics; the scrape maps the file read-only and loads them the same
 * way, so it never sees a torn value. Files describe themselves (program,
 * routes), so the scrape needs no knowledge of the programs that wrote them,
 * and a file from an older build with other routes still adds up right.
 *
 * Names in the folder: "proc-<pid>-<random>.metrics" for a live (or dead)
 * process, "archive-<program>.metrics" for the sum of a program's dead
 * processes, "lock" for the scrape's lock. Anything else is ignored.
 */
#ifndef SHOP_METRICS_LAYOUT_H
#define SHOP_METRICS_LAYOUT_H

#include <stdint.h>

#include "metrics.h"

#define METRICS_MAGIC 0x53484f504d455452ULL /* "SHOPMETR" */
#define METRICS_VERSION 2 /* 2: METRICS_REDIS_MASTER_CHANGED */
#define METRICS_ROUTE_SLOTS (METRICS_MAX_ROUTES + 1) /* one more slot counts unmatched requests */
#define METRICS_UNMATCHED_ROUTE METRICS_MAX_ROUTES
#define METRICS_MAX_SECTIONS 64
#define METRICS_PROGRAM_MAX 32
#define METRICS_METHOD_MAX 8
#define METRICS_PATTERN_MAX 64
#define METRICS_PROC_PREFIX "proc-"
#define METRICS_ARCHIVE_PREFIX "archive-"
#define METRICS_SUFFIX ".metrics"
#define METRICS_LOCK_NAME "lock"

/* The HTTP statuses counted on their own; any other is counted as METRICS_STATUS_OTHER. */
#define METRICS_STATUS_CODES \
    200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 500, 502, 503, 504
#define METRICS_STATUS_COUNT 20
#define METRICS_STATUS_OTHER METRICS_STATUS_COUNT
#define METRICS_STATUS_SLOTS (METRICS_STATUS_COUNT + 1)

/* Latency bucket upper bounds in microseconds; the last slot is +Inf. */
#define METRICS_BUCKET_BOUNDS_US \
    250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 10000000
#define METRICS_BUCKET_COUNT 14
#define METRICS_BUCKET_SLOTS (METRICS_BUCKET_COUNT + 1)

struct metrics_route_stats {
    uint64_t requests[METRICS_STATUS_SLOTS];
    uint64_t buckets[METRICS_BUCKET_SLOTS];     /* per bucket, not cumulative: the scrape sums them up */
    uint64_t duration_us;
};

struct metrics_section {
    uint64_t counters[METRICS_COUNTER_COUNT];
    uint64_t last_batch_ms;                     /* a gauge: the scrape takes the largest */
    struct metrics_route_stats routes[METRICS_ROUTE_SLOTS];
};

struct metrics_route_label {
    char method[METRICS_METHOD_MAX];
    char pattern[METRICS_PATTERN_MAX];
};

struct metrics_header {
    uint64_t magic;
    uint32_t version;
    uint32_t sections;
    uint32_t route_count;
    uint32_t reserved;
    char program[METRICS_PROGRAM_MAX];
    struct metrics_route_label routes[METRICS_MAX_ROUTES];
};

/* The size of a file of sections sections. */
#define METRICS_FILE_SIZE(sections) \
    (sizeof(struct metrics_header) + (size_t)(sections) * sizeof(struct metrics_section))

/* The sections that follow a mapped header. */
#define METRICS_SECTIONS(header) ((struct metrics_section *)(void *)((char *)(header) + sizeof(struct metrics_header)))

#endif

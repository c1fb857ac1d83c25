/*
 * metrics_scrape.h - the sum of every metrics file on the host, as Prometheus text.
 *
 * metrics_scrape_collect() adds up the files in metrics_dir (metrics.h) by
 * program: counters and requests are summed, the route labels come from the
 * files themselves. Files of processes that ended are folded into their
 * program's archive file first, so a restart never makes a counter go back.
 * The whole scrape holds the folder's lock: two scrapes at once would
 * otherwise count a file twice while one of them folds it away.
 *
 * The text format is Prometheus's 0.0.4: # HELP and # TYPE once per family,
 * label values escaped (backslash, double quote, newline).
 */
#ifndef SHOP_METRICS_SCRAPE_H
#define SHOP_METRICS_SCRAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define METRICS_SCRAPE_MAX_PROGRAMS 32
#define METRICS_SCRAPE_MAX_FILES 4096

/* Text that grows in an arena. */
struct metrics_text {
    struct arena *arena;
    char *data;
    size_t len, cap;
    bool failed;                  /* out of memory: the text is incomplete */
};

struct metrics_program;           /* one program's sums (metrics_scrape.c) */

struct metrics_totals {
    struct metrics_program *programs;
    int count;
    int live_files;               /* processes counting now */
    int folded_files;             /* files of ended processes folded into archives by this scrape */
};

/* An empty text in arena. */
void metrics_text_init(struct metrics_text *text, struct arena *arena);

/* Appends formatted text. */
void metrics_text_printf(struct metrics_text *text, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends value as a label value, escaped as the text format wants. */
void metrics_text_label(struct metrics_text *text, const char *value);

/* Appends "# HELP name help\n# TYPE name type\n". */
void metrics_text_family(struct metrics_text *text, const char *name, const char *type, const char *help);

/*
 * Sums the files in dir into *totals (in arena), folding those of ended
 * processes into archives. SHOP_ERR_UNAVAILABLE when the folder cannot be
 * read or locked (logged).
 */
int metrics_scrape_collect(const char *dir, struct arena *arena, struct metrics_totals *totals);

/* Appends the families the files hold: requests, latency, services, worker, events. */
void metrics_scrape_render(struct metrics_text *text, const struct metrics_totals *totals);

#endif

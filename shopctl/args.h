/*
 * args.h - a command's options, read from a table and checked before anything
 * runs (the shape of fcgi-apps/orders.c's shipping_fields[]).
 *
 * Each option names where its value goes (offsetof in the command's options
 * struct), its kind and its bounds; every bad or unknown argument is reported
 * at once, and the command stops with SHOPCTL_USAGE having changed nothing.
 */
#ifndef SHOPCTL_ARGS_H
#define SHOPCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum shopctl_option_kind {
    SHOPCTL_OPTION_FLAG,          /* bool, no value */
    SHOPCTL_OPTION_TEXT,          /* const char *, checked by check */
    SHOPCTL_OPTION_INT,           /* long long from min to max */
};

struct shopctl_option {
    const char *name;             /* "--limit" */
    enum shopctl_option_kind kind;
    size_t offset;                /* of the value in the options struct */
    long long min, max;           /* SHOPCTL_OPTION_INT */
    bool (*check)(const char *value); /* SHOPCTL_OPTION_TEXT; NULL accepts any value up to 1000 bytes */
    const char *expects;          /* what a good value is, for the error ("a number from 1 to 1000") */
};

/* The arguments that are not options, in order. */
struct shopctl_positionals {
    char **values;
    int count;
};

/*
 * Reads argv (argc of them) for command: options into out as the table says,
 * the rest into positionals (at most max_positionals; values point into
 * argv). SHOPCTL_DONE, or SHOPCTL_USAGE after saying what was wrong.
 */
int shopctl_args_parse(const char *command, const struct shopctl_option *table, size_t count, int argc, char **argv,
                       void *out, int max_positionals, struct shopctl_positionals *positionals);

#endif

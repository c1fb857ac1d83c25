/*
 * args.c - options from a table (see args.h).
 */
#include "shopctl/args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shopctl/shopctl.h"

#define ARGS_TEXT_MAX 1000

static const struct shopctl_option *args_find(const struct shopctl_option *table, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    }
    return NULL;
}

/* Stores value for option o into out; false when it is not acceptable. */
static bool args_store(const struct shopctl_option *o, const char *value, void *out)
{
    char *field = (char *)out + o->offset;
    char *end;
    long long number;

    if (o->kind == SHOPCTL_OPTION_INT) {
        errno = 0;
        number = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || value[0] == '+' || value[0] == ' ' || number < o->min ||
            number > o->max)
            return false;
        *(long long *)(void *)field = number;
        return true;
    }
    if (strlen(value) > ARGS_TEXT_MAX || (o->check != NULL && !o->check(value)))
        return false;
    *(const char **)(void *)field = value;
    return true;
}

int shopctl_args_parse(const char *command, const struct shopctl_option *table, size_t count, int argc, char **argv,
                       void *out, int max_positionals, struct shopctl_positionals *positionals)
{
    bool bad = false;

    positionals->values = argv;
    positionals->count = 0;
    for (int i = 0; i < argc; i++) {
        const struct shopctl_option *o = argv[i][0] == '-' ? args_find(table, count, argv[i]) : NULL;

        if (o == NULL && argv[i][0] == '-') {
            fprintf(stderr, "shopctl: %s does not take %s (see shopctl --help)\n", command, argv[i]);
            bad = true;
        } else if (o == NULL && positionals->count >= max_positionals) {
            fprintf(stderr, "shopctl: %s does not take %s (see shopctl --help)\n", command, argv[i]);
            bad = true;
        } else if (o == NULL) {
            positionals->values[positionals->count++] = argv[i]; /* argv is rewritten in place, never ahead of i */
        } else if (o->kind == SHOPCTL_OPTION_FLAG) {
            *(bool *)(void *)((char *)out + o->offset) = true;
        } else if (i + 1 == argc) {
            fprintf(stderr, "shopctl: %s: %s needs a value: %s\n", command, o->name, o->expects);
            bad = true;
        } else if (!args_store(o, argv[++i], out)) {
            fprintf(stderr, "shopctl: %s: %s must be %s\n", command, o->name, o->expects);
            bad = true;
        }
    }
    return bad ? SHOPCTL_USAGE : SHOPCTL_DONE;
}

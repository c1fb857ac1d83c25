/*
 * metrics.c - a process's own metrics file, and counting into it (see metrics.h).
 *
 * The file is made under a temporary name, locked (shared flock, held until
 * the process ends), filled with its header and only then renamed to its
 * final name: a scrape never sees a file whose owner has not locked it yet,
 * which it would take for a dead one.
 *
 * Counting: each thread points at its own section (thread-local), so a count
 * is a relaxed load and store of a word nobody else writes: no lock prefix, no
 * contended cache line, no system call.
 */
#define _GNU_SOURCE /* O_CLOEXEC in fcntl.h */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "metrics_layout.h"
#include "settings.h"

struct metrics_settings {
    const char *enabled;          /* "on" or "off" */
    const char *dir;
};

static int metrics_check_switch(const char *value)
{
    return strcmp(value, "on") == 0 || strcmp(value, "off") == 0 ? SHOP_OK : SHOP_ERR_INVALID;
}

static int metrics_check_dir(const char *value)
{
    return value[0] == '/' ? SHOP_OK : SHOP_ERR_INVALID;
}

static const struct setting metrics_settings_table[] = {
    {"metrics", SETTING_TEXT, offsetof(struct metrics_settings, enabled), "on", 0, 2, 3, metrics_check_switch},
    {"metrics_dir", SETTING_TEXT, offsetof(struct metrics_settings, dir), METRICS_DEFAULT_DIR, 0, 1, 200,
     metrics_check_dir},
};

/* Set once by metrics_open() before any thread starts; read-only afterwards. */
static struct metrics_settings metrics_config = {"on", METRICS_DEFAULT_DIR};
static struct metrics_header *metrics_file;     /* NULL: not counting */
static int metrics_section_count;
static __thread struct metrics_section *metrics_mine;

static void metrics_bump(uint64_t *word, uint64_t n)
{
    __atomic_store_n(word, __atomic_load_n(word, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* Writes the header into the mapped file. */
static void metrics_fill_header(struct metrics_header *header, const char *program, const char *const *methods,
                                const char *const *patterns, int route_count, int sections)
{
    int i;

    header->magic = METRICS_MAGIC;
    header->version = METRICS_VERSION;
    header->sections = (uint32_t)sections;
    header->route_count = (uint32_t)route_count;
    snprintf(header->program, sizeof(header->program), "%s", program);
    for (i = 0; i < route_count; i++) {
        snprintf(header->routes[i].method, sizeof(header->routes[i].method), "%s", methods[i]);
        snprintf(header->routes[i].pattern, sizeof(header->routes[i].pattern), "%s", patterns[i]);
    }
}

/* Makes, locks, maps and names this process's file; SHOP_ERR_UNAVAILABLE when the folder is not writable. */
static int metrics_make_file(const char *program, const char *const *methods, const char *const *patterns,
                             int route_count, int sections)
{
    char temporary[512], final[512], suffix[17];
    unsigned char random[8];
    size_t size = METRICS_FILE_SIZE(sections);
    void *map;
    int fd;

    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(suffix, sizeof(suffix), random, sizeof(random));
    snprintf(temporary, sizeof(temporary), "%s/tmp-%ld-%s", metrics_config.dir, (long)getpid(), suffix);
    snprintf(final, sizeof(final), "%s/" METRICS_PROC_PREFIX "%ld-%s" METRICS_SUFFIX, metrics_config.dir,
             (long)getpid(), suffix);
    if ((fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        return SHOP_ERR_UNAVAILABLE;
    if (flock(fd, LOCK_SH) != 0 || ftruncate(fd, (off_t)size) != 0 ||
        (map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        close(fd);
        unlink(temporary);
        return SHOP_ERR_UNAVAILABLE;
    }
    metrics_fill_header(map, program, methods, patterns, route_count, sections);
    if (rename(temporary, final) != 0) {
        munmap(map, size);
        close(fd);
        unlink(temporary);
        return SHOP_ERR_UNAVAILABLE;
    }
    /* fd stays open, unclosed, for the life of the process: it holds the lock that says "alive". */
    metrics_file = map;
    metrics_section_count = sections;
    return SHOP_OK;
}

int metrics_open(const char *program, const char *const *methods, const char *const *patterns, int route_count,
                 int sections)
{
    struct metrics_settings loaded = metrics_config;

    if (settings_read_table(metrics_settings_table, sizeof(metrics_settings_table) / sizeof(metrics_settings_table[0]),
                            &loaded) != SHOP_OK)
        return SHOP_ERR_INVALID;
    metrics_config = loaded;
    if (strcmp(metrics_config.enabled, "off") == 0)
        return SHOP_OK;
    if (route_count > METRICS_MAX_ROUTES || sections < 1 || sections > METRICS_MAX_SECTIONS ||
        strlen(program) >= METRICS_PROGRAM_MAX) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=metrics_layout_exceeded routes=%d max=%d", route_count,
                  METRICS_MAX_ROUTES);
        return SHOP_ERR_INVALID;
    }
    if (sodium_init() < 0 || metrics_make_file(program, methods, patterns, route_count, sections) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=metrics_unavailable dir=%s error=\"%s\"", metrics_config.dir,
                  strerror(errno));
    return SHOP_OK;
}

bool metrics_enabled(void)
{
    return metrics_file != NULL;
}

const char *metrics_dir(void)
{
    return metrics_config.dir;
}

void metrics_attach_thread(int section)
{
    if (metrics_file != NULL && section >= 0 && section < metrics_section_count)
        metrics_mine = &METRICS_SECTIONS(metrics_file)[section];
}

void metrics_add(enum metrics_counter counter, unsigned long long n)
{
    if (metrics_mine != NULL && (unsigned)counter < METRICS_COUNTER_COUNT)
        metrics_bump(&metrics_mine->counters[counter], n);
}

static int metrics_status_slot(int status)
{
    static const int codes[METRICS_STATUS_COUNT] = {METRICS_STATUS_CODES};
    int i;

    for (i = 0; i < METRICS_STATUS_COUNT; i++) {
        if (codes[i] == status)
            return i;
    }
    return METRICS_STATUS_OTHER;
}

static int metrics_bucket_slot(long long microseconds)
{
    static const long long bounds[METRICS_BUCKET_COUNT] = {METRICS_BUCKET_BOUNDS_US};
    int i;

    for (i = 0; i < METRICS_BUCKET_COUNT; i++) {
        if (microseconds <= bounds[i])
            return i;
    }
    return METRICS_BUCKET_COUNT;
}

void metrics_count_request(int route, int status, long long microseconds)
{
    struct metrics_route_stats *stats;

    if (metrics_mine == NULL)
        return;
    if (route < 0 || route >= (int)metrics_file->route_count)
        route = METRICS_UNMATCHED_ROUTE;
    if (microseconds < 0)
        microseconds = 0;
    stats = &metrics_mine->routes[route];
    metrics_bump(&stats->requests[metrics_status_slot(status)], 1);
    metrics_bump(&stats->buckets[metrics_bucket_slot(microseconds)], 1);
    metrics_bump(&stats->duration_us, (uint64_t)microseconds);
}

void metrics_note_batch(long long now_ms)
{
    if (metrics_mine != NULL)
        __atomic_store_n(&metrics_mine->last_batch_ms, (uint64_t)now_ms, __ATOMIC_RELAXED);
}

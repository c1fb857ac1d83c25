/*
 * metrics_scrape.c - summing the metrics files and writing them as Prometheus text
 * (see metrics_scrape.h).
 *
 * A program's sums have the shape of a metrics file of one section, which is
 * also what an archive file is: folding a dead process into its archive and
 * adding a file to a scrape's sums are the same operation (metrics_fold).
 *
 * An archive is replaced whole (a new file renamed over it), then the dead
 * file is removed. A crash between the two counts the dead file twice: a
 * counter jumps up, which Prometheus's rate() survives, where the other order
 * would lose counts and make it go back.
 */
#define _GNU_SOURCE /* O_CLOEXEC, O_DIRECTORY */
#include "metrics_scrape.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "metrics_layout.h"

#define METRICS_TEXT_START 16384
#define METRICS_PROGRAM_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-"

/* One program's sums: the layout of a one-section file (and of an archive). */
struct metrics_program {
    struct metrics_header header;
    struct metrics_section sum;
};

/* How each process-wide counter is shown: its family, and the one label that tells it from its siblings. */
struct metrics_counter_view {
    const char *family;
    const char *help;
    const char *label;            /* NULL: none besides program */
    const char *value;
    const char *only_program;     /* shown for this program even when zero; NULL: for every program */
};

static const struct metrics_counter_view metrics_counter_views[METRICS_COUNTER_COUNT] = {
    [METRICS_DB_CONNECT_FAILED] = {"fcgi_shop_db_errors_total",
        "MariaDB failures by kind.", "kind", "connect_failed", NULL},
    [METRICS_DB_CONNECTION_LOST] = {"fcgi_shop_db_errors_total", NULL, "kind", "connection_lost", NULL},
    [METRICS_DB_DEADLOCK] = {"fcgi_shop_db_errors_total", NULL, "kind", "deadlock", NULL},
    [METRICS_DB_ERROR] = {"fcgi_shop_db_errors_total", NULL, "kind", "error", NULL},
    [METRICS_DB_RECONNECT] = {"fcgi_shop_db_reconnects_total",
        "MariaDB connections made again after one was lost or refused.", NULL, NULL, NULL},
    [METRICS_REDIS_CONNECT_FAILED] = {"fcgi_shop_redis_errors_total",
        "Redis failures by kind.", "kind", "connect_failed", NULL},
    [METRICS_REDIS_CONNECTION_LOST] = {"fcgi_shop_redis_errors_total", NULL, "kind", "connection_lost", NULL},
    [METRICS_REDIS_ERROR] = {"fcgi_shop_redis_errors_total", NULL, "kind", "error", NULL},
    [METRICS_REDIS_RECONNECT] = {"fcgi_shop_redis_reconnects_total",
        "Redis connections made again after one was lost or refused.", NULL, NULL, NULL},
    [METRICS_REDIS_MASTER_CHANGED] = {"fcgi_shop_redis_master_changes_total",
        "Redis primaries found at a new address through Sentinel (failovers seen).", NULL, NULL, NULL},
    [METRICS_WORKER_BATCHES] = {"fcgi_shop_worker_batches_total",
        "Batches of order messages the workers handled.", NULL, NULL, "worker"},
    [METRICS_WORKER_BATCH_MESSAGES] = {"fcgi_shop_worker_batch_messages_total",
        "Order messages in those batches.", NULL, NULL, "worker"},
    [METRICS_ORDERS_PROCESSED] = {"fcgi_shop_worker_orders_total",
        "How the orders the workers handled ended.", "outcome", "processed", "worker"},
    [METRICS_ORDERS_PAYMENT_FAILED] = {"fcgi_shop_worker_orders_total", NULL, "outcome", "payment_failed", "worker"},
    [METRICS_ORDERS_RETRIED] = {"fcgi_shop_worker_orders_total", NULL, "outcome", "retried", "worker"},
    [METRICS_ORDERS_DEAD_LETTERED] = {"fcgi_shop_worker_orders_total", NULL, "outcome", "dead_lettered", "worker"},
    [METRICS_PAYMENT_CHARGED] = {"fcgi_shop_payments_total",
        "Calls to the payment gateway by outcome.", "outcome", "charged", "worker"},
    [METRICS_PAYMENT_DECLINED] = {"fcgi_shop_payments_total", NULL, "outcome", "declined", "worker"},
    [METRICS_PAYMENT_TRANSIENT_FAILURE] = {"fcgi_shop_payments_total", NULL, "outcome", "transient_failure", "worker"},
    [METRICS_EMAIL_SENT] = {"fcgi_shop_emails_total",
        "Order confirmation deliveries by outcome.", "outcome", "sent", "worker"},
    [METRICS_EMAIL_FAILED] = {"fcgi_shop_emails_total", NULL, "outcome", "failed", "worker"},
    [METRICS_EMAIL_GIVEN_UP] = {"fcgi_shop_emails_total", NULL, "outcome", "given_up", "worker"},
    [METRICS_EVENT_ACCEPTED] = {"fcgi_shop_events_total",
        "Interest events by outcome.", "outcome", "accepted", "events"},
    [METRICS_EVENT_RATE_LIMITED] = {"fcgi_shop_events_total", NULL, "outcome", "rate_limited", "events"},
};

static const int metrics_status_codes[METRICS_STATUS_COUNT] = {METRICS_STATUS_CODES};
static const long long metrics_bucket_bounds[METRICS_BUCKET_COUNT] = {METRICS_BUCKET_BOUNDS_US};

void metrics_text_init(struct metrics_text *text, struct arena *arena)
{
    *text = (struct metrics_text){.arena = arena};
}

/* Room for need more bytes and the NUL; false when out of memory. */
static bool metrics_text_reserve(struct metrics_text *text, size_t need)
{
    size_t cap = text->cap > 0 ? text->cap : METRICS_TEXT_START;
    char *grown;

    if (text->failed)
        return false;
    if (text->len + need + 1 <= text->cap)
        return true;
    while (cap < text->len + need + 1)
        cap *= 2;
    /* The old buffer stays in the arena until the request ends: doubling keeps that waste below the final size. */
    if ((grown = arena_alloc(text->arena, cap)) == NULL) {
        text->failed = true;
        return false;
    }
    if (text->len > 0)
        memcpy(grown, text->data, text->len);
    text->data = grown;
    text->cap = cap;
    return true;
}

void metrics_text_printf(struct metrics_text *text, const char *fmt, ...)
{
    va_list args;
    int need;

    /* Formatted straight into the room left; only a line that does not fit is formatted twice. */
    if (!metrics_text_reserve(text, 0))
        return;
    va_start(args, fmt);
    need = vsnprintf(text->data + text->len, text->cap - text->len, fmt, args);
    va_end(args);
    if (need < 0)
        return;
    if (text->len + (size_t)need + 1 > text->cap) {
        if (!metrics_text_reserve(text, (size_t)need))
            return;
        va_start(args, fmt);
        vsnprintf(text->data + text->len, (size_t)need + 1, fmt, args);
        va_end(args);
    }
    text->len += (size_t)need;
}

static void metrics_text_append(struct metrics_text *text, const char *bytes, size_t len)
{
    if (!metrics_text_reserve(text, len))
        return;
    memcpy(text->data + text->len, bytes, len);
    text->len += len;
    text->data[text->len] = '\0';
}

void metrics_text_label(struct metrics_text *text, const char *value)
{
    while (*value != '\0') {
        size_t plain = strcspn(value, "\\\"\n");
        metrics_text_append(text, value, plain);
        value += plain;
        if (*value == '\0')
            break;
        metrics_text_append(text, *value == '\n' ? "\\n" : *value == '"' ? "\\\"" : "\\\\", 2);
        value++;
    }
}

void metrics_text_family(struct metrics_text *text, const char *name, const char *type, const char *help)
{
    metrics_text_printf(text, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static uint64_t metrics_load(const uint64_t *word)
{
    return __atomic_load_n(word, __ATOMIC_RELAXED);
}

/* The slot of src's route in dst's labels, added when new; the unmatched slot when full. */
static int metrics_route_slot(struct metrics_header *dst, const struct metrics_route_label *label)
{
    uint32_t i;

    for (i = 0; i < dst->route_count; i++) {
        if (strcmp(dst->routes[i].method, label->method) == 0 && strcmp(dst->routes[i].pattern, label->pattern) == 0)
            return (int)i;
    }
    if (dst->route_count == METRICS_MAX_ROUTES)
        return METRICS_UNMATCHED_ROUTE;
    dst->routes[dst->route_count] = *label;
    return (int)dst->route_count++;
}

static void metrics_add_route(struct metrics_route_stats *dst, const struct metrics_route_stats *src)
{
    int i;

    for (i = 0; i < METRICS_STATUS_SLOTS; i++)
        dst->requests[i] += metrics_load(&src->requests[i]);
    for (i = 0; i < METRICS_BUCKET_SLOTS; i++)
        dst->buckets[i] += metrics_load(&src->buckets[i]);
    dst->duration_us += metrics_load(&src->duration_us);
}

/* Adds every section of a file (header, sections) into a program's sums. */
static void metrics_fold(struct metrics_program *dst, const struct metrics_header *header,
                         const struct metrics_section *sections)
{
    uint32_t s, r;
    int c, slot[METRICS_ROUTE_SLOTS];

    for (r = 0; r < header->route_count; r++)
        slot[r] = metrics_route_slot(&dst->header, &header->routes[r]);
    for (s = 0; s < header->sections; s++) {
        const struct metrics_section *src = &sections[s];
        uint64_t last = metrics_load(&src->last_batch_ms);
        for (c = 0; c < METRICS_COUNTER_COUNT; c++)
            dst->sum.counters[c] += metrics_load(&src->counters[c]);
        if (last > dst->sum.last_batch_ms)
            dst->sum.last_batch_ms = last;
        for (r = 0; r < header->route_count; r++)
            metrics_add_route(&dst->sum.routes[slot[r]], &src->routes[r]);
        metrics_add_route(&dst->sum.routes[METRICS_UNMATCHED_ROUTE], &src->routes[METRICS_UNMATCHED_ROUTE]);
    }
}

/* A header that can be trusted for a file of size bytes. */
static bool metrics_header_valid(const struct metrics_header *header, size_t size)
{
    return size >= sizeof(*header) && header->magic == METRICS_MAGIC && header->version == METRICS_VERSION &&
           header->sections >= 1 && header->sections <= METRICS_MAX_SECTIONS &&
           header->route_count <= METRICS_MAX_ROUTES && size >= METRICS_FILE_SIZE(header->sections) &&
           memchr(header->program, '\0', sizeof(header->program)) != NULL && header->program[0] != '\0' &&
           strspn(header->program, METRICS_PROGRAM_CHARS) == strlen(header->program); /* it names the archive */
}

/* The sums of program in totals, added when new; NULL when there are too many programs. */
static struct metrics_program *metrics_program_of(struct metrics_totals *totals, const char *program)
{
    int i;

    for (i = 0; i < totals->count; i++) {
        if (strcmp(totals->programs[i].header.program, program) == 0)
            return &totals->programs[i];
    }
    if (totals->count == METRICS_SCRAPE_MAX_PROGRAMS)
        return NULL;
    struct metrics_program *p = &totals->programs[totals->count++];
    memset(p, 0, sizeof(*p));
    p->header.magic = METRICS_MAGIC;
    p->header.version = METRICS_VERSION;
    p->header.sections = 1;
    snprintf(p->header.program, sizeof(p->header.program), "%s", program);
    return p;
}

/* Reads an archive (or leaves *archive empty for program when there is none). */
static void metrics_archive_read(int dir_fd, const char *name, const char *program, struct metrics_program *archive)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, archive, sizeof(*archive)) : -1;

    if (fd >= 0)
        close(fd);
    if (got == (ssize_t)sizeof(*archive) && metrics_header_valid(&archive->header, sizeof(*archive)) &&
        archive->header.sections == 1 && strcmp(archive->header.program, program) == 0)
        return;
    memset(archive, 0, sizeof(*archive));
    archive->header.magic = METRICS_MAGIC;
    archive->header.version = METRICS_VERSION;
    archive->header.sections = 1;
    snprintf(archive->header.program, sizeof(archive->header.program), "%s", program);
}

/* Folds a dead process's mapped file into its program's archive, then removes it. */
static int metrics_archive_fold(int dir_fd, const char *name, const struct metrics_header *header)
{
    struct metrics_program archive;
    char archive_name[128], temporary[160];
    int fd;

    snprintf(archive_name, sizeof(archive_name), METRICS_ARCHIVE_PREFIX "%s" METRICS_SUFFIX, header->program);
    snprintf(temporary, sizeof(temporary), "tmp-%s", archive_name);
    metrics_archive_read(dir_fd, archive_name, header->program, &archive);
    metrics_fold(&archive, header, METRICS_SECTIONS(header));
    fd = openat(dir_fd, temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, &archive, sizeof(archive)) != (ssize_t)sizeof(archive) || fsync(fd) != 0 ||
        renameat(dir_fd, temporary, dir_fd, archive_name) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=metrics_archive_failed file=%s error=\"%s\"", archive_name,
                  strerror(errno));
        if (fd >= 0)
            close(fd);
        unlinkat(dir_fd, temporary, 0);
        return SHOP_ERR_INTERNAL;
    }
    close(fd);
    unlinkat(dir_fd, name, 0);
    return SHOP_OK;
}

static bool metrics_name_has(const char *name, const char *prefix)
{
    size_t len = strlen(name), suffix = sizeof(METRICS_SUFFIX) - 1;

    return strncmp(name, prefix, strlen(prefix)) == 0 && len > suffix &&
           strcmp(name + len - suffix, METRICS_SUFFIX) == 0;
}

/*
 * One file: a live process's (its owner's shared lock keeps ours out) or an
 * archive is added to the sums; a dead process's is folded into its archive,
 * which this scrape reads afterwards.
 */
static void metrics_scrape_file(int dir_fd, const char *name, bool archive_pass, struct metrics_totals *totals)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *map;
    bool live = false;

    if (fd < 0)
        return;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(struct metrics_header) ||
        (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        close(fd);
        return;
    }
    if (!archive_pass)
        live = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (metrics_header_valid(map, (size_t)st.st_size)) {
        const struct metrics_header *header = map;
        struct metrics_program *sums = NULL;
        if (archive_pass || live)
            sums = metrics_program_of(totals, header->program);
        if (sums != NULL)
            metrics_fold(sums, header, METRICS_SECTIONS(header));
        if (live)
            totals->live_files++;
        else if (!archive_pass && metrics_archive_fold(dir_fd, name, header) == SHOP_OK)
            totals->folded_files++;
    }
    munmap(map, (size_t)st.st_size);
    close(fd);
}

/* Process files first (folding the dead into archives), then the archives. */
static int metrics_scrape_dir(int dir_fd, struct metrics_totals *totals)
{
    int pass, files = 0;

    for (pass = 0; pass < 2; pass++) {
        int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *entry;

        if (dir == NULL) {
            if (fd >= 0)
                close(fd);
            return SHOP_ERR_UNAVAILABLE;
        }
        while ((entry = readdir(dir)) != NULL && files < METRICS_SCRAPE_MAX_FILES) {
            if (metrics_name_has(entry->d_name, pass == 0 ? METRICS_PROC_PREFIX : METRICS_ARCHIVE_PREFIX)) {
                metrics_scrape_file(dir_fd, entry->d_name, pass == 1, totals);
                files++;
            }
        }
        closedir(dir);
    }
    return SHOP_OK;
}

int metrics_scrape_collect(const char *dir, struct arena *arena, struct metrics_totals *totals)
{
    int dir_fd, lock_fd = -1, rc;

    *totals = (struct metrics_totals){0};
    if ((totals->programs = arena_alloc(arena, sizeof(*totals->programs) * METRICS_SCRAPE_MAX_PROGRAMS)) == NULL)
        return SHOP_ERR_NOMEM;
    dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0)
        lock_fd = openat(dir_fd, METRICS_LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=metrics_dir_unreadable dir=%s error=\"%s\"", dir, strerror(errno));
        if (lock_fd >= 0)
            close(lock_fd);
        if (dir_fd >= 0)
            close(dir_fd);
        return SHOP_ERR_UNAVAILABLE;
    }
    rc = metrics_scrape_dir(dir_fd, totals);
    close(lock_fd); /* drops the lock */
    close(dir_fd);
    return rc;
}

static void metrics_render_counters(struct metrics_text *text, const struct metrics_totals *totals)
{
    int c, k, p;

    for (c = 0; c < METRICS_COUNTER_COUNT; c++) {
        const struct metrics_counter_view *view = &metrics_counter_views[c];
        if (view->help == NULL)
            continue; /* a sibling: written with the first of its family */
        metrics_text_family(text, view->family, "counter", view->help);
        for (p = 0; p < totals->count; p++) {
            const struct metrics_program *program = &totals->programs[p];
            for (k = c; k < METRICS_COUNTER_COUNT && strcmp(metrics_counter_views[k].family, view->family) == 0; k++) {
                const struct metrics_counter_view *member = &metrics_counter_views[k];
                uint64_t value = program->sum.counters[k];
                if (value == 0 && member->only_program != NULL &&
                    strcmp(member->only_program, program->header.program) != 0)
                    continue;
                metrics_text_printf(text, "%s{program=\"", member->family);
                metrics_text_label(text, program->header.program);
                if (member->label != NULL)
                    metrics_text_printf(text, "\",%s=\"%s", member->label, member->value);
                metrics_text_printf(text, "\"} %llu\n", (unsigned long long)value);
            }
        }
    }
}

/* resource="…",method="…",route="…" of a route slot. */
static void metrics_render_route_labels(struct metrics_text *text, const struct metrics_program *program, int slot)
{
    bool unmatched = slot == METRICS_UNMATCHED_ROUTE;

    metrics_text_printf(text, "resource=\"");
    metrics_text_label(text, program->header.program);
    metrics_text_printf(text, "\",method=\"");
    metrics_text_label(text, unmatched ? "" : program->header.routes[slot].method);
    metrics_text_printf(text, "\",route=\"");
    metrics_text_label(text, unmatched ? "unmatched" : program->header.routes[slot].pattern);
    metrics_text_printf(text, "\"");
}

/* The route slots worth showing: every route, and the unmatched slot once it counted something. */
static bool metrics_route_shown(const struct metrics_program *program, int slot)
{
    const struct metrics_route_stats *stats = &program->sum.routes[slot];
    int i;

    if (slot < (int)program->header.route_count)
        return true;
    if (slot != METRICS_UNMATCHED_ROUTE)
        return false;
    for (i = 0; i < METRICS_BUCKET_SLOTS; i++) {
        if (stats->buckets[i] != 0)
            return true;
    }
    return false;
}

static void metrics_render_requests(struct metrics_text *text, const struct metrics_totals *totals)
{
    int p, slot, s;

    metrics_text_family(text, "fcgi_shop_http_requests_total", "counter",
                        "Requests the responders answered, by resource, route and status.");
    for (p = 0; p < totals->count; p++) {
        const struct metrics_program *program = &totals->programs[p];
        for (slot = 0; slot < METRICS_ROUTE_SLOTS; slot++) {
            for (s = 0; metrics_route_shown(program, slot) && s < METRICS_STATUS_SLOTS; s++) {
                uint64_t value = program->sum.routes[slot].requests[s];
                if (value == 0)
                    continue;
                metrics_text_printf(text, "fcgi_shop_http_requests_total{");
                metrics_render_route_labels(text, program, slot);
                if (s == METRICS_STATUS_OTHER)
                    metrics_text_printf(text, ",status=\"other\"} %llu\n", (unsigned long long)value);
                else
                    metrics_text_printf(text, ",status=\"%d\"} %llu\n", metrics_status_codes[s],
                                        (unsigned long long)value);
            }
        }
    }
}

static void metrics_render_histogram(struct metrics_text *text, const struct metrics_program *program, int slot)
{
    const struct metrics_route_stats *stats = &program->sum.routes[slot];
    const char *name = "fcgi_shop_http_request_duration_seconds";
    uint64_t cumulative = 0;
    int b;

    for (b = 0; b < METRICS_BUCKET_SLOTS; b++) {
        cumulative += stats->buckets[b];
        metrics_text_printf(text, "%s_bucket{", name);
        metrics_render_route_labels(text, program, slot);
        if (b == METRICS_BUCKET_COUNT)
            metrics_text_printf(text, ",le=\"+Inf\"} %llu\n", (unsigned long long)cumulative);
        else
            metrics_text_printf(text, ",le=\"%g\"} %llu\n", (double)metrics_bucket_bounds[b] / 1e6,
                                (unsigned long long)cumulative);
    }
    metrics_text_printf(text, "%s_sum{", name);
    metrics_render_route_labels(text, program, slot);
    metrics_text_printf(text, "} %.6f\n", (double)stats->duration_us / 1e6);
    metrics_text_printf(text, "%s_count{", name);
    metrics_render_route_labels(text, program, slot);
    metrics_text_printf(text, "} %llu\n", (unsigned long long)cumulative);
}

void metrics_scrape_render(struct metrics_text *text, const struct metrics_totals *totals)
{
    uint64_t last_batch = 0;
    int p, slot;

    metrics_render_requests(text, totals);
    metrics_text_family(text, "fcgi_shop_http_request_duration_seconds", "histogram",
                        "Time from a request's arrival in the responder to its answer, by resource and route.");
    for (p = 0; p < totals->count; p++) {
        for (slot = 0; slot < METRICS_ROUTE_SLOTS; slot++) {
            if (metrics_route_shown(&totals->programs[p], slot))
                metrics_render_histogram(text, &totals->programs[p], slot);
        }
    }
    metrics_render_counters(text, totals);
    for (p = 0; p < totals->count; p++) {
        if (totals->programs[p].sum.last_batch_ms > last_batch)
            last_batch = totals->programs[p].sum.last_batch_ms;
    }
    metrics_text_family(text, "fcgi_shop_worker_last_batch_timestamp_seconds", "gauge",
                        "When a worker on this host last finished a batch (0: never).");
    metrics_text_printf(text, "fcgi_shop_worker_last_batch_timestamp_seconds %.3f\n", (double)last_batch / 1000.0);
    metrics_text_family(text, "fcgi_shop_metrics_processes", "gauge", "Processes on this host counting metrics now.");
    metrics_text_printf(text, "fcgi_shop_metrics_processes %d\n", totals->live_files);
}

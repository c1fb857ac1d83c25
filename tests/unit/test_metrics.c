/*
 * test_metrics.c - counting into a process's file and summing the files: what
 * threads count adds up, a dead process's counts survive in its archive, the
 * text is escaped, and metrics = off writes nothing.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/config.h"
#include "lib/err.h"
#include "lib/metrics.h"
#include "lib/metrics_scrape.h"
#include "unit.h"

static const char *const cart_methods[] = {"POST", "GET"};
static const char *const cart_patterns[] = {"/api/cart", "/api/cart/{id}"};

static char folder[64];

/* A fresh metrics folder and a configuration naming it (metrics on or off). */
static void configure(const char *enabled)
{
    char path[96];
    FILE *fp;

    snprintf(folder, sizeof(folder), "/tmp/shop-test-metrics-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(folder));
    snprintf(path, sizeof(path), "%s.conf", folder);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fprintf(fp, "metrics = %s\nmetrics_dir = %s\n", enabled, folder);
    fclose(fp);
    ck_assert_int_eq(config_load(path), SHOP_OK);
    unlink(path);
}

static int files_named(const char *prefix)
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    int count = 0;

    ck_assert_ptr_nonnull(dir);
    while ((entry = readdir(dir)) != NULL)
        count += strncmp(entry->d_name, prefix, strlen(prefix)) == 0;
    closedir(dir);
    return count;
}

/* Removes the folder and its files. */
static void remove_folder(void)
{
    DIR *dir = opendir(folder);
    struct dirent *entry;
    char path[384];

    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        snprintf(path, sizeof(path), "%s/%s", folder, entry->d_name);
        if (entry->d_name[0] != '.')
            unlink(path);
    }
    if (dir != NULL)
        closedir(dir);
    rmdir(folder);
}

/* The Prometheus text of the folder now, in arena. */
static const char *scrape(struct arena *arena, struct metrics_totals *totals)
{
    struct metrics_text text;

    ck_assert_int_eq(metrics_scrape_collect(folder, arena, totals), SHOP_OK);
    metrics_text_init(&text, arena);
    metrics_scrape_render(&text, totals);
    ck_assert(!text.failed);
    return text.data;
}

START_TEST(test_metrics_counts_of_every_thread_add_up)
{
    struct arena arena;
    struct metrics_totals totals;
    const char *text;

    configure("on");
    arena_init(&arena, 4096);
    ck_assert_int_eq(metrics_open("cart", cart_methods, cart_patterns, 2, 2), SHOP_OK);
    ck_assert(metrics_enabled());
    metrics_attach_thread(0);
    metrics_count_request(0, 200, 300);
    metrics_count_request(1, 299, 300);   /* a status of no slot of its own */
    metrics_attach_thread(1);
    metrics_count_request(0, 200, 2000000);
    metrics_count_request(-1, 404, 100);
    metrics_add(METRICS_DB_ERROR, 2);
    text = scrape(&arena, &totals);
    ck_assert_int_eq(totals.live_files, 1);
    ck_assert_ptr_nonnull(strstr(text, "fcgi_shop_http_requests_total{resource=\"cart\",method=\"POST\","
                                       "route=\"/api/cart\",status=\"200\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(text, "route=\"/api/cart/{id}\",status=\"other\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "method=\"\",route=\"unmatched\",status=\"404\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "route=\"/api/cart\",le=\"0.0005\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(text, "route=\"/api/cart\",le=\"2.5\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(text, "fcgi_shop_http_request_duration_seconds_sum{resource=\"cart\","
                                       "method=\"POST\",route=\"/api/cart\"} 2.000300\n"));
    ck_assert_ptr_nonnull(strstr(text, "fcgi_shop_db_errors_total{program=\"cart\",kind=\"error\"} 2\n"));
    arena_free(&arena);
    remove_folder();
}
END_TEST

/* In a child that exits: a process that counted n cart adds, then ended. */
static void dead_process(int n)
{
    pid_t child = fork();
    int status, i;

    ck_assert_int_ge(child, 0);
    if (child == 0) {
        if (metrics_open("cart", cart_methods, cart_patterns, 2, 1) != SHOP_OK || !metrics_enabled())
            _exit(1);
        metrics_attach_thread(0);
        for (i = 0; i < n; i++)
            metrics_count_request(0, 200, 100);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

START_TEST(test_metrics_dead_processes_fold_into_the_archive_and_still_count)
{
    const char *series = "route=\"/api/cart\",status=\"200\"} ";
    struct arena arena;
    struct metrics_totals totals;
    const char *text;
    char expected[128];

    configure("on");
    arena_init(&arena, 4096);
    dead_process(3);
    ck_assert_int_eq(files_named("proc-"), 1);
    text = scrape(&arena, &totals);
    ck_assert_int_eq(totals.folded_files, 1);
    ck_assert_int_eq(totals.live_files, 0);
    ck_assert_int_eq(files_named("proc-"), 0);
    ck_assert_int_eq(files_named("archive-cart.metrics"), 1);
    snprintf(expected, sizeof(expected), "%s3\n", series);
    ck_assert_ptr_nonnull(strstr(text, expected));

    /* A second process ends: its counts add to the archive's, never replace them. */
    dead_process(4);
    ck_assert_int_eq(metrics_open("cart", cart_methods, cart_patterns, 2, 1), SHOP_OK); /* and one lives */
    metrics_attach_thread(0);
    metrics_count_request(0, 200, 100);
    text = scrape(&arena, &totals);
    ck_assert_int_eq(totals.folded_files, 1);
    ck_assert_int_eq(totals.live_files, 1);
    snprintf(expected, sizeof(expected), "%s8\n", series);
    ck_assert_ptr_nonnull(strstr(text, expected));
    arena_free(&arena);
    remove_folder();
}
END_TEST

START_TEST(test_metrics_label_values_are_escaped)
{
    struct arena arena;
    struct metrics_text text;

    arena_init(&arena, 256);
    metrics_text_init(&text, &arena);
    metrics_text_label(&text, "a\"b\\c\nd");
    ck_assert_str_eq(text.data, "a\\\"b\\\\c\\nd");
    for (int i = 0; i < 5000; i++) /* grows past its first buffer */
        metrics_text_printf(&text, "x");
    ck_assert_uint_eq(text.len, strlen("a\\\"b\\\\c\\nd") + 5000);
    arena_free(&arena);
}
END_TEST

START_TEST(test_metrics_off_writes_nothing_and_counting_is_harmless)
{
    configure("off");
    ck_assert_int_eq(metrics_open("cart", cart_methods, cart_patterns, 2, 1), SHOP_OK);
    ck_assert(!metrics_enabled());
    metrics_attach_thread(0);
    metrics_count_request(0, 200, 100);
    metrics_add(METRICS_DB_ERROR, 1);
    ck_assert_int_eq(files_named("proc-"), 0);
    remove_folder();
}
END_TEST

START_TEST(test_metrics_bad_settings_stop_the_program)
{
    char path[96];
    FILE *fp;

    snprintf(path, sizeof(path), "/tmp/shop-test-metrics-bad-%ld.conf", (long)getpid());
    fp = fopen(path, "w");
    fprintf(fp, "metrics = maybe\nmetrics_dir = relative/path\n");
    fclose(fp);
    ck_assert_int_eq(config_load(path), SHOP_OK);
    unlink(path);
    ck_assert_int_eq(metrics_open("cart", cart_methods, cart_patterns, 2, 1), SHOP_ERR_INVALID);
}
END_TEST

UNIT_MAIN("metrics", test_metrics_counts_of_every_thread_add_up,
          test_metrics_dead_processes_fold_into_the_archive_and_still_count, test_metrics_label_values_are_escaped,
          test_metrics_off_writes_nothing_and_counting_is_harmless, test_metrics_bad_settings_stop_the_program)

/*
 * metrics_count.c - the cost of counting one request, in nanoseconds:
 * metrics_count_request() (status slot, latency bucket, three stores) and two
 * metrics_add(), in a loop, with metrics on and with metrics off. Built and
 * run by tests/bench/metrics; prints "on NS" and "off NS" per request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/config.h"
#include "lib/err.h"
#include "lib/metrics.h"

#define COUNT_REQUESTS 20000000L

static double count_ns(void)
{
    struct timespec start, end;
    long i;

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < COUNT_REQUESTS; i++) {
        metrics_count_request((int)(i & 3), i % 17 == 0 ? 404 : 200, 300 + (i & 1023));
        metrics_add(METRICS_EVENT_ACCEPTED, 1);
        metrics_add(METRICS_DB_ERROR, 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    return ((double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec)) / COUNT_REQUESTS;
}

int main(int argc, char **argv)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    static const char *const patterns[] = {"/a", "/b", "/c", "/d"};

    if (argc != 2 || config_load(argv[1]) != SHOP_OK || metrics_open("bench", methods, patterns, 4, 1) != SHOP_OK)
        return 2;
    metrics_attach_thread(0);
    printf("%s %.2f\n", metrics_enabled() ? "on" : "off", count_ns());
    return 0;
}

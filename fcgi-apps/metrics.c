/*
 * metrics.c - GET /metrics: the shop's Prometheus metrics for this host.
 *
 * Counters and latency histograms come from the metrics files every responder
 * and worker on the host writes (lib/metrics_scrape.h sums them). Gauges of
 * state are read at scrape time, on this thread's own connections: orders by
 * status and the age of the oldest pending one (MariaDB, two index-only
 * reads), the queue's lists and the workers' leases (Redis, a bounded SCAN).
 * A service that does not answer leaves its gauges out and says so in
 * fcgi_shop_scrape_source_up, so the counters are still scraped during an
 * outage, which is when they matter.
 *
 * nginx admits /metrics only from the addresses its site config allows
 * (nginx/fcgi-shop.conf); the answer names no shopper.
 */
#include <time.h>

#include "lib/err.h"
#include "lib/http.h"
#include "lib/metrics.h"
#include "lib/metrics_scrape.h"
#include "lib/order.h"
#include "lib/queue.h"
#include "lib/responder.h"

static int metrics_get(struct http_request *req, struct responder_context *ctx);

static const struct responder_route metrics_routes[] = {
    {"GET", "/metrics", metrics_get},
    {NULL, NULL, NULL},
};

/* Read once at start. */
static struct queue_names metrics_queue_names;

static int metrics_init(void)
{
    return queue_names_load(&metrics_queue_names);
}

static void metrics_source_up(struct metrics_text *text, const char *source, bool up)
{
    metrics_text_printf(text, "fcgi_shop_scrape_source_up{source=\"%s\"} %d\n", source, up ? 1 : 0);
}

/* Orders by status and the oldest pending order's age; false when MariaDB did not answer. */
static bool metrics_orders(struct metrics_text *text, struct responder_context *ctx)
{
    long long counts[ORDER_STATUS_COUNT];
    double oldest;
    int i;

    if (order_count_by_status(ctx->db, &ctx->arena, counts, &oldest) != SHOP_OK)
        return false;
    metrics_text_family(text, "fcgi_shop_orders", "gauge", "Orders in the database by status.");
    for (i = 0; i < ORDER_STATUS_COUNT; i++)
        metrics_text_printf(text, "fcgi_shop_orders{status=\"%s\"} %lld\n", order_status_name((enum order_status)i),
                            counts[i]);
    metrics_text_family(text, "fcgi_shop_orders_oldest_pending_age_seconds", "gauge",
                        "Age of the oldest PENDING order: how far the workers lag (0 when none waits).");
    metrics_text_printf(text, "fcgi_shop_orders_oldest_pending_age_seconds %.3f\n", oldest);
    return true;
}

/* The queue's lists and the live workers; false when Redis did not answer. */
static bool metrics_queue(struct metrics_text *text, struct responder_context *ctx)
{
    struct queue_census census;

    if (queue_census(ctx->queue, &metrics_queue_names, &census) != SHOP_OK)
        return false;
    metrics_text_family(text, "fcgi_shop_queue_length", "gauge", "Order messages in each part of the queue.");
    metrics_text_printf(text,
                        "fcgi_shop_queue_length{list=\"queue\"} %lld\n"
                        "fcgi_shop_queue_length{list=\"processing\"} %lld\n"
                        "fcgi_shop_queue_length{list=\"retry\"} %lld\n"
                        "fcgi_shop_queue_length{list=\"dead\"} %lld\n"
                        "fcgi_shop_queue_length{list=\"dead_unreadable\"} %lld\n",
                        census.queued, census.processing, census.retrying, census.dead, census.unreadable);
    metrics_text_family(text, "fcgi_shop_workers_live", "gauge",
                        "Queue consumers holding a live lease (workers; a dead-letter replay while it runs).");
    metrics_text_printf(text, "fcgi_shop_workers_live %lld\n", census.leases);
    return true;
}

static int metrics_get(struct http_request *req, struct responder_context *ctx)
{
    struct metrics_totals totals;
    struct metrics_text text;
    struct timespec start, end;
    bool db_up, redis_up;
    int rc;

    if (!metrics_enabled())
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "metrics_off", "Metrics are off (metrics = off).", NULL);
    clock_gettime(CLOCK_MONOTONIC, &start);
    if ((rc = metrics_scrape_collect(metrics_dir(), req->arena, &totals)) != SHOP_OK)
        return rc;
    metrics_text_init(&text, req->arena);
    metrics_scrape_render(&text, &totals);
    db_up = metrics_orders(&text, ctx);
    redis_up = metrics_queue(&text, ctx);
    metrics_text_family(&text, "fcgi_shop_scrape_source_up", "gauge",
                        "Whether the gauges read from each service at this scrape could be read.");
    metrics_source_up(&text, "mariadb", db_up);
    metrics_source_up(&text, "redis", redis_up);
    clock_gettime(CLOCK_MONOTONIC, &end);
    metrics_text_family(&text, "fcgi_shop_scrape_duration_seconds", "gauge", "How long this scrape took.");
    metrics_text_printf(&text, "fcgi_shop_scrape_duration_seconds %.6f\n",
                        (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    if (text.failed)
        return SHOP_ERR_NOMEM;
    http_add_header(req, "Cache-Control", "no-store");
    /* charset first: nginx's gzip_types then sees text/plain (it reads the type up to the ";" before charset). */
    return http_reply(req, 200, "text/plain; charset=utf-8; version=0.0.4", text.data, text.len);
}

static const struct responder metrics_responder = {
    .name = "metrics",
    .routes = metrics_routes,
    .uses_queue = true,
    .init = metrics_init,
};

int main(int argc, char **argv)
{
    return responder_main(&metrics_responder, argc, argv);
}

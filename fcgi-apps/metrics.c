/*
 * metrics.c - GET /metrics: the shop's Prometheus metrics for this host.
 *
 * Counters and latency histograms come from the metrics files every responder
 * and worker on the host writes (lib/metrics_scrape.h sums them). Gauges of
 * state are read at scrape time, on this thread's own connections: the
 * pending orders and the oldest one's age (MariaDB, through the indexed marks
 * of pending orders: it costs the backlog), the queue's lists and the live
 * workers of the roster health counts too (Redis, and a bounded SCAN of the
 * processing lists). Orders in every status need a full
 * count of the table, so that one is shared by the threads and made again at
 * most every metrics_orders_refresh_seconds (30).
 * A service that does not answer leaves its gauges out and says so in
 * fcgi_shop_scrape_source_up, so the counters are still scraped during an
 * outage, which is when they matter.
 *
 * nginx admits /metrics only from the addresses its site config allows
 * (nginx/fcgi-shop.conf); the answer names no shopper.
 */
#include <pthread.h>
#include <time.h>

#include "lib/err.h"
#include "lib/http.h"
#include "lib/metrics.h"
#include "lib/metrics_scrape.h"
#include "lib/order.h"
#include "lib/queue.h"
#include "lib/responder.h"
#include "lib/settings.h"

static int metrics_get(struct http_request *req, struct responder_context *ctx);

static const struct responder_route metrics_routes[] = {
    {"GET", "/metrics", metrics_get},
    {NULL, NULL, NULL},
};

struct metrics_settings {
    long long orders_refresh_seconds;   /* metrics_orders_refresh_seconds */
};

static const struct setting metrics_settings_table[] = {
    {"metrics_orders_refresh_seconds", SETTING_INT, offsetof(struct metrics_settings, orders_refresh_seconds), NULL,
     30, 1, 3600, NULL},
};

/* Read once at start. */
static struct queue_names metrics_queue_names;
static struct metrics_settings metrics_settings;

/*
 * The last full count of orders by status, shared by the threads so every
 * scrape shows the same figures whichever thread answers it; made again when
 * older than the refresh period.
 */
static struct {
    pthread_mutex_t lock;
    long long counts[ORDER_STATUS_COUNT];
    time_t counted_at;            /* 0: never */
} metrics_order_counts = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int metrics_init(void)
{
    if (settings_read_table(metrics_settings_table, sizeof(metrics_settings_table) / sizeof(metrics_settings_table[0]),
                            &metrics_settings) != SHOP_OK)
        return SHOP_ERR_INVALID;
    return queue_names_load(&metrics_queue_names);
}

/* Orders by status into counts: the shared count, counted again when due. False when MariaDB did not answer. */
static bool metrics_count_orders(struct responder_context *ctx, long long counts[ORDER_STATUS_COUNT])
{
    time_t now = time(NULL);
    bool ok = true;
    int i;

    pthread_mutex_lock(&metrics_order_counts.lock);
    if (metrics_order_counts.counted_at == 0 ||
        now - metrics_order_counts.counted_at >= (time_t)metrics_settings.orders_refresh_seconds) {
        ok = order_count_by_status(ctx->db, &ctx->arena, metrics_order_counts.counts) == SHOP_OK;
        metrics_order_counts.counted_at = ok ? now : 0;
    }
    for (i = 0; i < ORDER_STATUS_COUNT; i++)
        counts[i] = metrics_order_counts.counts[i];
    pthread_mutex_unlock(&metrics_order_counts.lock);
    return ok;
}

static void metrics_source_up(struct metrics_text *text, const char *source, bool up)
{
    metrics_text_printf(text, "fcgi_shop_scrape_source_up{source=\"%s\"} %d\n", source, up ? 1 : 0);
}

/* Orders by status and the oldest pending order's age; false when MariaDB did not answer. */
static bool metrics_orders(struct metrics_text *text, struct responder_context *ctx)
{
    long long counts[ORDER_STATUS_COUNT], pending;
    double oldest;
    int i;

    if (order_pending_summary(ctx->db, &ctx->arena, &pending, &oldest) != SHOP_OK ||
        !metrics_count_orders(ctx, counts))
        return false;
    counts[ORDER_PENDING] = pending; /* live, where the others may be a refresh period old */
    metrics_text_family(text, "fcgi_shop_orders", "gauge",
                        "Orders in the database by status (PENDING live, the others at most "
                        "metrics_orders_refresh_seconds old).");
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
    metrics_text_printf(text, "fcgi_shop_workers_live %lld\n", census.live_workers);
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
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "metrics_off",
                                "Metrics are off (metrics = off, or metrics_dir was not writable at start).", NULL);
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

/*
 * main.c - shop-worker: drains the order queue.
 *
 * The loop: housekeeping when due (upkeep.c), then take a batch of messages
 * into this worker's processing list (BLMOVE for the first, waiting at most a
 * second so a stop request is noticed quickly; then whatever else is waiting,
 * up to worker_batch_size), handle them together (process.c), and only then
 * acknowledge each. A transient failure releases the order's claim (lib/order
 * marks it for the sweeper, in case the retry is lost) and schedules a retry
 * with exponential backoff; after worker_max_attempts the order has failed and
 * its message goes to the dead-letter list with the cause. Each of those moves
 * is one atomic Redis step; one that fails leaves the message in this
 * worker's processing list, logged, and upkeep re-drives it. SIGTERM finishes
 * the batch in hand, then the worker exits.
 */
#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/err.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/order.h"
#include "lib/settings.h"
#include "worker/deadletter.h"
#include "worker/process.h"
#include "worker/upkeep.h"

#define WORKER_TAKE_TIMEOUT_SECONDS 1
#define WORKER_REDIS_POLL_MS 100

volatile sig_atomic_t worker_stopping;

static void worker_on_signal(int signal_number)
{
    (void)signal_number;
    worker_stopping = 1;
}

static void worker_usage(FILE *out)
{
    fprintf(out,
            "usage: shop-worker [--config FILE] [dead-letters replay|discard]\n"
            "\n"
            "Processes fcgi-shop orders from the Redis queue: payment, confirmation\n"
            "e-mail, status. Run as many as you like, on any host.\n"
            "\n"
            "  --config FILE           configuration file (default $SHOP_CONFIG or %s)\n"
            "  dead-letters replay     set failed orders back to pending and queue them again\n"
            "  dead-letters discard    cancel failed orders and return their stock\n"
            "  --help                  this text\n",
            CONFIG_DEFAULT_PATH);
}

#define WORKER_INT(key, field, fallback, min, max) \
    {key, SETTING_INT, offsetof(struct worker, field), NULL, fallback, min, max, NULL}
#define WORKER_TEXT(key, field, fallback, max, check) \
    {key, SETTING_TEXT, offsetof(struct worker, field), fallback, 0, 0, max, check}

/* mail_from goes into a header: one line. */
static int worker_check_one_line(const char *value)
{
    return strchr(value, '\r') == NULL && strchr(value, '\n') == NULL ? SHOP_OK : SHOP_ERR_INVALID;
}

/* The worker's own settings, read and checked once at start (lib/settings reads them). */
static const struct setting worker_settings_table[] = {
    WORKER_INT("worker_lease_seconds", lease_seconds, 10, 2, 3600),
    WORKER_INT("worker_max_attempts", max_attempts, 5, 1, 100),
    WORKER_INT("worker_retry_backoff_ms", retry_backoff_ms, 500, 10, WORKER_MAX_BACKOFF_MS),
    WORKER_INT("worker_sweep_interval_ms", sweep_interval_ms, 2000, 100, 3600000),
    WORKER_INT("worker_sweep_after_ms", sweep_after_ms, 10000, 500, 86400000),
    WORKER_INT("worker_batch_size", batch_size, WORKER_DEFAULT_BATCH, 1, WORKER_BATCH_MAX),
    WORKER_INT("cart_ttl_days", cart_ttl_days, 30, 1, CART_EXPIRY_DAYS_MAX),
    WORKER_INT("payment_latency_ms", payment.latency_ms, 0, 0, 600000),
    WORKER_INT("payment_failure_percent", payment.failure_percent, 0, 0, 100),
    WORKER_INT("mail_max_attempts", mail.max_attempts, 20, 1, 1000),
    WORKER_TEXT("mail_spool", mail.spool, "/var/spool/fcgi-shop/mail", 800, NULL),
    WORKER_TEXT("smtp_url", mail.smtp_url, "", 800, NULL),
    WORKER_TEXT("mail_from", mail.from, "fcgi-shop <shop@localhost>", 200, worker_check_one_line),
};

static int worker_settings(struct worker *w)
{
    const char *open_bracket, *close_bracket, *from;

    if (settings_read_table(worker_settings_table, sizeof(worker_settings_table) / sizeof(worker_settings_table[0]),
                            w) != SHOP_OK ||
        queue_names_load(&w->names) != SHOP_OK)
        return SHOP_ERR_INVALID;
    /* A charge must end within the claim it was made under, or another worker could take the order meanwhile. */
    if (w->payment.latency_ms >= w->lease_seconds * 1000) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=payment_latency_ms reason=\"below worker_lease_seconds\"");
        return SHOP_ERR_INVALID;
    }
    from = w->mail.from;
    open_bracket = strchr(from, '<');
    close_bracket = open_bracket != NULL ? strchr(open_bracket, '>') : NULL;
    if (open_bracket != NULL && close_bracket != NULL)
        snprintf(w->mail.envelope_from, sizeof(w->mail.envelope_from), "%.*s",
                 (int)(close_bracket - open_bracket + 1), open_bracket);
    else
        snprintf(w->mail.envelope_from, sizeof(w->mail.envelope_from), "<%s>", from);
    return SHOP_OK;
}

static int worker_open(struct worker *w)
{
    char host[64] = "localhost";
    unsigned char random[4];
    char suffix[9];

    gethostname(host, sizeof(host) - 1);
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(suffix, sizeof(suffix), random, sizeof(random));
    snprintf(w->id, sizeof(w->id), "%s-%ld-%s", host, (long)getpid(), suffix);
    snprintf(w->processing, sizeof(w->processing), "%s%s", w->names.processing_prefix, w->id);
    snprintf(w->lease, sizeof(w->lease), "%s%s", w->names.lease_prefix, w->id);
    arena_init(&w->arena, WORKER_ARENA_CHUNK);
    w->db = db_open();
    w->queue = queue_open();
    return w->db != NULL && w->queue != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

/*
 * The message again as it goes to the retry set (attempt) or the dead list
 * (error too). One that is not a valid message is kept whole under "message",
 * so an operator can see what arrived.
 */
static const char *worker_annotate(struct worker *w, const struct worker_message *m, long long attempt,
                                   const char *error, size_t *len)
{
    struct order_message message;
    char text[QUEUE_MAX_MESSAGE];

    if (order_message_decode(m->text, m->len, &message) == SHOP_OK) {
        message.attempt = attempt;
        snprintf(message.error, sizeof(message.error), "%s", error != NULL ? error : "");
        if (order_message_encode(&message, text, sizeof(text), len) == SHOP_OK)
            return arena_strndup(&w->arena, text, *len);
    }
    struct json_object *wrapper = json_object_new_object();
    const char *copy = NULL, *encoded;
    if (wrapper == NULL)
        return NULL;
    json_object_object_add(wrapper, "message", json_object_new_string_len(m->text, (int)m->len));
    if (error != NULL)
        json_object_object_add(wrapper, "error", json_object_new_string(error));
    if ((encoded = json_to_text(wrapper, len)) != NULL)
        copy = arena_strndup(&w->arena, encoded, *len);
    json_object_put(wrapper);
    return copy;
}

/* The retry delay after attempt: worker_retry_backoff_ms doubled per attempt, at most a minute. */
static long long worker_backoff(const struct worker *w, long long attempt)
{
    long long backoff = w->retry_backoff_ms;

    while (--attempt > 0 && backoff < WORKER_MAX_BACKOFF_MS)
        backoff *= 2;
    return backoff < WORKER_MAX_BACKOFF_MS ? backoff : WORKER_MAX_BACKOFF_MS;
}

/* Gives the order up for a retry and moves the message into the retry set, due after its backoff. */
static int worker_retry(struct worker *w, const struct worker_message *m, const struct order_message *order,
                        long long backoff, const char *error)
{
    const char *text;
    size_t len;
    int rc;

    if ((rc = order_release(w->db, &w->arena, order->order_id, w->id, backoff)) != SHOP_OK)
        log_event(LOG_LEVEL_WARN, NULL, "event=claim_release_failed order=%s error=%s", order->order_id,
                  shop_err_code(rc)); /* still ours: our own retry can take it again */
    /* Capped: a charged order that keeps failing its last step must stay a valid message. */
    long long next = order->attempt < ORDER_ATTEMPT_MAX ? order->attempt + 1 : ORDER_ATTEMPT_MAX;
    if ((text = worker_annotate(w, m, next, NULL, &len)) == NULL)
        return SHOP_ERR_NOMEM;
    metrics_add(METRICS_ORDERS_RETRIED, 1);
    log_event(LOG_LEVEL_WARN, NULL, "event=order_retry order=%s attempt=%lld error=\"%s\" backoff_ms=%lld",
              order->order_id, order->attempt, error, backoff);
    return queue_reschedule(w->queue, w->processing, m->text, m->len, w->names.retry, text, len,
                            worker_now_ms() + backoff);
}

/*
 * Puts a message whose handling did not end well where it belongs next: the
 * retry set, or the dead list (the order marked failed first). SHOP_OK: it has left
 * the processing list.
 */
static int worker_reschedule(struct worker *w, const struct worker_message *m)
{
    struct order_message order;
    const char *error = m->error != NULL ? m->error : "unknown", *text;
    bool valid = order_message_decode(m->text, m->len, &order) == SHOP_OK;
    size_t len;
    int rc;

    if (m->outcome == WORKER_RETRY && valid && order.attempt < w->max_attempts)
        return worker_retry(w, m, &order, worker_backoff(w, order.attempt), error);
    if (m->outcome == WORKER_RETRY && valid) {
        bool failed = false;
        rc = order_mark_failed(w->db, &w->arena, order.order_id, w->id, error, &failed);
        if (rc == SHOP_ERR_CONFLICT) { /* charged: it must end processed, so it keeps being tried */
            log_event(LOG_LEVEL_ERROR, NULL, "event=order_charged_unfinished order=%s attempts=%lld error=\"%s\"",
                      order.order_id, order.attempt, error);
            return worker_retry(w, m, &order, WORKER_MAX_BACKOFF_MS, error);
        }
        if (rc != SHOP_OK)
            return rc; /* could not mark it failed: the message stays, upkeep re-drives it */
        if (!failed) /* held by a live worker, or already final: not a dead letter */
            return queue_remove(w->queue, w->processing, m->text, m->len);
    }
    if ((text = worker_annotate(w, m, valid ? order.attempt : 1, error, &len)) == NULL)
        return SHOP_ERR_NOMEM;
    metrics_add(METRICS_ORDERS_DEAD_LETTERED, 1);
    log_event(LOG_LEVEL_ERROR, NULL, "event=order_dead_letter order=%s attempts=%lld error=\"%s\"",
              valid ? order.order_id : "(malformed)", valid ? order.attempt : 1, error);
    return queue_bury(w->queue, w->processing, m->text, m->len, w->names.dead, text, len);
}

/* Acknowledges or reschedules each message of the batch; a failure is logged and left to upkeep. */
static void worker_finish_batch(struct worker *w, const struct worker_message *batch, int count)
{
    struct order_message order;
    int i, rc;

    for (i = 0; i < count; i++) {
        const struct worker_message *m = &batch[i];
        if (m->outcome == WORKER_DONE)
            rc = queue_remove(w->queue, w->processing, m->text, m->len);
        else
            rc = worker_reschedule(w, m);
        if (rc != SHOP_OK) /* the order id, never the message: it carries the shopper's e-mail address */
            log_event(LOG_LEVEL_WARN, NULL, "event=message_not_finished outcome=%s error=%s order=%s",
                      m->outcome == WORKER_DONE ? "ack" : "reschedule", shop_err_code(rc),
                      order_message_decode(m->text, m->len, &order) == SHOP_OK ? order.order_id : "(malformed)");
    }
}

static void worker_pause(long long ms)
{
    struct timespec wait = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&wait, NULL); /* a stop signal cuts it short, which is what we want */
}

/*
 * Takes up to w->batch_size messages into the processing list: waits (up to a
 * second) for the first, then takes what is already there. Returns how many;
 * *redis_down is set when Redis could not be reached.
 */
static int worker_take_batch(struct worker *w, struct worker_message *batch, bool *redis_down)
{
    int count = 0, rc = SHOP_OK;

    *redis_down = false;
    while (count < w->batch_size && rc != SHOP_ERR_NOT_FOUND) {
        struct worker_message *m = &batch[count];
        if (count == 0)
            rc = queue_take(w->queue, w->names.queue, w->processing, WORKER_TAKE_TIMEOUT_SECONDS, m->text,
                            sizeof(m->text), &m->len);
        else
            rc = queue_move(w->queue, w->names.queue, w->processing, m->text, sizeof(m->text), &m->len);
        if (rc == SHOP_ERR_TOO_LARGE) {
            /* It was moved to the head (LEFT) of the processing list: take it from there, not the tail. */
            log_event(LOG_LEVEL_ERROR, NULL, "event=message_too_large max=%d", QUEUE_MAX_MESSAGE);
            queue_move_end(w->queue, w->processing, QUEUE_LEFT, w->names.dead, QUEUE_LEFT);
        } else if (rc == SHOP_OK) {
            count++;
        } else if (rc != SHOP_ERR_NOT_FOUND) {
            *redis_down = count == 0;
            break; /* handle what we have; Redis is re-connected next turn */
        } else if (count == 0) {
            break;
        }
    }
    return count;
}

/*
 * Redis is away: asks again every WORKER_REDIS_POLL_MS for up to a second.
 * Once it answers, the sweep runs at once: what was accepted meanwhile is
 * queued now, not a sweep delay later.
 */
static void worker_wait_for_redis(struct worker *w)
{
    int waited;

    for (waited = 0; waited < 1000 && !worker_stopping; waited += WORKER_REDIS_POLL_MS) {
        worker_pause(WORKER_REDIS_POLL_MS);
        if (queue_ping(w->queue) == SHOP_OK) {
            w->due.sweep = 0;
            log_event(LOG_LEVEL_INFO, NULL, "event=redis_back worker=%s", w->id);
            return;
        }
    }
}

static void worker_loop(struct worker *w, struct worker_message *batch)
{
    bool redis_down;
    int count;

    while (!worker_stopping) {
        worker_upkeep(w);
        count = worker_take_batch(w, batch, &redis_down);
        if (redis_down) {
            worker_wait_for_redis(w);
            continue;
        }
        if (count == 0)
            continue;
        worker_process_batch(w, batch, count);
        worker_finish_batch(w, batch, count);
        metrics_add(METRICS_WORKER_BATCHES, 1);
        metrics_add(METRICS_WORKER_BATCH_MESSAGES, (unsigned long long)count);
        metrics_note_batch(worker_now_ms());
        arena_reset(&w->arena);
    }
}

int main(int argc, char **argv)
{
    struct worker w;
    struct worker_message *batch;
    struct sigaction action;
    const char *config_path = NULL, *dead_letter_action = NULL;
    int i, status = 0;

    memset(&w, 0, sizeof(w));
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            worker_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strcmp(argv[i], "dead-letters") == 0 && i + 1 < argc) {
            dead_letter_action = argv[++i];
        } else {
            worker_usage(stderr);
            return 2;
        }
    }
    if (config_load(config_path) != SHOP_OK || log_init("worker", config_get_string("log_level", "info")) != SHOP_OK ||
        settings_load() != SHOP_OK || worker_settings(&w) != SHOP_OK ||
        sodium_init() < 0 || db_library_init() != SHOP_OK || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
        worker_open(&w) != SHOP_OK)
        return 1;

    memset(&action, 0, sizeof(action));
    action.sa_handler = worker_on_signal;
    action.sa_flags = SA_RESTART; /* blocking reads resume; the loop checks the flag each second */
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (dead_letter_action != NULL) {
        status = deadletter_run(&w, dead_letter_action) == SHOP_OK ? 0 : 1;
    } else if (metrics_open("worker", NULL, NULL, 0, 1) != SHOP_OK) {
        status = 1;
    } else {
        metrics_attach_thread(0); /* single-threaded: the one section */
        log_event(LOG_LEVEL_INFO, NULL, "event=started worker=%s queue=%s batch=%lld", w.id, w.names.queue,
                  w.batch_size);
        if ((batch = calloc((size_t)w.batch_size, sizeof(*batch))) != NULL)
            worker_loop(&w, batch);
        else
            status = 1;
        free(batch);
        /* Dropping the lease at once lets others recover anything left at once, and health see this worker gone. */
        queue_unlease_listed(w.queue, w.lease, w.names.workers, w.id);
        log_event(LOG_LEVEL_INFO, NULL, "event=stopped worker=%s", w.id);
    }
    db_close(w.db);
    queue_close(w.queue);
    arena_free(&w.arena);
    curl_global_cleanup();
    db_library_end();
    return status;
}

/*
 * queue.c - the Redis connection and the reliable queue over hiredis (see queue.h).
 *
 * Every command goes through queue_command(): a missing reply means the
 * connection broke, and an error such as READONLY that the node cannot serve
 * us now; either way the connection is dropped and re-made on the next call,
 * through the Sentinels when redis_sentinels names some. Commands are
 * not repeated automatically, because a push whose reply was lost may have been
 * applied; callers decide (the order worker's steps are idempotent).
 */
#include "queue.h"

#include <hiredis/hiredis.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "settings.h"
#include "err.h"
#include "log.h"
#include "order.h"
#include "metrics.h"
#include "sentinel.h"

#define QUEUE_TIMEOUT_MS 2000

struct queue {
    redisContext *redis;        /* NULL while disconnected */
    bool reported_down;
};

struct queue *queue_open(void)
{
    return calloc(1, sizeof(struct queue));
}

static void queue_disconnect(struct queue *q)
{
    if (q->redis != NULL)
        redisFree(q->redis);
    q->redis = NULL;
}

void queue_close(struct queue *q)
{
    if (q == NULL)
        return;
    queue_disconnect(q);
    free(q);
}

/* A new connection: to the primary the Sentinels name, else to redis_socket or redis_host. NULL: error says why. */
static redisContext *queue_dial(char *error, size_t error_size)
{
    const struct settings *s = settings_get();
    struct timeval timeout = {QUEUE_TIMEOUT_MS / 1000, (QUEUE_TIMEOUT_MS % 1000) * 1000};
    redisContext *redis;

    if (s->redis_sentinel_list.count > 0)
        return sentinel_connect_primary(&s->redis_sentinel_list, s->redis_master_name, QUEUE_TIMEOUT_MS, error,
                                        error_size);
    if (*s->redis_socket != '\0')
        redis = redisConnectUnixWithTimeout(s->redis_socket, timeout);
    else
        redis = redisConnectWithTimeout(s->redis_host, (int)s->redis_port, timeout);
    if (redis == NULL || redis->err != 0) {
        snprintf(error, error_size, "%s", redis != NULL ? redis->errstr : "out of memory");
        if (redis != NULL)
            redisFree(redis);
        return NULL;
    }
    redisSetTimeout(redis, timeout);
    return redis;
}

static int queue_connect(struct queue *q)
{
    char error[SENTINEL_REASON_MAX + SENTINEL_HOST_MAX], shown[LOG_MAX_VALUE];
    redisContext *redis;

    if (q->redis != NULL)
        return SHOP_OK;
    if ((redis = queue_dial(error, sizeof(error))) == NULL) {
        metrics_add(METRICS_REDIS_CONNECT_FAILED, 1);
        if (!q->reported_down)
            log_event(LOG_LEVEL_ERROR, NULL, "event=redis_connect_failed error=%s",
                      log_value(error, shown, sizeof(shown)));
        q->reported_down = true;
        return SHOP_ERR_UNAVAILABLE;
    }
    if (q->reported_down) {
        log_event(LOG_LEVEL_INFO, NULL, "event=redis_reconnected");
        metrics_add(METRICS_REDIS_RECONNECT, 1);
    }
    q->reported_down = false;
    q->redis = redis;
    return SHOP_OK;
}

int queue_ping(struct queue *q)
{
    redisReply *reply;
    int attempt, rc = SHOP_ERR_UNAVAILABLE;

    /* Two attempts: a connection that died since last use is replaced once. */
    for (attempt = 0; attempt < 2 && rc != SHOP_OK; attempt++) {
        if (queue_connect(q) != SHOP_OK)
            return SHOP_ERR_UNAVAILABLE;
        reply = redisCommand(q->redis, "PING");
        if (reply != NULL && reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "PONG") == 0)
            rc = SHOP_OK;
        else
            queue_disconnect(q);
        if (reply != NULL)
            freeReplyObject(reply);
    }
    return rc;
}

int queue_names_load(struct queue_names *names)
{
    const char *base = settings_get()->queue_name;
    size_t len = strlen(base);

    if (len == 0 || len > QUEUE_MAX_NAME - 24) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=config_invalid key=queue_name reason=\"1 to %d characters\"",
                  QUEUE_MAX_NAME - 24);
        return SHOP_ERR_INVALID;
    }
    snprintf(names->queue, sizeof(names->queue), "%s", base);
    snprintf(names->dead, sizeof(names->dead), "%s:dead", base);
    snprintf(names->retry, sizeof(names->retry), "%s:retry", base);
    snprintf(names->processing_prefix, sizeof(names->processing_prefix), "%s:processing:", base);
    snprintf(names->lease_prefix, sizeof(names->lease_prefix), "%s:lease:", base);
    snprintf(names->dead_processing_prefix, sizeof(names->dead_processing_prefix), "%s:dead-processing:", base);
    snprintf(names->unreadable, sizeof(names->unreadable), "%s:dead:unreadable", base);
    snprintf(names->workers, sizeof(names->workers), "%s:workers", base);
    return SHOP_OK;
}

/*
 * Error replies that say this node cannot serve us now though another may:
 * READONLY (it was demoted to a replica behind our back), MASTERDOWN (a
 * replica cut off from its primary), LOADING (still reading its data) and
 * UNBLOCKED (a blocking BLMOVE ended because the node turned replica).
 */
static bool queue_error_is_node_state(const char *message)
{
    static const char *const prefixes[] = {"READONLY", "MASTERDOWN", "LOADING", "UNBLOCKED"};
    size_t i;

    for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(message, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    }
    return false;
}

/* Runs one command; *reply (NULL allowed) gets the reply, to be freed by the caller. */
static int queue_command(struct queue *q, redisReply **reply, int argc, const char **argv, const size_t *argvlen)
{
    redisReply *r;

    if (reply != NULL)
        *reply = NULL;
    if (queue_connect(q) != SHOP_OK)
        return SHOP_ERR_UNAVAILABLE;
    r = redisCommandArgv(q->redis, argc, argv, argvlen);
    if (r == NULL) {
        log_event(LOG_LEVEL_WARN, NULL, "event=redis_connection_lost error=\"%s\"", q->redis->errstr);
        metrics_add(METRICS_REDIS_CONNECTION_LOST, 1);
        queue_disconnect(q);
        q->reported_down = true;
        return SHOP_ERR_UNAVAILABLE;
    }
    if (r->type == REDIS_REPLY_ERROR && queue_error_is_node_state(r->str)) {
        /* Dropped, so the next call connects again (asking the Sentinels, when there are some). */
        log_event(LOG_LEVEL_WARN, NULL, "event=redis_node_unusable command=%s error=\"%.60s\"", argv[0], r->str);
        metrics_add(METRICS_REDIS_ERROR, 1);
        freeReplyObject(r);
        queue_disconnect(q);
        q->reported_down = true;
        return SHOP_ERR_UNAVAILABLE;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=redis_error command=%s error=\"%s\"", argv[0], r->str);
        metrics_add(METRICS_REDIS_ERROR, 1);
        freeReplyObject(r);
        return SHOP_ERR_INTERNAL;
    }
    if (reply != NULL)
        *reply = r;
    else
        freeReplyObject(r);
    return SHOP_OK;
}

int queue_push(struct queue *q, const char *list, const char *message, size_t len)
{
    const char *argv[] = {"LPUSH", list, message};
    const size_t argvlen[] = {5, strlen(list), len};
    bool was_connected = q->redis != NULL;
    int rc = queue_command(q, NULL, 3, argv, argvlen);

    /*
     * A connection found broken (Redis restarted since it was last used) gets one
     * more try on a new one. The first push may in rare cases have landed before
     * the break: the queue's consumers are idempotent, so a duplicate is harmless,
     * while a lost push would only be late (the sweeper re-queues it).
     */
    if (rc == SHOP_ERR_UNAVAILABLE && was_connected && q->redis == NULL)
        rc = queue_command(q, NULL, 3, argv, argvlen);
    return rc;
}

/* Copies a string reply into message; SHOP_ERR_NOT_FOUND for nil. Frees reply. */
static int queue_copy_message(redisReply *reply, char *message, size_t cap, size_t *len)
{
    if (reply->type != REDIS_REPLY_STRING) {
        freeReplyObject(reply);
        return SHOP_ERR_NOT_FOUND;
    }
    if (reply->len >= cap) {
        freeReplyObject(reply);
        return SHOP_ERR_TOO_LARGE;
    }
    memcpy(message, reply->str, reply->len);
    message[reply->len] = '\0';
    *len = reply->len;
    freeReplyObject(reply);
    return SHOP_OK;
}

int queue_move(struct queue *q, const char *from, const char *to, char *message, size_t cap, size_t *len)
{
    const char *argv[] = {"LMOVE", from, to, "RIGHT", "LEFT"};
    const size_t argvlen[] = {5, strlen(from), strlen(to), 5, 4};
    redisReply *reply;
    int rc = queue_command(q, &reply, 5, argv, argvlen);

    return rc != SHOP_OK ? rc : queue_copy_message(reply, message, cap, len);
}

int queue_take(struct queue *q, const char *from, const char *to, int timeout_seconds, char *message,
               size_t cap, size_t *len)
{
    char timeout[16];
    const char *argv[] = {"BLMOVE", from, to, "RIGHT", "LEFT", timeout};
    size_t argvlen[6];
    redisReply *reply;
    int rc, i;

    snprintf(timeout, sizeof(timeout), "%d", timeout_seconds);
    for (i = 0; i < 6; i++)
        argvlen[i] = strlen(argv[i]);
    rc = queue_command(q, &reply, 6, argv, argvlen);
    if (rc != SHOP_OK)
        return rc;
    return queue_copy_message(reply, message, cap, len); /* nil: timed out */
}

static const char *queue_end_name(enum queue_end end)
{
    return end == QUEUE_LEFT ? "LEFT" : "RIGHT";
}

int queue_move_end(struct queue *q, const char *from, enum queue_end from_end, const char *to, enum queue_end to_end)
{
    const char *argv[] = {"LMOVE", from, to, queue_end_name(from_end), queue_end_name(to_end)};
    const size_t argvlen[] = {5, strlen(from), strlen(to), strlen(argv[3]), strlen(argv[4])};
    redisReply *reply;
    int rc = queue_command(q, &reply, 5, argv, argvlen);

    if (rc != SHOP_OK)
        return rc;
    rc = reply->type == REDIS_REPLY_STRING ? SHOP_OK : SHOP_ERR_NOT_FOUND;
    freeReplyObject(reply);
    return rc;
}

/* A command on one key that answers an integer (LLEN, ZCARD) into *out; 0 for anything else. */
static int queue_key_integer(struct queue *q, const char *command, const char *key, long long *out)
{
    const char *argv[] = {command, key};
    const size_t argvlen[] = {strlen(command), strlen(key)};
    redisReply *reply;
    int rc = queue_command(q, &reply, 2, argv, argvlen);

    if (rc != SHOP_OK)
        return rc;
    *out = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    freeReplyObject(reply);
    return SHOP_OK;
}

int queue_length(struct queue *q, const char *list, long long *length)
{
    return queue_key_integer(q, "LLEN", list, length);
}

int queue_remove(struct queue *q, const char *list, const char *message, size_t len)
{
    const char *argv[] = {"LREM", list, "1", message};
    const size_t argvlen[] = {4, strlen(list), 1, len};

    return queue_command(q, NULL, 4, argv, argvlen);
}

int queue_lease(struct queue *q, const char *key, int seconds)
{
    char ttl[16];
    const char *argv[] = {"SET", key, "1", "EX", ttl};
    size_t argvlen[5];
    int i;

    snprintf(ttl, sizeof(ttl), "%d", seconds);
    for (i = 0; i < 5; i++)
        argvlen[i] = strlen(argv[i]);
    return queue_command(q, NULL, 5, argv, argvlen);
}

int queue_unlease(struct queue *q, const char *key)
{
    const char *argv[] = {"DEL", key};
    const size_t argvlen[] = {3, strlen(key)};

    return queue_command(q, NULL, 2, argv, argvlen);
}

int queue_lease_held(struct queue *q, const char *key, bool *held)
{
    const char *argv[] = {"EXISTS", key};
    const size_t argvlen[] = {6, strlen(key)};
    redisReply *exists;
    int rc = queue_command(q, &exists, 2, argv, argvlen);

    *held = true; /* unknown counts as alive: nothing is taken from a worker that may still run */
    if (rc != SHOP_OK)
        return rc;
    *held = !(exists->type == REDIS_REPLY_INTEGER && exists->integer == 0);
    freeReplyObject(exists);
    return SHOP_OK;
}

/* Redis's clock in milliseconds, for scripts: every host then agrees on when a lease ends. */
#define QUEUE_LUA_NOW "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)"
/* KEYS: lease, roster. ARGV: seconds, member. */
static const char QUEUE_LUA_LEASE_LISTED[] =
    QUEUE_LUA_NOW " redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])"
    " redis.call('ZADD', KEYS[2], now + ARGV[1] * 1000, ARGV[2])"
    " redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now) return 1";
/* KEYS: lease, roster. ARGV: member. */
static const char QUEUE_LUA_UNLEASE_LISTED[] =
    "redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1";
/* KEYS: queue, retry, dead, roster. */
static const char QUEUE_LUA_STATS[] =
    QUEUE_LUA_NOW " return {redis.call('LLEN', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('LLEN', KEYS[3]),"
    " redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf')}";
/* KEYS: list, zset. ARGV: original, message, due. */
static const char QUEUE_LUA_RESCHEDULE[] =
    "redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2]) redis.call('LREM', KEYS[1], 1, ARGV[1]) return 1";
/* KEYS: list, dead. ARGV: original, message. */
static const char QUEUE_LUA_BURY[] =
    "redis.call('LPUSH', KEYS[2], ARGV[2]) redis.call('LREM', KEYS[1], 1, ARGV[1]) return 1";
/* KEYS: from, to. ARGV: message. Moves one copy of message, if from still holds it. */
static const char QUEUE_LUA_TAKE_MESSAGE[] =
    "if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then redis.call('LPUSH', KEYS[2], ARGV[1]) return 1 end return 0";
/* KEYS: zset, list. ARGV: until, max. */
static const char QUEUE_LUA_RELEASE_DUE[] =
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])"
    " for _, m in ipairs(due) do redis.call('ZREM', KEYS[1], m) redis.call('LPUSH', KEYS[2], m) end"
    " return #due";

int queue_lease_listed(struct queue *q, const char *key, int seconds, const char *roster, const char *member)
{
    char ttl[16];
    const char *argv[] = {"EVAL", QUEUE_LUA_LEASE_LISTED, "2", key, roster, ttl, member};
    size_t argvlen[7];
    int i;

    snprintf(ttl, sizeof(ttl), "%d", seconds);
    for (i = 0; i < 7; i++)
        argvlen[i] = strlen(argv[i]);
    return queue_command(q, NULL, 7, argv, argvlen);
}

int queue_unlease_listed(struct queue *q, const char *key, const char *roster, const char *member)
{
    const char *argv[] = {"EVAL", QUEUE_LUA_UNLEASE_LISTED, "2", key, roster, member};
    size_t argvlen[6];
    int i;

    for (i = 0; i < 6; i++)
        argvlen[i] = strlen(argv[i]);
    return queue_command(q, NULL, 6, argv, argvlen);
}

int queue_stats_read(struct queue *q, const struct queue_names *names, struct queue_stats *stats)
{
    const char *argv[] = {"EVAL", QUEUE_LUA_STATS, "4", names->queue, names->retry, names->dead, names->workers};
    size_t argvlen[7];
    redisReply *reply;
    int rc, i;

    for (i = 0; i < 7; i++)
        argvlen[i] = strlen(argv[i]);
    if ((rc = queue_command(q, &reply, 7, argv, argvlen)) != SHOP_OK)
        return rc;
    rc = SHOP_ERR_INTERNAL;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 4) {
        long long *figures[] = {&stats->depth, &stats->retrying, &stats->dead, &stats->live_workers};
        for (i = 0; i < 4 && reply->element[i]->type == REDIS_REPLY_INTEGER; i++)
            *figures[i] = reply->element[i]->integer;
        rc = i == 4 ? SHOP_OK : SHOP_ERR_INTERNAL;
    }
    freeReplyObject(reply);
    return rc;
}

int queue_reschedule(struct queue *q, const char *list, const char *original, size_t original_len, const char *zset,
                     const char *message, size_t len, long long due_ms)
{
    char score[32];
    const char *argv[] = {"EVAL", QUEUE_LUA_RESCHEDULE, "2", list, zset, original, message, score};
    size_t argvlen[] = {4, sizeof(QUEUE_LUA_RESCHEDULE) - 1, 1, strlen(list), strlen(zset), original_len, len, 0};

    snprintf(score, sizeof(score), "%lld", due_ms);
    argvlen[7] = strlen(score);
    return queue_command(q, NULL, 8, argv, argvlen);
}

int queue_bury(struct queue *q, const char *list, const char *original, size_t original_len, const char *dead,
               const char *message, size_t len)
{
    const char *argv[] = {"EVAL", QUEUE_LUA_BURY, "2", list, dead, original, message};
    const size_t argvlen[] = {4, sizeof(QUEUE_LUA_BURY) - 1, 1, strlen(list), strlen(dead), original_len, len};

    return queue_command(q, NULL, 7, argv, argvlen);
}

int queue_release_due(struct queue *q, const char *zset, const char *list, long long now_ms, int max, int *moved)
{
    char until[32], count[16];
    const char *argv[] = {"EVAL", QUEUE_LUA_RELEASE_DUE, "2", zset, list, until, count};
    size_t argvlen[7];
    redisReply *reply;
    int rc, k;

    if (moved != NULL)
        *moved = 0;
    snprintf(until, sizeof(until), "%lld", now_ms);
    snprintf(count, sizeof(count), "%d", max);
    for (k = 0; k < 7; k++)
        argvlen[k] = strlen(argv[k]);
    if ((rc = queue_command(q, &reply, 7, argv, argvlen)) != SHOP_OK)
        return rc;
    if (moved != NULL && reply->type == REDIS_REPLY_INTEGER)
        *moved = (int)reply->integer;
    freeReplyObject(reply);
    return SHOP_OK;
}

/*
 * What a log line may say of a message: its order id. The message itself also
 * carries the shopper's e-mail address, which stays out of the logs.
 */
static const char *queue_message_order(const char *text, size_t len, char order_id[ORDER_ID_MAX + 1])
{
    struct order_message message;

    if (order_message_decode(text, len, &message) != SHOP_OK)
        return "(unreadable)";
    memcpy(order_id, message.order_id, ORDER_ID_MAX + 1);
    return order_id;
}

int queue_drain(struct queue *q, const char *list, const char *to, int *moved)
{
    char order_id[ORDER_ID_MAX + 1];
    const char *argv[] = {"LMOVE", list, to, "RIGHT", "RIGHT"};
    const size_t argvlen[] = {5, strlen(list), strlen(to), 5, 5};
    redisReply *reply;
    int rc;

    for (;;) {
        rc = queue_command(q, &reply, 5, argv, argvlen);
        if (rc != SHOP_OK)
            return rc;
        if (reply->type != REDIS_REPLY_STRING) {
            freeReplyObject(reply);
            return SHOP_OK;
        }
        log_event(LOG_LEVEL_WARN, NULL, "event=queue_message_recovered list=%s order=%s", list,
                  queue_message_order(reply->str, reply->len, order_id));
        freeReplyObject(reply);
        (*moved)++;
    }
}

/* Calls each(q, key, arg) for every key named prefix*, until it returns anything but SHOP_OK. */
static int queue_scan(struct queue *q, const char *prefix, int (*each)(struct queue *, const char *, void *),
                      void *arg)
{
    char pattern[QUEUE_MAX_NAME + 2], cursor[32] = "0";
    int rc = SHOP_OK;

    snprintf(pattern, sizeof(pattern), "%s*", prefix);
    do {
        const char *argv[] = {"SCAN", cursor, "MATCH", pattern, "COUNT", "100"};
        const size_t argvlen[] = {4, strlen(cursor), 5, strlen(pattern), 5, 3};
        redisReply *page;
        size_t i;

        rc = queue_command(q, &page, 6, argv, argvlen);
        if (rc != SHOP_OK)
            break;
        if (page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
            freeReplyObject(page);
            rc = SHOP_ERR_INTERNAL;
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", page->element[0]->str);
        for (i = 0; i < page->element[1]->elements && rc == SHOP_OK; i++)
            rc = each(q, page->element[1]->element[i]->str, arg);
        freeReplyObject(page);
    } while (rc == SHOP_OK && strcmp(cursor, "0") != 0);
    return rc;
}

/* What queue_recover_lists() hands each list it finds. */
struct queue_recovery {
    size_t prefix_len;
    const char *lease_prefix, *to;
    int *count;
};

/* Drains list onto the recovery's target when its consumer's lease is gone. */
static int queue_recover_list(struct queue *q, const char *list, void *arg)
{
    struct queue_recovery *r = arg;
    char lease[QUEUE_MAX_NAME * 2];
    redisReply *exists;
    int rc;

    snprintf(lease, sizeof(lease), "%s%s", r->lease_prefix, list + r->prefix_len);
    const char *exists_argv[] = {"EXISTS", lease};
    const size_t exists_len[] = {6, strlen(lease)};
    if ((rc = queue_command(q, &exists, 2, exists_argv, exists_len)) != SHOP_OK)
        return rc;
    if (exists->type == REDIS_REPLY_INTEGER && exists->integer == 0)
        rc = queue_drain(q, list, r->to, r->count);
    freeReplyObject(exists);
    return rc;
}

/* Drains onto to every list named prefix<consumer> whose lease_prefix<consumer> key is gone. */
static int queue_recover_lists(struct queue *q, const char *prefix, const char *lease_prefix, const char *to,
                               int *count)
{
    struct queue_recovery recovery = {strlen(prefix), lease_prefix, to, count};

    return queue_scan(q, prefix, queue_recover_list, &recovery);
}

int queue_recover_orphans(struct queue *q, const struct queue_names *names, int *moved)
{
    int count = 0;
    int rc = queue_recover_lists(q, names->processing_prefix, names->lease_prefix, names->queue, &count);

    /* A dead letter an operator's replay was handling when it died goes back among the dead, not to the queue. */
    if (rc == SHOP_OK)
        rc = queue_recover_lists(q, names->dead_processing_prefix, names->lease_prefix, names->dead, &count);
    if (moved != NULL)
        *moved = count;
    return rc;
}

int queue_take_message(struct queue *q, const char *from, const char *to, const char *message, size_t len)
{
    const char *argv[] = {"EVAL", QUEUE_LUA_TAKE_MESSAGE, "2", from, to, message};
    const size_t argvlen[] = {4, sizeof(QUEUE_LUA_TAKE_MESSAGE) - 1, 1, strlen(from), strlen(to), len};
    redisReply *reply;
    int rc = queue_command(q, &reply, 6, argv, argvlen);

    if (rc != SHOP_OK)
        return rc;
    rc = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1 ? SHOP_OK : SHOP_ERR_NOT_FOUND;
    freeReplyObject(reply);
    return rc;
}

int queue_set_size(struct queue *q, const char *zset, long long *size)
{
    return queue_key_integer(q, "ZCARD", zset, size);
}

int queue_range(struct queue *q, const char *list, long long start, long long stop, struct arena *arena,
                struct queue_messages *out)
{
    char from[32], to[32];
    const char *argv[] = {"LRANGE", list, from, to};
    size_t argvlen[4];
    redisReply *reply;
    size_t i;
    int rc;

    out->count = 0;
    snprintf(from, sizeof(from), "%lld", start);
    snprintf(to, sizeof(to), "%lld", stop);
    argvlen[0] = 6, argvlen[1] = strlen(list), argvlen[2] = strlen(from), argvlen[3] = strlen(to);
    if ((rc = queue_command(q, &reply, 4, argv, argvlen)) != SHOP_OK)
        return rc;
    if (reply->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(reply);
        return SHOP_ERR_INTERNAL;
    }
    out->texts = arena_alloc(arena, sizeof(*out->texts) * (reply->elements + 1));
    out->lens = arena_alloc(arena, sizeof(*out->lens) * (reply->elements + 1));
    for (i = 0; rc == SHOP_OK && i < reply->elements; i++) {
        const redisReply *item = reply->element[i];
        if (out->texts == NULL || out->lens == NULL || item->type != REDIS_REPLY_STRING ||
            (out->texts[i] = arena_strndup(arena, item->str, item->len)) == NULL) {
            rc = item->type == REDIS_REPLY_STRING ? SHOP_ERR_NOMEM : SHOP_ERR_INTERNAL;
            break;
        }
        out->lens[i] = item->len;
        out->count++;
    }
    freeReplyObject(reply);
    return rc;
}

/* The number of keys prefix* (*keys) and, for lists, their total length (*messages). */
static int queue_scan_count(struct queue *q, const char *prefix, int max_pages, long long *keys, long long *messages)
{
    char pattern[QUEUE_MAX_NAME + 2], cursor[32] = "0";
    int pages = 0, rc = SHOP_OK;
    long long length;

    *keys = 0;
    if (messages != NULL)
        *messages = 0;
    snprintf(pattern, sizeof(pattern), "%s*", prefix);
    do {
        const char *argv[] = {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
        const size_t argvlen[] = {4, strlen(cursor), 5, strlen(pattern), 5, 4};
        redisReply *page;
        size_t i;

        if ((rc = queue_command(q, &page, 6, argv, argvlen)) != SHOP_OK)
            return rc;
        if (page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
            freeReplyObject(page);
            return SHOP_ERR_INTERNAL;
        }
        snprintf(cursor, sizeof(cursor), "%s", page->element[0]->str);
        *keys += (long long)page->element[1]->elements;
        for (i = 0; messages != NULL && i < page->element[1]->elements && rc == SHOP_OK; i++) {
            if ((rc = queue_length(q, page->element[1]->element[i]->str, &length)) == SHOP_OK)
                *messages += length;
        }
        freeReplyObject(page);
    } while (rc == SHOP_OK && strcmp(cursor, "0") != 0 && ++pages < max_pages);
    return rc;
}

int queue_census(struct queue *q, const struct queue_names *names, struct queue_census *census)
{
    struct queue_stats stats;
    int rc;

    if ((rc = queue_stats_read(q, names, &stats)) != SHOP_OK ||
        (rc = queue_length(q, names->unreadable, &census->unreadable)) != SHOP_OK)
        return rc;
    census->queued = stats.depth;
    census->retrying = stats.retrying;
    census->dead = stats.dead;
    census->live_workers = stats.live_workers;
    return queue_scan_count(q, names->processing_prefix, QUEUE_CENSUS_MAX_PAGES, &census->processing_lists,
                            &census->processing);
}

int queue_count_lists(struct queue *q, const char *prefix, struct queue_totals *totals)
{
    return queue_scan_count(q, prefix, INT_MAX, &totals->keys, &totals->messages);
}

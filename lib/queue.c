/*
 * queue.c - Redis connection handling over hiredis (see queue.h).
 */
#include "queue.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "config.h"
#include "err.h"
#include "log.h"

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

static int queue_connect(struct queue *q)
{
    const char *socket_path = config_get_string("redis_socket", NULL);
    struct timeval timeout = {QUEUE_TIMEOUT_MS / 1000, (QUEUE_TIMEOUT_MS % 1000) * 1000};
    long long port = 6379;
    redisContext *redis;

    if (q->redis != NULL)
        return SHOP_OK;
    if (config_get_int("redis_port", 6379, 1, 65535, &port) != SHOP_OK)
        return SHOP_ERR_INTERNAL;
    if (socket_path != NULL && *socket_path != '\0')
        redis = redisConnectUnixWithTimeout(socket_path, timeout);
    else
        redis = redisConnectWithTimeout(config_get_string("redis_host", "127.0.0.1"), (int)port, timeout);
    if (redis == NULL || redis->err != 0) {
        if (!q->reported_down)
            log_event(LOG_LEVEL_ERROR, NULL, "event=redis_connect_failed error=\"%s\"",
                      redis != NULL ? redis->errstr : "out of memory");
        q->reported_down = true;
        if (redis != NULL)
            redisFree(redis);
        return SHOP_ERR_UNAVAILABLE;
    }
    redisSetTimeout(redis, timeout);
    if (q->reported_down)
        log_event(LOG_LEVEL_INFO, NULL, "event=redis_reconnected");
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

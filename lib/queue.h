/*
 * queue.h - the Redis connection a thread owns, and the reliable order queue on it.
 *
 * Like struct db, a struct queue connects lazily and re-connects after Redis
 * went away; while Redis is down calls return SHOP_ERR_UNAVAILABLE. Configured
 * by redis_socket (or redis_host and redis_port) and queue_name.
 *
 * The queue is a Redis list (producers LPUSH, consumers take from the right, so
 * it is first in, first out). Taking is reliable: queue_take() moves a message
 * atomically (BLMOVE) into the consumer's own processing list, and the consumer
 * removes it only when the work is done. Each consumer holds a lease key with a
 * time to live; queue_recover_orphans() puts back the messages of consumers
 * whose lease expired (they died). Retries wait in a sorted set scored by their
 * due time; messages that failed for good go to the dead-letter list.
 */
#ifndef SHOP_QUEUE_H
#define SHOP_QUEUE_H

#include <stddef.h>

#define QUEUE_MAX_NAME 200
#define QUEUE_MAX_MESSAGE 1024

struct queue;

/* The Redis keys of the order queue, all derived from queue_name. */
struct queue_names {
    char queue[QUEUE_MAX_NAME];       /* queue_name (default shop:orders) */
    char dead[QUEUE_MAX_NAME];        /* <queue>:dead, failed for good */
    char retry[QUEUE_MAX_NAME];       /* <queue>:retry, sorted set by due time (ms) */
    char processing_prefix[QUEUE_MAX_NAME]; /* <queue>:processing:<consumer> */
    char lease_prefix[QUEUE_MAX_NAME];      /* <queue>:lease:<consumer> */
};

/* Fills names from queue_name; SHOP_ERR_INVALID for a name too long. */
int queue_names_load(struct queue_names *names);

/* A new, not yet connected handle; NULL when out of memory. */
struct queue *queue_open(void);

/* Closes the connection and frees q. */
void queue_close(struct queue *q);

/* SHOP_OK when Redis answers PING, SHOP_ERR_UNAVAILABLE otherwise. */
int queue_ping(struct queue *q);

/*
 * LPUSH message onto list. A connection found broken is replaced and the push
 * tried once more, so a message may (rarely) arrive twice: consumers must be
 * idempotent, as the order worker is.
 */
int queue_push(struct queue *q, const char *list, const char *message, size_t len);

/*
 * Moves the oldest message of from into to (BLMOVE), waiting up to
 * timeout_seconds; SHOP_ERR_NOT_FOUND when none came. The message is copied into
 * message (cap bytes, NUL-terminated) with its length in *len; a longer one is
 * SHOP_ERR_TOO_LARGE and stays in to.
 */
int queue_take(struct queue *q, const char *from, const char *to, int timeout_seconds, char *message,
               size_t cap, size_t *len);

/* Like queue_take() without waiting: moves the oldest message of from into to. */
int queue_move(struct queue *q, const char *from, const char *to, char *message, size_t cap, size_t *len);

/* Removes one copy of message from list (LREM): the acknowledgement. */
int queue_remove(struct queue *q, const char *list, const char *message, size_t len);

/* Sets key to expire in seconds (SET key 1 EX seconds): a consumer's lease. */
int queue_lease(struct queue *q, const char *key, int seconds);

/* Drops a lease at once (a consumer that stops cleanly). */
int queue_unlease(struct queue *q, const char *key);

/* Adds message to the sorted set zset, due at due_ms (milliseconds since the epoch). */
int queue_schedule(struct queue *q, const char *zset, const char *message, size_t len, long long due_ms);

/*
 * Moves up to max messages of zset due by now_ms onto list. A message is moved
 * by whoever removes it from the set first, so several consumers may call this
 * at once. *moved (may be NULL) counts them.
 */
int queue_release_due(struct queue *q, const char *zset, const char *list, long long now_ms, int max, int *moved);

/*
 * Puts back onto the queue every message in a processing list whose consumer's
 * lease key no longer exists. *moved (may be NULL) counts the messages.
 */
int queue_recover_orphans(struct queue *q, const struct queue_names *names, int *moved);

#endif

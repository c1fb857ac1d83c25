/*
 * queue.h - the Redis connection a thread owns, and the reliable order queue on it.
 *
 * Like struct db, a struct queue connects lazily and re-connects after Redis
 * went away; while Redis is down calls return SHOP_ERR_UNAVAILABLE. Configured
 * by redis_socket (or redis_host and redis_port) and queue_name; or, when
 * redis_sentinels names some, through Sentinel (sentinel.h): every reconnect
 * asks them for the primary, and while none names one that answers as a
 * primary calls return SHOP_ERR_UNAVAILABLE too. A reply of READONLY,
 * MASTERDOWN, LOADING or UNBLOCKED (the node was demoted, or cannot serve now)
 * is SHOP_ERR_UNAVAILABLE and drops the connection like a broken one.
 *
 * The queue is a Redis list (producers LPUSH, consumers take from the right, so
 * it is first in, first out). Taking is reliable: queue_take() moves a message
 * atomically (BLMOVE) into the consumer's own processing list, and the consumer
 * removes it only when the work is done. Each consumer holds a lease key with a
 * time to live; queue_recover_orphans() puts back the messages of consumers
 * whose lease expired (they died). Consumers that should be counted (the
 * order workers) renew a listed lease: the same key, plus their name in a
 * roster scored by the lease's expiry, so a health check counts the live ones
 * with one ZCOUNT instead of scanning keys. Retries wait in a sorted set scored by their
 * due time; messages that failed for good go to the dead-letter list.
 *
 * Every move of a message from one key to another is one atomic Redis command
 * or script (LMOVE, or EVAL of a short Lua script), so a crash of Redis or of
 * the consumer between two commands can never lose or copy a message.
 */
#ifndef SHOP_QUEUE_H
#define SHOP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

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
    char dead_processing_prefix[QUEUE_MAX_NAME]; /* <queue>:dead-processing:<consumer>, a dead letter being handled */
    char unreadable[QUEUE_MAX_NAME];  /* <queue>:dead:unreadable, dead letters no tool can read, kept for a person */
    char workers[QUEUE_MAX_NAME];     /* <queue>:workers, sorted set: workers by lease expiry (ms, Redis's clock) */
};

/* The order queue at a glance (queue_stats_read). */
struct queue_stats {
    long long depth;                  /* messages waiting in the queue */
    long long retrying;               /* messages in the retry set, waiting for their due time */
    long long dead;                   /* dead letters */
    long long live_workers;           /* roster members whose lease has not expired */
};

/* Which end of a list: LEFT is where producers push, RIGHT the oldest message. */
enum queue_end {
    QUEUE_LEFT,
    QUEUE_RIGHT,
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

/*
 * Moves one message from an end of from to an end of to (LMOVE), without
 * reading it; SHOP_ERR_NOT_FOUND when from is empty.
 */
int queue_move_end(struct queue *q, const char *from, enum queue_end from_end, const char *to, enum queue_end to_end);

/* The number of messages in list (LLEN) into *length. */
int queue_length(struct queue *q, const char *list, long long *length);

/* Removes one copy of message from list (LREM): the acknowledgement. */
int queue_remove(struct queue *q, const char *list, const char *message, size_t len);

/* Sets key to expire in seconds (SET key 1 EX seconds): a consumer's lease. */
int queue_lease(struct queue *q, const char *key, int seconds);

/* Drops a lease at once (a consumer that stops cleanly). */
int queue_unlease(struct queue *q, const char *key);

/* Sets *held to whether the lease key exists (its consumer is alive); SHOP_ERR_UNAVAILABLE when Redis is away. */
int queue_lease_held(struct queue *q, const char *key, bool *held);

/*
 * A lease others can count, in one atomic script: sets key to expire in
 * seconds (as queue_lease) and scores member in the sorted set roster by that
 * expiry, in milliseconds on Redis's own clock (so the hosts' clocks need not
 * agree); members whose lease expired leave the roster on the way.
 */
int queue_lease_listed(struct queue *q, const char *key, int seconds, const char *roster, const char *member);

/* Drops a listed lease and member's place in roster at once, in one atomic step (a clean stop). */
int queue_unlease_listed(struct queue *q, const char *key, const char *roster, const char *member);

/*
 * Reads the queue's figures and counts the live workers of names->workers in
 * one read-only script: one round trip, each part O(1) or O(log n).
 */
int queue_stats_read(struct queue *q, const struct queue_names *names, struct queue_stats *stats);

/*
 * In one atomic step: adds message to the sorted set zset, due at due_ms
 * (milliseconds since the epoch), and removes one copy of original from list.
 */
int queue_reschedule(struct queue *q, const char *list, const char *original, size_t original_len, const char *zset,
                     const char *message, size_t len, long long due_ms);

/* In one atomic step: pushes message onto dead and removes one copy of original from list. */
int queue_bury(struct queue *q, const char *list, const char *original, size_t original_len, const char *dead,
               const char *message, size_t len);

/*
 * Moves up to max messages of zset due by now_ms onto list, in one atomic
 * script, so several consumers may call this at once. *moved (may be NULL)
 * counts them.
 */
int queue_release_due(struct queue *q, const char *zset, const char *list, long long now_ms, int max, int *moved);

/*
 * Puts back every message in a processing list whose consumer's lease key no
 * longer exists: onto the queue, or from a dead-processing list back onto
 * the dead list. *moved (may be NULL) counts the messages.
 */
int queue_recover_orphans(struct queue *q, const struct queue_names *names, int *moved);

/* Moves every message of list onto the tail of to, oldest first, one LMOVE each. *moved counts them. */
int queue_drain(struct queue *q, const char *list, const char *to, int *moved);

/*
 * In one atomic step: moves one copy of message (compared whole) from the list
 * from onto the head of to. SHOP_ERR_NOT_FOUND when from no longer holds it
 * (someone else took it first).
 */
int queue_take_message(struct queue *q, const char *from, const char *to, const char *message, size_t len);

/* The number of members of the sorted set zset (ZCARD) into *size. */
int queue_set_size(struct queue *q, const char *zset, long long *size);

/* Messages copied out of a list into an arena. */
struct queue_messages {
    char **texts;                 /* NUL-terminated copies */
    size_t *lens;
    int count;
};

/*
 * The messages of list from index start to stop (LRANGE: 0 is the head, where
 * producers push; -1 the tail, the oldest), copied into arena.
 */
int queue_range(struct queue *q, const char *list, long long start, long long stop, struct arena *arena,
                struct queue_messages *out);

/* What queue_count_lists() found. */
struct queue_totals {
    long long keys;               /* lists */
    long long messages;           /* their messages together */
};

/* Counts the lists named prefix* (SCAN) and their messages. */
int queue_count_lists(struct queue *q, const char *prefix, struct queue_totals *totals);
/* How many messages wait where, and how many workers live: what monitoring shows. */
struct queue_census {
    long long queued;             /* the queue itself */
    long long processing;         /* in every consumer's processing list */
    long long processing_lists;
    long long retrying;           /* in the retry set */
    long long dead;               /* the dead-letter list */
    long long unreadable;         /* dead letters kept for a person */
    long long live_workers;       /* the roster's members whose lease has not expired, as health counts them */
};

/* Pages of SCAN (1000 keys asked each) a census reads at most: it stays cheap on a large keyspace. */
#define QUEUE_CENSUS_MAX_PAGES 20

/*
 * Fills census: queue_stats_read's figures, the unreadable dead letters, and
 * (SCAN, at most QUEUE_CENSUS_MAX_PAGES pages) the processing lists.
 */
int queue_census(struct queue *q, const struct queue_names *names, struct queue_census *census);

#endif

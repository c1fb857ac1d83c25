/*
 * sentinel.h - finding the Redis primary through Redis Sentinel.
 *
 * hiredis does not speak Sentinel, so this module does what a Sentinel-aware
 * client does on every (re)connect: ask each Sentinel in turn, with a short
 * timeout, SENTINEL get-master-addr-by-name; connect to the address given; and
 * confirm with ROLE that the node is a primary. A node that still answers
 * "slave" (demoted, or not yet promoted) counts as no answer, and the next
 * Sentinel is asked. Configured by redis_sentinels and redis_master_name
 * (settings.h); queue.c is its only caller, on every (re)connect.
 */
#ifndef SHOP_SENTINEL_H
#define SHOP_SENTINEL_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#define SENTINEL_MAX 8                 /* Sentinels a list may name */
#define SENTINEL_HOST_MAX 255          /* a host name or address, brackets of an IPv6 address excluded */
#define SENTINEL_LIST_TEXT_MAX 1000    /* the whole list: a configuration value is at most 1024 bytes anyway */
#define SENTINEL_MASTER_NAME_MAX 64
#define SENTINEL_TIMEOUT_MS 300        /* connect and read, per Sentinel and per candidate primary */
#define SENTINEL_REASON_MAX 160

/* One host:port, of a Sentinel or of a primary. */
struct sentinel_address {
    char host[SENTINEL_HOST_MAX + 1];
    int port;
};

/* The parsed redis_sentinels: count 0 means no Sentinel (redis_socket or redis_host are used). */
struct sentinel_list {
    struct sentinel_address addresses[SENTINEL_MAX];
    int count;
};

/*
 * Parses text, a comma-separated list of host:port ("[::1]:26379" for an IPv6
 * address; spaces around entries allowed; empty text is an empty list) into
 * list. SHOP_ERR_INVALID for an empty entry, a host of other characters than
 * letters, digits, '.', '-' (and ':' inside brackets), a port outside 1 to
 * 65535, or more than SENTINEL_MAX entries; reason (reason_size bytes) then
 * says which entry and why, without quoting it.
 */
int sentinel_list_parse(const char *text, struct sentinel_list *list, char *reason, size_t reason_size);

/* Whether name is usable as redis_master_name: 1 to SENTINEL_MASTER_NAME_MAX of [A-Za-z0-9._-]. */
int sentinel_master_name_check(const char *name);

/*
 * Asks the Sentinels of list in turn for the primary named name and returns a
 * connection to the first answer that ROLE confirms as a primary, with
 * timeout_ms as its read timeout. NULL when no Sentinel gave a usable
 * primary: error (error_size bytes) then says what the last attempt met. Each
 * Sentinel and each candidate gets SENTINEL_TIMEOUT_MS to connect and as much
 * to answer, so this blocks at most list->count times four of that.
 *
 * The first primary a process finds is logged (event=redis_master_found), and
 * each later change of its address once per process, whichever thread sees
 * it first (event=redis_master_changed, counted as METRICS_REDIS_MASTER_CHANGED).
 */
redisContext *sentinel_connect_primary(const struct sentinel_list *list, const char *name, int timeout_ms,
                                       char *error, size_t error_size);

#endif

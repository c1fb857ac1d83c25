/*
 * sentinel.c - the Sentinel list and the search for the primary (see sentinel.h).
 *
 * Nothing here is remembered between calls but the address last found, for
 * the log: every reconnect asks again, so a failover is followed however many
 * happened since. The price is one short round trip to a Sentinel per
 * reconnect, which only happens after a connection broke.
 */
#include "sentinel.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "err.h"
#include "log.h"
#include "metrics.h"

#define SENTINEL_PORT_DIGITS 5
#define SENTINEL_HOST_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-"
#define SENTINEL_IPV6_CHARS "0123456789abcdefABCDEF:."
#define SENTINEL_NAME_CHARS SENTINEL_HOST_CHARS "_"

/* A port of 1 to 65535 written in len decimal digits at text; 0 when it is not one. */
static int sentinel_port_parse(const char *text, size_t len)
{
    int port = 0;
    size_t i;

    if (len == 0 || len > SENTINEL_PORT_DIGITS)
        return 0;
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i]))
            return 0;
        port = port * 10 + (text[i] - '0');
    }
    return port <= 65535 ? port : 0;
}

/* Parses one entry (len bytes at text, trimmed) into address; a static reason when it is not host:port. */
static const char *sentinel_entry_parse(const char *text, size_t len, struct sentinel_address *address)
{
    const char *host = text, *colon, *chars = SENTINEL_HOST_CHARS;
    size_t host_len;

    if (len == 0)
        return "is empty";
    if (*text == '[') { /* [IPv6]:port */
        const char *close = memchr(text, ']', len);
        if (close == NULL || close + 1 >= text + len || close[1] != ':')
            return "is not [address]:port";
        host = text + 1, host_len = (size_t)(close - host), colon = close + 1, chars = SENTINEL_IPV6_CHARS;
    } else {
        const char *c;
        for (colon = NULL, c = text; c < text + len; c++)
            colon = *c == ':' ? c : colon;
        if (colon == NULL)
            return "has no :port";
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0 || host_len > SENTINEL_HOST_MAX)
        return "has no host, or one longer than 255 characters";
    for (size_t i = 0; i < host_len; i++) {
        if (strchr(chars, host[i]) == NULL)
            return "has a host with a character not allowed there (letters, digits, '.', '-'; ':' in [ ])";
    }
    if ((address->port = sentinel_port_parse(colon + 1, (size_t)(text + len - colon - 1))) == 0)
        return "has a port that is not a number from 1 to 65535";
    memcpy(address->host, host, host_len);
    address->host[host_len] = '\0';
    return NULL;
}

int sentinel_list_parse(const char *text, struct sentinel_list *list, char *reason, size_t reason_size)
{
    const char *entry = text, *bad;

    list->count = 0;
    if (text[strspn(text, " ")] == '\0')
        return SHOP_OK;
    for (;;) {
        const char *end = strchr(entry, ','), *last;
        if (end == NULL)
            end = entry + strlen(entry);
        for (last = end; last > entry && last[-1] == ' '; last--)
            ;
        while (entry < last && *entry == ' ')
            entry++;
        if (list->count == SENTINEL_MAX) {
            snprintf(reason, reason_size, "at most %d Sentinels", SENTINEL_MAX);
            list->count = 0;
            return SHOP_ERR_INVALID;
        }
        if ((bad = sentinel_entry_parse(entry, (size_t)(last - entry), &list->addresses[list->count])) != NULL) {
            snprintf(reason, reason_size, "entry %d %s", list->count + 1, bad);
            list->count = 0;
            return SHOP_ERR_INVALID;
        }
        list->count++;
        if (*end == '\0')
            return SHOP_OK;
        entry = end + 1;
    }
}

int sentinel_master_name_check(const char *name)
{
    size_t len = strlen(name);

    return len >= 1 && len <= SENTINEL_MASTER_NAME_MAX && strspn(name, SENTINEL_NAME_CHARS) == len
               ? SHOP_OK
               : SHOP_ERR_INVALID;
}

static struct timeval sentinel_timeval(int ms)
{
    return (struct timeval){ms / 1000, (ms % 1000) * 1000};
}

/* A connection to address with SENTINEL_TIMEOUT_MS to connect and to answer; NULL (error filled) when refused. */
static redisContext *sentinel_dial(const struct sentinel_address *address, const char *what, char *error,
                                   size_t error_size)
{
    struct timeval timeout = sentinel_timeval(SENTINEL_TIMEOUT_MS);
    redisContext *redis = redisConnectWithTimeout(address->host, address->port, timeout);

    if (redis == NULL || redis->err != 0) {
        snprintf(error, error_size, "%s %s:%d: %s", what, address->host, address->port,
                 redis != NULL ? redis->errstr : "out of memory");
        if (redis != NULL)
            redisFree(redis);
        return NULL;
    }
    redisSetTimeout(redis, timeout);
    return redis;
}

/* Asks one Sentinel where the primary named name is; SHOP_OK with *primary filled, else error says why. */
static int sentinel_ask(const struct sentinel_address *sentinel, const char *name, struct sentinel_address *primary,
                        char *error, size_t error_size)
{
    const char *argv[] = {"SENTINEL", "get-master-addr-by-name", name};
    const size_t argvlen[] = {8, 23, strlen(name)};
    redisContext *redis = sentinel_dial(sentinel, "sentinel", error, error_size);
    redisReply *reply;
    int rc = SHOP_ERR_UNAVAILABLE;

    if (redis == NULL)
        return SHOP_ERR_UNAVAILABLE;
    reply = redisCommandArgv(redis, 3, argv, argvlen);
    if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
        reply->element[0]->type == REDIS_REPLY_STRING && reply->element[1]->type == REDIS_REPLY_STRING &&
        reply->element[0]->len >= 1 && reply->element[0]->len <= SENTINEL_HOST_MAX &&
        (primary->port = sentinel_port_parse(reply->element[1]->str, reply->element[1]->len)) != 0) {
        memcpy(primary->host, reply->element[0]->str, reply->element[0]->len);
        primary->host[reply->element[0]->len] = '\0';
        rc = SHOP_OK;
    } else {
        snprintf(error, error_size, "sentinel %s:%d: %s", sentinel->host, sentinel->port,
                 reply == NULL ? redis->errstr : "no primary known by that name");
    }
    if (reply != NULL)
        freeReplyObject(reply);
    redisFree(redis);
    return rc;
}

/* A connection to address when ROLE says it is a primary; NULL (error filled) otherwise. */
static redisContext *sentinel_confirm(const struct sentinel_address *address, char *error, size_t error_size)
{
    redisContext *redis = sentinel_dial(address, "primary", error, error_size);
    redisReply *reply;
    bool primary;

    if (redis == NULL)
        return NULL;
    reply = redisCommand(redis, "ROLE");
    primary = reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
              reply->element[0]->type == REDIS_REPLY_STRING && strcmp(reply->element[0]->str, "master") == 0;
    if (!primary)
        snprintf(error, error_size, "primary %s:%d: %s", address->host, address->port,
                 reply == NULL ? redis->errstr : "answers ROLE as a replica, not a primary");
    if (reply != NULL)
        freeReplyObject(reply);
    if (!primary) {
        redisFree(redis);
        return NULL;
    }
    return redis;
}

/*
 * The primary last found by any thread of this process, so a failover is
 * logged and counted once per process rather than once per thread. The one
 * piece of state threads share here, hence its lock; it is touched only on a
 * reconnect.
 */
static pthread_mutex_t sentinel_seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sentinel_address sentinel_seen;

/* Logs the first primary found (event=redis_master_found) and each change of address (event=redis_master_changed). */
static void sentinel_note_primary(const struct sentinel_address *primary)
{
    char before[LOG_MAX_VALUE], now[LOG_MAX_VALUE], text[SENTINEL_HOST_MAX + 8];
    bool first, changed;

    pthread_mutex_lock(&sentinel_seen_lock);
    first = sentinel_seen.port == 0;
    changed = !first && (sentinel_seen.port != primary->port || strcmp(sentinel_seen.host, primary->host) != 0);
    if (changed) {
        snprintf(text, sizeof(text), "%s:%d", sentinel_seen.host, sentinel_seen.port);
        log_value(text, before, sizeof(before));
    }
    if (first || changed)
        sentinel_seen = *primary;
    pthread_mutex_unlock(&sentinel_seen_lock);
    if (!first && !changed)
        return;
    snprintf(text, sizeof(text), "%s:%d", primary->host, primary->port);
    log_value(text, now, sizeof(now)); /* the address came from a Sentinel's answer */
    if (first) {
        log_event(LOG_LEVEL_INFO, NULL, "event=redis_master_found master=%s", now);
        return;
    }
    log_event(LOG_LEVEL_WARN, NULL, "event=redis_master_changed from=%s to=%s", before, now);
    metrics_add(METRICS_REDIS_MASTER_CHANGED, 1);
}

redisContext *sentinel_connect_primary(const struct sentinel_list *list, const char *name, int timeout_ms,
                                       char *error, size_t error_size)
{
    struct sentinel_address primary;
    redisContext *redis;
    int i;

    snprintf(error, error_size, "no Sentinel configured");
    for (i = 0; i < list->count; i++) {
        if (sentinel_ask(&list->addresses[i], name, &primary, error, error_size) != SHOP_OK)
            continue;
        if ((redis = sentinel_confirm(&primary, error, error_size)) != NULL) {
            redisSetTimeout(redis, sentinel_timeval(timeout_ms));
            sentinel_note_primary(&primary);
            return redis;
        }
    }
    return NULL;
}

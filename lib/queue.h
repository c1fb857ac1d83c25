/*
 * queue.h - the Redis connection a thread owns, and the order queue on it.
 *
 * Like struct db, a struct queue connects lazily and re-connects after Redis
 * went away; while Redis is down calls return SHOP_ERR_UNAVAILABLE. Configured
 * by redis_socket (or redis_host and redis_port).
 */
#ifndef SHOP_QUEUE_H
#define SHOP_QUEUE_H

struct queue;

/* A new, not yet connected handle; NULL when out of memory. */
struct queue *queue_open(void);

/* Closes the connection and frees q. */
void queue_close(struct queue *q);

/* SHOP_OK when Redis answers PING, SHOP_ERR_UNAVAILABLE otherwise. */
int queue_ping(struct queue *q);

#endif

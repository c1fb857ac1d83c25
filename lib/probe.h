/*
 * probe.h - is a FastCGI responder answering? Asked over its unix socket.
 *
 * A connect alone proves nothing: the socket belongs to a supervisor
 * (scripts/supervise, systemd socket activation) that keeps it open while the
 * responder is stopped or restarting, and the kernel queues connections in its
 * backlog meanwhile. So the probe sends the FastCGI management record
 * FCGI_GET_VALUES, which libfcgi answers (FCGI_GET_VALUES_RESULT) from the
 * thread that accepted the connection without running a request: only a
 * responder that accepts and reads answers it.
 *
 * All sockets are asked at once and the answers awaited together, so the probe
 * of N responders costs its timeout at most, whatever N.
 */
#ifndef SHOP_PROBE_H
#define SHOP_PROBE_H

#include <stdbool.h>

#define PROBE_MAX_TARGETS 16

/* One responder to ask. */
struct probe_target {
    const char *path;           /* its unix socket */
    bool up;                    /* set by probe_fastcgi: it answered in time */
};

/*
 * Asks each of targets[0..count) FCGI_GET_VALUES and waits at most timeout_ms
 * in all for the answers; sets each target's up. count is at most
 * PROBE_MAX_TARGETS (more are reported down). Never blocks past the timeout.
 */
void probe_fastcgi(struct probe_target *targets, int count, int timeout_ms);

#endif

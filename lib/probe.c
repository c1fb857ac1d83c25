/*
 * probe.c - FCGI_GET_VALUES over unix sockets, all at once (see probe.h).
 */
#include "probe.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define PROBE_FCGI_VERSION 1
#define PROBE_FCGI_GET_VALUES 9
#define PROBE_FCGI_GET_VALUES_RESULT 10
#define PROBE_FCGI_HEADER_LEN 8

/*
 * FCGI_GET_VALUES asking for FCGI_MPXS_CONNS: an 8-byte header (version,
 * type, request id 0 = a management record, content length 17, padding 7),
 * then one name-value pair with an empty value, padded to 8 bytes.
 */
static const unsigned char probe_record[] = {
    PROBE_FCGI_VERSION, PROBE_FCGI_GET_VALUES, 0, 0, 0, 17, 7, 0,
    15, 0, 'F', 'C', 'G', 'I', '_', 'M', 'P', 'X', 'S', '_', 'C', 'O', 'N', 'N', 'S',
    0, 0, 0, 0, 0, 0, 0,
};

/* One probe under way. */
struct probe_pending {
    int fd;                     /* -1 once decided */
    unsigned char reply[PROBE_FCGI_HEADER_LEN];
    size_t got;
};

static long long probe_now_ms(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000LL + now.tv_nsec / 1000000;
}

/* Connects to path and sends the record without blocking; the socket, or -1 (down). */
static int probe_send(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    int fd;

    if (len >= sizeof(address.sun_path))
        return -1;
    memcpy(address.sun_path, path, len + 1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
        return -1;
    /* A unix socket connects at once or not at all: EAGAIN is a full backlog, no one accepting. */
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0 ||
        send(fd, probe_record, sizeof(probe_record), MSG_NOSIGNAL) != (ssize_t)sizeof(probe_record)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads what arrived; true once the probe is decided (target->up set). */
static bool probe_read(struct probe_pending *p, struct probe_target *target)
{
    ssize_t n = recv(p->fd, p->reply + p->got, sizeof(p->reply) - p->got, MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return false;
    if (n <= 0)
        return true; /* closed or broken: down */
    p->got += (size_t)n;
    if (p->got < sizeof(p->reply))
        return false;
    target->up = p->reply[0] == PROBE_FCGI_VERSION && p->reply[1] == PROBE_FCGI_GET_VALUES_RESULT;
    return true;
}

void probe_fastcgi(struct probe_target *targets, int count, int timeout_ms)
{
    struct probe_pending pending[PROBE_MAX_TARGETS];
    struct pollfd polled[PROBE_MAX_TARGETS];
    long long deadline = probe_now_ms() + timeout_ms;
    int i, open = 0;

    for (i = 0; i < count; i++) {
        targets[i].up = false;
        if (i < PROBE_MAX_TARGETS) {
            pending[i] = (struct probe_pending){.fd = probe_send(targets[i].path)};
            open += pending[i].fd >= 0 ? 1 : 0;
        }
    }
    if (count > PROBE_MAX_TARGETS)
        count = PROBE_MAX_TARGETS;
    while (open > 0) {
        long long left = deadline - probe_now_ms();
        int n = 0;

        if (left <= 0)
            break;
        for (i = 0; i < count; i++)
            polled[i] = (struct pollfd){.fd = pending[i].fd, .events = POLLIN}; /* fd -1 is skipped */
        if ((n = poll(polled, (nfds_t)count, (int)left)) < 0 && errno != EINTR)
            break;
        for (i = 0; i < count && n > 0; i++) {
            if (pending[i].fd < 0 || polled[i].revents == 0 || !probe_read(&pending[i], &targets[i]))
                continue;
            close(pending[i].fd);
            pending[i].fd = -1;
            open--;
        }
    }
    for (i = 0; i < count; i++)
        if (pending[i].fd >= 0)
            close(pending[i].fd); /* no answer in time: down */
}

/*
 * responder.c - threads, routing and shutdown for FastCGI responders
 * (see responder.h).
 */
#define _GNU_SOURCE /* pthread_timedjoin_np, accept4, pipe2 */
#include "responder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "metrics.h"
#include "settings.h"
#include "token.h"

#define RESPONDER_LISTEN_BACKLOG 1024
#define RESPONDER_LISTEN_FDS_START 3   /* SD_LISTEN_FDS_START */

struct responder_thread {
    pthread_t id;
    int index;
    int listen_fd;
    int wake_fd;                  /* readable once the process stops */
    const struct responder *responder;
    atomic_bool done;
};

static atomic_bool responder_stopping;
static long long responder_body_limit = RESPONDER_DEFAULT_MAX_BODY;

long long responder_max_body(void)
{
    return responder_body_limit;
}

/* Matches path against pattern, capturing {…} segments into req. */
static bool responder_route_matches(const char *pattern, const char *path, struct http_request *req)
{
    int captured = 0;

    while (*pattern != '\0' && *path != '\0') {
        if (*pattern == '{') {
            const char *close = strchr(pattern, '}');
            const char *slash = strchr(path, '/');
            size_t len = slash != NULL ? (size_t)(slash - path) : strlen(path);

            if (close == NULL || len == 0 || captured == HTTP_MAX_ROUTE_PARAMS)
                return false;
            req->route_params[captured++] = arena_strndup(req->arena, path, len);
            pattern = close + 1;
            path += len;
            continue;
        }
        if (*pattern != *path)
            return false;
        pattern++;
        path++;
    }
    if (*pattern != '\0' || *path != '\0')
        return false;
    req->route_param_count = captured;
    return true;
}

static int responder_run_route(const struct responder *responder, const struct responder_route *route,
                               struct http_request *req, struct responder_context *ctx)
{
    int rc;

    if (responder->uses_session) {
        rc = session_from_request(req, &ctx->session);
        if (rc == SHOP_OK)
            rc = session_resolve(req, ctx->db, &ctx->session);
        if (rc != SHOP_OK)
            return rc;
    }
    if (strcmp(req->method, "GET") != 0) {
        rc = http_check_state_change(req);
        if (rc == SHOP_ERR_FORBIDDEN)
            return http_reply_error(req, rc, "forbidden_origin", "Requests from other sites are not allowed.", NULL);
        if (rc != SHOP_OK)
            return rc;
    }
    return route->handler(req, ctx);
}

/* Runs the route matching req; *route_index gets its index in the table, or -1 when none matched. */
static int responder_dispatch(const struct responder *responder, struct http_request *req,
                              struct responder_context *ctx, int *route_index)
{
    const struct responder_route *route;
    char allow[128] = "";
    size_t used = 0;

    for (route = responder->routes; route->method != NULL; route++) {
        if (!responder_route_matches(route->pattern, req->path, req))
            continue;
        if (strcmp(route->method, req->method) == 0) {
            *route_index = (int)(route - responder->routes);
            return responder_run_route(responder, route, req, ctx);
        }
        if (used < sizeof(allow))
            used += (size_t)snprintf(allow + used, sizeof(allow) - used, "%s%s", used > 0 ? ", " : "",
                                     route->method);
    }
    if (used == 0)
        return http_reply_error(req, SHOP_ERR_NOT_FOUND, "no_route", "There is no API at this address.", NULL);
    http_add_header(req, "Allow", allow);
    return http_reply_error(req, SHOP_ERR_METHOD, NULL, NULL, NULL);
}

static long long responder_elapsed_us(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000000LL + (now.tv_nsec - start->tv_nsec) / 1000;
}

void responder_serve(const struct responder *responder, FCGX_Request *fcgi, struct responder_context *ctx)
{
    struct http_request req;
    struct timespec start;
    long long elapsed_us;
    char method[LOG_MAX_VALUE], path[LOG_MAX_VALUE];
    int rc, route_index = -1;

    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = http_request_init(&req, fcgi, &ctx->arena);
    if (rc == SHOP_OK)
        rc = responder_dispatch(responder, &req, ctx, &route_index);
    if (req.status == 0) {
        if (rc == SHOP_OK) {
            log_event(LOG_LEVEL_ERROR, req.request_id, "event=handler_no_reply path=%s",
                      log_value(req.path, path, sizeof(path)));
            rc = SHOP_ERR_INTERNAL;
        }
        if (http_reply_error(&req, rc, NULL, NULL, NULL) != SHOP_ERR_REPLIED)
            http_reply(&req, 500, "application/json; charset=utf-8", "{}", 2);
    }
    elapsed_us = responder_elapsed_us(&start);
    metrics_count_request(route_index, req.status, elapsed_us);
    log_event(req.status >= 500 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, req.request_id,
              "event=request method=%s path=%s status=%d us=%lld%s%s", log_value(req.method, method, sizeof(method)),
              log_value(req.path, path, sizeof(path)), req.status,
              elapsed_us, req.error_code != NULL ? " error=" : "",
              req.error_code != NULL ? req.error_code : "");
    http_request_finish(&req);
}

/*
 * The next connection on the listening socket, or -1 once the process stops
 * (or on a passing error). Waiting in poll() on the socket and the wake pipe,
 * rather than in libfcgi's blocking accept(), is what lets a stopping process
 * leave the listening socket alone: it may be shared with the responder that
 * replaces this one (scripts/supervise, systemd), which must go on accepting.
 * The socket is non-blocking, so a connection another thread or process took
 * first is just EAGAIN.
 */
static int responder_accept(int listen_fd, int wake_fd)
{
    struct pollfd waiting[2] = {{.fd = listen_fd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
    int fd;

    if (poll(waiting, 2, -1) < 0 || (waiting[1].revents & POLLIN) != 0 || (waiting[0].revents & POLLIN) == 0)
        return -1;
    fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        log_event(LOG_LEVEL_WARN, NULL, "event=accept_failed error=\"%s\"", strerror(errno));
    return fd;
}

static void *responder_thread_main(void *arg)
{
    struct responder_thread *thread = arg;
    struct responder_context ctx = {.thread_index = thread->index};
    FCGX_Request fcgi;

    arena_init(&ctx.arena, RESPONDER_ARENA_CHUNK);
    metrics_attach_thread(thread->index);
    ctx.db = db_open();
    ctx.read_db = ctx.db != NULL ? db_open_read(ctx.db) : NULL;
    ctx.queue = thread->responder->uses_queue ? queue_open() : NULL;
    if (ctx.db == NULL || ctx.read_db == NULL || (thread->responder->uses_queue && ctx.queue == NULL) ||
        FCGX_InitRequest(&fcgi, thread->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=thread_init_failed thread=%d", thread->index);
        db_close(ctx.read_db);
        db_close(ctx.db);
        queue_close(ctx.queue);
        atomic_store(&thread->done, true);
        return NULL;
    }
    while (!atomic_load(&responder_stopping)) {
        /*
         * A connection nginx keeps open (keep-conn) is read again; otherwise
         * this thread takes a new one and hands it to libfcgi, which reads the
         * request from an open ipcFd instead of accepting. keepConnection set
         * keeps FCGX_Accept_r's opening FCGX_Finish_r from closing it; the
         * request's own flags replace it.
         */
        if (fcgi.ipcFd < 0) {
            int fd = responder_accept(thread->listen_fd, thread->wake_fd);
            if (fd < 0)
                continue;
            fcgi.ipcFd = fd;
            fcgi.keepConnection = 1;
        }
        if (FCGX_Accept_r(&fcgi) < 0)
            continue; /* a broken connection: libfcgi closed it (its own accept fails at once, non-blocking) */
        responder_serve(thread->responder, &fcgi, &ctx);
        FCGX_Finish_r(&fcgi);
        arena_reset(&ctx.arena);
    }
    FCGX_Free(&fcgi, 0);
    db_close(ctx.read_db);
    db_close(ctx.db);
    queue_close(ctx.queue);
    arena_free(&ctx.arena);
    atomic_store(&thread->done, true);
    return NULL;
}

static void responder_usage(const struct responder *responder, FILE *out)
{
    fprintf(out,
            "usage: shop-%s [--config FILE] [--threads N] [--listen ADDRESS]\n"
            "\n"
            "FastCGI responder for the fcgi-shop %s API. Normally started by spawn-fcgi,\n"
            "which passes the listening socket as file descriptor 0.\n"
            "\n"
            "  --config FILE     configuration file (default $SHOP_CONFIG or %s)\n"
            "  --threads N       request threads, each with its own connections (default: key threads, %d)\n"
            "  --listen ADDRESS  listen itself instead: a unix socket path or [host]:port\n"
            "  --help            this text\n",
            responder->name, responder->name, CONFIG_DEFAULT_PATH, RESPONDER_DEFAULT_THREADS);
}

struct responder_options {
    const char *config_path;
    const char *listen;
    long long threads;
};

static int responder_parse_args(const struct responder *responder, int argc, char **argv,
                                struct responder_options *options)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            responder_usage(responder, stdout);
            exit(0);
        } else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            options->config_path = argv[++i];
        } else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            options->listen = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            char *end;
            options->threads = strtoll(argv[++i], &end, 10);
            if (*end != '\0' || options->threads < 1 || options->threads > RESPONDER_MAX_THREADS) {
                fprintf(stderr, "shop-%s: --threads takes 1 to %d\n", responder->name, RESPONDER_MAX_THREADS);
                return SHOP_ERR_INVALID;
            }
        } else {
            responder_usage(responder, stderr);
            return SHOP_ERR_INVALID;
        }
    }
    return SHOP_OK;
}

static int responder_listen_fd(const struct responder *responder, const char *listen)
{
    struct stat st;
    int fd;

    if (listen != NULL) {
        fd = FCGX_OpenSocket(listen, RESPONDER_LISTEN_BACKLOG);
        if (fd < 0)
            log_event(LOG_LEVEL_ERROR, NULL, "event=listen_failed address=%s", listen);
        return fd;
    }
    /* systemd's LISTEN_FDS protocol (systemd-socket-activate, a .socket without StandardInput=socket). */
    const char *listen_pid = getenv("LISTEN_PID"), *listen_fds = getenv("LISTEN_FDS");
    if (listen_pid != NULL && listen_fds != NULL && strtol(listen_pid, NULL, 10) == (long)getpid() &&
        strtol(listen_fds, NULL, 10) == 1 && fstat(RESPONDER_LISTEN_FDS_START, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        return RESPONDER_LISTEN_FDS_START;
    }
    if (fstat(0, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        log_event(LOG_LEVEL_ERROR, NULL,
                  "event=no_listen_socket reason=\"run shop-%s under spawn-fcgi, or pass --listen\"", responder->name);
        return -1;
    }
    return 0;
}

/* Waits for every thread until the deadline; true when all finished. */
static bool responder_join_all(struct responder_thread *threads, int count)
{
    struct timespec deadline;
    int i;
    bool all = true;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += RESPONDER_STOP_MS / 1000;
    deadline.tv_nsec += (RESPONDER_STOP_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    for (i = 0; i < count; i++)
        if (pthread_timedjoin_np(threads[i].id, NULL, &deadline) != 0)
            all = false;
    return all;
}

/* This process's metrics file, labelled with the route table; a section per thread. */
static int responder_open_metrics(const struct responder *responder, int threads)
{
    const char *methods[METRICS_MAX_ROUTES], *patterns[METRICS_MAX_ROUTES];
    int count = 0;

    for (; responder->routes[count].method != NULL; count++) {
        if (count == METRICS_MAX_ROUTES)
            return metrics_open(responder->name, methods, patterns, count + 1, threads); /* refused, logged */
        methods[count] = responder->routes[count].method;
        patterns[count] = responder->routes[count].pattern;
    }
    return metrics_open(responder->name, methods, patterns, count, threads);
}

static int responder_configure(const struct responder *responder, struct responder_options *options)
{
    if (config_load(options->config_path) != SHOP_OK ||
        log_init(responder->name, config_get_string("log_level", "info")) != SHOP_OK || settings_load() != SHOP_OK ||
        token_init() != SHOP_OK)
        return SHOP_ERR_INVALID;
    if (options->threads == 0 &&
        config_get_int("threads", RESPONDER_DEFAULT_THREADS, 1, RESPONDER_MAX_THREADS, &options->threads) != SHOP_OK)
        return SHOP_ERR_INVALID;
    if (config_get_int("max_body_bytes", RESPONDER_DEFAULT_MAX_BODY, 256, 1 << 20, &responder_body_limit) != SHOP_OK)
        return SHOP_ERR_INVALID;
    if (session_init() != SHOP_OK || responder_open_metrics(responder, (int)options->threads) != SHOP_OK)
        return SHOP_ERR_INVALID;
    if (responder->init != NULL && responder->init() != SHOP_OK)
        return SHOP_ERR_INVALID;
    return SHOP_OK;
}

/* systemd's notification (Type=notify): READY=1 on the datagram socket NOTIFY_SOCKET names. */
static void responder_notify_systemd(void)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    int fd;

    if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(address.sun_path))
        return;
    memcpy(address.sun_path, path, strlen(path));
    if (path[0] == '@')
        address.sun_path[0] = '\0'; /* an abstract socket */
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
    if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&address,
               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path))) != 7)
        log_event(LOG_LEVEL_WARN, NULL, "event=ready_notify_failed error=\"%s\"", strerror(errno));
    close(fd);
}

/*
 * Tells a supervisor that the threads are accepting: systemd (NOTIFY_SOCKET),
 * or scripts/supervise (a line on the file descriptor SHOP_READY_FD names). A
 * supervisor replacing this responder stops the old one only after it.
 */
static void responder_notify_ready(void)
{
    const char *name = getenv("SHOP_READY_FD");
    char *end;
    long fd = name != NULL ? strtol(name, &end, 10) : -1;

    responder_notify_systemd();
    if (name == NULL || *end != '\0' || fd < 3)
        return;
    if (write((int)fd, "ready\n", 6) != 6)
        log_event(LOG_LEVEL_WARN, NULL, "event=ready_notify_failed error=\"%s\"", strerror(errno));
    close((int)fd);
}

/* The listening socket in non-blocking mode (see responder_accept). */
static int responder_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=listen_socket_flags_failed error=\"%s\"", strerror(errno));
        return SHOP_ERR_INTERNAL;
    }
    return SHOP_OK;
}

int responder_main(const struct responder *responder, int argc, char **argv)
{
    struct responder_options options = {0};
    struct responder_thread *threads;
    sigset_t stop_signals;
    int listen_fd, i, started = 0, signal_number = 0, wake[2];

    if (responder_parse_args(responder, argc, argv, &options) != SHOP_OK)
        return 2;
    if (responder_configure(responder, &options) != SHOP_OK)
        return 1;
    listen_fd = responder_listen_fd(responder, options.listen);
    if (listen_fd < 0 || FCGX_Init() != 0 || db_library_init() != SHOP_OK)
        return 1;

    /* Threads inherit this mask, so only sigwait() below sees the stop signals. */
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-reply is an error return, not death */

    threads = calloc((size_t)options.threads, sizeof(*threads));
    if (threads == NULL || pipe2(wake, O_CLOEXEC) != 0 || responder_nonblocking(listen_fd) != SHOP_OK)
        return 1;
    for (i = 0; i < options.threads; i++) {
        threads[i].index = i;
        threads[i].listen_fd = listen_fd;
        threads[i].wake_fd = wake[0];
        threads[i].responder = responder;
        if (pthread_create(&threads[i].id, NULL, responder_thread_main, &threads[i]) != 0)
            break;
        started++;
    }
    log_event(LOG_LEVEL_INFO, NULL, "event=started threads=%d pid=%ld", started, (long)getpid());
    responder_notify_ready();
    if (started > 0)
        sigwait(&stop_signals, &signal_number);

    atomic_store(&responder_stopping, true);
    log_event(LOG_LEVEL_INFO, NULL, "event=stopping signal=%d", signal_number);
    /* Wakes the idle threads; the busy ones finish the request in hand. The
     * listening socket stays open: connections not yet accepted wait there for
     * the responder that replaces this one, instead of being refused. */
    if (write(wake[1], "x", 1) != 1)
        log_event(LOG_LEVEL_WARN, NULL, "event=wake_failed error=\"%s\"", strerror(errno));
    if (!responder_join_all(threads, started)) {
        /* A request still running past the deadline is cut off: its threads
         * still use their state, so nothing is freed. */
        log_event(LOG_LEVEL_WARN, NULL, "event=stop_deadline_passed ms=%d", RESPONDER_STOP_MS);
        _exit(0);
    }
    db_library_end();
    log_event(LOG_LEVEL_INFO, NULL, "event=stopped");
    free(threads);
    return started > 0 ? 0 : 1;
}

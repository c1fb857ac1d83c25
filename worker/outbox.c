/*
 * outbox.c - relays the finished e-mails others leave for SMTP: with smtp_url
 * set, the account responder writes its password reset e-mails into
 * <mail_spool>/outbox/ (a dot-named temporary file, synced, then renamed), and
 * each upkeep round sends up to OUTBOX_PER_ROUND of them, the recipient taken
 * from the message's To: header.
 *
 * One file, one sending worker: a file is claimed by renaming it into this
 * worker's own outbox/sending.<worker id>/ (rename is atomic: of two workers
 * one gets ENOENT). It is deleted once the SMTP server accepted it, renamed
 * back into the outbox when the server is away (the next round tries again),
 * and moved to outbox/failed/ when it can never be sent (too big, no valid
 * To:). A worker that died holding claims leaves them in its sending folder:
 * once its lease (Redis) is gone and the claims are OUTBOX_STALE_SECONDS old
 * (twice the SMTP timeout: a live worker whose lease lapsed inside one slow
 * SMTP call is done with its file by then), another worker renames them back
 * into the outbox. Exactly once as far as SMTP allows: a
 * worker that died after the server accepted a message but before deleting
 * it gets that message sent again, the one case where a second copy goes out
 * (for a reset link, better than none).
 *
 * No addresses in logs: a file is named by its name only.
 */
#define _GNU_SOURCE /* O_DIRECTORY for openat */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/queue.h"
#include "lib/validate.h"
#include "worker/outbox.h"
#include "worker/steps.h"

#define OUTBOX_PER_ROUND 20
#define OUTBOX_MAX_BYTES 65536         /* a reset e-mail is under 4 KiB */
#define OUTBOX_EVERY_MS 1000
#define OUTBOX_STALE_SECONDS 30        /* a claim this old, of a worker without lease, is abandoned */
#define OUTBOX_PATH_MAX 1200          /* mail_spool is at most 800 bytes */
#define OUTBOX_SENDING_PREFIX "sending."

/* The outbox's folders, made once per round. */
struct outbox_paths {
    char outbox[OUTBOX_PATH_MAX], sending[OUTBOX_PATH_MAX], failed[OUTBOX_PATH_MAX];
};

/* An outbox file name: not a temporary (dot) name, not a folder of ours, a .eml. */
static bool outbox_is_message(const char *name)
{
    size_t len = strlen(name);

    return name[0] != '.' && len > 4 && len < 200 && strcmp(name + len - 4, ".eml") == 0;
}

static void outbox_move(const char *from_dir, const char *to_dir, const char *name)
{
    char from[OUTBOX_PATH_MAX + 256], to[OUTBOX_PATH_MAX + 256];

    snprintf(from, sizeof(from), "%.1200s/%.200s", from_dir, name);
    snprintf(to, sizeof(to), "%.1200s/%.200s", to_dir, name);
    if (rename(from, to) != 0)
        log_event(LOG_LEVEL_ERROR, NULL, "event=outbox_move_failed file=%s error=\"%s\"", name, strerror(errno));
}

/* Moves a message that can never be sent out of the way, with the reason. */
static void outbox_give_up(const struct outbox_paths *paths, const char *name, const char *reason)
{
    if (mkdir(paths->failed, 0750) != 0 && errno != EEXIST)
        log_event(LOG_LEVEL_ERROR, NULL, "event=outbox_move_failed file=%s error=\"%s\"", name, strerror(errno));
    outbox_move(paths->sending, paths->failed, name);
    log_event(LOG_LEVEL_ERROR, NULL, "event=outbox_failed file=%s reason=\"%s\"", name, reason);
}

/* The address of text's To: header (header part only) into out; false when there is no valid one. */
static bool outbox_recipient(const struct mail_text *text, char *out, size_t cap)
{
    const char *line = text->data, *end = text->data + text->len;

    while (line < end && *line != '\r' && *line != '\n') {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = (size_t)((eol != NULL ? eol : end) - line);

        if (len > 3 && strncasecmp(line, "To:", 3) == 0) {
            const char *open = memchr(line, '<', len);
            const char *close = open != NULL ? memchr(open, '>', len - (size_t)(open - line)) : NULL;
            if (open == NULL || close == NULL || (size_t)(close - open - 1) >= cap)
                return false;
            snprintf(out, cap, "%.*s", (int)(close - open - 1), open + 1);
            return validate_email(out);
        }
        line += len + 1;
    }
    return false;
}

/* Reads a claimed file into text (the worker's arena); SHOP_ERR_TOO_LARGE past OUTBOX_MAX_BYTES. */
static int outbox_read(struct worker *w, const char *path, struct mail_text *text)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    ssize_t n = -1;

    if (fd < 0)
        return SHOP_ERR_UNAVAILABLE;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > OUTBOX_MAX_BYTES) {
        close(fd);
        return SHOP_ERR_TOO_LARGE;
    }
    text->cap = (size_t)st.st_size + 1;
    text->data = arena_alloc(&w->arena, text->cap);
    if (text->data != NULL)
        n = read(fd, text->data, (size_t)st.st_size);
    close(fd);
    if (text->data == NULL)
        return SHOP_ERR_NOMEM;
    if (n != (ssize_t)st.st_size)
        return SHOP_ERR_UNAVAILABLE;
    text->len = (size_t)n;
    text->data[n] = '\0';
    return SHOP_OK;
}

/* Sends one claimed file; false when the SMTP server is away (the round ends). */
static bool outbox_send(struct worker *w, const struct outbox_paths *paths, const char *name)
{
    char path[OUTBOX_PATH_MAX + 256], recipient[300];
    struct mail_text text = {0};
    CURLcode result = CURLE_OK;
    int rc;

    snprintf(path, sizeof(path), "%.1200s/%.200s", paths->sending, name);
    rc = outbox_read(w, path, &text);
    if (rc == SHOP_ERR_TOO_LARGE) {
        outbox_give_up(paths, name, "not a file of at most 64 KiB");
        return true;
    }
    if (rc == SHOP_OK && !outbox_recipient(&text, recipient, sizeof(recipient))) {
        outbox_give_up(paths, name, "no valid To: address");
        return true;
    }
    if (rc == SHOP_OK && (rc = mail_smtp_send(w, recipient, &text, &result)) == SHOP_OK) {
        if (unlink(path) != 0)
            log_event(LOG_LEVEL_ERROR, NULL, "event=outbox_unlink_failed file=%s error=\"%s\"", name, strerror(errno));
        log_event(LOG_LEVEL_INFO, NULL, "event=outbox_sent file=%s", name);
        return true;
    }
    log_event(LOG_LEVEL_WARN, NULL, "event=outbox_send_failed file=%s error=\"%s\"", name,
              rc == SHOP_ERR_UNAVAILABLE && result != CURLE_OK ? curl_easy_strerror(result) : shop_err_code(rc));
    outbox_move(paths->sending, paths->outbox, name);
    return false;
}

/* Puts a dead worker's claims (sending.<id>/: no lease, claimed OUTBOX_STALE_SECONDS ago) back into the outbox. */
static void outbox_recover(struct worker *w, const struct outbox_paths *paths, const char *folder)
{
    char dir_path[OUTBOX_PATH_MAX + 256], file[OUTBOX_PATH_MAX + 512];
    time_t now = time(NULL);
    struct dirent *entry;
    struct stat st;
    DIR *dir;
    char lease[QUEUE_MAX_NAME + 256];
    bool held;
    int recovered = 0;

    snprintf(lease, sizeof(lease), "%s%.200s", w->names.lease_prefix, folder + strlen(OUTBOX_SENDING_PREFIX));
    if (queue_lease_held(w->queue, lease, &held) != SHOP_OK || held)
        return;
    snprintf(dir_path, sizeof(dir_path), "%.1200s/%.200s", paths->outbox, folder);
    if ((dir = opendir(dir_path)) == NULL)
        return;
    while ((entry = readdir(dir)) != NULL) {
        snprintf(file, sizeof(file), "%.1400s/%.200s", dir_path, entry->d_name);
        /* rename sets ctime: the claim's time, whatever the file's age */
        if (!outbox_is_message(entry->d_name) || lstat(file, &st) != 0 || now - st.st_ctime < OUTBOX_STALE_SECONDS)
            continue;
        outbox_move(dir_path, paths->outbox, entry->d_name);
        recovered++;
    }
    closedir(dir);
    if (recovered > 0)
        log_event(LOG_LEVEL_WARN, NULL, "event=outbox_recovered folder=%s files=%d", folder, recovered);
    rmdir(dir_path); /* only when empty: a live worker's folder stays */
}

/* Claims up to OUTBOX_PER_ROUND messages (renaming them into paths->sending), recovering dead workers' claims. */
static int outbox_claim(struct worker *w, const struct outbox_paths *paths, char names[][256])
{
    const char *own = paths->sending + strlen(paths->outbox) + 1;
    char from[OUTBOX_PATH_MAX + 256], to[OUTBOX_PATH_MAX + 256];
    struct dirent *entry;
    DIR *dir;
    int count = 0;

    if ((dir = opendir(paths->outbox)) == NULL)
        return 0; /* no outbox yet: nothing was ever written */
    while ((entry = readdir(dir)) != NULL && count < OUTBOX_PER_ROUND) {
        if (strncmp(entry->d_name, OUTBOX_SENDING_PREFIX, strlen(OUTBOX_SENDING_PREFIX)) == 0 &&
            strcmp(entry->d_name, own) != 0) {
            outbox_recover(w, paths, entry->d_name);
            continue;
        }
        if (!outbox_is_message(entry->d_name) || entry->d_type == DT_DIR)
            continue;
        if (count == 0 && mkdir(paths->sending, 0750) != 0 && errno != EEXIST) {
            log_event(LOG_LEVEL_ERROR, NULL, "event=outbox_claim_failed worker=%s error=\"%s\"", w->id,
                      strerror(errno));
            break;
        }
        snprintf(from, sizeof(from), "%.1200s/%.200s", paths->outbox, entry->d_name);
        snprintf(to, sizeof(to), "%.1200s/%.200s", paths->sending, entry->d_name);
        if (rename(from, to) == 0) /* ENOENT: another worker claimed it first */
            snprintf(names[count++], 256, "%.200s", entry->d_name);
    }
    closedir(dir);
    return count;
}

void outbox_relay_due(struct worker *w)
{
    char names[OUTBOX_PER_ROUND][256];
    struct outbox_paths paths;
    int count, i;

    if (w->mail.smtp_url[0] == '\0' || worker_now_ms() < w->due.outbox)
        return;
    w->due.outbox = worker_now_ms() + OUTBOX_EVERY_MS;
    snprintf(paths.outbox, sizeof(paths.outbox), "%.900s/outbox", w->mail.spool);
    snprintf(paths.sending, sizeof(paths.sending), "%.910s/" OUTBOX_SENDING_PREFIX "%.200s", paths.outbox, w->id);
    snprintf(paths.failed, sizeof(paths.failed), "%.910s/failed", paths.outbox);
    count = outbox_claim(w, &paths, names);
    for (i = 0; i < count; i++) {
        worker_renew_lease(w);
        if (!outbox_send(w, &paths, names[i]))
            break; /* the server is away: do not wait out its timeout once per file */
    }
    for (i++; i < count; i++) /* claimed but not tried: back for the next round */
        outbox_move(paths.sending, paths.outbox, names[i]);
    rmdir(paths.sending);
}

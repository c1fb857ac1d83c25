/*
 * backup.c - shopctl backup and shopctl restore.
 *
 * A backup is mariadb-dump's output for the shop's database, taken in one
 * transaction (--single-transaction: a consistent snapshot of every InnoDB
 * table while the shop keeps selling, no locks held). It is written to a
 * temporary file next to FILE (mode 0600: it holds shoppers' addresses) and
 * renamed into place only when complete, so a FILE is always a whole dump.
 *
 * restore refuses anything but a complete dump (mariadb-dump's first and last
 * lines), drops every table of the database, feeds the dump to the mariadb
 * client, applies migrations newer than the dump, and makes every order still
 * PENDING due for the sweeper: the queue lives in Redis and is not in the
 * backup, and the enqueue mark is what brings those orders back to it. A
 * restore returns the shop to the moment of the backup: an order pending then
 * is processed again, even if it was charged after the backup was taken.
 *
 * The clients get the password in MYSQL_PWD, in their own environment only,
 * never on a command line other users can read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/db.h"
#include "lib/err.h"
#include "lib/order.h"
#include "lib/settings.h"
#include "shopctl/shopctl.h"

#define BACKUP_ARG_MAX 400
#define BACKUP_ARGS 16
#define BACKUP_HEAD "-- MariaDB dump"
#define BACKUP_TAIL "-- Dump completed"
#define BACKUP_TAIL_BYTES 256
#define BACKUP_DROP_MAX 16384

struct backup_client {
    char *argv[BACKUP_ARGS];
    char storage[BACKUP_ARGS][BACKUP_ARG_MAX];
    int argc;
};

/* Appends the argument prefix+value (an option and its value, or value alone). */
static void backup_arg(struct backup_client *c, const char *prefix, const char *value)
{
    if (c->argc >= BACKUP_ARGS - 1)
        return;
    snprintf(c->storage[c->argc], BACKUP_ARG_MAX, "%s%s", prefix, value);
    c->argv[c->argc] = c->storage[c->argc];
    c->argv[++c->argc] = NULL;
}

/* program --no-defaults --user=U (--socket=S | --host=H --port=P), as the shop connects. */
static void backup_client_init(struct backup_client *c, const char *program)
{
    const struct settings *s = settings_get();
    char port[16];

    c->argc = 0;
    backup_arg(c, "", program);
    backup_arg(c, "", "--no-defaults");
    backup_arg(c, "--user=", s->db_user);
    backup_arg(c, "", "--default-character-set=utf8mb4");
    if (*s->db_socket != '\0') {
        backup_arg(c, "--socket=", s->db_socket);
    } else {
        snprintf(port, sizeof(port), "%lld", s->db_port);
        backup_arg(c, "--host=", s->db_host);
        backup_arg(c, "--port=", port);
    }
}

/* Runs the client with stdin and stdout on the given descriptors; SHOPCTL_DONE when it exits 0. */
static int backup_run(struct backup_client *c, int in, int out)
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return shopctl_refuse("cannot start %s: %s", c->argv[0], strerror(errno));
    if (pid == 0) {
        if ((in >= 0 && dup2(in, STDIN_FILENO) < 0) || (out >= 0 && dup2(out, STDOUT_FILENO) < 0) ||
            setenv("MYSQL_PWD", settings_get()->db_password, 1) != 0)
            _exit(127);
        execvp(c->argv[0], c->argv);
        fprintf(stderr, "shopctl: cannot run %s: %s\n", c->argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return shopctl_refuse("waiting for %s: %s", c->argv[0], strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return shopctl_refuse("%s failed (exit status %d)", c->argv[0],
                              WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return SHOPCTL_DONE;
}

int shopctl_backup(int argc, char **argv)
{
    struct backup_client client;
    char temp[4096];
    struct stat st;
    int fd, rc;

    if (argc != 1)
        return argc == 0 ? shopctl_bad_argument("backup", "no FILE") : shopctl_bad_argument("backup", argv[1]);
    if (snprintf(temp, sizeof(temp), "%s.partial-XXXXXX", argv[0]) >= (int)sizeof(temp))
        return shopctl_refuse("backup: the file name is too long");
    fd = mkstemp(temp); /* mode 0600 */
    if (fd < 0)
        return shopctl_refuse("backup: cannot create a file next to %s: %s", argv[0], strerror(errno));
    backup_client_init(&client, "mariadb-dump");
    backup_arg(&client, "", "--single-transaction");
    backup_arg(&client, "", "--quick");
    backup_arg(&client, "", "--routines");
    backup_arg(&client, "", "--triggers");
    backup_arg(&client, "", "--hex-blob");
    backup_arg(&client, "", "--no-tablespaces");
    backup_arg(&client, "", settings_get()->db_name);
    rc = backup_run(&client, -1, fd);
    if (rc == SHOPCTL_DONE && (fsync(fd) != 0 || fstat(fd, &st) != 0))
        rc = shopctl_refuse("backup: cannot write %s: %s", temp, strerror(errno));
    close(fd);
    if (rc == SHOPCTL_DONE && rename(temp, argv[0]) != 0)
        rc = shopctl_refuse("backup: cannot rename %s to %s: %s", temp, argv[0], strerror(errno));
    if (rc != SHOPCTL_DONE) {
        unlink(temp);
        return rc;
    }
    printf("backup: %s (%lld bytes)\n", argv[0], (long long)st.st_size);
    return SHOPCTL_DONE;
}

/*
 * A complete mariadb-dump: its header comment near the top (after the
 * "sandbox mode" line newer clients write first) and its last comment.
 */
static int backup_check_dump(int fd, const char *path)
{
    char head[BACKUP_TAIL_BYTES + 1], tail[BACKUP_TAIL_BYTES + 1];
    struct stat st;
    ssize_t got;
    off_t from;

    got = pread(fd, head, BACKUP_TAIL_BYTES, 0);
    if (got > 0)
        head[got] = '\0';
    if (fstat(fd, &st) != 0 || got <= 0 ||
        (strncmp(head, BACKUP_HEAD, strlen(BACKUP_HEAD)) != 0 && strstr(head, "\n" BACKUP_HEAD) == NULL))
        return shopctl_refuse("restore: %s is not a backup made by shopctl backup", path);
    from = st.st_size > BACKUP_TAIL_BYTES ? st.st_size - BACKUP_TAIL_BYTES : 0;
    got = pread(fd, tail, BACKUP_TAIL_BYTES, from);
    if (got <= 0)
        return shopctl_refuse("restore: cannot read %s", path);
    tail[got] = '\0';
    if (strstr(tail, BACKUP_TAIL) == NULL)
        return shopctl_refuse("restore: %s is cut short (no \"%s\" line at its end)", path, BACKUP_TAIL);
    return SHOPCTL_DONE;
}

/*
 * Drops every table of the shop's database, so the dump's tables replace them
 * all: a table made by a migration newer than the dump would otherwise stay
 * while schema_migrations forgets it, and that migration could never run again.
 * The names come from the server's own catalog and are checked to be plain.
 */
static int backup_drop_tables(void)
{
    char sql[BACKUP_DROP_MAX] = "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE IF EXISTS ";
    size_t used = strlen(sql), empty = used;
    MYSQL *mysql = shopctl_connect_shop();
    MYSQL_RES *result;
    MYSQL_ROW row;
    int rc = SHOPCTL_DONE;

    if (mysql == NULL)
        return SHOPCTL_REFUSED;
    if (mysql_query(mysql, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()") != 0 ||
        (result = mysql_store_result(mysql)) == NULL) {
        rc = shopctl_refuse("restore: cannot list the tables: %s", mysql_error(mysql));
        mysql_close(mysql);
        return rc;
    }
    while (rc == SHOPCTL_DONE && (row = mysql_fetch_row(result)) != NULL) {
        size_t len = strlen(row[0]);

        if (len == 0 || strspn(row[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != len)
            rc = shopctl_refuse("restore: table `%s` has a name shopctl will not drop; drop it by hand", row[0]);
        else if (used + len + 4 >= sizeof(sql))
            rc = shopctl_refuse("restore: too many tables in the database");
        else
            used += (size_t)snprintf(sql + used, sizeof(sql) - used, "%s`%s`", used > empty ? ", " : "", row[0]);
    }
    mysql_free_result(result);
    if (rc == SHOPCTL_DONE && used > empty) {
        if (mysql_query(mysql, sql) != 0)
            rc = shopctl_refuse("restore: cannot drop the old tables: %s", mysql_error(mysql));
        while (rc == SHOPCTL_DONE && mysql_next_result(mysql) == 0)
            ;
    }
    mysql_close(mysql);
    return rc;
}

int shopctl_restore(int argc, char **argv)
{
    struct backup_client client;
    unsigned long long requeued = 0;
    struct arena arena;
    struct db *db;
    int fd, rc;

    if (argc != 1)
        return argc == 0 ? shopctl_bad_argument("restore", "no FILE") : shopctl_bad_argument("restore", argv[1]);
    fd = open(argv[0], O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return shopctl_refuse("restore: cannot read %s: %s", argv[0], strerror(errno));
    rc = backup_check_dump(fd, argv[0]);
    if (rc == SHOPCTL_DONE)
        rc = backup_drop_tables();
    if (rc == SHOPCTL_DONE) {
        backup_client_init(&client, "mariadb");
        backup_arg(&client, "", "--batch");
        backup_arg(&client, "", "--binary-mode");
        backup_arg(&client, "", settings_get()->db_name);
        rc = backup_run(&client, fd, -1);
    }
    close(fd);
    if (rc != SHOPCTL_DONE)
        return rc;
    printf("restore: %s loaded\n", argv[0]);
    rc = shopctl_migrate_apply(false);
    if (rc != SHOPCTL_DONE)
        return rc;
    db = db_open();
    if (db == NULL)
        return shopctl_refuse("out of memory");
    arena_init(&arena, 4096);
    if (order_requeue_pending(db, &arena, &requeued) != SHOP_OK)
        rc = shopctl_refuse("restore: could not queue the pending orders again; run shopctl restore again");
    arena_free(&arena);
    db_close(db);
    if (rc == SHOPCTL_DONE)
        printf("restore: %llu pending order(s) will be queued again by the workers\n", requeued);
    return rc;
}

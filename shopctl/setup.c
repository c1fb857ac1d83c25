/*
 * setup.c - shopctl setup and shopctl migrate.
 *
 * setup makes a database ready for the shop on the host that runs MariaDB:
 * as MariaDB's root (over its unix socket, where Debian's root signs in by
 * unix_socket) it creates the database and the shop's user, with a random
 * password it writes first into the secrets file the configuration names
 * (secrets_file; else into the configuration file), then it migrates as
 * that user. Every step is "if not there yet" or sets what the file says, so
 * running it again changes nothing, and after an upgrade it applies only the
 * new migrations.
 *
 * Migrations are the files sql/migrations/NNN_name.sql, applied in name order,
 * each recorded in schema_migrations once applied (the sample catalog too, as
 * "sample-catalog", so a product an operator deleted never comes back). They
 * are the package's own files, run as they are; values never go into SQL text
 * here except the generated password and checked identifiers below.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <errmsg.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/err.h"
#include "lib/settings.h"
#include "shopctl/shopctl.h"

#define SETUP_DEFAULT_ADMIN_SOCKET "/run/mysqld/mysqld.sock"
#define SETUP_PASSWORD_BYTES 24          /* 192 random bits, written as 48 hex digits */
#define SETUP_PASSWORD_MAX 256         /* as the db_password setting */
#define SETUP_SQL_MAX 2048
#define SETUP_IDENT_MAX 64               /* MariaDB's limit for database names */
#define MIGRATION_FILE_MAX (1024 * 1024)
#define MIGRATION_VERSION_MAX 128        /* schema_migrations.version */
#define CONF_FILE_MAX (256 * 1024)

static const char SQL_MIGRATIONS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version VARCHAR(128) CHARACTER SET ascii NOT NULL PRIMARY KEY,"
    " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB";
static const char SQL_MIGRATION_DONE[] = "SELECT COUNT(*) FROM schema_migrations WHERE version = ?";
static const char SQL_MIGRATION_RECORD[] = "INSERT INTO schema_migrations (version) VALUES (?)";

static MYSQL *setup_connect(const char *user, const char *password, const char *database, const char *socket_path,
                            const char *host, unsigned int port)
{
    unsigned int timeout = 10;
    MYSQL *mysql = mysql_init(NULL);

    if (mysql == NULL) {
        shopctl_refuse("out of memory");
        return NULL;
    }
    mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (socket_path != NULL && *socket_path == '\0')
        socket_path = NULL;
    if (mysql_real_connect(mysql, socket_path != NULL ? "localhost" : host, user, password, database, port,
                           socket_path, CLIENT_MULTI_STATEMENTS) == NULL) {
        shopctl_refuse("cannot connect to MariaDB as %s (%s): %s", user,
                       socket_path != NULL ? socket_path : host, mysql_error(mysql));
        mysql_close(mysql);
        return NULL;
    }
    return mysql;
}

MYSQL *shopctl_connect_shop(void)
{
    const struct settings *s = settings_get();

    return setup_connect(s->db_user, s->db_password, s->db_name, s->db_socket, s->db_host, (unsigned int)s->db_port);
}

/* Runs text (one or more statements) and drains every result; SHOPCTL_REFUSED with MariaDB's error. */
static int setup_run(MYSQL *mysql, const char *what, const char *text, size_t len)
{
    int more;

    if (mysql_real_query(mysql, text, (unsigned long)len) != 0)
        return shopctl_refuse("%s: %s", what, mysql_error(mysql));
    do {
        MYSQL_RES *result = mysql_store_result(mysql);

        if (result != NULL)
            mysql_free_result(result);
        else if (mysql_field_count(mysql) != 0)
            return shopctl_refuse("%s: %s", what, mysql_error(mysql));
        more = mysql_next_result(mysql);
        if (more > 0)
            return shopctl_refuse("%s: %s", what, mysql_error(mysql));
    } while (more == 0);
    return SHOPCTL_DONE;
}

/* One prepared statement with one text parameter; *count gets the first column of a one-row answer. */
static int setup_stmt(MYSQL *mysql, const char *sql, const char *text, long long *count)
{
    MYSQL_STMT *stmt = mysql_stmt_init(mysql);
    MYSQL_BIND param, column;
    unsigned long len = (unsigned long)strlen(text);
    long long value = 0;
    int rc = SHOPCTL_REFUSED;

    if (stmt == NULL)
        return shopctl_refuse("out of memory");
    memset(&param, 0, sizeof(param));
    param.buffer_type = MYSQL_TYPE_STRING;
    param.buffer = (void *)text;
    param.buffer_length = len;
    param.length = &len;
    memset(&column, 0, sizeof(column));
    column.buffer_type = MYSQL_TYPE_LONGLONG;
    column.buffer = &value;
    if (mysql_stmt_prepare(stmt, sql, (unsigned long)strlen(sql)) != 0 || mysql_stmt_bind_param(stmt, &param) != 0 ||
        mysql_stmt_execute(stmt) != 0) {
        shopctl_refuse("schema_migrations: %s", mysql_stmt_error(stmt));
        goto out;
    }
    if (count != NULL && (mysql_stmt_bind_result(stmt, &column) != 0 || mysql_stmt_fetch(stmt) != 0)) {
        shopctl_refuse("schema_migrations: %s", mysql_stmt_error(stmt));
        goto out;
    }
    if (count != NULL)
        *count = value;
    rc = SHOPCTL_DONE;
out:
    mysql_stmt_close(stmt);
    return rc;
}

/* Reads a whole file of at most max bytes into a new NUL-terminated buffer. */
static char *setup_read_file(const char *path, size_t max, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *text;

    if (fp == NULL) {
        shopctl_refuse("cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    text = malloc(max + 1);
    if (text == NULL) {
        fclose(fp);
        shopctl_refuse("out of memory");
        return NULL;
    }
    *len = fread(text, 1, max + 1, fp);
    if (ferror(fp) || *len > max) {
        shopctl_refuse("cannot read %s: %s", path, ferror(fp) ? strerror(errno) : "too large");
        fclose(fp);
        free(text);
        return NULL;
    }
    fclose(fp);
    text[*len] = '\0';
    return text;
}

/* Applies the file as version unless schema_migrations has it; *applied tells whether it ran. */
static int setup_apply(MYSQL *mysql, const char *version, const char *path, bool *applied)
{
    long long done = 0;
    size_t len;
    char *text;
    int rc;

    *applied = false;
    if (setup_stmt(mysql, SQL_MIGRATION_DONE, version, &done) != SHOPCTL_DONE)
        return SHOPCTL_REFUSED;
    if (done > 0)
        return SHOPCTL_DONE;
    text = setup_read_file(path, MIGRATION_FILE_MAX, &len);
    if (text == NULL)
        return SHOPCTL_REFUSED;
    rc = setup_run(mysql, version, text, len);
    free(text);
    if (rc == SHOPCTL_DONE)
        rc = setup_stmt(mysql, SQL_MIGRATION_RECORD, version, NULL);
    if (rc == SHOPCTL_DONE) {
        printf("migrate: applied %s\n", version);
        *applied = true;
    }
    return rc;
}

/* NNN_name.sql, digits first: the migration files. */
static int setup_is_migration(const struct dirent *entry)
{
    const char *name = entry->d_name;
    size_t len = strlen(name);

    if (len < 5 || len - 4 >= MIGRATION_VERSION_MAX || strcmp(name + len - 4, ".sql") != 0 ||
        !isdigit((unsigned char)name[0]))
        return 0;
    for (size_t i = 0; i < len - 4; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
            return 0;
    return 1;
}

int shopctl_migrate_apply(bool sample)
{
    char path[4096], version[MIGRATION_VERSION_MAX];
    struct dirent **files = NULL;
    int count, rc = SHOPCTL_DONE, applied_count = 0;
    bool applied;
    MYSQL *mysql;

    snprintf(path, sizeof(path), "%s/migrations", shopctl_sql_dir());
    count = scandir(path, &files, setup_is_migration, alphasort);
    if (count <= 0) {
        free(files);
        return shopctl_refuse("no migrations in %s%s%s", path, count < 0 ? ": " : "",
                              count < 0 ? strerror(errno) : "");
    }
    mysql = shopctl_connect_shop();
    if (mysql == NULL)
        rc = SHOPCTL_REFUSED;
    else
        rc = setup_run(mysql, "schema_migrations", SQL_MIGRATIONS_TABLE, strlen(SQL_MIGRATIONS_TABLE));
    for (int i = 0; i < count; i++) {
        if (rc == SHOPCTL_DONE) {
            snprintf(version, sizeof(version), "%.*s", (int)(strlen(files[i]->d_name) - 4), files[i]->d_name);
            snprintf(path, sizeof(path), "%s/migrations/%s", shopctl_sql_dir(), files[i]->d_name);
            rc = setup_apply(mysql, version, path, &applied);
            applied_count += applied;
        }
        free(files[i]);
    }
    free(files);
    if (rc == SHOPCTL_DONE && sample) {
        snprintf(path, sizeof(path), "%s/sample/catalog.sql", shopctl_sql_dir());
        rc = setup_apply(mysql, "sample-catalog", path, &applied);
        applied_count += applied;
    }
    if (rc == SHOPCTL_DONE && applied_count == 0)
        printf("migrate: the schema is up to date\n");
    if (mysql != NULL)
        mysql_close(mysql);
    return rc;
}

int shopctl_migrate(int argc, char **argv)
{
    bool sample = false;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--sample") == 0)
            sample = true;
        else
            return shopctl_bad_argument("migrate", argv[i]);
    }
    return shopctl_migrate_apply(sample);
}

/* Database and user names go into SQL as identifiers: letters, digits and '_' only. */
static bool setup_identifier_ok(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > SETUP_IDENT_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}

/* Is line "key = ..." (spaces allowed around the key and before '=')? */
static bool setup_line_sets(const char *line, size_t len, const char *key)
{
    size_t key_len = strlen(key), i = 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (len - i < key_len || memcmp(line + i, key, key_len) != 0)
        return false;
    i += key_len;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && line[i] == '=';
}

/* How many lines of text set key. */
static int setup_count_settings(const char *text, size_t len, const char *key)
{
    size_t start = 0;
    int count = 0;

    while (start < len) {
        const char *end = memchr(text + start, '\n', len - start);
        size_t line_len = end != NULL ? (size_t)(end - (text + start)) + 1 : len - start;

        count += setup_line_sets(text + start, line_len, key);
        start += line_len;
    }
    return count;
}

/* Writes text with the "key =" line replaced by line (or line appended) to out; false on a write error. */
static bool setup_write_conf(FILE *out, const char *text, size_t len, const char *key, const char *line)
{
    size_t start = 0;
    bool replaced = false;

    while (start < len) {
        const char *end = memchr(text + start, '\n', len - start);
        size_t line_len = end != NULL ? (size_t)(end - (text + start)) + 1 : len - start;

        if (setup_line_sets(text + start, line_len, key)) {
            fputs(line, out);
            replaced = true;
        } else {
            fwrite(text + start, 1, line_len, out);
            if (end == NULL)
                fputc('\n', out);
        }
        start += line_len;
    }
    if (!replaced)
        fputs(line, out);
    return fflush(out) == 0 && !ferror(out);
}

/*
 * Sets key to value in a configuration file: its "key =" line is replaced, or
 * the line is appended; a file that sets key twice is refused (the reader
 * takes the last, an editor the first: which one is meant?). The new file,
 * with the old one's owner and mode, replaces the old one (a symbolic link's
 * target) in one rename, so a reader sees either, and survives a crash.
 */
static int setup_conf_set(const char *path, const char *key, const char *value)
{
    char real[PATH_MAX], temp[PATH_MAX + 16], line[CONFIG_MAX_KEY + CONFIG_MAX_VALUE + 8];
    struct stat st;
    size_t len;
    char *text, *slash;
    FILE *out;
    bool written;
    int fd, dir;

    if (realpath(path, real) == NULL || stat(real, &st) != 0)
        return shopctl_refuse("cannot read %s: %s", path, strerror(errno));
    text = setup_read_file(real, CONF_FILE_MAX, &len);
    if (text == NULL)
        return SHOPCTL_REFUSED;
    if (setup_count_settings(text, len, key) > 1) {
        free(text);
        return shopctl_refuse("%s sets %s more than once; keep one line and run this again", path, key);
    }
    snprintf(temp, sizeof(temp), "%s.XXXXXX", real);
    fd = mkstemp(temp);
    if (fd < 0 || fchown(fd, st.st_uid, st.st_gid) != 0 || fchmod(fd, st.st_mode & 07777) != 0 ||
        (out = fdopen(fd, "w")) == NULL) {
        int saved = errno;

        if (fd >= 0) {
            close(fd);
            unlink(temp);
        }
        free(text);
        return shopctl_refuse("cannot write next to %s: %s", real, strerror(saved));
    }
    snprintf(line, sizeof(line), "%s = %s\n", key, value);
    written = setup_write_conf(out, text, len, key, line) && fsync(fileno(out)) == 0;
    free(text);
    if (fclose(out) != 0 || !written || rename(temp, real) != 0) {
        int saved = errno;

        unlink(temp);
        return shopctl_refuse("cannot write %s: %s", real, strerror(saved));
    }
    /* The rename itself reaches the disk with the folder. */
    slash = strrchr(real, '/');
    if (slash != NULL) {
        *slash = '\0';
        dir = open(*real != '\0' ? real : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir >= 0) {
            fsync(dir);
            close(dir);
        }
    }
    return SHOPCTL_DONE;
}

int shopctl_setup(int argc, char **argv)
{
    const struct settings *s = settings_get();
    const char *admin_socket = NULL, *password = s->db_password;
    unsigned char random[SETUP_PASSWORD_BYTES];
    char generated[SETUP_PASSWORD_BYTES * 2 + 1], escaped[SETUP_PASSWORD_MAX * 2 + 1], sql[SETUP_SQL_MAX];
    const char *env_password = getenv("SHOP_DB_PASSWORD");
    bool sample = false;
    MYSQL *admin;

    const char *secrets_path = config_get_string("secrets_file", "");

    if (*secrets_path == '\0')
        secrets_path = shopctl_config_path();
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--sample") == 0)
            sample = true;
        else if (strcmp(argv[i], "--admin-socket") == 0 && i + 1 < argc)
            admin_socket = argv[++i];
        else
            return shopctl_bad_argument("setup", argv[i]);
    }
    if (admin_socket == NULL)
        admin_socket = *s->db_socket != '\0' ? s->db_socket : SETUP_DEFAULT_ADMIN_SOCKET;
    if (!setup_identifier_ok(s->db_name) || !setup_identifier_ok(s->db_user))
        return shopctl_refuse("setup: db_name and db_user may hold only letters, digits and '_' (at most %d)",
                              SETUP_IDENT_MAX);

    if (env_password != NULL && *env_password != '\0')
        fprintf(stderr, "shopctl: warning: the password comes from SHOP_DB_PASSWORD; programs that read only\n"
                        "  the configuration file will not have it\n");
    /* The password goes into the file before the user gets it, so it is never lost. */
    if (*password == '\0') {
        if (env_password != NULL)
            return shopctl_refuse("setup: SHOP_DB_PASSWORD is set but empty");
        randombytes_buf(random, sizeof(random));
        sodium_bin2hex(generated, sizeof(generated), random, sizeof(random));
        if (setup_conf_set(secrets_path, "db_password", generated) != SHOPCTL_DONE)
            return SHOPCTL_REFUSED;
        printf("setup: a new database password is in %s\n", secrets_path);
        /* Read the file again, so the migrations below connect with what it now says. */
        if (config_load(shopctl_config_path()) != SHOP_OK || settings_load() != SHOP_OK)
            return shopctl_refuse("setup: %s is not readable after writing it", shopctl_config_path());
        s = settings_get();
        password = generated;
    }
    if (strlen(password) > SETUP_PASSWORD_MAX)
        return shopctl_refuse("setup: db_password is longer than %d characters", SETUP_PASSWORD_MAX);

    admin = setup_connect("root", NULL, NULL, admin_socket, NULL, 0);
    if (admin == NULL) {
        fprintf(stderr, "shopctl: setup runs as root on the database host (MariaDB's root signs in over its\n"
                        "  unix socket); --admin-socket PATH names another socket\n");
        return SHOPCTL_REFUSED;
    }
    mysql_real_escape_string(admin, escaped, password, (unsigned long)strlen(password));
    snprintf(sql, sizeof(sql),
             "CREATE DATABASE IF NOT EXISTS `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
             "CREATE USER IF NOT EXISTS '%s'@'localhost' IDENTIFIED BY '%s';"
             "ALTER USER '%s'@'localhost' IDENTIFIED BY '%s';"
             "GRANT ALL PRIVILEGES ON `%s`.* TO '%s'@'localhost'",
             s->db_name, s->db_user, escaped, s->db_user, escaped, s->db_name, s->db_user);
    if (setup_run(admin, "setup", sql, strlen(sql)) != SHOPCTL_DONE) {
        mysql_close(admin);
        return SHOPCTL_REFUSED;
    }
    sodium_memzero(sql, sizeof(sql));
    sodium_memzero(escaped, sizeof(escaped));
    mysql_close(admin);
    printf("setup: database %s and user %s@localhost are ready\n", s->db_name, s->db_user);
    return shopctl_migrate_apply(sample);
}

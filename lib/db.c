/*
 * db.c - MariaDB connection, statement cache and re-connection (see db.h).
 *
 * Why results are bound as strings: every value ends up in JSON text anyway, and
 * one code path for all column types is easier to trust than one per type.
 */
#include "db.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "settings.h"
#include "err.h"
#include "log.h"
#include "metrics.h"

/* Smallest fetch buffer: wide enough for any number or DATETIME as text. */
#define DB_MIN_CELL 64
#define DB_CONNECT_TIMEOUT_SECONDS 2
#define DB_IO_TIMEOUT_SECONDS 10

struct db_statement {
    const char *sql;
    MYSQL_STMT *stmt;
};

struct db {
    MYSQL *mysql;               /* NULL while disconnected */
    struct db *primary;         /* a read handle's fallback; NULL for a primary handle */
    time_t read_retry_at;       /* read handle: monotonic second before which the read server is left alone */
    bool read_falling_back;     /* read handle: reads go to the primary (logged once per outage) */
    bool in_transaction;
    bool reported_down;         /* log "down" once per outage, not per request */
    int statement_count;
    struct db_statement statements[DB_MAX_STATEMENTS];
};

int db_library_init(void)
{
    return mysql_library_init(0, NULL, NULL) == 0 ? SHOP_OK : SHOP_ERR_INTERNAL;
}

void db_library_end(void)
{
    mysql_library_end();
}

struct db *db_open(void)
{
    return calloc(1, sizeof(struct db));
}

struct db *db_open_read(struct db *primary)
{
    struct db *db = calloc(1, sizeof(struct db));

    if (db != NULL)
        db->primary = primary;
    return db;
}

static void db_disconnect(struct db *db)
{
    int i;

    for (i = 0; i < db->statement_count; i++)
        mysql_stmt_close(db->statements[i].stmt);
    db->statement_count = 0;
    if (db->mysql != NULL)
        mysql_close(db->mysql);
    db->mysql = NULL;
    db->in_transaction = false;
}

void db_close(struct db *db)
{
    if (db == NULL)
        return;
    db_disconnect(db);
    free(db);
}

static int db_connect(struct db *db)
{
    const struct settings *s = settings_get();
    bool read = db->primary != NULL;
    const char *socket_path = read ? s->db_read_socket : s->db_socket, *host = read ? s->db_read_host : s->db_host;
    unsigned int port = (unsigned int)(read ? s->db_read_port : s->db_port);
    unsigned int connect_timeout = DB_CONNECT_TIMEOUT_SECONDS, io_timeout = DB_IO_TIMEOUT_SECONDS;
    my_bool no = 0;
    MYSQL *mysql;

    if (db->mysql != NULL)
        return SHOP_OK;
    mysql = mysql_init(NULL);
    if (mysql == NULL)
        return SHOP_ERR_NOMEM;
    mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_options(mysql, MYSQL_OPT_RECONNECT, &no); /* we re-prepare, so we reconnect */
    mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(mysql, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
    if (socket_path != NULL && *socket_path == '\0')
        socket_path = NULL;
    if (mysql_real_connect(mysql, socket_path != NULL ? "localhost" : host, s->db_user, s->db_password, s->db_name,
                           port, socket_path, 0) == NULL) {
        metrics_add(METRICS_DB_CONNECT_FAILED, 1);
        if (!db->reported_down)
            log_event(LOG_LEVEL_ERROR, NULL, "event=db_connect_failed server=%s errno=%u error=\"%s\"",
                      read ? "read" : "primary", mysql_errno(mysql), mysql_error(mysql));
        db->reported_down = true;
        mysql_close(mysql);
        return SHOP_ERR_UNAVAILABLE;
    }
    if (db->reported_down) {
        log_event(LOG_LEVEL_INFO, NULL, "event=db_reconnected server=%s", read ? "read" : "primary");
        metrics_add(METRICS_DB_RECONNECT, 1);
    }
    db->reported_down = false;
    db->mysql = mysql;
    return SHOP_OK;
}

static bool db_errno_is_gone(unsigned int code)
{
    return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
           code == CR_CONN_HOST_ERROR || code == ER_CONNECTION_KILLED || code == ER_SERVER_SHUTDOWN ||
           code == CR_SERVER_LOST_EXTENDED || code == CR_COMMANDS_OUT_OF_SYNC;
}

/*
 * HA_ERR_ABORTED_BY_USER: what a statement stopped by max_statement_time
 * inside InnoDB's FULLTEXT lookup reports (a broad word over a big catalog),
 * instead of ER_STATEMENT_TIMEOUT. The client library has no name for it.
 */
#define DB_ERR_ABORTED_BY_USER 188

/* Maps a MariaDB error to a shop_err; drops the connection when it is dead. */
static int db_error(struct db *db, unsigned int code, const char *message, const char *sql)
{
    char redacted[LOG_MAX_LINE / 2];

    /* MariaDB may quote the value that failed ("Incorrect string value: '…'"): shoppers' data stays out of logs. */
    message = log_redact_quoted(message, redacted, sizeof(redacted));
    if (db_errno_is_gone(code)) {
        log_event(LOG_LEVEL_WARN, NULL, "event=db_connection_lost errno=%u error=\"%s\"", code, message);
        metrics_add(METRICS_DB_CONNECTION_LOST, 1);
        db_disconnect(db);
        db->reported_down = true;
        return SHOP_ERR_UNAVAILABLE;
    }
    if (code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT) {
        /* Both end the transaction server-side (a deadlock always does). */
        metrics_add(METRICS_DB_DEADLOCK, 1);
        db->in_transaction = false;
        return SHOP_ERR_RETRY;
    }
    if (code == ER_DUP_ENTRY)
        return SHOP_ERR_CONFLICT;
    if ((code == ER_STATEMENT_TIMEOUT || code == DB_ERR_ABORTED_BY_USER) && !db->in_transaction) {
        /* Over its SET STATEMENT max_statement_time: a read stopped so it cannot hold a thread for long. */
        log_event(LOG_LEVEL_WARN, NULL, "event=db_statement_timeout sql=\"%.80s\"", sql);
        return SHOP_ERR_RETRY;
    }
    log_event(LOG_LEVEL_ERROR, NULL, "event=db_error errno=%u error=\"%s\" sql=\"%.80s\"", code, message, sql);
    metrics_add(METRICS_DB_ERROR, 1);
    return SHOP_ERR_INTERNAL;
}

static int db_statement_get(struct db *db, const char *sql, MYSQL_STMT **out)
{
    MYSQL_STMT *stmt;
    int i, rc;

    for (i = 0; i < db->statement_count; i++) {
        if (db->statements[i].sql == sql) {
            *out = db->statements[i].stmt;
            return SHOP_OK;
        }
    }
    if (db->statement_count == DB_MAX_STATEMENTS) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=db_statement_cache_full max=%d", DB_MAX_STATEMENTS);
        return SHOP_ERR_INTERNAL;
    }
    stmt = mysql_stmt_init(db->mysql);
    if (stmt == NULL)
        return SHOP_ERR_NOMEM;
    if (mysql_stmt_prepare(stmt, sql, (unsigned long)strlen(sql)) != 0) {
        rc = db_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
        mysql_stmt_close(stmt);
        return rc;
    }
    my_bool update_max_length = 1;
    mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
    db->statements[db->statement_count].sql = sql;
    db->statements[db->statement_count].stmt = stmt;
    db->statement_count++;
    *out = stmt;
    return SHOP_OK;
}

static int db_bind_params(MYSQL_STMT *stmt, const struct db_param *params, int count, MYSQL_BIND *binds)
{
    int i;

    if (count > DB_MAX_PARAMS || (unsigned long)count != mysql_stmt_param_count(stmt))
        return SHOP_ERR_INTERNAL;
    memset(binds, 0, sizeof(MYSQL_BIND) * (size_t)count);
    for (i = 0; i < count; i++) {
        switch (params[i].type) {
        case DB_TYPE_INT:
            binds[i].buffer_type = MYSQL_TYPE_LONGLONG;
            binds[i].buffer = (void *)&params[i].integer;
            break;
        case DB_TYPE_TEXT:
            binds[i].buffer_type = MYSQL_TYPE_STRING;
            binds[i].buffer = (void *)params[i].text;
            binds[i].buffer_length = (unsigned long)params[i].len;
            break;
        case DB_TYPE_NULL:
            binds[i].buffer_type = MYSQL_TYPE_NULL;
            break;
        }
    }
    return mysql_stmt_bind_param(stmt, binds) == 0 ? SHOP_OK : SHOP_ERR_INTERNAL;
}

/* Output buffers for one row: every column bound as text, sized from the metadata. */
struct db_row_buffers {
    MYSQL_BIND *binds;
    unsigned long *lengths;
    my_bool *nulls;
};

static int db_bind_columns(struct arena *arena, MYSQL_FIELD *fields, int columns, struct db_row_buffers *out)
{
    int c;

    out->binds = arena_alloc(arena, sizeof(MYSQL_BIND) * (size_t)(columns + 1));
    out->lengths = arena_alloc(arena, sizeof(unsigned long) * (size_t)(columns + 1));
    out->nulls = arena_alloc(arena, sizeof(my_bool) * (size_t)(columns + 1));
    if (out->binds == NULL || out->lengths == NULL || out->nulls == NULL)
        return SHOP_ERR_NOMEM;
    memset(out->binds, 0, sizeof(MYSQL_BIND) * (size_t)columns);
    for (c = 0; c < columns; c++) {
        unsigned long size = fields[c].max_length > DB_MIN_CELL ? fields[c].max_length : DB_MIN_CELL;
        out->binds[c].buffer_type = MYSQL_TYPE_STRING;
        out->binds[c].buffer_length = size + 1;
        out->binds[c].buffer = arena_alloc(arena, size + 1);
        out->binds[c].length = &out->lengths[c];
        out->binds[c].is_null = &out->nulls[c];
        if (out->binds[c].buffer == NULL)
            return SHOP_ERR_NOMEM;
    }
    return SHOP_OK;
}

/* Copies the fetched row into arena strings; a cell longer than promised is fetched on its own. */
static int db_copy_row(MYSQL_STMT *stmt, struct arena *arena, const struct db_row_buffers *buffers, int columns,
                       char **row)
{
    int c;

    for (c = 0; c < columns; c++) {
        unsigned long len = buffers->lengths[c];

        if (buffers->nulls[c]) {
            row[c] = NULL;
            continue;
        }
        if ((row[c] = arena_alloc(arena, len + 1)) == NULL)
            return SHOP_ERR_NOMEM;
        if (len < buffers->binds[c].buffer_length) {
            memcpy(row[c], buffers->binds[c].buffer, len);
        } else {
            MYSQL_BIND whole = buffers->binds[c];
            whole.buffer = row[c];
            whole.buffer_length = len + 1;
            if (mysql_stmt_fetch_column(stmt, &whole, (unsigned int)c, 0) != 0)
                return SHOP_ERR_INTERNAL;
        }
        row[c][len] = '\0';
    }
    return SHOP_OK;
}

static int db_fetch_rows(struct db *db, MYSQL_STMT *stmt, MYSQL_RES *meta, struct arena *arena,
                         struct db_result *result, const char *sql)
{
    int columns = (int)mysql_num_fields(meta), fetch_rc, rc;
    struct db_row_buffers buffers;
    unsigned long long rows;

    if (mysql_stmt_store_result(stmt) != 0)
        return db_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    rows = mysql_stmt_num_rows(stmt);
    if (rows > DB_MAX_ROWS) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=db_too_many_rows rows=%llu sql=\"%.80s\"", rows, sql);
        mysql_stmt_free_result(stmt);
        return SHOP_ERR_INTERNAL;
    }
    result->columns = columns;
    result->rows = 0;
    result->cells = arena_alloc(arena, sizeof(char *) * (size_t)(rows * (unsigned long long)columns + 1));
    if (result->cells == NULL || (rc = db_bind_columns(arena, mysql_fetch_fields(meta), columns, &buffers)) != SHOP_OK) {
        mysql_stmt_free_result(stmt);
        return SHOP_ERR_NOMEM;
    }
    if (mysql_stmt_bind_result(stmt, buffers.binds) != 0) {
        mysql_stmt_free_result(stmt);
        return db_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    }
    while ((fetch_rc = mysql_stmt_fetch(stmt)) == 0 || fetch_rc == MYSQL_DATA_TRUNCATED) {
        rc = db_copy_row(stmt, arena, &buffers, columns, result->cells + (size_t)result->rows * (size_t)columns);
        if (rc != SHOP_OK) {
            mysql_stmt_free_result(stmt);
            return rc;
        }
        result->rows++;
    }
    mysql_stmt_free_result(stmt);
    if (fetch_rc != MYSQL_NO_DATA)
        return db_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    return SHOP_OK;
}

static bool db_sql_is_read(const char *sql)
{
    const char *for_select;

    /* "SET STATEMENT max_statement_time = … FOR SELECT …" is a read too. */
    if (strncasecmp(sql, "SET STATEMENT ", 14) == 0 && (for_select = strstr(sql, " FOR ")) != NULL)
        sql = for_select + 5;
    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    return strncasecmp(sql, "SELECT", 6) == 0;
}

static int db_exec_once(struct db *db, struct arena *arena, const char *sql, const struct db_param *params,
                        int count, struct db_result *result)
{
    MYSQL_BIND binds[DB_MAX_PARAMS];
    MYSQL_STMT *stmt = NULL;
    MYSQL_RES *meta;
    int rc;

    rc = db_connect(db);
    if (rc != SHOP_OK)
        return rc;
    rc = db_statement_get(db, sql, &stmt);
    if (rc != SHOP_OK)
        return rc;
    rc = db_bind_params(stmt, params, count, binds);
    if (rc != SHOP_OK) {
        log_event(LOG_LEVEL_ERROR, NULL, "event=db_bind_failed params=%d sql=\"%.80s\"", count, sql);
        return rc;
    }
    if (mysql_stmt_execute(stmt) != 0)
        return db_error(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    meta = mysql_stmt_result_metadata(stmt);
    if (meta == NULL) {
        if (result != NULL) {
            memset(result, 0, sizeof(*result));
            result->affected_rows = (unsigned long long)mysql_stmt_affected_rows(stmt);
        }
        return SHOP_OK;
    }
    if (result == NULL) {
        mysql_free_result(meta);
        mysql_stmt_free_result(stmt);
        return SHOP_OK;
    }
    memset(result, 0, sizeof(*result));
    rc = db_fetch_rows(db, stmt, meta, arena, result, sql);
    mysql_free_result(meta);
    return rc;
}

static int db_exec_on(struct db *db, struct arena *arena, const char *sql, const struct db_param *params, int count,
                      struct db_result *result)
{
    bool retryable = !db->in_transaction && db_sql_is_read(sql);
    int rc = db_exec_once(db, arena, sql, params, count, result);

    /*
     * A connection found dead is retried once, but only for a read outside a
     * transaction: a write may have been applied before the connection broke,
     * and repeating it could apply it twice.
     */
    if (rc == SHOP_ERR_UNAVAILABLE && retryable && db->mysql == NULL)
        rc = db_exec_once(db, arena, sql, params, count, result);
    return rc;
}

static time_t db_monotonic_seconds(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec;
}

/*
 * A read handle's statement: on the read server when one is configured and
 * was not found unreachable in the last DB_READ_RETRY_SECONDS, else on the
 * primary. Only SHOP_ERR_UNAVAILABLE moves a read to the primary: any other
 * answer (a timeout, a bad statement) would be the same there.
 */
static int db_exec_read(struct db *db, struct arena *arena, const char *sql, const struct db_param *params, int count,
                        struct db_result *result)
{
    int rc;

    if (settings_db_read_configured() && db_monotonic_seconds() >= db->read_retry_at) {
        rc = db_exec_on(db, arena, sql, params, count, result);
        if (rc != SHOP_ERR_UNAVAILABLE) {
            if (db->read_falling_back)
                log_event(LOG_LEVEL_INFO, NULL, "event=db_read_restored");
            db->read_falling_back = false;
            return rc;
        }
        if (!db->read_falling_back) /* once per outage */
            log_event(LOG_LEVEL_WARN, NULL, "event=db_read_fallback to=primary retry_seconds=%d",
                      DB_READ_RETRY_SECONDS);
        db->read_falling_back = true;
        db->read_retry_at = db_monotonic_seconds() + DB_READ_RETRY_SECONDS;
    }
    return db_exec_on(db->primary, arena, sql, params, count, result);
}

int db_exec(struct db *db, struct arena *arena, const char *sql, const struct db_param *params, int count,
            struct db_result *result)
{
    if (db->primary != NULL)
        return db_exec_read(db, arena, sql, params, count, result);
    return db_exec_on(db, arena, sql, params, count, result);
}

int db_ping(struct db *db)
{
    int rc;

    if (db->primary != NULL && !settings_db_read_configured())
        return SHOP_ERR_UNAVAILABLE;
    rc = db_connect(db);

    if (rc != SHOP_OK)
        return rc;
    if (mysql_ping(db->mysql) != 0) {
        rc = db_error(db, mysql_errno(db->mysql), mysql_error(db->mysql), "PING");
        if (rc != SHOP_ERR_UNAVAILABLE)
            return rc;
        /* The server may be back: one fresh try. */
        rc = db_connect(db);
        if (rc == SHOP_OK && mysql_ping(db->mysql) != 0)
            rc = db_error(db, mysql_errno(db->mysql), mysql_error(db->mysql), "PING");
    }
    return rc;
}

static int db_simple(struct db *db, const char *sql)
{
    if (db->mysql == NULL)
        return SHOP_ERR_UNAVAILABLE;
    if (mysql_real_query(db->mysql, sql, (unsigned long)strlen(sql)) != 0)
        return db_error(db, mysql_errno(db->mysql), mysql_error(db->mysql), sql);
    return SHOP_OK;
}

/*
 * Before trying a transaction again: a random pause that grows with attempt
 * (0, 1, 2, ...), so transactions that deadlocked each other do not collide
 * again in lockstep.
 */
static void db_retry_pause(int attempt)
{
    unsigned int ceiling_us = 1000u << (attempt < 6 ? attempt : 6); /* 1 ms doubling to 64 ms */
    unsigned int pause_us = ceiling_us / 2 + randombytes_uniform(ceiling_us / 2 + 1);
    struct timespec pause = {0, (long)pause_us * 1000L};

    nanosleep(&pause, NULL);
}

int db_transaction(struct db *db, db_transaction_body body, void *arg)
{
    int rc = SHOP_ERR_RETRY, attempt;

    for (attempt = 0; attempt < DB_TRANSACTION_ATTEMPTS && rc == SHOP_ERR_RETRY; attempt++) {
        if (attempt > 0)
            db_retry_pause(attempt - 1);
        if ((rc = db_begin(db)) != SHOP_OK)
            return rc;
        rc = body(db, arg);
        if (rc == SHOP_OK)
            rc = db_commit(db);
        if (rc != SHOP_OK)
            db_rollback(db);
    }
    return rc;
}

bool db_in_transaction(const struct db *db)
{
    return db->in_transaction;
}

int db_begin(struct db *db)
{
    int rc = db_connect(db);

    if (rc == SHOP_OK)
        rc = db_simple(db, "START TRANSACTION");
    if (rc == SHOP_ERR_UNAVAILABLE) {
        /* Nothing was done yet, so a fresh connection is safe. */
        rc = db_connect(db);
        if (rc == SHOP_OK)
            rc = db_simple(db, "START TRANSACTION");
    }
    db->in_transaction = rc == SHOP_OK;
    return rc;
}

int db_commit(struct db *db)
{
    int rc = db_simple(db, "COMMIT");

    db->in_transaction = false;
    return rc;
}

int db_rollback(struct db *db)
{
    int rc = SHOP_OK;

    if (db->mysql != NULL)
        rc = db_simple(db, "ROLLBACK");
    db->in_transaction = false;
    return rc;
}

const char *db_result_text(const struct db_result *result, int row, int column)
{
    if (row < 0 || row >= result->rows || column < 0 || column >= result->columns)
        return NULL;
    return result->cells[(size_t)row * (size_t)result->columns + (size_t)column];
}

long long db_result_int(const struct db_result *result, int row, int column)
{
    const char *text = db_result_text(result, row, column);

    return text != NULL ? strtoll(text, NULL, 10) : 0;
}

void db_result_run(const struct db_result *result, int column, const char *key, int *first, int *count)
{
    int low = 0, high = result->rows;

    while (low < high) { /* the first row whose cell is not below key */
        int mid = low + (high - low) / 2;
        if (strcmp(db_result_text(result, mid, column), key) < 0)
            low = mid + 1;
        else
            high = mid;
    }
    *first = low;
    while (low < result->rows && strcmp(db_result_text(result, low, column), key) == 0)
        low++;
    *count = low - *first;
}

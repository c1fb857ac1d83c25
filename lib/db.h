/*
 * db.h - a MariaDB connection owned by one thread, with its prepared statements.
 *
 * Each thread opens one struct db. It connects lazily and re-connects after the
 * server went away, so responders survive a MariaDB restart without being
 * restarted themselves: while the server is down calls return
 * SHOP_ERR_UNAVAILABLE (HTTP 503), and the first call after it is back works.
 *
 * SQL text is always a static string; the statement prepared from it is cached
 * under that pointer for the life of the connection. Values travel only as
 * bound parameters: no SQL is ever assembled from input.
 *
 * A read handle (db_open_read) sends its statements to the read server
 * (db_read_socket, or db_read_host and db_read_port: a replica), and to its
 * primary handle while no read server is configured or while the read server
 * cannot be reached, so a dead replica costs a request nothing. It is for
 * single reads that may lag the primary by the replication delay: never a
 * transaction, a write, or a read of the shopper's own writes.
 *
 * Results are fetched whole into the caller's arena as text cells, which is what
 * JSON output wants; db_result_int() parses a cell when a number is needed.
 */
#ifndef SHOP_DB_H
#define SHOP_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "arena.h"

#define DB_MAX_STATEMENTS 64
#define DB_MAX_PARAMS 128
#define DB_MAX_ROWS 10000

struct db;

enum db_type {
    DB_TYPE_NULL,
    DB_TYPE_INT,
    DB_TYPE_TEXT,
};

struct db_param {
    enum db_type type;
    long long integer;
    const char *text;
    size_t len;
};

#define DB_PARAM_INT(v) ((struct db_param){.type = DB_TYPE_INT, .integer = (v)})
#define DB_PARAM_TEXT(v) ((struct db_param){.type = DB_TYPE_TEXT, .text = (v), .len = strlen(v)})
#define DB_PARAM_NULL ((struct db_param){.type = DB_TYPE_NULL})

struct db_result {
    int rows;
    int columns;
    char **cells;                  /* rows * columns; NULL for SQL NULL */
    unsigned long long affected_rows;
};

/* Calls mysql_library_init; once in main() before any thread. */
int db_library_init(void);
void db_library_end(void);

/*
 * A new, not yet connected handle configured from db_socket (or db_host and
 * db_port), db_user, db_password, db_name. NULL when out of memory.
 */
struct db *db_open(void);

/*
 * A new, not yet connected read handle (see above) that falls back to primary,
 * which must outlive it. NULL when out of memory.
 */
struct db *db_open_read(struct db *primary);

/* Seconds a read handle leaves an unreachable read server alone before trying it again. */
#define DB_READ_RETRY_SECONDS 5

/* Closes the statements and the connection; frees db. */
void db_close(struct db *db);

/*
 * SHOP_OK when the server answers, SHOP_ERR_UNAVAILABLE otherwise. A read
 * handle pings the read server itself, never its primary (SHOP_ERR_UNAVAILABLE
 * also when none is configured).
 */
int db_ping(struct db *db);

/*
 * Executes sql with count params. With result non-NULL, a result set is fetched
 * into the arena (at most DB_MAX_ROWS rows), or for other statements the
 * affected row count is set. Errors: SHOP_ERR_UNAVAILABLE (server gone; read-only
 * statements outside a transaction are retried once on a new connection first),
 * SHOP_ERR_RETRY (deadlock or lock wait timeout: the transaction was rolled back),
 * SHOP_ERR_CONFLICT (duplicate key), SHOP_ERR_INTERNAL (anything else, logged).
 */
int db_exec(struct db *db, struct arena *arena, const char *sql, const struct db_param *params,
            int count, struct db_result *result);

/* How many times a transaction is tried before SHOP_ERR_RETRY reaches the client (503). */
#define DB_TRANSACTION_ATTEMPTS 10

/*
 * The work of one transaction: runs between BEGIN and COMMIT; returns SHOP_OK
 * to commit, anything else to roll back. It may run more than once (see
 * db_transaction), so it must not act outside the database before it is sure
 * to return without SHOP_ERR_RETRY (replying with a refusal and returning its
 * code is fine: that rolls back and ends the attempts).
 */
typedef int (*db_transaction_body)(struct db *db, void *arg);

/*
 * Runs body in a transaction: begin, body, commit; rolls back on any failure.
 * A deadlock or lock wait timeout (SHOP_ERR_RETRY) is tried again, up to
 * DB_TRANSACTION_ATTEMPTS times with a growing random pause, and only then
 * returned. Other errors are returned at once: SHOP_ERR_UNAVAILABLE when the
 * server went away (a COMMIT whose answer was lost may have been applied, so
 * bodies are written so that running them again is harmless), or body's own.
 */
int db_transaction(struct db *db, db_transaction_body body, void *arg);

/* True while a transaction started by db_begin() is open. */
bool db_in_transaction(const struct db *db);

/* Starts, commits or rolls back a transaction. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* The cell text, or NULL for SQL NULL. */
const char *db_result_text(const struct db_result *result, int row, int column);

/* The cell parsed as an integer; 0 for NULL or non-numbers. */
long long db_result_int(const struct db_result *result, int row, int column);

/*
 * In a result sorted by column (text, byte order, no NULLs), the rows whose
 * cell equals key: [*first, *first + *count), found by binary search.
 */
void db_result_run(const struct db_result *result, int column, const char *key, int *first, int *count);

#endif

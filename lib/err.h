/*
 * err.h - the one set of error codes every fcgi-shop function returns.
 *
 * Functions return 0 (SHOP_OK) on success and a negative enum shop_err on
 * failure. Each code has exactly one HTTP status and one snake_case name, kept in
 * a single table (err.c), so the HTTP layer maps errors in one place and clients
 * see the same code for the same failure everywhere.
 *
 * A helper that has already answered the request (a refusal with its own code
 * and message) returns SHOP_ERR_REPLIED, as Redis's ...OrReply helpers do, so
 * every caller writes only "if ((rc = f()) != SHOP_OK) return rc;".
 */
#ifndef SHOP_ERR_H
#define SHOP_ERR_H

enum shop_err {
    SHOP_OK = 0,
    SHOP_ERR_INVALID = -1,        /* 400: malformed request */
    SHOP_ERR_UNAUTHORIZED = -2,   /* 401 */
    SHOP_ERR_FORBIDDEN = -3,      /* 403 */
    SHOP_ERR_NOT_FOUND = -4,      /* 404 */
    SHOP_ERR_METHOD = -5,         /* 405 */
    SHOP_ERR_CONFLICT = -6,       /* 409: the state does not allow it now */
    SHOP_ERR_TOO_LARGE = -7,      /* 413 */
    SHOP_ERR_URI_TOO_LONG = -8,   /* 414 */
    SHOP_ERR_MEDIA_TYPE = -9,     /* 415 */
    SHOP_ERR_UNPROCESSABLE = -10, /* 422: well-formed but not acceptable */
    SHOP_ERR_RATE_LIMITED = -11,  /* 429 */
    SHOP_ERR_INTERNAL = -12,      /* 500 */
    SHOP_ERR_UNAVAILABLE = -13,   /* 503: a backing service is down */
    SHOP_ERR_NOMEM = -14,         /* 500 */
    SHOP_ERR_RETRY = -15,         /* 503: deadlock or lock timeout; retry */
    SHOP_ERR_REPLIED = -16,       /* the answer (an error) was already sent: just return this */
};

#define SHOP_ERR_COUNT 17

/* The snake_case code for err ("not_found"); "internal_error" for unknown values. */
const char *shop_err_code(int err);

/* The HTTP status for err (404 for SHOP_ERR_NOT_FOUND); 500 for unknown values. */
int shop_err_http_status(int err);

/* A default human sentence for err, used when the handler gave none. */
const char *shop_err_message(int err);

#endif

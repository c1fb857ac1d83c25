/*
 * http.h - one HTTP request and its response, over a FastCGI connection.
 *
 * A struct http_request is filled from the FastCGI parameters nginx sends
 * (method, decoded path, query string, headers as HTTP_* parameters) and lives
 * for one request: every string it hands out comes from the request arena, and
 * every json-c object given to http_own() is put when the request ends. So a
 * handler may return early from anywhere without freeing anything.
 *
 * Every error answer has one shape, {"error":{"code":"…","message":"…"}}, with
 * the status and default code taken from the shop_err table (err.h).
 */
#ifndef SHOP_HTTP_H
#define SHOP_HTTP_H

#include <fcgiapp.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define HTTP_MAX_PATH 1024           /* bytes of decoded path */
#define HTTP_MAX_QUERY 2048          /* bytes of raw query string (414 above) */
#define HTTP_MAX_QUERY_PARAMS 32     /* name=value pairs (400 above) */
#define HTTP_MAX_ROUTE_PARAMS 4      /* {} segments in one route pattern */
#define HTTP_MAX_OUT_HEADERS 8       /* extra response headers */
#define HTTP_MAX_OWNED 16            /* json objects put at the end of a request */
#define HTTP_REQUEST_ID_MAX 64

struct http_param {
    const char *name;
    const char *value;
};

struct http_request {
    FCGX_Request *fcgi;
    struct arena *arena;
    const char *method;         /* "GET"; HEAD is reported as GET, nginx drops the body */
    bool is_head;
    const char *path;           /* decoded, without the query */
    char request_id[HTTP_REQUEST_ID_MAX + 1];
    struct http_param query[HTTP_MAX_QUERY_PARAMS];
    int query_count;
    const char *route_params[HTTP_MAX_ROUTE_PARAMS];
    int route_param_count;
    const char *out_headers[HTTP_MAX_OUT_HEADERS]; /* "Name: value" */
    int out_header_count;
    struct json_object *owned[HTTP_MAX_OWNED];
    int owned_count;
    int status;                 /* status sent, 0 while none */
    const char *error_code;     /* code of the error answer sent, for the access log */
};

/*
 * Fills req from the FastCGI request. Returns SHOP_ERR_URI_TOO_LONG for a path or
 * query over its limit and SHOP_ERR_INVALID for broken percent-encoding, a %00,
 * invalid UTF-8 or too many query parameters; req is usable for the error reply.
 */
int http_request_init(struct http_request *req, FCGX_Request *fcgi, struct arena *arena);

/* Puts every owned json object. Called once when the request ends. */
void http_request_finish(struct http_request *req);

/* A raw FastCGI parameter ("CONTENT_TYPE", "HTTP_IF_NONE_MATCH"), or NULL. */
const char *http_param(const struct http_request *req, const char *name);

/* The decoded value of the first query parameter called name, or NULL. */
const char *http_query_get(const struct http_request *req, const char *name);

/*
 * The "limit" query parameter: fallback when absent, else a whole number from 1
 * to max. Anything else (0, -1, 1.5, "abc", too large) is a 400 invalid_limit
 * answer, already sent: the caller returns what this returns.
 */
int http_query_limit(struct http_request *req, long long fallback, long long max, long long *limit);

/* The value of the cookie called name (arena copy), or NULL. */
const char *http_cookie_get(const struct http_request *req, const char *name);

/* Hands obj to the request, which puts it at the end; returns obj (NULL stays NULL). */
struct json_object *http_own(struct http_request *req, struct json_object *obj);

/*
 * A new answer body {"items":[]} owned by the request, with its array in *items;
 * NULL when out of memory. The shape of every list the API returns.
 */
struct json_object *http_list_body(struct http_request *req, struct json_object **items);

/*
 * Reads a JSON object body: SHOP_ERR_MEDIA_TYPE unless Content-Type is
 * application/json, SHOP_ERR_TOO_LARGE over limit, SHOP_ERR_INVALID when it is
 * not one well-formed JSON object. The object is owned by the request.
 */
int http_read_json(struct http_request *req, size_t limit, struct json_object **out);

/*
 * Guards a state-changing request against cross-site forgery: the body must be
 * declared application/json (SHOP_ERR_MEDIA_TYPE otherwise), which a plain HTML
 * form cannot send, and an Origin header, when present, must be the shop's own
 * (SHOP_ERR_FORBIDDEN otherwise): one of public_origin (comma-separated) when
 * configured, else the origin the request was sent to (SHOP_REQUEST_ORIGIN,
 * which the nginx site sets to $scheme://$http_host).
 */
int http_check_state_change(const struct http_request *req);

/* Adds a response header (name and value are copied). */
int http_add_header(struct http_request *req, const char *name, const char *value);

/* Sends status, headers and body. At most one reply per request. */
int http_reply(struct http_request *req, int status, const char *content_type, const char *body,
               size_t len);

/* Sends body as application/json. */
int http_reply_json(struct http_request *req, int status, struct json_object *body);

/*
 * Sends body as a 200 with a strong ETag computed from its bytes, or a bodiless
 * 304 when the request's If-None-Match names that ETag (or is "*").
 */
int http_reply_json_etag(struct http_request *req, struct json_object *body);

/*
 * Sends the error answer for err. code and message may be NULL for the defaults
 * of err; details (may be NULL, owned by the caller) adds its fields to the error
 * object, e.g. {"available":3}. Returns SHOP_ERR_REPLIED once sent (the caller
 * returns it as it is), or the error that kept it from being sent.
 */
int http_reply_error(struct http_request *req, int err, const char *code, const char *message,
                     struct json_object *details);

/* True when the two tags are equal, ignoring a weak W/ prefix on the first. */
bool http_etag_matches(const char *if_none_match, const char *etag);

#endif

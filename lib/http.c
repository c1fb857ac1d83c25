/*
 * http.c - HTTP request parsing and response writing over libfcgi (see http.h).
 *
 * Responses are formatted with snprintf and written with FCGX_PutStr: libfcgi's
 * own FCGX_FPrintF has a private printf that does not know %zu.
 */
#include "http.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "settings.h"
#include "err.h"
#include "json.h"
#include "log.h"
#include "validate.h"

#define HTTP_HEADER_BUFFER 2048

struct http_status_text {
    int status;
    const char *text;
};

static const struct http_status_text http_status_texts[] = {
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
    {304, "Not Modified"}, {400, "Bad Request"}, {401, "Unauthorized"},
    {403, "Forbidden"}, {404, "Not Found"}, {405, "Method Not Allowed"},
    {409, "Conflict"}, {413, "Content Too Large"}, {414, "URI Too Long"},
    {415, "Unsupported Media Type"}, {422, "Unprocessable Content"},
    {429, "Too Many Requests"}, {500, "Internal Server Error"},
    {503, "Service Unavailable"},
};

static const char *http_status_text(int status)
{
    size_t i;

    for (i = 0; i < sizeof(http_status_texts) / sizeof(http_status_texts[0]); i++)
        if (http_status_texts[i].status == status)
            return http_status_texts[i].text;
    return "Unknown";
}

static int http_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes src (len bytes, '+' as space) into dst (len + 1 bytes). */
static int http_percent_decode(const char *src, size_t len, char *dst)
{
    size_t i, o = 0;
    int high, low;

    for (i = 0; i < len; i++) {
        if (src[i] == '+') {
            dst[o++] = ' ';
        } else if (src[i] == '%') {
            if (i + 2 >= len)
                return SHOP_ERR_INVALID;
            high = http_hex_value(src[i + 1]);
            low = http_hex_value(src[i + 2]);
            if (high < 0 || low < 0 || (high == 0 && low == 0))
                return SHOP_ERR_INVALID;
            dst[o++] = (char)(high * 16 + low);
            i += 2;
        } else {
            dst[o++] = src[i];
        }
    }
    dst[o] = '\0';
    return SHOP_OK;
}

static int http_parse_query(struct http_request *req, const char *query)
{
    size_t query_len = strlen(query);
    const char *p = query;

    if (query_len > HTTP_MAX_QUERY)
        return SHOP_ERR_URI_TOO_LONG;
    while (*p != '\0') {
        const char *amp = strchr(p, '&');
        size_t pair_len = amp != NULL ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', pair_len);
        size_t name_len = eq != NULL ? (size_t)(eq - p) : pair_len;
        size_t value_len = eq != NULL ? pair_len - name_len - 1 : 0;
        char *name, *value;

        if (pair_len > 0) {
            if (req->query_count == HTTP_MAX_QUERY_PARAMS)
                return SHOP_ERR_INVALID;
            name = arena_alloc(req->arena, name_len + 1);
            value = arena_alloc(req->arena, value_len + 1);
            if (name == NULL || value == NULL)
                return SHOP_ERR_NOMEM;
            if (http_percent_decode(p, name_len, name) != SHOP_OK ||
                http_percent_decode(eq != NULL ? eq + 1 : "", value_len, value) != SHOP_OK ||
                !validate_utf8(name) || !validate_utf8(value))
                return SHOP_ERR_INVALID;
            req->query[req->query_count].name = name;
            req->query[req->query_count].value = value;
            req->query_count++;
        }
        p += pair_len;
        if (*p == '&')
            p++;
    }
    return SHOP_OK;
}

static void http_set_request_id(struct http_request *req)
{
    const char *given = http_param(req, "REQUEST_ID");
    size_t i;

    if (given != NULL && *given != '\0' && strlen(given) <= HTTP_REQUEST_ID_MAX) {
        for (i = 0; given[i] != '\0'; i++)
            if (!isalnum((unsigned char)given[i]) && given[i] != '-')
                break;
        if (given[i] == '\0') {
            memcpy(req->request_id, given, i + 1);
            return;
        }
    }
    unsigned char random[16];
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(req->request_id, sizeof(req->request_id), random, sizeof(random));
}

int http_request_init(struct http_request *req, FCGX_Request *fcgi, struct arena *arena)
{
    const char *path, *query;

    memset(req, 0, sizeof(*req));
    req->fcgi = fcgi;
    req->arena = arena;
    http_set_request_id(req);
    req->method = http_param(req, "REQUEST_METHOD");
    if (req->method == NULL)
        req->method = "GET";
    if (strcmp(req->method, "HEAD") == 0) {
        req->method = "GET";
        req->is_head = true;
    }
    path = http_param(req, "DOCUMENT_URI");
    if (path == NULL)
        path = http_param(req, "SCRIPT_NAME");
    req->path = path != NULL ? path : "/";
    if (strlen(req->path) > HTTP_MAX_PATH)
        return SHOP_ERR_URI_TOO_LONG;
    query = http_param(req, "QUERY_STRING");
    return http_parse_query(req, query != NULL ? query : "");
}

void http_request_finish(struct http_request *req)
{
    int i;

    for (i = 0; i < req->owned_count; i++)
        json_object_put(req->owned[i]);
    req->owned_count = 0;
}

const char *http_param(const struct http_request *req, const char *name)
{
    return FCGX_GetParam(name, req->fcgi->envp);
}

const char *http_query_get(const struct http_request *req, const char *name)
{
    int i;

    for (i = 0; i < req->query_count; i++)
        if (strcmp(req->query[i].name, name) == 0)
            return req->query[i].value;
    return NULL;
}

int http_query_limit(struct http_request *req, long long fallback, long long max, long long *limit)
{
    const char *text = http_query_get(req, "limit");
    char *end, message[96];

    *limit = fallback;
    if (text == NULL)
        return SHOP_OK;
    *limit = strtoll(text, &end, 10);
    if (*text >= '0' && *text <= '9' && *end == '\0' && *limit >= 1 && *limit <= max)
        return SHOP_OK;
    snprintf(message, sizeof(message), "limit must be a whole number from 1 to %lld.", max);
    return http_reply_error(req, SHOP_ERR_INVALID, "invalid_limit", message, NULL);
}

const char *http_cookie_get(const struct http_request *req, const char *name)
{
    const char *header = http_param(req, "HTTP_COOKIE");
    size_t name_len = strlen(name);
    const char *p = header;

    while (p != NULL && *p != '\0') {
        const char *end;

        while (*p == ' ' || *p == ';')
            p++;
        end = strchr(p, ';');
        if (end == NULL)
            end = p + strlen(p);
        if ((size_t)(end - p) > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=')
            return arena_strndup(req->arena, p + name_len + 1, (size_t)(end - p) - name_len - 1);
        p = end;
    }
    return NULL;
}

struct json_object *http_own(struct http_request *req, struct json_object *obj)
{
    if (obj == NULL)
        return NULL;
    if (req->owned_count == HTTP_MAX_OWNED) {
        /* A programming error: raise HTTP_MAX_OWNED. Refuse rather than leak. */
        log_event(LOG_LEVEL_ERROR, req->request_id, "event=http_own_overflow max=%d", HTTP_MAX_OWNED);
        json_object_put(obj);
        return NULL;
    }
    req->owned[req->owned_count++] = obj;
    return obj;
}

struct json_object *http_list_body(struct http_request *req, struct json_object **items)
{
    struct json_object *body = http_own(req, json_object_new_object());

    *items = json_object_new_array();
    if (body == NULL || *items == NULL) {
        json_object_put(*items);
        return NULL;
    }
    json_object_object_add(body, "items", *items);
    return body;
}

/* Reads the body, at most limit bytes, into *body (NUL-terminated, arena); SHOP_ERR_TOO_LARGE beyond. */
static int http_read_body(struct http_request *req, size_t limit, const char **body, size_t *len)
{
    const char *declared = http_param(req, "CONTENT_LENGTH");
    char *buffer;
    size_t used = 0;
    int got;

    if (declared != NULL && *declared != '\0') {
        char *end;
        unsigned long long n = strtoull(declared, &end, 10);
        if (*end != '\0')
            return SHOP_ERR_INVALID;
        if (n > limit)
            return SHOP_ERR_TOO_LARGE;
    }
    buffer = arena_alloc(req->arena, limit + 1);
    if (buffer == NULL)
        return SHOP_ERR_NOMEM;
    /* Read one byte past the limit to tell "exactly limit" from "more". */
    while (used <= limit) {
        got = FCGX_GetStr(buffer + used, (int)(limit + 1 - used), req->fcgi->in);
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    if (used > limit)
        return SHOP_ERR_TOO_LARGE;
    buffer[used] = '\0';
    *body = buffer;
    *len = used;
    return SHOP_OK;
}

static bool http_is_json_type(const char *content_type)
{
    static const char json_type[] = "application/json";
    size_t n = sizeof(json_type) - 1;

    if (content_type == NULL || strncasecmp(content_type, json_type, n) != 0)
        return false;
    return content_type[n] == '\0' || content_type[n] == ';' || content_type[n] == ' ';
}

static bool http_origin_listed(const char *origin, const char *list)
{
    size_t origin_len = strlen(origin);

    while (*list != '\0') {
        const char *end = strchr(list, ',');
        size_t len = end != NULL ? (size_t)(end - list) : strlen(list);
        const char *start = list;

        while (len > 0 && *start == ' ') {
            start++;
            len--;
        }
        while (len > 0 && start[len - 1] == ' ')
            len--;
        if (len == origin_len && strncasecmp(start, origin, len) == 0)
            return true;
        list += end != NULL ? (size_t)(end - list) + 1 : strlen(list);
    }
    return false;
}

int http_check_state_change(const struct http_request *req)
{
    const char *origin = http_param(req, "HTTP_ORIGIN");
    const char *allowed = settings_get()->public_origin;
    const char *own = http_param(req, "SHOP_REQUEST_ORIGIN");

    if (!http_is_json_type(http_param(req, "CONTENT_TYPE")))
        return SHOP_ERR_MEDIA_TYPE;
    if (origin == NULL)
        return SHOP_OK; /* same-origin fetches from older browsers, curl, servers */
    if (*allowed != '\0')
        return http_origin_listed(origin, allowed) ? SHOP_OK : SHOP_ERR_FORBIDDEN;
    return own != NULL && strcasecmp(origin, own) == 0 ? SHOP_OK : SHOP_ERR_FORBIDDEN;
}

int http_read_json(struct http_request *req, size_t limit, struct json_object **out)
{
    const char *body;
    size_t len;
    int rc;

    *out = NULL;
    if (!http_is_json_type(http_param(req, "CONTENT_TYPE")))
        return SHOP_ERR_MEDIA_TYPE;
    rc = http_read_body(req, limit, &body, &len);
    if (rc != SHOP_OK)
        return rc;
    rc = json_parse_object(body, len, out);
    if (rc != SHOP_OK)
        return rc;
    http_own(req, *out);
    return *out != NULL ? SHOP_OK : SHOP_ERR_NOMEM;
}

int http_add_header(struct http_request *req, const char *name, const char *value)
{
    char *line;

    if (req->out_header_count == HTTP_MAX_OUT_HEADERS)
        return SHOP_ERR_INTERNAL;
    line = arena_printf(req->arena, "%s: %s", name, value);
    if (line == NULL)
        return SHOP_ERR_NOMEM;
    req->out_headers[req->out_header_count++] = line;
    return SHOP_OK;
}

int http_reply(struct http_request *req, int status, const char *content_type, const char *body,
               size_t len)
{
    char head[HTTP_HEADER_BUFFER];
    size_t used;
    int i, n;

    if (req->status != 0) {
        log_event(LOG_LEVEL_ERROR, req->request_id, "event=http_double_reply status=%d", status);
        return SHOP_ERR_INTERNAL;
    }
    req->status = status;
    n = snprintf(head, sizeof(head), "Status: %d %s\r\nX-Request-Id: %s\r\n", status,
                 http_status_text(status), req->request_id);
    used = (size_t)n;
    if (content_type != NULL)
        used += (size_t)snprintf(head + used, sizeof(head) - used,
                                 "Content-Type: %s\r\nContent-Length: %zu\r\n", content_type, len);
    for (i = 0; i < req->out_header_count && used < sizeof(head); i++)
        used += (size_t)snprintf(head + used, sizeof(head) - used, "%s\r\n", req->out_headers[i]);
    if (used >= sizeof(head) - 2) {
        log_event(LOG_LEVEL_ERROR, req->request_id, "event=http_headers_too_long");
        return SHOP_ERR_INTERNAL;
    }
    memcpy(head + used, "\r\n", 2);
    used += 2;
    /* A client that went away makes these fail; there is no one to tell. */
    FCGX_PutStr(head, (int)used, req->fcgi->out);
    if (body != NULL && len > 0 && !req->is_head)
        FCGX_PutStr(body, (int)len, req->fcgi->out);
    return SHOP_OK;
}

int http_reply_json(struct http_request *req, int status, struct json_object *body)
{
    size_t len;
    const char *text = json_to_text(body, &len);

    if (text == NULL)
        return SHOP_ERR_NOMEM;
    return http_reply(req, status, "application/json; charset=utf-8", text, len);
}

bool http_etag_matches(const char *if_none_match, const char *etag)
{
    size_t etag_len = strlen(etag);
    const char *p = if_none_match;

    while (p != NULL && *p != '\0') {
        const char *end;
        size_t len;

        while (*p == ' ' || *p == ',')
            p++;
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        len = (size_t)(end - p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 1 && *p == '*')
            return true;
        if (len > 2 && strncmp(p, "W/", 2) == 0) {
            p += 2;
            len -= 2;
        }
        if (len == etag_len && memcmp(p, etag, len) == 0)
            return true;
        p = end;
    }
    return false;
}

int http_reply_json_etag(struct http_request *req, struct json_object *body)
{
    unsigned char hash[16];
    char hex[sizeof(hash) * 2 + 1], etag[sizeof(hex) + 2];
    const char *if_none_match = http_param(req, "HTTP_IF_NONE_MATCH");
    size_t len;
    const char *text = json_to_text(body, &len);
    int rc;

    if (text == NULL)
        return SHOP_ERR_NOMEM;
    crypto_generichash(hash, sizeof(hash), (const unsigned char *)text, len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
    snprintf(etag, sizeof(etag), "\"%s\"", hex);
    rc = http_add_header(req, "ETag", etag);
    if (rc != SHOP_OK)
        return rc;
    if (if_none_match != NULL && http_etag_matches(if_none_match, etag))
        return http_reply(req, 304, NULL, NULL, 0);
    return http_reply(req, 200, "application/json; charset=utf-8", text, len);
}

int http_reply_error(struct http_request *req, int err, const char *code, const char *message,
                     struct json_object *details)
{
    struct json_object *root = http_own(req, json_object_new_object());
    struct json_object *error = json_object_new_object();

    if (root == NULL || error == NULL) {
        json_object_put(error);
        return SHOP_ERR_NOMEM;
    }
    json_object_object_add(root, "error", error);
    req->error_code = code != NULL ? code : shop_err_code(err);
    json_object_object_add(error, "code", json_object_new_string(req->error_code));
    json_object_object_add(error, "message", json_object_new_string(message != NULL ? message : shop_err_message(err)));
    if (details != NULL) {
        json_object_object_foreach(details, key, value) {
            json_object_object_add(error, key, json_object_get(value));
        }
    }
    int rc = http_reply_json(req, shop_err_http_status(err), root);
    return rc == SHOP_OK ? SHOP_ERR_REPLIED : rc;
}

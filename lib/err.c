/*
 * err.c - the table that gives each shop_err its HTTP status, code and sentence.
 */
#include "err.h"

struct err_info {
    int status;
    const char *code;
    const char *message;
};

/* Indexed by -err. */
static const struct err_info err_table[SHOP_ERR_COUNT] = {
    [0] = {200, "ok", "OK"},
    [-SHOP_ERR_INVALID] = {400, "invalid_request", "The request is malformed."},
    [-SHOP_ERR_UNAUTHORIZED] = {401, "unauthorized", "Authentication is required."},
    [-SHOP_ERR_FORBIDDEN] = {403, "forbidden", "This request is not allowed."},
    [-SHOP_ERR_NOT_FOUND] = {404, "not_found", "Nothing exists at this address."},
    [-SHOP_ERR_METHOD] = {405, "method_not_allowed", "This method is not allowed here."},
    [-SHOP_ERR_CONFLICT] = {409, "conflict", "The request conflicts with the current state."},
    [-SHOP_ERR_TOO_LARGE] = {413, "payload_too_large", "The request body is too large."},
    [-SHOP_ERR_URI_TOO_LONG] = {414, "uri_too_long", "The request address is too long."},
    [-SHOP_ERR_MEDIA_TYPE] = {415, "unsupported_media_type", "The body must be application/json."},
    [-SHOP_ERR_UNPROCESSABLE] = {422, "unprocessable", "The request cannot be carried out."},
    [-SHOP_ERR_RATE_LIMITED] = {429, "rate_limited", "Too many requests; try again later."},
    [-SHOP_ERR_INTERNAL] = {500, "internal_error", "Something went wrong on our side."},
    [-SHOP_ERR_UNAVAILABLE] = {503, "service_unavailable", "The service is unavailable; try again shortly."},
    [-SHOP_ERR_NOMEM] = {500, "internal_error", "Something went wrong on our side."},
    [-SHOP_ERR_RETRY] = {503, "try_again", "The service is busy; try again."},
    /* Never rendered for a request that was answered; one that was not is a handler bug. */
    [-SHOP_ERR_REPLIED] = {500, "internal_error", "Something went wrong on our side."},
};

static const struct err_info *err_lookup(int err)
{
    if (err > 0 || err <= -SHOP_ERR_COUNT)
        return &err_table[-SHOP_ERR_INTERNAL];
    return &err_table[-err];
}

const char *shop_err_code(int err) { return err_lookup(err)->code; }
int shop_err_http_status(int err) { return err_lookup(err)->status; }
const char *shop_err_message(int err) { return err_lookup(err)->message; }

/*
 * test_session.c - the session cookie decides who the shopper is, and nothing else.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/session.h"
#include "lib/token.h"
#include "secrets.h"
#include "unit.h"

struct fake {
    FCGX_Request fcgi;
    struct arena arena;
    struct http_request req;
    char *env[4];
    char cookie[512];
};

static void fake_request(struct fake *f, const char *cookie)
{
    memset(f, 0, sizeof(*f));
    f->env[0] = "REQUEST_METHOD=GET";
    f->env[1] = "DOCUMENT_URI=/api/cart";
    if (cookie != NULL) {
        snprintf(f->cookie, sizeof(f->cookie), "HTTP_COOKIE=%s", cookie);
        f->env[2] = f->cookie;
    }
    f->fcgi.envp = f->env;
    arena_init(&f->arena, 4096);
    ck_assert_int_eq(http_request_init(&f->req, &f->fcgi, &f->arena), SHOP_OK);
}

static void fake_free(struct fake *f)
{
    http_request_finish(&f->req);
    arena_free(&f->arena);
}

/* Switches secrets and re-reads the cookie settings. */
static void use_session_secrets(const char *current, const char *previous)
{
    use_secrets(current, previous);
    ck_assert_int_eq(session_init(), SHOP_OK);
}

/* The "sid=…" pair of the Set-Cookie header the request got, or NULL. */
static const char *set_cookie(struct fake *f, char *pair, size_t cap)
{
    for (int i = 0; i < f->req.out_header_count; i++) {
        const char *line = f->req.out_headers[i];
        if (strncmp(line, "Set-Cookie: ", 12) == 0) {
            snprintf(pair, cap, "%.*s", (int)strcspn(line + 12, ";"), line + 12);
            return line;
        }
    }
    return NULL;
}

/* Starts a session; returns its cookie pair in pair and its id in id. */
static void new_session(char *pair, size_t cap, char id[SESSION_USER_ID_TEXT])
{
    struct fake f;
    struct session session;

    fake_request(&f, NULL);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert(session.is_new);
    ck_assert_ptr_nonnull(set_cookie(&f, pair, cap));
    memcpy(id, session.user_id, SESSION_USER_ID_TEXT);
    fake_free(&f);
}

START_TEST(test_session_new_cookie_has_safe_attributes)
{
    struct fake f;
    struct session session;
    char pair[256];
    const char *header;

    use_session_secrets(SECRET_A, NULL);
    fake_request(&f, NULL);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    header = set_cookie(&f, pair, sizeof(pair));
    ck_assert_ptr_nonnull(header);
    ck_assert_ptr_nonnull(strstr(header, "; HttpOnly"));
    ck_assert_ptr_nonnull(strstr(header, "; SameSite=Lax"));
    ck_assert_ptr_nonnull(strstr(header, "; Path=/"));
    ck_assert_ptr_null(strstr(header, "Secure"));
    ck_assert_uint_eq(strlen(session.user_id), 32);
    fake_free(&f);

    setenv("SHOP_COOKIE_SECURE", "true", 1);
    ck_assert_int_eq(session_init(), SHOP_OK);
    fake_request(&f, NULL);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert_ptr_nonnull(strstr(set_cookie(&f, pair, sizeof(pair)), "; Secure"));
    fake_free(&f);
    unsetenv("SHOP_COOKIE_SECURE");
    ck_assert_int_eq(session_init(), SHOP_OK);
}
END_TEST

START_TEST(test_session_valid_cookie_keeps_the_shopper_and_sets_nothing)
{
    struct fake f;
    struct session session;
    char pair[256], id[SESSION_USER_ID_TEXT], again[256];

    use_session_secrets(SECRET_A, NULL);
    new_session(pair, sizeof(pair), id);
    fake_request(&f, pair);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert(!session.is_new);
    ck_assert_str_eq(session.user_id, id);
    ck_assert_ptr_null(set_cookie(&f, again, sizeof(again)));
    fake_free(&f);
}
END_TEST

START_TEST(test_session_two_new_sessions_differ)
{
    char pair_a[256], pair_b[256], id_a[SESSION_USER_ID_TEXT], id_b[SESSION_USER_ID_TEXT];

    use_session_secrets(SECRET_A, NULL);
    new_session(pair_a, sizeof(pair_a), id_a);
    new_session(pair_b, sizeof(pair_b), id_b);
    ck_assert_str_ne(id_a, id_b);
}
END_TEST

START_TEST(test_session_tampered_cookie_starts_a_new_session)
{
    struct fake f;
    struct session session;
    char pair[256], id[SESSION_USER_ID_TEXT], fresh[256];
    size_t i;

    use_session_secrets(SECRET_A, NULL);
    new_session(pair, sizeof(pair), id);
    for (i = 4; i < strlen(pair); i++) {
        char tampered[256];
        strcpy(tampered, pair);
        tampered[i] = tampered[i] == 'x' ? 'y' : 'x';
        fake_request(&f, tampered);
        ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
        ck_assert(session.is_new);
        ck_assert_str_ne(session.user_id, id);
        ck_assert_ptr_nonnull(set_cookie(&f, fresh, sizeof(fresh)));
        fake_free(&f);
    }
    fake_request(&f, "sid=");
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert(session.is_new);
    fake_free(&f);
}
END_TEST

START_TEST(test_session_rotation_accepts_previous_and_resigns)
{
    struct fake f;
    struct session session;
    char pair[256], id[SESSION_USER_ID_TEXT], resigned[256];

    use_session_secrets(SECRET_A, NULL);
    new_session(pair, sizeof(pair), id);
    use_session_secrets(SECRET_B, SECRET_A);
    fake_request(&f, pair);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert(!session.is_new);
    ck_assert_str_eq(session.user_id, id);
    ck_assert_ptr_nonnull(set_cookie(&f, resigned, sizeof(resigned)));
    ck_assert_str_ne(resigned, pair);
    fake_free(&f);

    /* The re-signed cookie is valid under the new secret alone. */
    use_session_secrets(SECRET_B, NULL);
    fake_request(&f, resigned);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert_str_eq(session.user_id, id);
    fake_free(&f);

    /* The old cookie is not. */
    fake_request(&f, pair);
    ck_assert_int_eq(session_from_request(&f.req, &session), SHOP_OK);
    ck_assert(session.is_new);
    fake_free(&f);
}
END_TEST

UNIT_MAIN("session", test_session_new_cookie_has_safe_attributes,
          test_session_valid_cookie_keeps_the_shopper_and_sets_nothing, test_session_two_new_sessions_differ,
          test_session_tampered_cookie_starts_a_new_session, test_session_rotation_accepts_previous_and_resigns)

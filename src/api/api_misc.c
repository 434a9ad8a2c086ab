/*
 * api_misc.c - health, the API description, sessions, tokens, users,
 * organisations and the gazetteer over HTTP.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "domain/users.h"
#include "store/auth_store.h"
#include "store/db.h"
#include "util/embedded.h"
#include "util/uuid.h"
#include "version.h"

void api_health(http_req_t *r)
{
    dom_ctx_t *c = http_ctx(r);
    int ok = db_ping(c->db);

    http_json(r, ok ? 200 : 503, json_pack("{s:s, s:s, s:i}", "status", ok ? "ok" : "unavailable",
                                           "version", HOMEWARD_VERSION, "schema", db_schema_version(c->db)));
}

void api_openapi(http_req_t *r)
{
    const embedded_file_t *f = embedded_find("openapi.json");
    json_t *j = f ? json_loadb(f->data, f->len, 0, NULL) : NULL;

    if (!j) {
        http_problem(r, 500, NULL, "the API description is missing from this build");
        return;
    }
    http_json(r, 200, j);
}

void api_login(http_req_t *r)
{
    dom_err_t err = {0};
    char secret[AUTH_SECRET_MAX];
    json_t *out = user_login(http_ctx(r), http_body(r), secret, &err);

    if (!out) {
        http_dom_error(r, &err);
        return;
    }
    http_set_session_cookie(r, secret);
    sodium_memzero(secret, sizeof secret);
    http_json(r, 201, out);
}

void api_logout(http_req_t *r)
{
    if (!http_session_id(r)) {
        http_problem(r, 400, NULL, "this request was made with a token, not a session; revoke tokens instead");
        return;
    }
    if (user_logout(http_ctx(r), http_session_id(r)) != 0) {
        http_problem(r, 500, NULL, "the session could not be ended");
        return;
    }
    http_set_session_cookie(r, NULL);
    http_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

void api_whoami(http_req_t *r)
{
    dom_ctx_t *c = http_ctx(r);
    json_t *u = store_user_json(c->db, c->user_id);

    http_json(r, 200, json_pack("{s:o, s:s}", "user", u ? u : json_null(), "via",
                                http_session_id(r) ? "session" : "token"));
}

void api_tokens_list(http_req_t *r)
{
    dom_ctx_t *c = http_ctx(r);
    int all = strcmp(c->role, "admin") == 0 && http_query(r, "all") && strcmp(http_query(r, "all"), "true") == 0;

    http_json(r, 200, json_pack("{s:o, s:n}", "items", store_tokens_list(c->db, all ? 0 : c->user_id), "next"));
}

void api_tokens_create(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *out = token_create(http_ctx(r), http_ctx(r)->user_id, http_body(r), &err);

    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 201, out);
}

void api_tokens_revoke(http_req_t *r)
{
    dom_err_t err = {0};

    if (!hw_uuid_valid(http_param(r, 0))) {
        http_problem(r, 404, NULL, "no token with that id");
        return;
    }
    if (token_revoke(http_ctx(r), http_param(r, 0), &err) != 0)
        http_dom_error(r, &err);
    else
        http_json(r, 200, json_pack("{s:s, s:b}", "id", http_param(r, 0), "revoked", 1));
}

void api_users_list(http_req_t *r)
{
    http_json(r, 200, json_pack("{s:o, s:n}", "items", store_users_list(http_ctx(r)->db), "next"));
}

void api_users_create(http_req_t *r)
{
    dom_err_t err = {0};
    char password[AUTH_SECRET_MAX];
    json_t *out = user_create(http_ctx(r), http_body(r), password, &err);

    if (!out) {
        http_dom_error(r, &err);
        return;
    }
    if (password[0])
        json_object_set_new(out, "password", json_string(password));
    sodium_memzero(password, sizeof password);
    http_json(r, 201, out);
}

void api_orgs_list(http_req_t *r)
{
    http_json(r, 200, json_pack("{s:o, s:n}", "items", store_orgs_list(http_ctx(r)->db), "next"));
}

void api_orgs_create(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *out = org_create(http_ctx(r), http_body(r), &err);

    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 201, out);
}

void api_settlements_search(http_req_t *r)
{
    dom_err_t err = {0};
    const char *q = http_query(r, "q"), *lim = http_query(r, "limit");
    long limit = 20;
    json_t *out;

    if (!q) {
        http_problem(r, 400, "q", "q is required: part of a settlement name in any language");
        return;
    }
    if (lim) {
        char *end;
        limit = strtol(lim, &end, 10);
        if (*end || limit < 1 || limit > 200) {
            http_problem(r, 400, "limit", "limit must be a whole number from 1 to 200");
            return;
        }
    }
    out = settlement_search(http_ctx(r), q, (int)limit, &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

void api_settlements_get(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *out = settlement_get(http_ctx(r), http_param(r, 0), &err);

    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

/*
 * users.c - accounts, logins, sessions and tokens (see users.h).
 */
#include "users.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "domain/perm.h"
#include "sec/audit.h"
#include "store/auth_store.h"
#include "store/db.h"
#include "util/text.h"
#include "util/uuid.h"

#define SESSION_SECONDS (12 * 3600)
#define MAX_FAILED_PER_HOUR 100
#define FREE_FAILURES 5

static void audit(dom_ctx_t *c, long long user_id, const char *action, const char *kind, const char *uuid,
                  const char *fields)
{
    audit_entry_t e = {user_id, c->org_id, action, kind, uuid, fields, NULL, c->client};
    audit_add(c->db, &e);
}

/* A string member: NULL when absent; -1 with err when of the wrong kind. */
static int get_str(json_t *body, const char *k, const char **out, int required, size_t max, dom_err_t *err)
{
    json_t *j = json_object_get(body, k);

    *out = NULL;
    if (!j || json_is_null(j)) {
        if (required) {
            dom_fail(err, DOM_INVALID, k, "%s is required", k);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(j) || !text_valid(json_string_value(j), json_string_length(j), 0)) {
        dom_fail(err, DOM_INVALID, k, "%s must be text", k);
        return -1;
    }
    if (text_length(json_string_value(j)) > max || (required && json_string_length(j) == 0)) {
        dom_fail(err, DOM_INVALID, k, "%s must be 1 to %zu characters long", k, max);
        return -1;
    }
    *out = json_string_value(j);
    return 0;
}

static int username_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

json_t *user_create(dom_ctx_t *c, json_t *body, char *password_out, dom_err_t *err)
{
    const char *username, *display, *role, *org, *lang, *password, *why;
    auth_user_t u = {0};
    char now[32], gen[AUTH_SECRET_MAX] = "";
    long long id;
    json_t *out = NULL;
    int rc;

    password_out[0] = '\0';
    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
        return NULL;
    }
    if (get_str(body, "username", &username, 1, 64, err) || get_str(body, "display_name", &display, 0, 128, err) ||
        get_str(body, "role", &role, 1, 24, err) || get_str(body, "organisation", &org, 0, 64, err) ||
        get_str(body, "language", &lang, 0, 2, err) || get_str(body, "password", &password, 0, 256, err))
        return NULL;
    if (!username_ok(username)) {
        dom_fail(err, DOM_INVALID, "username", "username must be 2-64 letters, digits, '.', '_' or '-'");
        return NULL;
    }
    if (!perm_role_valid(role)) {
        dom_fail(err, DOM_INVALID, "role", "role must be one of: admin, registrar, tracing_officer, "
                                           "detention_officer, monitor, analyst, auditor");
        return NULL;
    }
    if (lang && strcmp(lang, "en") && strcmp(lang, "hy") && strcmp(lang, "ru") && strcmp(lang, "az")) {
        dom_fail(err, DOM_INVALID, "language", "language must be one of: en, hy, ru, az");
        return NULL;
    }
    if (password && !auth_password_acceptable(password, &why)) {
        dom_fail(err, DOM_INVALID, "password", "%s", why);
        return NULL;
    }
    if (!password) {
        auth_new_password(gen, sizeof gen);
        password = gen;
    }
    snprintf(u.username, sizeof u.username, "%s", username);
    snprintf(u.display_name, sizeof u.display_name, "%s", display ? display : username);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.language, sizeof u.language, "%s", lang ? lang : "en");
    if (auth_hash_password(password, u.pw_hash) != 0) {
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory hashing the password");
        return NULL;
    }
    db_now(now);
    if (db_begin(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return NULL;
    }
    u.org_id = org ? store_org_key(c->db, org) : c->org_id;
    if (!u.org_id)
        u.org_id = store_org_ensure(c->db, "Homeward", "other", now);
    if (org && !store_org_key(c->db, org)) {
        dom_fail(err, DOM_INVALID, "organisation", "no organisation with that id");
        goto done;
    }
    rc = store_user_insert(c->db, &u, now, &id);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        dom_fail(err, DOM_CONFLICT, "username", "username %s is taken", username);
        goto done;
    }
    if (rc != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the user could not be stored");
        goto done;
    }
    out = store_user_json(c->db, id);
    audit(c, c->user_id, "user.create", "user", json_string_value(json_object_get(out, "id")),
          "[\"username\",\"display_name\",\"role\",\"organisation\",\"language\",\"password\"]");
    if (db_commit(c->db) != SQLITE_OK) {
        json_decref(out);
        out = NULL;
        dom_fail(err, DOM_INTERNAL, NULL, "the user could not be stored");
        goto done;
    }
    if (gen[0])
        memcpy(password_out, gen, sizeof gen);
done:
    sodium_memzero(gen, sizeof gen);
    sodium_memzero(u.pw_hash, sizeof u.pw_hash);
    if (!out)
        db_rollback(c->db);
    return out;
}

static int find_user(dom_ctx_t *c, const char *username, auth_user_t *u, dom_err_t *err)
{
    if (store_user_by_name(c->db, username, u) != 0) {
        dom_fail(err, DOM_NOT_FOUND, "username", "no user called %.64s", username);
        return -1;
    }
    return 0;
}

int user_set_password(dom_ctx_t *c, const char *username, const char *password, dom_err_t *err)
{
    auth_user_t u;
    const char *why;
    char hash[AUTH_HASH_MAX], now[32];
    int rc;

    if (!auth_password_acceptable(password, &why)) {
        dom_fail(err, DOM_INVALID, "password", "%s", why);
        return -1;
    }
    if (auth_hash_password(password, hash) != 0) {
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory hashing the password");
        return -1;
    }
    db_now(now);
    if (db_begin(c->db) != SQLITE_OK || find_user(c, username, &u, err) != 0) {
        if (!err->status)
            dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        db_rollback(c->db);
        return -1;
    }
    rc = store_user_set_password(c->db, u.id, hash, now);
    audit(c, c->user_id, "user.password", "user", u.uuid, "[\"password\"]");
    if (rc != SQLITE_OK || db_commit(c->db) != SQLITE_OK) {
        db_rollback(c->db);
        dom_fail(err, DOM_INTERNAL, NULL, "the password could not be stored");
        return -1;
    }
    return 0;
}

int user_set_disabled(dom_ctx_t *c, const char *username, int disabled, dom_err_t *err)
{
    auth_user_t u;
    char now[32];
    int rc;

    db_now(now);
    if (db_begin(c->db) != SQLITE_OK || find_user(c, username, &u, err) != 0) {
        if (!err->status)
            dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        db_rollback(c->db);
        return -1;
    }
    rc = store_user_set_disabled(c->db, u.id, disabled, now);
    audit(c, c->user_id, disabled ? "user.disable" : "user.enable", "user", u.uuid, "[\"disabled\"]");
    if (rc != SQLITE_OK || db_commit(c->db) != SQLITE_OK) {
        db_rollback(c->db);
        dom_fail(err, DOM_INTERNAL, NULL, "the change could not be stored");
        return -1;
    }
    return 0;
}

json_t *user_login(dom_ctx_t *c, json_t *body, char *secret_out, dom_err_t *err)
{
    const char *username, *password;
    auth_user_t u;
    char now[32], since[32], expires[32], csrf[AUTH_SECRET_MAX], last[32];
    unsigned char hash[32];
    long long sid;
    int known, ok, failures;
    json_t *out;

    secret_out[0] = '\0';
    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "send {\"username\": ..., \"password\": ...}");
        return NULL;
    }
    if (get_str(body, "username", &username, 1, 64, err) || get_str(body, "password", &password, 1, 256, err))
        return NULL;
    db_now(now);
    db_time(since, -3600);
    failures = store_failed_logins(c->db, username, since, last);
    if (failures >= MAX_FAILED_PER_HOUR) {
        dom_fail(err, 429, NULL, "too many failed logins for this account in the last hour; try later");
        err->extra = json_pack("{s:i}", "retry_after", 3600);
        return NULL;
    }
    /* Growing delays: after FREE_FAILURES, each further try must wait one
     * second more since the last failure (at most 30). Counted per account
     * name whether or not it exists, so the answer reveals nothing. */
    if (failures >= FREE_FAILURES) {
        long wait = failures - FREE_FAILURES + 1;
        char allowed[32];
        if (wait > 30)
            wait = 30;
        db_time(allowed, -wait);
        if (strcmp(last, allowed) > 0) {
            dom_fail(err, 429, NULL, "too many failed logins for this account; wait %ld seconds", wait);
            err->extra = json_pack("{s:i}", "retry_after", (int)wait);
            return NULL;
        }
    }
    known = store_user_by_name(c->db, username, &u) == 0 && !u.disabled;
    if (known) {
        ok = auth_verify_password(u.pw_hash, password);
    } else {
        auth_dummy_verify(password);
        ok = 0;
    }
    sodium_memzero(u.pw_hash, sizeof u.pw_hash);
    if (db_begin(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return NULL;
    }
    store_login_attempt(c->db, username, ok, now, c->client);
    if (!ok) {
        audit(c, known ? u.id : 0, "login.failed", NULL, NULL, NULL);
        db_commit(c->db);
        dom_fail(err, 401, NULL, "wrong username or password");
        return NULL;
    }
    auth_new_secret("", secret_out);
    auth_new_secret("", csrf);
    auth_secret_hash(secret_out, hash);
    db_time(expires, SESSION_SECONDS);
    if (store_session_insert(c->db, hash, u.id, csrf, now, expires, c->client, &sid) != SQLITE_OK ||
        store_user_login_ok(c->db, u.id, now) != SQLITE_OK) {
        db_rollback(c->db);
        secret_out[0] = '\0';
        dom_fail(err, DOM_INTERNAL, NULL, "the session could not be stored");
        return NULL;
    }
    c->org_id = u.org_id;
    audit(c, u.id, "login", "user", u.uuid, NULL);
    out = json_pack("{s:o, s:s, s:s}", "user", store_user_json(c->db, u.id), "csrf_token", csrf,
                    "expires_at", expires);
    if (db_commit(c->db) != SQLITE_OK) {
        json_decref(out);
        secret_out[0] = '\0';
        dom_fail(err, DOM_INTERNAL, NULL, "the session could not be stored");
        return NULL;
    }
    return out;
}

int user_logout(dom_ctx_t *c, long long session_id)
{
    int rc;

    if (db_begin(c->db) != SQLITE_OK)
        return -1;
    rc = store_session_delete(c->db, session_id);
    audit(c, c->user_id, "logout", NULL, NULL, NULL);
    if (rc != SQLITE_OK || db_commit(c->db) != SQLITE_OK) {
        db_rollback(c->db);
        return -1;
    }
    return 0;
}

json_t *token_create(dom_ctx_t *c, long long user_id, json_t *body, dom_err_t *err)
{
    const char *name;
    json_t *days = json_object_get(body, "expires_days"), *out = NULL;
    char secret[AUTH_SECRET_MAX], uuid[UUID_STR], now[32], expires[32];
    unsigned char hash[32];

    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "send {\"name\": ..., \"expires_days\": N}");
        return NULL;
    }
    if (get_str(body, "name", &name, 1, 100, err))
        return NULL;
    if (days && !json_is_null(days) &&
        (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 3650)) {
        dom_fail(err, DOM_INVALID, "expires_days", "expires_days must be a whole number from 1 to 3650");
        return NULL;
    }
    db_now(now);
    if (json_is_integer(days))
        db_time(expires, (long)json_integer_value(days) * 86400);
    auth_new_secret("hwt_", secret);
    auth_secret_hash(secret, hash);
    hw_uuid_new(uuid);
    if (db_begin(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        goto done;
    }
    if (store_token_insert(c->db, uuid, user_id, name, hash, now, json_is_integer(days) ? expires : NULL) !=
        SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the token could not be stored");
        db_rollback(c->db);
        goto done;
    }
    audit(c, c->user_id, "token.create", "token", uuid, NULL);
    if (db_commit(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the token could not be stored");
        db_rollback(c->db);
        goto done;
    }
    out = json_pack("{s:s, s:s, s:s, s:s, s:s?}", "id", uuid, "name", name, "token", secret, "created_at", now,
                    "expires_at", json_is_integer(days) ? expires : NULL);
done:
    sodium_memzero(secret, sizeof secret);
    return out;
}

int token_revoke(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    char now[32];
    int n;

    db_now(now);
    if (db_begin(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return -1;
    }
    n = store_token_revoke(c->db, uuid, c->role && strcmp(c->role, "admin") == 0 ? 0 : c->user_id, now);
    if (n <= 0) {
        db_rollback(c->db);
        dom_fail(err, n == 0 ? DOM_NOT_FOUND : DOM_INTERNAL, NULL, "no live token of yours with that id");
        return -1;
    }
    audit(c, c->user_id, "token.revoke", "token", uuid, NULL);
    if (db_commit(c->db) != SQLITE_OK) {
        db_rollback(c->db);
        dom_fail(err, DOM_INTERNAL, NULL, "the change could not be stored");
        return -1;
    }
    return 0;
}

json_t *org_create(dom_ctx_t *c, json_t *body, dom_err_t *err)
{
    static const char *const kinds[] = {"ngo", "un_agency", "red_cross", "monitoring_mission", "party",
                                        "government", "other", NULL};
    const char *name, *kind;
    char now[32];
    long long id;
    int ok = 0;
    json_t *list, *o, *out = NULL;
    size_t i;

    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "send {\"name\": ..., \"kind\": ...}");
        return NULL;
    }
    if (get_str(body, "name", &name, 1, 200, err) || get_str(body, "kind", &kind, 1, 24, err))
        return NULL;
    for (i = 0; kinds[i]; i++)
        ok |= strcmp(kinds[i], kind) == 0;
    if (!ok) {
        dom_fail(err, DOM_INVALID, "kind", "kind must be one of: ngo, un_agency, red_cross, monitoring_mission, "
                                           "party, government, other");
        return NULL;
    }
    db_now(now);
    if (db_begin(c->db) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return NULL;
    }
    if (store_org_by_name(c->db, name)) {
        db_rollback(c->db);
        dom_fail(err, DOM_CONFLICT, "name", "an organisation with that name exists");
        return NULL;
    }
    id = store_org_ensure(c->db, name, kind, now);
    list = store_orgs_list(c->db);
    json_array_foreach(list, i, o)
        if (strcmp(json_string_value(json_object_get(o, "name")), name) == 0)
            out = json_incref(o);
    json_decref(list);
    audit(c, c->user_id, "organisation.create", "organisation",
          out ? json_string_value(json_object_get(out, "id")) : NULL, "[\"name\",\"kind\"]");
    if (!id || !out || db_commit(c->db) != SQLITE_OK) {
        json_decref(out);
        db_rollback(c->db);
        dom_fail(err, DOM_INTERNAL, NULL, "the organisation could not be stored");
        return NULL;
    }
    return out;
}

/*
 * auth_store.c - users, organisations, sessions, tokens (see auth_store.h).
 */
#include "auth_store.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "util/uuid.h"

#define USER_COLS "u.id, u.organisation_id, u.uuid, u.username, u.display_name, u.role, u.language," \
                  " u.disabled, u.password_hash"

static void copy(char *dst, size_t n, sqlite3_stmt *st, int c)
{
    const unsigned char *s = sqlite3_column_text(st, c);
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

static void read_user(sqlite3_stmt *st, auth_user_t *u)
{
    u->id = sqlite3_column_int64(st, 0);
    u->org_id = sqlite3_column_int64(st, 1);
    copy(u->uuid, sizeof u->uuid, st, 2);
    copy(u->username, sizeof u->username, st, 3);
    copy(u->display_name, sizeof u->display_name, st, 4);
    copy(u->role, sizeof u->role, st, 5);
    copy(u->language, sizeof u->language, st, 6);
    u->disabled = sqlite3_column_int(st, 7);
    copy(u->pw_hash, sizeof u->pw_hash, st, 8);
}

int store_user_by_name(sqlite3 *db, const char *username, auth_user_t *u)
{
    sqlite3_stmt *st = db_cached(db, "SELECT " USER_COLS " FROM users u WHERE u.username = ?");
    int found = -1;

    if (!st)
        return -1;
    db_bind_text(st, 1, username);
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_user(st, u);
        found = 0;
    }
    db_done(st);
    return found;
}

int store_user_insert(sqlite3 *db, const auth_user_t *u, const char *now, long long *id)
{
    sqlite3_stmt *st = db_prepare(db,
        "INSERT INTO users (uuid, organisation_id, username, display_name, role, language, disabled,"
        " password_hash, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)");
    char uuid[UUID_STR];
    int rc;

    if (!st)
        return SQLITE_ERROR;
    hw_uuid_new(uuid);
    db_bind_text(st, 1, uuid);
    sqlite3_bind_int64(st, 2, u->org_id);
    db_bind_text(st, 3, u->username);
    db_bind_text(st, 4, u->display_name);
    db_bind_text(st, 5, u->role);
    db_bind_text(st, 6, u->language[0] ? u->language : "en");
    db_bind_text(st, 7, u->pw_hash);
    db_bind_text(st, 8, now);
    db_bind_text(st, 9, now);
    rc = sqlite3_step(st);
    *id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int exec_id(sqlite3 *db, const char *sql, long long id, const char *text)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    int rc;

    if (!st)
        return SQLITE_ERROR;
    if (text) {
        db_bind_text(st, 1, text);
        sqlite3_bind_int64(st, 2, id);
    } else {
        sqlite3_bind_int64(st, 1, id);
    }
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_user_set_password(sqlite3 *db, long long id, const char *hash, const char *now)
{
    sqlite3_stmt *st;
    int rc;

    db_unprotect_users();
    st = db_prepare(db, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?");
    db_protect_users();
    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, hash);
    db_bind_text(st, 2, now);
    sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc;
    return exec_id(db, "DELETE FROM sessions WHERE user_id = ?", id, NULL);
}

int store_user_set_disabled(sqlite3 *db, long long id, int disabled, const char *now)
{
    int rc;

    db_unprotect_users();
    rc = exec_id(db, disabled ? "UPDATE users SET disabled = 1 WHERE id = ?"
                              : "UPDATE users SET disabled = 0 WHERE id = ?", id, NULL);
    db_protect_users();
    if (rc != SQLITE_OK || !disabled)
        return rc;
    rc = exec_id(db, "DELETE FROM sessions WHERE user_id = ?", id, NULL);
    if (rc != SQLITE_OK)
        return rc;
    return exec_id(db, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", id, now);
}

static json_t *user_row(sqlite3_stmt *st)
{
    const unsigned char *last = sqlite3_column_text(st, 8);

    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s?, s:s, s:s?}",
                     "id", (const char *)sqlite3_column_text(st, 0),
                     "username", (const char *)sqlite3_column_text(st, 1),
                     "display_name", (const char *)sqlite3_column_text(st, 2),
                     "role", (const char *)sqlite3_column_text(st, 3),
                     "language", (const char *)sqlite3_column_text(st, 4),
                     "disabled", sqlite3_column_int(st, 5),
                     "organisation", (const char *)sqlite3_column_text(st, 6),
                     "created_at", (const char *)sqlite3_column_text(st, 7),
                     "last_login_at", (const char *)last);
}

#define USER_JSON_SQL "SELECT u.uuid, u.username, u.display_name, u.role, u.language, u.disabled," \
                      " o.name, u.created_at, u.last_login_at FROM users u" \
                      " LEFT JOIN organisations o ON o.id = u.organisation_id"

json_t *store_users_list(sqlite3 *db)
{
    sqlite3_stmt *st = db_prepare(db, USER_JSON_SQL " ORDER BY u.username");
    json_t *a = json_array();

    if (!st)
        return a;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, user_row(st));
    sqlite3_finalize(st);
    return a;
}

json_t *store_user_json(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = db_prepare(db, USER_JSON_SQL " WHERE u.id = ?");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = user_row(st);
    sqlite3_finalize(st);
    return o;
}

int store_user_login_ok(sqlite3 *db, long long id, const char *now)
{
    int rc;

    db_unprotect_users();
    rc = exec_id(db, "UPDATE users SET last_login_at = ? WHERE id = ?", id, now);
    db_protect_users();
    return rc;
}

long long store_org_ensure(sqlite3 *db, const char *name, const char *kind, const char *now)
{
    long long id = store_org_by_name(db, name);
    sqlite3_stmt *st;
    char uuid[UUID_STR];

    if (id)
        return id;
    st = db_prepare(db, "INSERT INTO organisations (uuid, name, kind, created_at) VALUES (?, ?, ?, ?)");
    if (!st)
        return 0;
    hw_uuid_new(uuid);
    db_bind_text(st, 1, uuid);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, now);
    if (sqlite3_step(st) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return id;
}

json_t *store_orgs_list(sqlite3 *db)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT uuid, name, kind, created_at FROM organisations ORDER BY name");
    json_t *a = json_array();

    if (!st)
        return a;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}",
                                           "id", (const char *)sqlite3_column_text(st, 0),
                                           "name", (const char *)sqlite3_column_text(st, 1),
                                           "kind", (const char *)sqlite3_column_text(st, 2),
                                           "created_at", (const char *)sqlite3_column_text(st, 3)));
    sqlite3_finalize(st);
    return a;
}

long long store_first_org(sqlite3 *db)
{
    return db_int(db, "SELECT min(id) FROM organisations", NULL, 0);
}

long long store_org_by_name(sqlite3 *db, const char *name)
{
    return db_int(db, "SELECT id FROM organisations WHERE name = ?", name, 0);
}

long long store_org_key(sqlite3 *db, const char *uuid)
{
    return db_int(db, "SELECT id FROM organisations WHERE uuid = ?", uuid, 0);
}

int store_session_insert(sqlite3 *db, const unsigned char hash[32], long long user_id, const char *csrf,
                         const char *now, const char *expires, const char *client, long long *sid)
{
    sqlite3_stmt *st = db_prepare(db,
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, client)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, csrf);
    db_bind_text(st, 4, now);
    db_bind_text(st, 5, now);
    db_bind_text(st, 6, expires);
    db_bind_text(st, 7, client);
    rc = sqlite3_step(st);
    *sid = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_session_lookup(sqlite3 *db, const unsigned char hash[32], const char *now, auth_user_t *u,
                         long long *sid, char *csrf, char *last_seen)
{
    sqlite3_stmt *st = db_cached(db,
        "SELECT " USER_COLS ", s.id, s.csrf_token, s.last_seen_at FROM sessions s"
        " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0");
    int found = -1;

    if (!st)
        return -1;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    db_bind_text(st, 2, now);
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_user(st, u);
        *sid = sqlite3_column_int64(st, 9);
        copy(csrf, 64, st, 10);
        copy(last_seen, 32, st, 11);
        found = 0;
    }
    db_done(st);
    return found;
}

int store_session_touch(sqlite3 *db, long long sid, const char *now)
{
    return exec_id(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", sid, now);
}

int store_session_delete(sqlite3 *db, long long sid)
{
    return exec_id(db, "DELETE FROM sessions WHERE id = ?", sid, NULL);
}

int store_token_insert(sqlite3 *db, const char *uuid, long long user_id, const char *name,
                       const unsigned char hash[32], const char *now, const char *expires)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO api_tokens (uuid, user_id, name, token_hash, created_at,"
                                      " expires_at) VALUES (?, ?, ?, ?, ?, ?)");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, uuid);
    sqlite3_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, name);
    sqlite3_bind_blob(st, 4, hash, 32, SQLITE_TRANSIENT);
    db_bind_text(st, 5, now);
    db_bind_text(st, 6, expires);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_token_lookup(sqlite3 *db, const unsigned char hash[32], const char *now, auth_user_t *u,
                       long long *tid, char *last_used, char *expires)
{
    sqlite3_stmt *st = db_cached(db,
        "SELECT " USER_COLS ", t.id, t.last_used_at, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)"
        " AND u.disabled = 0");
    int found = -1;

    if (!st)
        return -1;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_TRANSIENT);
    db_bind_text(st, 2, now);
    if (sqlite3_step(st) == SQLITE_ROW) {
        read_user(st, u);
        *tid = sqlite3_column_int64(st, 9);
        copy(last_used, 32, st, 10);
        copy(expires, 32, st, 11);
        found = 0;
    }
    db_done(st);
    return found;
}

int store_token_touch(sqlite3 *db, long long tid, const char *now)
{
    return exec_id(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", tid, now);
}

int store_token_revoke(sqlite3 *db, const char *uuid, long long user_id, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE api_tokens SET revoked_at = ? WHERE uuid = ?"
                                      " AND revoked_at IS NULL AND (? = 0 OR user_id = ?)");
    int rc, n;

    if (!st)
        return -1;
    db_bind_text(st, 1, now);
    db_bind_text(st, 2, uuid);
    sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, user_id);
    rc = sqlite3_step(st);
    n = sqlite3_changes(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? (n > 0) : -1;
}

json_t *store_tokens_list(sqlite3 *db, long long user_id)
{
    sqlite3_stmt *st = db_prepare(db,
        "SELECT t.uuid, t.name, u.username, t.created_at, t.expires_at, t.revoked_at, t.last_used_at"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE (? = 0 OR t.user_id = ?) ORDER BY t.id");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, user_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}",
                                           "id", (const char *)sqlite3_column_text(st, 0),
                                           "name", (const char *)sqlite3_column_text(st, 1),
                                           "user", (const char *)sqlite3_column_text(st, 2),
                                           "created_at", (const char *)sqlite3_column_text(st, 3),
                                           "expires_at", (const char *)sqlite3_column_text(st, 4),
                                           "revoked_at", (const char *)sqlite3_column_text(st, 5),
                                           "last_used_at", (const char *)sqlite3_column_text(st, 6)));
    sqlite3_finalize(st);
    return a;
}

int store_login_attempt(sqlite3 *db, const char *username, int ok, const char *now, const char *client)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO login_attempts (username, at, ok, client) VALUES (?, ?, ?, ?)");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, username);
    db_bind_text(st, 2, now);
    sqlite3_bind_int(st, 3, ok);
    db_bind_text(st, 4, client);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_failed_logins(sqlite3 *db, const char *username, const char *since, char *last)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT count(*), max(at) FROM login_attempts"
                                      " WHERE username = ? AND at > ? AND ok = 0");
    int n = 0;

    last[0] = '\0';
    if (!st)
        return 0;
    db_bind_text(st, 1, username);
    db_bind_text(st, 2, since);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int(st, 0);
        copy(last, 32, st, 1);
    }
    sqlite3_finalize(st);
    return n;
}

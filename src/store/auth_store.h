/*
 * auth_store.h - the SQL behind users, organisations, sessions, API tokens
 * and login attempts.
 */
#ifndef HW_AUTH_STORE_H
#define HW_AUTH_STORE_H

#include <jansson.h>
#include <sqlite3.h>

typedef struct auth_user {
    long long id;                /* key */
    long long org_id;            /* organisation key */
    char      uuid[40];          /* public id */
    char      username[72];
    char      display_name[136];
    char      role[24];
    char      language[4];
    int       disabled;          /* 1: may not log in */
    char      pw_hash[128];      /* Argon2id string */
} auth_user_t;

/* 0 when found (case-insensitive name), -1 when not. */
int store_user_by_name(sqlite3 *db, const char *username, auth_user_t *u);
/* Insert; assigns uuid. *id gets the key. Returns an SQLite code
 * (SQLITE_CONSTRAINT_UNIQUE when the name is taken). */
int store_user_insert(sqlite3 *db, const auth_user_t *u, const char *now, long long *id);
/* New password: also ends every session of the user. */
int store_user_set_password(sqlite3 *db, long long id, const char *hash, const char *now);
/* Disable or enable: disabling ends sessions and revokes tokens. */
int store_user_set_disabled(sqlite3 *db, long long id, int disabled, const char *now);
/* Every user as JSON (no hashes). */
json_t *store_users_list(sqlite3 *db);
json_t *store_user_json(sqlite3 *db, long long id);
int store_user_login_ok(sqlite3 *db, long long id, const char *now);

/* The organisation called name, created with kind when missing; its key. */
long long store_org_ensure(sqlite3 *db, const char *name, const char *kind, const char *now);
json_t *store_orgs_list(sqlite3 *db);
/* The key of the oldest organisation, or 0. */
long long store_first_org(sqlite3 *db);
/* The key of the organisation called name, or 0. */
long long store_org_by_name(sqlite3 *db, const char *name);
/* The key of the organisation with this uuid, or 0. */
long long store_org_key(sqlite3 *db, const char *uuid);

/* Sessions. expires is the absolute end; idle ends are checked by callers. */
int store_session_insert(sqlite3 *db, const unsigned char hash[32], long long user_id, const char *csrf,
                         const char *now, const char *expires, const char *client, long long *sid);
/* The live session with this token hash: 0 and the user, or -1. */
int store_session_lookup(sqlite3 *db, const unsigned char hash[32], const char *now, auth_user_t *u,
                         long long *sid, char *csrf, char *last_seen);
int store_session_touch(sqlite3 *db, long long sid, const char *now);
int store_session_delete(sqlite3 *db, long long sid);

/* API tokens. */
int store_token_insert(sqlite3 *db, const char *uuid, long long user_id, const char *name,
                       const unsigned char hash[32], const char *now, const char *expires);
/* The live token with this hash: 0 and *u, *tid, last_used and expires
 * (32 bytes each; "" when never used, never expiring) filled; -1 when none. */
int store_token_lookup(sqlite3 *db, const unsigned char hash[32], const char *now, auth_user_t *u,
                       long long *tid, char *last_used, char *expires);
int store_token_touch(sqlite3 *db, long long tid, const char *now);
/* Revoke the token uuid of user_id (any user's when user_id is 0).
 * Returns 1 when a token was revoked, 0 when none, -1 on error. */
int store_token_revoke(sqlite3 *db, const char *uuid, long long user_id, const char *now);
/* A user's tokens (never the secrets); every token when user_id is 0. */
json_t *store_tokens_list(sqlite3 *db, long long user_id);

/* Login attempts, for throttling. */
int store_login_attempt(sqlite3 *db, const char *username, int ok, const char *now, const char *client);
/* Failed attempts for username since the time given; last (32 bytes) gets
 * the time of the latest, or "". */
int store_failed_logins(sqlite3 *db, const char *username, const char *since, char *last);

#endif

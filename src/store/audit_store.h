/*
 * audit_store.h - the SQL of the audit log and its signed checkpoints.
 * The log is append-only: the connection's authorizer refuses UPDATE and
 * DELETE on it (store/db.c).
 */
#ifndef HW_AUDIT_STORE_H
#define HW_AUDIT_STORE_H

#include <jansson.h>
#include <sqlite3.h>

/* One entry as stored. Strings point into SQLite's row (valid during a
 * callback only) or at the caller's memory (for inserts). */
typedef struct audit_row {
    long long     id;
    const char   *at;
    long long     user_id;  /* 0 for none */
    long long     org_id;   /* 0 for none */
    const char   *action, *kind, *uuid, *fields, *purpose, *client;
    unsigned char prev[32]; /* the previous entry's hash */
    unsigned char hash[32]; /* this entry's hash */
    int           hash_ok;  /* 1 when both hashes were 32 bytes */
} audit_row_t;

/* The last entry's hash (zeros when empty) and the entry count. */
int store_audit_head(sqlite3 *db, unsigned char *hash, long long *count);
int store_audit_insert(sqlite3 *db, const audit_row_t *r);
/* Call fn on every entry in id order; stops when fn returns non-zero and
 * returns that value. */
int store_audit_each(sqlite3 *db, int (*fn)(void *cls, const audit_row_t *r), void *cls);
/* The newest entries (id below before, 0 for none) as JSON. */
json_t *store_audit_list(sqlite3 *db, long long before, int limit, long long *last_id);

typedef struct audit_checkpoint {
    long long     id;
    char          at[32];
    long long     size;          /* entries covered */
    unsigned char head[32];      /* hash of entry number size */
    unsigned char signature[64]; /* Ed25519 over the checkpoint text */
} audit_checkpoint_t;

int store_checkpoint_insert(sqlite3 *db, const audit_checkpoint_t *c);
/* The latest checkpoint: 0, or -1 when there is none. */
int store_checkpoint_latest(sqlite3 *db, audit_checkpoint_t *c);
long long store_checkpoint_count(sqlite3 *db);
int store_checkpoint_each(sqlite3 *db, int (*fn)(void *cls, const audit_checkpoint_t *c), void *cls);

#endif

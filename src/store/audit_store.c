/*
 * audit_store.c - audit log SQL (see audit_store.h).
 */
#include "audit_store.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"

int store_audit_head(sqlite3 *db, unsigned char *hash, long long *count)
{
    /* The log is append-only with an integer key, so the last key is the
     * count (audit verify counts for real); a count(*) here would read the
     * whole table on every write. */
    sqlite3_stmt *st = db_cached(db, "SELECT hash, id FROM audit ORDER BY id DESC LIMIT 1");

    memset(hash, 0, 32);
    *count = 0;
    if (!st)
        return SQLITE_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) == 32)
            memcpy(hash, sqlite3_column_blob(st, 0), 32);
        *count = sqlite3_column_int64(st, 1);
    }
    db_done(st);
    return SQLITE_OK;
}

int store_audit_insert(sqlite3 *db, const audit_row_t *r)
{
    sqlite3_stmt *st = db_cached(db, "INSERT INTO audit (at, user_id, organisation_id, action, record_kind,"
                                      " record_uuid, fields, purpose, client, prev_hash, hash)"
                                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, r->at);
    if (r->user_id)
        sqlite3_bind_int64(st, 2, r->user_id);
    if (r->org_id)
        sqlite3_bind_int64(st, 3, r->org_id);
    db_bind_text(st, 4, r->action);
    db_bind_text(st, 5, r->kind);
    db_bind_text(st, 6, r->uuid);
    db_bind_text(st, 7, r->fields);
    db_bind_text(st, 8, r->purpose);
    db_bind_text(st, 9, r->client);
    sqlite3_bind_blob(st, 10, r->prev, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 11, r->hash, 32, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static const char *col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

#define AUDIT_COLS "id, at, user_id, organisation_id, action, record_kind, record_uuid, fields, purpose, client," \
                   " prev_hash, hash"

static void read_row(sqlite3_stmt *st, audit_row_t *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->at = col(st, 1);
    r->user_id = sqlite3_column_int64(st, 2);
    r->org_id = sqlite3_column_int64(st, 3);
    r->action = col(st, 4);
    r->kind = col(st, 5);
    r->uuid = col(st, 6);
    r->fields = col(st, 7);
    r->purpose = col(st, 8);
    r->client = col(st, 9);
    r->hash_ok = sqlite3_column_bytes(st, 10) == 32 && sqlite3_column_bytes(st, 11) == 32;
    if (r->hash_ok) {
        memcpy(r->prev, sqlite3_column_blob(st, 10), 32);
        memcpy(r->hash, sqlite3_column_blob(st, 11), 32);
    }
}

int store_audit_each(sqlite3 *db, int (*fn)(void *cls, const audit_row_t *r), void *cls)
{
    sqlite3_stmt *st = db_cached(db, "SELECT " AUDIT_COLS " FROM audit ORDER BY id");
    int rc = 0;

    if (!st)
        return -1;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        audit_row_t r;
        read_row(st, &r);
        rc = fn(cls, &r);
    }
    db_done(st);
    return rc;
}

json_t *store_audit_list(sqlite3 *db, long long before, int limit, long long *last_id)
{
    sqlite3_stmt *st = db_cached(db, "SELECT a.id, a.at, u.username, o.name, a.action, a.record_kind, a.record_uuid,"
                                      " a.fields, a.purpose, a.client FROM audit a"
                                      " LEFT JOIN users u ON u.id = a.user_id"
                                      " LEFT JOIN organisations o ON o.id = a.organisation_id"
                                      " WHERE (? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?");
    json_t *out = json_array();

    *last_id = 0;
    if (!st)
        return out;
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int(st, 3, limit);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *fields = col(st, 7) ? json_loads(col(st, 7), 0, NULL) : NULL;
        *last_id = sqlite3_column_int64(st, 0);
        json_array_append_new(out, json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:o, s:s?, s:s?}",
                                             "seq", (json_int_t)*last_id, "at", col(st, 1), "user", col(st, 2),
                                             "organisation", col(st, 3), "action", col(st, 4), "record_kind",
                                             col(st, 5), "record_id", col(st, 6), "fields",
                                             fields ? fields : json_array(), "purpose", col(st, 8), "client",
                                             col(st, 9)));
    }
    db_done(st);
    return out;
}

int store_checkpoint_insert(sqlite3 *db, const audit_checkpoint_t *c)
{
    sqlite3_stmt *st = db_cached(db, "INSERT INTO audit_checkpoints (at, size, head_hash, signature)"
                                      " VALUES (?, ?, ?, ?)");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, c->at);
    sqlite3_bind_int64(st, 2, c->size);
    sqlite3_bind_blob(st, 3, c->head, 32, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 4, c->signature, 64, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int read_checkpoint(sqlite3_stmt *st, audit_checkpoint_t *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    snprintf(c->at, sizeof c->at, "%s", col(st, 1) ? col(st, 1) : "");
    c->size = sqlite3_column_int64(st, 2);
    if (sqlite3_column_bytes(st, 3) != 32 || sqlite3_column_bytes(st, 4) != 64)
        return -1;
    memcpy(c->head, sqlite3_column_blob(st, 3), 32);
    memcpy(c->signature, sqlite3_column_blob(st, 4), 64);
    return 0;
}

int store_checkpoint_latest(sqlite3 *db, audit_checkpoint_t *c)
{
    sqlite3_stmt *st = db_cached(db, "SELECT id, at, size, head_hash, signature FROM audit_checkpoints"
                                      " ORDER BY id DESC LIMIT 1");
    int rc = -1;

    if (!st)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = read_checkpoint(st, c) == 0 ? 0 : -1;
    db_done(st);
    return rc;
}

long long store_checkpoint_count(sqlite3 *db)
{
    return db_int(db, "SELECT count(*) FROM audit_checkpoints", NULL, 0);
}

int store_checkpoint_each(sqlite3 *db, int (*fn)(void *cls, const audit_checkpoint_t *c), void *cls)
{
    sqlite3_stmt *st = db_cached(db, "SELECT id, at, size, head_hash, signature FROM audit_checkpoints ORDER BY id");
    int rc = 0;

    if (!st)
        return -1;
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        audit_checkpoint_t c;
        if (read_checkpoint(st, &c) != 0)
            memset(c.signature, 0, sizeof c.signature); /* fails verification */
        rc = fn(cls, &c);
    }
    db_done(st);
    return rc;
}

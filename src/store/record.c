/*
 * record.c - descriptor-driven reads and writes of registry records
 * (see record.h). Table and column names come only from the descriptors.
 */
#include "record.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sec/crypt.h"
#include "store/db.h"
#include "store/keymap.h"
#include "util/buf.h"
#include "util/hwnum.h"
#include "util/jsonout.h"
#include "util/log.h"
#include "util/uuid.h"

rec_val_t *rec_vals_new(const rec_entity_t *e)
{
    return calloc((size_t)e->nfields + 1, sizeof(rec_val_t));
}

void rec_vals_free(const rec_entity_t *e, rec_val_t *v)
{
    if (!v)
        return;
    for (int i = 0; i < e->nfields; i++)
        free(v[i].s);
    free(v);
}

void rec_val_set_text(rec_val_t *v, const char *s)
{
    free(v->s);
    v->set = 1;
    v->null = 0;
    v->s = strdup(s);
}

int rec_field_index(const rec_entity_t *e, const char *name)
{
    for (int i = 0; i < e->nfields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return i;
    return -1;
}

long long rec_key(sqlite3 *db, const char *table, const char *uuid)
{
    buf_t sql = BUF_INIT;
    long long id;

    buf_puts(&sql, "SELECT id FROM ");
    buf_puts(&sql, table);
    buf_puts(&sql, " WHERE uuid = ?");
    id = db_int(db, buf_str(&sql), uuid, 0);
    buf_free(&sql);
    return id;
}

long long rec_find(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    long long id = 0;

    buf_puts(&sql, "SELECT id FROM ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, (e->flags & RE_ORG) ? " WHERE uuid = ?1 AND (?2 < 0 OR restricted = 0 OR organisation_id IS ?2)"
                                       : " WHERE uuid = ?1 AND ?2 = ?2");
    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, viewer_org);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    db_done(st);
    return id;
}

int rec_visible(sqlite3 *db, const rec_entity_t *e, long long id, long long viewer_org)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int ok = 0;

    if (!(e->flags & RE_ORG) || viewer_org < 0)
        return 1;
    buf_puts(&sql, "SELECT restricted = 0 OR organisation_id IS ? FROM ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, " WHERE id = ?");
    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, viewer_org);
    sqlite3_bind_int64(st, 2, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        ok = sqlite3_column_int(st, 0);
    db_done(st);
    return ok;
}

char *rec_uuid(sqlite3 *db, const char *table, long long id)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    char *uuid = NULL;

    buf_puts(&sql, "SELECT uuid FROM ");
    buf_puts(&sql, table);
    buf_puts(&sql, " WHERE id = ?");
    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        uuid = strdup((const char *)sqlite3_column_text(st, 0));
    db_done(st);
    return uuid;
}

int rec_settlement_exists(sqlite3 *db, const char *id)
{
    return db_int(db, "SELECT 1 FROM settlements WHERE id = ?", id, 0) == 1;
}

/* ---- names that never change ----
 * Every record names the users who made and last changed it and its
 * organisation. Those names are fixed (migration 0004 makes the database
 * refuse a changed username or organisation uuid, or a deleted user or
 * organisation), so they are remembered by id for the life of the process
 * instead of being joined into every read. Only committed rows are
 * remembered: a user added in a write transaction may yet be rolled back. */
#define FIXED_IDS 4096 /* ids beyond this are looked up each time */

static struct fixed_names {
    const char     *sql;
    pthread_mutex_t lock;
    char           *name[FIXED_IDS];
} fixed_users = {"SELECT username FROM users WHERE id = ?", PTHREAD_MUTEX_INITIALIZER, {0}},
  fixed_orgs = {"SELECT uuid FROM organisations WHERE id = ?", PTHREAD_MUTEX_INITIALIZER, {0}};

/* src into buf (n bytes, cut short if it must): buf. */
static char *copy_name(char *buf, size_t n, const char *src)
{
    size_t len = strlen(src);

    if (len >= n)
        len = n - 1;
    memcpy(buf, src, len);
    buf[len] = '\0';
    return buf;
}

/* The name of id (column c of st, NULL when the column is) into buf (n
 * bytes), or NULL when there is none. */
static const char *fixed_name(sqlite3 *db, struct fixed_names *f, sqlite3_stmt *row, int c, char *buf, size_t n)
{
    long long id;
    const char *name = NULL;
    sqlite3_stmt *st;

    if (sqlite3_column_type(row, c) == SQLITE_NULL)
        return NULL;
    id = sqlite3_column_int64(row, c);
    if (id > 0 && id < FIXED_IDS) {
        pthread_mutex_lock(&f->lock);
        if (f->name[id])
            name = copy_name(buf, n, f->name[id]);
        pthread_mutex_unlock(&f->lock);
        if (name)
            return name;
    }
    st = db_cached_static(db, f->sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        name = copy_name(buf, n, (const char *)sqlite3_column_text(st, 0));
    }
    db_done(st);
    if (name && id > 0 && id < FIXED_IDS && sqlite3_txn_state(db, "main") != SQLITE_TXN_WRITE) {
        pthread_mutex_lock(&f->lock);
        if (!f->name[id])
            f->name[id] = strdup(name); /* kept for the life of the process */
        pthread_mutex_unlock(&f->lock);
    }
    return name;
}

/* Columns every record has, before its own fields, in this order. */
enum { C_ID, C_UUID, C_VERSION, C_CREATED_AT, C_CREATED_BY, C_UPDATED_AT, C_UPDATED_BY,
       C_NUMBER, C_ORG, C_RESTRICTED, C_FIELDS };

/* The SELECT of one record of e: by key (?1), by uuid (?1) when a reader
 * of organisation ?2 may see it, or by key (?1) when it holds uuid ?3 and
 * that reader may see it (a keymap hint). Built once per entity and kept
 * for the life of the process: reads are the hot path. */
enum { READ_BY_KEY, READ_BY_UUID, READ_BY_HINT };
#define READ_SQL_SLOTS 64
static struct {
    const rec_entity_t *e;
    int                 by;
    char               *sql;
} read_sqls[READ_SQL_SLOTS];
static pthread_mutex_t read_sqls_lock = PTHREAD_MUTEX_INITIALIZER;

static char *build_read_sql(const rec_entity_t *e, int by)
{
    buf_t sql = BUF_INIT;
    char alias[16];

    /* Records behind keys come by LEFT JOIN (rowid lookups) rather than one
     * correlated subquery each, which cost SQLite a subprogram per column;
     * users and the organisation come as ids, named by fixed_name(). */
    buf_puts(&sql, "SELECT t.id, t.uuid, t.version, t.created_at, t.created_by, t.updated_at, t.updated_by, ");
    buf_puts(&sql, e->flags & RE_NUMBER ? "t.number, " : "NULL, ");
    buf_puts(&sql, e->flags & RE_ORG ? "t.organisation_id, 0" : "NULL, 0");
    for (int i = 0; i < e->nfields; i++) {
        const rec_field_t *f = &e->fields[i];

        buf_puts(&sql, ", ");
        if (f->type == RT_REF) {
            snprintf(alias, sizeof alias, "r%d", i);
            buf_puts(&sql, alias);
            buf_puts(&sql, ".uuid");
        } else {
            buf_puts(&sql, "t.");
            buf_puts(&sql, f->column);
        }
    }
    buf_puts(&sql, " FROM ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, " t");
    for (int i = 0; i < e->nfields; i++) {
        const rec_field_t *f = &e->fields[i];

        if (f->type != RT_REF)
            continue;
        snprintf(alias, sizeof alias, "r%d", i);
        buf_puts(&sql, " LEFT JOIN ");
        buf_puts(&sql, f->ref_table);
        buf_puts(&sql, " ");
        buf_puts(&sql, alias);
        buf_puts(&sql, " ON ");
        buf_puts(&sql, alias);
        buf_puts(&sql, ".id = t.");
        buf_puts(&sql, f->column);
    }
    if (by == READ_BY_KEY)
        buf_puts(&sql, " WHERE t.id = ?1");
    else
        buf_puts(&sql, by == READ_BY_UUID ? " WHERE t.uuid = ?1" : " WHERE t.id = ?1 AND t.uuid = ?3");
    if (by != READ_BY_KEY)
        buf_puts(&sql, e->flags & RE_ORG ? " AND (?2 < 0 OR t.restricted = 0 OR t.organisation_id IS ?2)"
                                         : " AND ?2 = ?2");
    return buf_take(&sql);
}

static const char *read_sql(const rec_entity_t *e, int by)
{
    /* Each thread remembers the last texts it was given, so that reads do
     * not all take one lock (the texts live as long as the process). */
    static _Thread_local struct {
        const rec_entity_t *e;
        int                 by;
        const char         *sql;
    } mine[8];
    static _Thread_local unsigned next;
    const char *sql = NULL;

    for (int i = 0; i < 8; i++)
        if (mine[i].e == e && mine[i].by == by)
            return mine[i].sql;
    pthread_mutex_lock(&read_sqls_lock);
    for (int i = 0; i < READ_SQL_SLOTS && !sql; i++) {
        if (read_sqls[i].e == e && read_sqls[i].by == by) {
            sql = read_sqls[i].sql;
        } else if (!read_sqls[i].e) {
            read_sqls[i].sql = build_read_sql(e, by);
            if (read_sqls[i].sql) {
                read_sqls[i].e = e;
                read_sqls[i].by = by;
            }
            sql = read_sqls[i].sql;
            break;
        }
    }
    pthread_mutex_unlock(&read_sqls_lock);
    if (sql) {
        mine[next % 8].e = e;
        mine[next % 8].by = by;
        mine[next % 8].sql = sql;
        next++;
    }
    return sql;
}

/* The value of protected field f (column c of the row), opened, or NULL. */
static json_t *open_protected(sqlite3_stmt *st, const rec_entity_t *e, const rec_field_t *f, int c)
{
    char *plain;
    json_t *v;

    if (crypt_open((const char *)sqlite3_column_text(st, C_UUID), f->column, sqlite3_column_blob(st, c),
                   (size_t)sqlite3_column_bytes(st, c), &plain) != 0) {
        log_error("a protected field of %s %lld cannot be opened (wrong key or altered)", e->kind,
                  (long long)sqlite3_column_int64(st, C_ID));
        return json_null();
    }
    v = json_string(plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return v;
}

/* Where a record read goes: a jansson object (obj), or JSON text written
 * straight from the row (w), which is what a plain GET answers with. Both
 * get the same members in the same order. */
typedef struct sink {
    json_t *obj; /* when building a tree */
    jw_t   *w;   /* when writing text */
} sink_t;

/* Member key = v (a new reference, taken). */
static void sink_value(sink_t *k, const char *key, json_t *v)
{
    if (!v)
        v = json_null();
    if (k->obj) {
        json_object_set_new_nocheck(k->obj, key, v); /* keys are our field names */
        return;
    }
    jw_name(k->w, key);
    jw_value(k->w, v);
    json_decref(v);
}

/* Member key = s, or null. */
static void sink_cstr(sink_t *k, const char *key, const char *s)
{
    if (k->obj) {
        json_object_set_new_nocheck(k->obj, key, s ? json_string(s) : json_null());
        return;
    }
    jw_name(k->w, key);
    if (s)
        jw_string(k->w, s, strlen(s));
    else
        jw_null(k->w);
}

/* Member key = column c as a string, or null. Text in the store was
 * checked as UTF-8 when it came in, so it is not checked again here. */
static void sink_text(sink_t *k, const char *key, sqlite3_stmt *st, int c)
{
    const char *s = (const char *)sqlite3_column_text(st, c);
    size_t n = (size_t)sqlite3_column_bytes(st, c);

    if (k->obj) {
        json_object_set_new_nocheck(k->obj, key, s ? json_stringn_nocheck(s, n) : json_null());
        return;
    }
    jw_name(k->w, key);
    if (s)
        jw_string(k->w, s, n);
    else
        jw_null(k->w);
}

static void sink_integer(sink_t *k, const char *key, long long v)
{
    if (k->obj) {
        json_object_set_new_nocheck(k->obj, key, json_integer(v));
        return;
    }
    jw_name(k->w, key);
    jw_integer(k->w, v);
}

static void sink_bool(sink_t *k, const char *key, int v)
{
    if (k->obj) {
        json_object_set_new_nocheck(k->obj, key, json_boolean(v));
        return;
    }
    jw_name(k->w, key);
    jw_bool(k->w, v);
}

/* Member key = column c, a JSON array kept as text ([] when NULL or bad). */
static void sink_array(sink_t *k, const char *key, sqlite3_stmt *st, int c)
{
    const char *s = (const char *)sqlite3_column_text(st, c);
    json_t *v;

    if (k->obj || !s || s[0] != '[') {
        v = s ? json_loads(s, 0, NULL) : NULL;
        sink_value(k, key, json_is_array(v) ? v : (json_decref(v), json_array()));
        return;
    }
    jw_name(k->w, key); /* stored by us as JSON: copied as it is */
    jw_raw(k->w, s, (size_t)sqlite3_column_bytes(st, c));
}

/* The record on the statement's current row into k. Protected field i is
 * opened when bit i of open is set; with held, the others are left out and
 * a last member "protected" names those that hold a value. */
static void read_row(sqlite3_stmt *st, const rec_entity_t *e, unsigned long long open, int held, sink_t *k)
{
    sqlite3 *db = sqlite3_db_handle(st);
    char name[256]; /* a username or uuid from fixed_name() */
    int names[64], nnames = 0;

    sink_text(k, "id", st, C_UUID);
    if (e->flags & RE_NUMBER)
        sink_text(k, "number", st, C_NUMBER);
    sink_integer(k, "version", sqlite3_column_int64(st, C_VERSION));
    for (int i = 0; i < e->nfields; i++) {
        const rec_field_t *f = &e->fields[i];
        int c = C_FIELDS + i, null = sqlite3_column_type(st, c) == SQLITE_NULL;

        if ((f->flags & RF_PROTECTED) && !null && nnames < 64)
            names[nnames++] = i;
        if ((f->flags & RF_PROTECTED) && held && !(i < 64 && (open >> i & 1)))
            continue;
        if (f->type == RT_CODES || f->type == RT_STRINGS)
            sink_array(k, f->name, st, c);
        else if (null)
            sink_value(k, f->name, json_null());
        else if (f->type == RT_INT)
            sink_integer(k, f->name, sqlite3_column_int64(st, c));
        else if (f->type == RT_REAL)
            sink_value(k, f->name, json_real(sqlite3_column_double(st, c)));
        else if (f->type == RT_BOOL)
            sink_bool(k, f->name, sqlite3_column_int(st, c));
        else if (f->flags & RF_PROTECTED)
            sink_value(k, f->name, open_protected(st, e, f, c));
        else
            sink_text(k, f->name, st, c);
    }
    if (e->flags & RE_ORG)
        sink_cstr(k, "organisation", fixed_name(db, &fixed_orgs, st, C_ORG, name, sizeof name));
    sink_text(k, "created_at", st, C_CREATED_AT);
    sink_cstr(k, "created_by", fixed_name(db, &fixed_users, st, C_CREATED_BY, name, sizeof name));
    sink_text(k, "updated_at", st, C_UPDATED_AT);
    sink_cstr(k, "updated_by", fixed_name(db, &fixed_users, st, C_UPDATED_BY, name, sizeof name));
    if (held && k->w) {
        jw_name(k->w, "protected");
        jw_open(k->w, '[');
        for (int i = 0; i < nnames; i++)
            jw_string(k->w, e->fields[names[i]].name, strlen(e->fields[names[i]].name));
        jw_close(k->w, '[');
    } else if (held) {
        json_t *list = json_array();
        for (int i = 0; i < nnames; i++)
            json_array_append_new(list, json_string_nocheck(e->fields[names[i]].name));
        sink_value(k, "protected", list);
    }
}

json_t *rec_get(sqlite3 *db, const rec_entity_t *e, long long id)
{
    const char *sql = read_sql(e, READ_BY_KEY);
    sqlite3_stmt *st = sql ? db_cached_static(db, sql) : NULL;
    sink_t k = {0};

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        k.obj = json_object();
        read_row(st, e, ~0ULL, 0, &k);
    }
    db_done(st);
    return k.obj;
}

/* Step the by-uuid read of e; SQLITE_ROW when the record is there and
 * visible, with *id set. */
/* Steps the read of e's record uuid as seen by organisation viewer_org:
 * first by the rowid keymap holds for it, if any, then by uuid. */
static sqlite3_stmt *find_row(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org,
                              long long *id)
{
    long long hint = keymap_get(uuid);
    const char *sql;
    sqlite3_stmt *st;

    *id = 0;
    if (hint) {
        sql = read_sql(e, READ_BY_HINT);
        st = sql ? db_cached_static(db, sql) : NULL;
        if (!st)
            return NULL;
        sqlite3_bind_int64(st, 1, hint);
        sqlite3_bind_int64(st, 2, viewer_org);
        sqlite3_bind_text(st, 3, uuid, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id = hint;
            return st;
        }
        db_done(st);
    }
    sql = read_sql(e, READ_BY_UUID);
    st = sql ? db_cached_static(db, sql) : NULL;
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, viewer_org);
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_done(st);
        return NULL;
    }
    *id = sqlite3_column_int64(st, C_ID);
    keymap_put(uuid, *id);
    return st;
}

json_t *rec_read(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org,
                 unsigned long long open, long long *id)
{
    sqlite3_stmt *st = find_row(db, e, uuid, viewer_org, id);
    sink_t k = {0};

    if (!st)
        return NULL;
    k.obj = json_object();
    read_row(st, e, open, 1, &k);
    db_done(st);
    return k.obj;
}

char *rec_read_text(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org, long long *id,
                    long long *version, size_t *len)
{
    sqlite3_stmt *st = find_row(db, e, uuid, viewer_org, id);
    jw_t w = JW_INIT;
    sink_t k = {NULL, &w};

    if (!st)
        return NULL;
    *version = sqlite3_column_int64(st, C_VERSION);
    jw_open(&w, '{');
    read_row(st, e, 0, 1, &k);
    jw_close(&w, '{');
    db_done(st);
    return jw_take(&w, len);
}

/* Bind value v of field f at position i; protected values are sealed for
 * the record uuid. Returns an SQLite code. */
int rec_bind_value(sqlite3_stmt *st, int i, const rec_field_t *f, const rec_val_t *v, const char *uuid)
{
    if (v->null)
        return sqlite3_bind_null(st, i);
    if (f->flags & RF_PROTECTED) {
        unsigned char *sealed;
        size_t n;

        if (crypt_seal(uuid, f->column, v->s, strlen(v->s), &sealed, &n) != 0) {
            log_error("cannot seal a protected field: no key loaded");
            return SQLITE_ERROR;
        }
        return sqlite3_bind_blob(st, i, sealed, (int)n, free);
    }
    switch (f->type) {
    case RT_INT:
    case RT_BOOL:
    case RT_REF:
        return sqlite3_bind_int64(st, i, v->i);
    case RT_REAL:
        return sqlite3_bind_double(st, i, v->d);
    default:
        return sqlite3_bind_text(st, i, v->s, -1, SQLITE_TRANSIENT);
    }
}

static int writable(const rec_field_t *f, const rec_val_t *v)
{
    return v->set && !(f->flags & RF_VIRTUAL);
}

int rec_insert(sqlite3 *db, const rec_entity_t *e, const rec_val_t *v, const rec_actor_t *a,
               long long *id)
{
    buf_t sql = BUF_INIT, q = BUF_INIT;
    char uuid[UUID_STR], number[HWNUM_MAX];
    sqlite3_stmt *st;
    int rc, n = 1;

    buf_puts(&q, "SELECT ifnull(max(id), 0) + 1 FROM ");
    buf_puts(&q, e->table);
    *id = db_int(db, buf_str(&q), NULL, 1);
    buf_free(&q);
    hw_uuid_new(uuid);
    if (e->flags & RE_NUMBER)
        hwnum_format(e->prefix, *id, number);

    buf_puts(&sql, "INSERT INTO ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, " (id, uuid, version, created_at, created_by, updated_at, updated_by");
    buf_puts(&q, "?, ?, 1, ?, ?, ?, ?");
    if (e->flags & RE_NUMBER) {
        buf_puts(&sql, ", number");
        buf_puts(&q, ", ?");
    }
    if (e->flags & RE_ORG) {
        buf_puts(&sql, ", organisation_id");
        buf_puts(&q, ", ?");
    }
    for (int i = 0; i < e->nfields; i++) {
        if (!writable(&e->fields[i], &v[i]))
            continue;
        buf_puts(&sql, ", ");
        buf_puts(&sql, e->fields[i].column);
        buf_puts(&q, ", ?");
    }
    buf_puts(&sql, ") VALUES (");
    buf_puts(&sql, buf_str(&q));
    buf_puts(&sql, ")");
    buf_free(&q);
    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, n++, *id);
    sqlite3_bind_text(st, n++, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, n++, a->now, -1, SQLITE_TRANSIENT);
    if (a->user_id)
        sqlite3_bind_int64(st, n, a->user_id);
    n++;
    sqlite3_bind_text(st, n++, a->now, -1, SQLITE_TRANSIENT);
    if (a->user_id)
        sqlite3_bind_int64(st, n, a->user_id);
    n++;
    if (e->flags & RE_NUMBER)
        sqlite3_bind_text(st, n++, number, -1, SQLITE_TRANSIENT);
    if (e->flags & RE_ORG) {
        if (a->org_id)
            sqlite3_bind_int64(st, n, a->org_id);
        n++;
    }
    for (int i = 0; i < e->nfields; i++)
        if (writable(&e->fields[i], &v[i]) && rec_bind_value(st, n++, &e->fields[i], &v[i], uuid) != SQLITE_OK) {
            db_done(st);
            return SQLITE_ERROR;
        }
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        log_error("insert into %s failed: %s", e->table, sqlite3_errmsg(db));
    db_done(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int rec_update(sqlite3 *db, const rec_entity_t *e, long long id, long long version,
               const rec_val_t *v, const rec_actor_t *a, int *changed)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int rc, n = 1;
    char *uuid = rec_uuid(db, e->table, id);

    if (!uuid)
        return SQLITE_ERROR;
    buf_puts(&sql, "UPDATE ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, " SET version = version + 1, updated_at = ?, updated_by = ?");
    for (int i = 0; i < e->nfields; i++) {
        if (!writable(&e->fields[i], &v[i]))
            continue;
        buf_puts(&sql, ", ");
        buf_puts(&sql, e->fields[i].column);
        buf_puts(&sql, " = ?");
    }
    buf_puts(&sql, " WHERE id = ? AND version = ?");
    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st) {
        free(uuid);
        return SQLITE_ERROR;
    }
    sqlite3_bind_text(st, n++, a->now, -1, SQLITE_TRANSIENT);
    if (a->user_id)
        sqlite3_bind_int64(st, n, a->user_id);
    n++;
    for (int i = 0; i < e->nfields; i++)
        if (writable(&e->fields[i], &v[i]) && rec_bind_value(st, n++, &e->fields[i], &v[i], uuid) != SQLITE_OK) {
            db_done(st);
            free(uuid);
            return SQLITE_ERROR;
        }
    free(uuid);
    sqlite3_bind_int64(st, n++, id);
    sqlite3_bind_int64(st, n++, version);
    rc = sqlite3_step(st);
    *changed = rc == SQLITE_DONE && sqlite3_changes(db) == 1;
    if (rc != SQLITE_DONE)
        log_error("update of %s failed: %s", e->table, sqlite3_errmsg(db));
    db_done(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The sort key of field f: NULLs sort as the least value. */
static void sort_expr(buf_t *sql, const rec_field_t *f)
{
    int integer = f->type == RT_INT || f->type == RT_BOOL;

    /* Nulls sort first, as a value that survives the trip through the
     * cursor's text and bind_as() (strtoll of "-1.0e+300" would be -1). */
    buf_puts(sql, "ifnull(t.");
    buf_puts(sql, f->column);
    buf_puts(sql, integer ? ", -9223372036854775807)" : f->type == RT_REAL ? ", -1e300)" : ", '')");
}

static void bind_as(sqlite3_stmt *st, int i, const rec_field_t *f, const char *text)
{
    if (f->type == RT_INT || f->type == RT_BOOL || f->type == RT_REF)
        sqlite3_bind_int64(st, i, strtoll(text, NULL, 10));
    else if (f->type == RT_REAL)
        sqlite3_bind_double(st, i, strtod(text, NULL));
    else
        sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

int rec_list(sqlite3 *db, const rec_entity_t *e, const rec_query_t *q, json_t **items,
             char **last_val, long long *last_id, int *more)
{
    const rec_field_t *sf = q->sort >= 0 ? &e->fields[q->sort] : NULL;
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int rc, n = 1, rows = 0;

    *items = json_array();
    *last_val = NULL;
    *last_id = 0;
    *more = 0;
    buf_puts(&sql, "SELECT t.id, ");
    if (sf)
        sort_expr(&sql, sf);
    else
        buf_puts(&sql, "NULL");
    buf_puts(&sql, " FROM ");
    buf_puts(&sql, e->table);
    buf_puts(&sql, " t WHERE 1");
    if (q->only_active)
        buf_puts(&sql, " AND t.record_status = 'active'");
    if (q->viewer_org >= 0 && (e->flags & RE_ORG))
        buf_puts(&sql, " AND (t.restricted = 0 OR t.organisation_id = ?)");
    for (int i = 0; i < q->nfilters; i++) {
        buf_puts(&sql, " AND t.");
        buf_puts(&sql, e->fields[q->filters[i].field].column);
        buf_puts(&sql, " = ?");
    }
    if ((q->nwords && e->search_sql) || q->nuuids) {
        buf_puts(&sql, " AND ((");
        buf_puts(&sql, q->nwords && e->search_sql ? "1" : "0");
        for (int i = 0; i < q->nwords && e->search_sql; i++) {
            buf_puts(&sql, " AND ");
            buf_puts(&sql, e->search_sql);
        }
        buf_puts(&sql, ")");
        if (q->nuuids) {
            buf_puts(&sql, " OR t.uuid IN (?");
            for (int i = 1; i < q->nuuids; i++)
                buf_puts(&sql, ", ?");
            buf_puts(&sql, ")");
        }
        buf_puts(&sql, ")");
    }
    if (q->after_id) {
        const char *op = q->desc ? "<" : ">";
        if (sf) {
            buf_puts(&sql, " AND (");
            sort_expr(&sql, sf);
            buf_puts(&sql, op);
            buf_puts(&sql, " ? OR (");
            sort_expr(&sql, sf);
            buf_puts(&sql, " = ? AND t.id ");
            buf_puts(&sql, op);
            buf_puts(&sql, " ?))");
        } else {
            buf_puts(&sql, " AND t.id ");
            buf_puts(&sql, op);
            buf_puts(&sql, " ?");
        }
    }
    buf_puts(&sql, " ORDER BY ");
    if (sf) {
        sort_expr(&sql, sf);
        buf_puts(&sql, q->desc ? " DESC, " : ", ");
    }
    buf_puts(&sql, q->desc ? "t.id DESC LIMIT ?" : "t.id LIMIT ?");

    st = db_cached(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    if (q->viewer_org >= 0 && (e->flags & RE_ORG))
        sqlite3_bind_int64(st, n++, q->viewer_org);
    for (int i = 0; i < q->nfilters; i++)
        bind_as(st, n++, &e->fields[q->filters[i].field], q->filters[i].value);
    for (int i = 0; i < q->nwords && e->search_sql; i++) {
        buf_t hi = BUF_INIT;

        buf_puts(&hi, q->words[i]);
        buf_putc(&hi, '{'); /* just after 'z': ends the range of words with this prefix */
        sqlite3_bind_text(st, n++, q->words[i], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, n++, buf_str(&hi), -1, SQLITE_TRANSIENT);
        buf_free(&hi);
    }
    for (int i = 0; i < q->nuuids; i++)
        sqlite3_bind_text(st, n++, q->uuids[i], -1, SQLITE_TRANSIENT);
    if (q->after_id) {
        if (sf) {
            bind_as(st, n++, sf, q->after_val ? q->after_val : "");
            bind_as(st, n++, sf, q->after_val ? q->after_val : "");
        }
        sqlite3_bind_int64(st, n++, q->after_id);
    }
    sqlite3_bind_int(st, n++, q->limit + 1);

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o;

        if (rows == q->limit) {
            *more = 1;
            break;
        }
        o = rec_get(db, e, sqlite3_column_int64(st, 0));
        if (!o)
            continue;
        json_array_append_new(*items, o);
        rows++;
        *last_id = sqlite3_column_int64(st, 0);
        free(*last_val);
        *last_val = sf ? strdup((const char *)sqlite3_column_text(st, 1)) : NULL;
    }
    db_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        log_error("list of %s failed: %s", e->table, sqlite3_errmsg(db));
        return rc;
    }
    return SQLITE_OK;
}

int rec_history_add(sqlite3 *db, const rec_entity_t *e, long long id, long long version,
                    const char *action, json_t *changes, const rec_actor_t *a)
{
    sqlite3_stmt *st = db_cached(db, "INSERT INTO history (record_kind, record_id, version, action,"
                                      " changes, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    char *text;
    int rc;

    if (!st)
        return SQLITE_ERROR;
    text = json_out_exact(changes, NULL); /* fields in their own order */
    sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, version);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, text ? text : "{}", -1, SQLITE_TRANSIENT);
    if (a->user_id)
        sqlite3_bind_int64(st, 6, a->user_id);
    sqlite3_bind_text(st, 7, a->now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    db_done(st);
    free(text);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

json_t *rec_history(sqlite3 *db, const rec_entity_t *e, long long id)
{
    sqlite3_stmt *st = db_cached(db, "SELECT h.version, h.action, h.at, u.username, h.changes"
                                      " FROM history h LEFT JOIN users u ON u.id = h.user_id"
                                      " WHERE h.record_kind = ? AND h.record_id = ? ORDER BY h.id");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *changes = json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL);
        const unsigned char *user = sqlite3_column_text(st, 3);

        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:o, s:o}",
            "version", (json_int_t)sqlite3_column_int64(st, 0),
            "action", (const char *)sqlite3_column_text(st, 1),
            "at", (const char *)sqlite3_column_text(st, 2),
            "user", user ? json_string((const char *)user) : json_null(),
            "changes", changes ? changes : json_object()));
    }
    db_done(st);
    return a;
}

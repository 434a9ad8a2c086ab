/*
 * monitor_store.c - SQL of the monitoring record (see monitor_store.h).
 * Table and column names come only from the constant descriptors of this
 * file and of domain/; values are always bound.
 */
#include "monitor_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sec/crypt.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/uuid.h"

/* ---- rows that belong to a record ---- */

static void child_select(buf_t *sql, const mstore_child_t *ch)
{
    buf_puts(sql, "SELECT t.id, t.uuid");
    for (int i = 0; i < ch->nfields; i++) {
        const rec_field_t *f = &ch->fields[i];
        buf_puts(sql, ", ");
        if (f->type == RT_REF) {
            buf_puts(sql, "(SELECT uuid FROM ");
            buf_puts(sql, f->ref_table);
            buf_puts(sql, " WHERE id = t.");
            buf_puts(sql, f->column);
            buf_puts(sql, ")");
        } else {
            buf_puts(sql, "t.");
            buf_puts(sql, f->column);
        }
    }
    if (ch->flags & MS_CREATED)
        buf_puts(sql, ", t.created_at, (SELECT username FROM users WHERE id = t.created_by)");
    buf_puts(sql, " FROM ");
    buf_puts(sql, ch->table);
    buf_puts(sql, " t");
}

static json_t *col_text(sqlite3_stmt *st, int c)
{
    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return json_null();
    return json_string((const char *)sqlite3_column_text(st, c));
}

/* A sealed protected value of the row whose uuid is column 1... or the
 * column uuid_col, opened; null when it cannot be (logged). */
static json_t *opened_as(sqlite3_stmt *st, int c, int uuid_col, const char *column)
{
    char *plain;
    json_t *v;

    if (sqlite3_column_type(st, c) == SQLITE_NULL)
        return json_null();
    if (crypt_open((const char *)sqlite3_column_text(st, uuid_col), column, sqlite3_column_blob(st, c),
                   (size_t)sqlite3_column_bytes(st, c), &plain) != 0) {
        log_error("a protected field (%s) cannot be opened (wrong key or altered)", column);
        return json_null();
    }
    v = json_string(plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return v;
}

static json_t *opened(sqlite3_stmt *st, int c, const char *column)
{
    return opened_as(st, c, 1, column);
}

static json_t *child_row(sqlite3_stmt *st, const mstore_child_t *ch)
{
    json_t *o = json_object();
    int c = 2;

    json_object_set_new(o, "id", col_text(st, 1));
    for (int i = 0; i < ch->nfields; i++, c++) {
        const rec_field_t *f = &ch->fields[i];
        json_t *v;

        if (sqlite3_column_type(st, c) == SQLITE_NULL)
            v = (f->type == RT_CODES || f->type == RT_STRINGS) ? json_array() : json_null();
        else if (f->type == RT_INT || f->type == RT_BOOL)
            v = f->type == RT_BOOL ? json_boolean(sqlite3_column_int(st, c))
                                   : json_integer(sqlite3_column_int64(st, c));
        else if (f->type == RT_REAL)
            v = json_real(sqlite3_column_double(st, c));
        else if (f->type == RT_CODES || f->type == RT_STRINGS)
            v = json_loads((const char *)sqlite3_column_text(st, c), 0, NULL);
        else if (f->flags & RF_PROTECTED)
            v = opened(st, c, f->column);
        else
            v = col_text(st, c);
        json_object_set_new(o, f->name, v ? v : json_null());
    }
    if (ch->flags & MS_CREATED) {
        json_object_set_new(o, "created_at", col_text(st, c));
        json_object_set_new(o, "created_by", col_text(st, c + 1));
    }
    return o;
}

int mstore_child_insert(sqlite3 *db, const mstore_child_t *ch, long long parent, const rec_val_t *v,
                        long long user_id, const char *now, long long *id, char *uuid_out)
{
    buf_t sql = BUF_INIT, q = BUF_INIT;
    sqlite3_stmt *st;
    int rc, n = 1;

    hw_uuid_new(uuid_out);
    buf_puts(&sql, "INSERT INTO ");
    buf_puts(&sql, ch->table);
    buf_puts(&sql, " (uuid, ");
    buf_puts(&sql, ch->parent_col);
    buf_puts(&q, "?, ?");
    if (ch->flags & MS_CREATED) {
        buf_puts(&sql, ", created_at, created_by");
        buf_puts(&q, ", ?, ?");
    }
    for (int i = 0; i < ch->nfields; i++) {
        if (!v[i].set || (ch->fields[i].flags & RF_VIRTUAL))
            continue;
        buf_puts(&sql, ", ");
        buf_puts(&sql, ch->fields[i].column);
        buf_puts(&q, ", ?");
    }
    buf_puts(&sql, ") VALUES (");
    buf_puts(&sql, buf_str(&q));
    buf_puts(&sql, ")");
    buf_free(&q);
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, n++, uuid_out, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, n++, parent);
    if (ch->flags & MS_CREATED) {
        sqlite3_bind_text(st, n++, now, -1, SQLITE_TRANSIENT);
        if (user_id)
            sqlite3_bind_int64(st, n, user_id);
        n++;
    }
    for (int i = 0; i < ch->nfields; i++)
        if (v[i].set && !(ch->fields[i].flags & RF_VIRTUAL) &&
            rec_bind_value(st, n++, &ch->fields[i], &v[i], uuid_out) != SQLITE_OK) {
            sqlite3_finalize(st);
            return SQLITE_ERROR;
        }
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        log_error("insert into %s failed: %s", ch->table, sqlite3_errmsg(db));
    *id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int mstore_child_update(sqlite3 *db, const mstore_child_t *ch, long long id, const rec_val_t *v)
{
    char uuid[UUID_STR] = "";
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int rc, n = 1, any = 0;

    buf_puts(&sql, "UPDATE ");
    buf_puts(&sql, ch->table);
    buf_puts(&sql, " SET ");
    for (int i = 0; i < ch->nfields; i++) {
        if (!v[i].set || (ch->fields[i].flags & RF_VIRTUAL))
            continue;
        if (any++)
            buf_puts(&sql, ", ");
        buf_puts(&sql, ch->fields[i].column);
        buf_puts(&sql, " = ?");
    }
    buf_puts(&sql, " WHERE id = ?");
    if (!any) {
        buf_free(&sql);
        return SQLITE_OK;
    }
    {
        /* The row's uuid seals its protected values. */
        buf_t q = BUF_INIT;
        sqlite3_stmt *u;

        buf_puts(&q, "SELECT uuid FROM ");
        buf_puts(&q, ch->table);
        buf_puts(&q, " WHERE id = ?");
        u = db_prepare(db, buf_str(&q));
        buf_free(&q);
        if (u) {
            sqlite3_bind_int64(u, 1, id);
            if (sqlite3_step(u) == SQLITE_ROW)
                snprintf(uuid, sizeof uuid, "%s", (const char *)sqlite3_column_text(u, 0));
            sqlite3_finalize(u);
        }
    }
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    for (int i = 0; i < ch->nfields; i++)
        if (v[i].set && !(ch->fields[i].flags & RF_VIRTUAL) &&
            rec_bind_value(st, n++, &ch->fields[i], &v[i], uuid) != SQLITE_OK) {
            sqlite3_finalize(st);
            return SQLITE_ERROR;
        }
    sqlite3_bind_int64(st, n, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        log_error("update of %s failed: %s", ch->table, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

json_t *mstore_child_get(sqlite3 *db, const mstore_child_t *ch, long long id)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    json_t *o = NULL;

    child_select(&sql, ch);
    buf_puts(&sql, " WHERE t.id = ?");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = child_row(st, ch);
    sqlite3_finalize(st);
    return o;
}

json_t *mstore_child_list(sqlite3 *db, const mstore_child_t *ch, long long parent, const char *order_col)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    json_t *a = json_array();

    child_select(&sql, ch);
    buf_puts(&sql, " WHERE t.");
    buf_puts(&sql, ch->parent_col);
    buf_puts(&sql, " = ? ORDER BY ");
    if (order_col) {
        buf_puts(&sql, "t.");
        buf_puts(&sql, order_col);
        buf_puts(&sql, ", ");
    }
    buf_puts(&sql, "t.id");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, parent);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, child_row(st, ch));
    sqlite3_finalize(st);
    return a;
}

long long mstore_child_key(sqlite3 *db, const mstore_child_t *ch, long long parent, const char *uuid)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    long long id = 0;

    buf_puts(&sql, "SELECT id FROM ");
    buf_puts(&sql, ch->table);
    buf_puts(&sql, " WHERE uuid = ? AND ");
    buf_puts(&sql, ch->parent_col);
    buf_puts(&sql, " = ?");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, parent);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

long long mstore_touch(sqlite3 *db, const char *table, long long id, long long user_id, const char *now)
{
    buf_t sql = BUF_INIT, q = BUF_INIT;
    sqlite3_stmt *st;
    int rc;

    buf_puts(&sql, "UPDATE ");
    buf_puts(&sql, table);
    buf_puts(&sql, " SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if (user_id)
        sqlite3_bind_int64(st, 2, user_id);
    sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || sqlite3_changes(db) != 1)
        return -1;
    buf_puts(&q, "SELECT version FROM ");
    buf_puts(&q, table);
    buf_puts(&q, " WHERE id = ?");
    st = db_prepare(db, buf_str(&q));
    buf_free(&q);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : -1;
    {
        long long v = rc == 0 ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        return v;
    }
}

/* ---- lifecycles ---- */

const mstore_machine_t mstore_detainee_machine = {"detainees", "status", "status_date", "detainee_events",
                                                  "detainee_id", "note", "source"};
const mstore_machine_t mstore_tracing_machine = {"tracing_requests", "status", "status_date", "tracing_events",
                                                 "request_id", "reason", NULL};
const mstore_machine_t mstore_incident_machine = {"incidents", "verification", NULL, "incident_verifications",
                                                  "incident_id", "reason", NULL};

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int c)
{
    const unsigned char *s = sqlite3_column_text(st, c);
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

int mstore_state(sqlite3 *db, const mstore_machine_t *m, long long id, mstore_state_t *s)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int found = 0;

    buf_puts(&sql, "SELECT version, ");
    buf_puts(&sql, m->status_col);
    buf_puts(&sql, ", ");
    buf_puts(&sql, m->date_col ? m->date_col : "NULL");
    buf_puts(&sql, " FROM ");
    buf_puts(&sql, m->table);
    buf_puts(&sql, " WHERE id = ?");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->version = sqlite3_column_int64(st, 0);
        copy_col(s->status, sizeof s->status, st, 1);
        copy_col(s->date, sizeof s->date, st, 2);
        found = 1;
    }
    sqlite3_finalize(st);
    return found ? 0 : -1;
}

int mstore_event_add(sqlite3 *db, const mstore_machine_t *m, long long id, const char *from, const char *to,
                     const char *date, const char *note, const char *source, long long user_id,
                     const char *now)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int rc;

    buf_puts(&sql, "INSERT INTO ");
    buf_puts(&sql, m->events);
    buf_puts(&sql, " (");
    buf_puts(&sql, m->parent_col);
    buf_puts(&sql, ", from_status, to_status, date, ");
    buf_puts(&sql, m->note_col);
    buf_puts(&sql, ", user_id, at");
    if (m->source_col) {
        buf_puts(&sql, ", ");
        buf_puts(&sql, m->source_col);
    }
    buf_puts(&sql, m->source_col ? ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)" : ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    /* incident_verifications.from_status is NOT NULL: a first event has none. */
    if (from)
        sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, date, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 5, note);
    if (user_id)
        sqlite3_bind_int64(st, 6, user_id);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    if (m->source_col)
        db_bind_text(st, 8, source);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        log_error("insert into %s failed: %s", m->events, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int mstore_move(sqlite3 *db, const mstore_machine_t *m, long long id, long long version, const char *from,
                const char *to, const char *date, const char *note, const char *source, long long user_id,
                const char *now, int *changed)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    int rc, n = 1;

    *changed = 0;
    buf_puts(&sql, "UPDATE ");
    buf_puts(&sql, m->table);
    buf_puts(&sql, " SET ");
    buf_puts(&sql, m->status_col);
    buf_puts(&sql, " = ?, ");
    if (m->date_col) {
        buf_puts(&sql, m->date_col);
        buf_puts(&sql, " = ?, ");
    }
    buf_puts(&sql, "version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, n++, to, -1, SQLITE_TRANSIENT);
    if (m->date_col)
        sqlite3_bind_text(st, n++, date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, n++, now, -1, SQLITE_TRANSIENT);
    if (user_id)
        sqlite3_bind_int64(st, n, user_id);
    n++;
    sqlite3_bind_int64(st, n++, id);
    sqlite3_bind_int64(st, n++, version);
    rc = sqlite3_step(st);
    *changed = rc == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !*changed)
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    return mstore_event_add(db, m, id, from, to, date, note, source, user_id, now);
}

json_t *mstore_events(sqlite3 *db, const mstore_machine_t *m, long long id)
{
    buf_t sql = BUF_INIT;
    sqlite3_stmt *st;
    json_t *a = json_array();

    buf_puts(&sql, "SELECT e.from_status, e.to_status, e.date, e.");
    buf_puts(&sql, m->note_col);
    buf_puts(&sql, ", u.username, e.at, ");
    if (m->source_col) {
        buf_puts(&sql, "e.");
        buf_puts(&sql, m->source_col);
    } else {
        buf_puts(&sql, "NULL");
    }
    buf_puts(&sql, " FROM ");
    buf_puts(&sql, m->events);
    buf_puts(&sql, " e LEFT JOIN users u ON u.id = e.user_id WHERE e.");
    buf_puts(&sql, m->parent_col);
    buf_puts(&sql, " = ? ORDER BY e.id");
    st = db_prepare(db, buf_str(&sql));
    buf_free(&sql);
    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "from", col_text(st, 0));
        json_object_set_new(o, "to", col_text(st, 1));
        json_object_set_new(o, "date", col_text(st, 2));
        json_object_set_new(o, m->note_col, col_text(st, 3));
        if (m->source_col)
            json_object_set_new(o, "source", col_text(st, 6));
        json_object_set_new(o, "user", col_text(st, 4));
        json_object_set_new(o, "at", col_text(st, 5));
        json_array_append_new(a, o);
    }
    sqlite3_finalize(st);
    return a;
}

/* ---- tracing ---- */

int mstore_match_add(sqlite3 *db, long long request, long long person_id, long long detainee_id, double weight,
                     double probability, const char *explanation, const char *origin, const char *now,
                     long long *id, char *uuid_out)
{
    sqlite3_stmt *st = db_prepare(db,
        "INSERT INTO tracing_matches (uuid, request_id, person_id, detainee_id, weight, probability,"
        " explanation, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING");
    int rc;

    *id = 0;
    if (!st)
        return SQLITE_ERROR;
    hw_uuid_new(uuid_out);
    sqlite3_bind_text(st, 1, uuid_out, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, request);
    if (person_id)
        sqlite3_bind_int64(st, 3, person_id);
    if (detainee_id)
        sqlite3_bind_int64(st, 4, detainee_id);
    sqlite3_bind_double(st, 5, weight);
    sqlite3_bind_double(st, 6, probability);
    sqlite3_bind_text(st, 7, explanation, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE && sqlite3_changes(db) == 1)
        *id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

json_t *mstore_matches(sqlite3 *db, long long request)
{
    sqlite3_stmt *st = db_prepare(db,
        "SELECT m.uuid, p.uuid, p.number, d.uuid, d.number, m.weight, m.probability, m.explanation, m.origin,"
        " m.decision, (SELECT username FROM users WHERE id = m.decided_by), m.decided_date, m.decision_note,"
        " m.found_consent, m.found_consent_date, (SELECT username FROM users WHERE id = m.found_consent_by),"
        " m.found_consent_note, m.created_at"
        " FROM tracing_matches m LEFT JOIN persons p ON p.id = m.person_id"
        " LEFT JOIN detainees d ON d.id = m.detainee_id WHERE m.request_id = ?"
        " ORDER BY m.probability DESC, m.id");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, request);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *origin = (const char *)sqlite3_column_text(st, 8);
        int engine = origin && strcmp(origin, "engine") == 0;
        json_t *expl = json_loads((const char *)sqlite3_column_text(st, 7), 0, NULL);
        json_t *o = json_object();

        json_object_set_new(o, "id", col_text(st, 0));
        json_object_set_new(o, "kind", sqlite3_column_type(st, 1) != SQLITE_NULL ? json_string("person")
                                                                                : json_string("detainee"));
        json_object_set_new(o, "record", sqlite3_column_type(st, 1) != SQLITE_NULL ? col_text(st, 1) : col_text(st, 3));
        json_object_set_new(o, "number", sqlite3_column_type(st, 1) != SQLITE_NULL ? col_text(st, 2) : col_text(st, 4));
        json_object_set_new(o, "origin", col_text(st, 8));
        /* A candidate an officer proposed has no score: do not show one. */
        json_object_set_new(o, "weight", engine ? json_real(sqlite3_column_double(st, 5)) : json_null());
        json_object_set_new(o, "probability", engine ? json_real(sqlite3_column_double(st, 6)) : json_null());
        json_object_set_new(o, "explanation", expl ? expl : json_null());
        json_object_set_new(o, "decision", col_text(st, 9));
        json_object_set_new(o, "decided_by", col_text(st, 10));
        json_object_set_new(o, "decided_date", col_text(st, 11));
        json_object_set_new(o, "decision_note", col_text(st, 12));
        json_object_set_new(o, "found_consent", json_boolean(sqlite3_column_int(st, 13)));
        json_object_set_new(o, "found_consent_date", col_text(st, 14));
        json_object_set_new(o, "found_consent_by", col_text(st, 15));
        json_object_set_new(o, "found_consent_note", col_text(st, 16));
        json_object_set_new(o, "created_at", col_text(st, 17));
        json_array_append_new(a, o);
    }
    sqlite3_finalize(st);
    return a;
}

int mstore_match_find(sqlite3 *db, long long request, const char *uuid, mstore_match_t *m)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, ifnull(person_id, 0), ifnull(detainee_id, 0), uuid, decision,"
                                      " found_consent FROM tracing_matches WHERE request_id = ? AND uuid = ?");
    int found = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, request);
    sqlite3_bind_text(st, 2, uuid, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        m->id = sqlite3_column_int64(st, 0);
        m->person_id = sqlite3_column_int64(st, 1);
        m->detainee_id = sqlite3_column_int64(st, 2);
        copy_col(m->uuid, sizeof m->uuid, st, 3);
        copy_col(m->decision, sizeof m->decision, st, 4);
        m->consent = sqlite3_column_int(st, 5);
        found = 1;
    }
    sqlite3_finalize(st);
    return found ? 0 : -1;
}

int mstore_match_decide(sqlite3 *db, long long id, const char *decision, const char *note, const char *date,
                        long long user_id, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE tracing_matches SET decision = ?, decision_note = ?, decided_date = ?,"
                                      " decided_by = ?, decided_at = ? WHERE id = ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, decision, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 2, note);
    sqlite3_bind_text(st, 3, date, -1, SQLITE_TRANSIENT);
    if (user_id)
        sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int mstore_match_consent(sqlite3 *db, long long id, int consent, const char *date, const char *note,
                         long long user_id)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE tracing_matches SET found_consent = ?, found_consent_date = ?,"
                                      " found_consent_note = ?, found_consent_by = ? WHERE id = ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int(st, 1, consent);
    sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 3, note);
    if (user_id)
        sqlite3_bind_int64(st, 4, user_id);
    sqlite3_bind_int64(st, 5, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

long long mstore_match_count(sqlite3 *db, long long request, const char *decision)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM tracing_matches WHERE request_id = ? AND decision = ?");
    long long n = 0;

    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, request);
    sqlite3_bind_text(st, 2, decision, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int mstore_tracing_open_keys(sqlite3 *db, int limit, long long **out)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id FROM tracing_requests WHERE status IN ('open', 'potential_match')"
                                      " ORDER BY id DESC LIMIT ?");
    long long *a = calloc((size_t)(limit > 0 ? limit : 1), sizeof *a);
    int n = 0;

    *out = NULL;
    if (!st || !a) {
        sqlite3_finalize(st);
        free(a);
        return -1;
    }
    sqlite3_bind_int(st, 1, limit);
    while (n < limit && sqlite3_step(st) == SQLITE_ROW)
        a[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    *out = a;
    return n;
}

long long mstore_detainee_person(sqlite3 *db, long long detainee)
{
    return db_int_key(db, "SELECT ifnull(person_id, 0) FROM detainees WHERE id = ?", detainee, 0);
}

json_t *mstore_found_person(sqlite3 *db, long long person_id, int with_details)
{
    sqlite3_stmt *st = db_prepare(db,
        "SELECT uuid, given_name, family_name, patronymic, current_country, current_region, current_locality,"
        " current_settlement_id, contact FROM persons WHERE id = ?");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, person_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_pack("{s:o, s:o, s:o, s:o}", "id", col_text(st, 0), "given_name", col_text(st, 1),
                      "family_name", col_text(st, 2), "patronymic", col_text(st, 3));
        if (with_details) {
            json_object_set_new(o, "whereabouts",
                                json_pack("{s:o, s:o, s:o, s:o}", "country", col_text(st, 4), "region",
                                          col_text(st, 5), "locality", col_text(st, 6), "settlement",
                                          col_text(st, 7)));
            json_object_set_new(o, "contact", opened_as(st, 8, 0, "contact"));
        }
    }
    sqlite3_finalize(st);
    return o;
}

json_t *mstore_found_detainee(sqlite3 *db, long long detainee_id, int with_details)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT uuid, first_names, surname, father_name, status, status_date,"
                                      " detaining_authority, detention_place FROM detainees WHERE id = ?");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, detainee_id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        o = json_pack("{s:o, s:o, s:o, s:o}", "id", col_text(st, 0), "given_name", col_text(st, 1),
                      "family_name", col_text(st, 2), "patronymic", col_text(st, 3));
        if (with_details) {
            json_object_set_new(o, "whereabouts",
                                json_pack("{s:o, s:o, s:o, s:o}", "status", col_text(st, 4), "status_date",
                                          col_text(st, 5), "detaining_authority", col_text(st, 6),
                                          "place_of_detention", opened_as(st, 7, 0, "detention_place")));
            json_object_set_new(o, "contact", json_null());
        }
    }
    sqlite3_finalize(st);
    return o;
}

/* ---- incidents ---- */

static int exec_bound(sqlite3_stmt *st)
{
    int rc;

    if (!st)
        return SQLITE_ERROR;
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int mstore_incident_person(sqlite3 *db, long long incident, long long person, const char *role)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT OR IGNORE INTO incident_persons (incident_id, person_id, role)"
                                      " VALUES (?, ?, ?)");
    if (st) {
        sqlite3_bind_int64(st, 1, incident);
        sqlite3_bind_int64(st, 2, person);
        sqlite3_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
    }
    return exec_bound(st);
}

int mstore_incident_return(sqlite3 *db, long long incident, long long return_case, const char *kind,
                           const char *note, long long user_id, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO return_obstacles (case_id, incident_id, kind, note, created_at,"
                                      " created_by) VALUES (?, ?, ?, ?, ?, ?)");
    if (st) {
        sqlite3_bind_int64(st, 1, return_case);
        sqlite3_bind_int64(st, 2, incident);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
        db_bind_text(st, 4, note);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
        if (user_id)
            sqlite3_bind_int64(st, 6, user_id);
    }
    return exec_bound(st);
}

int mstore_incident_link(sqlite3 *db, long long incident, long long link, long long period)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO incident_links (incident_id, link_id, period_id) VALUES (?, ?, ?)"
                                      " ON CONFLICT (incident_id, link_id) DO UPDATE SET period_id = excluded.period_id");
    if (st) {
        sqlite3_bind_int64(st, 1, incident);
        sqlite3_bind_int64(st, 2, link);
        if (period)
            sqlite3_bind_int64(st, 3, period);
    }
    return exec_bound(st);
}

json_t *mstore_incident_ties(sqlite3 *db, long long incident)
{
    json_t *persons = json_array(), *returns = json_array(), *links = json_array();
    sqlite3_stmt *st;

    st = db_prepare(db, "SELECT p.uuid, p.number, ip.role FROM incident_persons ip JOIN persons p ON p.id = ip.person_id"
                        " WHERE ip.incident_id = ? ORDER BY p.id, ip.role");
    if (st) {
        sqlite3_bind_int64(st, 1, incident);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(persons, json_pack("{s:o, s:o, s:o}", "person", col_text(st, 0), "number",
                                                     col_text(st, 1), "role", col_text(st, 2)));
        sqlite3_finalize(st);
    }
    st = db_prepare(db, "SELECT c.uuid, c.number, o.kind, o.note, o.created_at FROM return_obstacles o"
                        " JOIN return_cases c ON c.id = o.case_id WHERE o.incident_id = ? ORDER BY o.id");
    if (st) {
        sqlite3_bind_int64(st, 1, incident);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(returns, json_pack("{s:o, s:o, s:o, s:o, s:o}", "return_case", col_text(st, 0),
                                                     "number", col_text(st, 1), "kind", col_text(st, 2), "note",
                                                     col_text(st, 3), "created_at", col_text(st, 4)));
        sqlite3_finalize(st);
    }
    st = db_prepare(db, "SELECT l.uuid, l.name, p.uuid FROM incident_links il JOIN links l ON l.id = il.link_id"
                        " LEFT JOIN link_periods p ON p.id = il.period_id WHERE il.incident_id = ? ORDER BY l.id");
    if (st) {
        sqlite3_bind_int64(st, 1, incident);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(links, json_pack("{s:o, s:o, s:o}", "link", col_text(st, 0), "name",
                                                   col_text(st, 1), "period", col_text(st, 2)));
        sqlite3_finalize(st);
    }
    return json_pack("{s:o, s:o, s:o}", "persons", persons, "returns", returns, "links", links);
}

/* ---- links ---- */

int mstore_periods(sqlite3 *db, long long link, mstore_period_t **out, long long **link_of)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, status, from_date, ifnull(to_date, ''), link_id FROM link_periods"
                                      " WHERE ?1 = 0 OR link_id = ?1 ORDER BY link_id, from_date, id");
    mstore_period_t *a = NULL;
    long long *lk = NULL;
    int n = 0, cap = 0, rc;

    *out = NULL;
    if (link_of)
        *link_of = NULL;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, link);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            int ncap = cap ? cap * 2 : 16;
            mstore_period_t *na = realloc(a, (size_t)ncap * sizeof *a);
            long long *nl = realloc(lk, (size_t)ncap * sizeof *lk);
            if (na)
                a = na;
            if (nl)
                lk = nl;
            if (!na || !nl) {
                rc = SQLITE_NOMEM;
                break;
            }
            cap = ncap;
        }
        a[n].id = sqlite3_column_int64(st, 0);
        copy_col(a[n].status, sizeof a[n].status, st, 1);
        copy_col(a[n].from, sizeof a[n].from, st, 2);
        copy_col(a[n].to, sizeof a[n].to, st, 3);
        lk[n] = sqlite3_column_int64(st, 4);
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(a);
        free(lk);
        return -1;
    }
    *out = a;
    if (link_of)
        *link_of = lk;
    else
        free(lk);
    return n;
}

long long mstore_period_key(sqlite3 *db, const char *uuid, long long *link)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, link_id FROM link_periods WHERE uuid = ?");
    long long id = 0;

    *link = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        *link = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return id;
}

int mstore_link_keys(sqlite3 *db, long long **out)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id FROM links ORDER BY id");
    long long *a = NULL;
    int n = 0, cap = 0;

    *out = NULL;
    if (!st)
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            long long *na = realloc(a, (size_t)(cap ? cap * 2 : 16) * sizeof *a);
            if (!na) {
                free(a);
                sqlite3_finalize(st);
                return -1;
            }
            a = na;
            cap = cap ? cap * 2 : 16;
        }
        a[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    *out = a;
    return n;
}

json_t *mstore_link_incidents(sqlite3 *db, long long link)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT ifnull(p.uuid, ''), i.uuid FROM incident_links il"
                                      " JOIN incidents i ON i.id = il.incident_id"
                                      " LEFT JOIN link_periods p ON p.id = il.period_id"
                                      " WHERE il.link_id = ? ORDER BY i.id");
    json_t *o = json_object();

    if (!st)
        return o;
    sqlite3_bind_int64(st, 1, link);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        json_t *a = json_object_get(o, *p ? p : "link");
        if (!a) {
            a = json_array();
            json_object_set_new(o, *p ? p : "link", a);
        }
        json_array_append_new(a, col_text(st, 1));
    }
    sqlite3_finalize(st);
    return o;
}

json_t *mstore_link_brief(sqlite3 *db, long long link)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT uuid, name, kind FROM links WHERE id = ?");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, link);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:o, s:o, s:o}", "id", col_text(st, 0), "name", col_text(st, 1), "kind", col_text(st, 2));
    sqlite3_finalize(st);
    return o;
}

/* ---- commitments ---- */

int mstore_evidence_add(sqlite3 *db, long long assessment, const char *kind, const char *uuid, const char *note)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT OR REPLACE INTO assessment_evidence (assessment_id, record_kind,"
                                      " record_uuid, note) VALUES (?, ?, ?, ?)");
    if (st) {
        sqlite3_bind_int64(st, 1, assessment);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, uuid, -1, SQLITE_TRANSIENT);
        db_bind_text(st, 4, note);
    }
    return exec_bound(st);
}

json_t *mstore_evidence(sqlite3 *db, const char *assessment)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT e.record_kind, e.record_uuid, e.note FROM assessment_evidence e"
                                      " JOIN commitment_assessments a ON a.id = e.assessment_id WHERE a.uuid = ?"
                                      " ORDER BY e.record_kind, e.record_uuid");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_text(st, 1, assessment, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:o, s:o, s:o}", "kind", col_text(st, 0), "id", col_text(st, 1),
                                           "note", col_text(st, 2)));
    sqlite3_finalize(st);
    return a;
}

int mstore_commitment_taken(sqlite3 *db, const char *source, const char *clause, long long self)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM commitments WHERE source = ? AND clause = ? AND id <> ?");
    int taken = 0;

    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, clause, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, self);
    taken = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return taken;
}

json_t *mstore_current_level(sqlite3 *db, long long commitment, const char *date)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT level, date, uuid FROM commitment_assessments WHERE commitment_id = ?"
                                      " AND (?2 IS NULL OR date <= ?2) ORDER BY date DESC, id DESC LIMIT 1");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, commitment);
    db_bind_text(st, 2, date);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:I, s:o, s:o}", "level", (json_int_t)sqlite3_column_int64(st, 0), "date", col_text(st, 1),
                      "assessment", col_text(st, 2));
    sqlite3_finalize(st);
    return o;
}

int mstore_record_exists(sqlite3 *db, const char *kind, const char *uuid)
{
    static const struct {
        const char *kind, *sql;
    } kinds[] = {
        {"incident", "SELECT 1 FROM incidents WHERE uuid = ?"},
        {"link", "SELECT 1 FROM links WHERE uuid = ?"},
        {"link_period", "SELECT 1 FROM link_periods WHERE uuid = ?"},
        {"detainee", "SELECT 1 FROM detainees WHERE uuid = ?"},
        {"return_case", "SELECT 1 FROM return_cases WHERE uuid = ?"},
        {"tracing_request", "SELECT 1 FROM tracing_requests WHERE uuid = ?"},
        {"person", "SELECT 1 FROM persons WHERE uuid = ?"},
        {"commitment", "SELECT 1 FROM commitments WHERE uuid = ?"},
    };

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return db_int(db, kinds[i].sql, uuid, 0) == 1;
    return 0;
}

/* ---- seed data ---- */

int mstore_seed_commitment(sqlite3 *db, const char *source, const char *clause, const char *category,
                           const char *text, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "INSERT INTO commitments (uuid, source, clause, text, category, seed,"
                                      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
                                      " ON CONFLICT (source, clause) DO NOTHING");
    char uuid[UUID_STR];
    int rc;

    if (!st)
        return -1;
    hw_uuid_new(uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, clause, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, category, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        log_error("seed commitment %s %s: %s", source, clause, sqlite3_errmsg(db));
        return -1;
    }
    return sqlite3_changes(db) == 1;
}

int mstore_seed_link(sqlite3 *db, const char *kind, const char *name, const char *a, const char *b,
                     const char *sa, const char *sb, const char *description, const char *now)
{
    sqlite3_stmt *st;
    char uuid[UUID_STR];
    int rc;

    if (db_int(db, "SELECT 1 FROM links WHERE name = ?", name, 0) == 1)
        return 0;
    st = db_prepare(db, "INSERT INTO links (uuid, kind, name, endpoint_a, endpoint_b, settlement_a_id,"
                        " settlement_b_id, description, seed, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, (SELECT id FROM settlements WHERE id = ?),"
                        " (SELECT id FROM settlements WHERE id = ?), ?, 1, ?, ?)");
    if (!st)
        return -1;
    hw_uuid_new(uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 4, a);
    db_bind_text(st, 5, b);
    db_bind_text(st, 6, sa);
    db_bind_text(st, 7, sb);
    db_bind_text(st, 8, description);
    sqlite3_bind_text(st, 9, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 10, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        log_error("seed link %s: %s", name, sqlite3_errmsg(db));
        return -1;
    }
    return 1;
}

/* ---- indicators ---- */

/* Run st (parameter 1 already bound) and gather (text key, count) rows. */
static json_t *grouped(sqlite3_stmt *st, long long *n)
{
    json_t *o = json_object();

    *n = 0;
    if (!st)
        return o;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *k = sqlite3_column_text(st, 0);
        long long c = sqlite3_column_int64(st, 1);
        json_object_set_new(o, k ? (const char *)k : "unknown", json_integer(c));
        *n += c;
    }
    sqlite3_finalize(st);
    return o;
}

static sqlite3_stmt *prep_at(sqlite3 *db, const char *sql, const char *at)
{
    sqlite3_stmt *st = db_prepare(db, sql);

    if (st)
        sqlite3_bind_text(st, 1, at, -1, SQLITE_TRANSIENT);
    return st;
}

static json_t *int_column(sqlite3_stmt *st)
{
    json_t *a = json_array();

    if (!st)
        return a;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_integer(sqlite3_column_int64(st, 0)));
    sqlite3_finalize(st);
    return a;
}

/* Each detainee's status on ?1 is the target of its last move dated on or
 * before ?1 (ties by order of recording). */
#define DETAINEE_STATUS_AT                                                                                     \
    "SELECT detainee_id, to_status FROM (SELECT detainee_id, to_status, row_number() OVER"                     \
    " (PARTITION BY detainee_id ORDER BY date DESC, id DESC) AS rn FROM detainee_events WHERE date <= ?1)"    \
    " WHERE rn = 1"

json_t *mstore_detainees_by_status(sqlite3 *db, const char *at, long long *n)
{
    return grouped(prep_at(db, "SELECT to_status, count(*) FROM (" DETAINEE_STATUS_AT ") GROUP BY to_status"
                               " ORDER BY to_status", at), n);
}

json_t *mstore_detainees_by_category(sqlite3 *db, const char *at, long long *n)
{
    return grouped(prep_at(db, "SELECT d.category, count(*) FROM detainees d JOIN (" DETAINEE_STATUS_AT ") s"
                               " ON s.detainee_id = d.id GROUP BY d.category ORDER BY d.category", at), n);
}

json_t *mstore_detainee_durations(sqlite3 *db, const char *at, const char *to)
{
    sqlite3_stmt *st = prep_at(db,
        "SELECT CAST(julianday(r.d) - julianday(c.d) AS INTEGER) FROM"
        " (SELECT detainee_id, min(date) AS d FROM detainee_events WHERE to_status IN ('captured', 'detained')"
        "  AND date <= ?1 GROUP BY detainee_id) c"
        " JOIN (SELECT detainee_id, min(date) AS d FROM detainee_events WHERE to_status = ?2 AND date <= ?1"
        "  GROUP BY detainee_id) r ON r.detainee_id = c.detainee_id ORDER BY 1", at);

    if (st)
        sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
    return int_column(st);
}

long long mstore_detainees_unvisited(sqlite3 *db, const char *at, const char *since, long long *n)
{
    sqlite3_stmt *st = prep_at(db,
        "SELECT count(*), ifnull(sum(NOT EXISTS (SELECT 1 FROM detainee_visits v WHERE v.detainee_id = s.detainee_id"
        " AND v.date > ?2 AND v.date <= ?1)), 0) FROM (" DETAINEE_STATUS_AT ") s"
        " WHERE s.to_status IN ('captured', 'detained', 'visited', 'charged', 'sentenced')", at);
    long long unvisited = 0;

    *n = 0;
    if (!st)
        return 0;
    sqlite3_bind_text(st, 2, since, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        unvisited = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return unvisited;
}

json_t *mstore_tracing_by_status(sqlite3 *db, const char *at, long long *n)
{
    return grouped(prep_at(db,
        "SELECT to_status, count(*) FROM (SELECT request_id, to_status, row_number() OVER"
        " (PARTITION BY request_id ORDER BY date DESC, id DESC) AS rn FROM tracing_events WHERE date <= ?1)"
        " WHERE rn = 1 GROUP BY to_status ORDER BY to_status", at), n);
}

long long mstore_tracing_matches_found(sqlite3 *db, const char *at)
{
    sqlite3_stmt *st = prep_at(db, "SELECT count(*) FROM tracing_matches WHERE decision = 'confirmed'"
                                   " AND decided_date <= ?1", at);
    long long n = 0;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

json_t *mstore_tracing_durations(sqlite3 *db, const char *at)
{
    return int_column(prep_at(db,
        "SELECT CAST(julianday(min(m.decided_date)) - julianday(r.request_date) AS INTEGER)"
        " FROM tracing_requests r JOIN tracing_matches m ON m.request_id = r.id"
        " WHERE m.decision = 'confirmed' AND m.decided_date <= ?1 AND r.request_date <= ?1"
        " GROUP BY r.id ORDER BY 1", at));
}

/* The first day an incident can have happened: its start date with a
 * partial date read as its earliest day; with no start date, the day it
 * was recorded (it cannot have happened later than that). */
#define INCIDENT_DAY                                                                                           \
    "substr(ifnull(replace(i.start_date, '~', ''), substr(i.created_at, 1, 10)) || '-01-01', 1, 10)"

json_t *mstore_incidents_by(sqlite3 *db, const char *at, int by, long long *n)
{
    static const char *const sql[] = {
        "SELECT i.type, count(*) FROM incidents i WHERE " INCIDENT_DAY " <= ?1 GROUP BY 1 ORDER BY 1",
        "SELECT substr(" INCIDENT_DAY ", 1, 7), count(*) FROM incidents i WHERE " INCIDENT_DAY " <= ?1"
        " GROUP BY 1 ORDER BY 1",
        "SELECT ifnull(i.settlement_id, 'unknown'), count(*) FROM incidents i WHERE " INCIDENT_DAY " <= ?1"
        " GROUP BY 1 ORDER BY 1",
    };

    return grouped(prep_at(db, sql[by < 0 || by > 2 ? 0 : by], at), n);
}

long long mstore_returns_obstructed(sqlite3 *db, const char *at, const char *const *types, long long *incidents)
{
    sqlite3_stmt *st = prep_at(db,
        "SELECT count(DISTINCT o.case_id), count(DISTINCT o.incident_id) FROM return_obstacles o"
        " JOIN incidents i ON i.id = o.incident_id WHERE " INCIDENT_DAY " <= ?1"
        " AND (?2 IS NULL OR i.type IN (?2, ?3))", at);
    long long cases = 0;

    *incidents = 0;
    if (!st)
        return 0;
    db_bind_text(st, 2, types ? types[0] : NULL);
    db_bind_text(st, 3, types && types[0] ? types[1] : NULL);
    if (sqlite3_step(st) == SQLITE_ROW) {
        cases = sqlite3_column_int64(st, 0);
        *incidents = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return cases;
}

long long mstore_returns_requested(sqlite3 *db, const char *at)
{
    sqlite3_stmt *st = prep_at(db, "SELECT count(*) FROM return_cases WHERE requested_date <= ?1", at);
    long long n = 0;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

json_t *mstore_returns_arrival_days(sqlite3 *db, const char *at)
{
    return int_column(prep_at(db,
        "SELECT CAST(julianday(min(t.date)) - julianday(c.requested_date) AS INTEGER)"
        " FROM return_cases c JOIN return_transitions t ON t.case_id = c.id"
        " WHERE t.to_status = 'arrived' AND t.date <= ?1 GROUP BY c.id ORDER BY 1", at));
}

json_t *mstore_commitment_levels(sqlite3 *db, const char *at, long long *n)
{
    sqlite3_stmt *st = prep_at(db,
        "SELECT c.category, c.source, c.clause, c.uuid, (SELECT a.level FROM commitment_assessments a"
        " WHERE a.commitment_id = c.id AND a.date <= ?1 ORDER BY a.date DESC, a.id DESC LIMIT 1)"
        " FROM commitments c ORDER BY c.id", at);
    json_t *a = json_array();

    *n = 0;
    if (!st)
        return a;
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o}", "category", col_text(st, 0), "source",
                                           col_text(st, 1), "clause", col_text(st, 2), "id", col_text(st, 3),
                                           "level", sqlite3_column_type(st, 4) == SQLITE_NULL
                                                        ? json_null()
                                                        : json_integer(sqlite3_column_int64(st, 4))));
        (*n)++;
    }
    sqlite3_finalize(st);
    return a;
}

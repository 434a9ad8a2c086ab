/*
 * erase_store.c - erasure, retention and settings SQL (see erase_store.h).
 */
#include "erase_store.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

/* Run one statement with the key bound to every ?1. */
static int run(sqlite3 *db, const char *sql, long long id)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int erase_return(sqlite3 *db, long long id)
{
    static const char *const steps[] = {
        "DELETE FROM return_transitions WHERE case_id = ?1",
        "DELETE FROM return_obstacles WHERE case_id = ?1",
        "DELETE FROM history WHERE record_kind = 'return_case' AND record_id = ?1",
        "DELETE FROM return_cases WHERE id = ?1",
        NULL,
    };
    int rc = SQLITE_OK;

    for (int i = 0; steps[i] && rc == SQLITE_OK; i++)
        rc = run(db, steps[i], id);
    return rc;
}

/* Erase every return case of a person or a household. */
static int erase_cases_of(sqlite3 *db, const char *sql, long long id)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    long long ids[256];
    int n = 0, rc = SQLITE_OK;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < n && rc == SQLITE_OK; i++)
        rc = erase_return(db, ids[i]);
    return rc;
}

int store_erase(sqlite3 *db, const char *kind, long long id)
{
    static const char *const person[] = {
        "UPDATE households SET head_person_id = NULL WHERE head_person_id = ?1",
        "UPDATE persons SET duplicate_of = NULL WHERE duplicate_of = ?1",
        "DELETE FROM person_name_tokens WHERE person_id = ?1",
        "DELETE FROM person_pairs WHERE left_id = ?1 OR right_id = ?1",
        "UPDATE detainees SET person_id = NULL WHERE person_id = ?1",
        "DELETE FROM incident_persons WHERE person_id = ?1",
        "UPDATE incident_acts SET victim_person_id = NULL WHERE victim_person_id = ?1",
        "DELETE FROM tracing_matches WHERE person_id = ?1",
        "UPDATE tracing_requests SET inquirer_person_id = NULL WHERE inquirer_person_id = ?1",
        "DELETE FROM history WHERE record_kind = 'person' AND record_id = ?1",
        "DELETE FROM persons WHERE id = ?1",
        NULL,
    };
    static const char *const household[] = {
        "UPDATE persons SET household_id = NULL, relation_to_head = NULL WHERE household_id = ?1",
        "DELETE FROM history WHERE record_kind = 'household' AND record_id = ?1",
        "DELETE FROM households WHERE id = ?1",
        NULL,
    };
    const char *const *steps;
    int rc;

    if (strcmp(kind, "return_case") == 0)
        return erase_return(db, id);
    if (strcmp(kind, "person") == 0) {
        rc = erase_cases_of(db, "SELECT id FROM return_cases WHERE person_id = ?", id);
        steps = person;
    } else if (strcmp(kind, "household") == 0) {
        rc = erase_cases_of(db, "SELECT id FROM return_cases WHERE household_id = ?", id);
        steps = household;
    } else {
        return SQLITE_MISUSE;
    }
    for (int i = 0; steps[i] && rc == SQLITE_OK; i++)
        rc = run(db, steps[i], id);
    return rc;
}

int store_wal_truncate(sqlite3 *db)
{
    return sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

json_t *store_retention_due(sqlite3 *db, const char *kind, const char *before)
{
    const char *sql =
        strcmp(kind, "person") == 0
            ? "SELECT id, uuid FROM persons WHERE record_status <> 'active' AND updated_at < ? ORDER BY id"
        : strcmp(kind, "household") == 0
            ? "SELECT id, uuid FROM households WHERE record_status <> 'active' AND updated_at < ? ORDER BY id"
        : strcmp(kind, "return_case") == 0
            ? "SELECT id, uuid FROM return_cases WHERE status IN ('withdrawn', 'followed_up') AND updated_at < ?"
              " ORDER BY id"
            : NULL;
    sqlite3_stmt *st = sql ? db_prepare(db, sql) : NULL;
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_text(st, 1, before, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_pack("{s:I, s:s}", "id", (json_int_t)sqlite3_column_int64(st, 0), "uuid",
                                           (const char *)sqlite3_column_text(st, 1)));
    sqlite3_finalize(st);
    return a;
}

int store_purge_sessions(sqlite3 *db, const char *now, const char *before)
{
    sqlite3_stmt *st = db_prepare(db, "DELETE FROM sessions WHERE expires_at < ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc;
    st = db_prepare(db, "DELETE FROM login_attempts WHERE at < ?");
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, before, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_setting_set(sqlite3 *db, const char *key, const char *value)
{
    sqlite3_stmt *st = db_prepare(db, value ? "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)"
                                            : "DELETE FROM settings WHERE key = ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, key);
    if (value)
        db_bind_text(st, 2, value);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

char *store_setting_get(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT value FROM settings WHERE key = ?");
    char *v = NULL;

    if (!st)
        return NULL;
    db_bind_text(st, 1, key);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

/*
 * registry_store.c - registry SQL outside the generic record layer
 * (see registry_store.h).
 */
#include "registry_store.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"

int store_person_words(sqlite3 *db, long long id, const char *const *words, int n)
{
    sqlite3_stmt *st = db_cached(db, "DELETE FROM person_name_tokens WHERE person_id = ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    db_done(st);
    if (rc != SQLITE_DONE)
        return rc;
    st = db_cached(db, "INSERT OR IGNORE INTO person_name_tokens (person_id, token) VALUES (?, ?)");
    if (!st)
        return SQLITE_ERROR;
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, words[i], -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            break;
    }
    db_done(st);
    return rc == SQLITE_DONE || n == 0 ? SQLITE_OK : rc;
}

long long store_household_headed_by(sqlite3 *db, long long person_id)
{
    return db_int_key(db, "SELECT id FROM households WHERE head_person_id = ?", person_id, 0);
}

long long store_household_of(sqlite3 *db, long long person_id)
{
    return db_int_key(db, "SELECT household_id FROM persons WHERE id = ?", person_id, 0);
}

static json_t *text_or_null(sqlite3_stmt *st, int c)
{
    const unsigned char *s = sqlite3_column_text(st, c);
    return s ? json_string((const char *)s) : json_null();
}

json_t *store_household_members(sqlite3 *db, long long id, long long viewer_org)
{
    sqlite3_stmt *st = db_cached(db,
        "SELECT uuid, number, given_name, family_name, patronymic, sex, birth_date, relation_to_head"
        " FROM persons WHERE household_id = ? AND record_status = 'active'"
        " AND (? < 0 OR restricted = 0 OR organisation_id = ?)"
        " ORDER BY relation_to_head IS NOT 'head', birth_date, id");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, viewer_org);
    sqlite3_bind_int64(st, 3, viewer_org);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        static const char *const keys[] = {"id", "number", "given_name", "family_name", "patronymic",
                                           "sex", "birth_date", "relation_to_head"};
        for (int i = 0; i < 8; i++)
            json_object_set_new(o, keys[i], text_or_null(st, i));
        json_array_append_new(a, o);
    }
    db_done(st);
    return a;
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *st, int c)
{
    const unsigned char *s = sqlite3_column_text(st, c);
    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

int store_return_state(sqlite3 *db, long long id, store_return_state_t *s)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT version, status, suspended_from, requested_date"
                                      " FROM return_cases WHERE id = ?");
    int found = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        s->version = sqlite3_column_int64(st, 0);
        copy_col(s->status, sizeof s->status, st, 1);
        copy_col(s->suspended_from, sizeof s->suspended_from, st, 2);
        copy_col(s->requested_date, sizeof s->requested_date, st, 3);
        found = 1;
    }
    sqlite3_finalize(st);
    return found ? 0 : -1;
}

int store_return_move(sqlite3 *db, long long id, long long version, const char *from, const char *to,
                      const char *date, const char *reason, const char *suspended_from,
                      long long user_id, const char *now, int *changed)
{
    sqlite3_stmt *st = db_prepare(db,
        "UPDATE return_cases SET status = ?1, status_date = ?2, suspended_from = ?3,"
        " scheduled_date = CASE WHEN ?1 = 'scheduled' THEN ?2 ELSE scheduled_date END,"
        " arrived_date = CASE WHEN ?1 = 'arrived' THEN ?2 ELSE arrived_date END,"
        " version = version + 1, updated_at = ?4, updated_by = ?5"
        " WHERE id = ?6 AND version = ?7");
    int rc;

    *changed = 0;
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, to, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 3, suspended_from);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    if (user_id)
        sqlite3_bind_int64(st, 5, user_id);
    sqlite3_bind_int64(st, 6, id);
    sqlite3_bind_int64(st, 7, version);
    rc = sqlite3_step(st);
    *changed = rc == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || !*changed)
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    st = db_prepare(db, "INSERT INTO return_transitions (case_id, from_status, to_status, date, reason,"
                        " user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, date, -1, SQLITE_TRANSIENT);
    db_bind_text(st, 5, reason);
    if (user_id)
        sqlite3_bind_int64(st, 6, user_id);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

json_t *store_return_transitions(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = db_prepare(db,
        "SELECT t.from_status, t.to_status, t.date, t.reason, u.username, t.at"
        " FROM return_transitions t LEFT JOIN users u ON u.id = t.user_id"
        " WHERE t.case_id = ? ORDER BY t.id");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        static const char *const keys[] = {"from", "to", "date", "reason", "user", "at"};
        for (int i = 0; i < 6; i++)
            json_object_set_new(o, keys[i], text_or_null(st, i));
        json_array_append_new(a, o);
    }
    sqlite3_finalize(st);
    return a;
}

int store_settlement_put(sqlite3 *db, const store_settlement_t *s, const char *const *names,
                         const char *const *langs, const char *const *folds, int n)
{
    sqlite3_stmt *st = db_prepare(db,
        "INSERT INTO settlements (id, kind, name_hy, name_az, name_ru, name_en, lat, lon, admin_hy,"
        " admin_az, country, source, seed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, name_hy = excluded.name_hy,"
        " name_az = excluded.name_az, name_ru = excluded.name_ru, name_en = excluded.name_en,"
        " lat = excluded.lat, lon = excluded.lon, admin_hy = excluded.admin_hy,"
        " admin_az = excluded.admin_az, country = excluded.country, source = excluded.source"
        " WHERE settlements.seed = 1");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, s->id);
    db_bind_text(st, 2, s->kind);
    db_bind_text(st, 3, s->hy);
    db_bind_text(st, 4, s->az);
    db_bind_text(st, 5, s->ru);
    db_bind_text(st, 6, s->en);
    if (s->has_coords) {
        sqlite3_bind_double(st, 7, s->lat);
        sqlite3_bind_double(st, 8, s->lon);
    }
    db_bind_text(st, 9, s->admin_hy);
    db_bind_text(st, 10, s->admin_az);
    db_bind_text(st, 11, s->country);
    db_bind_text(st, 12, s->source);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return rc;
    st = db_prepare(db, "INSERT OR REPLACE INTO settlement_names (settlement_id, name, lang, fold)"
                        " VALUES (?, ?, ?, ?)");
    if (!st)
        return SQLITE_ERROR;
    for (int i = 0; i < n; i++) {
        db_bind_text(st, 1, s->id);
        db_bind_text(st, 2, names[i]);
        db_bind_text(st, 3, langs[i]);
        db_bind_text(st, 4, folds[i]);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || n == 0 ? SQLITE_OK : rc;
}

static json_t *settlement_row(sqlite3_stmt *st)
{
    json_t *o = json_object(), *names = json_object();
    static const char *const langs[] = {"hy", "az", "ru", "en"};

    json_object_set_new(o, "id", text_or_null(st, 0));
    json_object_set_new(o, "kind", text_or_null(st, 1));
    for (int i = 0; i < 4; i++)
        json_object_set_new(names, langs[i], text_or_null(st, 2 + i));
    json_object_set_new(o, "names", names);
    json_object_set_new(o, "name", text_or_null(st, 5));
    if (sqlite3_column_type(st, 6) == SQLITE_NULL) {
        json_object_set_new(o, "lat", json_null());
        json_object_set_new(o, "lon", json_null());
    } else {
        json_object_set_new(o, "lat", json_real(sqlite3_column_double(st, 6)));
        json_object_set_new(o, "lon", json_real(sqlite3_column_double(st, 7)));
    }
    json_object_set_new(o, "admin_hy", text_or_null(st, 8));
    json_object_set_new(o, "admin_az", text_or_null(st, 9));
    json_object_set_new(o, "country", text_or_null(st, 10));
    json_object_set_new(o, "source", text_or_null(st, 11));
    return o;
}

#define SETTLEMENT_COLS "s.id, s.kind, s.name_hy, s.name_az, s.name_ru, s.name_en, s.lat, s.lon," \
                        " s.admin_hy, s.admin_az, s.country, s.source"

json_t *store_settlement_search(sqlite3 *db, const char *fold, const char *raw, int limit)
{
    /* Exact names first, then whole folded names, then prefixes; towns
     * before villages within each. */
    sqlite3_stmt *st = db_prepare(db,
        "SELECT " SETTLEMENT_COLS ", min(CASE WHEN n.name = ?2 COLLATE NOCASE THEN 0"
        " WHEN n.fold = ?1 THEN 1 ELSE 2 END) AS rank, group_concat(DISTINCT n.name) AS matched"
        " FROM settlement_names n JOIN settlements s ON s.id = n.settlement_id"
        " WHERE (n.fold >= ?1 AND n.fold < ?1 || '{') OR n.name = ?2 COLLATE NOCASE"
        " GROUP BY s.id ORDER BY rank, s.kind = 'village', s.name_en LIMIT ?3");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_text(st, 1, fold, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, raw, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, limit);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, settlement_row(st));
    sqlite3_finalize(st);
    return a;
}

json_t *store_settlement_get(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT " SETTLEMENT_COLS " FROM settlements s WHERE s.id = ?");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_stmt *ns;
        json_t *alt = json_array();

        o = settlement_row(st);
        ns = db_prepare(db, "SELECT name FROM settlement_names WHERE settlement_id = ? AND lang = 'alt'"
                            " ORDER BY name");
        if (ns) {
            sqlite3_bind_text(ns, 1, id, -1, SQLITE_TRANSIENT);
            while (sqlite3_step(ns) == SQLITE_ROW)
                json_array_append_new(alt, json_string((const char *)sqlite3_column_text(ns, 0)));
            sqlite3_finalize(ns);
        }
        json_object_set_new(o, "other_names", alt);
    }
    sqlite3_finalize(st);
    return o;
}

json_t *store_settlement_ids(sqlite3 *db, const char *country)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id FROM settlements WHERE country = ? ORDER BY name_en");
    json_t *a = json_array();

    if (!st)
        return a;
    sqlite3_bind_text(st, 1, country, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(a, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return a;
}

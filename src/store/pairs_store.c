/*
 * pairs_store.c - duplicate pairs, review and merges (see pairs_store.h).
 */
#include "pairs_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/uuid.h"

#define MATCH_COLS "p.uuid, p.given_name, p.family_name, p.patronymic, p.birth_date," \
                   " coalesce(p.birth_place, (SELECT name_en FROM settlements WHERE id = p.birth_settlement_id)), p.sex"

static const char *col(sqlite3_stmt *st, int c)
{
    return (const char *)sqlite3_column_text(st, c);
}

/* Call fn for each row of sql (seven match columns). */
static int each_row(sqlite3 *db, const char *sql, void (*fn)(void *cls, const store_match_row_t *r), void *cls)
{
    sqlite3_stmt *st = db_prepare(db, sql);
    int rc;

    if (!st)
        return SQLITE_ERROR;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_match_row_t r = {col(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6)};
        fn(cls, &r);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_persons_for_matching(sqlite3 *db, void (*fn)(void *cls, const store_match_row_t *r), void *cls)
{
    return each_row(db, "SELECT " MATCH_COLS " FROM persons p WHERE p.record_status = 'active' ORDER BY p.id", fn,
                    cls);
}

static char *dup_col(sqlite3_stmt *st, int c)
{
    return col(st, c) ? strdup(col(st, c)) : NULL;
}

/* The row of sql (seven match columns, one key parameter) copied into out. */
static int one_row(sqlite3 *db, const char *sql, long long id, store_match_row_t *out)
{
    sqlite3_stmt *st = db_cached(db, sql);
    int found = -1;

    memset(out, 0, sizeof *out);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->uuid = dup_col(st, 0);
        out->given = dup_col(st, 1);
        out->family = dup_col(st, 2);
        out->patronymic = dup_col(st, 3);
        out->birth_date = dup_col(st, 4);
        out->birth_place = dup_col(st, 5);
        out->sex = dup_col(st, 6);
        found = 0;
    }
    db_done(st);
    return found;
}

int store_person_for_matching(sqlite3 *db, long long id, store_match_row_t *out)
{
    return one_row(db, "SELECT " MATCH_COLS " FROM persons p WHERE p.id = ?", id, out);
}

void store_match_row_free(store_match_row_t *r)
{
    free((char *)r->uuid);
    free((char *)r->given);
    free((char *)r->family);
    free((char *)r->patronymic);
    free((char *)r->birth_date);
    free((char *)r->birth_place);
    free((char *)r->sex);
    memset(r, 0, sizeof *r);
}

#define REQUEST_COLS "r.uuid, r.sought_given, r.sought_family, r.sought_patronymic," \
    " coalesce(r.sought_birth_date, CASE WHEN r.sought_age IS NOT NULL AND r.request_date IS NOT NULL" \
    " THEN printf('%04d~', CAST(substr(r.request_date, 1, 4) AS INTEGER) - r.sought_age) END)," \
    " NULL, r.sought_sex"

int store_requests_for_matching(sqlite3 *db, void (*fn)(void *cls, const store_match_row_t *r), void *cls)
{
    return each_row(db, "SELECT " REQUEST_COLS " FROM tracing_requests r"
                        " WHERE r.status NOT IN ('closed', 'confirmed') ORDER BY r.id", fn, cls);
}

int store_request_for_matching(sqlite3 *db, long long id, store_match_row_t *out)
{
    return one_row(db, "SELECT " REQUEST_COLS " FROM tracing_requests r WHERE r.id = ?", id, out);
}

json_t *store_person_summary(sqlite3 *db, long long id, long long viewer_org)
{
    sqlite3_stmt *st = db_cached(db, "SELECT uuid, number, given_name, family_name, birth_date FROM persons"
                                     " WHERE id = ?1 AND record_status = 'active'"
                                     " AND (?2 < 0 OR restricted = 0 OR organisation_id = ?2)");
    json_t *o = NULL;

    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, viewer_org);
    if (sqlite3_step(st) == SQLITE_ROW)
        o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "id", col(st, 0), "number", col(st, 1), "given_name",
                      col(st, 2), "family_name", col(st, 3), "birth_date", col(st, 4));
    db_done(st);
    return o;
}

int store_pair_propose(sqlite3 *db, long long a, long long b, double weight, double prob, const char *explanation,
                       const char *now)
{
    sqlite3_stmt *st = db_cached(db, "INSERT OR IGNORE INTO person_pairs (uuid, left_id, right_id, weight, probability,"
                                      " explanation, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)");
    char uuid[UUID_STR];
    int rc;

    if (!st)
        return SQLITE_ERROR;
    hw_uuid_new(uuid);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, a < b ? a : b);
    sqlite3_bind_int64(st, 3, a < b ? b : a);
    sqlite3_bind_double(st, 4, weight);
    sqlite3_bind_double(st, 5, prob);
    db_bind_text(st, 6, explanation);
    db_bind_text(st, 7, now);
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_pair_get(sqlite3 *db, const char *uuid, store_pair_t *p)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT id, left_id, right_id, uuid, status, probability FROM person_pairs"
                                      " WHERE uuid = ?");
    int found = -1;

    if (!st)
        return -1;
    db_bind_text(st, 1, uuid);
    if (sqlite3_step(st) == SQLITE_ROW) {
        p->id = sqlite3_column_int64(st, 0);
        p->left_id = sqlite3_column_int64(st, 1);
        p->right_id = sqlite3_column_int64(st, 2);
        snprintf(p->uuid, sizeof p->uuid, "%s", col(st, 3));
        snprintf(p->status, sizeof p->status, "%s", col(st, 4));
        p->probability = sqlite3_column_double(st, 5);
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

int store_pair_set_status(sqlite3 *db, long long id, const char *status, long long user_id, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE person_pairs SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    db_bind_text(st, 1, status);
    if (user_id)
        sqlite3_bind_int64(st, 2, user_id);
    db_bind_text(st, 3, now);
    sqlite3_bind_int64(st, 4, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static json_t *person_summary(sqlite3_stmt *st, int c)
{
    return json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "id", col(st, c), "number",
                     col(st, c + 1), "given_name", col(st, c + 2), "family_name", col(st, c + 3), "patronymic",
                     col(st, c + 4), "birth_date", col(st, c + 5), "sex", col(st, c + 6), "origin_settlement",
                     col(st, c + 7), "record_status", col(st, c + 8));
}

#define SUMMARY(a) a ".uuid, " a ".number, " a ".given_name, " a ".family_name, " a ".patronymic, " a ".birth_date, " \
                   a ".sex, " a ".origin_settlement_id, " a ".record_status"

json_t *store_pairs_list(sqlite3 *db, const char *status, double after_prob, long long after_id, int limit,
                         long long viewer_org, double *last_prob, long long *last_id, int *more)
{
    sqlite3_stmt *st = db_prepare(db,
        "SELECT pp.id, pp.uuid, pp.weight, pp.probability, pp.explanation, pp.status, pp.decided_at, u.username, "
        SUMMARY("l") ", " SUMMARY("r") " FROM person_pairs pp"
        " JOIN persons l ON l.id = pp.left_id JOIN persons r ON r.id = pp.right_id"
        " LEFT JOIN users u ON u.id = pp.decided_by"
        " WHERE pp.status = ?1"
        " AND (?2 < 0 OR ((l.restricted = 0 OR l.organisation_id = ?2) AND (r.restricted = 0 OR r.organisation_id = ?2)))"
        " AND (?3 = 0 OR pp.probability < ?4 OR (pp.probability = ?4 AND pp.id > ?3))"
        " ORDER BY pp.probability DESC, pp.id LIMIT ?5");
    json_t *a = json_array();
    int n = 0;

    *more = 0;
    *last_id = 0;
    if (!st)
        return a;
    db_bind_text(st, 1, status);
    sqlite3_bind_int64(st, 2, viewer_org);
    sqlite3_bind_int64(st, 3, after_id);
    sqlite3_bind_double(st, 4, after_prob);
    sqlite3_bind_int(st, 5, limit + 1);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *expl;
        if (n == limit) {
            *more = 1;
            break;
        }
        expl = col(st, 4) ? json_loads(col(st, 4), 0, NULL) : NULL;
        json_array_append_new(a, json_pack("{s:s, s:f, s:f, s:o, s:s, s:s?, s:s?, s:o, s:o}", "id", col(st, 1),
                                           "weight", sqlite3_column_double(st, 2), "probability",
                                           sqlite3_column_double(st, 3), "explanation", expl ? expl : json_object(),
                                           "status", col(st, 5), "decided_at", col(st, 6), "decided_by", col(st, 7),
                                           "left", person_summary(st, 8), "right", person_summary(st, 17)));
        *last_prob = sqlite3_column_double(st, 3);
        *last_id = sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    return a;
}

json_t *store_pair_statuses(sqlite3 *db, long long id)
{
    sqlite3_stmt *st = db_prepare(db, "SELECT p.uuid, pp.status, pp.uuid FROM person_pairs pp"
                                      " JOIN persons p ON p.id = CASE WHEN pp.left_id = ?1 THEN pp.right_id"
                                      " ELSE pp.left_id END WHERE pp.left_id = ?1 OR pp.right_id = ?1");
    json_t *o = json_object();

    if (!st)
        return o;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW)
        json_object_set_new(o, col(st, 0), json_pack("{s:s, s:s?}", "status", col(st, 1), "pair", col(st, 2)));
    sqlite3_finalize(st);
    return o;
}

int store_person_mark_duplicate(sqlite3 *db, long long dup, long long keep, long long user_id, const char *now)
{
    sqlite3_stmt *st = db_prepare(db, "UPDATE persons SET record_status = CASE WHEN ?1 = 0 THEN 'active' ELSE"
                                      " 'duplicate' END, duplicate_of = nullif(?1, 0), version = version + 1,"
                                      " updated_at = ?2, updated_by = ?3 WHERE id = ?4");
    int rc;

    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_int64(st, 1, keep);
    db_bind_text(st, 2, now);
    if (user_id)
        sqlite3_bind_int64(st, 3, user_id);
    sqlite3_bind_int64(st, 4, dup);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

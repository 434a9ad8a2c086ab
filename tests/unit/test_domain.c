/*
 * test_domain.c - migrations, field validation, the return-case state
 * machine and the all-or-nothing rule of writes, on a real SQLite file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/domain.h"
#include "sec/crypt.h"
#include "store/db.h"
#include "store/keymap.h"
#include "store/record.h"
#include "store/sqlmem.h"
#include "util/embedded.h"

#include "fixture.h"

static int setup(void **state)
{
    fixture_t *f = fixture_open();

    if (!f)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    db_protect_users(); /* should a test have failed while they were not */
    fixture_close(*state);
    return 0;
}

static long long count(sqlite3 *db, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table); /* lint: trusted (test, constant names) */
    return db_int(db, sql, NULL, -1);
}

static void migrations_apply_once_and_all_tables_are_strict(void **state)
{
    fixture_t *f = *state;
    char err[256];
    int applied = -1;
    sqlite3_stmt *st;
    int tables = 0;

    assert_int_equal(db_schema_version(f->c.db), db_schema_latest());
    assert_int_equal(db_migrate(f->c.db, &applied, err, sizeof err), 0);
    assert_int_equal(applied, 0);
    st = db_prepare(f->c.db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *sql = (const char *)sqlite3_column_text(st, 1);
        tables++;
        if (!strstr(sql, "STRICT"))
            fail_msg("table %s is not STRICT", sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    /* Every entity of the data model has its table. */
    assert_true(tables >= 30);
    assert_int_equal(db_int(f->c.db, "PRAGMA foreign_keys", NULL, 0), 1);
    assert_int_equal(db_int(f->c.db, "PRAGMA synchronous", NULL, 0), 2); /* FULL */
}

/* db_time formats each second once per thread: what it writes must still be
 * the time asked for, to the millisecond, with its offset. */
static void clock_text_is_utc_iso_with_milliseconds(void **state)
{
    char a[32], b[32], c[32], want[32];
    time_t t0, t1;
    struct tm tm;

    (void)state;
    for (int i = 0; i < 3; i++) {
        t0 = time(NULL);
        db_now(a);
        db_time(b, -86400);
        db_now(c);
        t1 = time(NULL);
        if (t0 == t1)
            break; /* no second boundary crossed: comparable */
    }
    assert_int_equal(strlen(a), 24);
    gmtime_r(&t0, &tm);
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.", &tm);
    assert_memory_equal(a, want, 20);
    assert_true(a[20] >= '0' && a[20] <= '9' && a[21] >= '0' && a[21] <= '9' && a[22] >= '0' && a[22] <= '9');
    assert_int_equal(a[23], 'Z');
    t0 -= 86400;
    gmtime_r(&t0, &tm);
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.", &tm);
    assert_memory_equal(b, want, 20); /* the day before, not the second cached for today */
    assert_true(strcmp(a, c) <= 0);
    assert_memory_equal(a, c, 19);
}

/* Reads name users and organisations from memory by id (store/record.c):
 * the database must refuse what would make a remembered name wrong. */
static void usernames_and_organisations_are_fixed(void **state)
{
    fixture_t *f = *state;
    sqlite3 *db = f->c.db;

    assert_int_equal(0xff & sqlite3_exec(db, "INSERT INTO organisations (uuid, name, kind, created_at) VALUES "
                                      "('00000000-0000-4000-8000-000000000001', 'Org', 'ngo', '2026-01-01')",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(0xff & sqlite3_exec(db, "INSERT INTO users (uuid, organisation_id, username, display_name, role, "
                                      "password_hash, password_changed_at, created_at) VALUES "
                                      "('00000000-0000-4000-8000-000000000002', (SELECT max(id) FROM organisations), "
                                      "'fixed.user', 'F', 'registrar', 'x', '2026-01-01', '2026-01-01')",
                                  NULL, NULL, NULL), SQLITE_OK);
    db_unprotect_users(); /* as the code that may change a user does: the triggers still refuse */
    assert_int_equal(0xff & sqlite3_exec(db, "UPDATE users SET username = 'other' WHERE username = 'fixed.user'", NULL, NULL,
                                  NULL), SQLITE_CONSTRAINT);
    assert_int_equal(0xff & sqlite3_exec(db, "UPDATE users SET id = id + 100 WHERE username = 'fixed.user'", NULL, NULL,
                                  NULL), SQLITE_CONSTRAINT);
    assert_int_equal(0xff & sqlite3_exec(db, "DELETE FROM users WHERE username = 'fixed.user'", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    assert_int_equal(0xff & sqlite3_exec(db, "UPDATE organisations SET uuid = '00000000-0000-4000-8000-000000000009' "
                                      "WHERE name = 'Org'", NULL, NULL, NULL), SQLITE_CONSTRAINT);
    assert_int_equal(0xff & sqlite3_exec(db, "DELETE FROM organisations WHERE name = 'Org'", NULL, NULL, NULL),
                     SQLITE_CONSTRAINT);
    /* what does change still may */
    assert_int_equal(0xff & sqlite3_exec(db, "UPDATE users SET disabled = 1, display_name = 'G' WHERE username = 'fixed.user'",
                                  NULL, NULL, NULL), SQLITE_OK);
    db_protect_users();
    assert_int_equal(db_int(db, "SELECT count(*) FROM users WHERE username = ?", "fixed.user", -1), 1);
}

static void migrations_are_numbered_once_each(void **state)
{
    int seen[1000] = {0}, n = 0;

    (void)state;
    for (const embedded_file_t *f = embedded_files; f->name; f++) {
        int v;
        if (strncmp(f->name, "migrations/", 11) != 0)
            continue;
        v = atoi(f->name + 11);
        assert_true(v > 0 && v < 1000);
        if (seen[v])
            fail_msg("two migrations are numbered %04d", v);
        seen[v] = 1;
        n++;
    }
    /* 1..latest with no gap. */
    assert_int_equal(n, db_schema_latest());
    for (int v = 1; v <= n; v++)
        assert_true(seen[v]);
}

static void migrate_refuses_a_newer_database(void **state)
{
    fixture_t *f = *state;
    char err[256] = "", sql[64];
    int applied;

    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", db_schema_latest() + 1);
    assert_int_equal(db_exec(f->c.db, sql), SQLITE_OK);
    assert_int_equal(db_migrate(f->c.db, &applied, err, sizeof err), -1);
    assert_non_null(strstr(err, "newer"));
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", db_schema_latest());
    db_exec(f->c.db, sql);
}

/* Create a person from JSON text; expect failure on field, or success. */
static void expect_person(fixture_t *f, const char *json, int status, const char *field)
{
    json_t *body = json_loads(json, 0, NULL);
    dom_err_t err = {0};
    long long before = count(f->c.db, "persons"), hist = count(f->c.db, "history");
    json_t *out;

    assert_non_null(body);
    out = dom_create(&f->c, &dom_person, body, &err);
    json_decref(body);
    if (status == 0) {
        if (!out)
            fail_msg("%s: unexpected %d %s: %s", json, err.status, err.field, err.detail);
        assert_int_equal(count(f->c.db, "persons"), before + 1);
        json_decref(out);
        return;
    }
    if (out)
        fail_msg("%s: accepted, expected %d on %s", json, status, field);
    assert_int_equal(err.status, status);
    assert_string_equal(err.field, field);
    /* Nothing half-written. */
    assert_int_equal(count(f->c.db, "persons"), before);
    assert_int_equal(count(f->c.db, "history"), hist);
    dom_err_clear(&err);
}

static void person_validation_names_the_field(void **state)
{
    fixture_t *f = *state;

    expect_person(f, "{\"family_name\": \"Petrosyan\"}", 0, NULL);
    expect_person(f, "{\"given_name\": \"Արամ\", \"birth_date\": \"1978~\", \"origin_settlement\": \"stepanakert\"}",
                  0, NULL);
    expect_person(f, "{\"family_name\": 7}", DOM_INVALID, "family_name");
    expect_person(f, "{\"given_name\": \"\"}", DOM_INVALID, "family_name");
    expect_person(f, "{\"family_name\": \"A\", \"sex\": \"f\"}", DOM_INVALID, "sex");
    expect_person(f, "{\"family_name\": \"A\", \"birth_date\": \"1978-13\"}", DOM_INVALID, "birth_date");
    expect_person(f, "{\"family_name\": \"A\", \"birth_date\": \"1978-02-30\"}", DOM_INVALID, "birth_date");
    expect_person(f, "{\"family_name\": \"A\", \"birth_date\": \"2999\"}", DOM_INVALID, "birth_date");
    expect_person(f, "{\"family_name\": \"A\", \"origin_settlement\": \"atlantis\"}", DOM_INVALID,
                  "origin_settlement");
    expect_person(f, "{\"family_name\": \"A\", \"household\": \"00000000-0000-4000-8000-000000000000\"}",
                  DOM_INVALID, "household");
    expect_person(f, "{\"family_name\": \"A\", \"household\": \"nope\"}", DOM_INVALID, "household");
    expect_person(f, "{\"family_name\": \"A\", \"colour\": \"blue\"}", DOM_INVALID, "colour");
    expect_person(f, "{\"family_name\": \"A\", \"current_country\": \"Armenia\"}", DOM_INVALID, "current_country");
    expect_person(f, "{\"family_name\": \"A\", \"specific_needs\": [\"wings\"]}", DOM_INVALID, "specific_needs");
    expect_person(f, "{\"family_name\": \"A\", \"consent_tracing\": \"yes\"}", DOM_INVALID, "consent_tracing");
    expect_person(f, "{\"family_name\": \"A\", \"consent_tracing\": true}", DOM_INVALID, "consent_date");
    expect_person(f, "{\"family_name\": \"A\\u0001\"}", DOM_INVALID, "family_name");
    expect_person(f, "{\"family_name\": \"A\", \"name_script\": \"latn\"}", DOM_INVALID, "name_script");
    expect_person(f, "{\"family_name\": \"A\", \"relation_to_head\": \"child\"}", DOM_INVALID, "relation_to_head");
    {
        char big[400];
        memset(big, 'a', 150);
        strcpy(big + 150, "\"}");
        char json[512];
        snprintf(json, sizeof json, "{\"family_name\": \"%s", big);
        expect_person(f, json, DOM_INVALID, "family_name");
    }
}

static void update_needs_the_current_version(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *body = json_pack("{s:s}", "family_name", "Sargsyan"), *p, *patch, *out;
    const char *id;

    p = dom_create(&f->c, &dom_person, body, &err);
    assert_non_null(p);
    id = json_string_value(json_object_get(p, "id"));
    patch = json_pack("{s:s}", "given_name", "Narine");
    out = dom_update(&f->c, &dom_person, id, -1, patch, &err);
    assert_null(out);
    assert_int_equal(err.status, DOM_NEED_VERSION);
    dom_err_clear(&err);
    out = dom_update(&f->c, &dom_person, id, 7, patch, &err);
    assert_null(out);
    assert_int_equal(err.status, DOM_STALE);
    dom_err_clear(&err);
    out = dom_update(&f->c, &dom_person, id, 1, patch, &err);
    assert_non_null(out);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(out, "given_name")), "Narine");
    json_decref(out);
    /* The same change again changes nothing: no new version. */
    out = dom_update(&f->c, &dom_person, id, 2, patch, &err);
    assert_non_null(out);
    assert_int_equal(json_integer_value(json_object_get(out, "version")), 2);
    json_decref(out);
    json_decref(patch);
    json_decref(body);
    json_decref(p);
}

/* A read by UUID first tries the row keymap.c holds for it, and a hint
 * that is wrong (another record's row, one of another table, a row that
 * is gone) must never give another record: the read falls back to the
 * UUID and puts the hint right. */
static void reads_by_uuid_survive_wrong_hints(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *pa = json_pack("{s:s}", "family_name", "Abrahamyan"), *pb = json_pack("{s:s}", "family_name", "Babayan");
    json_t *ph = json_pack("{s:s}", "current_country", "AM"), *a, *b, *h;
    const char *ida, *idb, *idh;
    long long rowa, rowb, version = 0;
    size_t len = 0;
    char *text;

    keymap_clear();
    a = dom_create(&f->c, &dom_person, pa, &err);
    b = dom_create(&f->c, &dom_person, pb, &err);
    h = dom_create(&f->c, &dom_household, ph, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(h);
    ida = json_string_value(json_object_get(a, "id"));
    idb = json_string_value(json_object_get(b, "id"));
    idh = json_string_value(json_object_get(h, "id"));
    rowa = rec_key(f->c.db, "persons", ida);
    rowb = rec_key(f->c.db, "persons", idb);
    assert_true(rowa > 0 && rowb > 0 && rowa != rowb);

    /* A first read notes the row; the next one reads it through the hint. */
    assert_int_equal(keymap_get(ida), 0);
    text = dom_get_text(&f->c, &dom_person, ida, &version, &len, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "Abrahamyan"));
    free(text);
    assert_int_equal(keymap_get(ida), rowa);
    text = dom_get_text(&f->c, &dom_person, ida, &version, &len, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "Abrahamyan"));
    free(text);

    /* B's hint points at A's row: B is read, and the hint is put right. */
    keymap_put(idb, rowa);
    text = dom_get_text(&f->c, &dom_person, idb, &version, &len, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "Babayan"));
    assert_null(strstr(text, "Abrahamyan"));
    free(text);
    assert_int_equal(keymap_get(idb), rowb);

    /* A household's UUID with a person's row, read as a household. */
    keymap_put(idh, rowa);
    text = dom_get_text(&f->c, &dom_household, idh, &version, &len, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, idh));
    assert_null(strstr(text, "Abrahamyan"));
    free(text);

    /* A UUID of no record, with a hint to a real row: still not found. */
    keymap_put("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5", rowa);
    assert_null(dom_get_text(&f->c, &dom_person, "0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f5", &version, &len, &err));
    assert_int_equal(err.status, DOM_NOT_FOUND);
    dom_err_clear(&err);

    /* Only UUIDs in the form rows hold are noted; other text is never read past its end. */
    keymap_put("ABCDEF01-3B4A-4C5D-8E9F-A0B1C2D3E4F5", 5);
    assert_int_equal(keymap_get("ABCDEF01-3B4A-4C5D-8E9F-A0B1C2D3E4F5"), 0);
    keymap_put("abc", 5);
    assert_int_equal(keymap_get("abc"), 0);
    keymap_put("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f", 5);
    assert_int_equal(keymap_get("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f"), 0);
    keymap_put("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f55", 5);
    assert_int_equal(keymap_get("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4f55"), 0);
    keymap_put("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4g5", 5);
    assert_int_equal(keymap_get("0d6f1c2e-3b4a-4c5d-8e9f-a0b1c2d3e4g5"), 0);
    assert_int_equal(keymap_get(NULL), 0);

    keymap_clear();
    assert_int_equal(keymap_get(ida), 0);
    json_decref(a);
    json_decref(b);
    json_decref(h);
    json_decref(pa);
    json_decref(pb);
    json_decref(ph);
}

/* The map grows past its first tables and keeps every hint it was given. */
static void keymap_holds_many(void **state)
{
    char uuid[37];

    (void)state;
    keymap_clear();
    for (long long i = 1; i <= 20000; i++) {
        snprintf(uuid, sizeof uuid, "%08llx-0000-4000-8000-%012llx", (unsigned long long)(i * 2654435761u % 0xffffffffu),
                 (unsigned long long)i);
        keymap_put(uuid, i);
    }
    for (long long i = 1; i <= 20000; i++) {
        snprintf(uuid, sizeof uuid, "%08llx-0000-4000-8000-%012llx", (unsigned long long)(i * 2654435761u % 0xffffffffu),
                 (unsigned long long)i);
        assert_int_equal(keymap_get(uuid), i);
    }
    keymap_put(uuid, 7); /* a newer hint for the same UUID wins */
    assert_int_equal(keymap_get(uuid), 7);
    keymap_clear();
}

static void audit_log_is_append_only_for_the_program(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *body = json_pack("{s:s}", "family_name", "Hakobyan");
    json_t *p = dom_create(&f->c, &dom_person, body, &err);
    long long n = count(f->c.db, "audit");

    assert_non_null(p);
    assert_true(n >= 1);
    /* The authorizer refuses edits of the log and of users outside a scope. */
    assert_int_not_equal(sqlite3_exec(f->c.db, "UPDATE audit SET action = 'x'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(f->c.db, "DELETE FROM audit", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(f->c.db, "DROP TABLE audit", NULL, NULL, NULL), SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(f->c.db, "UPDATE users SET role = 'admin'", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(count(f->c.db, "audit"), n);
    json_decref(p);
    json_decref(body);
}

static void return_state_machine(void **state)
{
    (void)state;
    assert_true(return_move_allowed("registered", NULL, "counselled"));
    assert_false(return_move_allowed("registered", NULL, "arrived"));
    assert_false(return_move_allowed("registered", NULL, "scheduled"));
    assert_true(return_move_allowed("scheduled", NULL, "ready"));
    assert_true(return_move_allowed("in_transit", NULL, "suspended"));
    assert_false(return_move_allowed("in_transit", NULL, "withdrawn"));
    assert_true(return_move_allowed("suspended", "scheduled", "scheduled"));
    assert_false(return_move_allowed("suspended", "scheduled", "ready"));
    assert_true(return_move_allowed("suspended", "scheduled", "withdrawn"));
    assert_false(return_move_allowed("arrived", NULL, "suspended"));
    assert_true(return_move_allowed("arrived", NULL, "followed_up"));
    assert_false(return_move_allowed("followed_up", NULL, "arrived"));
    assert_false(return_move_allowed("withdrawn", NULL, "registered"));
    {
        json_t *m = return_allowed_moves("withdrawn", NULL);
        assert_int_equal(json_array_size(m), 0);
        json_decref(m);
        m = return_allowed_moves("registered", NULL);
        assert_int_equal(json_array_size(m), 3); /* counselled, suspended, withdrawn */
        json_decref(m);
    }
}

static void return_case_walks_and_refuses(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *body = json_pack("{s:s}", "family_name", "Avetisyan");
    json_t *p = dom_create(&f->c, &dom_person, body, &err);
    json_t *rc, *out;
    const char *id;
    static const char *const walk[] = {"counselled", "ready", "scheduled", "in_transit", "arrived", "followed_up"};

    assert_non_null(p);
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s}", "person", json_string_value(json_object_get(p, "id")), "intention",
                     "wishes_to_return", "requested_date", "2024-03-01");
    rc = dom_create(&f->c, &dom_return, body, &err);
    json_decref(body);
    assert_non_null(rc);
    assert_string_equal(json_string_value(json_object_get(rc, "status")), "registered");
    id = json_string_value(json_object_get(rc, "id"));

    body = json_pack("{s:s}", "to", "counselled");
    out = return_transition(&f->c, id, -1, body, &err);
    json_decref(body);
    assert_null(out);
    assert_int_equal(err.status, DOM_NEED_VERSION); /* a client must say which version it read */
    dom_err_clear(&err);

    body = json_pack("{s:s}", "to", "arrived");
    out = return_transition(&f->c, id, RETURN_ANY_VERSION, body, &err);
    json_decref(body);
    assert_null(out);
    assert_int_equal(err.status, DOM_CONFLICT);
    assert_non_null(json_object_get(err.extra, "allowed_moves"));
    dom_err_clear(&err);

    body = json_pack("{s:s}", "to", "suspended");
    out = return_transition(&f->c, id, RETURN_ANY_VERSION, body, &err);
    json_decref(body);
    assert_null(out);
    assert_string_equal(err.field, "reason");
    dom_err_clear(&err);

    for (int i = 0; i < 6; i++) {
        body = json_pack("{s:s, s:s}", "to", walk[i], "date", "2024-04-01");
        out = return_transition(&f->c, id, RETURN_ANY_VERSION, body, &err);
        json_decref(body);
        if (!out)
            fail_msg("move to %s refused: %s", walk[i], err.detail);
        assert_string_equal(json_string_value(json_object_get(out, "status")), walk[i]);
        if (i == 4)
            assert_int_equal(json_integer_value(json_object_get(out, "days_to_arrival")), 31);
        json_decref(out);
    }
    assert_int_equal(db_int(f->c.db, "SELECT count(*) FROM return_transitions", NULL, 0), 6);
    json_decref(rc);
    json_decref(p);
}

static void return_case_needs_one_subject(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *body = json_pack("{s:s}", "intention", "undecided");
    json_t *out = dom_create(&f->c, &dom_return, body, &err);

    assert_null(out);
    assert_int_equal(err.status, DOM_INVALID);
    assert_string_equal(err.field, "household");
    dom_err_clear(&err);
    json_decref(body);
}

/* store/sqlmem.c gives SQLite its memory: every size whole and aligned,
 * contents kept through realloc, a freed block given out again on the same
 * thread, lists of ended threads freed, and SQLite itself working on it.
 * Installed here for the whole program, as the command line does. */
static void *churn(void *unused)
{
    void *p[300];

    (void)unused;
    for (int i = 0; i < 300; i++)
        p[i] = sqlite3_malloc(1 + i * 3);
    for (int i = 0; i < 300; i++)
        sqlite3_free(p[i]);
    return NULL;
}

static void sqlite_memory_is_whole_and_reused(void **state)
{
    static const int sizes[] = {1, 7, 8, 16, 17, 100, 511, 512, 513, 1023, 1024, 1025, 5000};
    sqlite3 *db;
    pthread_t t;
    char *p, *q;

    (void)state;
    assert_int_equal(sqlite3_shutdown(), SQLITE_OK);
    assert_int_equal(db_memory_setup(), 0);
    assert_int_equal(sqlite3_initialize(), SQLITE_OK);
#if defined(__SANITIZE_ADDRESS__)
    assert_int_equal(db_memory_active(), 0); /* AddressSanitizer must see SQLite's frees */
#else
    assert_int_equal(db_memory_active(), 1);
#endif
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        p = sqlite3_malloc(sizes[i]);
        assert_non_null(p);
        assert_true(sqlite3_msize(p) >= (sqlite3_uint64)sizes[i]);
        assert_int_equal((uintptr_t)p % 8, 0);
        memset(p, 'a' + (int)i, (size_t)sizes[i]);
        q = sqlite3_malloc(sizes[i]);
        assert_non_null(q);
        memset(q, 'z', (size_t)sizes[i]);
        for (int k = 0; k < sizes[i]; k++)
            assert_int_equal(p[k], 'a' + (int)i); /* two live blocks never overlap */
        sqlite3_free(q);
        sqlite3_free(p);
    }
    p = sqlite3_malloc(10);
    memcpy(p, "abcdefghij", 10);
    p = sqlite3_realloc(p, 3000);
    assert_non_null(p);
    assert_memory_equal(p, "abcdefghij", 10);
    p = sqlite3_realloc(p, 5);
    assert_non_null(p);
    assert_memory_equal(p, "abcde", 5);
    sqlite3_free(p);
    if (db_memory_active()) {
        p = sqlite3_malloc(40);
        sqlite3_free(p);
        assert_ptr_equal(sqlite3_malloc(33), p); /* the same 48-byte class */
        sqlite3_free(p);
    }
    assert_int_equal(pthread_create(&t, NULL, churn, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (s TEXT);"
                                      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                                      " INSERT INTO t SELECT printf('%.*c', i % 700 + 1, 'x') FROM n;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(db_int(db, "SELECT sum(length(s)) FROM t", NULL, -1), 671600);
    sqlite3_close(db);
    db_memory_thread_end();
}

/* A reader's snapshot kept between requests (store/db.c): current until a
 * commit of any connection, renewed once the log is copied back so that it
 * can start over, and let go when stale or on demand. */
static long long kept_rows(sqlite3 *db)
{
    return db_int(db, "SELECT count(*) FROM organisations", NULL, -1);
}

static void read_snapshots_are_kept_until_a_commit(void **state)
{
    fixture_t *f = *state;
    sqlite3 *w = f->c.db, *r, *other;
    db_snapshot_t s = {0};
    char err[256];
    long long n;
    int log = -1, copied = -1, before;

    r = db_open(f->path, 0, err, sizeof err);
    other = db_open(f->path, 0, err, sizeof err);
    assert_non_null(r);
    assert_non_null(other);
    assert_int_equal(sqlite3_wal_checkpoint_v2(w, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);

    /* The first request learns where the wal-index is; from the second on, kept. */
    assert_int_equal(db_snapshot_use(r, &s), 1);
    n = kept_rows(r);
    db_snapshot_done(r, &s);
    assert_non_null(s.shm);
    assert_int_equal(db_snapshot_use(r, &s), 1);
    assert_int_equal(kept_rows(r), n);
    db_snapshot_done(r, &s);
    assert_int_equal(s.open, 1);
    assert_int_equal(sqlite3_get_autocommit(r), 0); /* the read transaction stays */
    assert_int_equal(db_snapshot_use(r, &s), 0);
    db_snapshot_done(r, &s);

    /* A commit of another connection ends it: the next request sees the rows. */
    assert_int_equal(db_exec(other, "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 300)"
                                    " INSERT INTO organisations (uuid, name, kind, created_at)"
                                    " SELECT printf('00000000-0000-4000-8000-%012d', i), printf('Kept %d', i), 'ngo',"
                                    " '2026-01-01' FROM k"),
                     0);
    assert_int_equal(db_snapshot_use(r, &s), 1);
    assert_int_equal(kept_rows(r), n + 300);
    db_snapshot_done(r, &s);
    assert_int_equal(db_snapshot_use(r, &s), 0);
    db_snapshot_done(r, &s);

    /* Once the log is all copied back, a snapshot begun before that is
     * renewed, and the next write starts the log over despite it. */
    assert_int_equal(sqlite3_wal_checkpoint_v2(w, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied), SQLITE_OK);
    assert_true(log > 10);
    assert_int_equal(copied, log);
    before = log;
    assert_int_equal(db_snapshot_use(r, &s), 1);
    db_snapshot_done(r, &s);
    assert_int_equal(db_snapshot_use(r, &s), 0);
    db_snapshot_done(r, &s);
    assert_int_equal(db_exec(w, "INSERT INTO organisations (uuid, name, kind, created_at) VALUES "
                                "('00000000-0000-4000-8000-0000000000a2', 'Kept B', 'ngo', '2026-01-01')"),
                     0);
    assert_int_equal(sqlite3_wal_checkpoint_v2(w, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied), SQLITE_OK);
    assert_true(log > 0);
    assert_true(log < before); /* the log started over: only the last write's frames */

    /* A writer's own uncommitted change is not a commit; a stale snapshot
     * is let go on request, and then a TRUNCATE checkpoint does not wait. */
    assert_int_equal(db_snapshot_use(r, &s), 1);
    assert_int_equal(kept_rows(r), n + 301);
    db_snapshot_done(r, &s);
    db_snapshot_release(r, &s, 1000000);
    assert_int_equal(s.open, 1); /* current and recently used: kept */
    assert_int_equal(db_exec(w, "DELETE FROM organisations WHERE name = 'nobody'"), 0);
    db_snapshot_release(r, &s, 1000000);
    assert_int_equal(s.open, 1); /* a commit that changed nothing leaves the log as it was */
    assert_int_equal(db_exec(w, "UPDATE organisations SET name = 'Kept C' WHERE name = 'Kept B'"), 0);
    db_snapshot_release(r, &s, 1000000);
    assert_int_equal(s.open, 0);
    assert_int_equal(sqlite3_get_autocommit(r), 1);
    assert_int_equal(sqlite3_wal_checkpoint_v2(w, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &copied), SQLITE_OK);
    assert_int_equal(log, 0);

    /* A request that writes ends its snapshot with a commit. */
    assert_int_equal(db_snapshot_use(r, &s), 1);
    assert_int_equal(db_exec(r, "UPDATE organisations SET name = 'Kept D' WHERE name = 'Kept C'"), 0);
    db_snapshot_done(r, &s);
    assert_int_equal(s.open, 0);
    assert_int_equal(sqlite3_get_autocommit(r), 1);
    assert_int_equal(db_int(other, "SELECT count(*) FROM organisations WHERE name = 'Kept D'", NULL, -1), 1);
    db_snapshot_release(r, &s, -1);
    db_close(other);
    db_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sqlite_memory_is_whole_and_reused),
        cmocka_unit_test_setup_teardown(migrations_apply_once_and_all_tables_are_strict, setup, teardown),
        cmocka_unit_test(migrations_are_numbered_once_each),
        cmocka_unit_test(clock_text_is_utc_iso_with_milliseconds),
        cmocka_unit_test_setup_teardown(usernames_and_organisations_are_fixed, setup, teardown),
        cmocka_unit_test_setup_teardown(read_snapshots_are_kept_until_a_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(migrate_refuses_a_newer_database, setup, teardown),
        cmocka_unit_test_setup_teardown(person_validation_names_the_field, setup, teardown),
        cmocka_unit_test_setup_teardown(update_needs_the_current_version, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_by_uuid_survive_wrong_hints, setup, teardown),
        cmocka_unit_test(keymap_holds_many),
        cmocka_unit_test_setup_teardown(audit_log_is_append_only_for_the_program, setup, teardown),
        cmocka_unit_test(return_state_machine),
        cmocka_unit_test_setup_teardown(return_case_walks_and_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(return_case_needs_one_subject, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

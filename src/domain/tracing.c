/*
 * tracing.c - tracing requests: a family member (or another inquirer)
 * looks for someone they lost; candidates are found among persons and
 * detainees, a tracing officer confirms or rejects each, and the inquirer
 * learns what the found person agrees to:
 *
 *   open -> potential_match -> confirmed -> closed   (closed may reopen)
 *
 * The request moves by itself when candidates appear (open ->
 * potential_match), when one is confirmed (-> confirmed) and when the last
 * pending one is rejected (potential_match -> open). Disclosure follows
 * ICRC practice: the inquirer is told that a match was found; the found
 * person's whereabouts and contact are released only with their consent,
 * recorded on the match, and each release is audited.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/dedup.h"
#include "domain/monitor.h"
#include "sec/audit.h"
#include "store/db.h"
#include "util/pdate.h"

static const char *const sexes[] = {"female", "male", "unknown", NULL};
static const char *const relations[] = {"parent", "child", "spouse", "sibling", "grandparent", "grandchild",
                                        "other_relative", "friend", "neighbour", "other", NULL};
static const char *const statuses[] = {"open", "potential_match", "confirmed", "closed", NULL};

static const rec_field_t fields[] = {
    {"inquirer_person", "inquirer_person_id", RT_REF, RF_FILTER, 0, 0, NULL, "persons"},
    {"inquirer_name", "inquirer_name", RT_TEXT, 0, 0, 200},
    {"inquirer_contact", "inquirer_contact", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 500},
    {"relation", "relation", RT_ENUM, RF_FILTER, 0, 0, relations},
    {"sought_given", "sought_given", RT_TEXT, RF_SORT, 0, 100},
    {"sought_family", "sought_family", RT_TEXT, RF_SORT, 0, 100},
    {"sought_patronymic", "sought_patronymic", RT_TEXT, 0, 0, 100},
    {"sought_other_names", "sought_other_names", RT_STRINGS, 0, 0, 10},
    {"sought_sex", "sought_sex", RT_ENUM, RF_FILTER, 0, 0, sexes},
    {"sought_birth_date", "sought_birth_date", RT_PDATE, RF_PAST, 0, 0},
    {"sought_age", "sought_age", RT_INT, 0, 0, 130},
    {"sought_description", "sought_description", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"last_known_place", "last_known_place", RT_TEXT, 0, 0, 200},
    {"last_known_settlement", "last_known_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"last_known_date", "last_known_date", RT_PDATE, RF_PAST, 0, 0},
    {"separation_date", "separation_date", RT_PDATE, RF_PAST | RF_SORT, 0, 0},
    {"separation_place", "separation_place", RT_TEXT, 0, 0, 200},
    {"separation_cause", "separation_cause", RT_TEXT, RF_MULTILINE, 0, 1000},
    {"request_date", "request_date", RT_DATE, RF_PAST | RF_SORT, 0, 0},
    {"status", "status", RT_ENUM, RF_READONLY | RF_FILTER | RF_SORT, 0, 0, statuses},
    {"status_date", "status_date", RT_DATE, RF_READONLY | RF_SORT, 0, 0},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t tracing_rec = {
    "tracing_request", "tracing_requests", "TR", RE_NUMBER | RE_ORG, fields,
    (int)(sizeof fields / sizeof fields[0]), NULL, NULL,
};

static const struct {
    const char *from;
    const char *to[3];
} moves[] = {
    {"open", {"potential_match", "closed"}},
    {"potential_match", {"confirmed", "open", "closed"}},
    {"confirmed", {"closed"}},
    {"closed", {"open"}},
};

json_t *tracing_allowed_moves(const char *from)
{
    json_t *a = json_array();

    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (from && strcmp(moves[i].from, from) == 0)
            for (int k = 0; k < 3 && moves[i].to[k]; k++)
                json_array_append_new(a, json_string(moves[i].to[k]));
    return a;
}

int tracing_move_allowed(const char *from, const char *to)
{
    return dom_move_listed(tracing_allowed_moves(from), to);
}

static int tracing_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    (void)c;
    if (!dom_str(rec, "inquirer_person") && !dom_str(rec, "inquirer_name")) {
        dom_fail(err, DOM_INVALID, "inquirer_name", "a tracing request needs an inquirer: a person or a name");
        return -1;
    }
    if (!dom_str(rec, "sought_given") && !dom_str(rec, "sought_family")) {
        dom_fail(err, DOM_INVALID, "sought_family", "the sought person needs a given name or a family name");
        return -1;
    }
    if (creating) {
        char today[16];
        if (!dom_str(rec, "request_date")) {
            mon_today(today);
            rec_val_set_text(&v[rec_field_index(&tracing_rec, "request_date")], today);
            json_object_set_new(rec, "request_date", json_string(today));
        }
        rec_val_set_text(&v[rec_field_index(&tracing_rec, "status")], "open");
        rec_val_set_text(&v[rec_field_index(&tracing_rec, "status_date")], dom_str(rec, "request_date"));
    } else if (!dom_str(rec, "request_date")) {
        dom_fail(err, DOM_INVALID, "request_date", "request_date cannot be removed");
        return -1;
    }
    return 0;
}

static int tracing_after_write(dom_ctx_t *c, long long id, json_t *rec, dom_err_t *err)
{
    json_t *ev = mstore_events(c->db, &mstore_tracing_machine, id);
    char now[32];
    int rc = 0;

    if (json_array_size(ev) == 0) {
        db_now(now);
        if (mstore_event_add(c->db, &mstore_tracing_machine, id, NULL, "open", dom_str(rec, "request_date"),
                             "request registered", NULL, c->user_id, now) != SQLITE_OK) {
            dom_fail(err, DOM_INTERNAL, NULL, "the request's first event could not be stored");
            rc = -1;
        }
    } else {
        /* The request date is the date of the first event. */
        json_t *first = json_array_get(ev, 0);
        if (dom_str(rec, "request_date") && strcmp(dom_str(first, "date") ? dom_str(first, "date") : "",
                                               dom_str(rec, "request_date")) != 0) {
            dom_fail(err, DOM_CONFLICT, "request_date",
                     "request_date is the day the request was registered and cannot be changed once set");
            rc = -1;
        }
    }
    json_decref(ev);
    if (rc == 0 && tracing_find_candidates(c, id, err) < 0)
        rc = -1;
    return rc;
}

/* Set once before the workers start; read by them afterwards. */
static tracing_engine_fn engine;

void tracing_set_engine(tracing_engine_fn fn)
{
    engine = fn;
}

int tracing_engine_connected(void)
{
    return engine != NULL;
}

#define CANDIDATES 10     /* at most this many per search */
#define CANDIDATE_PROB 0.5 /* the engine's threshold for review */

int tracing_find_candidates(dom_ctx_t *c, long long id, dom_err_t *err)
{
    json_t *req, *hits, *h;
    match_input_t in = {0};
    char born[PDATE_MAX], now[32], today[16], muuid[40];
    mstore_state_t s;
    size_t i;
    int added = 0;

    if (!engine)
        return 0;
    req = rec_get(c->db, &tracing_rec, id);
    if (!req || mstore_state(c->db, &mstore_tracing_machine, id, &s) != 0 || strcmp(s.status, "closed") == 0 ||
        strcmp(s.status, "confirmed") == 0) {
        json_decref(req);
        return 0;
    }
    in.id = dom_str(req, "id");
    in.given = dom_str(req, "sought_given");
    in.family = dom_str(req, "sought_family");
    in.patronymic = dom_str(req, "sought_patronymic");
    in.sex = dom_str(req, "sought_sex");
    in.birth_date = dom_str(req, "sought_birth_date");
    if (!in.birth_date && json_is_integer(json_object_get(req, "sought_age")) && dom_str(req, "request_date")) {
        /* An age at the request gives an approximate year of birth. */
        snprintf(born, sizeof born, "%d~",
                 atoi(dom_str(req, "request_date")) - (int)json_integer_value(json_object_get(req, "sought_age")));
        in.birth_date = born;
    }
    hits = engine(c, &in, CANDIDATES, CANDIDATE_PROB);
    db_now(now);
    json_array_foreach(hits, i, h) {
        long long pid = rec_find(c->db, dom_person.rec, dom_str(h, "id") ? dom_str(h, "id") : "", dom_viewer_org(c));
        json_t *p = pid ? rec_get(c->db, dom_person.rec, pid) : NULL;
        char *expl;
        long long mid = 0;
        int rc;

        /* Tracing searches only persons who consented to tracing. */
        if (!p || strcmp(dom_str(p, "record_status") ? dom_str(p, "record_status") : "", "active") != 0 ||
            !json_is_true(json_object_get(p, "consent_tracing")) ||
            (dom_str(req, "inquirer_person") && strcmp(dom_str(req, "inquirer_person"), dom_str(p, "id")) == 0)) {
            json_decref(p);
            continue;
        }
        json_decref(p);
        expl = json_dumps(json_object_get(h, "explanation") ? json_object_get(h, "explanation") : json_object(),
                          JSON_COMPACT | JSON_SORT_KEYS);
        rc = mstore_match_add(c->db, id, pid, 0, json_number_value(json_object_get(h, "weight")),
                              json_number_value(json_object_get(h, "probability")), expl ? expl : "{}", "engine", now,
                              &mid, muuid);
        free(expl);
        if (rc != SQLITE_OK) {
            json_decref(hits);
            json_decref(req);
            dom_fail(err, DOM_INTERNAL, NULL, "a candidate could not be stored");
            return -1;
        }
        added += mid != 0;
    }
    json_decref(hits);
    mon_today(today);
    if (added && strcmp(s.status, "open") == 0 &&
        mon_move_in(c, &tracing_rec, &mstore_tracing_machine, id, dom_str(req, "id"), "potential_match",
                    strcmp(today, s.date) < 0 ? s.date : today, "candidates found by the matching engine", NULL, -1,
                    tracing_allowed_moves, err) != 0) {
        json_decref(req);
        return -1;
    }
    json_decref(req);
    return added;
}

int tracing_record_written(dom_ctx_t *c, const char *kind, long long id, dom_err_t *err)
{
    long long *keys = NULL;
    int n, added = 0, own = 0;

    (void)id;
    if (!engine || (strcmp(kind, "person") && strcmp(kind, "detainee")))
        return 0;
    /* A detainee is searched through the person it is linked to; the
     * engine indexes persons. */
    if (strcmp(kind, "detainee") == 0 && !mstore_detainee_person(c->db, id))
        return 0;
    if (sqlite3_get_autocommit(c->db)) {
        if (dom_begin(c) != SQLITE_OK) {
            dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
            return -1;
        }
        own = 1;
    }
    n = mstore_tracing_open_keys(c->db, 500, &keys);
    for (int i = 0; i < n && added >= 0; i++) {
        int k = tracing_find_candidates(c, keys[i], err);
        added = k < 0 ? -1 : added + k;
    }
    free(keys);
    if (own) {
        if (added < 0 || n < 0 || dom_commit(c) != SQLITE_OK) {
            dom_rollback(c);
            return -1;
        }
    }
    return n < 0 ? -1 : added;
}

static void tracing_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    json_object_set_new(rec, "allowed_moves", tracing_allowed_moves(dom_str(rec, "status")));
    json_object_set_new(rec, "events", mstore_events(c->db, &mstore_tracing_machine, id));
    json_object_set_new(rec, "matches", mstore_matches(c->db, id));
    json_object_set_new(rec, "matching_engine", json_string(tracing_engine_connected() ? "connected"
                                                                                        : "not connected"));
}

const dom_entity_t dom_tracing = {&tracing_rec, tracing_prepare, tracing_after_write, tracing_decorate,
                                  dedup_request_written};

/* Moves to confirmed and to potential_match need candidates to stand on. */
static int guard(dom_ctx_t *c, long long id, const char *to, dom_err_t *err)
{
    if (strcmp(to, "confirmed") == 0 && mstore_match_count(c->db, id, "confirmed") == 0) {
        dom_fail(err, DOM_CONFLICT, "to", "a request is confirmed by confirming one of its candidates");
        return -1;
    }
    if (strcmp(to, "potential_match") == 0 && mstore_match_count(c->db, id, "pending") == 0) {
        dom_fail(err, DOM_CONFLICT, "to", "a request has a potential match only when a candidate awaits review");
        return -1;
    }
    return 0;
}

json_t *tracing_transition(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    const char *to = json_string_value(json_object_get(body, "to"));
    long long id = rec_find(c->db, &tracing_rec, uuid, dom_viewer_org(c));

    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no tracing request with id %s", uuid);
        return NULL;
    }
    if (to && guard(c, id, to, err) != 0)
        return NULL;
    if (to && strcmp(to, "closed") == 0 && !dom_str(body, "reason")) {
        dom_fail(err, DOM_INVALID, "reason", "reason is required to close a request");
        return NULL;
    }
    return mon_move(c, &dom_tracing, &mstore_tracing_machine, uuid, body, "reason", 0, tracing_allowed_moves, err);
}

json_t *tracing_matches(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id = rec_find(c->db, &tracing_rec, uuid, dom_viewer_org(c));

    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no tracing request with id %s", uuid);
        return NULL;
    }
    return json_pack("{s:o, s:n, s:s}", "items", mstore_matches(c->db, id), "next", "matching_engine",
                     tracing_engine_connected() ? "connected" : "not connected");
}

/* Open the write, find the request; 0 or -1 with err (rolled back). */
static long long begin_on(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id;

    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        return 0;
    }
    id = rec_find(c->db, &tracing_rec, uuid, dom_viewer_org(c));
    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no tracing request with id %s", uuid);
        dom_rollback(c);
    }
    return id;
}

static int trail(dom_ctx_t *c, long long id, const char *uuid, const char *action, json_t *changes,
                 const char *names)
{
    char now[32];
    long long v;

    db_now(now);
    v = mstore_touch(c->db, "tracing_requests", id, c->user_id, now);
    if (v < 0)
        return SQLITE_ERROR;
    return mon_trail(c, &tracing_rec, id, v, action, changes, uuid, names);
}

static json_t *finish(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    if (dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the change could not be stored");
        dom_rollback(c);
        return NULL;
    }
    return dom_get(c, &dom_tracing, uuid, err);
}

json_t *tracing_propose(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    static const char *const allowed[] = {"person", "detainee", "note", "date", NULL};
    const char *p, *d, *note = NULL;
    long long id, pid = 0, did = 0, mid;
    char now[32], muuid[40], date[16], *expl;
    json_t *changes, *e;
    mstore_state_t s;

    if (mon_body_only(body, allowed, err) != 0 || mon_body_text(body, "note", 1000, &note, err) != 0 ||
        mon_body_date(body, "date", date, err) != 0)
        return NULL;
    p = dom_str(body, "person");
    d = dom_str(body, "detainee");
    if (!p == !d) {
        dom_fail(err, DOM_INVALID, p ? "detainee" : "person", "give exactly one of person and detainee");
        return NULL;
    }
    if (!(id = begin_on(c, uuid, err)))
        return NULL;
    if ((p && !(pid = rec_find(c->db, dom_person.rec, p, dom_viewer_org(c)))) || (d && !(did = rec_find(c->db, dom_detainee.rec, d, dom_viewer_org(c))))) {
        dom_fail(err, DOM_INVALID, p ? "person" : "detainee", "no such %s", p ? "person" : "detainee");
        goto fail;
    }
    db_now(now);
    e = json_pack("{s:s, s:s?, s:s?}", "origin", "officer", "proposed_by", c->username, "note", note);
    expl = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(e);
    if (mstore_match_add(c->db, id, pid, did, 0, 0, expl, "officer", now, &mid, muuid) != SQLITE_OK) {
        free(expl);
        dom_fail(err, DOM_INTERNAL, NULL, "the candidate could not be stored");
        goto fail;
    }
    free(expl);
    if (!mid) {
        dom_fail(err, DOM_CONFLICT, p ? "person" : "detainee", "that %s is already a candidate of this request",
                 p ? "person" : "detainee");
        goto fail;
    }
    changes = json_pack("{s:{s:s, s:s, s:s}}", "match", "action", "propose", "id", muuid, "record", p ? p : d);
    if (trail(c, id, uuid, "match.propose", changes, "[\"matches\"]") != SQLITE_OK) {
        json_decref(changes);
        dom_fail(err, DOM_INTERNAL, NULL, "the candidate could not be stored");
        goto fail;
    }
    json_decref(changes);
    if (mstore_state(c->db, &mstore_tracing_machine, id, &s) == 0 && strcmp(s.status, "open") == 0 &&
        mon_move_in(c, &tracing_rec, &mstore_tracing_machine, id, uuid, "potential_match", date,
                    "candidate proposed", NULL, -1, tracing_allowed_moves, err) != 0)
        goto fail;
    return finish(c, uuid, err);
fail:
    dom_rollback(c);
    return NULL;
}

json_t *tracing_decide(dom_ctx_t *c, const char *uuid, const char *match, json_t *body, dom_err_t *err)
{
    static const char *const allowed[] = {"decision", "date", "note", NULL};
    const char *decision = dom_str(body, "decision"), *note = NULL;
    char date[16], now[32];
    mstore_match_t m;
    mstore_state_t s;
    json_t *changes;
    long long id;

    if (mon_body_only(body, allowed, err) != 0 || mon_body_date(body, "date", date, err) != 0 ||
        mon_body_text(body, "note", 1000, &note, err) != 0)
        return NULL;
    if (!decision || (strcmp(decision, "confirmed") && strcmp(decision, "rejected"))) {
        dom_fail(err, DOM_INVALID, "decision", "decision must be confirmed or rejected");
        return NULL;
    }
    if (!(id = begin_on(c, uuid, err)))
        return NULL;
    if (mstore_match_find(c->db, id, match, &m) != 0) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no candidate %s on this request", match);
        goto fail;
    }
    if (strcmp(m.decision, "pending") != 0) {
        dom_fail(err, DOM_CONFLICT, "decision", "this candidate was already %s", m.decision);
        err->extra = json_pack("{s:s}", "current", m.decision);
        goto fail;
    }
    if (mstore_state(c->db, &mstore_tracing_machine, id, &s) != 0 || strcmp(s.status, "closed") == 0) {
        dom_fail(err, DOM_CONFLICT, "decision", "the request is closed: reopen it first");
        err->extra = json_pack("{s:s, s:o}", "current", s.status, "allowed_moves", tracing_allowed_moves(s.status));
        goto fail;
    }
    if (strcmp(date, s.date) < 0) {
        dom_fail(err, DOM_INVALID, "date", "date %s is before the request's current status (since %s)", date, s.date);
        goto fail;
    }
    db_now(now);
    if (mstore_match_decide(c->db, m.id, decision, note, date, c->user_id, now) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the decision could not be stored");
        goto fail;
    }
    changes = json_pack("{s:{s:s, s:s, s:s, s:s?}}", "match", "action", decision, "id", m.uuid, "date", date,
                        "note", note);
    if (trail(c, id, uuid, "match.decide", changes, "[\"matches\"]") != SQLITE_OK) {
        json_decref(changes);
        dom_fail(err, DOM_INTERNAL, NULL, "the decision could not be stored");
        goto fail;
    }
    json_decref(changes);
    /* The request follows the decisions. */
    if (strcmp(decision, "confirmed") == 0 && strcmp(s.status, "confirmed") != 0) {
        if (strcmp(s.status, "open") == 0 &&
            mon_move_in(c, &tracing_rec, &mstore_tracing_machine, id, uuid, "potential_match", date,
                        "candidate under review", NULL, -1, tracing_allowed_moves, err) != 0)
            goto fail;
        if (mon_move_in(c, &tracing_rec, &mstore_tracing_machine, id, uuid, "confirmed", date, note, NULL, -1,
                        tracing_allowed_moves, err) != 0)
            goto fail;
    } else if (strcmp(decision, "rejected") == 0 && strcmp(s.status, "potential_match") == 0 &&
               mstore_match_count(c->db, id, "pending") == 0 && mstore_match_count(c->db, id, "confirmed") == 0) {
        if (mon_move_in(c, &tracing_rec, &mstore_tracing_machine, id, uuid, "open", date,
                        "every candidate rejected", NULL, -1, tracing_allowed_moves, err) != 0)
            goto fail;
    }
    return finish(c, uuid, err);
fail:
    dom_rollback(c);
    return NULL;
}

json_t *tracing_consent(dom_ctx_t *c, const char *uuid, const char *match, json_t *body, dom_err_t *err)
{
    static const char *const allowed[] = {"consent", "date", "note", NULL};
    json_t *j = json_object_get(body, "consent"), *changes;
    const char *note = NULL;
    char date[16];
    mstore_match_t m;
    long long id;

    if (mon_body_only(body, allowed, err) != 0 || mon_body_date(body, "date", date, err) != 0 ||
        mon_body_text(body, "note", 1000, &note, err) != 0)
        return NULL;
    if (!json_is_boolean(j)) {
        dom_fail(err, DOM_INVALID, "consent", "consent must be true or false: what the found person said");
        return NULL;
    }
    if (!(id = begin_on(c, uuid, err)))
        return NULL;
    if (mstore_match_find(c->db, id, match, &m) != 0) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no candidate %s on this request", match);
        goto fail;
    }
    if (strcmp(m.decision, "confirmed") != 0) {
        dom_fail(err, DOM_CONFLICT, "consent", "consent is asked of a found person: confirm the candidate first");
        err->extra = json_pack("{s:s}", "current", m.decision);
        goto fail;
    }
    if (mstore_match_consent(c->db, m.id, json_is_true(j), date, note, c->user_id) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the consent could not be stored");
        goto fail;
    }
    changes = json_pack("{s:{s:s, s:s, s:b, s:s}}", "match", "action", "consent", "id", m.uuid, "consent",
                        json_is_true(j), "date", date);
    if (trail(c, id, uuid, "match.consent", changes, "[\"found_consent\"]") != SQLITE_OK) {
        json_decref(changes);
        dom_fail(err, DOM_INTERNAL, NULL, "the consent could not be stored");
        goto fail;
    }
    json_decref(changes);
    return finish(c, uuid, err);
fail:
    dom_rollback(c);
    return NULL;
}

json_t *tracing_disclosure(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id = rec_find(c->db, &tracing_rec, uuid, dom_viewer_org(c));
    json_t *matches, *found = json_array(), *m;
    mstore_state_t s;
    size_t i;
    int any = 0;

    if (!id || mstore_state(c->db, &mstore_tracing_machine, id, &s) != 0) {
        json_decref(found);
        dom_fail(err, DOM_NOT_FOUND, NULL, "no tracing request with id %s", uuid);
        return NULL;
    }
    matches = mstore_matches(c->db, id);
    json_array_foreach(matches, i, m) {
        mstore_match_t mm;
        json_t *who;
        int consent;

        if (strcmp(dom_str(m, "decision"), "confirmed") != 0 || mstore_match_find(c->db, id, dom_str(m, "id"), &mm) != 0)
            continue;
        any = 1;
        consent = mm.consent;
        if (!consent) {
            json_array_append_new(found, json_pack("{s:s, s:b, s:s}", "match", mm.uuid, "consent", 0, "message",
                                                   "A match was found. The found person's whereabouts and contact"
                                                   " are given only with their consent, which has not been recorded."));
            continue;
        }
        who = mm.person_id ? mstore_found_person(c->db, mm.person_id, 1)
                           : mstore_found_detainee(c->db, mm.detainee_id, 1);
        if (!who)
            continue;
        json_array_append_new(found, json_pack("{s:s, s:s, s:b, s:s?, s:o}", "match", mm.uuid, "kind",
                                               mm.person_id ? "person" : "detainee", "consent", 1, "consent_date",
                                               dom_str(m, "found_consent_date"), "found", who));
    }
    /* Every release of a found person's details leaves a trace, in the same
     * way as a reveal (registry.c): if it cannot be audited it is withheld. */
    {
        int rc = SQLITE_OK, any_details = 0;
        json_t *o;

        json_array_foreach(found, i, o)
            any_details |= json_object_get(o, "found") != NULL;
        if (any_details)
            rc = dom_begin(c);
        json_array_foreach(found, i, o) {
            json_t *who = json_object_get(o, "found");
            audit_entry_t ae = {0};

            if (!who || rc != SQLITE_OK)
                continue;
            ae.user_id = c->user_id;
            ae.org_id = c->org_id;
            ae.action = "tracing_request.disclose";
            ae.record_kind = json_string_value(json_object_get(o, "kind"));
            ae.record_uuid = json_string_value(json_object_get(who, "id"));
            ae.fields = "[\"whereabouts\",\"contact\"]";
            ae.purpose = "tracing";
            ae.client = c->client;
            rc = audit_add(c->db, &ae);
        }
        if (any_details && (rc != SQLITE_OK || dom_commit(c) != SQLITE_OK)) {
            dom_rollback(c);
            json_decref(matches);
            json_decref(found);
            dom_fail(err, DOM_INTERNAL, NULL, "the disclosure could not be audited, so it is withheld");
            return NULL;
        }
    }
    json_decref(matches);
    return json_pack("{s:s, s:s, s:b, s:o}", "request", uuid, "status", s.status, "match_found", any, "found", found);
}

/*
 * detainee.c - prisoners of war, civilian detainees and the missing
 * (Geneva Convention III art. 122-123, IV art. 136-138): the art. 122
 * identity data, capture, the detaining authority, and the dated status
 * history that ends in release and repatriation:
 *
 *   reported_missing -> captured -> detained -> visited -> charged ->
 *   sentenced -> released -> repatriated,   or deceased from any state.
 *
 * Shortcuts that happen in practice are allowed (a missing person found
 * detained; release without charge; acquittal); going back is not. Each
 * record starts with a first event, so that its status on any past day can
 * be read from the events alone. Visits (which move a detained person to
 * visited), legal proceedings and transfers hang off the record.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "store/db.h"
#include "util/pdate.h"

static const char *const categories[] = {"prisoner_of_war", "civilian_detainee", "missing", NULL};
static const char *const statuses[] = {"reported_missing", "captured", "detained", "visited", "charged",
                                       "sentenced", "released", "repatriated", "deceased", NULL};

static const rec_field_t fields[] = {
    {"person", "person_id", RT_REF, RF_FILTER, 0, 0, NULL, "persons"},
    {"category", "category", RT_ENUM, RF_REQUIRED | RF_FILTER | RF_SORT, 0, 0, categories},
    {"surname", "surname", RT_TEXT, RF_SORT, 0, 100},
    {"first_names", "first_names", RT_TEXT, 0, 0, 100},
    {"rank", "rank", RT_TEXT, 0, 0, 100},
    {"serial_number", "serial_number", RT_TEXT, RF_FILTER, 0, 100},
    {"birth_date", "birth_date", RT_PDATE, RF_PAST, 0, 0},
    {"birth_place", "birth_place", RT_TEXT, 0, 0, 200},
    {"father_name", "father_name", RT_TEXT, 0, 0, 100},
    {"mother_maiden_name", "mother_maiden_name", RT_TEXT, 0, 0, 100},
    {"inform_person", "inform_person", RT_TEXT, 0, 0, 200},
    {"inform_address", "inform_address", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 500},
    {"capture_date", "capture_date", RT_PDATE, RF_PAST | RF_SORT, 0, 0},
    {"capture_place", "capture_place", RT_TEXT, 0, 0, 200},
    {"capture_settlement", "capture_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"capture_circumstances", "capture_circumstances", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"capture_source", "capture_source", RT_TEXT, 0, 0, 500},
    {"detaining_authority", "detaining_authority", RT_TEXT, RF_FILTER, 0, 200},
    {"detention_place", "detention_place", RT_TEXT, RF_PROTECTED, 0, 500},
    {"health", "health", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 2000},
    /* Set on creation (the first event); changed only by moves. */
    {"status", "status", RT_ENUM, RF_FILTER | RF_SORT, 0, 0, statuses},
    {"status_date", "status_date", RT_DATE, RF_PAST | RF_SORT, 0, 0},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t detainee_rec = {
    "detainee", "detainees", "DT", RE_NUMBER | RE_ORG, fields, (int)(sizeof fields / sizeof fields[0]), NULL, NULL,
};

static const rec_field_t visit_fields[] = {
    {"visitor", "visitor", RT_TEXT, RF_REQUIRED, 0, 200},
    {"date", "date", RT_DATE, RF_REQUIRED | RF_PAST, 0, 0},
    {"outcome", "outcome", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"note", "note", RT_TEXT, RF_MULTILINE, 0, 2000},
};
static const rec_field_t proceeding_fields[] = {
    {"court", "court", RT_TEXT, 0, 0, 200},
    {"charge", "charge", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"hearing_dates", "hearing_dates", RT_STRINGS, 0, 0, 100},
    {"sentence", "sentence", RT_TEXT, RF_MULTILINE, 0, 1000},
    {"note", "note", RT_TEXT, RF_MULTILINE, 0, 2000},
};
static const rec_field_t transfer_fields[] = {
    {"date", "date", RT_DATE, RF_REQUIRED | RF_PAST, 0, 0},
    {"from_place", "from_place", RT_TEXT, RF_PROTECTED, 0, 500},
    {"to_place", "to_place", RT_TEXT, RF_PROTECTED | RF_REQUIRED, 0, 500},
    {"note", "note", RT_TEXT, RF_MULTILINE, 0, 2000},
};

#define NF(a) ((int)(sizeof a / sizeof a[0]))
static const mstore_child_t visits = {"detainee_visit", "detainee_visits", "detainee_id", MS_CREATED,
                                      visit_fields, NF(visit_fields)};
static const mstore_child_t proceedings = {"detainee_proceeding", "detainee_proceedings", "detainee_id",
                                           MS_CREATED, proceeding_fields, NF(proceeding_fields)};
static const mstore_child_t transfers = {"detainee_transfer", "detainee_transfers", "detainee_id", MS_CREATED,
                                         transfer_fields, NF(transfer_fields)};

/* The moves forward; deceased is allowed from every other state. */
static const struct {
    const char *from;
    const char *to[4];
} forward[] = {
    {"reported_missing", {"captured", "detained", "released"}},
    {"captured", {"detained", "released"}},
    {"detained", {"visited", "charged", "released"}},
    {"visited", {"charged", "released"}},
    {"charged", {"sentenced", "released"}},
    {"sentenced", {"released"}},
    {"released", {"repatriated"}},
    {"repatriated", {NULL}},
};

json_t *detainee_allowed_moves(const char *from)
{
    json_t *a = json_array();

    for (size_t i = 0; i < sizeof forward / sizeof forward[0]; i++) {
        if (!from || strcmp(forward[i].from, from) != 0)
            continue;
        for (int k = 0; k < 4 && forward[i].to[k]; k++)
            json_array_append_new(a, json_string(forward[i].to[k]));
        json_array_append_new(a, json_string("deceased"));
    }
    return a;
}

int detainee_move_allowed(const char *from, const char *to)
{
    return dom_move_listed(detainee_allowed_moves(from), to);
}

static int detainee_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    int is = rec_field_index(&detainee_rec, "status"), id = rec_field_index(&detainee_rec, "status_date");

    if (!dom_str(rec, "surname") && !dom_str(rec, "first_names") && !dom_str(rec, "person")) {
        dom_fail(err, DOM_INVALID, "surname", "a detainee needs a surname, first names or a person");
        return -1;
    }
    if (creating) {
        const char *st = dom_str(rec, "status") ? dom_str(rec, "status") : "reported_missing";
        char today[16];

        if (strcmp(st, "reported_missing") && strcmp(st, "captured") && strcmp(st, "detained")) {
            dom_fail(err, DOM_INVALID, "status",
                     "a detainee is registered as reported_missing, captured or detained; later statuses are moves");
            return -1;
        }
        rec_val_set_text(&v[is], st);
        json_object_set_new(rec, "status", json_string(st));
        if (!dom_str(rec, "status_date")) {
            mon_today(today);
            rec_val_set_text(&v[id], today);
            json_object_set_new(rec, "status_date", json_string(today));
        }
    } else if (v[is].set || v[id].set) {
        mstore_state_t s;
        long long key = rec_key(c->db, "detainees", dom_str(rec, "id") ? dom_str(rec, "id") : "");

        if (!key || mstore_state(c->db, &mstore_detainee_machine, key, &s) != 0) {
            dom_fail(err, DOM_NOT_FOUND, NULL, "no such detainee");
            return -1;
        }
        if ((v[is].set && (v[is].null || strcmp(v[is].s, s.status))) ||
            (v[id].set && (v[id].null || strcmp(v[id].s, s.date)))) {
            dom_fail(err, DOM_CONFLICT, v[is].set ? "status" : "status_date",
                     "the status changes only by a move: POST /api/v1/detainees/{id}/events");
            err->extra = json_pack("{s:s, s:o}", "current", s.status, "allowed_moves",
                                   detainee_allowed_moves(s.status));
            return -1;
        }
        v[is].set = 0;
        v[id].set = 0;
    }
    return 0;
}

static int detainee_after_write(dom_ctx_t *c, long long id, json_t *rec, dom_err_t *err)
{
    char now[32];

    /* A new record gets its first event: the status it was registered in. */
    {
        mstore_state_t s;
        json_t *ev;

        ev = mstore_events(c->db, &mstore_detainee_machine, id);
        if (json_array_size(ev) == 0) {
            db_now(now);
            if (mstore_state(c->db, &mstore_detainee_machine, id, &s) != 0 ||
                mstore_event_add(c->db, &mstore_detainee_machine, id, NULL, s.status, s.date, "registered",
                                 dom_str(rec, "capture_source"), c->user_id, now) != SQLITE_OK) {
                json_decref(ev);
                dom_fail(err, DOM_INTERNAL, NULL, "the detainee's first event could not be stored");
                return -1;
            }
        }
        json_decref(ev);
    }
    return tracing_record_written(c, "detainee", id, err) < 0 ? -1 : 0;
}

static void detainee_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    json_t *a;

    json_object_set_new(rec, "allowed_moves", detainee_allowed_moves(dom_str(rec, "status")));
    json_object_set_new(rec, "events", mstore_events(c->db, &mstore_detainee_machine, id));
    json_object_set_new(rec, "visits", mstore_child_list(c->db, &visits, id, "date"));
    json_object_set_new(rec, "proceedings", mstore_child_list(c->db, &proceedings, id, NULL));
    a = mstore_child_list(c->db, &transfers, id, "date");
    {
        size_t i;
        json_t *o;
        json_array_foreach(a, i, o)
            mon_redact(c, transfers.kind, transfers.fields, transfers.nfields, o);
    }
    json_object_set_new(rec, "transfers", a);
}

const dom_entity_t dom_detainee = {&detainee_rec, detainee_prepare, detainee_after_write, detainee_decorate};

json_t *detainee_move(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    return mon_move(c, &dom_detainee, &mstore_detainee_machine, uuid, body, "note", 1, detainee_allowed_moves,
                    err);
}

json_t *detainee_events(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id = rec_find(c->db, &detainee_rec, uuid, dom_viewer_org(c));

    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no detainee with id %s", uuid);
        return NULL;
    }
    return json_pack("{s:o, s:n}", "items", mstore_events(c->db, &mstore_detainee_machine, id), "next");
}

/* Hearing dates are dates. */
static int proceeding_check(dom_ctx_t *c, long long parent, json_t *body, rec_val_t *v, long long self,
                            dom_err_t *err)
{
    json_t *a = json_object_get(body, "hearing_dates"), *d;
    size_t i;

    (void)c;
    (void)parent;
    (void)v;
    (void)self;
    json_array_foreach(a, i, d) {
        pdate_t p;
        const char *why;
        if (pdate_parse(json_string_value(d), &p, &why) != 0) {
            dom_fail(err, DOM_INVALID, "hearing_dates", "hearing_dates[%zu]: %s", i, why);
            return -1;
        }
    }
    return 0;
}

/* A visit to a detainee who is detained moves them to visited, on the
 * visit's day (when that is not before their current status). */
static int visit_after(dom_ctx_t *c, long long parent, long long row, json_t *body, const char *now,
                       dom_err_t *err)
{
    mstore_state_t s;
    const char *date = json_string_value(json_object_get(body, "date"));
    const char *visitor = json_string_value(json_object_get(body, "visitor"));
    json_t *rec;
    int rc;

    (void)row;
    (void)now;
    if (mstore_state(c->db, &mstore_detainee_machine, parent, &s) != 0)
        return 0;
    if (strcmp(s.status, "detained") != 0 || !date || strcmp(date, s.date) < 0)
        return 0;
    rec = rec_get(c->db, &detainee_rec, parent);
    rc = mon_move_in(c, &detainee_rec, &mstore_detainee_machine, parent, dom_str(rec, "id"), "visited", date,
                     "visit recorded", visitor, -1, detainee_allowed_moves, err);
    json_decref(rec);
    return rc;
}

/* A transfer changes the place of detention to where they were taken. */
static int transfer_after(dom_ctx_t *c, long long parent, long long row, json_t *body, const char *now,
                          dom_err_t *err)
{
    rec_val_t v[NF(fields) + 1];
    int changed = 0, i = rec_field_index(&detainee_rec, "detention_place");
    rec_actor_t a = {c->user_id, c->org_id, now};
    mstore_state_t s;
    const char *to = json_string_value(json_object_get(body, "to_place"));

    (void)row;
    if (!to || mstore_state(c->db, &mstore_detainee_machine, parent, &s) != 0)
        return 0;
    memset(v, 0, sizeof v);
    v[i].set = 1;
    v[i].s = (char *)to;
    if (rec_update(c->db, &detainee_rec, parent, s.version, v, &a, &changed) != SQLITE_OK || !changed) {
        dom_fail(err, DOM_INTERNAL, NULL, "the transfer could not change the place of detention");
        return -1;
    }
    return 0;
}

json_t *detainee_add(dom_ctx_t *c, const char *uuid, const char *what, json_t *body, dom_err_t *err)
{
    if (strcmp(what, "visits") == 0)
        return mon_child_add(c, &detainee_rec, &visits, uuid, body, NULL, NULL, visit_after, err);
    if (strcmp(what, "proceedings") == 0)
        return mon_child_add(c, &detainee_rec, &proceedings, uuid, body, NULL, proceeding_check, NULL, err);
    if (strcmp(what, "transfers") == 0)
        return mon_child_add(c, &detainee_rec, &transfers, uuid, body, NULL, NULL, transfer_after, err);
    dom_fail(err, DOM_NOT_FOUND, NULL, "detainees have no %s", what);
    return NULL;
}

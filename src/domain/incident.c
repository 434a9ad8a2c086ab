/*
 * incident.c - incidents after the HURIDOCS Events Standard Formats: the
 * event (what, when, where), its acts (who suffered what), the alleged
 * perpetrators as reported (never as established), the sources with their
 * reliability, and the verification, each change with who and why:
 *
 *   unverified -> partially_verified -> verified,   or disputed
 *
 * An incident is tied to the persons it concerns, to the return cases it
 * obstructed (as their obstacles) and to the links it closed (as blockade
 * events); the indicators count returns obstructed by force or intimidation
 * from these ties.
 */
#include <string.h>

#include "domain/monitor.h"
#include "store/db.h"
#include "util/pdate.h"

static const char *const types[] = {"use_of_force", "intimidation", "denial_of_passage", "detention",
                                    "property_destruction", "blockade_event", "other", NULL};
static const char *const confidentialities[] = {"public", "internal", "restricted", NULL};
static const char *const verifications[] = {"unverified", "partially_verified", "verified", "disputed", NULL};
static const char *const act_types[] = {"killing", "injury", "beating", "threat", "arbitrary_detention",
                                        "abduction", "enforced_disappearance", "denial_of_passage",
                                        "property_destruction", "looting", "forced_displacement", "harassment",
                                        "other", NULL};
/* Source reliability on the Admiralty (NATO) scale A-F. */
static const char *const reliabilities[] = {"reliable", "usually_reliable", "fairly_reliable",
                                            "not_usually_reliable", "unreliable", "cannot_be_judged", NULL};
static const char *const source_kinds[] = {"witness", "victim", "media", "ngo_report", "official_statement",
                                           "social_media", "imagery", "document", "other", NULL};
static const char *const person_roles[] = {"victim", "witness", "other", NULL};

static const rec_field_t fields[] = {
    {"title", "title", RT_TEXT, RF_REQUIRED | RF_SORT, 0, 200},
    {"type", "type", RT_ENUM, RF_REQUIRED | RF_FILTER | RF_SORT, 0, 0, types},
    {"start_date", "start_date", RT_PDATE, RF_PAST | RF_SORT, 0, 0},
    {"end_date", "end_date", RT_PDATE, RF_PAST, 0, 0},
    {"settlement", "settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"lat", "lat", RT_REAL, 0, 0, 0},
    {"lon", "lon", RT_REAL, 0, 0, 0},
    {"location_text", "location_text", RT_TEXT, 0, 0, 300},
    {"description", "description", RT_TEXT, RF_MULTILINE, 0, 10000},
    {"confidentiality", "confidentiality", RT_ENUM, RF_FILTER, 0, 0, confidentialities},
    {"verification", "verification", RT_ENUM, RF_READONLY | RF_FILTER, 0, 0, verifications},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t incident_rec = {
    "incident", "incidents", "IN", RE_NUMBER | RE_ORG, fields, (int)(sizeof fields / sizeof fields[0]), NULL,
    NULL,
};

static const rec_field_t act_fields[] = {
    {"victim", "victim_person_id", RT_REF, 0, 0, 0, NULL, "persons"},
    {"act_type", "act_type", RT_ENUM, RF_REQUIRED, 0, 0, act_types},
    {"consequences", "consequences", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"note", "note", RT_TEXT, RF_MULTILINE, 0, 2000},
};
static const rec_field_t perpetrator_fields[] = {
    {"description", "description", RT_TEXT, RF_REQUIRED | RF_MULTILINE, 0, 1000},
    {"source", "source_id", RT_REF, 0, 0, 0, NULL, "incident_sources"},
};
static const rec_field_t source_fields[] = {
    {"kind", "kind", RT_ENUM, RF_REQUIRED, 0, 0, source_kinds},
    {"date", "date", RT_PDATE, RF_PAST, 0, 0},
    {"reliability", "reliability", RT_ENUM, 0, 0, 0, reliabilities},
    {"reference", "reference", RT_TEXT, RF_MULTILINE, 0, 1000},
    {"witness_identity", "witness_identity", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 1000},
};

#define NF(a) ((int)(sizeof a / sizeof a[0]))
static const mstore_child_t acts = {"incident_act", "incident_acts", "incident_id", 0, act_fields, NF(act_fields)};
static const mstore_child_t perpetrators = {"incident_perpetrator", "incident_perpetrators", "incident_id", 0,
                                            perpetrator_fields, NF(perpetrator_fields)};
static const mstore_child_t sources = {"incident_source", "incident_sources", "incident_id", 0, source_fields,
                                       NF(source_fields)};

static const struct {
    const char *from;
    const char *to[3];
} moves[] = {
    {"unverified", {"partially_verified", "disputed"}},
    {"partially_verified", {"verified", "disputed"}},
    {"verified", {"disputed"}},
    {"disputed", {"partially_verified", "verified"}},
};

json_t *incident_allowed_moves(const char *from)
{
    json_t *a = json_array();

    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
        if (from && strcmp(moves[i].from, from) == 0)
            for (int k = 0; k < 3 && moves[i].to[k]; k++)
                json_array_append_new(a, json_string(moves[i].to[k]));
    return a;
}

int incident_move_allowed(const char *from, const char *to)
{
    return dom_move_listed(incident_allowed_moves(from), to);
}

static int incident_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    json_t *lat = json_object_get(rec, "lat"), *lon = json_object_get(rec, "lon");
    const char *s = dom_str(rec, "start_date"), *e = dom_str(rec, "end_date");

    (void)c;
    (void)v;
    (void)creating;
    if (json_is_number(lat) != json_is_number(lon)) {
        dom_fail(err, DOM_INVALID, json_is_number(lat) ? "lon" : "lat", "give both lat and lon, or neither");
        return -1;
    }
    if (json_is_number(lat) && (json_number_value(lat) < -90 || json_number_value(lat) > 90)) {
        dom_fail(err, DOM_INVALID, "lat", "lat must be from -90 to 90");
        return -1;
    }
    if (json_is_number(lon) && (json_number_value(lon) < -180 || json_number_value(lon) > 180)) {
        dom_fail(err, DOM_INVALID, "lon", "lon must be from -180 to 180");
        return -1;
    }
    if (s && e) {
        pdate_t a, b;
        const char *why;
        if (pdate_parse(s, &a, &why) == 0 && pdate_parse(e, &b, &why) == 0 && pdate_cmp_earliest(&b, &a) < 0) {
            dom_fail(err, DOM_INVALID, "end_date", "end_date is before start_date");
            return -1;
        }
    }
    return 0;
}

static void redact_all(dom_ctx_t *c, const mstore_child_t *ch, json_t *a)
{
    size_t i;
    json_t *o;

    json_array_foreach(a, i, o)
        mon_redact(c, ch->kind, ch->fields, ch->nfields, o);
}

static void incident_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    json_t *src = mstore_child_list(c->db, &sources, id, NULL), *ties = mstore_incident_ties(c->db, id);

    redact_all(c, &sources, src);
    json_object_set_new(rec, "allowed_moves", incident_allowed_moves(dom_str(rec, "verification")));
    json_object_set_new(rec, "verifications", mstore_events(c->db, &mstore_incident_machine, id));
    json_object_set_new(rec, "acts", mstore_child_list(c->db, &acts, id, NULL));
    json_object_set_new(rec, "perpetrators", mstore_child_list(c->db, &perpetrators, id, NULL));
    json_object_set_new(rec, "sources", src);
    json_object_update(rec, ties);
    json_decref(ties);
}

const dom_entity_t dom_incident = {&incident_rec, incident_prepare, NULL, incident_decorate};

json_t *incident_verify(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    if (json_is_object(body) && !dom_str(body, "reason")) {
        dom_fail(err, DOM_INVALID, "reason", "reason is required: why the verification changes");
        return NULL;
    }
    return mon_move(c, &dom_incident, &mstore_incident_machine, uuid, body, "reason", 0, incident_allowed_moves,
                    err);
}

/* A perpetrator's source must be a source of the same incident. */
static int perpetrator_check(dom_ctx_t *c, long long parent, json_t *body, rec_val_t *v, long long self,
                             dom_err_t *err)
{
    int i = 1; /* "source" */

    (void)self;
    if (v[i].set && !v[i].null && !mstore_child_key(c->db, &sources, parent, dom_str(body, "source"))) {
        dom_fail(err, DOM_INVALID, "source", "source must be one of this incident's sources");
        return -1;
    }
    return 0;
}

/* The ties: persons, return cases and links (no rows of their own). */
static json_t *tie(dom_ctx_t *c, const char *uuid, const char *what, json_t *body, dom_err_t *err)
{
    static const char *const person_m[] = {"person", "role", NULL};
    static const char *const return_m[] = {"return_case", "kind", "note", NULL};
    static const char *const link_m[] = {"link", "period", NULL};
    const char *ref, *note = NULL, *kind = NULL;
    long long id, other = 0, period = 0;
    char now[32], act[48];
    json_t *changes, *out = NULL;
    int rc = SQLITE_OK;

    if (strcmp(what, "persons") == 0) {
        if (mon_body_only(body, person_m, err) != 0)
            return NULL;
        kind = dom_str(body, "role") ? dom_str(body, "role") : "victim";
        ref = dom_str(body, "person");
        {
            int ok = 0;
            for (int i = 0; person_roles[i]; i++)
                ok |= strcmp(person_roles[i], kind) == 0;
            if (!ok) {
                dom_fail(err, DOM_INVALID, "role", "role must be one of: victim, witness, other");
                return NULL;
            }
        }
    } else if (strcmp(what, "returns") == 0) {
        if (mon_body_only(body, return_m, err) != 0 || mon_body_text(body, "note", 1000, &note, err) != 0 ||
            mon_body_text(body, "kind", 100, &kind, err) != 0)
            return NULL;
        if (!kind)
            kind = "incident";
        ref = dom_str(body, "return_case");
    } else {
        if (mon_body_only(body, link_m, err) != 0)
            return NULL;
        ref = dom_str(body, "link");
    }
    if (!ref) {
        dom_fail(err, DOM_INVALID, strcmp(what, "persons") == 0 ? "person" : strcmp(what, "returns") == 0 ? "return_case" : "link",
                 "the record to tie the incident to is required");
        return NULL;
    }
    db_now(now);
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        return NULL;
    }
    id = rec_find(c->db, &incident_rec, uuid, dom_viewer_org(c));
    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no incident with id %s", uuid);
        goto done;
    }
    if (strcmp(what, "persons") == 0) {
        if (!(other = rec_find(c->db, dom_person.rec, ref, dom_viewer_org(c)))) {
            dom_fail(err, DOM_INVALID, "person", "no such person");
            goto done;
        }
        rc = mstore_incident_person(c->db, id, other, kind);
    } else if (strcmp(what, "returns") == 0) {
        if (!(other = rec_find(c->db, dom_return.rec, ref, dom_viewer_org(c)))) {
            dom_fail(err, DOM_INVALID, "return_case", "no such return case");
            goto done;
        }
        rc = mstore_incident_return(c->db, id, other, kind, note, c->user_id, now);
    } else {
        if (!(other = rec_key(c->db, "links", ref))) {
            dom_fail(err, DOM_INVALID, "link", "no such link");
            goto done;
        }
        if (dom_str(body, "period")) {
            long long of = 0;
            period = mstore_period_key(c->db, dom_str(body, "period"), &of);
            if (!period || of != other) {
                dom_fail(err, DOM_INVALID, "period", period ? "the period belongs to another link" : "no such period");
                goto done;
            }
        }
        rc = mstore_incident_link(c->db, id, other, period);
    }
    if (rc != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the tie could not be stored");
        goto done;
    }
    {
        long long v = mstore_touch(c->db, "incidents", id, c->user_id, now);
        snprintf(act, sizeof act, "%s.tie", what);
        changes = json_pack("{s:{s:s, s:s, s:s?}}", what, "action", "tie", "record", ref, "as", kind);
        rc = v < 0 ? SQLITE_ERROR : mon_trail(c, &incident_rec, id, v, act, changes, uuid, "[\"ties\"]");
        json_decref(changes);
    }
    if (rc != SQLITE_OK || dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the tie could not be stored");
        goto done;
    }
    out = mstore_incident_ties(c->db, id);
done:
    if (!out)
        dom_rollback(c);
    return out;
}

json_t *incident_add(dom_ctx_t *c, const char *uuid, const char *what, json_t *body, dom_err_t *err)
{
    if (strcmp(what, "acts") == 0)
        return mon_child_add(c, &incident_rec, &acts, uuid, body, NULL, NULL, NULL, err);
    if (strcmp(what, "perpetrators") == 0)
        return mon_child_add(c, &incident_rec, &perpetrators, uuid, body, NULL, perpetrator_check, NULL, err);
    if (strcmp(what, "sources") == 0)
        return mon_child_add(c, &incident_rec, &sources, uuid, body, NULL, NULL, NULL, err);
    if (strcmp(what, "persons") == 0 || strcmp(what, "returns") == 0 || strcmp(what, "links") == 0) {
        if (!json_is_object(body)) {
            dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
            return NULL;
        }
        return tie(c, uuid, what, body, err);
    }
    dom_fail(err, DOM_NOT_FOUND, NULL, "incidents have no %s", what);
    return NULL;
}

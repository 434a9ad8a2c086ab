/*
 * returncase.c - return cases, from the stated intention to arrival and
 * follow-up, and the state machine that governs their moves:
 *
 *   registered -> counselled -> ready -> scheduled -> in_transit -> arrived -> followed_up
 *
 * A case can be suspended from any state before arrival (and resumes to the
 * state it left) or withdrawn before it is in transit; a scheduled case can
 * go back to ready, and a case turned back on the road is suspended.
 * Arrived, followed_up and withdrawn are final.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "domain/writer.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/registry_store.h"
#include "util/pdate.h"

static const char *const intentions[] = {"wishes_to_return", "undecided", "does_not_wish", NULL};
static const char *const conditions[] = {"security_guarantees", "property", "documents", "services",
                                         "housing", "livelihood", "freedom_of_movement",
                                         "family_reunification", "status_and_rights", "other", NULL};
static const char *const statuses[] = {"registered", "counselled", "ready", "scheduled", "in_transit",
                                       "arrived", "followed_up", "suspended", "withdrawn", NULL};

static const rec_field_t fields[] = {
    {"household", "household_id", RT_REF, RF_FILTER, 0, 0, NULL, "households"},
    {"person", "person_id", RT_REF, RF_FILTER, 0, 0, NULL, "persons"},
    {"intention", "intention", RT_ENUM, RF_REQUIRED | RF_FILTER, 0, 0, intentions},
    {"intention_date", "intention_date", RT_PDATE, RF_PAST, 0, 0},
    {"conditions", "conditions", RT_CODES, 0, 0, 10, conditions},
    {"conditions_note", "conditions_note", RT_TEXT, RF_MULTILINE, 0, 1000},
    {"destination_settlement", "destination_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"crossing_point", "crossing_point_id", RT_REF, RF_FILTER, 0, 0, NULL, "links"},
    {"requested_date", "requested_date", RT_DATE, RF_PAST | RF_SORT, 0, 0},
    {"status", "status", RT_ENUM, RF_READONLY | RF_FILTER | RF_SORT, 0, 0, statuses},
    {"status_date", "status_date", RT_DATE, RF_READONLY | RF_SORT, 0, 0},
    {"suspended_from", "suspended_from", RT_ENUM, RF_READONLY, 0, 0, statuses},
    {"scheduled_date", "scheduled_date", RT_DATE, RF_READONLY | RF_SORT, 0, 0},
    {"arrived_date", "arrived_date", RT_DATE, RF_READONLY | RF_SORT, 0, 0},
    {"notes", "notes", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t return_rec = {
    "return_case", "return_cases", "RC", RE_NUMBER | RE_ORG, fields, (int)(sizeof fields / sizeof fields[0]),
    NULL, NULL,
};

/* The forward moves; suspension, withdrawal and resumption are rules below. */
static const struct {
    const char *from;
    const char *to[3];
} forward[] = {
    {"registered", {"counselled"}},
    {"counselled", {"ready"}},
    {"ready", {"scheduled", "counselled"}},
    {"scheduled", {"in_transit", "ready"}},
    {"in_transit", {"arrived"}},
    {"arrived", {"followed_up"}},
};

static int is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int can_suspend(const char *from)
{
    return is(from, "registered") || is(from, "counselled") || is(from, "ready") || is(from, "scheduled") ||
           is(from, "in_transit");
}

static int can_withdraw(const char *from)
{
    return is(from, "registered") || is(from, "counselled") || is(from, "ready") || is(from, "scheduled") ||
           is(from, "suspended");
}

json_t *return_allowed_moves(const char *from, const char *suspended_from)
{
    json_t *a = json_array();

    for (size_t i = 0; i < sizeof forward / sizeof forward[0]; i++)
        if (is(forward[i].from, from))
            for (int k = 0; k < 3 && forward[i].to[k]; k++)
                json_array_append_new(a, json_string(forward[i].to[k]));
    if (is(from, "suspended") && suspended_from && *suspended_from)
        json_array_append_new(a, json_string(suspended_from));
    if (can_suspend(from))
        json_array_append_new(a, json_string("suspended"));
    if (can_withdraw(from))
        json_array_append_new(a, json_string("withdrawn"));
    return a;
}

int return_move_allowed(const char *from, const char *suspended_from, const char *to)
{
    return dom_move_listed(return_allowed_moves(from, suspended_from), to);
}

static int set_text(rec_val_t *v, const char *s)
{
    free(v->s);
    v->set = 1;
    v->null = 0;
    v->s = strdup(s);
    return v->s ? 0 : -1;
}

static int return_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    int has_h = dom_str(rec, "household") != NULL, has_p = dom_str(rec, "person") != NULL;

    (void)c;
    if (has_h == has_p) {
        dom_fail(err, DOM_INVALID, has_h ? "person" : "household",
                 "a return case is for one household or one person: give exactly one of household and person");
        return -1;
    }
    if (creating) {
        pdate_t today;
        char d[PDATE_MAX];

        pdate_today(&today);
        pdate_format(&today, d);
        if (!dom_str(rec, "requested_date")) {
            set_text(&v[rec_field_index(&return_rec, "requested_date")], d);
            json_object_set_new(rec, "requested_date", json_string(d));
        }
        set_text(&v[rec_field_index(&return_rec, "status")], "registered");
        set_text(&v[rec_field_index(&return_rec, "status_date")], dom_str(rec, "requested_date"));
    } else if (!dom_str(rec, "requested_date")) {
        dom_fail(err, DOM_INVALID, "requested_date", "requested_date cannot be removed");
        return -1;
    }
    return 0;
}

static void return_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    const char *req = dom_str(rec, "requested_date"), *arr = dom_str(rec, "arrived_date");

    json_object_set_new(rec, "allowed_moves",
                        return_allowed_moves(dom_str(rec, "status"), dom_str(rec, "suspended_from")));
    json_object_set_new(rec, "transitions", store_return_transitions(c->db, id));
    /* The "expeditious" measure: days from the request to arrival. */
    if (req && arr) {
        pdate_t a, b;
        const char *why;
        if (pdate_parse(req, &a, &why) == 0 && pdate_parse(arr, &b, &why) == 0)
            json_object_set_new(rec, "days_to_arrival", json_integer(pdate_days_between(&a, &b)));
    } else {
        json_object_set_new(rec, "days_to_arrival", json_null());
    }
}

const dom_entity_t dom_return = {&return_rec, return_prepare, NULL, return_decorate};

static json_t *transition_direct(dom_ctx_t *c, const char *uuid, long long if_version, json_t *body,
                                 dom_err_t *err);

struct move_args {
    const char *uuid;
    long long   if_version;
    json_t     *body;
};

static json_t *move_job(dom_ctx_t *c, void *arg, dom_err_t *err)
{
    struct move_args *a = arg;
    return transition_direct(c, a->uuid, a->if_version, a->body, err);
}

json_t *return_transition(dom_ctx_t *c, const char *uuid, long long if_version, json_t *body, dom_err_t *err)
{
    struct move_args a = {uuid, if_version, body};
    return writer_run(c, move_job, &a, err);
}

static json_t *transition_direct(dom_ctx_t *c, const char *uuid, long long if_version, json_t *body,
                                 dom_err_t *err)
{
    store_return_state_t s;
    const char *to, *reason = NULL, *date;
    char today_s[PDATE_MAX], now[32], changed_fields[] = "[\"status\"]";
    pdate_t today, d, since;
    const char *why;
    json_t *j, *out = NULL, *changes;
    long long id;
    int changed;
    audit_entry_t ae = {0};
    rec_actor_t a = {c->user_id, c->org_id, NULL};

    /* A case this caller may not see does not exist for them, whatever
     * they sent. */
    if (!rec_find(c->db, &return_rec, uuid, dom_viewer_org(c))) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no return case with id %s", uuid);
        return NULL;
    }
    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
        return NULL;
    }
    j = json_object_get(body, "to");
    if (!json_is_string(j)) {
        dom_fail(err, DOM_INVALID, "to", "to is required: the status to move to");
        return NULL;
    }
    to = json_string_value(j);
    j = json_object_get(body, "reason");
    if (j && !json_is_null(j)) {
        if (!json_is_string(j) || !text_valid(json_string_value(j), json_string_length(j), 1) ||
            text_length(json_string_value(j)) > 1000) {
            dom_fail(err, DOM_INVALID, "reason", "reason must be text of at most 1000 characters");
            return NULL;
        }
        reason = json_string_length(j) ? json_string_value(j) : NULL;
    }
    pdate_today(&today);
    pdate_format(&today, today_s);
    j = json_object_get(body, "date");
    date = today_s;
    if (j && !json_is_null(j)) {
        if (!json_is_string(j) || pdate_parse(json_string_value(j), &d, &why) != 0 || !d.day || d.approx) {
            dom_fail(err, DOM_INVALID, "date", "date must be a full date YYYY-MM-DD");
            return NULL;
        }
        if (pdate_cmp_earliest(&d, &today) > 0) {
            dom_fail(err, DOM_INVALID, "date", "date is in the future");
            return NULL;
        }
        date = json_string_value(j);
    }
    {
        const char *key;
        json_t *val;
        json_object_foreach(body, key, val) {
            if (strcmp(key, "to") && strcmp(key, "reason") && strcmp(key, "date") && strcmp(key, "version")) {
                dom_fail(err, DOM_INVALID, key, "%s is not a member of a transition", key);
                return NULL;
            }
        }
    }

    db_now(now);
    a.now = now;
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        return NULL;
    }
    id = rec_key(c->db, "return_cases", uuid);
    if (!id || !rec_visible(c->db, &return_rec, id, dom_viewer_org(c)) || store_return_state(c->db, id, &s) != 0) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no return case with id %s", uuid);
        goto done;
    }
    if (if_version == -1 && json_is_integer(json_object_get(body, "version")))
        if_version = json_integer_value(json_object_get(body, "version"));
    if (if_version == -1) {
        dom_fail(err, DOM_NEED_VERSION, NULL, "send the version you read, as If-Match: \"%lld\" or a version member",
                 s.version);
        goto done;
    }
    if (if_version >= 0 && if_version != s.version) {
        dom_fail(err, DOM_STALE, NULL, "the return case changed since version %lld; it is now version %lld",
                 if_version, s.version);
        goto done;
    }
    if (!return_move_allowed(s.status, s.suspended_from, to)) {
        dom_fail(err, DOM_CONFLICT, "to", "a case that is %s cannot move to %s", s.status, to);
        err->extra = json_pack("{s:s, s:o}", "current", s.status, "allowed_moves",
                               return_allowed_moves(s.status, s.suspended_from));
        goto done;
    }
    if ((is(to, "suspended") || is(to, "withdrawn")) && !reason) {
        dom_fail(err, DOM_INVALID, "reason", "reason is required to move a case to %s", to);
        goto done;
    }
    if (pdate_parse(s.requested_date, &since, &why) == 0 && pdate_parse(date, &d, &why) == 0 &&
        pdate_cmp_earliest(&d, &since) < 0) {
        dom_fail(err, DOM_INVALID, "date", "date is before the case was requested (%s)", s.requested_date);
        goto done;
    }
    if (store_return_move(c->db, id, s.version, s.status, to, date, reason,
                          is(to, "suspended") ? s.status : NULL, c->user_id, now, &changed) != SQLITE_OK ||
        !changed) {
        dom_fail(err, changed ? DOM_INTERNAL : DOM_STALE, NULL, "the return case changed while it was being saved");
        goto done;
    }
    changes = json_pack("{s:{s:s, s:s}, s:s?}", "status", "from", s.status, "to", to, "reason", reason);
    rec_history_add(c->db, &return_rec, id, s.version + 1, "transition", changes, &a);
    json_decref(changes);
    ae.user_id = c->user_id;
    ae.org_id = c->org_id;
    ae.action = "return_case.transition";
    ae.record_kind = "return_case";
    ae.record_uuid = uuid;
    ae.fields = changed_fields;
    ae.client = c->client;
    if (audit_add(c->db, &ae) != SQLITE_OK || dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the move could not be stored");
        goto done;
    }
    out = dom_get(c, &dom_return, uuid, err);
done:
    if (!out)
        dom_rollback(c);
    return out;
}

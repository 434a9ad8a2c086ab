/*
 * api_monitor.c - detainees, tracing requests, incidents, links,
 * commitments and indicators over HTTP: thin translations of requests into
 * the calls of domain/monitor.h. Records themselves go through the generic
 * handlers (the ENTITY lines of routes.c).
 */
#include <string.h>

#include "api/api_internal.h"
#include "api/api_monitor.h"
#include "util/uuid.h"

/* The generic record handlers (list, create, read, change, history) of
 * each entity. Erasure routes are left to the erasure work. */
#define RECORD_HANDLERS(name, ent)                                               \
    void api_##name##_list(http_req_t *r) { api_entity_list(r, &ent); }         \
    void api_##name##_create(http_req_t *r) { api_entity_create(r, &ent); }     \
    void api_##name##_get(http_req_t *r) { api_entity_get(r, &ent); }           \
    void api_##name##_update(http_req_t *r) { api_entity_update(r, &ent); }     \
    void api_##name##_history(http_req_t *r) { api_entity_history(r, &ent); }

RECORD_HANDLERS(detainees, dom_detainee)
RECORD_HANDLERS(tracing, dom_tracing)
RECORD_HANDLERS(incidents, dom_incident)
RECORD_HANDLERS(links, dom_link)
RECORD_HANDLERS(commitments, dom_commitment)

/* 0 when path parameters 0..n-1 are UUIDs and the record of d named by
 * the first is one this caller may see; else answers 404, before anything
 * about the body is said (a record hidden from a caller does not exist for
 * them). */
static int ids_ok(http_req_t *r, int n, const dom_entity_t *d)
{
    char msg[96];

    for (int i = 0; i < n; i++)
        if (!hw_uuid_valid(http_param(r, i))) {
            snprintf(msg, sizeof msg, "no %s with that id (ids are UUIDs)", d->rec->kind);
            http_problem(r, 404, NULL, msg);
            return -1;
        }
    if (!rec_find(http_ctx(r)->db, d->rec, http_param(r, 0), dom_viewer_org(http_ctx(r)))) {
        snprintf(msg, sizeof msg, "no %s with id %.40s", d->rec->kind, http_param(r, 0));
        http_problem(r, 404, NULL, msg);
        return -1;
    }
    return 0;
}

/* The request body, or NULL after answering 400. */
static json_t *body_or_400(http_req_t *r, const char *hint)
{
    json_t *b = http_body(r);

    if (!json_is_object(b)) {
        http_problem(r, 400, NULL, hint);
        return NULL;
    }
    return b;
}

static void answer(http_req_t *r, int status, json_t *out, dom_err_t *err)
{
    if (!out)
        http_dom_error(r, err);
    else if (json_object_get(out, "version"))
        http_record(r, status, out);
    else
        http_json(r, status, out);
}

/* A move's body with If-Match folded in as "version" (new reference), or
 * NULL after answering. */
static json_t *move_body(http_req_t *r)
{
    long long v = http_if_match(r);
    json_t *b = body_or_400(r, "send {\"to\": STATUS, \"date\": YYYY-MM-DD, ...}");

    if (!b)
        return NULL;
    if (v == -2) {
        http_problem(r, 400, NULL, "If-Match must be the ETag you read, e.g. \"3\"");
        return NULL;
    }
    b = json_copy(b);
    if (v >= 0)
        json_object_set_new(b, "version", json_integer(v));
    return b;
}

/* ---- detainees ---- */

void api_detainee_events(http_req_t *r)
{
    dom_err_t err = {0};

    if (ids_ok(r, 1, &dom_detainee) == 0)
        answer(r, 200, detainee_events(http_ctx(r), http_param(r, 0), &err), &err);
}

void api_detainee_move(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_detainee) != 0 || !(b = move_body(r)))
        return;
    answer(r, 200, detainee_move(http_ctx(r), http_param(r, 0), b, &err), &err);
    json_decref(b);
}

static void detainee_child(http_req_t *r, const char *what)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_detainee) != 0 || !(b = body_or_400(r, "send the row as a JSON object")))
        return;
    answer(r, 201, detainee_add(http_ctx(r), http_param(r, 0), what, b, &err), &err);
}

void api_detainee_visit(http_req_t *r) { detainee_child(r, "visits"); }
void api_detainee_proceeding(http_req_t *r) { detainee_child(r, "proceedings"); }
void api_detainee_transfer(http_req_t *r) { detainee_child(r, "transfers"); }

/* ---- tracing ---- */

void api_tracing_transition(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_tracing) != 0 || !(b = move_body(r)))
        return;
    answer(r, 200, tracing_transition(http_ctx(r), http_param(r, 0), b, &err), &err);
    json_decref(b);
}

void api_tracing_matches(http_req_t *r)
{
    dom_err_t err = {0};

    if (ids_ok(r, 1, &dom_tracing) == 0)
        answer(r, 200, tracing_matches(http_ctx(r), http_param(r, 0), &err), &err);
}

void api_tracing_propose(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_tracing) != 0 ||
        !(b = body_or_400(r, "send {\"person\": ID} or {\"detainee\": ID}")))
        return;
    answer(r, 201, tracing_propose(http_ctx(r), http_param(r, 0), b, &err), &err);
}

void api_tracing_decide(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 2, &dom_tracing) != 0 ||
        !(b = body_or_400(r, "send {\"decision\": \"confirmed\" or \"rejected\"}")))
        return;
    answer(r, 200, tracing_decide(http_ctx(r), http_param(r, 0), http_param(r, 1), b, &err), &err);
}

void api_tracing_consent(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 2, &dom_tracing) != 0 ||
        !(b = body_or_400(r, "send {\"consent\": true or false, \"date\": YYYY-MM-DD}")))
        return;
    answer(r, 200, tracing_consent(http_ctx(r), http_param(r, 0), http_param(r, 1), b, &err), &err);
}

void api_tracing_disclosure(http_req_t *r)
{
    dom_err_t err = {0};

    if (ids_ok(r, 1, &dom_tracing) == 0)
        answer(r, 200, tracing_disclosure(http_ctx(r), http_param(r, 0), &err), &err);
}

/* ---- incidents ---- */

void api_incident_verify(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_incident) != 0 || !(b = move_body(r)))
        return;
    answer(r, 200, incident_verify(http_ctx(r), http_param(r, 0), b, &err), &err);
    json_decref(b);
}

static void incident_child(http_req_t *r, const char *what)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_incident) != 0 || !(b = body_or_400(r, "send the row as a JSON object")))
        return;
    answer(r, 201, incident_add(http_ctx(r), http_param(r, 0), what, b, &err), &err);
}

void api_incident_acts(http_req_t *r) { incident_child(r, "acts"); }
void api_incident_perpetrators(http_req_t *r) { incident_child(r, "perpetrators"); }
void api_incident_sources(http_req_t *r) { incident_child(r, "sources"); }
void api_incident_persons(http_req_t *r) { incident_child(r, "persons"); }
void api_incident_returns(http_req_t *r) { incident_child(r, "returns"); }
void api_incident_links(http_req_t *r) { incident_child(r, "links"); }

/* ---- links ---- */

void api_links_all_open(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *q = http_queries(r);

    answer(r, 200, link_all_open_report(http_ctx(r), q, &err), &err);
    json_decref(q);
}

void api_link_periods(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *q;

    if (ids_ok(r, 1, &dom_link) != 0)
        return;
    q = http_queries(r);
    answer(r, 200, link_periods(http_ctx(r), http_param(r, 0), q, &err), &err);
    json_decref(q);
}

void api_link_period_add(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_link) != 0 ||
        !(b = body_or_400(r, "send {\"status\": \"open|restricted|closed\", \"from\": YYYY-MM-DD, ...}")))
        return;
    answer(r, 201, link_period_add(http_ctx(r), http_param(r, 0), b, &err), &err);
}

void api_link_period_update(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 2, &dom_link) != 0 || !(b = body_or_400(r, "send the changed members as a JSON object")))
        return;
    answer(r, 200, link_period_update(http_ctx(r), http_param(r, 0), http_param(r, 1), b, &err), &err);
}

/* ---- commitments ---- */

void api_commitment_assessments(http_req_t *r)
{
    dom_err_t err = {0};

    if (ids_ok(r, 1, &dom_commitment) == 0)
        answer(r, 200, commitment_assessments(http_ctx(r), http_param(r, 0), &err), &err);
}

void api_commitment_assess(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *b;

    if (ids_ok(r, 1, &dom_commitment) != 0 ||
        !(b = body_or_400(r, "send {\"date\", \"level\": 0-3, \"rationale\", \"evidence\": [...]}")))
        return;
    answer(r, 201, commitment_assess(http_ctx(r), http_param(r, 0), b, &err), &err);
}

/* ---- indicators ---- */

void api_indicators(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *q = http_queries(r);

    answer(r, 200, indicators_get(http_ctx(r), NULL, q, &err), &err);
    json_decref(q);
}

void api_indicators_area(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *q = http_queries(r);

    answer(r, 200, indicators_get(http_ctx(r), http_param(r, 0), q, &err), &err);
    json_decref(q);
}

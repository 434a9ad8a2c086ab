/*
 * api_dedup.c - likely duplicates of a person and the review queue over
 * HTTP.
 */
#include "api/api_internal.h"
#include "domain/dedup.h"
#include "util/uuid.h"

void api_person_duplicates(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *out;

    if (!hw_uuid_valid(http_param(r, 0))) {
        http_problem(r, 404, NULL, "no person with that id (ids are UUIDs)");
        return;
    }
    out = dedup_for_person(http_ctx(r), http_param(r, 0), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

void api_duplicates_list(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *q = http_queries(r);
    json_t *out = dedup_queue(http_ctx(r), q, &err);

    json_decref(q);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

void api_duplicates_decide(http_req_t *r)
{
    dom_err_t err = {0};
    json_t *out;

    if (!hw_uuid_valid(http_param(r, 0))) {
        http_problem(r, 404, NULL, "no candidate pair with that id (ids are UUIDs)");
        return;
    }
    if (!http_body(r)) {
        http_problem(r, 400, NULL, "send {\"decision\": \"confirm\" | \"reject\" | \"undo\"}");
        return;
    }
    out = dedup_decide(http_ctx(r), http_param(r, 0), http_body(r), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

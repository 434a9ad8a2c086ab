/*
 * api_records.c - persons, households and return cases over HTTP: list,
 * create, read, update (with If-Match) and history, all through the generic
 * domain operations; plus return-case moves.
 */
#include <string.h>

#include "api/api_internal.h"
#include "util/uuid.h"

static int valid_id(http_req_t *r, const dom_entity_t *d)
{
    if (hw_uuid_valid(http_param(r, 0)))
        return 1;
    char msg[96];
    snprintf(msg, sizeof msg, "no %s with that id (ids are UUIDs)", d->rec->kind);
    http_problem(r, 404, NULL, msg);
    return 0;
}

void api_entity_list(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    json_t *q = http_queries(r);
    json_t *out = dom_list(http_ctx(r), d, q, &err);

    json_decref(q);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

void api_entity_create(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    json_t *out;

    if (!http_body(r)) {
        http_problem(r, 400, NULL, "send the record as a JSON object");
        return;
    }
    out = dom_create(http_ctx(r), d, http_body(r), &err);
    if (!out) {
        http_dom_error(r, &err);
        return;
    }
    {
        char loc[160];
        snprintf(loc, sizeof loc, "%s/%s", http_route_path(r), json_string_value(json_object_get(out, "id")));
        http_add_header(r, "Location", loc);
    }
    http_record(r, 201, out);
}

void api_entity_get(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    json_t *out;

    if (!valid_id(r, d))
        return;
    if (!http_query(r, "reveal")) {
        long long version = 0;
        size_t len = 0;
        char *text = dom_get_text(http_ctx(r), d, http_param(r, 0), &version, &len, &err);

        if (!text)
            http_dom_error(r, &err);
        else
            http_record_text(r, 200, text, len, version);
        return;
    }
    out = dom_get_revealed(http_ctx(r), d, http_param(r, 0), http_query(r, "reveal"), http_query(r, "purpose"), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_record(r, 200, out);
}

void api_entity_update(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    long long v = http_if_match(r);
    json_t *out;

    if (!valid_id(r, d))
        return;
    if (v == -2) {
        http_problem(r, 400, NULL, "If-Match must be the ETag you read, e.g. \"3\"");
        return;
    }
    if (!http_body(r)) {
        http_problem(r, 400, NULL, "send the changed fields as a JSON object");
        return;
    }
    out = dom_update(http_ctx(r), d, http_param(r, 0), v, http_body(r), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_record(r, 200, out);
}

void api_entity_history(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    json_t *out;

    if (!valid_id(r, d))
        return;
    out = dom_history(http_ctx(r), d, http_param(r, 0), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_json(r, 200, out);
}

void api_return_transition(http_req_t *r)
{
    dom_err_t err = {0};
    long long v = http_if_match(r);
    json_t *out;

    if (!valid_id(r, &dom_return))
        return;
    if (v == -2) {
        http_problem(r, 400, NULL, "If-Match must be the ETag you read, e.g. \"3\"");
        return;
    }
    if (!http_body(r)) {
        http_problem(r, 400, NULL, "send {\"to\": STATUS, \"reason\": TEXT}");
        return;
    }
    out = return_transition(http_ctx(r), http_param(r, 0), v, http_body(r), &err);
    if (!out)
        http_dom_error(r, &err);
    else
        http_record(r, 200, out);
}

void api_entity_erase(http_req_t *r, const dom_entity_t *d)
{
    dom_err_t err = {0};
    json_t *reason = http_body(r) ? json_object_get(http_body(r), "reason") : NULL;

    if (!valid_id(r, d))
        return;
    if (dom_erase(http_ctx(r), d, http_param(r, 0), json_string_value(reason), &err) != 0)
        http_dom_error(r, &err);
    else
        http_json(r, 200, json_pack("{s:s, s:b}", "id", http_param(r, 0), "erased", 1));
}

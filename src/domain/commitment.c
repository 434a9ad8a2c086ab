/*
 * commitment.c - what was demanded or ordered (the resolution's demands,
 * the ICJ order of 17 November 2023, later agreements) and how far each is
 * kept: dated assessments on the Peace Accords Matrix scale
 *
 *   0 not initiated · 1 minimal · 2 intermediate · 3 full
 *
 * each with a rationale and evidence (links to records). The current level
 * is the latest assessment. Beside it the indicators that bear on the
 * commitment's category are computed, as suggested evidence.
 *
 * Also loads the seed data: the commitments and the region's main links,
 * embedded from data/commitments.tsv and data/links.tsv.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "store/db.h"
#include "util/embedded.h"
#include "util/log.h"

static const char *const categories[] = {"return", "status_and_rights", "prisoners", "blockade",
                                         "land_connection", "negotiation", NULL};
static const char *const level_names[] = {"not_initiated", "minimal", "intermediate", "full"};

static const rec_field_t fields[] = {
    {"source", "source", RT_TEXT, RF_REQUIRED | RF_FILTER | RF_SORT, 0, 100},
    {"clause", "clause", RT_TEXT, RF_REQUIRED | RF_SORT, 0, 100},
    {"text", "text", RT_TEXT, RF_REQUIRED | RF_MULTILINE, 0, 5000},
    {"category", "category", RT_ENUM, RF_REQUIRED | RF_FILTER | RF_SORT, 0, 0, categories},
    {"seed", "seed", RT_BOOL, RF_READONLY | RF_FILTER, 0, 0},
};

static const rec_entity_t commitment_rec = {
    "commitment", "commitments", NULL, 0, fields, (int)(sizeof fields / sizeof fields[0]), NULL, NULL,
};

static const rec_field_t assessment_fields[] = {
    {"date", "date", RT_DATE, RF_REQUIRED | RF_PAST, 0, 0},
    {"level", "level", RT_INT, RF_REQUIRED, 0, 3},
    {"rationale", "rationale", RT_TEXT, RF_REQUIRED | RF_MULTILINE, 0, 5000},
};
static const mstore_child_t assessments = {"commitment_assessment", "commitment_assessments", "commitment_id",
                                           MS_CREATED, assessment_fields,
                                           (int)(sizeof assessment_fields / sizeof assessment_fields[0])};

/* Records an assessment may cite as evidence. */
static const char *const evidence_kinds[] = {"incident", "link", "link_period", "detainee", "return_case",
                                             "tracing_request", "person", "commitment", NULL};

static int commitment_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    const char *src = dom_str(rec, "source");
    long long self = 0;

    (void)v;
    if (src && strcmp(src, "si_resolution") && strcmp(src, "icj_order_2023_11_17") &&
        strncmp(src, "agreement:", 10) != 0) {
        dom_fail(err, DOM_INVALID, "source",
                 "source must be si_resolution, icj_order_2023_11_17 or agreement:NAME");
        return -1;
    }
    if (!creating && dom_str(rec, "id"))
        self = rec_key(c->db, "commitments", dom_str(rec, "id"));
    if (src && dom_str(rec, "clause") && mstore_commitment_taken(c->db, src, dom_str(rec, "clause"), self)) {
        dom_fail(err, DOM_CONFLICT, "clause", "%s already has a commitment with clause %s", src, dom_str(rec, "clause"));
        return -1;
    }
    return 0;
}

static json_t *with_evidence(dom_ctx_t *c, json_t *list)
{
    size_t i;
    json_t *o;

    json_array_foreach(list, i, o) {
        long long level = json_integer_value(json_object_get(o, "level"));
        json_object_set_new(o, "level_name", json_string(level_names[level & 3]));
        json_object_set_new(o, "evidence", mstore_evidence(c->db, dom_str(o, "id")));
    }
    return list;
}

static void commitment_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    json_t *cur = mstore_current_level(c->db, id, NULL);
    char today[16];

    if (cur)
        json_object_set_new(cur, "level_name",
                            json_string(level_names[json_integer_value(json_object_get(cur, "level")) & 3]));
    json_object_set_new(rec, "current", cur ? cur : json_null());
    json_object_set_new(rec, "assessments", with_evidence(c, mstore_child_list(c->db, &assessments, id, "date")));
    mon_today(today);
    if (dom_str(rec, "category"))
        json_object_set_new(rec, "suggested_evidence", indicators_for_category(c, dom_str(rec, "category"), today));
}

const dom_entity_t dom_commitment = {&commitment_rec, commitment_prepare, NULL, commitment_decorate};

json_t *commitment_assessments(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id = rec_key(c->db, "commitments", uuid);
    json_t *cur;

    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no commitment with id %s", uuid);
        return NULL;
    }
    cur = mstore_current_level(c->db, id, NULL);
    return json_pack("{s:o, s:n, s:o}", "items", with_evidence(c, mstore_child_list(c->db, &assessments, id, "date")),
                     "next", "current", cur ? cur : json_null());
}

static int evidence_check(dom_ctx_t *c, long long parent, json_t *body, rec_val_t *v, long long self,
                          dom_err_t *err)
{
    json_t *a = json_object_get(body, "evidence"), *e;
    size_t i;

    (void)parent;
    (void)v;
    (void)self;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > 100) {
        dom_fail(err, DOM_INVALID, "evidence", "evidence must be a list of at most 100 {kind, id, note}");
        return -1;
    }
    json_array_foreach(a, i, e) {
        const char *kind = dom_str(e, "kind"), *id = dom_str(e, "id");
        int known = 0;
        json_t *note = json_object_get(e, "note");

        for (int k = 0; kind && evidence_kinds[k]; k++)
            known |= strcmp(evidence_kinds[k], kind) == 0;
        if (!json_is_object(e) || !known) {
            dom_fail(err, DOM_INVALID, "evidence", "evidence[%zu].kind must be a record kind such as incident,"
                                                   " link_period, detainee, return_case", i);
            return -1;
        }
        if (!id || !mstore_record_exists(c->db, kind, id)) {
            dom_fail(err, DOM_INVALID, "evidence", "evidence[%zu]: no %s with id %.40s", i, kind, id ? id : "");
            return -1;
        }
        if (note && !json_is_null(note) && (!json_is_string(note) || json_string_length(note) > 1000)) {
            dom_fail(err, DOM_INVALID, "evidence", "evidence[%zu].note must be text", i);
            return -1;
        }
    }
    return 0;
}

static int evidence_after(dom_ctx_t *c, long long parent, long long row, json_t *body, const char *now,
                          dom_err_t *err)
{
    json_t *a = json_object_get(body, "evidence"), *e;
    size_t i;

    (void)parent;
    (void)now;
    json_array_foreach(a, i, e) {
        if (mstore_evidence_add(c->db, row, dom_str(e, "kind"), dom_str(e, "id"), dom_str(e, "note")) != SQLITE_OK) {
            dom_fail(err, DOM_INTERNAL, NULL, "the evidence could not be stored");
            return -1;
        }
    }
    return 0;
}

json_t *commitment_assess(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    static const char *const extra[] = {"evidence", NULL};
    json_t *row = mon_child_add(c, &commitment_rec, &assessments, uuid, body, extra, evidence_check,
                                evidence_after, err);

    if (row) {
        json_object_set_new(row, "level_name",
                            json_string(level_names[json_integer_value(json_object_get(row, "level")) & 3]));
        json_object_set_new(row, "evidence", mstore_evidence(c->db, dom_str(row, "id")));
    }
    return row;
}

/* ---- seed data ---- */

/* Split line (modified in place) at tabs into at most max fields. */
static int split_tabs(char *line, char **f, int max)
{
    int n = 0;

    while (n < max) {
        char *tab = strchr(line, '\t');
        f[n++] = line;
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

/* Call row(c, fields, n, &inserted) for each data line of an embedded TSV
 * file (a header line first; '#' lines are comments). */
static int each_row(dom_ctx_t *c, const char *name, int want,
                    int (*row)(dom_ctx_t *c, char **f, int n, const char *now), int *inserted)
{
    const embedded_file_t *file = embedded_find(name);
    char *copy, *save = NULL, *line, now[32];
    int header = 1, rc = 0;

    if (!file) {
        log_error("seed file %s is missing from this build", name);
        return -1;
    }
    copy = strdup(file->data);
    if (!copy)
        return -1;
    db_now(now);
    for (line = strtok_r(copy, "\n", &save); line && rc >= 0; line = strtok_r(NULL, "\n", &save)) {
        char *f[16];
        int n, r;

        if (line[0] == '#' || line[0] == '\0' || line[0] == '\r')
            continue;
        if (header) {
            header = 0;
            continue;
        }
        n = split_tabs(line, f, 16);
        if (n != want) {
            log_error("%s: a line has %d fields, %d expected", name, n, want);
            rc = -1;
            break;
        }
        for (int i = 0; i < n; i++)
            if (f[i][0] == '-' && f[i][1] == '\0')
                f[i] = NULL;
        r = row(c, f, n, now);
        if (r < 0)
            rc = -1;
        else
            *inserted += r;
    }
    free(copy);
    return rc;
}

static int commitment_row(dom_ctx_t *c, char **f, int n, const char *now)
{
    (void)n;
    return mstore_seed_commitment(c->db, f[0], f[1], f[2], f[3], now);
}

static int link_row(dom_ctx_t *c, char **f, int n, const char *now)
{
    (void)n;
    return mstore_seed_link(c->db, f[0], f[1], f[2], f[3], f[4], f[5], f[6], now);
}

int monitor_seed_load(dom_ctx_t *c)
{
    int inserted = 0;

    if (dom_begin(c) != SQLITE_OK)
        return -1;
    if (each_row(c, "commitments.tsv", 4, commitment_row, &inserted) != 0 ||
        each_row(c, "links.tsv", 7, link_row, &inserted) != 0) {
        dom_rollback(c);
        return -1;
    }
    if (dom_commit(c) != SQLITE_OK) {
        dom_rollback(c);
        return -1;
    }
    return inserted;
}

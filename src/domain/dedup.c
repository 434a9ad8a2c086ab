/*
 * dedup.c - the registry's person matcher and review queue (see dedup.h).
 *
 * One match index for the process, guarded by a read-write lock: queries
 * read, adding a person writes. Each worker has its own searcher. Edits add
 * the new version of a person (the old one stays in the index until the
 * next start, and is recognised by its uuid).
 */
#include "dedup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "domain/writer.h"
#include "match/match.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/pairs_store.h"
#include "util/buf.h"
#include "util/log.h"

#define PROPOSE_PROB 0.5 /* candidates at or above this go to review */
#define MAX_HITS 10
#define SEARCH_PROB 0.01 /* name search: names that agree at all */

static struct {
    pthread_rwlock_t lock;
    match_ctx_t     *ctx;
    match_index_t   *ix;     /* active persons */
    match_index_t   *req_ix; /* sought persons of open tracing requests */
} g = {PTHREAD_RWLOCK_INITIALIZER, NULL, NULL, NULL};

/* uuid -> the record number of a person's latest version in g.ix, so an
 * edit replaces the old version instead of adding beside it. Open
 * addressing; the uuid strings belong to the index. Under g.lock. */
static struct {
    const char **uuid;
    size_t      *rec;
    size_t       cap, n;
} where;

#define REBUILD_PENDING 20000 /* fold the tail into the postings past this */

static size_t slot_of(const char *uuid, size_t cap)
{
    size_t h = 1469598103934665603UL;

    for (const unsigned char *p = (const unsigned char *)uuid; *p; p++)
        h = (h ^ *p) * 1099511628211UL;
    return h & (cap - 1);
}

static void where_set(const char *uuid, size_t rec);

static int where_grow(void)
{
    size_t cap = where.cap ? where.cap * 2 : 1024;
    const char **u = calloc(cap, sizeof *u);
    size_t *r = calloc(cap, sizeof *r);
    const char **old_u = where.uuid;
    size_t *old_r = where.rec, old_cap = where.cap;

    if (!u || !r) {
        free(u);
        free(r);
        return -1;
    }
    where.uuid = u;
    where.rec = r;
    where.cap = cap;
    where.n = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old_u[i])
            where_set(old_u[i], old_r[i]);
    free(old_u);
    free(old_r);
    return 0;
}

static void where_set(const char *uuid, size_t rec)
{
    size_t i;

    if ((where.n + 1) * 2 > where.cap && where_grow() != 0)
        return;
    for (i = slot_of(uuid, where.cap); where.uuid[i] && strcmp(where.uuid[i], uuid) != 0; i = (i + 1) & (where.cap - 1))
        ;
    if (!where.uuid[i])
        where.n++;
    where.uuid[i] = uuid;
    where.rec[i] = rec;
}

/* The record number of uuid, or -1. */
static long where_get(const char *uuid)
{
    if (!where.cap)
        return -1;
    for (size_t i = slot_of(uuid, where.cap); where.uuid[i]; i = (i + 1) & (where.cap - 1))
        if (strcmp(where.uuid[i], uuid) == 0)
            return (long)where.rec[i];
    return -1;
}

static void where_free(void)
{
    free(where.uuid);
    free(where.rec);
    memset(&where, 0, sizeof where);
}

/* A worker's searchers, one per index (dom_ctx_t.matcher). */
typedef struct searchers {
    match_searcher_t *persons;
    match_searcher_t *requests;
} searchers_t;

static match_searcher_t *persons_of(dom_ctx_t *c)
{
    return c->matcher ? ((searchers_t *)c->matcher)->persons : NULL;
}

static void to_input(const store_match_row_t *r, match_input_t *in)
{
    in->id = r->uuid;
    in->given = r->given;
    in->family = r->family;
    in->patronymic = r->patronymic;
    in->birth_date = r->birth_date;
    in->birth_place = r->birth_place;
    in->sex = r->sex;
}

static void add_row(void *cls, const store_match_row_t *r)
{
    match_input_t in;

    to_input(r, &in);
    match_index_add((match_index_t *)cls, &in);
}

int dedup_start(sqlite3 *db, int threads, char *err, size_t n)
{
    match_ctx_t *ctx = match_ctx_new();
    match_index_t *ix = ctx ? match_index_new(ctx) : NULL;
    match_index_t *req = ctx ? match_index_new(ctx) : NULL;

    if (!ix || !req || store_persons_for_matching(db, add_row, ix) != SQLITE_OK ||
        store_requests_for_matching(db, add_row, req) != SQLITE_OK ||
        match_index_build(ix, threads > 0 ? threads : 1) != 0 || match_index_build(req, 1) != 0) {
        snprintf(err, n, "cannot build the person matcher");
        match_index_free(ix);
        match_index_free(req);
        match_ctx_free(ctx);
        return -1;
    }
    /* The model learnt from the registry also scores tracing requests. */
    match_index_set_model(req, match_index_model(ix));
    pthread_rwlock_wrlock(&g.lock);
    g.ctx = ctx;
    g.ix = ix;
    g.req_ix = req;
    for (size_t r = 0; r < match_index_size(ix); r++)
        where_set(match_index_id(ix, r), r);
    pthread_rwlock_unlock(&g.lock);
    tracing_set_engine(dedup_query);
    return 0;
}

void dedup_stop(void)
{
    tracing_set_engine(NULL);
    pthread_rwlock_wrlock(&g.lock);
    where_free();
    match_index_free(g.ix);
    match_index_free(g.req_ix);
    match_ctx_free(g.ctx);
    g.ix = NULL;
    g.req_ix = NULL;
    g.ctx = NULL;
    pthread_rwlock_unlock(&g.lock);
}

size_t dedup_size(void)
{
    size_t n;

    pthread_rwlock_rdlock(&g.lock);
    n = g.ix ? match_index_size(g.ix) : 0;
    pthread_rwlock_unlock(&g.lock);
    return n;
}

void dom_worker_init(dom_ctx_t *c)
{
    searchers_t *s = NULL;

    pthread_rwlock_rdlock(&g.lock);
    if (g.ix && (s = calloc(1, sizeof *s)) != NULL) {
        s->persons = match_searcher_new(g.ix);
        s->requests = match_searcher_new(g.req_ix);
    }
    pthread_rwlock_unlock(&g.lock);
    c->matcher = s;
}

void dom_worker_free(dom_ctx_t *c)
{
    searchers_t *s = c->matcher;

    if (s) {
        match_searcher_free(s->persons);
        match_searcher_free(s->requests);
        free(s);
    }
    c->matcher = NULL;
}

static json_t *explanation(const match_hit_t *h)
{
    json_t *o = json_object();

    for (int f = 0; f < MATCH_NFIELDS; f++)
        json_object_set_new(o, h->fields[f].field,
                            json_pack("{s:s, s:f}", "level", h->fields[f].level, "weight", h->fields[f].weight));
    if (h->swapped)
        json_object_set_new(o, "names_swapped", json_true());
    return o;
}

/* Pairs to propose, carried to the writer (reads must not write). */
typedef struct proposal {
    long long a, b;
    double    weight, prob;
    char     *explanation;
} proposal_t;

typedef struct proposals {
    proposal_t p[MAX_HITS + 4];
    int        n;
} proposals_t;

static json_t *propose_job(dom_ctx_t *w, void *arg, dom_err_t *err)
{
    proposals_t *ps = arg;
    char now[32];

    (void)err;
    db_now(now);
    for (int i = 0; i < ps->n; i++)
        store_pair_propose(w->db, ps->p[i].a, ps->p[i].b, ps->p[i].weight, ps->p[i].prob, ps->p[i].explanation, now);
    return json_true();
}

json_t *dedup_candidates(dom_ctx_t *c, long long id)
{
    proposals_t ps = {0};
    store_match_row_t row;
    match_input_t in;
    match_hit_t hits[MAX_HITS + 4];
    json_t *out = json_array();
    int n;

    if (!c->matcher || store_person_for_matching(c->db, id, &row) != 0)
        return out;
    to_input(&row, &in);
    pthread_rwlock_rdlock(&g.lock);
    n = g.ix ? match_query(persons_of(c), &in, MAX_HITS + 4, PROPOSE_PROB, hits) : 0;
    for (int i = 0; i < n; i++) {
        long long other;
        json_t *p, *expl;
        char *text;
        int dup = 0;

        if (strcmp(hits[i].id, row.uuid) == 0)
            continue;
        for (size_t k = 0; k < json_array_size(out); k++)
            dup |= strcmp(json_string_value(json_object_get(json_array_get(out, k), "id")), hits[i].id) == 0;
        other = dup ? 0 : rec_key(c->db, "persons", hits[i].id);
        p = other ? store_person_summary(c->db, other, dom_viewer_org(c)) : NULL;
        if (!p)
            continue;
        expl = explanation(&hits[i]);
        text = json_dumps(expl, JSON_COMPACT | JSON_REAL_PRECISION(6));
        if (text && ps.n < MAX_HITS + 4) {
            ps.p[ps.n].a = id;
            ps.p[ps.n].b = other;
            ps.p[ps.n].weight = hits[i].weight;
            ps.p[ps.n].prob = hits[i].prob;
            ps.p[ps.n++].explanation = text;
        } else {
            free(text);
        }
        json_object_set_new(p, "probability", json_real(hits[i].prob));
        json_object_set_new(p, "weight", json_real(hits[i].weight));
        json_object_set_new(p, "explanation", expl);
        json_array_append_new(out, p);
        if (json_array_size(out) == MAX_HITS)
            break;
    }
    pthread_rwlock_unlock(&g.lock);
    store_match_row_free(&row);
    if (ps.n) {
        /* Inside a write (the writer's batch) propose at once; from a read,
         * hand the proposals to the writer. */
        dom_err_t err = {0};
        json_decref(writer_run(c, propose_job, &ps, &err));
        dom_err_clear(&err);
        for (int i = 0; i < ps.n; i++)
            free(ps.p[i].explanation);
    }
    return out;
}

json_t *dedup_search(dom_ctx_t *c, const char *q)
{
    match_hit_t hits[100];
    json_t *out;
    int n;

    if (!c->matcher)
        return NULL;
    pthread_rwlock_rdlock(&g.lock);
    n = g.ix ? match_search(persons_of(c), q, 100, hits) : 0;
    out = json_array();
    /* A name alone is weak evidence (no date, no father): a search keeps
     * every hit whose names agree at all, best first. */
    for (int i = 0; i < n; i++)
        if (hits[i].prob >= SEARCH_PROB)
            json_array_append_new(out, json_string(hits[i].id));
    pthread_rwlock_unlock(&g.lock);
    return out;
}

json_t *dedup_query(dom_ctx_t *c, const match_input_t *in, int k, double min_prob)
{
    match_hit_t hits[32];
    json_t *out;
    int n;

    if (!c->matcher)
        return NULL;
    if (k > 32)
        k = 32;
    pthread_rwlock_rdlock(&g.lock);
    n = g.ix ? match_query(persons_of(c), in, k, min_prob, hits) : 0;
    out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:s, s:f, s:f, s:o}", "id", hits[i].id, "weight", hits[i].weight,
                                             "probability", hits[i].prob, "explanation", explanation(&hits[i])));
    pthread_rwlock_unlock(&g.lock);
    return out;
}

/* A person was written: the open tracing requests whose sought person it
 * may be look again (through the index of requests, not one by one). */
static void trace_person(dom_ctx_t *c, const match_input_t *in)
{
    match_hit_t hits[16];
    dom_err_t err = {0};
    long long keys[16];
    int n, m = 0;

    pthread_rwlock_rdlock(&g.lock);
    n = g.req_ix ? match_query(((searchers_t *)c->matcher)->requests, in, 16, PROPOSE_PROB, hits) : 0;
    for (int i = 0; i < n; i++) {
        long long k = rec_find(c->db, dom_tracing.rec, hits[i].id, dom_viewer_org(c));
        int seen = 0;
        for (int j = 0; j < m; j++)
            seen |= keys[j] == k;
        if (k && !seen)
            keys[m++] = k;
    }
    pthread_rwlock_unlock(&g.lock);
    for (int i = 0; i < m; i++) {
        if (tracing_find_candidates(c, keys[i], &err) < 0)
            log_error("tracing request %lld: candidates not stored: %s", keys[i], err.detail);
        dom_err_clear(&err);
    }
}

void dedup_after_write(dom_ctx_t *c, long long id, json_t *out)
{
    store_match_row_t row;
    match_input_t in;

    if (!c->matcher)
        return;
    if (store_person_for_matching(c->db, id, &row) == 0) {
        const char *status = json_string_value(json_object_get(out, "record_status"));
        int active = !status || strcmp(status, "active") == 0;
        long old;

        to_input(&row, &in);
        pthread_rwlock_wrlock(&g.lock);
        if (g.ix) {
            /* An edit replaces the person's previous version; a closed or
             * merged person leaves the index. */
            if ((old = where_get(row.uuid)) >= 0)
                match_index_remove(g.ix, (size_t)old);
            if (active) {
                long r = match_index_add(g.ix, &in);
                if (r >= 0)
                    where_set(match_index_id(g.ix, (size_t)r), (size_t)r);
            }
            if (match_index_pending(g.ix) > REBUILD_PENDING) {
                /* Fold the tail into the postings, keeping the model. */
                match_model_t m = *match_index_model(g.ix);
                match_index_set_model(g.ix, &m);
                if (match_index_build(g.ix, 2) != 0)
                    log_error("the person matcher could not be rebuilt");
            }
        }
        pthread_rwlock_unlock(&g.lock);
        if (active)
            trace_person(c, &in);
        store_match_row_free(&row);
    }
}

void dedup_after_reply(dom_ctx_t *c, long long id, json_t *out)
{
    const char *status = json_string_value(json_object_get(out, "record_status"));

    if (c->matcher && (!status || strcmp(status, "active") == 0))
        json_object_set_new(out, "duplicates", dedup_candidates(c, id));
}

void dedup_request_written(dom_ctx_t *c, long long id, json_t *out)
{
    store_match_row_t row;
    match_input_t in;

    (void)out;
    if (!c->matcher || store_request_for_matching(c->db, id, &row) != 0)
        return;
    to_input(&row, &in);
    pthread_rwlock_wrlock(&g.lock);
    if (g.req_ix)
        match_index_add(g.req_ix, &in);
    pthread_rwlock_unlock(&g.lock);
    store_match_row_free(&row);
}

json_t *dedup_for_person(dom_ctx_t *c, const char *uuid, dom_err_t *err)
{
    long long id = rec_key(c->db, "persons", uuid);

    if (!id || !rec_visible(c->db, dom_person.rec, id, dom_viewer_org(c))) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no person with id %s", uuid);
        return NULL;
    }
    if (!c->matcher) {
        dom_fail(err, 503, NULL, "the person matcher is not running on this server");
        return NULL;
    }
    return json_pack("{s:o, s:o}", "items", dedup_candidates(c, id), "decisions", store_pair_statuses(c->db, id));
}

json_t *dedup_queue(dom_ctx_t *c, json_t *params, dom_err_t *err)
{
    const char *status = json_string_value(json_object_get(params, "status"));
    const char *lim = json_string_value(json_object_get(params, "limit"));
    const char *cur = json_string_value(json_object_get(params, "cursor"));
    const char *key;
    json_t *v, *items;
    double after_prob = 0, last_prob = 0;
    long long after_id = 0, last_id = 0;
    int limit = 50, more;
    char next[64];

    json_object_foreach(params, key, v) {
        if (strcmp(key, "status") && strcmp(key, "limit") && strcmp(key, "cursor")) {
            dom_fail(err, DOM_BAD, key, "%s is not a parameter of the review queue", key);
            return NULL;
        }
    }
    if (!status)
        status = "pending";
    if (strcmp(status, "pending") && strcmp(status, "confirmed") && strcmp(status, "rejected")) {
        dom_fail(err, DOM_BAD, "status", "status must be pending, confirmed or rejected");
        return NULL;
    }
    if (lim) {
        char *end;
        long l = strtol(lim, &end, 10);
        if (*end || l < 1 || l > 100) {
            dom_fail(err, DOM_BAD, "limit", "limit must be a whole number from 1 to 100");
            return NULL;
        }
        limit = (int)l;
    }
    if (cur && sscanf(cur, "%lf_%lld", &after_prob, &after_id) != 2) {
        dom_fail(err, DOM_BAD, "cursor", "cursor is not one this server gave");
        return NULL;
    }
    items = store_pairs_list(c->db, status, after_prob, after_id, limit, dom_viewer_org(c), &last_prob, &last_id,
                             &more);
    snprintf(next, sizeof next, "%.17g_%lld", last_prob, last_id);
    return json_pack("{s:o, s:s?}", "items", items, "next", more ? next : NULL);
}

static int audit_pair(dom_ctx_t *c, const char *action, const char *person_uuid)
{
    audit_entry_t ae = {c->user_id, c->org_id, action, "person", person_uuid, "[\"record_status\",\"duplicate_of\"]",
                        NULL, c->client};
    return audit_add(c->db, &ae);
}

static json_t *decide_direct(dom_ctx_t *c, const char *pair_uuid, json_t *body, dom_err_t *err);

struct decide_args {
    const char *uuid;
    json_t     *body;
};

static json_t *decide_job(dom_ctx_t *c, void *arg, dom_err_t *err)
{
    struct decide_args *a = arg;
    return decide_direct(c, a->uuid, a->body, err);
}

json_t *dedup_decide(dom_ctx_t *c, const char *pair_uuid, json_t *body, dom_err_t *err)
{
    struct decide_args a = {pair_uuid, body};
    return writer_run(c, decide_job, &a, err);
}

static json_t *decide_direct(dom_ctx_t *c, const char *pair_uuid, json_t *body, dom_err_t *err)
{
    const char *decision = json_string_value(json_object_get(body, "decision"));
    store_pair_t p;
    rec_actor_t a = {c->user_id, c->org_id, NULL};
    char now[32], *keep_uuid = NULL, *dup_uuid = NULL;
    json_t *changes = NULL, *out = NULL;
    int rc = SQLITE_OK;

    if (!decision || (strcmp(decision, "confirm") && strcmp(decision, "reject") && strcmp(decision, "undo"))) {
        dom_fail(err, DOM_INVALID, "decision", "decision must be confirm, reject or undo");
        return NULL;
    }
    db_now(now);
    a.now = now;
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return NULL;
    }
    if (store_pair_get(c->db, pair_uuid, &p) != 0 ||
        !rec_visible(c->db, dom_person.rec, p.left_id, dom_viewer_org(c)) ||
        !rec_visible(c->db, dom_person.rec, p.right_id, dom_viewer_org(c))) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no candidate pair with id %s", pair_uuid);
        goto done;
    }
    keep_uuid = rec_uuid(c->db, "persons", p.left_id);
    dup_uuid = rec_uuid(c->db, "persons", p.right_id);
    if (strcmp(decision, "undo") == 0 ? strcmp(p.status, "confirmed") != 0 : strcmp(p.status, "pending") != 0) {
        dom_fail(err, DOM_CONFLICT, "decision", "the pair is %s: a %s is not possible", p.status, decision);
        err->extra = json_pack("{s:s}", "current", p.status);
        goto done;
    }
    if (strcmp(decision, "reject") == 0) {
        rc = store_pair_set_status(c->db, p.id, "rejected", c->user_id, now);
        if (rc == SQLITE_OK) {
            audit_entry_t ae = {c->user_id, c->org_id, "duplicate.reject", "person", dup_uuid, NULL, NULL, c->client};
            rc = audit_add(c->db, &ae);
        }
    } else {
        int confirm = strcmp(decision, "confirm") == 0;
        /* The later registration is marked a duplicate of the earlier: both
         * records and their histories are kept, so an undo loses nothing. */
        rc = store_person_mark_duplicate(c->db, p.right_id, confirm ? p.left_id : 0, c->user_id, now);
        if (rc == SQLITE_OK)
            rc = store_pair_set_status(c->db, p.id, confirm ? "confirmed" : "pending", c->user_id, now);
        if (rc == SQLITE_OK) {
            json_t *cur = rec_get(c->db, dom_person.rec, p.right_id);
            changes = confirm ? json_pack("{s:{s:s, s:s}, s:{s:n, s:s}}", "record_status", "from", "active", "to",
                                          "duplicate", "duplicate_of", "from", "to", keep_uuid)
                              : json_pack("{s:{s:s, s:s}, s:{s:s, s:n}}", "record_status", "from", "duplicate", "to",
                                          "active", "duplicate_of", "from", keep_uuid, "to");
            rc = cur ? rec_history_add(c->db, dom_person.rec, p.right_id,
                                       json_integer_value(json_object_get(cur, "version")),
                                       confirm ? "merge" : "unmerge", changes, &a)
                     : SQLITE_ERROR;
            json_decref(cur);
        }
        if (rc == SQLITE_OK)
            rc = audit_pair(c, confirm ? "person.merge" : "person.unmerge", dup_uuid);
    }
    if (rc != SQLITE_OK || dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the decision could not be stored");
        goto done;
    }
    out = json_pack("{s:s, s:s, s:s, s:s}", "id", pair_uuid, "status",
                    strcmp(decision, "confirm") == 0 ? "confirmed" : strcmp(decision, "reject") == 0 ? "rejected"
                                                                                                      : "pending",
                    "kept", keep_uuid, "duplicate", dup_uuid);
done:
    if (!out)
        dom_rollback(c);
    json_decref(changes);
    free(keep_uuid);
    free(dup_uuid);
    return out;
}

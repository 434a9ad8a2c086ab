/*
 * link.c - the region's transport and communication links (roads, crossing
 * points, rail, gas, power, internet, telephone) and their status over
 * time: periods open / restricted / closed, from a day to a day (both
 * inclusive; no end while the period lasts). Periods of one link never
 * overlap; an overlapping period is refused, so every day of a link has at
 * most one status, and a day with no period has none: nothing is assumed.
 *
 * Derived and served: each link's status on a day, its total and longest
 * closure; and across all links or a chosen set, the stretches in which
 * every one was open at once and how each began: whether the lifting of
 * the closures was complete and simultaneous (resolution, demand 3).
 */
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "store/db.h"
#include "util/uuid.h"

static const char *const kinds[] = {"road", "crossing_point", "rail", "gas_pipeline", "power_line", "internet",
                                    "telephone", NULL};
static const char *const period_statuses[] = {"open", "restricted", "closed", NULL};

static const rec_field_t fields[] = {
    {"kind", "kind", RT_ENUM, RF_REQUIRED | RF_FILTER | RF_SORT, 0, 0, kinds},
    {"name", "name", RT_TEXT, RF_REQUIRED | RF_SORT, 0, 200},
    {"endpoint_a", "endpoint_a", RT_TEXT, 0, 0, 200},
    {"endpoint_b", "endpoint_b", RT_TEXT, 0, 0, 200},
    {"settlement_a", "settlement_a_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"settlement_b", "settlement_b_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"description", "description", RT_TEXT, RF_MULTILINE, 0, 4000},
    {"seed", "seed", RT_BOOL, RF_READONLY | RF_FILTER, 0, 0},
};

static const rec_entity_t link_rec = {
    "link", "links", NULL, 0, fields, (int)(sizeof fields / sizeof fields[0]), NULL, NULL,
};

static const rec_field_t period_fields[] = {
    {"status", "status", RT_ENUM, RF_REQUIRED, 0, 0, period_statuses},
    {"from", "from_date", RT_DATE, RF_REQUIRED | RF_PAST, 0, 0},
    {"to", "to_date", RT_DATE, RF_PAST, 0, 0},
    {"restriction", "restriction", RT_TEXT, RF_MULTILINE, 0, 1000},
    {"source", "source", RT_TEXT, 0, 0, 500},
    {"note", "note", RT_TEXT, RF_MULTILINE, 0, 2000},
};
static const mstore_child_t periods = {"link_period", "link_periods", "link_id", MS_CREATED, period_fields,
                                       (int)(sizeof period_fields / sizeof period_fields[0])};

/* ---- the all-open computation (pure) ---- */

typedef struct sweep_ev {
    long day;
    int  delta;
} sweep_ev_t;

static int ev_cmp(const void *a, const void *b)
{
    const sweep_ev_t *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

int link_all_open(const link_span_t *spans, int n, int nlinks, long until, link_interval_t *out, int max)
{
    sweep_ev_t *ev;
    link_interval_t last = {0, 0};
    int k = 0, count = 0, nout = 0;

    if (nlinks <= 0 || n <= 0)
        return 0;
    ev = malloc((size_t)n * 2 * sizeof *ev);
    if (!ev)
        return -1;
    for (int i = 0; i < n; i++) {
        long t = spans[i].to < until ? spans[i].to : until;
        if (!spans[i].open || spans[i].from >= t)
            continue;
        ev[k++] = (sweep_ev_t){spans[i].from, +1};
        ev[k++] = (sweep_ev_t){t, -1};
    }
    qsort(ev, (size_t)k, sizeof *ev, ev_cmp);
    for (int i = 0; i < k;) {
        long day = ev[i].day, next;

        while (i < k && ev[i].day == day)
            count += ev[i++].delta;
        next = i < k ? ev[i].day : until;
        if (count != nlinks || next <= day)
            continue;
        if (nout > 0 && last.to == day) {
            last.to = next;
        } else {
            if (nout > 0 && nout - 1 < max)
                out[nout - 1] = last;
            last = (link_interval_t){day, next};
            nout++;
        }
    }
    if (nout > 0 && nout - 1 < max)
        out[nout - 1] = last;
    free(ev);
    return nout;
}

int link_opened_on(const link_span_t *spans, int n, int k, long start, long *began)
{
    long cur = -1;
    int found = 0, moved = 1;

    for (int i = 0; i < n; i++)
        if (spans[i].link == k && spans[i].open && spans[i].from <= start && start < spans[i].to) {
            cur = spans[i].from;
            found = 1;
        }
    if (!found) {
        *began = -1;
        return 0;
    }
    /* Walk back through open spans that touch. */
    while (moved) {
        moved = 0;
        for (int i = 0; i < n; i++)
            if (spans[i].link == k && spans[i].open && spans[i].to == cur && spans[i].from < cur) {
                cur = spans[i].from;
                moved = 1;
            }
    }
    *began = cur;
    for (int i = 0; i < n; i++)
        if (spans[i].link == k && !spans[i].open && spans[i].to == cur)
            return 1;
    return 0;
}

/* ---- reading periods into spans ---- */

static long span_to(const char *to)
{
    long d = *to ? mon_day(to) : -1;
    return d < 0 ? LINK_FOREVER : d + 1;
}

static json_t *date_or_null(long day)
{
    char d[16];

    if (day < 0 || day >= LINK_FOREVER)
        return json_null();
    mon_date(day, d);
    return json_string(d);
}

json_t *link_summary(dom_ctx_t *c, long long id, const char *at)
{
    mstore_period_t *p = NULL;
    int n = mstore_periods(c->db, id, &p, NULL);
    long day = mon_day(at), until = day + 1, closed = 0, restricted = 0, best = 0, best_from = -1, best_to = -1;
    long run_from = -1, run_to = -1;
    int closures = 0;
    json_t *cur = NULL;

    for (int i = 0; i < n; i++) {
        long f = mon_day(p[i].from), t = span_to(p[i].to), tc = t < until ? t : until;

        if (f < 0 || f >= until)
            continue;
        if (f <= day && day < t)
            cur = json_pack("{s:s, s:s, s:o}", "status", p[i].status, "since", p[i].from, "until",
                            *p[i].to ? json_string(p[i].to) : json_null());
        if (strcmp(p[i].status, "restricted") == 0)
            restricted += tc - f;
        if (strcmp(p[i].status, "closed") != 0)
            continue;
        closed += tc - f;
        /* Closed periods that touch make one closure. */
        if (run_to == f) {
            run_to = tc;
        } else {
            run_from = f;
            run_to = tc;
            closures++;
        }
        if (run_to - run_from > best) {
            best = run_to - run_from;
            best_from = run_from;
            best_to = run_to;
        }
    }
    free(p);
    return json_pack("{s:s, s:o, s:I, s:I, s:I, s:{s:I, s:o, s:o}}", "at", at,
                     "current", cur ? cur : json_pack("{s:s}", "status", "unknown"), "closures", (json_int_t)closures,
                     "days_closed", (json_int_t)closed, "days_restricted", (json_int_t)restricted,
                     "longest_closure", "days", (json_int_t)best, "from", date_or_null(best_from), "to",
                     best_to > 0 && best_to <= day ? date_or_null(best_to - 1) : json_null());
}

static void link_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    char today[16];

    mon_today(today);
    json_object_set_new(rec, "summary", link_summary(c, id, today));
    json_object_set_new(rec, "periods", mstore_child_list(c->db, &periods, id, "from_date"));
    json_object_set_new(rec, "incidents", mstore_link_incidents(c->db, id));
}

const dom_entity_t dom_link = {&link_rec, NULL, NULL, link_decorate};

/* ---- periods ---- */

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* No period of a link may share a day with another. */
static int period_check(dom_ctx_t *c, long long link, json_t *body, rec_val_t *v, long long self, dom_err_t *err)
{
    mstore_period_t *p = NULL, me = {0};
    json_t *old = self ? mstore_child_get(c->db, &periods, self) : NULL;
    long f, t;
    int n, rc = 0;

    (void)body;
    /* The period as it will be: the values sent over the stored ones. */
    snprintf(me.from, sizeof me.from, "%s",
             v[1].set ? (v[1].s ? v[1].s : "") : or_empty(json_string_value(json_object_get(old, "from"))));
    snprintf(me.to, sizeof me.to, "%s",
             v[2].set ? (v[2].s ? v[2].s : "") : or_empty(json_string_value(json_object_get(old, "to"))));
    json_decref(old);
    f = mon_day(me.from);
    t = span_to(me.to);
    if (f < 0) {
        dom_fail(err, DOM_INVALID, "from", "from is required: the first day of the period");
        return -1;
    }
    if (t <= f) {
        dom_fail(err, DOM_INVALID, "to", "to is before from");
        return -1;
    }
    n = mstore_periods(c->db, link, &p, NULL);
    for (int i = 0; i < n && rc == 0; i++) {
        long pf = mon_day(p[i].from), pt = span_to(p[i].to);
        if (p[i].id == self || !(f < pt && pf < t))
            continue;
        {
            json_t *other = mstore_child_get(c->db, &periods, p[i].id);
            dom_fail(err, DOM_CONFLICT, "from", "the period overlaps the link's %s period from %s%s%s", p[i].status,
                     p[i].from, *p[i].to ? " to " : " (still lasting)", p[i].to);
            err->extra = json_pack("{s:o}", "conflicts_with", other ? other : json_null());
            rc = -1;
        }
    }
    free(p);
    return rc;
}

/* "incidents": [uuid...] ties incidents to the new period as blockade events. */
static int period_after(dom_ctx_t *c, long long link, long long row, json_t *body, const char *now,
                        dom_err_t *err)
{
    json_t *a = json_object_get(body, "incidents"), *u;
    size_t i;

    (void)now;
    if (!a)
        return 0;
    if (!json_is_array(a)) {
        dom_fail(err, DOM_INVALID, "incidents", "incidents must be a list of incident ids");
        return -1;
    }
    json_array_foreach(a, i, u) {
        long long inc = json_is_string(u) && hw_uuid_valid(json_string_value(u))
                            ? rec_find(c->db, dom_incident.rec, json_string_value(u), dom_viewer_org(c))
                            : 0;
        if (!inc) {
            dom_fail(err, DOM_INVALID, "incidents", "incidents[%zu]: no such incident", i);
            return -1;
        }
        if (mstore_incident_link(c->db, inc, link, row) != SQLITE_OK) {
            dom_fail(err, DOM_INTERNAL, NULL, "the incident could not be tied to the period");
            return -1;
        }
    }
    return 0;
}

json_t *link_periods(dom_ctx_t *c, const char *uuid, json_t *params, dom_err_t *err)
{
    long long id = rec_key(c->db, "links", uuid);
    const char *at = json_string_value(json_object_get(params, "at"));
    char today[16];

    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no link with id %s", uuid);
        return NULL;
    }
    mon_today(today);
    if (at && mon_day(at) < 0) {
        dom_fail(err, DOM_BAD, "at", "at must be a full date YYYY-MM-DD");
        return NULL;
    }
    return json_pack("{s:o, s:n, s:o}", "items", mstore_child_list(c->db, &periods, id, "from_date"), "next",
                     "summary", link_summary(c, id, at ? at : today));
}

json_t *link_period_add(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err)
{
    static const char *const extra[] = {"incidents", NULL};

    return mon_child_add(c, &link_rec, &periods, uuid, body, extra, period_check, period_after, err);
}

json_t *link_period_update(dom_ctx_t *c, const char *uuid, const char *period, json_t *body, dom_err_t *err)
{
    return mon_child_update(c, &link_rec, &periods, uuid, period, body, period_check, err);
}

/* ---- the all-open report ---- */

json_t *link_all_open_report(dom_ctx_t *c, json_t *params, dom_err_t *err)
{
    const char *at = json_string_value(json_object_get(params, "at"));
    const char *set = json_string_value(json_object_get(params, "links"));
    const char *key;
    json_t *val, *links = json_array(), *intervals = json_array(), *out = NULL;
    long long *keys = NULL;
    mstore_period_t *p = NULL;
    long long *link_of = NULL;
    link_span_t *spans = NULL;
    link_interval_t *iv = NULL;
    char today[16];
    int nkeys = 0, n, ns = 0, ni;
    long until;

    json_object_foreach(params, key, val) {
        if (strcmp(key, "at") && strcmp(key, "links")) {
            dom_fail(err, DOM_BAD, key, "%s is not a parameter of this report (at, links)", key);
            goto done;
        }
    }
    mon_today(today);
    if (!at)
        at = today;
    if (mon_day(at) < 0) {
        dom_fail(err, DOM_BAD, "at", "at must be a full date YYYY-MM-DD");
        goto done;
    }
    until = mon_day(at) + 1;
    if (set) {
        char *copy = strdup(set), *save = NULL;
        int cap = 0;
        for (char *u = strtok_r(copy, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
            long long k = hw_uuid_valid(u) ? rec_key(c->db, "links", u) : 0;
            if (!k) {
                dom_fail(err, DOM_BAD, "links", "links: no link with id %.40s", u);
                free(copy);
                goto done;
            }
            if (nkeys == cap) {
                long long *nk = realloc(keys, (size_t)(cap = cap ? cap * 2 : 8) * sizeof *keys);
                if (!nk) {
                    free(copy);
                    dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
                    goto done;
                }
                keys = nk;
            }
            keys[nkeys++] = k;
        }
        free(copy);
    } else {
        nkeys = mstore_link_keys(c->db, &keys);
    }
    n = mstore_periods(c->db, 0, &p, &link_of);
    if (nkeys < 0 || n < 0 || !(spans = calloc((size_t)n + 1, sizeof *spans))) {
        dom_fail(err, DOM_INTERNAL, NULL, "the periods could not be read");
        goto done;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < nkeys; k++)
            if (keys[k] == link_of[i]) {
                spans[ns++] = (link_span_t){k, mon_day(p[i].from), span_to(p[i].to), strcmp(p[i].status, "open") == 0};
                break;
            }
    ni = link_all_open(spans, ns, nkeys, until, NULL, 0);
    iv = calloc((size_t)(ni > 0 ? ni : 1), sizeof *iv);
    if (ni < 0 || !iv) {
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
        goto done;
    }
    link_all_open(spans, ns, nkeys, until, iv, ni);
    for (int k = 0; k < nkeys; k++) {
        json_t *b = mstore_link_brief(c->db, keys[k]);
        json_t *summary = link_summary(c, keys[k], at);
        json_object_set_new(b, "status", json_incref(json_object_get(json_object_get(summary, "current"), "status")));
        json_object_set_new(b, "periods", json_integer(0));
        {
            int np = 0;
            for (int i = 0; i < ns; i++)
                np += spans[i].link == k;
            json_object_set_new(b, "periods", json_integer(np));
        }
        json_decref(summary);
        json_array_append_new(links, b);
    }
    for (int i = 0; i < ni; i++) {
        json_t *opened = json_array();
        long first = -1;
        int simultaneous = 1, lifted = 0;

        for (int k = 0; k < nkeys; k++) {
            long began;
            int was_closed = link_opened_on(spans, ns, k, iv[i].from, &began);
            if (!was_closed)
                continue;
            lifted++;
            if (first < 0)
                first = began;
            simultaneous &= began == first;
            json_array_append_new(opened, json_pack("{s:O, s:o}", "link",
                                                    json_object_get(json_array_get(links, (size_t)k), "id"),
                                                    "closure_ended", date_or_null(began)));
        }
        json_array_append_new(intervals, json_pack("{s:o, s:o, s:b, s:I, s:{s:o, s:o}}", "from",
                                                   date_or_null(iv[i].from), "to",
                                                   iv[i].to >= until ? json_null() : date_or_null(iv[i].to - 1),
                                                   "ongoing", iv[i].to >= until,
                                                   "days", (json_int_t)(iv[i].to - iv[i].from), "lifting",
                                                   "closures_ended", opened, "simultaneous",
                                                   lifted ? json_boolean(simultaneous) : json_null()));
    }
    {
        json_t *last = json_array_get(intervals, json_array_size(intervals) ? json_array_size(intervals) - 1 : 0);
        int complete = last && json_is_true(json_object_get(last, "ongoing"));
        out = json_pack("{s:s, s:O, s:O, s:b, s:O, s:s}", "at", at, "links", links, "all_open", intervals,
                        "complete", complete, "simultaneous",
                        complete ? json_object_get(json_object_get(last, "lifting"), "simultaneous") : json_null(),
                        "computed_as",
                        "days on which every chosen link had an open period; days without any period count as not"
                        " open; a lifting is simultaneous when every closed or restricted link it ended reopened on"
                        " the same day");
    }
done:
    free(keys);
    free(p);
    free(link_of);
    free(spans);
    free(iv);
    json_decref(links);
    json_decref(intervals);
    return out;
}

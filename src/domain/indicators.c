/*
 * indicators.c - the figures a monitor cites, as of any day: counts and
 * durations rebuilt from the dated events of each record (a detainee's
 * moves, a request's moves and decisions, an incident's start, a link's
 * periods, a return case's moves, a commitment's assessments). A figure
 * for a past day reads only events dated on or before it, so it stays the
 * same when later events are recorded or records are edited; it changes
 * only when a past event itself is recorded late or corrected, which is
 * what a correction should do.
 *
 * Every figure says how it was computed and from how many records.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "store/monitor_store.h"
#include "util/buf.h"

static const char *const areas[] = {"detainees", "tracing", "incidents", "returns", "links", "commitments", NULL};

static json_t *figure(const char *id, const char *label, json_t *value, const char *how, long long records)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:I}", "id", id, "label", label, "value", value ? value : json_null(),
                     "computed_as", how, "records", (json_int_t)records);
}

static int int_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* {median, mean, min, max} of a JSON array of integers (steals it), or
 * null values when empty; *n gets the count. */
static json_t *durations(json_t *a, long long *n)
{
    size_t k = json_array_size(a), i;
    long long *v = calloc(k + 1, sizeof *v), sum = 0;
    json_t *o, *out;

    *n = (long long)k;
    json_array_foreach(a, i, o) {
        v[i] = json_integer_value(o);
        sum += v[i];
    }
    json_decref(a);
    if (k == 0) {
        free(v);
        return json_pack("{s:n, s:n, s:n, s:n}", "median_days", "mean_days", "min_days", "max_days");
    }
    qsort(v, k, sizeof *v, int_cmp);
    out = json_pack("{s:f, s:f, s:I, s:I}", "median_days",
                    k % 2 ? (double)v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0, "mean_days", (double)sum / (double)k,
                    "min_days", (json_int_t)v[0], "max_days", (json_int_t)v[k - 1]);
    free(v);
    return out;
}

static json_t *area_detainees(dom_ctx_t *c, const char *at, int visit_days)
{
    json_t *a = json_array(), *v;
    long long n, m;
    char since[16], how[320];

    v = mstore_detainees_by_status(c->db, at, &n);
    json_array_append_new(a, figure("detainees.by_status", "Detainees by status", v,
                                    "each detainee's status is the target of their last move dated on or before the"
                                    " day; detainees with no move by then are not counted", n));
    v = mstore_detainees_by_category(c->db, at, &n);
    json_array_append_new(a, figure("detainees.by_category", "Detainees by category", v,
                                    "detainees with a move dated on or before the day, by their category", n));
    v = durations(mstore_detainee_durations(c->db, at, "released"), &n);
    json_array_append_new(a, figure("detainees.days_capture_to_release", "Days from capture to release", v,
                                    "for each detainee released on or before the day: the days from their first"
                                    " move to captured or detained to their first move to released", n));
    v = durations(mstore_detainee_durations(c->db, at, "repatriated"), &n);
    json_array_append_new(a, figure("detainees.days_capture_to_repatriation", "Days from capture to repatriation", v,
                                    "for each detainee repatriated on or before the day: the days from their first"
                                    " move to captured or detained to their move to repatriated", n));
    mon_date(mon_day(at) - visit_days, since);
    m = mstore_detainees_unvisited(c->db, at, since, &n);
    snprintf(how, sizeof how,
             "detainees in custody on the day (captured, detained, visited, charged or sentenced) with no visit"
             " recorded in the %d days up to it (after %s)", visit_days, since);
    json_array_append_new(a, figure("detainees.unvisited", "Detainees in custody with no recent visit",
                                    json_pack("{s:I, s:I, s:i}", "unvisited", (json_int_t)m, "in_custody",
                                              (json_int_t)n, "window_days", visit_days), how, n));
    return a;
}

static json_t *area_tracing(dom_ctx_t *c, const char *at)
{
    json_t *a = json_array(), *v;
    long long n, open;

    v = mstore_tracing_by_status(c->db, at, &n);
    open = json_integer_value(json_object_get(v, "open")) + json_integer_value(json_object_get(v, "potential_match"));
    json_array_append_new(a, figure("tracing.by_status", "Tracing requests by status", v,
                                    "each request's status is the target of its last move dated on or before the"
                                    " day", n));
    json_array_append_new(a, figure("tracing.open", "Open tracing requests", json_integer(open),
                                    "requests whose status on the day was open or potential_match", n));
    n = mstore_tracing_matches_found(c->db, at);
    json_array_append_new(a, figure("tracing.matches_found", "Matches found", json_integer(n),
                                    "candidates a tracing officer confirmed, dated on or before the day", n));
    v = durations(mstore_tracing_durations(c->db, at), &n);
    json_array_append_new(a, figure("tracing.days_to_confirmed_match", "Days from request to confirmed match", v,
                                    "for each request with a match confirmed on or before the day: the days from"
                                    " its request date to its first confirmed match", n));
    return a;
}

static json_t *area_incidents(dom_ctx_t *c, const char *at)
{
    static const char *const force[] = {"use_of_force", "intimidation", NULL};
    json_t *a = json_array(), *v;
    long long n, inc;
    static const char *const by_how =
        "incidents that began on or before the day (a partial start date counts from its first day; an incident"
        " without one, from the day it was recorded)";

    v = mstore_incidents_by(c->db, at, 0, &n);
    json_array_append_new(a, figure("incidents.by_type", "Incidents by type", v, by_how, n));
    v = mstore_incidents_by(c->db, at, 1, &n);
    json_array_append_new(a, figure("incidents.by_month", "Incidents by month", v, by_how, n));
    v = mstore_incidents_by(c->db, at, 2, &n);
    json_array_append_new(a, figure("incidents.by_settlement", "Incidents by settlement", v, by_how, n));
    n = mstore_returns_obstructed(c->db, at, force, &inc);
    json_array_append_new(a, figure("incidents.returns_obstructed_by_force", "Return cases obstructed by force or"
                                    " intimidation", json_pack("{s:I, s:I}", "return_cases", (json_int_t)n,
                                                               "incidents", (json_int_t)inc),
                                    "return cases tied as obstacles to incidents of type use_of_force or"
                                    " intimidation that began on or before the day", inc));
    n = mstore_returns_obstructed(c->db, at, NULL, &inc);
    json_array_append_new(a, figure("incidents.returns_obstructed", "Return cases obstructed by any incident",
                                    json_pack("{s:I, s:I}", "return_cases", (json_int_t)n, "incidents",
                                              (json_int_t)inc),
                                    "return cases tied as obstacles to incidents that began on or before the day",
                                    inc));
    return a;
}

static json_t *area_returns(dom_ctx_t *c, const char *at)
{
    json_t *a = json_array(), *v;
    long long n, arrived;

    n = mstore_returns_requested(c->db, at);
    json_array_append_new(a, figure("returns.requested", "Returns requested", json_integer(n),
                                    "return cases whose requested_date is on or before the day", n));
    v = durations(mstore_returns_arrival_days(c->db, at), &arrived);
    json_array_append_new(a, figure("returns.arrived", "Returns arrived", json_integer(arrived),
                                    "return cases with a move to arrived dated on or before the day", arrived));
    json_array_append_new(a, figure("returns.days_to_arrival", "Days from request to arrival (expeditious)", v,
                                    "for each case arrived on or before the day: the days from its requested_date to"
                                    " its move to arrived", arrived));
    return a;
}

/* Links count from their first period: a link with no period dated on or
 * before the day says nothing about that day (and a link recorded later
 * does not change a past figure). */
static json_t *area_links(dom_ctx_t *c, const char *at)
{
    json_t *a = json_array(), *status = json_object(), *per = json_array(), *params, *report;
    mstore_period_t *p = NULL;
    long long *link_of = NULL, last = 0;
    buf_t set = BUF_INIT;
    dom_err_t err = {0};
    int n = mstore_periods(c->db, 0, &p, &link_of), counted = 0;

    /* Periods come by link, then from: the first of each link is its earliest. */
    for (int i = 0; i < n; i++) {
        json_t *sum, *b;
        const char *st;

        if (link_of[i] == last || strcmp(p[i].from, at) > 0) {
            if (link_of[i] != last)
                last = link_of[i];
            continue;
        }
        last = link_of[i];
        sum = link_summary(c, last, at);
        b = mstore_link_brief(c->db, last);
        st = json_string_value(json_object_get(json_object_get(sum, "current"), "status"));
        json_object_set_new(status, st, json_integer(json_integer_value(json_object_get(status, st)) + 1));
        json_object_set_new(b, "days_closed", json_incref(json_object_get(sum, "days_closed")));
        json_object_set_new(b, "days_restricted", json_incref(json_object_get(sum, "days_restricted")));
        json_object_set_new(b, "longest_closure", json_incref(json_object_get(sum, "longest_closure")));
        if (counted++)
            buf_putc(&set, ',');
        buf_puts(&set, json_string_value(json_object_get(b, "id")));
        json_array_append_new(per, b);
        json_decref(sum);
    }
    free(p);
    free(link_of);
    json_array_append_new(a, figure("links.by_status", "Links by status on the day", status,
                                    "links with a period beginning on or before the day, by the status of the period"
                                    " covering the day (unknown when none covers it)", counted));
    json_array_append_new(a, figure("links.closure", "Days closed and longest closure per link", per,
                                    "closed periods up to and including the day; closed periods that touch count as"
                                    " one closure", counted));
    params = json_pack("{s:s, s:s}", "at", at, "links", buf_str(&set));
    report = link_all_open_report(c, params, &err);
    json_decref(params);
    buf_free(&set);
    dom_err_clear(&err);
    if (report) {
        json_t *iv = json_object_get(report, "all_open");
        json_t *lastiv = json_array_size(iv) ? json_array_get(iv, json_array_size(iv) - 1) : NULL;
        json_array_append_new(a, figure("links.all_open", "All links open at once (complete and simultaneous lifting)",
                                        json_pack("{s:O, s:O, s:I, s:O}", "complete", json_object_get(report, "complete"),
                                                  "simultaneous", json_object_get(report, "simultaneous"),
                                                  "stretches", (json_int_t)json_array_size(iv), "last",
                                                  lastiv ? lastiv : json_null()),
                                        json_string_value(json_object_get(report, "computed_as")), counted));
        json_decref(report);
    }
    return a;
}

static json_t *area_commitments(dom_ctx_t *c, const char *at)
{
    long long n;
    json_t *list = mstore_commitment_levels(c->db, at, &n), *a = json_array(), *by = json_object(), *o;
    size_t i;

    json_array_foreach(list, i, o) {
        json_t *l = json_object_get(o, "level");
        char k[16];
        snprintf(k, sizeof k, "%s", json_is_null(l) ? "not_assessed" : (const char *[]){"0", "1", "2", "3"}[json_integer_value(l) & 3]);
        json_object_set_new(by, k, json_integer(json_integer_value(json_object_get(by, k)) + 1));
    }
    json_array_append_new(a, figure("commitments.levels", "Commitments and their level", list,
                                    "each commitment's level is that of its latest assessment dated on or before the"
                                    " day (Peace Accords Matrix: 0 not initiated, 1 minimal, 2 intermediate, 3 full)",
                                    n));
    json_array_append_new(a, figure("commitments.by_level", "Commitments by level", by,
                                    "the same, counted by level", n));
    return a;
}

static json_t *area(dom_ctx_t *c, const char *name, const char *at, int visit_days)
{
    if (strcmp(name, "detainees") == 0)
        return area_detainees(c, at, visit_days);
    if (strcmp(name, "tracing") == 0)
        return area_tracing(c, at);
    if (strcmp(name, "incidents") == 0)
        return area_incidents(c, at);
    if (strcmp(name, "returns") == 0)
        return area_returns(c, at);
    if (strcmp(name, "links") == 0)
        return area_links(c, at);
    return area_commitments(c, at);
}

static const char *const basis =
    "as of the end of the day given: only events dated on or before it are read, so the figures for a past day do"
    " not change when later events are recorded";

json_t *indicators_get(dom_ctx_t *c, const char *name, json_t *params, dom_err_t *err)
{
    const char *key, *at = NULL;
    json_t *val, *out;
    char today[16];
    int visit_days = 90, known = 0;

    json_object_foreach(params, key, val) {
        const char *s = json_string_value(val);
        if (strcmp(key, "at") == 0) {
            at = s;
        } else if (strcmp(key, "visit_days") == 0) {
            char *end;
            long d = strtol(s, &end, 10);
            if (*end || d < 1 || d > 3650) {
                dom_fail(err, DOM_BAD, "visit_days", "visit_days must be a whole number from 1 to 3650");
                return NULL;
            }
            visit_days = (int)d;
        } else {
            dom_fail(err, DOM_BAD, key, "%s is not a parameter of the indicators (at, visit_days)", key);
            return NULL;
        }
    }
    mon_today(today);
    if (at && (mon_day(at) < 0 || strcmp(at, today) > 0)) {
        dom_fail(err, DOM_BAD, "at", "at must be a full date YYYY-MM-DD, not in the future");
        return NULL;
    }
    if (!at)
        at = today;
    for (int i = 0; name && areas[i]; i++)
        known |= strcmp(areas[i], name) == 0;
    if (name && !known) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no indicator area %.40s (detainees, tracing, incidents, returns, links,"
                                           " commitments)", name);
        return NULL;
    }
    if (name)
        return json_pack("{s:s, s:s, s:s, s:o}", "at", at, "area", name, "basis", basis, "figures",
                         area(c, name, at, visit_days));
    out = json_object();
    for (int i = 0; areas[i]; i++)
        json_object_set_new(out, areas[i], area(c, areas[i], at, visit_days));
    return json_pack("{s:s, s:s, s:o}", "at", at, "basis", basis, "areas", out);
}

json_t *indicators_for_category(dom_ctx_t *c, const char *category, const char *at)
{
    static const struct {
        const char *category;
        const char *ids[6];
    } bearing[] = {
        {"return", {"returns.requested", "returns.arrived", "returns.days_to_arrival",
                    "incidents.returns_obstructed_by_force", "incidents.by_type"}},
        {"prisoners", {"detainees.by_status", "detainees.days_capture_to_release",
                       "detainees.days_capture_to_repatriation", "detainees.unvisited", "tracing.matches_found"}},
        {"blockade", {"links.all_open", "links.by_status", "links.closure"}},
        {"land_connection", {"links.by_status", "links.closure", "links.all_open"}},
        {"status_and_rights", {"incidents.by_type", "incidents.returns_obstructed_by_force", "returns.arrived"}},
        {"negotiation", {"commitments.by_level", "commitments.levels"}},
    };
    json_t *out = json_array();

    for (size_t b = 0; b < sizeof bearing / sizeof bearing[0]; b++) {
        if (strcmp(bearing[b].category, category) != 0)
            continue;
        for (int k = 0; k < 6 && bearing[b].ids[k]; k++) {
            char name[32];
            const char *dot = strchr(bearing[b].ids[k], '.');
            json_t *figs, *f;
            size_t i;

            snprintf(name, sizeof name, "%.*s", (int)(dot - bearing[b].ids[k]), bearing[b].ids[k]);
            figs = area(c, name, at, 90);
            json_array_foreach(figs, i, f)
                if (strcmp(json_string_value(json_object_get(f, "id")), bearing[b].ids[k]) == 0)
                    json_array_append(out, f);
            json_decref(figs);
        }
    }
    return json_pack("{s:s, s:s, s:o}", "at", at, "basis", basis, "figures", out);
}

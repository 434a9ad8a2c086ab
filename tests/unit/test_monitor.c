/*
 * test_monitor.c - the monitoring record (issue 5): the all-open
 * computation on timelines with hand-computed answers, the detainee,
 * tracing and verification lifecycles (legal and illegal moves), link
 * periods that overlap, consent-gated disclosure, the seed commitments
 * quoted exactly, and indicators as of a past day that stay the same after
 * later events and edits. All data is generated; no real persons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/domain.h"
#include "domain/monitor.h"
#include "sec/crypt.h"
#include "store/db.h"

#include "fixture.h"

/* ---- the all-open computation (pure) ---- */

#define F LINK_FOREVER

static void all_open_none_open(void **state)
{
    /* A open only before B opens and closed after: never both open. */
    link_span_t s[] = {{0, 0, 5, 1}, {0, 5, F, 0}, {1, 0, 5, 0}, {1, 5, F, 1}};
    link_interval_t out[4];

    (void)state;
    assert_int_equal(link_all_open(s, 4, 2, 100, out, 4), 0);
    /* Every link closed. */
    link_span_t closed[] = {{0, 0, 10, 0}, {1, 0, 10, 0}};
    assert_int_equal(link_all_open(closed, 2, 2, 100, out, 4), 0);
    /* A link with no period at all is never known to be open. */
    link_span_t one[] = {{0, 0, F, 1}};
    assert_int_equal(link_all_open(one, 1, 2, 100, out, 4), 0);
    /* A restricted link is not open. */
    link_span_t restricted[] = {{0, 0, F, 1}, {1, 0, F, 0}};
    assert_int_equal(link_all_open(restricted, 2, 2, 100, out, 4), 0);
}

static void all_open_staggered_openings(void **state)
{
    /* A closed days 0-4, open from 5; B closed days 0-7, open from 8. */
    link_span_t s[] = {{0, 0, 5, 0}, {0, 5, F, 1}, {1, 0, 8, 0}, {1, 8, F, 1}};
    link_interval_t out[4];
    long began;

    (void)state;
    assert_int_equal(link_all_open(s, 4, 2, 20, out, 4), 1);
    assert_int_equal(out[0].from, 8);
    assert_int_equal(out[0].to, 20); /* still open on the last day asked */
    /* Each closure ended on a different day: not simultaneous. */
    assert_int_equal(link_opened_on(s, 4, 0, 8, &began), 1);
    assert_int_equal(began, 5);
    assert_int_equal(link_opened_on(s, 4, 1, 8, &began), 1);
    assert_int_equal(began, 8);
}

static void all_open_simultaneous_lifting(void **state)
{
    link_span_t s[] = {{0, 0, 5, 0}, {0, 5, F, 1}, {1, 0, 5, 0}, {1, 5, F, 1}, {2, 0, 5, 0}, {2, 5, F, 1}};
    link_interval_t out[4];
    long began;

    (void)state;
    assert_int_equal(link_all_open(s, 6, 3, 30, out, 4), 1);
    assert_int_equal(out[0].from, 5);
    assert_int_equal(out[0].to, 30);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(link_opened_on(s, 6, k, 5, &began), 1);
        assert_int_equal(began, 5);
    }
}

static void all_open_closure_in_the_middle(void **state)
{
    /* A open throughout; B open, closed days 4-5, open again from 6. */
    link_span_t s[] = {{0, 0, F, 1}, {1, 0, 4, 1}, {1, 4, 6, 0}, {1, 6, F, 1}};
    link_interval_t out[4];
    long began;

    (void)state;
    assert_int_equal(link_all_open(s, 4, 2, 10, out, 4), 2);
    assert_int_equal(out[0].from, 0);
    assert_int_equal(out[0].to, 4);
    assert_int_equal(out[1].from, 6);
    assert_int_equal(out[1].to, 10);
    /* B's closure was lifted on day 6; A was never closed. */
    assert_int_equal(link_opened_on(s, 4, 1, 6, &began), 1);
    assert_int_equal(began, 6);
    assert_int_equal(link_opened_on(s, 4, 0, 6, &began), 0);
    assert_int_equal(began, 0);
}

static void all_open_merges_touching_and_keeps_gaps(void **state)
{
    /* A: open 0-2, open again 3-9 (a new period that touches); B open 0-9. */
    link_span_t touching[] = {{0, 0, 3, 1}, {0, 3, 10, 1}, {1, 0, 10, 1}};
    /* A: open 0-2, no period 3-4, open 5-9: the gap is not open. */
    link_span_t gap[] = {{0, 0, 3, 1}, {0, 5, 10, 1}, {1, 0, 10, 1}};
    link_interval_t out[4];
    long began;

    (void)state;
    assert_int_equal(link_all_open(touching, 3, 2, 100, out, 4), 1);
    assert_int_equal(out[0].from, 0);
    assert_int_equal(out[0].to, 10);
    assert_int_equal(link_opened_on(touching, 3, 0, 0, &began), 0);
    assert_int_equal(began, 0);
    assert_int_equal(link_all_open(gap, 3, 2, 100, out, 4), 2);
    assert_int_equal(out[0].to, 3);
    assert_int_equal(out[1].from, 5);
    assert_int_equal(out[1].to, 10);
    /* Only max are written; the count is the whole. */
    assert_int_equal(link_all_open(gap, 3, 2, 100, out, 1), 2);
    assert_int_equal(out[0].from, 0);
    /* until cuts the last stretch. */
    assert_int_equal(link_all_open(gap, 3, 2, 7, out, 4), 2);
    assert_int_equal(out[1].to, 7);
}

static void day_numbers_round_trip(void **state)
{
    char d[16];

    (void)state;
    assert_int_equal(mon_day("1970-01-01"), 0);
    assert_int_equal(mon_day("2023-12-31") - mon_day("2023-01-01"), 364);
    assert_int_equal(mon_day("2024-03-01") - mon_day("2024-02-28"), 2);
    assert_int_equal(mon_day("2023-05"), -1);
    assert_int_equal(mon_day("2023-05-01~"), -1);
    mon_date(mon_day("2024-02-29"), d);
    assert_string_equal(d, "2024-02-29");
}

/* ---- lifecycles as tables ---- */

static int allowed(json_t *(*moves)(const char *), const char *from, const char *to)
{
    json_t *a = moves(from), *v;
    size_t i;
    int ok = 0;

    json_array_foreach(a, i, v)
        ok |= strcmp(json_string_value(v), to) == 0;
    json_decref(a);
    return ok;
}

static void detainee_moves_legal_and_illegal(void **state)
{
    static const char *const all[] = {"reported_missing", "captured", "detained", "visited", "charged",
                                      "sentenced", "released", "repatriated"};

    (void)state;
    /* The main line, step by step. */
    for (int i = 0; i + 1 < 8; i++)
        assert_true(detainee_move_allowed(all[i], all[i + 1]));
    /* Deceased from every state but deceased itself. */
    for (int i = 0; i < 8; i++)
        assert_true(detainee_move_allowed(all[i], "deceased"));
    assert_false(detainee_move_allowed("deceased", "released"));
    assert_false(detainee_move_allowed("deceased", "deceased"));
    /* Never back. */
    assert_false(detainee_move_allowed("released", "detained"));
    assert_false(detainee_move_allowed("repatriated", "released"));
    assert_false(detainee_move_allowed("sentenced", "charged"));
    /* No skipping to a sentence without a charge, or home without release. */
    assert_false(detainee_move_allowed("detained", "sentenced"));
    assert_false(detainee_move_allowed("detained", "repatriated"));
    assert_false(detainee_move_allowed("reported_missing", "visited"));
    /* Shortcuts that happen: found detained; released without charge. */
    assert_true(detainee_move_allowed("reported_missing", "detained"));
    assert_true(detainee_move_allowed("detained", "released"));
    assert_false(detainee_move_allowed("captured", "captured"));
}

static void tracing_and_verification_moves(void **state)
{
    (void)state;
    assert_true(allowed(tracing_allowed_moves, "open", "potential_match"));
    assert_true(allowed(tracing_allowed_moves, "potential_match", "confirmed"));
    assert_true(allowed(tracing_allowed_moves, "confirmed", "closed"));
    assert_false(allowed(tracing_allowed_moves, "open", "confirmed"));
    assert_false(allowed(tracing_allowed_moves, "confirmed", "open"));
    assert_true(allowed(tracing_allowed_moves, "closed", "open"));
    assert_true(allowed(incident_allowed_moves, "unverified", "partially_verified"));
    assert_true(allowed(incident_allowed_moves, "partially_verified", "verified"));
    assert_false(allowed(incident_allowed_moves, "unverified", "verified"));
    for (const char *const *s = (const char *const[]){"unverified", "partially_verified", "verified", NULL}; *s; s++)
        assert_true(allowed(incident_allowed_moves, *s, "disputed"));
    assert_false(allowed(incident_allowed_moves, "verified", "unverified"));
}

/* ---- on a database ---- */

static int setup(void **state)
{
    fixture_t *f = fixture_open();

    if (!f || monitor_seed_load(&f->c) <= 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_close(*state);
    return 0;
}

static json_t *must(json_t *o, dom_err_t *err)
{
    if (!o)
        fail_msg("unexpected error %d on %s: %s", err->status, err->field, err->detail);
    return o;
}

static json_t *create(fixture_t *f, const dom_entity_t *d, const char *json)
{
    dom_err_t err = {0};
    json_t *body = json_loads(json, 0, NULL), *o;

    assert_non_null(body);
    o = must(dom_create(&f->c, d, body, &err), &err);
    json_decref(body);
    return o;
}

static const char *id_of(json_t *o)
{
    return json_string_value(json_object_get(o, "id"));
}

static const char *status_of(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* A move; returns the error status (0 when it went through). */
static int move(fixture_t *f, json_t *(*fn)(dom_ctx_t *, const char *, json_t *, dom_err_t *), const char *uuid,
                const char *json, json_t **extra)
{
    dom_err_t err = {0};
    json_t *body = json_loads(json, 0, NULL), *o;
    int status;

    assert_non_null(body);
    o = fn(&f->c, uuid, body, &err);
    json_decref(body);
    status = o ? 0 : err.status;
    if (extra)
        *extra = err.extra ? json_incref(err.extra) : NULL;
    json_decref(o);
    dom_err_clear(&err);
    return status;
}

static void seed_commitments_quote_the_texts_exactly(void **state)
{
    fixture_t *f = *state;
    dom_err_t err = {0};
    json_t *params = json_pack("{s:s}", "limit", "100"), *list = must(dom_list(&f->c, &dom_commitment, params, &err), &err);
    json_t *items = json_object_get(list, "items"), *o;
    FILE *fp = fopen("/work/shared/context/resolution.txt", "r");
    char text[8192] = "";
    size_t i;
    int icj = 0, si = 0;

    assert_int_equal(json_array_size(items), 8);
    if (fp) {
        text[fread(text, 1, sizeof text - 1, fp)] = '\0';
        fclose(fp);
    }
    json_array_foreach(items, i, o) {
        const char *src = status_of(o, "source"), *t = status_of(o, "text");
        assert_true(json_is_true(json_object_get(o, "seed")));
        icj += strcmp(src, "icj_order_2023_11_17") == 0;
        si += strcmp(src, "si_resolution") == 0;
        if (*text) /* the exact words, where the source text is at hand */
            assert_non_null(strstr(text, t));
    }
    assert_int_equal(icj, 2);
    assert_int_equal(si, 6);
    /* Loading again keeps what is there (and what users edited). */
    assert_int_equal(monitor_seed_load(&f->c), 0);
    json_decref(params);
    json_decref(list);
}

static void detainee_walks_and_refuses(void **state)
{
    fixture_t *f = *state;
    json_t *d = create(f, &dom_detainee,
                       "{\"category\": \"prisoner_of_war\", \"surname\": \"Testov\", \"first_names\": \"Synthetic\","
                       " \"status\": \"captured\", \"status_date\": \"2024-01-10\", \"detention_place\": \"Place X\"}");
    const char *id = id_of(d);
    json_t *extra = NULL, *got, *body;
    dom_err_t err = {0};

    assert_string_equal(status_of(d, "status"), "captured");
    assert_int_equal(json_array_size(json_object_get(d, "events")), 1);
    /* Registered past the first states: refused. */
    body = json_pack("{s:s, s:s, s:s}", "category", "missing", "surname", "Latery", "status", "released");
    assert_null(dom_create(&f->c, &dom_detainee, body, &err));
    assert_int_equal(err.status, DOM_INVALID);
    assert_string_equal(err.field, "status");
    dom_err_clear(&err);
    json_decref(body);
    /* Legal, then illegal with the allowed moves, then a date before the status. */
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"detained\", \"date\": \"2024-01-12\", \"source\": \"ICRC\"}",
                          NULL), 0);
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"repatriated\", \"date\": \"2024-01-13\"}", &extra),
                     DOM_CONFLICT);
    assert_non_null(extra);
    assert_string_equal(json_string_value(json_object_get(extra, "current")), "detained");
    assert_true(json_array_size(json_object_get(extra, "allowed_moves")) == 4); /* visited charged released deceased */
    json_decref(extra);
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"charged\", \"date\": \"2024-01-11\"}", NULL), DOM_INVALID);
    /* Unknown members are refused. */
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"charged\", \"when\": \"2024-01-11\"}", NULL), DOM_INVALID);
    /* A visit moves a detained person to visited, on the visit's day. */
    body = json_pack("{s:s, s:s}", "visitor", "ICRC", "date", "2024-02-01");
    json_decref(must(detainee_add(&f->c, id, "visits", body, &err), &err));
    json_decref(body);
    got = must(dom_get(&f->c, &dom_detainee, id, &err), &err);
    assert_string_equal(status_of(got, "status"), "visited");
    assert_string_equal(status_of(got, "status_date"), "2024-02-01");
    assert_int_equal(json_array_size(json_object_get(got, "events")), 3);
    /* The status is not written by an edit. */
    body = json_pack("{s:s, s:I}", "status", "released", "version", json_integer_value(json_object_get(got, "version")));
    assert_null(dom_update(&f->c, &dom_detainee, id, -1, body, &err));
    assert_int_equal(err.status, DOM_CONFLICT);
    dom_err_clear(&err);
    json_decref(body);
    /* A transfer changes the place of detention. */
    body = json_pack("{s:s, s:s}", "date", "2024-02-03", "to_place", "Place Y");
    json_decref(must(detainee_add(&f->c, id, "transfers", body, &err), &err));
    json_decref(body);
    json_decref(got);
    got = must(dom_get(&f->c, &dom_detainee, id, &err), &err);
    assert_null(json_object_get(got, "detention_place")); /* withheld unless revealed */
    assert_non_null(json_object_get(json_array_get(json_object_get(got, "transfers"), 0), "protected"));
    assert_null(json_object_get(json_array_get(json_object_get(got, "transfers"), 0), "to_place"));
    json_decref(got);
    got = must(dom_get_revealed(&f->c, &dom_detainee, id, "detention_place", "tracing", &err), &err);
    assert_string_equal(status_of(got, "detention_place"), "Place Y");
    /* Deceased is final. */
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"deceased\", \"date\": \"2024-03-01\"}", NULL), 0);
    assert_int_equal(move(f, detainee_move, id, "{\"to\": \"released\", \"date\": \"2024-03-02\"}", NULL), DOM_CONFLICT);
    json_decref(got);
    json_decref(d);
}

static void link_periods_never_overlap(void **state)
{
    fixture_t *f = *state;
    json_t *l = create(f, &dom_link, "{\"kind\": \"road\", \"name\": \"Test road A-B\"}"), *extra, *p, *s;
    const char *id = id_of(l);
    dom_err_t err = {0};
    json_t *body;
    long long key;

    body = json_pack("{s:s, s:s, s:s}", "status", "closed", "from", "2023-01-01", "to", "2023-01-31");
    json_decref(must(link_period_add(&f->c, id, body, &err), &err));
    json_decref(body);
    assert_int_equal(move(f, link_period_add, id, "{\"status\": \"open\", \"from\": \"2023-01-31\"}", &extra),
                     DOM_CONFLICT);
    assert_non_null(json_object_get(extra, "conflicts_with"));
    json_decref(extra);
    assert_int_equal(move(f, link_period_add, id, "{\"status\": \"open\", \"from\": \"2022-12-01\", \"to\": \"2023-02-10\"}",
                          NULL), DOM_CONFLICT);
    /* Touching is fine; an open-ended period then blocks what follows. */
    body = json_pack("{s:s, s:s}", "status", "open", "from", "2023-02-01");
    p = must(link_period_add(&f->c, id, body, &err), &err);
    json_decref(body);
    assert_int_equal(move(f, link_period_add, id, "{\"status\": \"closed\", \"from\": \"2023-06-01\"}", NULL), DOM_CONFLICT);
    assert_int_equal(move(f, link_period_add, id, "{\"status\": \"closed\", \"from\": \"2023-03-01\", \"to\": \"2023-02-01\"}",
                          NULL), DOM_INVALID);
    /* End the open period; then a closure of 10 days fits after it. */
    body = json_pack("{s:s}", "to", "2023-05-31");
    json_decref(must(link_period_update(&f->c, id, id_of(p), body, &err), &err));
    json_decref(body);
    assert_int_equal(move(f, link_period_add, id, "{\"status\": \"closed\", \"from\": \"2023-06-01\", \"to\": \"2023-06-10\"}",
                          NULL), 0);
    key = rec_key(f->c.db, "links", id);
    s = link_summary(&f->c, key, "2023-12-31");
    assert_int_equal(json_integer_value(json_object_get(s, "days_closed")), 41);
    assert_int_equal(json_integer_value(json_object_get(s, "closures")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "longest_closure"), "days")), 31);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "longest_closure"), "from")), "2023-01-01");
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "longest_closure"), "to")), "2023-01-31");
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "current"), "status")), "unknown");
    json_decref(s);
    /* As of a day inside the first closure: 15 days so far, closed. */
    s = link_summary(&f->c, key, "2023-01-15");
    assert_int_equal(json_integer_value(json_object_get(s, "days_closed")), 15);
    assert_string_equal(json_string_value(json_object_get(json_object_get(s, "current"), "status")), "closed");
    json_decref(s);
    json_decref(p);
    json_decref(l);
}

static void all_open_report_on_stored_links(void **state)
{
    fixture_t *f = *state;
    json_t *a = create(f, &dom_link, "{\"kind\": \"road\", \"name\": \"Test road 1\"}");
    json_t *b = create(f, &dom_link, "{\"kind\": \"power_line\", \"name\": \"Test line 2\"}");
    json_t *params, *r, *iv;
    dom_err_t err = {0};
    char set[100];

    assert_int_equal(move(f, link_period_add, id_of(a), "{\"status\": \"closed\", \"from\": \"2023-01-01\", \"to\": \"2023-03-31\"}", NULL), 0);
    assert_int_equal(move(f, link_period_add, id_of(a), "{\"status\": \"open\", \"from\": \"2023-04-01\"}", NULL), 0);
    assert_int_equal(move(f, link_period_add, id_of(b), "{\"status\": \"restricted\", \"from\": \"2023-01-01\", \"to\": \"2023-04-09\"}", NULL), 0);
    assert_int_equal(move(f, link_period_add, id_of(b), "{\"status\": \"open\", \"from\": \"2023-04-10\"}", NULL), 0);
    snprintf(set, sizeof set, "%s,%s", id_of(a), id_of(b));
    params = json_pack("{s:s, s:s}", "links", set, "at", "2023-04-30");
    r = must(link_all_open_report(&f->c, params, &err), &err);
    iv = json_object_get(r, "all_open");
    assert_int_equal(json_array_size(iv), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(iv, 0), "from")), "2023-04-10");
    assert_true(json_is_null(json_object_get(json_array_get(iv, 0), "to")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(iv, 0), "days")), 21);
    assert_true(json_is_true(json_object_get(r, "complete")));
    assert_true(json_is_false(json_object_get(r, "simultaneous"))); /* 1 April and 10 April */
    json_decref(r);
    json_decref(params);
    /* Over all links (the seed links have no periods): never all open. */
    params = json_pack("{s:s}", "at", "2023-04-30");
    r = must(link_all_open_report(&f->c, params, &err), &err);
    assert_int_equal(json_array_size(json_object_get(r, "all_open")), 0);
    assert_true(json_is_false(json_object_get(r, "complete")));
    json_decref(r);
    json_decref(params);
    json_decref(a);
    json_decref(b);
}

static void tracing_disclosure_needs_consent(void **state)
{
    fixture_t *f = *state;
    json_t *p = create(f, &dom_person,
                       "{\"given_name\": \"Foundgiven\", \"family_name\": \"Synthetyan\", \"contact\": \"+000 555 0101\","
                       " \"current_country\": \"AM\", \"current_locality\": \"Testtown\"}");
    json_t *t = create(f, &dom_tracing,
                       "{\"inquirer_name\": \"Inquirer Synthetic\", \"relation\": \"sibling\", \"sought_given\": \"Foundgiven\","
                       " \"sought_family\": \"Synthetyan\", \"request_date\": \"2024-01-05\"}");
    const char *tid = id_of(t);
    json_t *body, *got, *m, *disc, *found;
    dom_err_t err = {0};
    char match[40];

    assert_string_equal(status_of(t, "status"), "open");
    /* Confirmed needs a confirmed candidate. */
    assert_int_equal(move(f, tracing_transition, tid, "{\"to\": \"confirmed\"}", NULL), DOM_CONFLICT);
    body = json_pack("{s:s, s:s}", "person", id_of(p), "date", "2024-01-03");
    assert_null(tracing_propose(&f->c, tid, body, &err)); /* before the request */
    assert_int_equal(err.status, DOM_INVALID);
    dom_err_clear(&err);
    json_decref(body);
    body = json_pack("{s:s, s:s}", "person", id_of(p), "date", "2024-02-01");
    got = must(tracing_propose(&f->c, tid, body, &err), &err);
    json_decref(body);
    assert_string_equal(status_of(got, "status"), "potential_match");
    m = json_array_get(json_object_get(got, "matches"), 0);
    assert_true(json_is_null(json_object_get(m, "probability"))); /* an officer's proposal has no score */
    snprintf(match, sizeof match, "%s", id_of(m));
    json_decref(got);
    /* Consent is asked of a found person only. */
    body = json_pack("{s:b}", "consent", 1);
    assert_null(tracing_consent(&f->c, tid, match, body, &err));
    assert_int_equal(err.status, DOM_CONFLICT);
    dom_err_clear(&err);
    json_decref(body);
    body = json_pack("{s:s, s:s}", "decision", "confirmed", "date", "2024-02-04");
    got = must(tracing_decide(&f->c, tid, match, body, &err), &err);
    json_decref(body);
    assert_string_equal(status_of(got, "status"), "confirmed");
    json_decref(got);
    /* Without consent: the inquirer learns a match was found, nothing more. */
    disc = must(tracing_disclosure(&f->c, tid, &err), &err);
    assert_true(json_is_true(json_object_get(disc, "match_found")));
    found = json_array_get(json_object_get(disc, "found"), 0);
    assert_true(json_is_false(json_object_get(found, "consent")));
    assert_null(json_object_get(found, "found"));
    {
        char *text = json_dumps(disc, 0);
        assert_null(strstr(text, "555 0101"));
        free(text);
    }
    json_decref(disc);
    /* With consent recorded: whereabouts and contact. */
    body = json_pack("{s:b, s:s}", "consent", 1, "date", "2024-02-05");
    json_decref(must(tracing_consent(&f->c, tid, match, body, &err), &err));
    json_decref(body);
    disc = must(tracing_disclosure(&f->c, tid, &err), &err);
    found = json_object_get(json_array_get(json_object_get(disc, "found"), 0), "found");
    assert_non_null(found);
    assert_string_equal(status_of(found, "contact"), "+000 555 0101");
    assert_string_equal(status_of(json_object_get(found, "whereabouts"), "locality"), "Testtown");
    json_decref(disc);
    /* The decision cannot be taken twice; closing needs a reason. */
    body = json_pack("{s:s}", "decision", "rejected");
    assert_null(tracing_decide(&f->c, tid, match, body, &err));
    assert_int_equal(err.status, DOM_CONFLICT);
    dom_err_clear(&err);
    json_decref(body);
    assert_int_equal(move(f, tracing_transition, tid, "{\"to\": \"closed\"}", NULL), DOM_INVALID);
    assert_int_equal(move(f, tracing_transition, tid, "{\"to\": \"closed\", \"reason\": \"family reunited\"}", NULL), 0);
    json_decref(p);
    json_decref(t);
}

/* A test double standing in for the matching engine (it is not one): the
 * persons whose family name is exactly the sought one, at 0.9. */
static json_t *exact_family_engine(dom_ctx_t *c, const match_input_t *in, int k, double min_prob)
{
    dom_err_t err = {0};
    json_t *params = json_pack("{s:s}", "q", in->family ? in->family : "-"), *list, *out = json_array(), *p;
    size_t i;

    (void)min_prob;
    list = dom_list(c, &dom_person, params, &err);
    json_decref(params);
    json_array_foreach(json_object_get(list, "items"), i, p)
        if ((int)json_array_size(out) < k && in->family &&
            strcmp(json_string_value(json_object_get(p, "family_name")), in->family) == 0)
            json_array_append_new(out, json_pack("{s:O, s:f, s:f, s:{s:s}}", "id", json_object_get(p, "id"), "weight",
                                                 8.5, "probability", 0.9, "explanation", "family", "exact"));
    json_decref(list);
    dom_err_clear(&err);
    return out;
}

static void tracing_candidates_appear_when_the_person_is_registered_later(void **state)
{
    fixture_t *f = *state;
    json_t *t, *p, *got, *m, *t2;
    dom_err_t err = {0};

    /* Without an engine nothing is searched and nothing pretends to be. */
    t = create(f, &dom_tracing, "{\"inquirer_name\": \"Inquirer Synthetic\", \"sought_given\": \"Lategiven\","
                                " \"sought_family\": \"Latecomeryan\", \"sought_age\": 40}");
    assert_string_equal(status_of(t, "matching_engine"), "not connected");
    assert_int_equal(tracing_record_written(&f->c, "person", 1, &err), 0);
    tracing_set_engine(exact_family_engine);
    /* The request comes first: no one to find yet. */
    json_decref(t);
    t = create(f, &dom_tracing, "{\"inquirer_name\": \"Inquirer Synthetic\", \"sought_given\": \"Lategiven\","
                                " \"sought_family\": \"Latecomeryan\", \"sought_age\": 40}");
    assert_string_equal(status_of(t, "status"), "open");
    assert_int_equal(json_array_size(json_object_get(t, "matches")), 0);
    /* Someone of that name who did not consent to tracing is never a
     * candidate (data protection: tracing searches consenting records). */
    p = create(f, &dom_person, "{\"given_name\": \"Lategiven\", \"family_name\": \"Latecomeryan\"}");
    assert_int_equal(tracing_record_written(&f->c, "person", rec_key(f->c.db, "persons", id_of(p)), &err), 0);
    json_decref(p);
    /* The person is registered later, with consent; the registry tells tracing. */
    p = create(f, &dom_person, "{\"given_name\": \"Lategiven\", \"family_name\": \"Latecomeryan\","
                               " \"consent_tracing\": true, \"consent_date\": \"2024-01-10\"}");
    assert_int_equal(tracing_record_written(&f->c, "person", rec_key(f->c.db, "persons", id_of(p)), &err), 2);
    got = must(dom_get(&f->c, &dom_tracing, id_of(t), &err), &err);
    assert_string_equal(status_of(got, "status"), "potential_match");
    assert_int_equal(json_array_size(json_object_get(got, "matches")), 1);
    m = json_array_get(json_object_get(got, "matches"), 0);
    assert_string_equal(status_of(m, "record"), id_of(p));
    assert_string_equal(status_of(m, "origin"), "engine");
    assert_true(json_real_value(json_object_get(m, "probability")) == 0.9);
    assert_string_equal(status_of(json_object_get(m, "explanation"), "family"), "exact");
    /* Searching again adds nothing twice. */
    assert_int_equal(tracing_record_written(&f->c, "person", rec_key(f->c.db, "persons", id_of(p)), &err), 0);
    json_decref(got);
    /* A request made after the person is registered finds them at once. */
    t2 = create(f, &dom_tracing, "{\"inquirer_name\": \"Other Inquirer\", \"sought_family\": \"Latecomeryan\"}");
    assert_string_equal(status_of(t2, "status"), "potential_match");
    assert_int_equal(json_array_size(json_object_get(t2, "matches")), 1);
    tracing_set_engine(NULL);
    json_decref(t2);
    json_decref(p);
    json_decref(t);
}

static void incident_verification_keeps_who_and_why(void **state)
{
    fixture_t *f = *state;
    json_t *i = create(f, &dom_incident, "{\"title\": \"Synthetic test incident\", \"type\": \"intimidation\","
                                         " \"start_date\": \"2024-03\"}");
    const char *id = id_of(i);
    dom_err_t err = {0};
    json_t *got, *extra = NULL, *body;

    assert_int_equal(move(f, incident_verify, id, "{\"to\": \"verified\", \"reason\": \"two sources\"}", &extra),
                     DOM_CONFLICT);
    assert_string_equal(json_string_value(json_array_get(json_object_get(extra, "allowed_moves"), 0)),
                        "partially_verified");
    json_decref(extra);
    assert_int_equal(move(f, incident_verify, id, "{\"to\": \"partially_verified\"}", NULL), DOM_INVALID);
    assert_int_equal(move(f, incident_verify, id, "{\"to\": \"partially_verified\", \"reason\": \"one witness\"}", NULL), 0);
    assert_int_equal(move(f, incident_verify, id, "{\"to\": \"disputed\", \"reason\": \"denied by the authority\"}", NULL), 0);
    /* A perpetrator's source must be one of the incident's own. */
    body = json_pack("{s:s, s:s}", "description", "men in uniform, as reported", "source", id);
    assert_null(incident_add(&f->c, id, "perpetrators", body, &err));
    assert_int_equal(err.status, DOM_INVALID);
    dom_err_clear(&err);
    json_decref(body);
    got = must(dom_get(&f->c, &dom_incident, id, &err), &err);
    assert_string_equal(status_of(got, "verification"), "disputed");
    assert_int_equal(json_array_size(json_object_get(got, "verifications")), 2);
    assert_string_equal(status_of(json_array_get(json_object_get(got, "verifications"), 1), "reason"),
                        "denied by the authority");
    json_decref(got);
    json_decref(i);
}

/* The figure with this id in an area's figures. */
static json_t *fig(json_t *all, const char *area, const char *id)
{
    json_t *a = json_object_get(json_object_get(all, "areas"), area), *o;
    size_t i;

    json_array_foreach(a, i, o)
        if (strcmp(status_of(o, "id"), id) == 0)
            return o;
    fail_msg("no figure %s", id);
    return NULL;
}

static json_t *indicators_at(fixture_t *f, const char *at)
{
    dom_err_t err = {0};
    json_t *params = json_pack("{s:s}", "at", at), *o = must(indicators_get(&f->c, NULL, params, &err), &err);

    json_decref(params);
    return o;
}

static void indicators_as_of_a_day_survive_later_edits(void **state)
{
    fixture_t *f = *state;
    json_t *a, *b, *c, *before, *after, *v, *body, *inc, *cm, *params, *list;
    dom_err_t err = {0};
    char *s1, *s2;

    /* Three detainees; on 2024-06-30: a released (captured 01-10, released
     * 03-10: 60 days), b detained, c reported missing. */
    a = create(f, &dom_detainee, "{\"category\": \"prisoner_of_war\", \"surname\": \"Aaa\", \"status\": \"captured\","
                                 " \"status_date\": \"2024-01-10\"}");
    b = create(f, &dom_detainee, "{\"category\": \"civilian_detainee\", \"surname\": \"Bbb\", \"status\": \"detained\","
                                 " \"status_date\": \"2024-02-01\"}");
    c = create(f, &dom_detainee, "{\"category\": \"missing\", \"surname\": \"Ccc\", \"status_date\": \"2024-05-01\"}");
    assert_int_equal(move(f, detainee_move, id_of(a), "{\"to\": \"detained\", \"date\": \"2024-01-11\"}", NULL), 0);
    assert_int_equal(move(f, detainee_move, id_of(a), "{\"to\": \"released\", \"date\": \"2024-03-10\"}", NULL), 0);
    inc = create(f, &dom_incident, "{\"title\": \"Synthetic 1\", \"type\": \"use_of_force\", \"start_date\": \"2024-04-02\","
                                   " \"settlement\": \"stepanakert\"}");
    /* A commitment assessed 1 on 2024-05-01. */
    params = json_pack("{s:s}", "category", "prisoners");
    list = must(dom_list(&f->c, &dom_commitment, params, &err), &err);
    cm = json_incref(json_array_get(json_object_get(list, "items"), 0));
    json_decref(list);
    json_decref(params);
    body = json_pack("{s:s, s:i, s:s}", "date", "2024-05-01", "level", 1, "rationale", "a few releases (test)");
    json_decref(must(commitment_assess(&f->c, id_of(cm), body, &err), &err));
    json_decref(body);

    before = indicators_at(f, "2024-06-30");
    v = json_object_get(fig(before, "detainees", "detainees.by_status"), "value");
    assert_int_equal(json_integer_value(json_object_get(v, "released")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "detained")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "reported_missing")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig(before, "detainees", "detainees.by_status"), "records")), 3);
    v = json_object_get(fig(before, "detainees", "detainees.days_capture_to_release"), "value");
    assert_true(json_real_value(json_object_get(v, "median_days")) == 60.0);
    v = json_object_get(fig(before, "detainees", "detainees.unvisited"), "value");
    assert_int_equal(json_integer_value(json_object_get(v, "in_custody")), 1); /* b */
    assert_int_equal(json_integer_value(json_object_get(v, "unvisited")), 1);
    v = json_object_get(fig(before, "incidents", "incidents.by_month"), "value");
    assert_int_equal(json_integer_value(json_object_get(v, "2024-04")), 1);
    /* Before anything happened, nothing is counted. */
    after = indicators_at(f, "2023-12-31");
    assert_int_equal(json_integer_value(json_object_get(fig(after, "detainees", "detainees.by_status"), "records")), 0);
    json_decref(after);

    /* Later events and edits: b released and repatriated, c found detained,
     * a's name corrected, a new incident, a new assessment, a link closure. */
    assert_int_equal(move(f, detainee_move, id_of(b), "{\"to\": \"released\", \"date\": \"2024-08-01\"}", NULL), 0);
    assert_int_equal(move(f, detainee_move, id_of(b), "{\"to\": \"repatriated\", \"date\": \"2024-08-02\"}", NULL), 0);
    assert_int_equal(move(f, detainee_move, id_of(c), "{\"to\": \"detained\", \"date\": \"2024-07-15\"}", NULL), 0);
    body = json_pack("{s:s, s:i}", "surname", "Aaa-corrected", "version", 3);
    json_decref(must(dom_update(&f->c, &dom_detainee, id_of(a), -1, body, &err), &err));
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s}", "visitor", "ICRC", "date", "2024-07-20", "note", "late visit");
    json_decref(must(detainee_add(&f->c, id_of(b), "visits", body, &err), &err));
    json_decref(body);
    json_decref(create(f, &dom_incident, "{\"title\": \"Synthetic 2\", \"type\": \"intimidation\", \"start_date\": \"2024-09-01\"}"));
    body = json_pack("{s:s, s:i, s:s}", "date", "2024-09-01", "level", 2, "rationale", "more releases (test)");
    json_decref(must(commitment_assess(&f->c, id_of(cm), body, &err), &err));
    json_decref(body);
    {
        json_t *l = create(f, &dom_link, "{\"kind\": \"telephone\", \"name\": \"Test phone line\"}");
        assert_int_equal(move(f, link_period_add, id_of(l), "{\"status\": \"closed\", \"from\": \"2024-10-01\"}", NULL), 0);
        json_decref(l);
    }

    after = indicators_at(f, "2024-06-30");
    s1 = json_dumps(json_object_get(before, "areas"), JSON_SORT_KEYS | JSON_COMPACT);
    s2 = json_dumps(json_object_get(after, "areas"), JSON_SORT_KEYS | JSON_COMPACT);
    /* Every figure as of 2024-06-30 reads the same. */
    assert_string_equal(s1, s2);
    /* And today's figures do see the later events. */
    json_decref(after);
    after = indicators_at(f, "2024-12-31");
    v = json_object_get(fig(after, "detainees", "detainees.by_status"), "value");
    assert_int_equal(json_integer_value(json_object_get(v, "repatriated")), 1);
    assert_int_equal(json_integer_value(json_object_get(v, "detained")), 1);
    v = json_object_get(fig(after, "detainees", "detainees.days_capture_to_repatriation"), "value");
    assert_true(json_real_value(json_object_get(v, "median_days")) == 183.0); /* 2024-02-01 -> 2024-08-02 */
    free(s1);
    free(s2);
    json_decref(before);
    json_decref(after);
    json_decref(cm);
    json_decref(inc);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_open_none_open),
        cmocka_unit_test(all_open_staggered_openings),
        cmocka_unit_test(all_open_simultaneous_lifting),
        cmocka_unit_test(all_open_closure_in_the_middle),
        cmocka_unit_test(all_open_merges_touching_and_keeps_gaps),
        cmocka_unit_test(day_numbers_round_trip),
        cmocka_unit_test(detainee_moves_legal_and_illegal),
        cmocka_unit_test(tracing_and_verification_moves),
        cmocka_unit_test_setup_teardown(seed_commitments_quote_the_texts_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(detainee_walks_and_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(link_periods_never_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(all_open_report_on_stored_links, setup, teardown),
        cmocka_unit_test_setup_teardown(tracing_disclosure_needs_consent, setup, teardown),
        cmocka_unit_test_setup_teardown(tracing_candidates_appear_when_the_person_is_registered_later, setup, teardown),
        cmocka_unit_test_setup_teardown(incident_verification_keeps_who_and_why, setup, teardown),
        cmocka_unit_test_setup_teardown(indicators_as_of_a_day_survive_later_edits, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

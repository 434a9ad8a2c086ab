/*
 * cli_demo.c - `homeward demo`: fills a database with generated records that
 * look like the real work but describe nobody. Names come from the name
 * lists in data/names.tsv (given and family names in Armenian, Russian and
 * Latin forms), combined at random; every record is marked as demo data in
 * its source. Households register through the same domain operations as
 * the API, so demo data passes every rule real data must pass.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "domain/domain.h"
#include "store/auth_store.h"
#include "store/db.h"
#include "store/registry_store.h"
#include "util/buf.h"
#include "util/embedded.h"
#include "util/pdate.h"

typedef struct name {
    char  kind;      /* 'g' given, 'f' family */
    char  sex;       /* 'm', 'f', '-' */
    char *hy, *ru, *en;
    char *variants[8];
    int   nvariants;
} name_t;

typedef struct demo {
    uint64_t rng;              /* xorshift64* state */
    name_t  *names;
    int      nnames;
    int     *male, nmale;      /* indexes of male given names */
    int     *female, nfemale;
    int     *family, nfamily;
    char   **origins;  int norigins;   /* settlements in Nagorno Karabakh */
    char   **dests;    int ndests;     /* towns in Armenia */
    int      persons, households, cases, target;
} demo_t;

static uint64_t next(demo_t *d)
{
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * 2685821657736338717ULL;
}

/* Uniform in [0, n). */
static int pick(demo_t *d, int n)
{
    return n > 0 ? (int)(next(d) % (uint64_t)n) : 0;
}

static double unit(demo_t *d)
{
    return (double)(next(d) >> 11) / 9007199254740992.0;
}

/* Index into a list skewed towards its head (common names first). */
static int skewed(demo_t *d, int n)
{
    double u = unit(d);
    return (int)(u * u * n) % (n ? n : 1);
}

static char *field(char **p)
{
    char *s = *p, *t = strchr(s, '\t');

    if (t) {
        *t = '\0';
        *p = t + 1;
    } else {
        *p = s + strlen(s);
    }
    return s;
}

static int load_names(demo_t *d)
{
    const embedded_file_t *f = embedded_find("names.tsv");
    char *copy, *line, *save = NULL;
    int first = 1;

    if (!f || !f->len)
        return -1;
    copy = strdup(f->data);
    d->names = calloc(f->len / 8 + 1, sizeof *d->names);
    d->male = calloc(f->len / 8 + 1, sizeof(int));
    d->female = calloc(f->len / 8 + 1, sizeof(int));
    d->family = calloc(f->len / 8 + 1, sizeof(int));
    if (!copy || !d->names || !d->male || !d->female || !d->family) {
        free(copy);
        return -1;
    }
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        name_t *n = &d->names[d->nnames];
        char *p = line, *kind, *sex, *var, *vs = NULL;

        if (first) {
            first = 0;
            continue;
        }
        kind = field(&p);
        sex = field(&p);
        n->hy = strdup(field(&p));
        n->ru = strdup(field(&p));
        n->en = strdup(field(&p));
        var = field(&p);
        for (char *v = strtok_r(var, "|", &vs); v && n->nvariants < 8; v = strtok_r(NULL, "|", &vs))
            n->variants[n->nvariants++] = strdup(v);
        n->kind = kind[0];
        n->sex = sex[0];
        if (!*n->hy || !*n->ru || !*n->en)
            continue;
        if (n->kind == 'g' && n->sex == 'm')
            d->male[d->nmale++] = d->nnames;
        else if (n->kind == 'g' && n->sex == 'f')
            d->female[d->nfemale++] = d->nnames;
        else if (n->kind == 'f')
            d->family[d->nfamily++] = d->nnames;
        else
            continue;
        d->nnames++;
    }
    free(copy);
    return d->nmale && d->nfemale && d->nfamily ? 0 : -1;
}

static void demo_free(demo_t *d)
{
    for (int i = 0; i < d->nnames; i++) {
        free(d->names[i].hy);
        free(d->names[i].ru);
        free(d->names[i].en);
        for (int k = 0; k < d->names[i].nvariants; k++)
            free(d->names[i].variants[k]);
    }
    free(d->names);
    free(d->male);
    free(d->female);
    free(d->family);
    for (int i = 0; i < d->norigins; i++)
        free(d->origins[i]);
    for (int i = 0; i < d->ndests; i++)
        free(d->dests[i]);
    free(d->origins);
    free(d->dests);
}

/* ---- writing names as a source would ---- */

enum { S_ARMN, S_CYRL, S_LATN };

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The father's name as a patronymic in the source's script. */
static void patronymic(demo_t *d, const name_t *father, int script, char sex, buf_t *out)
{
    if (script == S_ARMN) {
        /* Armenian documents write the father's name in the genitive. */
        buf_puts(out, father->hy);
        if (!ends_with(father->hy, "ի") && !ends_with(father->hy, "ա") && !ends_with(father->hy, "ո") &&
            !ends_with(father->hy, "ե"))
            buf_puts(out, "ի");
    } else if (script == S_CYRL) {
        const char *n = father->ru;
        size_t len = strlen(n);
        if (ends_with(n, "й")) {
            buf_add(out, n, len - strlen("й"));
            buf_puts(out, sex == 'f' ? "евна" : "евич");
        } else if (ends_with(n, "а") || ends_with(n, "я")) {
            buf_add(out, n, len - 2);
            buf_puts(out, sex == 'f' ? "ична" : "ич");
        } else {
            buf_puts(out, n);
            buf_puts(out, sex == 'f' ? "овна" : "ович");
        }
    } else {
        int v = pick(d, father->nvariants);
        buf_puts(out, unit(d) < 0.7 || !father->nvariants ? father->en : father->variants[v]);
    }
}

static void latin(demo_t *d, const name_t *n, int upper, buf_t *out)
{
    const char *s = n->en;
    size_t start = out->len;

    if (n->nvariants && unit(d) < 0.3)
        s = n->variants[pick(d, n->nvariants)];
    buf_puts(out, s);
    if (upper)
        for (size_t i = start; i < out->len; i++)
            if (out->p[i] >= 'a' && out->p[i] <= 'z')
                out->p[i] = (char)(out->p[i] - 32);
}

static void written(demo_t *d, const name_t *n, int script, int upper, buf_t *out)
{
    if (script == S_ARMN)
        buf_puts(out, n->hy);
    else if (script == S_CYRL)
        buf_puts(out, n->ru);
    else
        latin(d, n, upper, out);
}

/* ---- records ---- */

static void birth_date(demo_t *d, int year, buf_t *out)
{
    double u = unit(d);
    int m = 1 + pick(d, 12), day = 1 + pick(d, 28);

    if (u < 0.70)
        buf_printf(out, "%04d-%02d-%02d", year, m, day);
    else if (u < 0.82)
        buf_printf(out, "%04d-%02d", year, m);
    else if (u < 0.95)
        buf_printf(out, "%04d", year);
    else
        buf_printf(out, "%04d~", year);
}

typedef struct member {
    const name_t *given;
    const name_t *father;
    char          sex;
    int           year;
    const char   *relation;
} member_t;

static json_t *person_json(demo_t *d, const member_t *m, const name_t *family, int script, int upper,
                           const char *household, const char *origin, const char *dest, int serial)
{
    buf_t g = BUF_INIT, f = BUF_INIT, p = BUF_INIT, b = BUF_INIT, contact = BUF_INIT, disp = BUF_INIT;
    json_t *o;
    int day = 19 + skewed(d, 12);

    written(d, m->given, script, upper, &g);
    written(d, family, script, upper, &f);
    if (m->father && unit(d) < 0.85)
        patronymic(d, m->father, script, m->sex, &p);
    if (unit(d) < 0.95)
        birth_date(d, m->year, &b);
    buf_printf(&contact, "demo-%06d@example.org", serial);
    /* Most left between 24 and 30 September 2023. */
    buf_printf(&disp, "2023-09-%02d", day > 30 ? 30 : (day < 24 && unit(d) < 0.8 ? day + 5 : day));
    o = json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:s, s:s, s:s, s:s}",
                  "given_name", buf_str(&g), "family_name", buf_str(&f), "patronymic", p.len ? buf_str(&p) : NULL,
                  "sex", m->sex == 'f' ? "female" : "male", "birth_date", b.len ? buf_str(&b) : NULL,
                  "origin_settlement", origin, "household", household, "relation_to_head", m->relation,
                  "displacement_date", buf_str(&disp), "current_country", "AM", "current_settlement", dest,
                  "consent_registration", 1, "consent_tracing", unit(d) < 0.8, "consent_sharing", unit(d) < 0.6,
                  "consent_date", "2024-02-01", "contact", buf_str(&contact),
                  "source", script == S_ARMN ? "DEMO: generated, Armenian-script register"
                           : script == S_CYRL ? "DEMO: generated, Russian-language list"
                                              : "DEMO: generated, Latin-script list",
                  "status", unit(d) < 0.96 ? "displaced" : (unit(d) < 0.5 ? "relocated" : "unknown"));
    if (unit(d) < 0.1) {
        /* The same name as another source wrote it. */
        buf_t other = BUF_INIT;
        int s2 = (script + 1 + pick(d, 2)) % 3;
        written(d, family, s2, 0, &other);
        buf_putc(&other, ' ');
        written(d, m->given, s2, 0, &other);
        json_object_set_new(o, "other_names", json_pack("[s]", buf_str(&other)));
        buf_free(&other);
    }
    if (m->year < 1950 && unit(d) < 0.3)
        json_object_set_new(o, "specific_needs", json_pack("[s]", "elderly_alone"));
    buf_free(&g);
    buf_free(&f);
    buf_free(&p);
    buf_free(&b);
    buf_free(&contact);
    buf_free(&disp);
    return o;
}

static const char *const forward_path[] = {"counselled", "ready", "scheduled", "in_transit", "arrived", "followed_up"};

/* Open a return case and walk it to a status chosen at random. */
static int demo_case(demo_t *d, dom_ctx_t *c, const char *household, const char *person, const char *dest)
{
    static const char *const intentions[] = {"wishes_to_return", "undecided", "does_not_wish"};
    static const char *const conds[] = {"security_guarantees", "property", "documents", "services", "housing",
                                        "status_and_rights", "freedom_of_movement"};
    dom_err_t err = {0};
    double u = unit(d);
    const char *intention = intentions[u < 0.5 ? 0 : u < 0.82 ? 1 : 2];
    char req[PDATE_MAX], date[PDATE_MAX];
    pdate_t when, today;
    json_t *body, *rc, *conditions = json_array(), *tr;
    const char *uuid;
    int steps, end;

    for (int i = 0; i < 7; i++)
        if (unit(d) < 0.35)
            json_array_append_new(conditions, json_string(conds[i]));
    pdate_today(&today);
    when.year = 2024 + pick(d, 2);
    when.month = 1 + pick(d, 12);
    when.day = 1 + pick(d, 28);
    when.approx = 0;
    pdate_format(&when, req);
    body = json_pack("{s:s?, s:s?, s:s, s:s, s:o, s:s, s:s}", "household", household, "person", person,
                     "intention", intention, "intention_date", req, "conditions", conditions,
                     "destination_settlement", dest, "requested_date", req);
    rc = dom_create(c, &dom_return, body, &err);
    json_decref(body);
    if (!rc) {
        cli_print_dom_error("demo", &err);
        return -1;
    }
    d->cases++;
    uuid = json_string_value(json_object_get(rc, "id"));
    /* Only those who wish to return move far; every status appears. */
    steps = strcmp(intention, "wishes_to_return") == 0 ? pick(d, 7) : pick(d, 2);
    end = pick(d, 10);
    for (int i = 0; i <= steps && i < 7; i++) {
        const char *to = i < steps ? forward_path[i]
                                   : (end == 0 && i < 4 ? "suspended" : end == 1 && i < 4 ? "withdrawn" : NULL);
        if (!to)
            break;
        pdate_add_days(&when, 3 + pick(d, 40), &when);
        if (pdate_cmp_earliest(&when, &today) > 0)
            break;
        pdate_format(&when, date);
        body = json_pack("{s:s, s:s, s:s}", "to", to, "date", date, "reason",
                         strcmp(to, "suspended") == 0 ? "DEMO: crossing point closed"
                         : strcmp(to, "withdrawn") == 0 ? "DEMO: family decided to wait" : "DEMO: next step");
        tr = return_transition(c, uuid, RETURN_ANY_VERSION, body, &err);
        json_decref(body);
        if (!tr) {
            dom_err_clear(&err);
            break;
        }
        json_decref(tr);
    }
    json_decref(rc);
    return 0;
}

static int demo_household(demo_t *d, dom_ctx_t *c)
{
    static const int sizes[] = {1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8};
    int size = sizes[pick(d, 20)], n = 0, script, upper;
    const name_t *family = &d->names[d->family[skewed(d, d->nfamily)]];
    const char *origin = d->origins[unit(d) < 0.35 ? 0 : pick(d, d->norigins)];
    const char *dest = d->dests[unit(d) < 0.45 ? 0 : pick(d, d->ndests)];
    member_t m[10] = {0};
    dom_err_t err = {0};
    json_t *hh, *body, *head = NULL;
    const char *hid;
    double u = unit(d);
    int rc = 0;

    script = u < 0.35 ? S_ARMN : u < 0.65 ? S_CYRL : S_LATN;
    upper = script == S_LATN && unit(d) < 0.25;
    /* Head, spouse, children, sometimes a grandparent. */
    m[0].sex = unit(d) < 0.75 ? 'm' : 'f';
    m[0].year = 1945 + pick(d, 46);
    m[0].relation = "head";
    n = 1;
    if (size >= 2 && unit(d) < 0.8) {
        m[n].sex = m[0].sex == 'm' ? 'f' : 'm';
        m[n].year = m[0].year - 5 + pick(d, 10);
        m[n].relation = "spouse";
        n++;
    }
    if (size >= 5 && unit(d) < 0.3) {
        m[n].sex = unit(d) < 0.6 ? 'f' : 'm';
        m[n].year = m[0].year - 22 - pick(d, 12);
        m[n].relation = "parent";
        n++;
    }
    while (n < size) {
        m[n].sex = unit(d) < 0.5 ? 'f' : 'm';
        m[n].year = m[0].year + 20 + pick(d, 18);
        if (m[n].year > 2023)
            m[n].year = 2023 - pick(d, 5);
        m[n].relation = "child";
        n++;
    }
    {
        const name_t *grandfather = &d->names[d->male[skewed(d, d->nmale)]];
        const name_t *father = NULL;
        for (int i = 0; i < n; i++) {
            m[i].given = &d->names[m[i].sex == 'm' ? d->male[skewed(d, d->nmale)] : d->female[skewed(d, d->nfemale)]];
            if (strcmp(m[i].relation, "head") == 0)
                m[i].father = grandfather;
            else if (strcmp(m[i].relation, "spouse") == 0 || strcmp(m[i].relation, "parent") == 0)
                m[i].father = &d->names[d->male[skewed(d, d->nmale)]];
        }
        father = m[0].sex == 'm' ? m[0].given : (n > 1 && m[1].sex == 'm' ? m[1].given : grandfather);
        for (int i = 0; i < n; i++)
            if (strcmp(m[i].relation, "child") == 0)
                m[i].father = father;
    }

    body = json_pack("{s:s, s:s, s:s, s:i}", "origin_settlement", origin, "current_country", "AM",
                     "current_settlement", dest, "declared_size", size);
    hh = dom_create(c, &dom_household, body, &err);
    json_decref(body);
    if (!hh) {
        cli_print_dom_error("demo", &err);
        return -1;
    }
    d->households++;
    hid = json_string_value(json_object_get(hh, "id"));
    for (int i = 0; i < n && d->persons < d->target; i++) {
        json_t *p = person_json(d, &m[i], family, script, upper, hid, origin, dest, d->persons + 1);
        json_t *out = dom_create(c, &dom_person, p, &err);
        json_decref(p);
        if (!out) {
            cli_print_dom_error("demo", &err);
            rc = -1;
            break;
        }
        d->persons++;
        if (i == 0)
            head = json_incref(json_object_get(out, "id"));
        json_decref(out);
    }
    if (rc == 0 && head) {
        json_t *out;
        body = json_pack("{s:O}", "head", head);
        out = dom_update(c, &dom_household, hid, 1, body, &err);
        json_decref(body);
        if (!out) {
            cli_print_dom_error("demo", &err);
            rc = -1;
        }
        json_decref(out);
    }
    if (rc == 0 && unit(d) < 0.4)
        rc = unit(d) < 0.85 ? demo_case(d, c, hid, NULL, origin) : demo_case(d, c, NULL, json_string_value(head), origin);
    json_decref(head);
    json_decref(hh);
    return rc;
}

static int load_places(demo_t *d, dom_ctx_t *c)
{
    json_t *az = store_settlement_ids(c->db, "AZ"), *am = store_settlement_ids(c->db, "AM");
    size_t i;
    json_t *v;
    int first_az = -1, first_am = -1;

    d->origins = calloc(json_array_size(az) + 1, sizeof(char *));
    d->dests = calloc(json_array_size(am) + 1, sizeof(char *));
    json_array_foreach(az, i, v) {
        if (strcmp(json_string_value(v), "stepanakert") == 0)
            first_az = d->norigins;
        d->origins[d->norigins++] = strdup(json_string_value(v));
    }
    json_array_foreach(am, i, v) {
        if (strcmp(json_string_value(v), "yerevan") == 0)
            first_am = d->ndests;
        d->dests[d->ndests++] = strdup(json_string_value(v));
    }
    json_decref(az);
    json_decref(am);
    /* The capital and the largest city go first: the skew favours them. */
    if (first_az > 0) {
        char *t = d->origins[0]; d->origins[0] = d->origins[first_az]; d->origins[first_az] = t;
    }
    if (first_am > 0) {
        char *t = d->dests[0]; d->dests[0] = d->dests[first_am]; d->dests[first_am] = t;
    }
    return d->norigins && d->ndests ? 0 : -1;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"db", 1, 0, 'd'}, {"persons", 1, 0, 'p'}, {"seed", 1, 0, 's'},
                                         {"help", 0, 0, 'h'}, {0}};
    const char *path = cli_default_db();
    long persons = 1000, seed = 20230919;
    demo_t d = {0};
    dom_ctx_t c;
    int o, rc = 0, tty = isatty(2);

    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (o == 'd')
            path = optarg;
        else if (o == 'p') {
            persons = strtol(optarg, &end, 10);
            if (*end || persons < 1 || persons > 10000000)
                return cli_usage("demo", "--persons must be a whole number from 1 to 10000000");
        } else if (o == 's') {
            seed = strtol(optarg, &end, 10);
            if (*end)
                return cli_usage("demo", "--seed must be a whole number");
        } else if (o == 'h') {
            printf("usage: homeward demo [--persons N] [--seed S] [--db PATH]\n\n"
                   "Add N generated persons (default 1000) in households of realistic size, with\n"
                   "names written in Armenian, Russian or Latin script as different sources would,\n"
                   "origins from the gazetteer, displacement dates in late September 2023 and return\n"
                   "cases in every status. Clearly synthetic: no real persons; sources say DEMO.\n\n"
                   "  --db PATH       the database file (default: $HOMEWARD_DB or ./homeward.db)\n"
                   "  --seed S        the random seed (same seed, same data)\n");
            return 0;
        } else
            return cli_usage("demo", "unknown option");
    }
    if ((rc = cli_open_current("demo", path, &c)))
        return rc;
    if ((rc = cli_load_key("demo", path))) {
        cli_close(&c);
        return rc;
    }
    d.rng = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
    d.target = (int)persons;
    if (load_names(&d) != 0 || load_places(&d, &c) != 0) {
        demo_free(&d);
        cli_close(&c);
        return cli_fail("demo", "the name lists or the gazetteer are missing from this build or database");
    }
    c.batch = 1;
    c.org_id = store_first_org(c.db); /* demo records belong to the first organisation */
    while (d.persons < d.target && rc == 0) {
        /* Many households per transaction: one fsync per batch. */
        if (db_begin(c.db) != SQLITE_OK) {
            rc = -1;
            break;
        }
        for (int i = 0; i < 200 && d.persons < d.target && rc == 0; i++)
            rc = demo_household(&d, &c);
        if (rc != 0 || db_commit(c.db) != SQLITE_OK) {
            db_rollback(c.db);
            rc = -1;
            break;
        }
        if (tty)
            fprintf(stderr, "\rdemo: %d/%d persons", d.persons, d.target);
    }
    if (tty)
        fputc('\n', stderr);
    if (rc == 0)
        printf("added %d persons in %d households and %d return cases (all marked DEMO)\n", d.persons,
               d.households, d.cases);
    demo_free(&d);
    cli_close(&c);
    return rc ? cli_fail("demo", "stopped: the last batch was rolled back") : 0;
}

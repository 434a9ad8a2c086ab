/*
 * test_match_index.c - the index: blocking recall on a small fixed set,
 * EM convergence on a fixture, clustering that refuses to chain, queries
 * and name search across scripts, records added after the build, place
 * aliases and given-name equivalents. All names are generated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "match/match.h"

/* id, given, family, patronymic, birth date, birth place, sex; the id's
 * letter is the person. */
static const match_input_t fixture[] = {
    {"a1", "Արամ", "Հովհաննիսյան", "Գևորգի", "1971-03-14", "Ստեփանակերտ", "արական"},
    {"a2", "Арам", "Оганесян", "Геворкович", "14.03.1971", "Степанакерт", "м"},
    {"a3", "Aram", "Hovhannisyan", NULL, "1971", "Khankendi", "M"},
    {"a4", "ARAM", "OVANESYAN", NULL, "03/14/1971", NULL, NULL},
    {"a5", "A.", "Ovanesian", NULL, "1971", NULL, NULL},
    {"a6", "Ovanesyan", "Aram", "Gevorg", "1971-03-14", NULL, "M"}, /* swapped */
    {"b1", "Մարիամ", "Ղազարյան", "Սարգսի", "1984-11-02", "Մարտունի", "իգական"},
    {"b2", "Мария", "Казарян", "Саркисовна", "02.11.1984", "Ходжавенд", "ж"},
    {"b3", "Mariam", "Ghazaryan", NULL, "1984-11", "Martuni", "F"},
    {"c1", "Գրիգոր", "Խաչատրյան", "Հրանտի", "1958-06-30", "Մարտակերտ", "արական"},
    {"c2", "Григорий", "Хачатрян", "Грантович", "30.06.1958", "Агдере", "м"},
    {"c3", "Grigor", "Xaçatryan", "Hrant", "1958", "Ağdərə", "M"},
    {"c4", "Grigor", "Khachatrian", NULL, NULL, "Martakert", "M"},
    /* d: brother of c, same father and place, other name and year */
    {"d1", "Դավիթ", "Խաչատրյան", "Հրանտի", "1962-01-09", "Մարտակերտ", "արական"},
    {"d2", "Давид", "Хачатрян", "Грантович", "09.01.1962", "Мартакерт", "м"},
    /* e: namesake of a, another father, another year */
    {"e1", "Aram", "Hovhannisyan", "Suren", "1990-08-01", "Gyumri", "M"},
};
#define NFIX (sizeof fixture / sizeof *fixture)

static match_ctx_t *ctx;

static int setup(void **state)
{
    (void)state;
    ctx = match_ctx_new();
    return ctx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    match_ctx_free(ctx);
    return 0;
}

static match_index_t *fixture_index(void)
{
    match_index_t *ix = match_index_new(ctx);

    assert_non_null(ix);
    for (size_t i = 0; i < NFIX; i++)
        assert_int_equal(match_index_add(ix, &fixture[i]), (long)i);
    assert_int_equal(match_index_build(ix, 1), 0);
    return ix;
}

static void blocking_recall_on_fixed_set(void **state)
{
    match_index_t *ix = fixture_index();
    size_t truth = 0, found = 0;

    (void)state;
    for (size_t i = 0; i < NFIX; i++)
        for (size_t j = i + 1; j < NFIX; j++)
            if (fixture[i].id[0] == fixture[j].id[0]) {
                truth++;
                found += match_is_candidate(ix, i, j);
            }
    assert_int_equal(truth, 15 + 3 + 6 + 1);
    assert_int_equal(found, truth);
    /* Different people with nothing in common are not compared. */
    assert_false(match_is_candidate(ix, 0, 6)); /* Aram H. and Mariam G. */
    match_index_free(ix);
}

static void places_join_through_gazetteer_aliases(void **state)
{
    long s = match_ctx_place_id(ctx, "Stepanakert");

    (void)state;
    assert_true(s >= 0);
    assert_int_equal(match_ctx_place_id(ctx, "Khankendi"), s);
    assert_int_equal(match_ctx_place_id(ctx, "Ստեփանակերտ"), s);
    assert_int_equal(match_ctx_place_id(ctx, "Степанакерт"), s);
    assert_int_equal(match_ctx_place_id(ctx, "Xankəndi"), s);
    assert_true(match_ctx_place_id(ctx, "Martuni") >= 0);
    assert_int_equal(match_ctx_place_id(ctx, "Khojavend"), match_ctx_place_id(ctx, "Martuni"));
    assert_true(match_ctx_place_id(ctx, "Martuni") != s);
}

static void pair_explains_itself(void **state)
{
    match_index_t *ix = fixture_index();
    match_hit_t h;
    buf_t b = BUF_INIT;

    (void)state;
    assert_int_equal(match_index_pair(ix, 6, 7, &h), 0); /* Mariam / Мария */
    assert_string_equal(h.fields[MATCH_F_GIVEN].level, "exact");
    assert_string_equal(h.fields[MATCH_F_PLACE].level, "same"); /* Martuni / Khojavend */
    assert_string_equal(h.fields[MATCH_F_BIRTH].level, "exact");
    assert_true(h.prob > 0.99);
    match_explain(&h, &b);
    assert_non_null(strstr(buf_str(&b), "given=exact(+"));
    buf_free(&b);
    /* Brothers: same family, father and place, but other name and date. */
    assert_int_equal(match_index_pair(ix, 9, 13, &h), 0);
    assert_true(h.prob < 0.1);
    assert_string_equal(h.fields[MATCH_F_BIRTH].level, "different");
    /* Swapped given and family names are read as such. */
    assert_int_equal(match_index_pair(ix, 0, 5, &h), 0);
    assert_true(h.swapped);
    assert_true(h.prob > 0.99);
    match_index_free(ix);
}

static void query_finds_the_person_in_another_script(void **state)
{
    match_index_t *ix = fixture_index();
    match_searcher_t *s = match_searcher_new(ix);
    match_input_t q = {NULL, "Арам", "Ованесян", "Геворгович", "1971-03-14", NULL, NULL};
    match_hit_t hits[5];
    int n;

    (void)state;
    assert_non_null(s);
    n = match_query(s, &q, 5, 0.5, hits);
    assert_true(n >= 3);
    for (int i = 0; i < n; i++)
        assert_int_equal(hits[i].id[0], 'a'); /* never the namesake e1 */
    for (int i = 1; i < n; i++)
        assert_true(hits[i - 1].weight >= hits[i].weight);
    /* Name search in any script and order. */
    n = match_search(s, "ОГАНЕСЯН Арам", 5, hits);
    assert_true(n >= 1);
    assert_true(hits[0].id[0] == 'a' || hits[0].id[0] == 'e');
    n = match_search(s, "grigor khachatryan", 5, hits);
    assert_true(n >= 1);
    assert_int_equal(hits[0].id[0], 'c');
    match_searcher_free(s);
    match_index_free(ix);
}

static void records_added_after_build_are_found(void **state)
{
    match_index_t *ix = fixture_index();
    match_searcher_t *s = match_searcher_new(ix);
    match_input_t late = {"f1", "Նարինե", "Սիմոնյան", "Արմենի", "2001-02-03", NULL, "իգական"};
    match_input_t q = {NULL, "Narine", "Simonyan", "Armenovna", "03.02.2001", NULL, "F"};
    match_hit_t hits[3];
    int n;

    (void)state;
    n = match_query(s, &q, 3, 0.5, hits);
    assert_int_equal(n, 0);
    assert_int_equal(match_index_pending(ix), 0);
    assert_int_equal(match_index_add(ix, &late), (long)NFIX);
    assert_int_equal(match_index_pending(ix), 1);
    n = match_query(s, &q, 3, 0.5, hits);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].id, "f1");
    /* Removed (e.g. before re-adding an edited record): never found again. */
    assert_int_equal(match_index_remove(ix, NFIX), 0);
    assert_int_equal(match_query(s, &q, 3, 0.5, hits), 0);
    assert_int_equal(match_index_remove(ix, NFIX + 1), -1);
    match_searcher_free(s);
    match_index_free(ix);
}

static void clustering_refuses_weak_bridge(void **state)
{
    /* x and z are two men of one name, born years apart to other fathers;
     * y is a bare record that looks like either. Pairs x-y and y-z pass
     * the threshold; x-z contradicts. Components would chain all three. */
    static const match_input_t recs[] = {
        {"x", "Tigran", "Sahakyan", "Levon", "1950-04-04", "Goris", "M"},
        {"y", "Tigran", "Sahakyan", NULL, NULL, "Goris", "M"},
        {"z", "Tigran", "Sahakyan", "Vahan", "1988-09-21", "Goris", "M"},
    };
    match_index_t *ix = match_index_new(ctx);
    match_model_t m;
    match_hit_t h;
    match_pair_t pairs[3];
    uint32_t cl[3];

    (void)state;
    for (int i = 0; i < 3; i++)
        match_index_add(ix, &recs[i]);
    assert_int_equal(match_index_build(ix, 1), 0);
    m = *match_index_model(ix);
    m.lambda = 0.01; /* a prior at which names + place alone pass 0.9 */
    match_index_set_model(ix, &m);
    /* Best first, as match_dedup gives them. */
    match_index_pair(ix, 0, 1, &h);
    pairs[0] = (match_pair_t){0, 1, (float)h.weight, (float)h.prob};
    match_index_pair(ix, 1, 2, &h);
    pairs[1] = (match_pair_t){1, 2, (float)h.weight, (float)h.prob};
    match_index_pair(ix, 0, 2, &h);
    pairs[2] = (match_pair_t){0, 2, (float)h.weight, (float)h.prob};
    assert_true(pairs[0].prob >= 0.9 && pairs[1].prob >= 0.9); /* each bridge passes */
    assert_true(pairs[2].prob < 0.9);                          /* the ends do not */
    assert_int_equal(match_cluster(ix, pairs, 3, 0.9, cl), 0);
    assert_true(cl[0] != cl[2]);
    assert_true(cl[1] == cl[0] || cl[1] == cl[2]); /* y joins one of them */
    match_index_free(ix);
}

static void dedup_groups_the_fixture(void **state)
{
    match_index_t *ix = fixture_index();
    match_pair_t *pairs;
    size_t np;
    match_stats_t st;
    uint32_t cl[NFIX];

    (void)state;
    assert_int_equal(match_dedup(ix, 0.5, 2, NULL, NULL, &pairs, &np, &st), 0);
    assert_int_equal(match_cluster(ix, pairs, np, 0.9, cl), 0);
    for (size_t i = 0; i < NFIX; i++)
        for (size_t j = i + 1; j < NFIX; j++)
            if (cl[i] == cl[j])
                assert_int_equal(fixture[i].id[0], fixture[j].id[0]); /* no false merge */
    assert_int_equal(cl[1], cl[0]); /* Оганесян = Հովհաննիսյան */
    assert_int_equal(cl[7], cl[6]); /* Мария Казарян = Մարիամ Ղազարյան */
    assert_int_equal(cl[10], cl[9]); /* Григорий = Գրիգոր */
    free(pairs);
    /* A removed record takes no part in dedup. */
    assert_int_equal(match_index_remove(ix, 1), 0);
    assert_int_equal(match_dedup(ix, 0.5, 2, NULL, NULL, &pairs, &np, &st), 0);
    for (size_t i = 0; i < np; i++)
        assert_true(pairs[i].a != 1 && pairs[i].b != 1);
    free(pairs);
    match_index_free(ix);
}

/* Pattern counts drawn exactly from a known model; EM from a poor start
 * must find it again. */
static void em_converges_on_fixture(void **state)
{
    match_model_t truth = {0}, est;
    int8_t (*pat)[MATCH_NFIELDS];
    double *cnt, lam = 0.3;
    size_t np = 0;
    const int nl[3] = {3, 3, 2}; /* family, given, father levels used */
    int it;

    (void)state;
    for (int f = 0; f < MATCH_NFIELDS; f++)
        truth.nlevels[f] = 2;
    truth.nlevels[0] = truth.nlevels[1] = 3;
    truth.m[0][0] = 0.8, truth.m[0][1] = 0.15, truth.m[0][2] = 0.05;
    truth.u[0][0] = 0.05, truth.u[0][1] = 0.1, truth.u[0][2] = 0.85;
    truth.m[1][0] = 0.7, truth.m[1][1] = 0.2, truth.m[1][2] = 0.1;
    truth.u[1][0] = 0.1, truth.u[1][1] = 0.1, truth.u[1][2] = 0.8;
    truth.m[2][0] = 0.9, truth.m[2][1] = 0.1;
    truth.u[2][0] = 0.2, truth.u[2][1] = 0.8;
    pat = calloc(18, sizeof *pat);
    cnt = calloc(18, sizeof *cnt);
    for (int a = 0; a < nl[0]; a++)
        for (int b = 0; b < nl[1]; b++)
            for (int c = 0; c < nl[2]; c++) {
                double pm = truth.m[0][a] * truth.m[1][b] * truth.m[2][c];
                double pu = truth.u[0][a] * truth.u[1][b] * truth.u[2][c];

                memset(pat[np], -1, MATCH_NFIELDS);
                pat[np][0] = (int8_t)a, pat[np][1] = (int8_t)b, pat[np][2] = (int8_t)c;
                cnt[np++] = 100000.0 * (0.2 * pm + 0.8 * pu);
            }
    est = truth;
    for (int f = 0; f < 3; f++)
        for (int l = 0; l < truth.nlevels[f]; l++)
            est.m[f][l] = 1.0 / truth.nlevels[f]; /* flat start */
    est.m[0][0] = 0.5, est.m[0][1] = 0.3, est.m[0][2] = 0.2;
    it = match_em((const int8_t(*)[MATCH_NFIELDS])pat, cnt, np, 7u, &est, &lam, 2000);
    assert_true(it > 1);
    assert_true(fabs(lam - 0.2) < 0.01);
    for (int f = 0; f < 3; f++)
        for (int l = 0; l < truth.nlevels[f]; l++)
            assert_true(fabs(est.m[f][l] - truth.m[f][l]) < 0.01);
    free(pat);
    free(cnt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blocking_recall_on_fixed_set),
        cmocka_unit_test(places_join_through_gazetteer_aliases),
        cmocka_unit_test(pair_explains_itself),
        cmocka_unit_test(query_finds_the_person_in_another_script),
        cmocka_unit_test(records_added_after_build_are_found),
        cmocka_unit_test(clustering_refuses_weak_bridge),
        cmocka_unit_test(dedup_groups_the_fixture),
        cmocka_unit_test(em_converges_on_fixture),
    };
    return cmocka_run_group_tests_name("match::index", tests, setup, teardown);
}

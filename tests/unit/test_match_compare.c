/*
 * test_match_compare.c - comparators: Jaro-Winkler and Damerau-Levenshtein
 * against published vectors, token sets, partial dates, sex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "match/match.h"

/* Winkler (1990) and the usual record-linkage teaching examples. */
static void jaro_winkler_published_vectors(void **state)
{
    (void)state;
    assert_true(fabs(match_jaro_winkler("MARTHA", "MARHTA") - 0.961) < 0.0005);
    assert_true(fabs(match_jaro_winkler("DWAYNE", "DUANE") - 0.840) < 0.0005);
    assert_true(fabs(match_jaro_winkler("DIXON", "DICKSONX") - 0.813) < 0.0005);
    assert_true(match_jaro_winkler("oanisian", "oanisian") == 1.0);
    assert_true(match_jaro_winkler("abc", "xyz") == 0.0);
    assert_true(match_jaro_winkler("", "abc") == 0.0);
    /* Symmetric. */
    assert_true(fabs(match_jaro_winkler("DUANE", "DWAYNE") - match_jaro_winkler("DWAYNE", "DUANE")) < 1e-12);
}

static void damerau_levenshtein_vectors(void **state)
{
    (void)state;
    assert_int_equal(match_damerau("kitten", "sitting"), 3);
    assert_int_equal(match_damerau("ca", "ac"), 1);       /* one transposition */
    assert_int_equal(match_damerau("ca", "abc"), 3);      /* OSA, not unrestricted (2) */
    assert_int_equal(match_damerau("", "abc"), 3);
    assert_int_equal(match_damerau("petrosian", "petrosian"), 0);
    assert_int_equal(match_damerau("petrosian", "petorsian"), 1);
}

/* The n-th random pair (a, b) of a test: strings over a small alphabet (so
 * that letters repeat and swap) of every length up to 64, mostly of names'
 * lengths, b mostly a copy of a with some letters changed. */
static void random_pair(int n, unsigned *seed, char a[65], char b[65])
{
    int alpha = 2 + n % 5, la = n % 65, lb;

    *seed = *seed * 1103515245u + 12345u;
    lb = n % 7 == 0 ? (int)(*seed >> 16) % 65 : la + (int)((*seed >> 16) % 5) - 2;
    lb = lb < 0 ? 0 : lb > 64 ? 64 : lb;
    if (la > 20 && n % 3)
        la = la % 21;
    for (int i = 0; i < la; i++) {
        *seed = *seed * 1103515245u + 12345u;
        a[i] = (char)('a' + (*seed >> 16) % (unsigned)alpha);
    }
    a[la] = 0;
    for (int i = 0; i < lb; i++) {
        *seed = *seed * 1103515245u + 12345u;
        b[i] = i < la && (*seed >> 16) % 4 ? a[i] : (char)('a' + (*seed >> 20) % (unsigned)alpha);
    }
    b[lb] = 0;
    if (lb > 1 && n % 2) { /* two neighbours swapped */
        int k = (int)((*seed >> 8) % (unsigned)(lb - 1));
        char t = b[k];
        b[k] = b[k + 1];
        b[k + 1] = t;
    }
}

/* Jaro-Winkler as it is usually written, with the double loop: the
 * reference for the engine's bit-mask version. */
static double jw_loops(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), win, m = 0, t = 0, prefix = 0;
    int ma[64] = {0}, mb[64] = {0};
    double jaro;

    if (la == 0 || lb == 0)
        return la == lb ? 1.0 : 0.0;
    win = (la > lb ? la : lb) / 2;
    win = win > 0 ? win - 1 : 0;
    for (size_t i = 0; i < la; i++) {
        size_t lo = i > win ? i - win : 0, hi = i + win + 1 < lb ? i + win + 1 : lb;

        for (size_t j = lo; j < hi; j++)
            if (!mb[j] && a[i] == b[j]) {
                ma[i] = mb[j] = 1;
                m++;
                break;
            }
    }
    if (m == 0)
        return 0.0;
    for (size_t i = 0, j = 0; i < la; i++) {
        if (!ma[i])
            continue;
        while (!mb[j])
            j++;
        if (a[i] != b[j])
            t++;
        j++;
    }
    jaro = ((double)m / (double)la + (double)m / (double)lb + ((double)m - (double)t / 2.0) / (double)m) / 3.0;
    while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* Random pairs against the loops. */
static void jaro_winkler_matches_the_loops(void **state)
{
    char a[65], b[65];
    unsigned seed = 777;

    (void)state;
    for (int n = 0; n < 200000; n++) {
        random_pair(n, &seed, a, b);
        if (match_jaro_winkler(a, b) != jw_loops(a, b))
            fail_msg("jaro_winkler(\"%s\", \"%s\") = %.17g, the loops say %.17g", a, b, match_jaro_winkler(a, b),
                     jw_loops(a, b));
    }
}

/* The table the distance is defined by (optimal string alignment), cell by
 * cell: the reference for the engine's bit-vector version. */
static int osa_table(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    static int d[65][65];

    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int v = d[i - 1][j] + 1;

            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) < v)
                v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* Random pairs against the table. */
static void damerau_matches_its_table(void **state)
{
    char a[65], b[65];
    unsigned seed = 12345;

    (void)state;
    for (int n = 0; n < 200000; n++) {
        random_pair(n, &seed, a, b);
        if (match_damerau(a, b) != osa_table(a, b))
            fail_msg("damerau(\"%s\", \"%s\") = %d, the table says %d", a, b, match_damerau(a, b),
                     osa_table(a, b));
    }
    /* Longer strings are compared on their first 64 bytes. */
    memset(a, 'x', 64);
    a[64] = 0;
    assert_int_equal(match_damerau(a, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxyz"), 0);
    assert_int_equal(match_damerau(a, "x"), 63);
}

static void token_set_ignores_order(void **state)
{
    (void)state;
    assert_true(match_token_set("aram oanisian", "oanisian aram") == 1.0);
    assert_true(match_token_set("aram", "oanisian aram") == 1.0);
    assert_true(match_token_set("aram oanisian", "karen petrosian") < 0.8);
    assert_true(match_token_set("", "aram") == 0.0);
}

static void dates_parse_every_format(void **state)
{
    match_date_t d;

    (void)state;
    match_parse_date("1965-05-12", &d);
    assert_true(d.year == 1965 && d.month == 5 && d.day == 12);
    match_parse_date("12.05.1965", &d);
    assert_true(d.year == 1965 && d.month == 5 && d.day == 12);
    match_parse_date("05/12/1965", &d);
    assert_true(d.year == 1965 && d.month == 5 && d.day == 12);
    match_parse_date("25/12/1965", &d); /* cannot be month first */
    assert_true(d.year == 1965 && d.month == 12 && d.day == 25);
    match_parse_date("1965", &d);
    assert_true(d.year == 1965 && d.month == 0 && d.day == 0);
    match_parse_date("1965-05", &d);
    assert_true(d.year == 1965 && d.month == 5 && d.day == 0);
    match_parse_date("1965~", &d);
    assert_true(d.year == 1965 && d.month == 0);
    match_parse_date("unknown", &d);
    assert_int_equal(d.year, 0);
    match_parse_date("31.13.1965", &d); /* no month 13: keep the year only */
    assert_true(d.year == 1965 && d.month == 0);
    match_parse_date(NULL, &d);
    assert_int_equal(d.year, 0);
}

static void dates_compare_by_level(void **state)
{
    match_date_t a, b;

    (void)state;
    match_parse_date("1965-05-12", &a);
    match_parse_date("12.05.1965", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_EXACT);
    match_parse_date("1965-12-05", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_SWAPPED);
    /* Agreement counts to the precision both dates have; a day both know
     * and disagree on leaves the year and month, a month the year only. */
    match_parse_date("1965-05-20", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_OTHER_DAY);
    match_parse_date("1965-06-12", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_PARTIAL);
    match_parse_date("1965-06", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_PARTIAL);
    match_parse_date("1965-05", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_YEAR_MONTH);
    match_parse_date("1965", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_YEAR);
    match_parse_date("1966-05-12", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_ONE_YEAR_DM);
    match_parse_date("1966-07-01", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_ONE_YEAR);
    match_parse_date("1966", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_ONE_YEAR);
    match_parse_date("1971", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_DIFFERENT);
    match_parse_date("", &b);
    assert_int_equal(match_compare_dates(&a, &b), MATCH_DATE_MISSING);
}

static void sex_in_four_languages(void **state)
{
    (void)state;
    assert_int_equal(match_parse_sex("M"), 'm');
    assert_int_equal(match_parse_sex("female"), 'f');
    assert_int_equal(match_parse_sex("м"), 'm');
    assert_int_equal(match_parse_sex("Ж"), 'f');
    assert_int_equal(match_parse_sex("արական"), 'm');
    assert_int_equal(match_parse_sex("իգական"), 'f');
    assert_int_equal(match_parse_sex("qadın"), 'f');
    assert_int_equal(match_parse_sex(""), 0);
    assert_int_equal(match_parse_sex(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jaro_winkler_published_vectors),
        cmocka_unit_test(damerau_levenshtein_vectors),
        cmocka_unit_test(damerau_matches_its_table),
        cmocka_unit_test(jaro_winkler_matches_the_loops),
        cmocka_unit_test(token_set_ignores_order),
        cmocka_unit_test(dates_parse_every_format),
        cmocka_unit_test(dates_compare_by_level),
        cmocka_unit_test(sex_in_four_languages),
    };
    return cmocka_run_group_tests_name("match::compare", tests, NULL, NULL);
}

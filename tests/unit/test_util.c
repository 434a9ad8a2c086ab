/*
 * test_util.c - partial dates, check digits, buffers, UUIDs, text and JSON output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hwnum.h"
#include "util/jsonout.h"
#include "util/pdate.h"
#include "util/text.h"
#include "util/uuid.h"

#include <uuid.h>

static void pdate_accepts_each_precision(void **state)
{
    pdate_t d;
    const char *why;
    char out[PDATE_MAX];

    (void)state;
    assert_int_equal(pdate_parse("1978", &d, &why), 0);
    assert_int_equal(d.year, 1978);
    assert_int_equal(d.month, 0);
    assert_int_equal(d.day, 0);
    assert_int_equal(pdate_parse("1978-05", &d, &why), 0);
    assert_int_equal(d.month, 5);
    assert_int_equal(pdate_parse("1978-05-12", &d, &why), 0);
    assert_int_equal(d.day, 12);
    assert_int_equal(d.approx, 0);
    assert_int_equal(pdate_parse("1978~", &d, &why), 0);
    assert_int_equal(d.approx, 1);
    pdate_format(&d, out);
    assert_string_equal(out, "1978~");
    assert_int_equal(pdate_parse("1978-05-12~", &d, &why), 0);
    pdate_format(&d, out);
    assert_string_equal(out, "1978-05-12~");
}

static void pdate_rejects_impossible_dates(void **state)
{
    static const char *const bad[] = {"", "78", "1978-5", "1978-13", "1978-00", "1978-02-29", "1900-02-29",
                                      "1978-04-31", "1978-05-12T10", "1978/05/12", "197a", "~1978", "1978~~",
                                      "0999", "12.05.1965", NULL};
    pdate_t d;
    const char *why;

    (void)state;
    for (int i = 0; bad[i]; i++) {
        why = NULL;
        assert_int_equal(pdate_parse(bad[i], &d, &why), -1);
        assert_non_null(why);
    }
}

static void pdate_knows_leap_years(void **state)
{
    pdate_t d;
    const char *why;

    (void)state;
    assert_int_equal(pdate_parse("2000-02-29", &d, &why), 0);
    assert_int_equal(pdate_parse("2024-02-29", &d, &why), 0);
    assert_int_equal(pdate_parse("2023-02-29", &d, &why), -1);
    assert_int_equal(pdate_days_in_month(2100, 2), 28);
}

static void pdate_counts_days(void **state)
{
    pdate_t a, b;
    const char *why;

    (void)state;
    pdate_parse("2023-09-19", &a, &why);
    pdate_parse("2023-11-17", &b, &why);
    assert_int_equal(pdate_days_between(&a, &b), 59);
    pdate_parse("2024-02-28", &a, &why);
    pdate_parse("2024-03-01", &b, &why);
    assert_int_equal(pdate_days_between(&a, &b), 2);
    assert_int_equal(pdate_cmp_earliest(&a, &b), -1);
    pdate_parse("2024", &b, &why);
    assert_int_equal(pdate_cmp_earliest(&a, &b), 1);
}

static void hwnum_damm_vectors(void **state)
{
    (void)state;
    /* The published example: 572 has check digit 4, and 5724 checks to 0. */
    assert_int_equal(hwnum_check_digit("572"), 4);
    assert_int_equal(hwnum_check_digit("5724"), 0);
}

static void hwnum_round_trip_and_errors(void **state)
{
    char n[HWNUM_MAX], typo[HWNUM_MAX];
    long long seq;

    (void)state;
    hwnum_format("HW", 4821, n);
    assert_int_equal(hwnum_check_digit("4821"), n[strlen(n) - 1] - '0');
    assert_true(hwnum_parse("HW", n, &seq));
    assert_int_equal(seq, 4821);
    hwnum_format("HW", 7, n);
    assert_int_equal(strncmp(n, "HW-0007-", 8), 0);
    /* Read over the phone: lower case and spaces for dashes still work. */
    strcpy(typo, n);
    typo[0] = 'h';
    typo[1] = 'w';
    typo[2] = ' ';
    typo[7] = ' ';
    assert_true(hwnum_parse("HW", typo, &seq));
    assert_int_equal(seq, 7);
    /* Every single-digit error and every adjacent swap is caught. */
    hwnum_format("HW", 123456, n);
    for (size_t i = 3; i < strlen(n); i++) {
        if (n[i] < '0' || n[i] > '9')
            continue;
        for (char c = '0'; c <= '9'; c++) {
            if (c == n[i])
                continue;
            strcpy(typo, n);
            typo[i] = c;
            assert_false(hwnum_parse("HW", typo, &seq));
        }
        if (i + 1 < strlen(n) && n[i + 1] >= '0' && n[i + 1] <= '9' && n[i] != n[i + 1]) {
            strcpy(typo, n);
            typo[i] = n[i + 1];
            typo[i + 1] = n[i];
            assert_false(hwnum_parse("HW", typo, &seq));
        }
    }
    assert_false(hwnum_parse("RC", n, &seq));
}

static void buf_grows_and_formats(void **state)
{
    buf_t b = BUF_INIT;
    char *p;

    (void)state;
    assert_string_equal(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        buf_printf(&b, "%d,", i);
    assert_int_equal(b.failed, 0);
    assert_int_equal(strncmp(b.p, "0,1,2,", 6), 0);
    assert_int_equal(b.len, strlen(b.p));
    p = buf_take(&b);
    assert_null(b.p);
    free(p);
}

static void uuid_is_v4(void **state)
{
    char a[UUID_STR], b[UUID_STR];

    (void)state;
    hw_uuid_new(a);
    hw_uuid_new(b);
    assert_true(hw_uuid_valid(a));
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
    assert_false(hw_uuid_valid("not-a-uuid"));
    assert_false(hw_uuid_valid("123e4567-e89b-12d3-a456-4266141740001"));
}

/* hw_uuid_valid checks by hand what libuuid's parser accepts: every
 * position of a valid UUID changed to each byte, and every length. */
static void uuid_valid_agrees_with_libuuid(void **state)
{
    char good[UUID_STR], s[UUID_STR + 1];
    uuid_t u;

    (void)state;
    memcpy(good, "0aF9b2c4-DEad-4beF-8a1b-00ff11ee22dd", 37);
    assert_true(hw_uuid_valid(good));
    for (int i = 0; i < 36; i++) {
        for (int c = 1; c < 256; c++) {
            memcpy(s, good, 37);
            s[i] = (char)c;
            assert_int_equal(hw_uuid_valid(s), uuid_parse(s, u) == 0);
        }
    }
    for (int n = 0; n <= 36; n++) {
        memcpy(s, good, 37);
        s[n] = '\0';
        assert_int_equal(hw_uuid_valid(s), n == 36);
    }
    memcpy(s, good, 37);
    s[36] = 'a';
    s[37] = '\0';
    assert_false(hw_uuid_valid(s));
}

static void text_validates_and_detects_script(void **state)
{
    (void)state;
    assert_true(text_valid("Հովհաննիսյան", strlen("Հովհաննիսյան"), 0));
    assert_false(text_valid("a\x01b", 3, 0));
    assert_false(text_valid("a\nb", 3, 0));
    assert_true(text_valid("a\nb", 3, 1));
    assert_false(text_valid("\xc3\x28", 2, 0));      /* a broken sequence */
    assert_false(text_valid("\xed\xa0\x80", 3, 0));  /* a UTF-16 surrogate */
    assert_string_equal(text_script("Հովհաննիսյան Արամ"), "armn");
    assert_string_equal(text_script("Оганесян Арам"), "cyrl");
    assert_string_equal(text_script("Hovhannisyan Aram"), "latn");
    assert_string_equal(text_script("Aram Оганесян"), "mixed");
    assert_int_equal(text_length("Արամ"), 4);
}

static void text_clean_collapses_space(void **state)
{
    char *s;

    (void)state;
    s = text_clean("  Aram \t  Gevorgi  ");
    assert_string_equal(s, "Aram Gevorgi");
    free(s);
    /* NFC: e + combining acute becomes one code point. */
    s = text_clean("Rene\xcc\x81");
    assert_string_equal(s, "Ren\xc3\xa9");
    free(s);
}

static void text_fold_reaches_ascii_from_every_script(void **state)
{
    text_folder_t *f = text_folder_new();
    buf_t a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;

    (void)state;
    assert_non_null(f);
    assert_int_equal(text_fold(f, "Степанакерт", &a), 0);
    assert_string_equal(buf_str(&a), "stepanakert");
    assert_int_equal(text_fold(f, "Ստեփանակերտ", &b), 0);
    assert_string_equal(buf_str(&b), "stepanakert");
    assert_int_equal(text_fold(f, "Xankəndi, Şuşa", &c), 0);
    assert_string_equal(buf_str(&c), "xankendi susa");
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    text_folder_free(f);
}

/* json_out must write what jansson writes (compact, precision 10), with
 * <, > and & escaped: compared on every ASCII character, other scripts,
 * nesting, integer limits and reals of every shape. */
static void json_out_matches_jansson(void **state)
{
    static const double reals[] = {0.0, -0.0, 1.0, 0.1, -2.5, 1e20, 1.5e-7, 123456789012.0, 3.14159265358979,
                                   1e100, -1e-100, 40.123456789, 2.0e-5};
    char all[128];
    json_t *j = json_object(), *arr = json_array(), *inner = json_object();
    char *want, *got;
    buf_t ref = BUF_INIT;
    size_t len = 0;

    (void)state;
    for (int c = 1; c < 128; c++)
        all[c - 1] = (char)c;
    all[127] = '\0';
    json_object_set_new(j, "ascii", json_string(all));
    json_object_set_new(j, "armenian", json_string("Հովհաննիսյան <Արամ> & Оганесян"));
    json_object_set_new(j, "key \"quoted\" <b>", json_true());
    json_object_set_new(j, "empty", json_string(""));
    json_object_set_new(j, "min", json_integer(INT64_MIN));
    json_object_set_new(j, "max", json_integer(INT64_MAX));
    json_object_set_new(j, "zero", json_integer(0));
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++)
        json_array_append_new(arr, json_real(reals[i]));
    json_array_append_new(arr, json_null());
    json_array_append_new(arr, json_false());
    json_array_append_new(arr, json_array());
    json_object_set_new(inner, "nested", json_object());
    json_array_append_new(arr, inner);
    json_object_set_new(j, "list", arr);

    want = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    for (const char *p = want; *p; p++) {
        if (*p == '<')
            buf_puts(&ref, "\\u003c");
        else if (*p == '>')
            buf_puts(&ref, "\\u003e");
        else if (*p == '&')
            buf_puts(&ref, "\\u0026");
        else
            buf_putc(&ref, *p);
    }
    got = json_out(j, &len);
    assert_non_null(got);
    assert_string_equal(got, buf_str(&ref));
    assert_int_equal(len, strlen(got));
    assert_null(strpbrk(got, "<>&"));
    assert_null(json_out(NULL, NULL));
    {
        /* Our own names go out unescaped, the same text as jw_key gives. */
        jw_t a = JW_INIT, b = JW_INIT;
        char *ta, *tb;

        jw_open(&a, '{');
        jw_open(&b, '{');
        jw_name(&a, "given_name");
        jw_key(&b, "given_name");
        jw_string(&a, "Aram", 4);
        jw_string(&b, "Aram", 4);
        jw_name(&a, "birth_year");
        jw_key(&b, "birth_year");
        jw_integer(&a, 1971);
        jw_integer(&b, 1971);
        jw_close(&a, '{');
        jw_close(&b, '{');
        ta = jw_take(&a, NULL);
        tb = jw_take(&b, NULL);
        assert_string_equal(ta, "{\"given_name\":\"Aram\",\"birth_year\":1971}");
        assert_string_equal(ta, tb);
        free(ta);
        free(tb);
    }
    free(got);
    /* Stored text keeps every digit of a real, as jansson's default does. */
    free(want);
    want = json_dumps(arr, JSON_COMPACT);
    got = json_out_exact(arr, NULL);
    assert_string_equal(got, want);
    free(want);
    free(got);
    buf_free(&ref);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pdate_accepts_each_precision),
        cmocka_unit_test(pdate_rejects_impossible_dates),
        cmocka_unit_test(pdate_knows_leap_years),
        cmocka_unit_test(pdate_counts_days),
        cmocka_unit_test(hwnum_damm_vectors),
        cmocka_unit_test(hwnum_round_trip_and_errors),
        cmocka_unit_test(buf_grows_and_formats),
        cmocka_unit_test(json_out_matches_jansson),
        cmocka_unit_test(uuid_is_v4),
        cmocka_unit_test(uuid_valid_agrees_with_libuuid),
        cmocka_unit_test(text_validates_and_detects_script),
        cmocka_unit_test(text_clean_collapses_space),
        cmocka_unit_test(text_fold_reaches_ascii_from_every_script),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_match_cli.c - `homeward match FILE.csv`: exit codes, default column
 * names, the pairs and clusters files. Generated names only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "match/match_cli.h"

static char dir[] = "/tmp/hw-match-cli-XXXXXX";
static char csv[256], pairs[256], clusters[256];

static int setup(void **state)
{
    FILE *f;

    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(csv, sizeof csv, "%s/people.csv", dir);
    snprintf(pairs, sizeof pairs, "%s/pairs.csv", dir);
    snprintf(clusters, sizeof clusters, "%s/clusters.csv", dir);
    f = fopen(csv, "w");
    if (!f)
        return -1;
    /* Header names recognised by default, quoted fields, a comma inside. */
    fputs("record_id,first_name,surname,father_name,dob,place_of_birth,gender\n"
          "k1,Արամ,Հովհաննիսյան,Գևորգի,1971-03-14,Ստեփանակերտ,արական\n"
          "k2,Арам,Оганесян,Геворкович,14.03.1971,Степанакерт,м\n"
          "k3,\"Karen, Jr\",Petrosyan,Levon,1980-01-02,Goris,M\n"
          "k4,Anahit,Sahakyan,,1992,Kapan,F\n",
          f);
    return fclose(f);
}

static int teardown(void **state)
{
    (void)state;
    unlink(csv);
    unlink(pairs);
    unlink(clusters);
    rmdir(dir);
    return 0;
}

static int run(int argc, const char **argv)
{
    return cmd_match(argc, (char **)argv);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);

    assert_non_null(f);
    assert_non_null(buf);
    fread(buf, 1, 65535, f);
    fclose(f);
    return buf;
}

static void exit_codes_scripts_can_trust(void **state)
{
    const char *none[] = {"match"};
    const char *bad_opt[] = {"match", "--frobnicate", csv};
    const char *bad_thr[] = {"match", csv, "--threshold", "1.5"};
    const char *no_file[] = {"match", "/nonexistent/people.csv"};
    const char *no_col[] = {"match", csv, "--given", "prenom"};
    const char *no_val[] = {"match", csv, "--pairs"};

    (void)state;
    assert_int_equal(run(1, none), 2);
    assert_int_equal(run(3, bad_opt), 2);
    assert_int_equal(run(4, bad_thr), 2);
    assert_int_equal(run(2, no_file), 1);
    assert_int_equal(run(4, no_col), 2);
    assert_int_equal(run(3, no_val), 2);
}

static void writes_pairs_and_clusters(void **state)
{
    const char *argv[] = {"match", csv, "--pairs", pairs, "--clusters", clusters, "--quiet",
                          "--threads", "1"};
    char *p, *c;

    (void)state;
    assert_int_equal(run(9, argv), 0);
    p = slurp(pairs);
    c = slurp(clusters);
    assert_true(strncmp(p, "id_l,id_r,weight,probability,explanation\n", 41) == 0);
    assert_non_null(strstr(p, "\"k1\",\"k2\","));     /* the one person, two scripts */
    assert_null(strstr(p, "\"k3\""));                 /* nobody matches Karen */
    assert_non_null(strstr(p, "given=exact"));  /* Արամ = Арам */
    assert_non_null(strstr(p, "birth=exact"));  /* 1971-03-14 = 14.03.1971 */
    assert_non_null(strstr(c, "\"k2\",\"k1\""));      /* k2 in k1's cluster */
    assert_non_null(strstr(c, "\"k3\",\"k3\""));
    assert_non_null(strstr(c, "\"k4\",\"k4\""));
    free(p);
    free(c);
}

static void explicit_columns_override_defaults(void **state)
{
    /* Read the father's column as the given name: the pair no longer
     * agrees on given names, but the run still succeeds. */
    const char *argv[] = {"match", csv, "--given", "father_name", "--pairs", pairs, "--quiet"};

    (void)state;
    assert_int_equal(run(7, argv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_codes_scripts_can_trust),
        cmocka_unit_test(writes_pairs_and_clusters),
        cmocka_unit_test(explicit_columns_override_defaults),
    };
    return cmocka_run_group_tests_name("match::cli", tests, setup, teardown);
}

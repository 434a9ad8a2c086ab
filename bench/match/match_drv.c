/*
 * match_drv.c - benchmark driver for the matching engine.
 *
 *   match_drv match FILE.csv [options]   the `homeward match` command
 *   match_drv query FILE.csv N           index FILE, time N duplicate
 *                                        queries and N name searches
 *   match_drv cmp                        comparator throughput
 *
 * It includes the command's source to reuse its CSV loader.
 */
#include "../../src/cli/cmd_match.c"

#include <math.h>
#include <sys/resource.h>

static int cmp_dbl(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return (a > b) - (a < b);
}

static void report(const char *what, double *lat, size_t n)
{
    qsort(lat, n, sizeof *lat, cmp_dbl);
    printf("%s: n=%zu median %.3f ms  p99 %.3f ms  max %.3f ms\n", what, n, lat[n / 2] * 1e3,
           lat[(size_t)((double)n * 0.99)] * 1e3, lat[n - 1] * 1e3);
}

static long rss_mb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int run_query(const char *file, size_t nq)
{
    table_t t = {0};
    const char *err = NULL;
    match_ctx_t *ctx = match_ctx_new();
    match_index_t *ix = match_index_new(ctx);
    match_searcher_t *s;
    double t0 = now(), *lat, *lat2;
    match_hit_t hits[20];
    uint64_t seed = 12345;
    size_t found = 0;

    if (load(file, &t, &err) != 0) {
        fprintf(stderr, "%s: %s\n", file, err);
        return 1;
    }
    {
        match_input_t *in = malloc(t.rows * sizeof *in);

        for (size_t r = 0; r < t.rows; r++)
            in[r] = (match_input_t){cell(&t, r, C_ID), cell(&t, r, C_GIVEN), cell(&t, r, C_FAMILY),
                                    cell(&t, r, C_PATRONYMIC), cell(&t, r, C_BIRTH_DATE),
                                    cell(&t, r, C_BIRTH_PLACE), cell(&t, r, C_SEX)};
        match_index_add_many(ix, in, t.rows, 2);
        free(in);
    }
    match_index_build(ix, 2);
    printf("indexed %zu records in %.2f s, RSS %ld MB\n", t.rows, now() - t0, rss_mb());
    s = match_searcher_new(ix);
    lat = malloc(nq * sizeof *lat);
    lat2 = malloc(nq * sizeof *lat2);
    for (size_t q = 0; q < nq; q++) {
        size_t r;
        double a;
        int n;

        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        r = seed % t.rows;
        {
            match_input_t in = {NULL, cell(&t, r, C_GIVEN), cell(&t, r, C_FAMILY),
                                cell(&t, r, C_PATRONYMIC), cell(&t, r, C_BIRTH_DATE),
                                cell(&t, r, C_BIRTH_PLACE), cell(&t, r, C_SEX)};
            a = now();
            n = match_query(s, &in, 10, 0.5, hits);
            lat[q] = now() - a;
            found += n > 0;
        }
        {
            char text[256];

            snprintf(text, sizeof text, "%s %s", cell(&t, r, C_FAMILY) ? cell(&t, r, C_FAMILY) : "",
                     cell(&t, r, C_GIVEN) ? cell(&t, r, C_GIVEN) : "");
            a = now();
            match_search(s, text, 20, hits);
            lat2[q] = now() - a;
        }
    }
    report("duplicate query", lat, nq);
    report("name search    ", lat2, nq);
    printf("queries that found at least one candidate: %zu of %zu; RSS %ld MB\n", found, nq, rss_mb());
    free(lat);
    free(lat2);
    match_searcher_free(s);
    match_index_free(ix);
    match_ctx_free(ctx);
    table_free(&t);
    return 0;
}

/* True pairs that share no blocking key, with their fields (for tuning). */
static int run_miss(const char *file, size_t show)
{
    table_t t = {0};
    const char *err = NULL;
    match_ctx_t *ctx = match_ctx_new();
    match_index_t *ix = match_index_new(ctx);
    truthrow_t *tr;
    size_t shown = 0;

    t.want[C_TRUTH] = "person";
    if (load(file, &t, &err) != 0 || t.colidx[C_TRUTH] < 0) {
        fprintf(stderr, "%s: %s\n", file, err ? err : "no truth column (person)");
        return 1;
    }
    for (size_t r = 0; r < t.rows; r++) {
        match_input_t in = {cell(&t, r, C_ID), cell(&t, r, C_GIVEN), cell(&t, r, C_FAMILY),
                            cell(&t, r, C_PATRONYMIC), cell(&t, r, C_BIRTH_DATE),
                            cell(&t, r, C_BIRTH_PLACE), cell(&t, r, C_SEX)};
        match_index_add(ix, &in);
    }
    match_index_build(ix, 2);
    {
        const match_model_t *m = match_index_model(ix);

        printf("model: lambda %.3g, EM iterations %d\n", m->lambda, m->em_iterations);
        for (int f = 0; f < MATCH_NFIELDS; f++) {
            printf("  field %d:", f);
            for (int l = 0; l < m->nlevels[f]; l++)
                printf(" [m %.4f u %.5f w %+.1f]", m->m[f][l], m->u[f][l], log2(m->m[f][l] / m->u[f][l]));
            printf("\n");
        }
    }
    if (getenv("FP")) {
        match_pair_t *pairs;
        size_t np;
        match_stats_t st;

        match_dedup(ix, 0.9, 2, NULL, NULL, &pairs, &np, &st);
        for (size_t i = 0; i < np && shown < show; i++) {
            match_hit_t h;
            buf_t ex = BUF_INIT;

            if (!strcmp(cell(&t, pairs[i].a, C_TRUTH), cell(&t, pairs[i].b, C_TRUTH)))
                continue;
            match_index_pair(ix, pairs[i].a, pairs[i].b, &h);
            match_explain(&h, &ex);
            printf("FP p=%.3f w=%.1f %s\n", h.prob, h.weight, buf_str(&ex));
            for (int k = 0; k < 2; k++) {
                size_t r = k ? pairs[i].b : pairs[i].a;

                printf("   %s | %s | %s | %s | %s | %s | %s\n", cell(&t, r, C_GIVEN) ? cell(&t, r, C_GIVEN) : "",
                       cell(&t, r, C_FAMILY) ? cell(&t, r, C_FAMILY) : "",
                       cell(&t, r, C_PATRONYMIC) ? cell(&t, r, C_PATRONYMIC) : "",
                       cell(&t, r, C_BIRTH_DATE) ? cell(&t, r, C_BIRTH_DATE) : "",
                       cell(&t, r, C_BIRTH_PLACE) ? cell(&t, r, C_BIRTH_PLACE) : "",
                       cell(&t, r, C_SEX) ? cell(&t, r, C_SEX) : "", cell(&t, r, C_TRUTH));
            }
            buf_free(&ex);
            shown++;
        }
        free(pairs);
        show = 0;
    }
    tr = malloc(t.rows * sizeof *tr);
    for (size_t r = 0; r < t.rows; r++)
        tr[r] = (truthrow_t){cell(&t, r, C_TRUTH), (uint32_t)r};
    qsort(tr, t.rows, sizeof *tr, by_person);
    for (size_t i = 0, j; i < t.rows && shown < show; i = j) {
        for (j = i; j < t.rows && !strcmp(tr[j].person, tr[i].person); j++)
            ;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++) {
                int c = match_is_candidate(ix, tr[a].row, tr[b].row);
                match_hit_t h;
                buf_t ex = BUF_INIT;

                match_index_pair(ix, tr[a].row, tr[b].row, &h);
                if (c && h.prob >= 0.5)
                    continue;
                match_explain(&h, &ex);
                printf("%s p=%.3f %s\n", c ? "LOWSCORE" : "NOTCAND", h.prob, buf_str(&ex));
                for (int k = 0; k < 2; k++) {
                    size_t r = k ? tr[b].row : tr[a].row;

                    printf("   %s | %s | %s | %s | %s | %s\n", cell(&t, r, C_GIVEN) ? cell(&t, r, C_GIVEN) : "",
                           cell(&t, r, C_FAMILY) ? cell(&t, r, C_FAMILY) : "",
                           cell(&t, r, C_PATRONYMIC) ? cell(&t, r, C_PATRONYMIC) : "",
                           cell(&t, r, C_BIRTH_DATE) ? cell(&t, r, C_BIRTH_DATE) : "",
                           cell(&t, r, C_BIRTH_PLACE) ? cell(&t, r, C_BIRTH_PLACE) : "",
                           cell(&t, r, C_SEX) ? cell(&t, r, C_SEX) : "");
                }
                buf_free(&ex);
                shown++;
            }
    }
    free(tr);
    match_index_free(ix);
    match_ctx_free(ctx);
    table_free(&t);
    return 0;
}

static int run_cmp(void)
{
    static const char *names[] = {"oanisian", "oanesian", "petrosian", "kaqatrian", "arutiunian",
                                  "sarksian", "sarkisian", "akopian", "kevorkian", "mkrqian",
                                  "aram", "kevork", "tikran", "armen", "arsen", "mariam"};
    size_t n = 20000000, k = sizeof names / sizeof *names;
    volatile double sink = 0;
    double a = now(), b;

    for (size_t i = 0; i < n; i++)
        sink += match_jaro_winkler(names[i % k], names[(i * 7 + 3) % k]);
    b = now();
    printf("jaro-winkler: %.1f million comparisons/s (one core)\n", (double)n / (b - a) / 1e6);
    a = now();
    for (size_t i = 0; i < n / 4; i++)
        sink += match_damerau(names[i % k], names[(i * 7 + 3) % k]);
    b = now();
    printf("damerau-levenshtein: %.1f million comparisons/s (one core)\n",
           (double)(n / 4) / (b - a) / 1e6);
    (void)sink;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "match")) {
        int rc = cmd_match(argc - 1, argv + 1);

        fprintf(stderr, "peak RSS %ld MB\n", rss_mb());
        return rc;
    }
    if (argc >= 4 && !strcmp(argv[1], "query"))
        return run_query(argv[2], (size_t)atol(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "miss"))
        return run_miss(argv[2], (size_t)atol(argv[3]));
    if (argc >= 2 && !strcmp(argv[1], "cmp"))
        return run_cmp();
    fprintf(stderr, "usage: match_drv match FILE.csv [options] | query FILE.csv N | cmp\n");
    return 2;
}

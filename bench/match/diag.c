/*
 * diag.c - diagnostics of the matching engine on labelled records (a tool
 * for tuning, not part of the product). It compiles the engine's index.c
 * into itself to see its blocking keys and levels.
 *
 *   match_diag blocking FILE.csv [SHOW]   true pairs that blocking misses:
 *                                         counted by cause, SHOW examples
 *   match_diag errors FILE.csv P [SHOW]   false and missed pairs at
 *                                         probability P, counted by pattern
 *                                         (FNBAND=0/1/2: show only missed
 *                                         pairs of p >= 0.1 whose family
 *                                         name counts <10 / <100 / more)
 *   match_diag splits FILE.csv P [SHOW]  true pairs at P that clustering
 *                                         leaves apart, and why
 *   match_diag ceiling FILE.csv [P]       the best precision, recall and F1
 *                                         any matcher could reach on FILE
 *                                         (see run_ceiling); SHOW=PATTERN
 *                                         shows distinguishable pairs
 *                                         below P of that pattern
 *   match_diag context FILE.csv P         name-equal pairs at or above P:
 *                                         share true by probability and by
 *                                         "rivals" (records of the names'
 *                                         block that disagree with exactly
 *                                         one of the two records)
 *   match_diag clustvar FILE.csv          cluster P/R/F1 for variants of
 *                                         the merge rule (pair threshold,
 *                                         mean threshold, vetoes)
 *   match_diag attach FILE.csv P          cluster P/R/F1 when records left
 *                                         alone join the one cluster their
 *                                         pairs (>= P) point to
 *   match_diag patcal FILE.csv P          per pattern of levels, pairs at or
 *                                         above P: how many are true against
 *                                         how many the model expects
 *   match_diag profile FILE.csv           cluster P/R/F1 of merge rules with
 *                                         the clusters' profiles (the rule
 *                                         the engine took, and variants)
 *   match_diag clfp FILE.csv P            false pairs inside the clusters and
 *                                         true pairs apart, by their own
 *                                         pattern and probability band
 *   match_diag famclose FILE.csv P        close and similar family names:
 *                                         pairs, true, expected, by band
 *                                         (BYMIN=1: by the rarer name's count)
 *   match_diag excl FILE.csv              cluster P/R/F1 when a merge is
 *                                         refused for a rival as strong
 *   match_diag moves FILE.csv             cluster P/R/F1 after local moves
 *                                         of single records on the expected
 *                                         pair count (and splits)
 *   match_diag variants FILE.csv          true pairs whose names differ after
 *                                         normalisation, a line each (count
 *                                         them with sort | uniq -c)
 *   match_diag recal FILE.csv P           pairwise F1 at P, and what binning
 *                                         by pattern and probability decile
 *                                         (recalibration alone) could reach
 *   match_diag thin FILE.csv              names-only pairs by the count of
 *                                         records holding both names
 *   match_diag exact FILE.csv P           every candidate pair scored, against
 *                                         what dedup kept (its bounds must
 *                                         drop nothing); quadratic
 * context, clustvar and attach test ideas that did not pay (see their
 * results in the commit that added them); kept to measure the next idea
 * the same way. Measured without a command of their own (seed 11, clusters
 * P/R/F1 with the engine of 2026-11-27, one change at a time):
 * - the threshold (homeward match --threshold): flat around 0.5, so the
 *   cut that maximises the F1 expected from the model's own probabilities
 *   (about F1/2, near 0.47) gains nothing: 100k F1 0.9645 / 0.9646 /
 *   0.9645 / 0.9639 at 0.45 / 0.5 / 0.55 / 0.6; 1M 0.9431 / 0.9433 /
 *   0.9425 at 0.45 / 0.5 / 0.4 (the records before gen.py's Russian forms).
 * - sex weighing nothing when the given names agree (a given name says the
 *   sex): 100k pairs P 0.9606 -> 0.9685, R 0.9404 -> 0.9332; clusters
 *   0.9646 -> 0.9648.
 * - the merge's mean taken over probabilities (expected true pairs per
 *   cross pair) instead of weights: 100k clusters 0.9646 -> 0.9644.
 *
 * FILE.csv has the columns of gen.py (with the truth column "person").
 */
#include "../../src/cli/cmd_match.c"
#include "../../src/match/index.c"

static const char *rule_names[] = {
    "fam+year", "fam+dm", "giv+fam", "fam+fat", "giv+fat", "fam+place",
    "giv+year+f1", "famdel+year", "fam+year0", "giv+dm", "date", "init+place", "giv+famdel", "fam+g1",
    "fam0", "fam-only", "r15", "r16", "r17", "r18", "r19", "r20",
};

static match_index_t *load_index(const char *file, table_t *t, int threads)
{
    const char *err = NULL;
    match_ctx_t *ctx = match_ctx_new();
    match_index_t *ix = match_index_new(ctx);
    match_input_t *in;

    t->want[C_TRUTH] = "person";
    if (load(file, t, &err) != 0 || t->colidx[C_TRUTH] < 0) {
        fprintf(stderr, "%s: %s\n", file, err ? err : "no truth column (person)");
        exit(1);
    }
    in = malloc(t->rows * sizeof *in);
    for (size_t r = 0; r < t->rows; r++)
        in[r] = (match_input_t){cell(t, r, C_ID), cell(t, r, C_GIVEN), cell(t, r, C_FAMILY),
                                cell(t, r, C_PATRONYMIC), cell(t, r, C_BIRTH_DATE),
                                cell(t, r, C_BIRTH_PLACE), cell(t, r, C_SEX)};
    match_index_add_many(ix, in, t->rows, threads);
    free(in);
    match_index_build(ix, threads);
    return ix;
}

static const char *s0(const char *s)
{
    return s ? s : "";
}

static void show_rec(const table_t *t, const match_index_t *ix, size_t r)
{
    const mrec_t *p = &ix->recs[r];
    char cf[MATCH_KEYLEN] = "", cg[MATCH_KEYLEN] = "";

    coarse_str(p->fam, cf, 1);
    coarse_str(p->giv, cg, 0);
    printf("   %s | %s | %s | %s | %s | %s   [fam %s/%s giv %s/%s fat %s %d-%d-%d]\n",
           s0(cell(t, r, C_GIVEN)), s0(cell(t, r, C_FAMILY)), s0(cell(t, r, C_PATRONYMIC)),
           s0(cell(t, r, C_BIRTH_DATE)), s0(cell(t, r, C_BIRTH_PLACE)), s0(cell(t, r, C_SEX)),
           p->fam, cf, p->giv, cg, p->fat, p->date.year, p->date.month, p->date.day);
}

typedef struct tpair {
    uint32_t a, b;
} tpair_t;

/* Every true pair (a < b). */
static tpair_t *true_pairs(const table_t *t, size_t *np)
{
    truthrow_t *tr = malloc(t->rows * sizeof *tr);
    tpair_t *out = NULL;
    size_t n = 0, cap = 0;

    for (size_t r = 0; r < t->rows; r++)
        tr[r] = (truthrow_t){s0(cell(t, r, C_TRUTH)), (uint32_t)r};
    qsort(tr, t->rows, sizeof *tr, by_person);
    for (size_t i = 0, j; i < t->rows; i = j) {
        for (j = i; j < t->rows && !strcmp(tr[j].person, tr[i].person); j++)
            ;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 65536;
                    out = realloc(out, cap * sizeof *out);
                }
                out[n++] = (tpair_t){tr[a].row, tr[b].row};
            }
    }
    free(tr);
    *np = n;
    return out;
}

static int run_blocking(const char *file, size_t show)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    size_t np, cand = 0, capped = 0, nokey = 0, shown = 0;
    size_t by_rule_capped[NRULES] = {0}, unique[NRULES] = {0}, found_by[NRULES] = {0};
    double cost[NRULES] = {0};
    size_t ccause[4] = {0}, ccause_hist[4] = {0}, ccause_hist_max = SIZE_MAX;
    size_t cause[8] = {0};
    static const char *cause_names[8] = {"a date missing", "family code differs",
                                         "given code differs", "names swapped",
                                         "given initial", "year differs", "", ""};
    tpair_t *tp = true_pairs(&t, &np);

    for (size_t i = 0; i < np; i++) {
        const mrec_t *a = &ix->recs[tp[i].a], *b = &ix->recs[tp[i].b];
        int any = 0;
        size_t minblock = SIZE_MAX;
        int minrule = -1;

        if (match_is_candidate(ix, tp[i].a, tp[i].b)) {
            int only = -1, nr = 0;

            cand++;
            for (int rule = 0; rule < NBLOCK; rule++) {
                uint64_t k;
                run_t s;

                if (NODATE_RULE(rule) && a->date.year && b->date.year)
                    continue;
                k = shared_key(a, b, rule);
                if (k && (!(s = find_run(ix, k)).e || s.len <= RULE_CAP(rule) ||
                          (s.len <= NODATE_CAP && NODATE_WIDE(rule) && (!a->date.year || !b->date.year)))) {
                    only = rule;
                    nr++;
                    found_by[rule]++;
                }
            }
            if (nr == 1)
                unique[only]++;
            continue;
        }
        for (int rule = 0; rule < NBLOCK; rule++) {
            uint64_t k;

            if (NODATE_RULE(rule) && a->date.year && b->date.year)
                continue;
            k = shared_key(a, b, rule);
            if (k) {
                run_t s = find_run(ix, k);

                any = 1;
                if (s.e && s.len < minblock) {
                    minblock = s.len;
                    minrule = rule;
                }
            }
        }
        if (any) {
            capped++;
            if (minrule >= 0)
                by_rule_capped[minrule]++;
            ccause[0] += !a->date.year || !b->date.year;
            ccause[1] += a->date.year && b->date.year && abs(a->date.year - b->date.year) > 1;
            ccause[2] += a->date.year && b->date.year && abs(a->date.year - b->date.year) <= 1;
            ccause[3] += !a->fat[0] || !b->fat[0];
            if (minblock < ccause_hist_max)
                ccause_hist[minblock < 1000 ? 0 : minblock < 3000 ? 1 : minblock < 10000 ? 2 : 3]++;
        } else {
            int8_t lv[MATCH_NFIELDS];
            int sw;

            nokey++;
            score(ix, a, b, lv, &sw, NULL);
            cause[0] += !a->date.year || !b->date.year;
            cause[1] += a->bfam != b->bfam && !sw;
            cause[2] += a->bgiv != b->bgiv && !sw;
            cause[3] += sw;
            cause[4] += !a->giv[1] || !b->giv[1];
            cause[5] += a->date.year && b->date.year && a->date.year != b->date.year;
            if (shown < show) {
                match_hit_t h;
                buf_t ex = BUF_INIT;

                match_index_pair(ix, tp[i].a, tp[i].b, &h);
                match_explain(&h, &ex);
                printf("NOKEY p=%.3f %s\n", h.prob, buf_str(&ex));
                show_rec(&t, ix, tp[i].a);
                show_rec(&t, ix, tp[i].b);
                buf_free(&ex);
                shown++;
            }
        }
    }
    printf("%zu records, %zu true pairs: %zu candidates (%.4f), %zu only in capped blocks, "
           "%zu share no key\n", t.rows, np, cand, (double)cand / (double)np, capped, nokey);
    /* Pairs each rule's blocks hold (within the cap). */
    for (size_t sl = 0; sl < ix->nslots; sl++) {
        const slot_t *s = &ix->slots[sl];
        run_t run = {s->tag ? ix->post + s->start + 1 : NULL, s->tag ? ix->post[s->start] : 0};

        if (run.e && run.len > 1 && run.len <= BLOCK_CAP) {
            int rule = -1;
            const mrec_t *r = &ix->recs[run.e[0] & 0x7fffffffu];
            int sw = !!(run.e[0] & 0x80000000u);

            for (int ru = 0; ru < NRULES && rule < 0; ru++) {
                uint64_t k[MAXKEYS];
                int nk = rule_keys(r, ru, sw, k);

                for (int j = 0; j < nk; j++)
                    if (find_run(ix, k[j]).e == run.e)
                        rule = ru;
            }
            if (rule >= 0)
                cost[rule] += (double)run.len * (double)(run.len - 1) / 2;
        }
    }
    printf("per rule: pairs in blocks within the cap (millions) / true pairs found / found by it alone\n");
    for (int r = 0; r < NRULES; r++)
        printf("  %-12s %8.1f %8zu %6zu\n", rule_names[r], cost[r] / 1e6, found_by[r], unique[r]);
    printf("capped, by the rule of the smallest shared block:");
    for (int r = 0; r < NRULES; r++)
        if (by_rule_capped[r])
            printf(" %s %zu", rule_names[r], by_rule_capped[r]);
    printf("\ncapped: a date missing %zu, years further apart %zu, years within one %zu, "
           "a father missing %zu; smallest block <1000 %zu, <3000 %zu, <10000 %zu, more %zu",
           ccause[0], ccause[1], ccause[2], ccause[3], ccause_hist[0], ccause_hist[1],
           ccause_hist[2], ccause_hist[3]);
    printf("\nno key, with:");
    for (int c = 0; c < 6; c++)
        printf(" %s %zu;", cause_names[c], cause[c]);
    printf("\n");
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Pattern of levels as a short string, e.g. "F0 G0 P- B3 S0 L-". */
static void pattern_str(const int8_t lv[MATCH_NFIELDS], int sw, char *out)
{
    static const char f[] = "FGPBSL";
    char *p = out;

    for (int i = 0; i < MATCH_NFIELDS; i++) {
        *p++ = f[i];
        *p++ = lv[i] < 0 ? '-' : (char)('0' + lv[i]);
        *p++ = ' ';
    }
    *p++ = sw ? 'x' : ' ';
    *p = 0;
}

typedef struct patcount {
    char pat[24];
    size_t fp, fn, tp;
} patcount_t;

static patcount_t pats[4096];
static size_t npats;

static patcount_t *pat_get(const char *s)
{
    for (size_t i = 0; i < npats; i++)
        if (!strcmp(pats[i].pat, s))
            return &pats[i];
    if (npats == 4096)
        return &pats[4095];
    memset(&pats[npats], 0, sizeof pats[npats]);
    strcpy(pats[npats].pat, s);
    return &pats[npats++];
}

static int by_errors(const void *x, const void *y)
{
    const patcount_t *a = x, *b = y;
    size_t ea = a->fp + a->fn, eb = b->fp + b->fn;

    return (ea < eb) - (ea > eb);
}

static int run_errors(const char *file, double p, size_t show)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, np, shown_fp = 0, shown_fn = 0, fp = 0, fn = 0, tpc = 0;
    match_stats_t st;
    tpair_t *tp = true_pairs(&t, &np);
    size_t fn_hist[5][4] = {{0}}, cal[10][2] = {{0}}, near_fp = 0, near_fp_g = 0;

    {
        const match_model_t *m = match_index_model(ix);

        printf("model: lambda %.3g, EM iterations %d\n", m->lambda, m->em_iterations);
        for (int f = 0; f < MATCH_NFIELDS; f++) {
            printf("  %-7s", field_names[f]);
            for (int l = 0; l < m->nlevels[f]; l++)
                printf(" [m %.4f u %.5f w %+.1f]", m->m[f][l], m->u[f][l], ix->w[f][l]);
            printf("\n");
        }
    }
    for (int b = 0; b < FAM_BANDS; b++) {
        if (!ix->ucond_ok[b])
            continue;
        printf("  band %d (same family name):", b);
        for (int f = MATCH_F_FATHER; f < MATCH_NFIELDS; f++) {
            if (!FAMILY_DEPENDENT(f))
                continue;
            printf(" %s", field_names[f]);
            for (int l = 0; l < nlevels[f]; l++)
                printf(" %.3f/%+.1f", ix->ucond[b][f][l], ix->wcond[b][f][l]);
        }
        printf("\n");
    }
    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, pairs[i].a, C_TRUTH)), s0(cell(&t, pairs[i].b, C_TRUTH)));
        char ps[24];

        score(ix, &ix->recs[pairs[i].a], &ix->recs[pairs[i].b], lv, &sw, NULL);
        pattern_str(lv, sw, ps);
        {
            int bin = (int)(pairs[i].prob * 10);

            bin = bin > 9 ? 9 : bin;
            cal[bin][same]++;
        }
        if (same) {
            pat_get(ps)->tp++;
            tpc++;
            continue;
        }
        pat_get(ps)->fp++;
        fp++;
        {
            long pa = atol(s0(cell(&t, pairs[i].a, C_TRUTH)) + 1), pb = atol(s0(cell(&t, pairs[i].b, C_TRUTH)) + 1);

            near_fp += labs(pa - pb) <= 3 && ix->recs[pairs[i].a].hfat && ix->recs[pairs[i].a].hfat == ix->recs[pairs[i].b].hfat;
            near_fp_g += labs(pa - pb) <= 3 && lv[MATCH_F_GIVEN] == 0;
        }
        if (shown_fp < show && !getenv("FNBAND")) {
            match_hit_t h;
            buf_t ex = BUF_INIT;

            match_index_pair(ix, pairs[i].a, pairs[i].b, &h);
            match_explain(&h, &ex);
            printf("FP p=%.3f %s\n", h.prob, buf_str(&ex));
            show_rec(&t, ix, pairs[i].a);
            show_rec(&t, ix, pairs[i].b);
            buf_free(&ex);
            shown_fp++;
        }
    }
    for (size_t i = 0; i < np; i++) {
        match_hit_t h;
        int8_t lv[MATCH_NFIELDS];
        int sw;
        char ps[24];

        match_index_pair(ix, tp[i].a, tp[i].b, &h);
        if (h.prob >= p)
            continue;
        score(ix, &ix->recs[tp[i].a], &ix->recs[tp[i].b], lv, &sw, NULL);
        pattern_str(lv, sw, ps);
        pat_get(ps)->fn++;
        fn++;
        {
            uint32_t c = tf_get(&ix->tf_name, ix->recs[tp[i].a].tfam);
            int cb = c < 10 ? 0 : c < 100 ? 1 : c < 1000 ? 2 : c < 10000 ? 3 : 4;
            int pb = h.prob < 0.01 ? 0 : h.prob < 0.1 ? 1 : h.prob < 0.3 ? 2 : 3;

            fn_hist[cb][pb]++;
        }
        if (shown_fn < show && (!getenv("FNBAND") ||
                                (atoi(getenv("FNBAND")) == (int)(tf_get(&ix->tf_name, ix->recs[tp[i].a].tfam) < 10 ? 0 : tf_get(&ix->tf_name, ix->recs[tp[i].a].tfam) < 100 ? 1 : 2) &&
                                 h.prob >= 0.1))) {
            buf_t ex = BUF_INIT;

            match_explain(&h, &ex);
            printf("FN p=%.3f %s\n", h.prob, buf_str(&ex));
            show_rec(&t, ix, tp[i].a);
            show_rec(&t, ix, tp[i].b);
            buf_free(&ex);
            shown_fn++;
        }
    }
    qsort(pats, npats, sizeof *pats, by_errors);
    printf("calibration (probability bin: pairs, share true):");
    for (int b = 0; b < 10; b++)
        if (cal[b][0] + cal[b][1])
            printf(" %.1f: %zu %.3f;", b / 10.0, cal[b][0] + cal[b][1],
                   (double)cal[b][1] / (double)(cal[b][0] + cal[b][1]));
    printf("\n");
    printf("missed pairs by family-name count (rows <10 <100 <1000 <10000 more) and "
           "probability (columns <0.01 <0.1 <0.3 <p):\n");
    for (int cb = 0; cb < 5; cb++)
        printf("  %8zu %8zu %8zu %8zu\n", fn_hist[cb][0], fn_hist[cb][1], fn_hist[cb][2],
               fn_hist[cb][3]);
    printf("at p >= %.2f: %zu true positives, %zu false positives, %zu missed (scored below)\n",
           p, tpc, fp, fn);
    printf("false positives between persons generated within 3 of each other (siblings, mostly): "
           "%zu with the same father, %zu with the same given name\n", near_fp, near_fp_g);
    printf("pattern (F family G given P father B birth S sex L place; x swapped): fp fn tp\n");
    for (size_t i = 0; i < npats && i < 40; i++)
        printf("  %s  %6zu %6zu %6zu\n", pats[i].pat, pats[i].fp, pats[i].fn, pats[i].tp);
    free(pairs);
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* For a sample of the true pairs scored below p, count the records of
 * other persons that look at least as much like record a as b does (no
 * field weighs less): with k of them, no classifier that ranks by the
 * fields can take (a, b) without also taking k false pairs. */
static int run_oracle(const char *file, double p, size_t every)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    size_t np, sampled = 0, hist[6] = {0}, shown = 0;
    tpair_t *tp = true_pairs(&t, &np);

    for (size_t i = 0; i < np; i += every) {
        match_hit_t h;
        size_t k = 0;
        const char *pa = cell(&t, tp[i].a, C_TRUTH);

        match_index_pair(ix, tp[i].a, tp[i].b, &h);
        if (h.prob >= p)
            continue;
        sampled++;
        for (int side = 0; side < 2; side++) {
            uint32_t ra = side ? tp[i].b : tp[i].a, rb = side ? tp[i].a : tp[i].b;
            const mrec_t *a = &ix->recs[ra];
            double fb[MATCH_NFIELDS];
            int8_t lv[MATCH_NFIELDS];
            int sw;

            score(ix, a, &ix->recs[rb], lv, &sw, fb);
            for (int orient = 0; orient < 2 && k < 100; orient++) {
                uint64_t key[MAXKEYS];
                int nk = rule_keys(a, R_FAM_ONLY, orient, key);

                for (int j = 0; j < nk && k < 100; j++) {
                    run_t sl = find_run(ix, key[j]);

                    if (!sl.e)
                        continue;
                    for (uint32_t e = 0; e < sl.len && k < 100; e++) {
                        uint32_t c = sl.e[e] & 0x7fffffffu;
                        double fc[MATCH_NFIELDS];
                        int ok = 1;

                        if (c == ra || !strcmp(s0(cell(&t, c, C_TRUTH)), pa))
                            continue;
                        score(ix, a, &ix->recs[c], lv, &sw, fc);
                        for (int f = 0; f < MATCH_NFIELDS && ok; f++)
                            ok = fc[f] >= fb[f] - 1e-9;
                        k += ok;
                    }
                }
            }
        }
        if (k == 0 && shown < 40) {
            buf_t ex = BUF_INIT;

            match_explain(&h, &ex);
            printf("UNDOMINATED p=%.3f %s\n", h.prob, buf_str(&ex));
            show_rec(&t, ix, tp[i].a);
            show_rec(&t, ix, tp[i].b);
            buf_free(&ex);
            shown++;
        }
        hist[k == 0 ? 0 : k == 1 ? 1 : k <= 3 ? 2 : k <= 10 ? 3 : k < 100 ? 4 : 5]++;
    }
    printf("%zu missed pairs sampled (1 in %zu); records of other persons at least as "
           "similar: 0: %zu, 1: %zu, 2-3: %zu, 4-10: %zu, 11-99: %zu, 100+: %zu\n", sampled, every,
           hist[0], hist[1], hist[2], hist[3], hist[4], hist[5]);
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Atoms of a blocking key: parts two records can agree on. */
enum atom { A_FC, A_GC, A_G1, A_F1, A_Y, A_DM, A_P, A_L, NATOMS };
static const char *atom_names[NATOMS] = {"fam", "giv", "g1", "f1", "year", "dm", "fat", "place"};

/* Atom values of r (names read swapped or not); 0 = missing. */
static void atoms(const mrec_t *r, int sw, uint64_t v[NATOMS])
{
    char c[MATCH_KEYLEN];
    const char *fam = sw ? r->giv : r->fam;

    v[A_FC] = sw ? r->bgiv : r->bfam;
    v[A_GC] = sw ? r->bfam : r->bgiv;
    v[A_G1] = (unsigned char)(sw ? r->fam[0] : r->giv[0]);
    v[A_F1] = fam[0] && coarse_str(fam, c, !sw) ? (unsigned char)c[0] : 0;
    v[A_Y] = (uint64_t)r->date.year;
    v[A_DM] = r->date.day ? (uint64_t)(r->date.month * 32 + r->date.day) : 0;
    v[A_P] = r->bfat;
    v[A_L] = r->hplace;
}

static uint64_t atom_key(const uint64_t v[NATOMS], unsigned c)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;

    for (int k = 0; k < NATOMS; k++)
        if (c & (1u << k)) {
            if (!v[k])
                return 0;
            h = mix64(h ^ (v[k] + (uint64_t)k * 0x1000193ULL));
        }
    return h ? h : 1;
}

/* For the true pairs that share no blocking key, which combinations of two
 * or three atoms would make them candidates within BLOCK_CAP (NODATE_CAP
 * for a date-less record), and what such a key would cost (pairs in its
 * blocks up to BLOCK_CAP). */
static int run_atoms(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    size_t np, nmiss = 0;
    tpair_t *tp = true_pairs(&t, &np), *miss = malloc(np * sizeof *miss);
    const size_t cap = 1u << 23;
    uint32_t *cnt = malloc(cap * sizeof *cnt);
    struct { unsigned c; size_t cover; double cost; } res[1 << NATOMS];
    size_t nres = 0;

    for (size_t i = 0; i < np; i++)
        if (!match_is_candidate(ix, tp[i].a, tp[i].b))
            miss[nmiss++] = tp[i];
    for (unsigned c = 1; c < (1u << NATOMS); c++) {
        double cost = 0;
        size_t cover = 0;

        if (__builtin_popcount(c) < 2 || __builtin_popcount(c) > 3)
            continue;
        memset(cnt, 0, cap * sizeof *cnt);
        for (size_t r = 0; r < ix->n; r++)
            for (int sw = 0; sw < 2; sw++) {
                uint64_t v[NATOMS], k;

                if (sw && (!(c & ((1u << A_FC) | (1u << A_GC) | (1u << A_G1) | (1u << A_F1)))))
                    continue;
                atoms(&ix->recs[r], sw, v);
                if ((k = atom_key(v, c)))
                    cnt[k & (cap - 1)]++;
            }
        for (size_t k = 0; k < cap; k++)
            if (cnt[k] <= BLOCK_CAP)
                cost += (double)cnt[k] * (double)(cnt[k] - (cnt[k] > 0)) / 2;
        for (size_t i = 0; i < nmiss; i++) {
            const mrec_t *a = &ix->recs[miss[i].a], *b = &ix->recs[miss[i].b];
            uint32_t lim = a->date.year && b->date.year ? BLOCK_CAP : NODATE_CAP;
            int ok = 0;

            for (int sa = 0; sa < 2 && !ok; sa++)
                for (int sb = 0; sb < 2 && !ok; sb++) {
                    uint64_t va[NATOMS], vb[NATOMS], ka, kb;

                    if (sa && sb)
                        continue;
                    atoms(a, sa, va);
                    atoms(b, sb, vb);
                    ka = atom_key(va, c);
                    kb = atom_key(vb, c);
                    ok = ka && ka == kb && cnt[ka & (cap - 1)] <= lim;
                }
            cover += ok;
        }
        res[nres].c = c;
        res[nres].cover = cover;
        res[nres++].cost = cost;
    }
    for (size_t x = 0; x < nres; x++)
        for (size_t y = x + 1; y < nres; y++)
            if (res[y].cover > res[x].cover) {
                __typeof__(res[0]) tmp = res[x];

                res[x] = res[y];
                res[y] = tmp;
            }
    printf("%zu true pairs are not candidates; keys of 2-3 atoms that would take them, within the caps:\n",
           nmiss);
    for (size_t x = 0; x < nres && x < 30; x++) {
        printf("  %6zu ", res[x].cover);
        for (int k = 0; k < NATOMS; k++)
            if (res[x].c & (1u << k))
                printf("+%s", atom_names[k]);
        printf("   %.1fM pairs in its blocks within BLOCK_CAP\n", res[x].cost / 1e6);
    }
    free(cnt);
    free(miss);
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* True pairs at or above P whose records the clustering leaves apart: what
 * would refuse the merge of their two clusters now (a veto, the mean, the
 * size; the clusters may have grown since the merge was tried), and
 * whether the clusters hold other persons. */
static int run_splits(const char *file, double p, size_t show)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, nsplit = 0, veto = 0, mean = 0, big = 0, impure = 0, shown = 0;
    match_stats_t st;
    uint32_t *cl = malloc(t.rows * sizeof *cl), *head, *nxt;

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, p, cl);
    head = malloc(t.rows * sizeof *head);
    nxt = malloc(t.rows * sizeof *nxt);
    for (size_t i = 0; i < t.rows; i++)
        head[i] = UINT32_MAX;
    for (size_t i = t.rows; i-- > 0;) {
        nxt[i] = head[cl[i]];
        head[cl[i]] = (uint32_t)i;
    }
    for (size_t i = 0; i < npairs; i++) {
        uint32_t a = pairs[i].a, b = pairs[i].b;
        double sumw = 0, sump = 0, minw = 1e9;
        size_t cnt = 0, sa = 0, sb = 0;
        int pure = 1, vetoed = 0;

        if (pairs[i].prob < p || cl[a] == cl[b] ||
            strcmp(s0(cell(&t, a, C_TRUTH)), s0(cell(&t, b, C_TRUTH))))
            continue;
        nsplit++;
        for (uint32_t x = head[cl[a]]; x != UINT32_MAX; x = nxt[x]) {
            sa++;
            pure &= !strcmp(s0(cell(&t, x, C_TRUTH)), s0(cell(&t, a, C_TRUTH)));
            for (uint32_t y = head[cl[b]]; y != UINT32_MAX; y = nxt[y]) {
                double w;

                vetoed |= cross_pair_vetoes(ix, x, y, &w);
                sumw += w;
                sump += prob_of(ix, w);
                minw = w < minw ? w : minw;
                cnt++;
            }
        }
        for (uint32_t y = head[cl[b]]; y != UINT32_MAX; y = nxt[y]) {
            sb++;
            pure &= !strcmp(s0(cell(&t, y, C_TRUTH)), s0(cell(&t, a, C_TRUTH)));
        }
        impure += !pure;
        if (sa + sb > CLUSTER_MAX)
            big++;
        else if (vetoed)
            veto++;
        else
            mean++;
        if (shown < show) {
            printf("SPLIT %s sizes %zu+%zu, cross %zu: min w %.1f, mean w %.1f (p %.3f), mean p %.3f\n",
                   pure ? "pure" : "impure", sa, sb, cnt, minw, sumw / (double)cnt,
                   prob_of(ix, sumw / (double)cnt), sump / (double)cnt);
            for (uint32_t x = head[cl[a]]; x != UINT32_MAX; x = nxt[x])
                show_rec(&t, ix, x);
            printf("   --\n");
            for (uint32_t y = head[cl[b]]; y != UINT32_MAX; y = nxt[y])
                show_rec(&t, ix, y);
            shown++;
        }
    }
    printf("%zu true pairs at p >= %.2f in different clusters: %zu by size, %zu by a veto, "
           "%zu by the mean; %zu of them next to a cluster holding another person\n",
           nsplit, p, big, veto, mean, impure);
    free(head);
    free(nxt);
    free(cl);
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* ---- The ceiling: what any matcher could reach on these records --------- */

/* How alike two records are, field by field, as the weights of the levels
 * their fields agree at (plain weights of the model, term frequencies for
 * exact names; a missing value weighs 0). A weaker level never weighs more
 * than a stronger one (set_weights), so these order the levels of a field
 * by similarity; they leave out the engine's conditional weights among
 * relatives, which rank pairs, not the likeness of two records. */
static void alike_fields(const match_index_t *ix, const mrec_t *a, const mrec_t *b, int sw,
                         const int8_t lv[MATCH_NFIELDS], double fw[MATCH_NFIELDS])
{
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        double w = lv[f] < 0 ? 0 : ix->w[f][lv[f]];

        if ((f == MATCH_F_FAMILY || f == MATCH_F_GIVEN) && lv[f] == 0 && ix->tf_n >= 1000)
            w = tf_weight(ix, f, f == MATCH_F_FAMILY ? a->tfam : a->tgiv);
        (void)b;
        (void)sw;
        fw[f] = w;
    }
}

/* The best reading (as written or names swapped) of a against b, by the
 * sum of alike_fields; its levels into lv. */
static void alike(const match_index_t *ix, const mrec_t *a, const mrec_t *b, double fw[MATCH_NFIELDS],
                  int8_t lv[MATCH_NFIELDS])
{
    int8_t l2[MATCH_NFIELDS];
    double f2[MATCH_NFIELDS], s1 = 0, s2 = 0;

    levels(a, b, 0, lv);
    alike_fields(ix, a, b, 0, lv, fw);
    if (!a->fam[0] || !a->giv[0] || !b->fam[0] || !b->giv[0])
        return;
    levels(a, b, 1, l2);
    alike_fields(ix, a, b, 1, l2, f2);
    for (int f = 0; f < MATCH_NFIELDS; f++)
        s1 += fw[f], s2 += f2[f];
    if (s2 > s1) {
        memcpy(fw, f2, sizeof f2);
        memcpy(lv, l2, sizeof l2);
    }
}

/* Is c at least as alike to a as b is, in every field, in either reading
 * of c's names? The fields that need no names are checked first: they
 * turn most records away cheaply. */
static int dominates(const match_index_t *ix, const mrec_t *a, uint32_t ci,
                     const double fb[MATCH_NFIELDS])
{
    int8_t lv[MATCH_NFIELDS];
    double fc[MATCH_NFIELDS];
    const mhot_t *hc = &ix->hot[ci];
    const mrec_t *c = &ix->recs[ci];
    int d = match_compare_dates(&a->date, &hc->date);
    double wd = d == MATCH_DATE_MISSING ? 0 : ix->w[MATCH_F_BIRTH][d];

    /* The hot record first: it turns most records away in one cache line. */
    if (wd < fb[MATCH_F_BIRTH] - 1e-9)
        return 0;
    if ((!a->sex || !hc->sex ? 0 : ix->w[MATCH_F_SEX][a->sex == hc->sex ? 0 : 1]) <
        fb[MATCH_F_SEX] - 1e-9)
        return 0;
    for (int sw = 0; sw < 2; sw++) {
        int ok = 1;

        if (sw && (!a->fam[0] || !a->giv[0] || !c->fam[0] || !c->giv[0]))
            break;
        levels(a, c, sw, lv);
        alike_fields(ix, a, c, sw, lv, fc);
        for (int f = 0; f < MATCH_NFIELDS && ok; f++)
            ok = fc[f] >= fb[f] - 1e-9;
        if (ok)
            return 1;
    }
    return 0;
}

typedef struct ceil_job {
    const match_index_t *ix;
    const table_t *t;
    const tpair_t *tp;
    size_t np;
    size_t *next;            /* shared work counter */
    pthread_mutex_t *mu;     /* guards next */
    uint8_t *k;              /* per true pair: other persons' records at least as alike, up to 2 */
} ceil_job_t;

/* Records of other persons at least as alike to one record of the pair as
 * the other is (up to 2). Candidates come from the blocks of both records
 * in both readings: of the given and family name (R_GIV_FAM) when the
 * pair's given names agree exactly (a rival must agree as well, so it has
 * a's given name), else of the family name (R_FAM_ONLY). A rival of
 * another family name is seldom as alike, and missing one can only raise
 * the ceiling. */
static int dominators(const match_index_t *ix, const table_t *t, uint32_t ra0, uint32_t rb0)
{
    const char *pa = cell(t, ra0, C_TRUTH);
    uint32_t seen[2] = {UINT32_MAX, UINT32_MAX};
    int k = 0;

    for (int side = 0; side < 2 && k < 2; side++) {
        uint32_t ra = side ? rb0 : ra0, rb = side ? ra0 : rb0;
        const mrec_t *a = &ix->recs[ra];
        double fb[MATCH_NFIELDS];
        int8_t lv[MATCH_NFIELDS];
        int rule;

        alike(ix, a, &ix->recs[rb], fb, lv);
        rule = lv[MATCH_F_GIVEN] == 0 && lv[MATCH_F_FAMILY] >= 0 ? R_GIV_FAM : R_FAM_ONLY;
        for (int orient = 0; orient < 2 && k < 2; orient++) {
            uint64_t key[MAXKEYS];
            int nk = rule_keys(a, rule, orient, key);

            for (int j = 0; j < nk && k < 2; j++) {
                run_t sl = find_run(ix, key[j]);

                if (!sl.e)
                    continue;
                for (uint32_t e = 0; e < sl.len && k < 2; e++) {
                    uint32_t c = sl.e[e] & 0x7fffffffu;

                    if (c == ra || c == rb || c == seen[0] || !dominates(ix, a, c, fb))
                        continue;
                    if (strcmp(s0(cell(t, c, C_TRUTH)), pa))
                        seen[k++] = c;
                }
            }
        }
    }
    return k;
}

static void *ceil_worker(void *p)
{
    ceil_job_t *j = p;

    for (;;) {
        size_t lo, hi;

        pthread_mutex_lock(j->mu);
        lo = *j->next;
        *j->next = lo + 256 < j->np ? lo + 256 : j->np;
        hi = *j->next;
        pthread_mutex_unlock(j->mu);
        if (lo >= hi)
            return NULL;
        for (size_t i = lo; i < hi; i++)
            j->k[i] = (uint8_t)dominators(j->ix, j->t, j->tp[i].a, j->tp[i].b);
    }
}

static void ceil_report(const char *what, double tp, double fp, double ntrue)
{
    double p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp / ntrue;

    printf("  %-58s P %.4f R %.4f F1 %.4f\n", what, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0);
}

/* The ceiling: a true pair whose two records are no more alike, in every
 * field, than one of them is to a record of another person cannot be
 * taken by any matcher that ranks pairs by their fields without taking
 * that false pair too. Taking every other true pair and nothing else gives
 * the best pair decisions; joining each person's records through those
 * pairs (a cluster may hold a pair through a third record) gives the best
 * clusters. Pairs with exactly one such rival can also be taken at the
 * price of one false pair each, which raises F1 whenever it is below 1:
 * that is the last, most generous figure. With P, also counts how the
 * engine's pairs below P split. */
static int run_ceiling(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    size_t np, next = 0, hist[3] = {0}, below[3] = {0};
    tpair_t *tp = true_pairs(&t, &np);
    uint8_t *k = calloc(np + 1, 1);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    ceil_job_t job = {ix, &t, tp, np, &next, &mu, k};
    pthread_t th;
    uint32_t *parent = malloc(t.rows * sizeof *parent);
    double t0 = now();
    size_t ctp = 0;

    pthread_create(&th, NULL, ceil_worker, &job);
    ceil_worker(&job);
    pthread_join(th, NULL);
    for (size_t i = 0; i < t.rows; i++)
        parent[i] = (uint32_t)i;
    for (size_t i = 0; i < np; i++) {
        hist[k[i]]++;
        if (p > 0) {
            match_hit_t h;

            match_index_pair(ix, tp[i].a, tp[i].b, &h);
            if (h.prob < p)
                below[k[i]]++;
            if (h.prob < p && k[i] == 0) {
                int8_t lv[MATCH_NFIELDS];
                int sw;
                char ps[24];

                score(ix, &ix->recs[tp[i].a], &ix->recs[tp[i].b], lv, &sw, NULL);
                pattern_str(lv, sw, ps);
                pat_get(ps)->fn++;
                if (getenv("SHOW") && !strncmp(ps, getenv("SHOW"), strlen(getenv("SHOW"))) &&
                    pat_get(ps)->fn <= 8) {
                    buf_t ex = BUF_INIT;

                    match_explain(&h, &ex);
                    printf("MISSED p=%.3f %s\n", h.prob, buf_str(&ex));
                    show_rec(&t, ix, tp[i].a);
                    show_rec(&t, ix, tp[i].b);
                    buf_free(&ex);
                }
            }
        }
        if (k[i] == 0) {
            uint32_t ra = find_root(parent, tp[i].a), rb = find_root(parent, tp[i].b);

            if (ra != rb)
                parent[ra] = rb;
        }
    }
    /* Pairs within the components, counted per component root: true pairs
     * only join records of one person. */
    {
        uint32_t *sz = calloc(t.rows, sizeof *sz);

        for (size_t i = 0; i < t.rows; i++)
            sz[find_root(parent, (uint32_t)i)]++;
        for (size_t i = 0; i < t.rows; i++)
            ctp += (size_t)sz[i] * (sz[i] ? sz[i] - 1 : 0) / 2;
        free(sz);
    }
    printf("%zu records, %zu true pairs (%.1f s): other persons' records at least as alike in "
           "every field: none %zu, one %zu, two or more %zu\n", t.rows, np, now() - t0, hist[0],
           hist[1], hist[2]);
    if (p > 0)
        printf("of the true pairs the engine scores below %.2f: none %zu, one %zu, two or more %zu\n",
               p, below[0], below[1], below[2]);
    printf("ceiling:\n");
    ceil_report("pair decisions (the distinguishable pairs)", (double)hist[0], 0, (double)np);
    ceil_report("clusters (joined through distinguishable pairs)", (double)ctp, 0, (double)np);
    ceil_report("pair decisions, one-rival pairs taken with their rival", (double)(hist[0] + hist[1]),
                (double)hist[1], (double)np);
    if (p > 0) {
        qsort(pats, npats, sizeof *pats, by_errors);
        printf("distinguishable pairs scored below %.2f, by pattern (F family G given P father "
               "B birth S sex L place; x swapped):\n", p);
        for (size_t i = 0; i < npats && i < 25; i++)
            printf("  %s  %6zu\n", pats[i].pat, pats[i].fn);
    }
    free(parent);
    free(k);
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Is any field of x and y in outright disagreement (weighs below -3)? */
static int disagree(const match_index_t *ix, uint32_t x, uint32_t y)
{
    int8_t lv[MATCH_NFIELDS];
    int sw;
    double fw[MATCH_NFIELDS];

    score(ix, &ix->recs[x], &ix->recs[y], lv, &sw, fw);
    for (int f = 0; f < MATCH_NFIELDS; f++)
        if (fw[f] < -3)
            return 1;
    return 0;
}

/* Pairs whose names agree exactly, at or above p and below 0.995: the
 * share that are true, by probability and by rivals (records of the given
 * and family names' block, other than the two, that disagree with one of
 * them and not the other: other persons of the name). Each rival is
 * counted once from each side's block. */
static int run_context(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    size_t tab[5][10][2] = {{{0}}}, tab2[4][10][2] = {{{0}}};

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        uint32_t a = pairs[i].a, b = pairs[i].b;
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, a, C_TRUTH)), s0(cell(&t, b, C_TRUTH)));
        size_t riv = 0, other = 0;
        int bin = (int)(pairs[i].prob * 10);

        if (pairs[i].prob > 0.995)
            continue;
        score(ix, &ix->recs[a], &ix->recs[b], lv, &sw, NULL);
        if (lv[MATCH_F_FAMILY] != 0 || lv[MATCH_F_GIVEN] != 0 || sw)
            continue;
        for (int side = 0; side < 2; side++) {
            uint64_t key[MAXKEYS];
            int nk = rule_keys(&ix->recs[side ? b : a], R_GIV_FAM, 0, key);
            for (int j = 0; j < nk; j++) {
                run_t sl = find_run(ix, key[j]);
                if (!sl.e)
                    continue;
                if (sl.len > 400) {
                    riv = 1000;
                    continue;
                }
                for (uint32_t e = 0; e < sl.len; e++) {
                    uint32_t c = sl.e[e] & 0x7fffffffu;
                    if (c == a || c == b)
                        continue;
                    other += side == 0;
                    riv += disagree(ix, side ? b : a, c) != disagree(ix, side ? a : b, c);
                }
            }
        }
        bin = bin > 9 ? 9 : bin;
        riv = riv >= 1000 ? 4 : riv > 6 ? 3 : riv > 2 ? 2 : riv > 0 ? 1 : 0;
        tab[riv][bin][same]++;
        tab2[riv >= 4 ? 3 : other == 0 ? 0 : other == 1 ? 1 : 2][bin][same]++;
    }
    for (int r = 0; r < 5; r++) {
        printf("rivals %s:", (const char *[]){"0", "1", "2-3", "4+", "big"}[r]);
        for (int b2 = 0; b2 < 10; b2++)
            if (tab[r][b2][0] + tab[r][b2][1])
                printf(" %.1f: %zu %.3f;", b2 / 10.0, tab[r][b2][0] + tab[r][b2][1],
                       (double)tab[r][b2][1] / (double)(tab[r][b2][0] + tab[r][b2][1]));
        printf("\n");
    }
    for (int r = 0; r < 4; r++) {
        printf("others %s:", (const char *[]){"0", "1", "2+", "big"}[r]);
        for (int b2 = 0; b2 < 10; b2++)
            if (tab2[r][b2][0] + tab2[r][b2][1])
                printf(" %.1f: %zu %.3f;", b2 / 10.0, tab2[r][b2][0] + tab2[r][b2][1],
                       (double)tab2[r][b2][1] / (double)(tab2[r][b2][0] + tab2[r][b2][1]));
        printf("\n");
    }
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* The engine's merge rule (match_cluster) with its constants as parameters. */
typedef struct cvar {
    double pt, mt; /* pair threshold, threshold of the cross pairs' mean */
    double c1, c2; /* CONTRADICTION, CONTRADICTION_FIELDS */
    int maxsz;     /* CLUSTER_MAX */
} cvar_t;

static int cluster_var(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                       const cvar_t *v, uint32_t *cluster)
{
    size_t n = ix->n;
    uint32_t *parent = malloc(n * sizeof *parent + 1), *next = malloc(n * sizeof *next + 1);
    uint32_t *size = malloc(n * sizeof *size + 1), *tail = malloc(n * sizeof *tail + 1);

    for (size_t i = 0; i < n; i++) {
        parent[i] = (uint32_t)i;
        next[i] = UINT32_MAX;
        size[i] = 1;
        tail[i] = (uint32_t)i;
    }
    for (size_t p = 0; p < npairs; p++) {
        uint32_t ra, rb;
        double sum = 0;
        size_t cnt = 0;
        int veto = 0;

        if (pairs[p].prob < v->pt)
            continue;
        ra = find_root(parent, pairs[p].a);
        rb = find_root(parent, pairs[p].b);
        if (ra == rb || size[ra] + size[rb] > (uint32_t)v->maxsz)
            continue;
        for (uint32_t x = ra; x != UINT32_MAX && !veto; x = next[x])
            for (uint32_t y = rb; y != UINT32_MAX; y = next[y]) {
                int8_t lv[MATCH_NFIELDS];
                int sw;
                double fw[MATCH_NFIELDS], against = 0, w;

                w = score(ix, &ix->recs[x], &ix->recs[y], lv, &sw, fw);
                for (int f = 0; f < MATCH_NFIELDS; f++)
                    against += fw[f] < 0 ? fw[f] : 0;
                if (w < v->c1 || against < v->c2) {
                    veto = 1;
                    break;
                }
                sum += w;
                cnt++;
            }
        if (veto || (cnt && prob_of(ix, sum / (double)cnt) < v->mt))
            continue;
        if (size[ra] < size[rb]) {
            uint32_t t = ra;
            ra = rb;
            rb = t;
        }
        parent[rb] = ra;
        next[tail[ra]] = rb;
        tail[ra] = tail[rb];
        size[ra] += size[rb];
    }
    for (size_t i = 0; i < n; i++)
        cluster[i] = find_root(parent, (uint32_t)i);
    free(parent);
    free(next);
    free(size);
    free(tail);
    return 0;
}

static uint32_t *truth_labels(const table_t *t)
{
    truthrow_t *tr = malloc(t->rows * sizeof *tr);
    uint32_t *label = malloc(t->rows * sizeof *label);

    for (size_t r = 0; r < t->rows; r++)
        tr[r] = (truthrow_t){s0(cell(t, r, C_TRUTH)), (uint32_t)r};
    qsort(tr, t->rows, sizeof *tr, by_person);
    for (size_t i = 0, j; i < t->rows; i = j) {
        for (j = i; j < t->rows && !strcmp(tr[j].person, tr[i].person); j++)
            label[tr[j].row] = (uint32_t)i;
    }
    free(tr);
    return label;
}

static int by_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Pairwise precision, recall and F1 of clusters against the truth labels
 * (one line, what first). */
static void cl_score(size_t n, const uint32_t *cluster, const uint32_t *label, const char *what)
{
    uint64_t *k = malloc(n * sizeof *k);
    double pred = 0, tp = 0, tru = 0;

    for (size_t i = 0; i < n; i++)
        k[i] = (uint64_t)cluster[i] << 32 | label[i];
    qsort(k, n, sizeof *k, by_u64);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && (k[j] >> 32) == (k[i] >> 32); j++)
            ;
        pred += (double)(j - i) * (double)(j - i - 1) / 2;
        for (size_t a = i, b; a < j; a = b) {
            for (b = a; b < j && k[b] == k[a]; b++)
                ;
            tp += (double)(b - a) * (double)(b - a - 1) / 2;
        }
    }
    for (size_t i = 0; i < n; i++)
        k[i] = label[i];
    qsort(k, n, sizeof *k, by_u64);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && k[j] == k[i]; j++)
            ;
        tru += (double)(j - i) * (double)(j - i - 1) / 2;
    }
    {
        double p = tp / pred, r = tp / tru;
        printf("%-40s P %.4f R %.4f F1 %.4f\n", what, p, r, 2 * p * r / (p + r));
    }
    free(k);
}

static int run_clustvar(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint32_t *label = truth_labels(&t), *cl = malloc(t.rows * sizeof *cl);
    char what[128];
    static const cvar_t vars[] = {
        {0.5, 0.5, -6, -12, 64}, {0.5, 0.4, -6, -12, 64}, {0.5, 0.3, -6, -12, 64},
        {0.5, 0.5, -6, -7, 64}, {0.5, 0.4, -6, -7, 64}, {0.5, 0.3, -6, -7, 64},
        {0.5, 0.4, -6, -9, 64}, {0.5, 0.3, -6, -9, 64},
    };

    match_dedup(ix, 0.2, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, 0.5, cl);
    cl_score(t.rows, cl, label, "engine");
    for (size_t v = 0; v < sizeof vars / sizeof *vars; v++) {
        cluster_var(ix, pairs, npairs, &vars[v], cl);
        snprintf(what, sizeof what, "pt %.2f mt %.2f c1 %.0f c2 %.0f max %d", vars[v].pt, vars[v].mt,
                 vars[v].c1, vars[v].c2, vars[v].maxsz);
        cl_score(t.rows, cl, label, what);
    }
    free(pairs);
    free(label);
    free(cl);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* After clustering: a record alone (only_single) or a cluster joins the
 * cluster its best pair points to when that pair reaches plo, no other
 * cluster's best pair comes within margin bits, no cross pair vetoes and
 * the size allows; decided on the clusters as they were, then applied. */
typedef struct attv {
    double plo, margin; /* least probability of the best pair; its lead in bits */
    int maxsz, only_single; /* size limit; 1: records alone only */
} attv_t;

static void attach_pass(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                        const attv_t *v, uint32_t *cl)
{
    size_t n = ix->n;
    uint32_t *deg = calloc(n + 1, sizeof *deg), *adj, *csize = calloc(n, sizeof *csize);
    float *aw;
    uint32_t *newcl = malloc(n * sizeof *newcl);
    uint32_t *head = malloc(n * sizeof *head), *nxt = malloc(n * sizeof *nxt);
    size_t att = 0;

    for (size_t i = 0; i < n; i++)
        head[i] = UINT32_MAX;
    for (size_t i = n; i-- > 0;) {
        nxt[i] = head[cl[i]];
        head[cl[i]] = (uint32_t)i;
        csize[cl[i]]++;
    }
    for (size_t p = 0; p < npairs; p++) {
        deg[pairs[p].a + 1]++;
        deg[pairs[p].b + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        deg[i + 1] += deg[i];
    adj = malloc(deg[n] * sizeof *adj + 1);
    aw = malloc(deg[n] * sizeof *aw + 1);
    {
        uint32_t *fill = malloc(n * sizeof *fill);
        memcpy(fill, deg, n * sizeof *fill);
        for (size_t p = 0; p < npairs; p++) {
            adj[fill[pairs[p].a]] = pairs[p].b;
            aw[fill[pairs[p].a]++] = pairs[p].weight;
            adj[fill[pairs[p].b]] = pairs[p].a;
            aw[fill[pairs[p].b]++] = pairs[p].weight;
        }
        free(fill);
    }
    memcpy(newcl, cl, n * sizeof *newcl);
    for (size_t a = 0; a < n; a++) {
        uint32_t c1 = UINT32_MAX, ca = cl[a];
        double w1 = -1e9, w2 = -1e9;

        if (v->only_single && csize[ca] != 1)
            continue;
        /* The best cluster and the runner-up's best weight. */
        for (uint32_t e = deg[a]; e < deg[a + 1]; e++) {
            uint32_t c = cl[adj[e]];
            double w = aw[e];

            if (c == ca)
                continue;
            if (c == c1) {
                if (w > w1)
                    w1 = w;
                continue;
            }
            if (w > w1) {
                w2 = w1 > w2 ? w1 : w2;
                w1 = w;
                c1 = c;
            } else if (w > w2)
                w2 = w;
        }
        if (c1 == UINT32_MAX || prob_of(ix, w1) < v->plo || w1 - w2 < v->margin ||
            csize[c1] + csize[ca] > (uint32_t)v->maxsz)
            continue;
        {
            int veto = 0;
            for (uint32_t x = head[c1]; x != UINT32_MAX && !veto; x = nxt[x])
                for (uint32_t y = head[ca]; y != UINT32_MAX && !veto; y = nxt[y]) {
                    double w;
                    veto = cross_pair_vetoes(ix, x, y, &w);
                }
            if (veto)
                continue;
        }
        for (uint32_t y = head[ca]; y != UINT32_MAX; y = nxt[y])
            newcl[y] = c1;
        att++;
    }
    memcpy(cl, newcl, n * sizeof *cl);
    printf("  attached %zu: ", att);
    free(deg);
    free(adj);
    free(aw);
    free(csize);
    free(newcl);
    free(head);
    free(nxt);
}

static int run_attach(const char *file, double pmin)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint32_t *label = truth_labels(&t), *cl = malloc(t.rows * sizeof *cl), *base = malloc(t.rows * sizeof *cl);
    char what[128];
    static const attv_t vars[] = {
        {0.3, 1, 64, 1}, {0.3, 2, 64, 1}, {0.3, 3, 64, 1}, {0.2, 2, 64, 1}, {0.2, 3, 64, 1},
        {0.1, 3, 64, 1}, {0.1, 4, 64, 1}, {0.05, 4, 64, 1}, {0.3, 2, 64, 0}, {0.2, 3, 64, 0},
    };

    match_dedup(ix, pmin, 2, NULL, NULL, &pairs, &npairs, &st);
    printf("%zu pairs at p >= %.2f\n", npairs, pmin);
    match_cluster(ix, pairs, npairs, 0.5, base);
    cl_score(t.rows, base, label, "engine");
    for (size_t v = 0; v < sizeof vars / sizeof *vars; v++) {
        memcpy(cl, base, t.rows * sizeof *cl);
        snprintf(what, sizeof what, "plo %.2f margin %.1f single %d", vars[v].plo, vars[v].margin,
                 vars[v].only_single);
        attach_pass(ix, pairs, npairs, &vars[v], cl);
        cl_score(t.rows, cl, label, what);
    }
    free(pairs);
    free(label);
    free(cl);
    free(base);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* moves: local search after the engine's clusters. Each record with a
 * pair at or above t may move to the cluster (of a record it pairs with)
 * where the sum of (probability - t) over the members is largest, if that
 * beats the sum where it is and no member vetoes: the pair count that F1
 * scores, taken in expectation from the model's own probabilities. With
 * split, a record whose sum where it is falls below 0 may also leave
 * alone. Two passes. */
static double moves_gain(const match_index_t *ix, uint32_t x, uint32_t head, const uint32_t *nx,
                         double t, int *veto)
{
    double g = 0;

    for (uint32_t m = head; m != UINT32_MAX; m = nx[m]) {
        double w;

        if (m == x)
            continue;
        if (cross_pair_vetoes(ix, x, m, &w))
            *veto = 1;
        g += prob_of(ix, w) - t;
    }
    return g;
}

static size_t moves_pass(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                         double t, int split, size_t n, uint32_t *cl)
{
    uint32_t *nx = malloc(n * sizeof *nx), *pv = malloc(n * sizeof *pv),
             *hd = malloc(n * sizeof *hd), *sz = calloc(n, sizeof *sz);
    size_t *off = calloc(n + 1, sizeof *off), *adj = malloc(2 * npairs * sizeof *adj + 1),
           *fill = calloc(n + 1, sizeof *fill), moved = 0;

    for (size_t i = 0; i < n; i++)
        hd[i] = nx[i] = pv[i] = UINT32_MAX;
    for (size_t i = n; i-- > 0;) {
        uint32_t c = cl[i];

        nx[i] = hd[c];
        if (hd[c] != UINT32_MAX)
            pv[hd[c]] = (uint32_t)i;
        hd[c] = (uint32_t)i;
        sz[c]++;
    }
    for (size_t p = 0; p < npairs; p++)
        if (pairs[p].prob >= t)
            off[pairs[p].a]++, off[pairs[p].b]++;
    for (size_t i = 0, acc = 0; i <= n; i++) {
        size_t c = i < n ? off[i] : 0;

        off[i] = acc;
        acc += c;
    }
    for (size_t p = 0; p < npairs; p++)
        if (pairs[p].prob >= t) {
            adj[off[pairs[p].a] + fill[pairs[p].a]++] = p;
            adj[off[pairs[p].b] + fill[pairs[p].b]++] = p;
        }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            uint32_t x = (uint32_t)i, a = cl[x], best = UINT32_MAX;
            double stay, bestg;
            int veto = 0;

            if (off[i] == off[i + 1])
                continue;
            stay = bestg = moves_gain(ix, x, hd[a], nx, t, &veto);
            for (size_t k = off[i]; k < off[i + 1]; k++) {
                const match_pair_t *pp = &pairs[adj[k]];
                uint32_t b = cl[pp->a == x ? pp->b : pp->a];
                double g;

                if (b == a || sz[b] + 1 > CLUSTER_MAX)
                    continue;
                veto = 0;
                g = moves_gain(ix, x, hd[b], nx, t, &veto);
                if (!veto && g > bestg + 1e-9) {
                    bestg = g;
                    best = b;
                }
            }
            if (best == UINT32_MAX && split && stay < 0 && sz[a] > 1 && hd[x] == UINT32_MAX)
                best = x; /* alone, under its own number (free: x labels no cluster) */
            if (best == UINT32_MAX)
                continue;
            if (pv[x] != UINT32_MAX)
                nx[pv[x]] = nx[x];
            else
                hd[a] = nx[x];
            if (nx[x] != UINT32_MAX)
                pv[nx[x]] = pv[x];
            sz[a]--;
            nx[x] = hd[best];
            pv[x] = UINT32_MAX;
            if (hd[best] != UINT32_MAX)
                pv[hd[best]] = x;
            hd[best] = x;
            sz[best]++;
            cl[x] = best;
            moved++;
        }
    free(nx);
    free(pv);
    free(hd);
    free(sz);
    free(off);
    free(adj);
    free(fill);
    return moved;
}

static int run_moves(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint32_t *label = truth_labels(&t), *cl = malloc(t.rows * sizeof *cl),
             *base = malloc(t.rows * sizeof *base);
    char what[128];

    match_dedup(ix, 0.5, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, 0.5, base);
    cl_score(t.rows, base, label, "engine");
    for (int split = 0; split < 2; split++) {
        size_t moved;

        memcpy(cl, base, t.rows * sizeof *cl);
        moved = moves_pass(ix, pairs, npairs, 0.5, split, t.rows, cl);
        snprintf(what, sizeof what, "moves%s (%zu moved)", split ? " and splits" : "", moved);
        cl_score(t.rows, cl, label, what);
    }
    free(pairs);
    free(label);
    free(cl);
    free(base);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Calibration by pattern: for the candidate pairs at or above p, per
 * pattern of levels, the pairs, how many are true and how many the model
 * expects (the sum of their probabilities); the patterns whose counts
 * differ most first. */
typedef struct patcal {
    char pat[32];
    double n, ntrue, expect;
    double nlo, tlo; /* below 0.5: pairs, true */
} patcal_t;

/* The bin of pc (npc in use, cap in all) for pattern ps, added if new;
 * SIZE_MAX when pc is full. */
static size_t patcal_slot(patcal_t *pc, size_t *npc, size_t cap, const char *ps)
{
    size_t k;

    for (k = 0; k < *npc && strcmp(pc[k].pat, ps); k++)
        ;
    if (k == *npc) {
        if (*npc == cap)
            return SIZE_MAX;
        snprintf(pc[(*npc)++].pat, sizeof pc[0].pat, "%s", ps);
    }
    return k;
}

static int by_gap(const void *x, const void *y)
{
    const patcal_t *a = x, *b = y;
    double ga = fabs(a->ntrue - a->expect), gb = fabs(b->ntrue - b->expect);

    return (ga < gb) - (ga > gb);
}

static int run_patcal(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, npc = 0;
    match_stats_t st;
    static patcal_t pc[8192];

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, pairs[i].a, C_TRUTH)), s0(cell(&t, pairs[i].b, C_TRUTH)));
        char ps[24];
        size_t k;

        score(ix, &ix->recs[pairs[i].a], &ix->recs[pairs[i].b], lv, &sw, NULL);
        pattern_str(lv, sw, ps);
        if ((k = patcal_slot(pc, &npc, sizeof pc / sizeof *pc, ps)) == SIZE_MAX)
            continue;
        pc[k].n++;
        pc[k].ntrue += same;
        pc[k].expect += pairs[i].prob;
        if (pairs[i].prob < 0.5) {
            pc[k].nlo++;
            pc[k].tlo += same;
        }
    }
    qsort(pc, npc, sizeof *pc, by_gap);
    printf("pattern                     pairs     true  expected  below 0.5: pairs true\n");
    for (size_t k = 0; k < npc && k < 60; k++)
        printf("  %s  %8.0f %8.0f %9.0f  %8.0f %8.0f\n", pc[k].pat, pc[k].n, pc[k].ntrue, pc[k].expect,
               pc[k].nlo, pc[k].tlo);
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* A cluster's profile as the engine's profile_add builds it (a copy, to
 * try variants). */
static void profile_merge(mrec_t *p, const mrec_t *q)
{
    if ((!p->giv[0] || (!p->giv[1] && q->giv[1])) && q->giv[0]) {
        memcpy(p->giv, q->giv, sizeof p->giv);
        p->hgiv = q->hgiv, p->bgiv = q->bgiv, p->tgiv = q->tgiv, p->ginit = q->ginit, p->gfirst = q->gfirst;
        p->sgiv = q->sgiv;
        p->grp = (uint8_t)((p->grp & ~(G_GIV | G_TGIV)) | (q->grp & (G_GIV | G_TGIV)));
    }
    if (!p->fam[0] && q->fam[0]) {
        memcpy(p->fam, q->fam, sizeof p->fam);
        p->hfam = q->hfam, p->bfam = q->bfam, p->tfam = q->tfam, p->sfam = q->sfam, p->nfam = q->nfam;
        p->grp = (uint8_t)((p->grp & ~(G_FAM | G_TFAM)) | (q->grp & (G_FAM | G_TFAM)));
    }
    if (!p->fat[0] && q->fat[0]) {
        memcpy(p->fat, q->fat, sizeof p->fat);
        p->hfat = q->hfat, p->bfat = q->bfat, p->sfat = q->sfat, p->wfat = q->wfat;
        p->grp = (uint8_t)((p->grp & ~G_FAT) | (q->grp & G_FAT));
    }
    if (!p->hplace && q->hplace) {
        memcpy(p->place, q->place, sizeof p->place);
        p->hplace = q->hplace, p->splace = q->splace, p->place_id = q->place_id;
        p->wplace = q->wplace;
    }
    if ((!p->date.year && q->date.year) || (p->date.year && q->date.year == p->date.year &&
                                            ((!p->date.month && q->date.month) ||
                                             (!p->date.day && q->date.day && q->date.month == p->date.month))))
        p->date = q->date;
    if (!p->sex)
        p->sex = q->sex;
}

/* The merge rule with the cross pairs' mean replaced by the score of the
 * two clusters' profiles (vetoes as in the engine). mode 1: profile only;
 * 2: profile or mean. */
static int cluster_prof(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                        double thr, int mode, double slack, uint32_t *cluster, double plo2)
{
    size_t n = ix->n;
    uint32_t *parent = malloc(n * sizeof *parent + 1), *next = malloc(n * sizeof *next + 1);
    uint32_t *size = malloc(n * sizeof *size + 1), *tail = malloc(n * sizeof *tail + 1);
    mrec_t *prof = malloc(n * sizeof *prof + 1);

    for (size_t i = 0; i < n; i++) {
        parent[i] = (uint32_t)i;
        next[i] = UINT32_MAX;
        size[i] = 1;
        tail[i] = (uint32_t)i;
    }
    for (size_t q = 0; q < 2 * npairs; q++) {
        size_t p = q % npairs;
        int second = q >= npairs;
        uint32_t ra, rb;
        double sum = 0, pw;
        size_t cnt = 0;
        int sw;
        int8_t lv[MATCH_NFIELDS];
        const mrec_t *pa, *pb;

        if (!second ? pairs[p].prob < thr : (plo2 <= 0 || pairs[p].prob >= thr || pairs[p].prob < plo2))
            continue;
        ra = find_root(parent, pairs[p].a);
        rb = find_root(parent, pairs[p].b);
        if (ra == rb || size[ra] + size[rb] > CLUSTER_MAX)
            continue;
        if (cross_pairs(ix, next, ra, rb, &sum, &cnt))
            continue;
        pa = size[ra] > 1 ? &prof[ra] : &ix->recs[ra];
        pb = size[rb] > 1 ? &prof[rb] : &ix->recs[rb];
        pw = score(ix, pa, pb, lv, &sw, NULL);
        if (second ? prob_of(ix, pw) < thr
            : mode == 1 ? prob_of(ix, pw + slack) < thr
                      : (prob_of(ix, pw + slack) < thr && prob_of(ix, sum / (double)cnt) < thr))
            continue;
        if (size[ra] < size[rb]) {
            uint32_t t = ra;
            ra = rb;
            rb = t;
        }
        if (size[ra] == 1)
            prof[ra] = ix->recs[ra];
        profile_merge(&prof[ra], size[rb] > 1 ? &prof[rb] : &ix->recs[rb]);
        parent[rb] = ra;
        next[tail[ra]] = rb;
        tail[ra] = tail[rb];
        size[ra] += size[rb];
    }
    for (size_t i = 0; i < n; i++)
        cluster[i] = find_root(parent, (uint32_t)i);
    free(parent);
    free(next);
    free(size);
    free(tail);
    free(prof);
    return 0;
}

static int run_profile(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint32_t *label = truth_labels(&t), *cl = malloc(t.rows * sizeof *cl);

    match_dedup(ix, 0.05, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, 0.5, cl);
    cl_score(t.rows, cl, label, "engine");
    cluster_prof(ix, pairs, npairs, 0.5, 1, 0, cl, 0);
    cl_score(t.rows, cl, label, "profile");
    cluster_prof(ix, pairs, npairs, 0.5, 2, 0, cl, 0);
    cl_score(t.rows, cl, label, "profile or mean");
    cluster_prof(ix, pairs, npairs, 0.5, 2, 0, cl, 0.3);
    cl_score(t.rows, cl, label, "profile or mean, then profiles >= 0.3");
    cluster_prof(ix, pairs, npairs, 0.5, 2, 0, cl, 0.1);
    cl_score(t.rows, cl, label, "profile or mean, then profiles >= 0.1");
    cluster_prof(ix, pairs, npairs, 0.5, 2, 0, cl, 0.05);
    cl_score(t.rows, cl, label, "profile or mean, then profiles >= 0.05");
    free(pairs);
    free(label);
    free(cl);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* False pairs inside the engine's clusters at p, by the pattern of the two
 * records' own comparison and its probability band. */
static int run_clfp(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, total = 0, band[4] = {0};
    match_stats_t st;
    uint32_t *cl = malloc(t.rows * sizeof *cl), *head = malloc(t.rows * sizeof *head),
             *nxt = malloc(t.rows * sizeof *nxt);

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, p, cl);
    for (size_t i = 0; i < t.rows; i++)
        head[i] = UINT32_MAX;
    for (size_t i = t.rows; i-- > 0;) {
        nxt[i] = head[cl[i]];
        head[cl[i]] = (uint32_t)i;
    }
    npats = 0;
    for (size_t c = 0; c < t.rows; c++)
        for (uint32_t x = head[c]; x != UINT32_MAX; x = nxt[x])
            for (uint32_t y = nxt[x]; y != UINT32_MAX; y = nxt[y]) {
                int8_t lv[MATCH_NFIELDS];
                int sw;
                char ps[24];
                double w, pr;

                if (!strcmp(s0(cell(&t, x, C_TRUTH)), s0(cell(&t, y, C_TRUTH))))
                    continue;
                w = score(ix, &ix->recs[x], &ix->recs[y], lv, &sw, NULL);
                pr = prob_of(ix, w);
                pattern_str(lv, sw, ps);
                pat_get(ps)->fp++;
                total++;
                band[pr < 0.1 ? 0 : pr < 0.5 ? 1 : pr < 0.9 ? 2 : 3]++;
            }
    {
        /* And the true pairs the clusters leave apart (fn), by the same. */
        size_t np, fnband[4] = {0}, nfn = 0;
        tpair_t *tp = true_pairs(&t, &np);

        for (size_t i = 0; i < np; i++) {
            int8_t lv[MATCH_NFIELDS];
            int sw;
            char ps[24];
            double pr;

            if (cl[tp[i].a] == cl[tp[i].b])
                continue;
            pr = prob_of(ix, score(ix, &ix->recs[tp[i].a], &ix->recs[tp[i].b], lv, &sw, NULL));
            pattern_str(lv, sw, ps);
            pat_get(ps)->fn++;
            nfn++;
            fnband[pr < 0.1 ? 0 : pr < 0.5 ? 1 : pr < 0.9 ? 2 : 3]++;
        }
        printf("%zu true pairs apart; their own probability <0.1 %zu, <0.5 %zu, <0.9 %zu, more %zu\n",
               nfn, fnband[0], fnband[1], fnband[2], fnband[3]);
        free(tp);
    }
    qsort(pats, npats, sizeof *pats, by_errors);
    printf("%zu false pairs in clusters; their own probability <0.1 %zu, <0.5 %zu, <0.9 %zu, more %zu\n",
           total, band[0], band[1], band[2], band[3]);
    printf("pattern: false pairs in clusters, true pairs apart\n");
    for (size_t i = 0; i < npats && i < 30; i++)
        printf("  %s  %6zu %6zu\n", pats[i].pat, pats[i].fp, pats[i].fn);
    free(pairs);
    free(cl);
    free(head);
    free(nxt);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Pairs whose family names are close (level 1) or similar (2), by the
 * frequency band of the more common of the two names: pairs, true,
 * expected. */
static int run_famclose(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    double n[3][6] = {{0}}, tr[3][6] = {{0}}, ex[3][6] = {{0}};

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        const mrec_t *a = &ix->recs[pairs[i].a], *b = &ix->recs[pairs[i].b];
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, pairs[i].a, C_TRUTH)), s0(cell(&t, pairs[i].b, C_TRUTH)));
        uint32_t ca, cb, c;
        int bd;

        score(ix, a, b, lv, &sw, NULL);
        if (sw || lv[MATCH_F_FAMILY] < 0 || lv[MATCH_F_FAMILY] > 2)
            continue;
        ca = tf_get(&ix->tf_name, a->tfam);
        cb = tf_get(&ix->tf_name, b->tfam);
        c = ca > cb ? ca : cb;
        bd = c < 16 ? 0 : c < 64 ? 1 : c < 256 ? 2 : c < 1024 ? 3 : c < 8192 ? 4 : 5;
        if (getenv("BYMIN")) { /* by the rarer name's count: 1, 2, 3-4, 5-8, 9-32, more */
            c = ca < cb ? ca : cb;
            bd = c < 2 ? 0 : c < 3 ? 1 : c < 5 ? 2 : c < 9 ? 3 : c < 33 ? 4 : 5;
        }
        n[lv[MATCH_F_FAMILY]][bd]++;
        tr[lv[MATCH_F_FAMILY]][bd] += same;
        ex[lv[MATCH_F_FAMILY]][bd] += pairs[i].prob;
    }
    for (int l = 0; l < 3; l++) {
        printf("family level %d:", l);
        for (int bd = 0; bd < 6; bd++)
            printf("  [<%d: %.0f true %.0f exp %.0f]", (int[]){16, 64, 256, 1024, 8192, 999999}[bd],
                   n[l][bd], tr[l][bd], ex[l][bd]);
        printf("\n");
    }
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* The engine's rule (profiles or mean), refusing a merge through pair
 * (a, b) when a (or b) has another pair within margin bits of it to a
 * record outside both clusters that looks like another person than b
 * (or a): the record could be either's. */
static int cluster_excl(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                        double thr, double margin, double pdiff, uint32_t *cluster)
{
    size_t n = ix->n;
    uint32_t *deg = calloc(n + 1, sizeof *deg), *adj;
    float *aw;
    size_t refused = 0;

    for (size_t p = 0; p < npairs; p++)
        if (pairs[p].prob >= thr) {
            deg[pairs[p].a + 1]++;
            deg[pairs[p].b + 1]++;
        }
    for (size_t i = 0; i < n; i++)
        deg[i + 1] += deg[i];
    adj = malloc(deg[n] * sizeof *adj + 1);
    aw = malloc(deg[n] * sizeof *aw + 1);
    {
        uint32_t *fill = malloc(n * sizeof *fill);
        memcpy(fill, deg, n * sizeof *fill);
        for (size_t p = 0; p < npairs; p++)
            if (pairs[p].prob >= thr) {
                adj[fill[pairs[p].a]] = pairs[p].b;
                aw[fill[pairs[p].a]++] = pairs[p].weight;
                adj[fill[pairs[p].b]] = pairs[p].a;
                aw[fill[pairs[p].b]++] = pairs[p].weight;
            }
        free(fill);
    }
    {
        uint32_t *parent = malloc(n * sizeof *parent + 1), *next = malloc(n * sizeof *next + 1);
        uint32_t *size = malloc(n * sizeof *size + 1), *tail = malloc(n * sizeof *tail + 1);
        mrec_t *prof = malloc(n * sizeof *prof + 1);

        for (size_t i = 0; i < n; i++) {
            parent[i] = (uint32_t)i;
            next[i] = UINT32_MAX;
            size[i] = 1;
            tail[i] = (uint32_t)i;
        }
        for (size_t p = 0; p < npairs; p++) {
            uint32_t ra, rb, a = pairs[p].a, b = pairs[p].b;
            double sum = 0, pw;
            size_t cnt = 0;
            int sw, amb = 0;
            int8_t lv[MATCH_NFIELDS];
            const mrec_t *pa, *pb;

            if (pairs[p].prob < thr)
                continue;
            ra = find_root(parent, a);
            rb = find_root(parent, b);
            if (ra == rb || size[ra] + size[rb] > CLUSTER_MAX)
                continue;
            for (int side = 0; side < 2 && !amb; side++) {
                uint32_t x = side ? b : a, y = side ? a : b;

                for (uint32_t e = deg[x]; e < deg[x + 1] && !amb; e++) {
                    uint32_t c = adj[e], rc = find_root(parent, c);
                    double w;

                    if (rc == ra || rc == rb || aw[e] < pairs[p].weight - margin)
                        continue;
                    w = score(ix, &ix->recs[y], &ix->recs[c], lv, &sw, NULL);
                    amb = prob_of(ix, w) < pdiff;
                }
            }
            if (amb) {
                refused++;
                continue;
            }
            if (cross_pairs(ix, next, ra, rb, &sum, &cnt))
                continue;
            pa = size[ra] > 1 ? &prof[ra] : &ix->recs[ra];
            pb = size[rb] > 1 ? &prof[rb] : &ix->recs[rb];
            pw = score(ix, pa, pb, lv, &sw, NULL);
            if (prob_of(ix, pw) < thr && prob_of(ix, sum / (double)cnt) < thr)
                continue;
            if (size[ra] < size[rb]) {
                uint32_t t = ra;
                ra = rb;
                rb = t;
            }
            {
                mrec_t add = size[rb] > 1 ? prof[rb] : ix->recs[rb];

                if (size[ra] == 1)
                    prof[ra] = ix->recs[ra];
                profile_merge(&prof[ra], &add);
            }
            parent[rb] = ra;
            next[tail[ra]] = rb;
            tail[ra] = tail[rb];
            size[ra] += size[rb];
        }
        for (size_t i = 0; i < n; i++)
            cluster[i] = find_root(parent, (uint32_t)i);
        free(parent);
        free(next);
        free(size);
        free(tail);
        free(prof);
    }
    printf("  refused %zu: ", refused);
    free(deg);
    free(adj);
    free(aw);
    return 0;
}

static int run_excl(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint32_t *label = truth_labels(&t), *cl = malloc(t.rows * sizeof *cl);
    static const double v[][2] = {{1, 0.1}, {2, 0.1}, {3, 0.1}, {2, 0.01}, {4, 0.01}, {1, 0.5}};
    char what[96];

    match_dedup(ix, 0.5, 2, NULL, NULL, &pairs, &npairs, &st);
    match_cluster(ix, pairs, npairs, 0.5, cl);
    cl_score(t.rows, cl, label, "engine");
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        cluster_excl(ix, pairs, npairs, 0.5, v[k][0], v[k][1], cl);
        snprintf(what, sizeof what, "margin %.0f, other person below %.2f", v[k][0], v[k][1]);
        cl_score(t.rows, cl, label, what);
    }
    free(pairs);
    free(label);
    free(cl);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* One line of run_variants: field letter, level and the two forms in
 * order, when the level is above exact. */
static void print_variant(char field, int level, const char *x, const char *y)
{
    if (level > 0)
        printf("%c%d %s %s\n", field, level, strcmp(x, y) < 0 ? x : y, strcmp(x, y) < 0 ? y : x);
}

/* Every true pair whose names differ after normalisation, one line each:
 * field, level and the two folded forms (in order), to count with sort |
 * uniq -c which differences are systematic (a normalisation to fix) and
 * which are typos (a long tail). */
static int run_variants(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    size_t np;
    tpair_t *tp = true_pairs(&t, &np);

    for (size_t i = 0; i < np; i++) {
        const mrec_t *a = &ix->recs[tp[i].a], *b = &ix->recs[tp[i].b];
        int8_t lv[MATCH_NFIELDS];
        int sw;

        score(ix, a, b, lv, &sw, NULL);
        if (sw)
            continue;
        print_variant('F', lv[MATCH_F_FAMILY], a->fam, b->fam);
        print_variant('G', lv[MATCH_F_GIVEN], a->giv, b->giv);
        print_variant('P', lv[MATCH_F_FATHER], a->fat, b->fat);
    }
    free(tp);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Pairwise F1 at p against an oracle that recalibrates: pairs binned by
 * pattern and probability decile, a bin taken whole when at least half of
 * it is true. What better calibration alone could gain, with no new
 * information. */
static int run_recal(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, np, tp = 0, fp = 0, otp = 0, ofp = 0;
    match_stats_t st;
    tpair_t *tpl = true_pairs(&t, &np);
    static patcal_t pc[65536];
    size_t npc = 0;

    match_dedup(ix, 0.01, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, pairs[i].a, C_TRUTH)), s0(cell(&t, pairs[i].b, C_TRUTH)));
        char ps[32];
        size_t k;

        score(ix, &ix->recs[pairs[i].a], &ix->recs[pairs[i].b], lv, &sw, NULL);
        pattern_str(lv, sw, ps);
        snprintf(ps + strlen(ps), sizeof ps - strlen(ps), " %d", (int)(pairs[i].prob * 10));
        if ((k = patcal_slot(pc, &npc, sizeof pc / sizeof *pc, ps)) == SIZE_MAX)
            continue;
        pc[k].n++;
        pc[k].ntrue += same;
        if (pairs[i].prob >= p) {
            tp += same;
            fp += !same;
        }
    }
    for (size_t k = 0; k < npc; k++) {
        int dec = atoi(strrchr(pc[k].pat, ' ') + 1), now = dec >= (int)(p * 10), want = pc[k].ntrue * 2 >= pc[k].n;

        if (want) {
            otp += (size_t)pc[k].ntrue;
            ofp += (size_t)(pc[k].n - pc[k].ntrue);
        }
        if (now != want && fabs(2 * pc[k].ntrue - pc[k].n) >= 25)
            printf("  %s: %.0f pairs, %.0f true (%s)\n", pc[k].pat, pc[k].n, pc[k].ntrue, want ? "take" : "leave");
    }
    {
        double P = (double)tp / (double)(tp + fp), R = (double)tp / (double)np;
        double oP = (double)otp / (double)(otp + ofp), oR = (double)otp / (double)np;

        printf("pairs at %.2f: P %.4f R %.4f F1 %.4f; recalibrated by pattern and decile (%zu bins): "
               "P %.4f R %.4f F1 %.4f\n", p, P, R, 2 * P * R / (P + R), npc, oP, oR, 2 * oP * oR / (oP + oR));
    }
    free(tpl);
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Names-only pairs (family and given exact; father, birth and place
 * missing on a side): pairs, true and expected by the count of records
 * holding both names (joint) and by probability: is the model's name
 * frequency right, and does the joint count say more? */
static int run_thin(const char *file)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs;
    match_stats_t st;
    uint64_t *keys = malloc(ix->n * sizeof *keys + 8);
    double n[7][5] = {{0}}, tr[7][5] = {{0}}, ex[7][5] = {{0}};

    for (size_t r = 0; r < ix->n; r++)
        keys[r] = (uint64_t)ix->recs[r].tfam << 32 | ix->recs[r].tgiv;
    qsort(keys, ix->n, sizeof *keys, by_u64);
    match_dedup(ix, 0.01, 2, NULL, NULL, &pairs, &npairs, &st);
    for (size_t i = 0; i < npairs; i++) {
        const mrec_t *a = &ix->recs[pairs[i].a], *b = &ix->recs[pairs[i].b];
        int8_t lv[MATCH_NFIELDS];
        int sw, same = !strcmp(s0(cell(&t, pairs[i].a, C_TRUTH)), s0(cell(&t, pairs[i].b, C_TRUTH)));
        uint64_t k = (uint64_t)a->tfam << 32 | a->tgiv;
        size_t lo = 0, hi = ix->n, c;
        int bd, pb;

        score(ix, a, b, lv, &sw, NULL);
        if (sw || lv[MATCH_F_FAMILY] != 0 || lv[MATCH_F_GIVEN] != 0 || lv[MATCH_F_FATHER] >= 0 ||
            lv[MATCH_F_BIRTH] >= 0 || lv[MATCH_F_PLACE] >= 0)
            continue;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;

            if (keys[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (c = 0; lo + c < ix->n && keys[lo + c] == k; c++)
            ;
        bd = c <= 2 ? 0 : c <= 4 ? 1 : c <= 8 ? 2 : c <= 16 ? 3 : c <= 64 ? 4 : c <= 256 ? 5 : 6;
        pb = pairs[i].prob < 0.1 ? 0 : pairs[i].prob < 0.3 ? 1 : pairs[i].prob < 0.5 ? 2 : pairs[i].prob < 0.7 ? 3 : 4;
        n[bd][pb]++;
        tr[bd][pb] += same;
        ex[bd][pb] += pairs[i].prob;
    }
    printf("joint count \\ probability: <0.1 <0.3 <0.5 <0.7 more (pairs true expected)\n");
    for (int bd = 0; bd < 7; bd++) {
        printf("  <=%-4d", (int[]){2, 4, 8, 16, 64, 256, 1 << 30}[bd]);
        for (int pb = 0; pb < 5; pb++)
            printf("  %6.0f %6.0f %6.0f", n[bd][pb], tr[bd][pb], ex[bd][pb]);
        printf("\n");
    }
    free(keys);
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return 0;
}

/* Every candidate pair (match_is_candidate) scored at or above P against
 * what match_dedup kept: the dedup's bounds must never drop a pair that
 * scores above the threshold. Quadratic: for small files. */
static int run_exact(const char *file, double p)
{
    table_t t = {0};
    match_index_t *ix = load_index(file, &t, 2);
    match_pair_t *pairs;
    size_t npairs, found = 0, missed = 0, extra = 0;
    match_stats_t st;
    uint8_t *kept;

    match_dedup(ix, p, 2, NULL, NULL, &pairs, &npairs, &st);
    qsort(pairs, npairs, sizeof *pairs, pair_by_records);
    kept = calloc(npairs + 1, 1);
    for (size_t a = 0; a < ix->n; a++)
        for (size_t b = a + 1; b < ix->n; b++) {
            match_hit_t h;
            match_pair_t key = {(uint32_t)a, (uint32_t)b, 0, 0};
            match_pair_t *at;

            if (!match_is_candidate(ix, a, b) || match_index_pair(ix, a, b, &h) != 0 || h.prob < p)
                continue;
            at = bsearch(&key, pairs, npairs, sizeof *pairs, pair_by_records);
            if (at) {
                found++;
                kept[at - pairs] = 1;
            } else {
                missed++;
            }
        }
    for (size_t i = 0; i < npairs; i++)
        extra += !kept[i];
    printf("pairs at %.2f: dedup kept %zu; candidates scoring there %zu found, %zu missed; %zu kept "
           "but not found by the full scan\n", p, npairs, found, missed, extra);
    free(kept);
    free(pairs);
    match_index_free(ix);
    table_free(&t);
    return missed ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "exact"))
        return run_exact(argv[2], atof(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "thin"))
        return run_thin(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "recal"))
        return run_recal(argv[2], atof(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "variants"))
        return run_variants(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "excl"))
        return run_excl(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "famclose"))
        return run_famclose(argv[2], atof(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "clfp"))
        return run_clfp(argv[2], atof(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "profile"))
        return run_profile(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "patcal"))
        return run_patcal(argv[2], atof(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "attach"))
        return run_attach(argv[2], atof(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "moves"))
        return run_moves(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "clustvar"))
        return run_clustvar(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "context"))
        return run_context(argv[2], atof(argv[3]));
    if (argc >= 4 && !strcmp(argv[1], "splits"))
        return run_splits(argv[2], atof(argv[3]), argc > 4 ? (size_t)atol(argv[4]) : 10);
    if (argc >= 3 && !strcmp(argv[1], "ceiling"))
        return run_ceiling(argv[2], argc > 3 ? atof(argv[3]) : 0);
    if (argc >= 3 && !strcmp(argv[1], "atoms"))
        return run_atoms(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "oracle"))
        return run_oracle(argv[2], atof(argv[3]), argc > 4 ? (size_t)atol(argv[4]) : 10);
    if (argc >= 3 && !strcmp(argv[1], "blocking"))
        return run_blocking(argv[2], argc > 3 ? (size_t)atol(argv[3]) : 20);
    if (argc >= 4 && !strcmp(argv[1], "errors"))
        return run_errors(argv[2], atof(argv[3]), argc > 4 ? (size_t)atol(argv[4]) : 20);
    fprintf(stderr, "usage: match_diag blocking FILE.csv [SHOW] | errors FILE.csv P [SHOW] | "
                    "ceiling FILE.csv [P] | oracle FILE.csv P [EVERY] | atoms FILE.csv | "
                    "context FILE.csv P | clustvar FILE.csv | attach FILE.csv P | patcal FILE.csv P | "
                    "profile FILE.csv | clfp FILE.csv P | famclose FILE.csv P | excl FILE.csv | "
                    "moves FILE.csv | variants FILE.csv | recal FILE.csv P | thin FILE.csv | exact FILE.csv P\n");
    return 2;
}

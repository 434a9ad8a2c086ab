/*
 * cmd_match.c - `homeward match FILE.csv`: find the same person written
 * several ways in one CSV of people, so that an organisation can
 * deduplicate its list before sharing it.
 *
 * Reads the whole file (libcsv), normalises and indexes every row, scores
 * the candidate pairs, clusters them, writes --pairs and --clusters, and
 * prints a summary on stderr. With --truth COLUMN (a column naming the real
 * person of each row, as in a labelled sample) it also prints pairwise
 * precision, recall and F1 and the recall of the blocking step.
 */
#include "match/match_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>

#include "match/match.h"
#include "util/buf.h"

enum col { C_ID, C_GIVEN, C_FAMILY, C_PATRONYMIC, C_BIRTH_DATE, C_BIRTH_PLACE, C_SEX, C_TRUTH,
           NCOLS };

static const char *col_opts[NCOLS] = {"--id", "--given", "--family", "--patronymic",
                                      "--birth-date", "--birth-place", "--sex", "--truth"};
/* Header names recognised when no option names the column ('|' separated). */
static const char *col_defaults[NCOLS] = {
    "id|_uuid|uuid|key|_id|meta-instanceid|record_id",
    "given|given_name|first_name|firstname|first|name|имя|անուն",
    "family|family_name|surname|last_name|lastname|last|фамилия|ազգանուն",
    "patronymic|father|father_name|fathers_name|middle_name|отчество|հայրանուն",
    "birth_date|date_of_birth|dob|birthdate|born|дата_рождения|ծննդյան_ամսաթիվ",
    "birth_place|place_of_birth|birthplace|pob|место_рождения|ծննդավայր",
    "sex|gender|пол|սեռ",
    "",
};

/* The rows kept from the file: for each row NCOLS offsets into text. */
typedef struct table {
    buf_t text;          /* every kept field, NUL-separated */
    size_t *cells;       /* rows * NCOLS offsets, SIZE_MAX for absent */
    size_t rows, cap;    /* rows kept, allocated */
    int header_done;     /* the header row has been read */
    int colidx[NCOLS];   /* file column of each field, or -1 */
    const char *want[NCOLS]; /* column names asked for (NULL: defaults) */
    size_t field;        /* current field number in the row */
    size_t row_cells[NCOLS]; /* current row's offsets */
    char **header;       /* header names until resolved */
    size_t nheader;
    int failed;          /* allocation failure */
} table_t;

static int name_matches(const char *name, const char *list)
{
    const char *p = list;
    size_t n = strlen(name);

    while (*p) {
        const char *e = strchr(p, '|');
        size_t k = e ? (size_t)(e - p) : strlen(p);

        if (k == n && strncasecmp(p, name, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    table_t *t = data;

    if (!t->header_done) {
        char **h = realloc(t->header, (t->nheader + 1) * sizeof *h);

        /* A UTF-8 byte-order mark (spreadsheet exports) is not part of the name. */
        if (t->nheader == 0 && s && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
            s = (char *)s + 3;
            len -= 3;
        }
        if (!h) {
            t->failed = 1;
            return;
        }
        t->header = h;
        t->header[t->nheader] = strndup(s ? s : "", len);
        if (!t->header[t->nheader])
            t->failed = 1;
        t->nheader++;
        return;
    }
    for (int c = 0; c < NCOLS; c++)
        if (t->colidx[c] == (int)t->field) {
            t->row_cells[c] = t->text.len;
            buf_add(&t->text, s ? s : "", len);
            buf_putc(&t->text, 0);
        }
    t->field++;
}

static void on_row(int ch, void *data)
{
    table_t *t = data;

    (void)ch;
    if (!t->header_done) {
        for (int c = 0; c < NCOLS; c++) {
            t->colidx[c] = -1;
            for (size_t i = 0; i < t->nheader; i++) {
                const char *h = t->header[i];

                if (t->want[c] ? strcasecmp(h, t->want[c]) == 0 : name_matches(h, col_defaults[c])) {
                    t->colidx[c] = (int)i;
                    break;
                }
            }
        }
        t->header_done = 1;
        t->field = 0;
        for (int c = 0; c < NCOLS; c++)
            t->row_cells[c] = SIZE_MAX;
        return;
    }
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        size_t *cells = realloc(t->cells, cap * NCOLS * sizeof *cells);

        if (!cells) {
            t->failed = 1;
            return;
        }
        t->cells = cells;
        t->cap = cap;
    }
    memcpy(t->cells + t->rows * NCOLS, t->row_cells, sizeof t->row_cells);
    t->rows++;
    t->field = 0;
    for (int c = 0; c < NCOLS; c++)
        t->row_cells[c] = SIZE_MAX;
}

static const char *cell(const table_t *t, size_t row, int c)
{
    size_t off = t->cells[row * NCOLS + c];

    return off == SIZE_MAX ? NULL : t->text.p + off;
}

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->nheader; i++)
        free(t->header[i]);
    free(t->header);
    free(t->cells);
    buf_free(&t->text);
}

static int load(const char *path, table_t *t, const char **err)
{
    struct csv_parser p;
    char chunk[1 << 16];
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t n;
    int rc = 0;

    if (!f) {
        *err = strerror(errno);
        return -1;
    }
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        *err = "out of memory";
        if (f != stdin)
            fclose(f);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (csv_parse(&p, chunk, n, on_field, on_row, t) != n) {
            *err = csv_strerror(csv_error(&p));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        *err = strerror(errno);
        rc = -1;
    }
    if (rc == 0 && csv_fini(&p, on_field, on_row, t) != 0) {
        *err = csv_strerror(csv_error(&p));
        rc = -1;
    }
    csv_free(&p);
    if (f != stdin)
        fclose(f);
    if (rc == 0 && (t->failed || t->text.failed)) {
        *err = "out of memory";
        rc = -1;
    }
    return rc;
}

typedef struct progress {
    int tty;         /* stderr is a terminal */
    const char *what; /* stage name */
    int last;        /* last percentage drawn */
} progress_t;

static void draw(void *arg, size_t done, size_t total)
{
    progress_t *pg = arg;
    int pct = total ? (int)(done * 100 / total) : 100, fill = pct / 4;

    if (!pg->tty || pct == pg->last)
        return;
    pg->last = pct;
    fprintf(stderr, "\r%-10s [%.*s%*s] %3d%%", pg->what, fill,
            "#########################", 25 - fill, "", pct);
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fputs("usage: homeward match FILE.csv [options]\n"
          "Find rows of a CSV of people that are the same person, across scripts and spellings.\n"
          "  --id COL --given COL --family COL --patronymic COL --birth-date COL\n"
          "  --birth-place COL --sex COL   columns (default: recognised header names)\n"
          "  --threshold P     probability for a match, 0..1 (default 0.9)\n"
          "  --pairs OUT.csv   write id_l,id_r,weight,probability,explanation\n"
          "  --clusters OUT.csv  write id,cluster\n"
          "  --threads N       worker threads (default 2)\n"
          "  --truth COL       column naming the real person: print precision/recall/F1\n"
          "  --quiet           no summary\n",
          f);
}

/* Pairwise evaluation against the truth column. */
static void evaluate(const table_t *t, const match_index_t *ix, const uint32_t *cluster,
                     const match_pair_t *pairs, size_t npairs, double threshold);

int cmd_match(int argc, char **argv)
{
    table_t t = {0};
    const char *file = NULL, *pairs_out = NULL, *clusters_out = NULL, *err = NULL;
    double threshold = 0.9, t0 = now(), t_load, t_norm, t_index, t_dedup, t_cluster;
    int threads = 2, quiet = 0, rc = 1;
    match_ctx_t *ctx = NULL;
    match_index_t *ix = NULL;
    match_pair_t *pairs = NULL;
    size_t npairs = 0, nclusters = 0, inmulti = 0, above = 0;
    uint32_t *cluster = NULL;
    match_stats_t st = {0};
    progress_t pg = {isatty(2), "", -1};

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int known = 0;

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        for (int c = 0; c < NCOLS; c++)
            if (!strcmp(a, col_opts[c])) {
                if (i + 1 >= argc)
                    goto missing;
                t.want[c] = argv[++i];
                known = 1;
            }
        if (known)
            continue;
        if (!strcmp(a, "--threshold") || !strcmp(a, "--pairs") || !strcmp(a, "--clusters") ||
            !strcmp(a, "--threads")) {
            char *end;

            if (i + 1 >= argc)
                goto missing;
            if (!strcmp(a, "--pairs"))
                pairs_out = argv[++i];
            else if (!strcmp(a, "--clusters"))
                clusters_out = argv[++i];
            else if (!strcmp(a, "--threshold")) {
                threshold = strtod(argv[++i], &end);
                if (*end || threshold <= 0 || threshold >= 1) {
                    fprintf(stderr, "homeward match: --threshold must be between 0 and 1\n");
                    return 2;
                }
            } else {
                threads = (int)strtol(argv[++i], &end, 10);
                if (*end || threads < 1 || threads > 16) {
                    fprintf(stderr, "homeward match: --threads must be 1 to 16\n");
                    return 2;
                }
            }
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "homeward match: unknown option %s (see --help)\n", a);
            return 2;
        } else if (file) {
            fprintf(stderr, "homeward match: one input file only\n");
            return 2;
        } else {
            file = a;
        }
        continue;
    missing:
        fprintf(stderr, "homeward match: %s needs a value\n", a);
        return 2;
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    if (load(file, &t, &err) != 0) {
        fprintf(stderr, "homeward match: %s: %s\n", file, err);
        goto done;
    }
    if (!t.header_done) {
        fprintf(stderr, "homeward match: %s: empty file\n", file);
        goto done;
    }
    for (int c = 0; c < NCOLS; c++)
        if (t.want[c] && t.colidx[c] < 0) {
            fprintf(stderr, "homeward match: %s: no column named %s\n", file, t.want[c]);
            rc = 2;
            goto done;
        }
    if (t.colidx[C_GIVEN] < 0 && t.colidx[C_FAMILY] < 0) {
        fprintf(stderr, "homeward match: %s: no name columns found (use --given/--family)\n", file);
        rc = 2;
        goto done;
    }
    t_load = now();
    ctx = match_ctx_new();
    ix = ctx ? match_index_new(ctx) : NULL;
    if (!ix) {
        fprintf(stderr, "homeward match: cannot start the matcher (ICU or memory)\n");
        goto done;
    }
    {
        match_input_t *in = malloc((t.rows + 1) * sizeof *in);
        char (*num)[24] = malloc((t.rows + 1) * sizeof *num);
        int bad = !in || !num;

        for (size_t r = 0; !bad && r < t.rows; r++) {
            in[r] = (match_input_t){
                .id = cell(&t, r, C_ID), .given = cell(&t, r, C_GIVEN),
                .family = cell(&t, r, C_FAMILY), .patronymic = cell(&t, r, C_PATRONYMIC),
                .birth_date = cell(&t, r, C_BIRTH_DATE), .birth_place = cell(&t, r, C_BIRTH_PLACE),
                .sex = cell(&t, r, C_SEX)};
            if (!in[r].id) {
                snprintf(num[r], sizeof num[r], "%zu", r + 2); /* line number in the file */
                in[r].id = num[r];
            }
        }
        bad = bad || match_index_add_many(ix, in, t.rows, threads) != 0;
        free(in);
        free(num);
        if (bad) {
            fprintf(stderr, "homeward match: cannot normalise the rows (out of memory)\n");
            goto done;
        }
    }
    t_norm = now();
    if (match_index_build(ix, threads) != 0) {
        fprintf(stderr, "homeward match: out of memory while indexing\n");
        goto done;
    }
    t_index = now();
    pg.what = "compare";
    pg.last = -1;
    if (match_dedup(ix, threshold < 0.5 ? threshold : 0.5, threads, draw, &pg, &pairs, &npairs,
                    &st) != 0) {
        fprintf(stderr, "homeward match: out of memory while comparing\n");
        goto done;
    }
    t_dedup = now();
    cluster = malloc((t.rows + 1) * sizeof *cluster);
    if (!cluster || match_cluster(ix, pairs, npairs, threshold, cluster) != 0) {
        fprintf(stderr, "homeward match: out of memory while clustering\n");
        goto done;
    }
    t_cluster = now();
    {
        size_t *size = calloc(t.rows + 1, sizeof *size);

        if (!size)
            goto done;
        for (size_t r = 0; r < t.rows; r++)
            size[cluster[r]]++;
        for (size_t r = 0; r < t.rows; r++)
            if (size[r] > 1) {
                nclusters++;
                inmulti += size[r];
            }
        free(size);
    }
    if (pairs_out) {
        FILE *f = fopen(pairs_out, "w");
        buf_t ex = BUF_INIT;

        if (!f) {
            fprintf(stderr, "homeward match: %s: %s\n", pairs_out, strerror(errno));
            goto done;
        }
        fputs("id_l,id_r,weight,probability,explanation\n", f);
        for (size_t i = 0; i < npairs; i++) {
            match_hit_t h;
            const char *l = match_index_id(ix, pairs[i].a), *rr = match_index_id(ix, pairs[i].b);

            if (pairs[i].prob < threshold)
                continue;
            match_index_pair(ix, pairs[i].a, pairs[i].b, &h);
            ex.len = 0;
            match_explain(&h, &ex);
            csv_fwrite(f, l, strlen(l));
            fputc(',', f);
            csv_fwrite(f, rr, strlen(rr));
            fprintf(f, ",%.2f,%.4f,", pairs[i].weight, pairs[i].prob);
            csv_fwrite(f, buf_str(&ex), ex.len);
            fputc('\n', f);
        }
        buf_free(&ex);
        if (fclose(f) != 0) {
            fprintf(stderr, "homeward match: %s: %s\n", pairs_out, strerror(errno));
            goto done;
        }
    }
    if (clusters_out) {
        FILE *f = fopen(clusters_out, "w");

        if (!f) {
            fprintf(stderr, "homeward match: %s: %s\n", clusters_out, strerror(errno));
            goto done;
        }
        fputs("id,cluster\n", f);
        for (size_t r = 0; r < t.rows; r++) {
            const char *id = match_index_id(ix, r), *cid = match_index_id(ix, cluster[r]);

            csv_fwrite(f, id, strlen(id));
            fputc(',', f);
            csv_fwrite(f, cid, strlen(cid));
            fputc('\n', f);
        }
        if (fclose(f) != 0) {
            fprintf(stderr, "homeward match: %s: %s\n", clusters_out, strerror(errno));
            goto done;
        }
    }
    for (size_t i = 0; i < npairs; i++)
        above += pairs[i].prob >= threshold;
    if (!quiet) {
        fprintf(stderr,
                "%zu records; %zu candidate pairs compared; %zu pairs with probability >= %.2f; "
                "%zu clusters of 2 or more holding %zu records\n",
                t.rows, st.candidates, above, threshold, nclusters, inmulti);
        fprintf(stderr, "time: read %.2fs, normalise %.2fs, index and model %.2fs, compare %.2fs, "
                "cluster %.2fs, total %.2fs\n", t_load - t0, t_norm - t_load, t_index - t_norm,
                t_dedup - t_index, t_cluster - t_dedup, now() - t0);
    }
    if (t.colidx[C_TRUTH] >= 0) {
        evaluate(&t, ix, cluster, pairs, npairs, threshold);
        if (threshold > 0.5 && match_cluster(ix, pairs, npairs, 0.5, cluster) == 0)
            evaluate(&t, ix, cluster, pairs, npairs, 0.5); /* the "possible" band too */
    }
    rc = 0;
done:
    free(cluster);
    free(pairs);
    match_index_free(ix);
    match_ctx_free(ctx);
    table_free(&t);
    return rc;
}

typedef struct truthrow {
    const char *person; /* truth label */
    uint32_t row;       /* record number */
} truthrow_t;

static int by_person(const void *x, const void *y)
{
    const truthrow_t *a = x, *b = y;
    int c = strcmp(a->person, b->person);

    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static void evaluate(const table_t *t, const match_index_t *ix, const uint32_t *cluster,
                     const match_pair_t *pairs, size_t npairs, double threshold)
{
    truthrow_t *tr = malloc((t->rows + 1) * sizeof *tr);
    uint32_t *label = malloc((t->rows + 1) * sizeof *label);
    size_t true_pairs = 0, cand = 0, tp_pairs = 0, pred_pairs = 0, tp_cl = 0, pred_cl = 0;

    if (!tr || !label)
        goto done;
    for (size_t r = 0; r < t->rows; r++) {
        const char *p = cell(t, r, C_TRUTH);

        tr[r] = (truthrow_t){p ? p : "", (uint32_t)r};
    }
    qsort(tr, t->rows, sizeof *tr, by_person);
    for (size_t i = 0, j; i < t->rows; i = j) {
        for (j = i; j < t->rows && strcmp(tr[j].person, tr[i].person) == 0; j++)
            label[tr[j].row] = (uint32_t)i;
        if (!tr[i].person[0])
            continue;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++) {
                true_pairs++;
                cand += match_is_candidate(ix, tr[a].row, tr[b].row);
            }
    }
    /* Pair decisions: every scored pair at or above the threshold. */
    for (size_t i = 0; i < npairs; i++)
        if (pairs[i].prob >= threshold) {
            pred_pairs++;
            tp_pairs += label[pairs[i].a] == label[pairs[i].b] && tr[label[pairs[i].a]].person[0];
        }
    /* Clusters: every pair of records put in one cluster. */
    {
        truthrow_t *cl = malloc((t->rows + 1) * sizeof *cl);
        char (*names)[12] = malloc((t->rows + 1) * sizeof *names);

        if (cl && names) {
            for (size_t r = 0; r < t->rows; r++) {
                snprintf(names[r], sizeof names[r], "%u", cluster[r]);
                cl[r] = (truthrow_t){names[r], (uint32_t)r};
            }
            qsort(cl, t->rows, sizeof *cl, by_person);
            for (size_t i = 0, j; i < t->rows; i = j) {
                for (j = i; j < t->rows && strcmp(cl[j].person, cl[i].person) == 0; j++)
                    ;
                for (size_t a = i; a < j; a++)
                    for (size_t b = a + 1; b < j; b++) {
                        pred_cl++;
                        tp_cl += label[cl[a].row] == label[cl[b].row] &&
                                 tr[label[cl[a].row]].person[0];
                    }
            }
        }
        free(cl);
        free(names);
    }
    {
        double p1 = pred_pairs ? (double)tp_pairs / (double)pred_pairs : 0;
        double r1 = true_pairs ? (double)tp_pairs / (double)true_pairs : 0;
        double p2 = pred_cl ? (double)tp_cl / (double)pred_cl : 0;
        double r2 = true_pairs ? (double)tp_cl / (double)true_pairs : 0;

        fprintf(stderr, "truth: %zu true pairs; candidate recall %.4f\n", true_pairs,
                true_pairs ? (double)cand / (double)true_pairs : 0);
        fprintf(stderr, "at threshold %.2f:\n", threshold);
        fprintf(stderr, "pairs    (p >= %.2f): precision %.4f recall %.4f F1 %.4f\n", threshold,
                p1, r1, p1 + r1 > 0 ? 2 * p1 * r1 / (p1 + r1) : 0);
        fprintf(stderr, "clusters (p >= %.2f): precision %.4f recall %.4f F1 %.4f\n", threshold, p2, r2,
                p2 + r2 > 0 ? 2 * p2 * r2 / (p2 + r2) : 0);
    }
done:
    free(tr);
    free(label);
}

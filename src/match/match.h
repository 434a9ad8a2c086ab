/*
 * match.h - the person-matching engine: one person written in Armenian,
 * Russian and several Latin spellings is found as one.
 *
 * Pipeline: normalise each name (NFKC + case fold, ICU transliteration of
 * Armenian and Cyrillic with corrections, folding of romanisation
 * differences, patronymic reduction) -> blocking keys in both name
 * orientations -> field comparators -> Fellegi-Sunter weights whose m are
 * estimated by EM per training rule and whose u come from random pairs,
 * with term-frequency adjustment for names -> clustering that checks each
 * merge against the whole cluster.
 *
 * Typical use in the registry (the lead wires this):
 *
 *   match_ctx_t *ctx = match_ctx_new();               // once per process
 *   match_index_t *ix = match_index_new(ctx);
 *   for each stored person: match_index_add(ix, &in);  // in: match_input_t
 *   match_index_build(ix, 2);                          // keys, TF, EM
 *   match_searcher_t *s = match_searcher_new(ix);      // one per thread
 *
 *   // likely duplicates of a new or edited person:
 *   match_hit_t hits[10]; int n = match_query(s, &in, 10, 0.5, hits);
 *   // name search typed in any script ("Оганесян Арам", "ovanesian a"):
 *   n = match_search(s, "Оганесян Арам", 20, hits);
 *   // then add the new person so later queries see it:
 *   long r = match_index_add(ix, &in);   // visible at once (a small tail)
 *   // an edit: match_index_remove(ix, r_old); r = match_index_add(ix, &in);
 *   // now and then (match_index_pending(ix) > 4096): match_index_build(ix, 2);
 *
 * Review queue: match_dedup(ix, 0.5, 2, ...) returns every pair at or above
 * 0.5; store those not yet decided (a rejected pair is filtered by the stored
 * decision, so it is never proposed again) and explain each with
 * match_index_pair() + match_explain() or the fields of match_hit_t.
 * Probabilities: >= 0.9 "likely the same person" (pair precision about 0.97
 * on the generated benchmark), 0.5-0.9 "possible" (worth a reviewer's look).
 * Hit ids point into the index and stay valid until match_index_free().
 *
 * Threads: the index is read-only after match_index_build(); queries from
 * several threads are safe, each with its own searcher. match_index_add()
 * and match_index_build() need exclusive access (hold a write lock).
 */
#ifndef HW_MATCH_H
#define HW_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- Records ------------------------------------------------------------ */

/* One person as recorded. Every string is UTF-8 in any script; NULL or ""
 * means unknown. Nothing is kept by reference: the index copies what it
 * needs (folded forms and the id). */
typedef struct match_input {
    const char *id;          /* caller's identifier (UUID, CSV id) */
    const char *given;       /* given name(s); "A." initials allowed */
    const char *family;      /* family name */
    const char *patronymic;  /* father's name or a patronymic form */
    const char *birth_date;  /* 1965-05-12, 1965-05, 1965, 1965~, 12.05.1965, 05/12/1965 */
    const char *birth_place; /* settlement, any language */
    const char *sex;         /* m/f, male/female, м/ж, ար/իգ */
} match_input_t;

/* Compared fields, in the order of match_hit_t.fields. */
enum match_field {
    MATCH_F_FAMILY, MATCH_F_GIVEN, MATCH_F_FATHER, MATCH_F_BIRTH, MATCH_F_SEX, MATCH_F_PLACE,
    MATCH_NFIELDS
};

/* ---- Shared tables -------------------------------------------------------- */

/* Read-only tables shared by all threads: given-name equivalences (from
 * the embedded names.tsv plus a built-in cross-language list) and the
 * gazetteer's place aliases (embedded gazetteer.tsv). Returns NULL on
 * allocation failure; missing or empty data files are not an error. */
typedef struct match_ctx match_ctx_t;
match_ctx_t *match_ctx_new(void);
void match_ctx_free(match_ctx_t *ctx);
/* Settlement id for a place name in any language, or -1 (uses a private
 * normaliser: not thread-safe; for tests and tools). */
long match_ctx_place_id(const match_ctx_t *ctx, const char *name);

/* ---- Normalisation (per thread: holds ICU transliterators) --------------- */

typedef struct match_norm match_norm_t;
match_norm_t *match_norm_new(void);
void match_norm_free(match_norm_t *nz);

#define MATCH_KEYLEN 24 /* folded name forms are cut to 23 bytes */

/* Latin form of a name in any script: NFKC + case fold, Armenian (BGN with
 * ICU 72's faults corrected) or Cyrillic (BGN) to Latin, then ASCII, lower
 * case, words separated by one space. Appends to out; 0 or -1. */
int match_latin(match_norm_t *nz, const char *s, buf_t *out);
/* Fold one lower-case ASCII word into its matching form (romanisation
 * differences removed, "-yan/-ian/-yants" kept as "ian"). out has cap
 * bytes. Pure function: no tables, thread-safe. */
void match_fold_word(const char *word, char *out, size_t cap);
/* One letter as match_fold_word folds it alone (g, q, x, h -> k; b -> p;
 * d -> t; y -> i; w -> v; j -> c; others unchanged). */
char match_fold_letter(char c);
/* Reduce a patronymic word (lower-case ASCII) to the father's name:
 * gevorkovich, gevorkovna, gevorgi -> gevork/gevorg. In place. */
void match_strip_patronymic(char *word);
/* Full normalisation of a name field: match_latin, then each word folded
 * (patronymic reduction when is_patronymic), words joined by spaces. */
int match_norm_name(match_norm_t *nz, const char *s, int is_patronymic, char *out, size_t cap);

/* ---- Comparators (pure functions) ---------------------------------------- */

/* Jaro-Winkler similarity 0..1 (prefix scale 0.1, up to 4 characters). */
double match_jaro_winkler(const char *a, const char *b);
/* Optimal-string-alignment Damerau-Levenshtein distance (bytes). */
int match_damerau(const char *a, const char *b);
/* Token-set similarity of two space-separated word lists: each word of the
 * shorter list takes its best Jaro-Winkler partner; mean of those. */
double match_token_set(const char *a, const char *b);

/* A birth date as known: year 0 = unknown; month/day 0 = unknown. */
typedef struct match_date {
    int16_t year;
    int8_t  month;
    int8_t  day;
} match_date_t;
/* Parse the formats of match_input_t.birth_date; unknown on failure. */
void match_parse_date(const char *s, match_date_t *d);
/* Date comparison levels (MATCH_DATE_MISSING when either is unknown),
 * strongest first. Agreement counts only to the precision both dates have:
 * 1965-05 against 1965-05-12 agrees to the month (YEAR_MONTH), while
 * 1965-05-20 against 1965-05-12 agrees to the month and disagrees on the
 * day (OTHER_DAY: one mistyped day, or two people born in one month), and
 * 1965-06-12 against it disagrees on the month (PARTIAL), which is weak
 * evidence.
 *   EXACT        full dates equal
 *   ONE_YEAR_DM  full dates, day and month equal, years one apart
 *   SWAPPED      full dates, day and month exchanged
 *   YEAR_MONTH   year and month equal, a day unknown
 *   YEAR         year equal, a month unknown
 *   OTHER_DAY    full dates, year and month equal, days different
 *   PARTIAL      year equal, months known on both sides and different
 *   ONE_YEAR     years one apart
 *   DIFFERENT    years further apart */
enum match_date_level {
    MATCH_DATE_EXACT, MATCH_DATE_ONE_YEAR_DM, MATCH_DATE_SWAPPED, MATCH_DATE_YEAR_MONTH,
    MATCH_DATE_YEAR, MATCH_DATE_OTHER_DAY, MATCH_DATE_PARTIAL, MATCH_DATE_ONE_YEAR, MATCH_DATE_DIFFERENT,
    MATCH_DATE_MISSING
};
int match_compare_dates(const match_date_t *a, const match_date_t *b);
/* 'm', 'f' or 0 from the usual ways of writing sex in the four languages. */
char match_parse_sex(const char *s);

/* ---- The index ----------------------------------------------------------- */

typedef struct match_index match_index_t;

/* A new, empty index using ctx's tables (ctx must outlive it). */
match_index_t *match_index_new(const match_ctx_t *ctx);
void match_index_free(match_index_t *ix);
/* Normalise and add a record. Returns its record number (0, 1, ...) or -1.
 * Before the first build, records are only stored; after it, they are
 * also searchable at once through a linear tail until the next build. */
long match_index_add(match_index_t *ix, const match_input_t *in);
/* Add n records at once, normalising them with threads threads (the
 * batch path for large files). Record numbers continue from
 * match_index_size(). 0, or -1 with no record added. */
int match_index_add_many(match_index_t *ix, const match_input_t *in, size_t n, int threads);
/* Number of records. */
size_t match_index_size(const match_index_t *ix);
/* Take record r out of every later query, search and dedup (its number
 * and id stay; numbers are never reused). An edited person is removed and
 * added again. Needs exclusive access like match_index_add. 0 or -1. */
int match_index_remove(match_index_t *ix, size_t r);
/* Records added since the last build (searched linearly): rebuild when
 * this passes a few thousand, e.g. from a background job. */
size_t match_index_pending(const match_index_t *ix);
/* Id of record r (owned by the index). */
const char *match_index_id(const match_index_t *ix, size_t r);
/* Build the blocking index, name frequencies, and estimate the model (u
 * from random pairs, m by EM per training rule) unless one was set with
 * match_index_set_model. threads >= 1. 0 or -1. */
int match_index_build(match_index_t *ix, int threads);

/* Per-field explanation of one comparison. */
typedef struct match_field_expl {
    const char *field;  /* "family", "given", "father", "birth", "sex", "place" */
    const char *level;  /* "exact", "close", "initial", "swapped", "year", ...,
                           "different", "missing" */
    double weight;      /* log2 Bayes factor this field adds (0 when missing) */
} match_field_expl_t;

/* One scored pair (a query's candidate, or two indexed records). */
typedef struct match_hit {
    size_t rec;                                  /* record number in the index */
    const char *id;                              /* its id (owned by the index) */
    double weight;                               /* total match weight (log2) */
    double prob;                                 /* posterior match probability */
    int swapped;                                 /* given/family read swapped */
    match_field_expl_t fields[MATCH_NFIELDS];    /* why */
} match_hit_t;

/* Explanation as one line: "family=exact(+9.1) given=close(+3.0) ...". */
void match_explain(const match_hit_t *h, buf_t *out);
/* Score two indexed records against each other. 0 or -1. */
int match_index_pair(const match_index_t *ix, size_t a, size_t b, match_hit_t *out);

/* ---- Queries (one searcher per thread) ----------------------------------- */

typedef struct match_searcher match_searcher_t;
match_searcher_t *match_searcher_new(const match_index_t *ix);
void match_searcher_free(match_searcher_t *s);
/* Likely duplicates of a person: candidates through the blocking keys,
 * scored, those with probability >= min_prob, best first, at most k into
 * hits. Returns the number written, or -1. */
int match_query(match_searcher_t *s, const match_input_t *in, int k, double min_prob,
                match_hit_t *hits);
/* Name search: free text in any script and order ("Aram Hovhannisyan",
 * "ОГАНЕСЯН А."); the words are tried as family and given names both
 * ways. Best first, at most k. Returns the number written, or -1. */
int match_search(match_searcher_t *s, const char *text, int k, match_hit_t *hits);

/* ---- Batch deduplication ------------------------------------------------- */

/* A scored candidate pair of records a < b. */
typedef struct match_pair {
    uint32_t a, b;  /* record numbers */
    float weight;   /* match weight */
    float prob;     /* probability */
} match_pair_t;

/* Counters of a dedup run. */
typedef struct match_stats {
    size_t records;       /* records compared */
    size_t candidates;    /* distinct candidate pairs scored */
    size_t kept;          /* pairs with prob >= min_prob */
    size_t capped_blocks; /* oversize blocks skipped */
    double lambda;        /* estimated prior probability of a match */
} match_stats_t;

/* Called now and then with the records done so far (from one thread). */
typedef void (*match_progress_fn)(void *arg, size_t done, size_t total);

/* Score every candidate pair of the built index with threads threads and
 * return, in *pairs (caller frees), those with probability >= min_prob,
 * sorted by weight, best first. 0 or -1. */
int match_dedup(match_index_t *ix, double min_prob, int threads, match_progress_fn progress,
                void *arg, match_pair_t **pairs, size_t *npairs, match_stats_t *st);
/* 1 when records a and b share a blocking key (either orientation). */
int match_is_candidate(const match_index_t *ix, size_t a, size_t b);

/* Clusters from pairs (sorted best first, as match_dedup gives them): a
 * pair with probability >= threshold merges its two clusters only if no
 * cross pair of the two clusters is a strong contradiction (in total, or
 * in more than one field), so that two different people are not chained
 * through one weak link, and the two clusters' profiles (each field from
 * the member that knows it) or else the mean weight over every cross
 * pair, at the prior, also reach threshold. cluster[] (one per record)
 * receives the smallest record number of each cluster.
 * 0 or -1. */
int match_cluster(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                  double threshold, uint32_t *cluster);

/* ---- Model --------------------------------------------------------------- */

#define MATCH_MAXLEVELS 9

/* Fellegi-Sunter parameters. Levels per field are listed in match.c. */
typedef struct match_model {
    double m[MATCH_NFIELDS][MATCH_MAXLEVELS]; /* P(level | same person) */
    double u[MATCH_NFIELDS][MATCH_MAXLEVELS]; /* P(level | different people) */
    int nlevels[MATCH_NFIELDS];               /* levels used per field */
    double lambda;                            /* prior P(match) of a random pair */
    int em_iterations;                        /* EM iterations run (sum over rules) */
} match_model_t;

/* The model in use (after build). */
const match_model_t *match_index_model(const match_index_t *ix);
/* Use this model instead of estimating one at build (tests, a saved one). */
void match_index_set_model(match_index_t *ix, const match_model_t *m);

/* EM with u fixed: given pattern counts (each pattern one level per field,
 * -1 missing) estimate m for the fields in mask and lambda. For tests and
 * for match_index_build. Returns iterations run, or -1. */
int match_em(const int8_t (*patterns)[MATCH_NFIELDS], const double *counts, size_t npat,
             unsigned mask, match_model_t *model, double *lambda, int max_iter);

#endif

/*
 * index.c - records, blocking keys, Fellegi-Sunter scoring, model
 * estimation, queries and batch deduplication (see match.h).
 *
 * Comparison levels per field (index into match_model_t.m/u):
 *   family  0 exact  1 close (JW >= 0.94)  2 similar (JW >= 0.85)  3 different
 *   given   0 exact or equivalent  1 close (JW >= 0.92)  2 similar (one typo:
 *           Damerau-Levenshtein <= 1 on the folded forms)  3 initial  4 different
 *   father  0 exact or equivalent  1 close (JW >= 0.90)  2 initial  3 different
 *   birth   enum match_date_level (0 exact .. 8 different)
 *   sex     0 same  1 different
 *   place   0 same settlement or spelling  1 close (JW >= 0.88)  2 different
 * A missing value on either side gives no level and weight 0. Two names
 * the tables know as different names (Armen, Aren) are "different" however
 * alike they are: close and similar are for spellings and typos.
 *
 * Blocking: each record gets keys under the rules of enum rule (coarse
 * name codes: first letter then consonants, with the year, day and month,
 * father, place or the other name's first letter; the full date alone; the
 * first letters of both names with the place), in both orientations of
 * given and family name; keys of typo-prone family names also come with
 * one letter deleted. Postings are sorted by key (radix sort) and found
 * through an open-addressing table; a pair shares a key when one record's
 * key as written equals the other's as written or swapped. A record whose
 * date has no day also probes the year rules one year off. Blocks larger
 * than BLOCK_CAP are skipped in batch deduplication (the other keys still
 * meet such pairs), which keeps candidates near-linear in the records;
 * a record without a date, which few keys can place, probes the name rules'
 * blocks up to NODATE_CAP (see match_is_candidate for the exact rule).
 */
#include "match.h"
#include "match_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One normalised record. Strings are folded forms (match_fold_word). */
typedef struct mrec {
    char fam[MATCH_KEYLEN];   /* family name, words joined */
    char giv[MATCH_KEYLEN];   /* first given name */
    char fat[MATCH_KEYLEN];   /* father's name (patronymic reduced) */
    char place[MATCH_KEYLEN]; /* birth place, folded */
    uint32_t hfam, hgiv, hfat, hplace; /* exact-agreement hashes, 0 = missing;
                                          given/father by equivalence group */
    uint32_t bfam, bgiv, bfat;         /* coarse blocking codes, 0 = missing */
    uint32_t tfam, tgiv;               /* name-frequency keys: one name has one key
                                          in either slot (a swapped record counts
                                          its given name as a given name) */
    int32_t place_id;                  /* gazetteer group or -1 */
    char ginit;                        /* first letter of the given name as written in Latin */
    uint32_t gfirst;                   /* letters its group's forms begin with (match_ctx given_first,
                                          widened by first_letters), bit c - 'a'; 0: no group */
    uint64_t sfam, sgiv, sfat, splace; /* 64-bit string hashes: equality, similarity cache */
    uint8_t grp;                       /* G_* bits: h* holds an equivalence group */
    uint8_t removed;                   /* match_index_remove(): never a candidate */
    match_date_t date;                 /* birth date as known */
    char sex;                          /* 'm', 'f' or 0 */
    uint32_t nfam;                     /* records with this family name at build (counted()),
                                          0 before */
    float wfat, wplace;                /* value_weight of the father's name and the
                                          birthplace, set at build; -1: not yet */
} mrec_t;

/* The fields of a record that decide most candidate pairs without
 * comparing names, packed apart so that rejecting a pair costs one cache
 * line. */
typedef struct mhot {
    uint32_t hfat, hplace; /* as in mrec_t */
    int32_t place_id;      /* as in mrec_t */
    match_date_t date;     /* as in mrec_t */
    char sex;              /* as in mrec_t */
    uint8_t removed;       /* as in mrec_t */
    uint16_t ffam, fgiv;   /* 16-bit fingerprints of hfam, hgiv (0: missing) */
    uint16_t ftfam, ftgiv; /* and of tfam, tgiv: equal names have equal ones,
                              which is all the bound on the names needs */
    uint8_t qfat, qplace;  /* weights of agreeing on this father's name and this
                              birthplace (value_weight), in eighths of a bit
                              rounded up: bounds for dedup */
} mhot_t;

#define G_FAM 1
#define G_GIV 2
#define G_FAT 4
#define G_TFAM 8  /* tfam is an equivalence group's key */
#define G_TGIV 16 /* tgiv is an equivalence group's key */

/* A blocking key of one record in one orientation. */
typedef struct entry {
    uint64_t key;     /* rule and values, hashed; never 0 */
    uint32_t rec;     /* record number */
    uint32_t swapped; /* 1 when built with given and family exchanged */
} entry_t;

/* Hash slot: where the run of one key's entries is in the postings. The
 * key itself is not kept: its low bits chose the slot (linear probing) and
 * its high 32 bits are the tag, so that a slot costs 8 bytes, not 16 (with
 * 100,000 persons the slots were 64 MiB, a third of the server's memory).
 * Two keys alike in all those bits would share a run: more candidates for
 * one probe, each still scored on its own. */
typedef struct slot {
    uint32_t tag;   /* key >> 32, never 0; 0 = empty */
    uint32_t start; /* in the postings: the run's length, then its entries */
} slot_t;

/* The entries of one key. */
typedef struct run {
    const uint32_t *e; /* NULL: no such key */
    uint32_t len;
} run_t;

static uint32_t slot_tag(uint64_t key)
{
    uint32_t t = (uint32_t)(key >> 32);

    return t ? t : 1;
}

/* Counts of a 32-bit value (name frequencies). */
typedef struct tftab {
    uint32_t *keys;   /* 0 = empty */
    uint32_t *counts; /* per slot */
    size_t cap;       /* power of two */
} tftab_t;

enum rule {
    R_FAM_YEAR, R_FAM_DM, R_GIV_FAM, R_FAM_FAT, R_GIV_FAT, R_FAM_PLACE,
    R_GIV_YEAR_F1, /* given, year and the family name's first letter: typos in family */
    R_FAMDEL_YEAR, /* family code with one letter deleted, year, given's first letter */
    R_FAM_YEAR0,   /* family and year alone: the given name differs from its first letter */
    R_GIV_DM,      /* given, day and month: a typo in the family and the year off by one */
    R_DATE,        /* the full birth date alone: any difference in the names */
    R_INIT_PLACE,  /* the first letters of both names and the birthplace: typos
                      in both names, the date missing or wrong */
    /* Probed in dedup only from records without a birth year (all records
     * are indexed): without a date the keys above fail, and these blocks
     * are too large to probe from every record. */
    R_GIV_FAMDEL,  /* given and the family code with one letter deleted (typos) */
    R_FAM_G1,      /* family and the given name's first letter (initials) */
    R_FAM0,        /* family alone: an initial that is not the name's first letter */
    R_FAM_ONLY,    /* search only */
    NRULES
};
#define NBLOCK R_FAM_ONLY     /* rules used for duplicates: those before it */
#define NODATE_RULE(r) ((r) == R_GIV_FAMDEL || (r) == R_FAM_G1 || (r) == R_FAM0)
/* Rules with the birth year in the key. A record whose date lacks the day
 * also probes them with the year one off (a year-only 1971 may be a
 * 1972-03-05 elsewhere); two full dates one year apart meet through the
 * day-and-month rules instead. */
#define YEAR_RULE(r) ((r) == R_FAM_YEAR || (r) == R_GIV_YEAR_F1 || (r) == R_FAMDEL_YEAR)
#define BLOCK_CAP 300         /* larger blocks are skipped in dedup */
/* The cap per rule: twice as large for initials and place, whose blocks
 * are many and even (no common name makes one huge). */
#define RULE_CAP(r) ((r) == R_INIT_PLACE ? 2 * BLOCK_CAP : BLOCK_CAP)
/* A record without a birth date probes the blocks of the name rules up to
 * NODATE_CAP: such records are few, and hold too little to meet their
 * duplicates through smaller blocks. */
#define NODATE_CAP 3000
#define NODATE_WIDE(r) ((r) == R_GIV_FAM || (r) == R_FAM_FAT || (r) == R_GIV_FAT ||       \
                        (r) == R_FAM_PLACE || NODATE_RULE(r))

#define SEARCH_CAP 200000     /* and in name search */

#define FAM_BANDS 4 /* family-name frequency bands: < 64, < 512, < 4096, more records */
#define FAMILY_DEPENDS (1u << MATCH_F_FATHER | 1u << MATCH_F_BIRTH | 1u << MATCH_F_PLACE) /* a bit per field */
#define FAMILY_DEPENDENT(f) (FAMILY_DEPENDS >> (f) & 1)

struct match_index {
    const match_ctx_t *ctx;         /* tables (not owned) */
    match_norm_t *nz;               /* normaliser for match_index_add */
    mrec_t *recs;                   /* records */
    mhot_t *hot;                    /* their hot fields (built records only) */
    char **ids;                     /* their ids (owned) */
    size_t n, cap;                  /* records, allocated */
    size_t nbuilt;                  /* records covered by postings */
    uint32_t *post;                 /* postings grouped by key: record number,
                                       top bit set for a swapped-orientation key */
    size_t npost;                   /* entries */
    slot_t *slots;                  /* key -> run of postings */
    size_t nslots;                  /* power of two */
    tftab_t tf_name;                /* name frequencies by tfam/tgiv key */
    size_t tf_n;                    /* records counted in it */
    tftab_t tf_val[MATCH_NFIELDS];  /* father's name (by hfat) and birthplace (by
                                       hplace) frequencies; other fields unused */
    size_t tf_val_n[MATCH_NFIELDS]; /* records with the field counted in them */
    match_model_t model;            /* parameters in use */
    int model_set;                  /* set by caller: do not estimate */
    double w[MATCH_NFIELDS][MATCH_MAXLEVELS]; /* log2(m/u) */
    double log2m[MATCH_NFIELDS][MATCH_MAXLEVELS];
    double prior;                   /* log2(lambda / (1 - lambda)) */
    /* Relatives: two different people of one family name share father,
     * birthplace and a span of birth years far more often than two
     * random people do, and the rarer the name, the likelier they are
     * brothers and sisters. So when the family names agree and the given
     * names do not, father, birth and place weigh by u measured on such
     * pairs, per band of the name's frequency (FAM_BANDS). */
    double ucond[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS];
    int ucond_ok[FAM_BANDS];        /* the band had enough pairs */
    double wcond[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS]; /* log2(m/ucond) */
    /* Brothers and sisters: among those relatives, the pairs that also
     * share the father's name are mostly one family, born in one place
     * within a few years. Father, birth and place are not independent
     * there: counted apart, each at its rate among all relatives, a shared
     * father, a shared birthplace and a shared year added up to a certain
     * match for two siblings. So when the father's names agree as well,
     * birth and place weigh by u measured on such pairs. */
    double usib[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS];
    int usib_ok[FAM_BANDS];         /* the band had enough such pairs */
    double wsib[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS]; /* log2(m/usib) */
    double wmaxsib[MATCH_NFIELDS][MATCH_MAXLEVELS]; /* larger of wmax and every wsib: the
                                                       bounds of pairs of one father */
    double wmax[MATCH_NFIELDS][MATCH_MAXLEVELS]; /* larger of w and every wcond
                                                    (for the bounds in dedup) */
    /* Initials: "Z." fits few given names and "A." many (Aram, Armen,
     * Arsen, Anahit...), so an initial that fits weighs by how many full
     * given names begin with its letter, as names weigh by frequency. */
    uint32_t init_count[256];       /* full given names by first letter as written */
    uint32_t init_minc[256];        /* the count of the rarest of those names */
    double winit[256];              /* weight of an initial of this letter that fits */
    /* Records added after the build, found through their keys like built
     * ones: a chained hash of (key -> record), rebuilt into the postings at
     * the next build. */
    struct tailent {
        uint64_t key;
        uint32_t rec;               /* record number, top bit: swapped key */
        uint32_t next;              /* next entry in the chain, or 0 */
    } *tail;                        /* entry 0 unused (0 ends a chain) */
    size_t ntail, captail;
    uint32_t *tailhead;             /* chain heads, TAIL_SLOTS of them */
};

#define TAIL_SLOTS 65536

static const char *field_names[MATCH_NFIELDS] = {"family", "given", "father", "birth", "sex", "place"};
static const char *level_names[MATCH_NFIELDS][MATCH_MAXLEVELS] = {
    {"exact", "close", "similar", "different"},
    {"exact", "close", "similar", "initial", "different"},
    {"exact", "close", "initial", "different"},
    {"exact", "one-year-apart-same-day", "day-month-swapped", "year-month", "year",
     "year-month-other-day", "same-year-only", "one-year-apart", "different"},
    {"same", "different"},
    {"same", "close", "different"},
};
static const int nlevels[MATCH_NFIELDS] = {4, 5, 4, 9, 2, 3};
/* Given-name levels by meaning (the other name fields have no "similar":
 * initial is their level 2). */
#define GIV_SIMILAR 2
#define GIV_INITIAL 3
#define GIV_DIFFERENT 4

/* Defaults, used for small indexes (too few records to estimate) and as
 * EM's starting point. */
static const double default_m[MATCH_NFIELDS][MATCH_MAXLEVELS] = {
    {0.86, 0.09, 0.04, 0.01},
    {0.84, 0.05, 0.03, 0.06, 0.02},
    {0.95, 0.035, 0.005, 0.01},
    {0.50, 0.02, 0.005, 0.16, 0.25, 0.015, 0.005, 0.035, 0.01},
    {0.97, 0.03},
    {0.95, 0.03, 0.02},
};
static const double default_u[MATCH_NFIELDS][MATCH_MAXLEVELS] = {
    {0.005, 0.004, 0.02, 0.971},
    {0.02, 0.01, 0.01, 0.005, 0.955},
    {0.02, 0.01, 0.005, 0.965},
    {0.00004, 0.00008, 0.00004, 0.0008, 0.012, 0.0006, 0.0104, 0.025, 0.95104},
    {0.5, 0.5},
    {0.02, 0.01, 0.97},
};

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* 64-bit FNV-1a, never 0. */
static uint64_t hash64(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ? h : 1;
}

/* 16-bit fingerprint of a 32-bit name hash; 0 only for a missing name. */
static uint16_t fp16(uint32_t h)
{
    uint16_t f = (uint16_t)(h ^ (h >> 16));

    return h && !f ? 1 : f;
}

/* 1: exact agreement, the same equivalence group or the same spelling (by
 * 64-bit hash: the 32-bit ones may collide in a million names). -1: two
 * names of the tables' different groups, Armen and Aren, Lilit and Lilya,
 * Susanna and Susan: other names, however alike their letters, not one name
 * misspelt, so never "close" or "similar". Brothers and sisters get such
 * names; taken as typos they made pairs of siblings with one father, place
 * and surname look like one person (1,000,000 records: clusters F1 0.943
 * -> 0.946, precision and recall both up). 0: anything else. */
static int same_name(uint32_t ha, uint32_t hb, int ga, int gb, uint64_t sa, uint64_t sb)
{
    if (ha != hb)
        return ga && gb ? -1 : 0;
    return (ga && gb) || (!ga && !gb && sa == sb);
}

#define SIBLING_DEPENDS (1u << MATCH_F_BIRTH | 1u << MATCH_F_PLACE) /* a bit per field */

/* ---- Records -------------------------------------------------------------- */

/* Coarse blocking code of a folded word into c (MATCH_KEYLEN bytes): first
 * letter, then consonants, the "ian" ending left out; a leading k-class
 * letter is dropped, as kh/x/h/g/gh all begin the same names in one
 * source or another (Khachatryan, Hachatrian, Xacatryan). */
static size_t coarse_str(const char *w, char *c, int family)
{
    size_t n = strlen(w), k = 0, i = 0;
    int suffix = 0;

    if (!n)
        return 0;
    if (n > 4 && strcmp(w + n - 3, "ian") == 0) {
        n -= 3;
        suffix = 1;
    }
    if (n > 2 && w[0] == 'k' && strchr("aeiou", w[1]))
        i = 1;
    c[k++] = w[i++];
    for (; i < n && k < MATCH_KEYLEN - 1; i++) {
        char x = w[i];

        if (x == 'a' || x == 'e' || x == 'i' || x == 'o' || x == 'u')
            continue;
        if (c[k - 1] != x)
            c[k++] = x;
    }
    /* A family name ending in n without -ian is nearly always a -yan
     * mistyped (Avagan, Tovmasan, Nersisain): code it as the stem. */
    if (family && !suffix && k > 2 && c[k - 1] == 'n')
        k--;
    c[k] = 0;
    return k;
}

static uint32_t coarse(const char *w, int family)
{
    char c[MATCH_KEYLEN];

    if (!coarse_str(w, c, family))
        return 0;
    return match_hash32(c);
}

/* First word of s into out. */
static void first_word(const char *s, char *out, size_t cap)
{
    size_t k = 0;

    while (*s && *s != ' ' && k + 1 < cap)
        out[k++] = *s++;
    out[k] = 0;
}

/* Words of s joined without spaces into out. */
static void joined(const char *s, char *out, size_t cap)
{
    size_t k = 0;

    for (; *s && k + 1 < cap; s++)
        if (*s != ' ')
            out[k++] = *s;
    out[k] = 0;
}

/* Hash of a given-type name: its equivalence group when it has one (then
 * *group is the group's number, else -1). */
static uint32_t given_hash(const match_ctx_t *ctx, const char *w, uint32_t *block, int32_t *group)
{
    int32_t g;

    *group = -1;
    if (!w[0]) {
        *block = 0;
        return 0;
    }
    g = match_strmap_get(&ctx->given, w);
    if (g >= 0) {
        *group = g;
        /* Exact agreement by group; blocking by the group's canonical
         * form, which spellings outside the table usually share. */
        *block = coarse(ctx->given_canon[g], 0);
        return (uint32_t)mix64((uint64_t)g + 77) | 1;
    }
    *block = coarse(w, 0);
    return match_hash32(w);
}

/* Key of a folded name whichever slot it was written in (for name
 * frequencies, and for agreement when given and family are read swapped):
 * its given-name group, else its family-name group, else its spelling.
 * *group is set when it is a group's key. */
static uint32_t name_key(const match_ctx_t *ctx, const char *w, int *group)
{
    int32_t g;

    *group = 0;
    if (!w[0])
        return 0;
    *group = 1;
    if ((g = match_strmap_get(&ctx->given, w)) >= 0)
        return (uint32_t)mix64((uint64_t)g + 77) | 1;
    if ((g = match_strmap_get(&ctx->family, w)) >= 0)
        return (uint32_t)mix64((uint64_t)g + 4099) | 1;
    *group = 0;
    return match_hash32(w);
}

/* Letters one name's forms begin with in other scripts and systems
 * besides those the tables list: Western Armenian's devoiced G/K, B/P,
 * D/T (Kevork), Azerbaijani Latin's Q for G and C for J, X for Kh. */
static uint32_t first_letters(uint32_t m)
{
    static const char *alt[] = {"gkq", "bp", "dt", "jc", "kx", NULL};
    uint32_t out = m;

    for (int i = 0; alt[i]; i++) {
        uint32_t cls = 0;

        for (const char *c = alt[i]; *c; c++)
            cls |= 1u << (*c - 'a');
        if (m & cls)
            out |= cls;
    }
    return out;
}

/* The father's name in patronymic s, folded, into out (MATCH_KEYLEN):
 * match_norm_name's reduction, unless that is no given name the tables
 * know and another cut of the same word is. The endings alone cannot tell
 * Kamo-vich from Gamlet-ovich, Yury-evich from Igor-evich, Zhora-yi from
 * Gevorg-i, or the name Mkrtich from Mkrt-ich; the names can: Kamovich is
 * Kamo's son, Yurevich and Valeryevich Yuri's and Valeri's, Zhorayi
 * Zhora's, and a plain Mkrtich is Mkrtich. */
static int father_name(const match_ctx_t *ctx, match_norm_t *nz, const char *s, char *out)
{
    const char *const *endings = match_patronymic_endings;
    char tmp[MATCH_KEYLEN * 3], w[64], cand[72], f[MATCH_KEYLEN * 2];
    buf_t lat = BUF_INIT;
    size_t n = 0;

    if (match_norm_name(nz, s, 1, tmp, sizeof tmp) != 0)
        return -1;
    first_word(tmp, out, MATCH_KEYLEN);
    if (!out[0] || match_strmap_get(&ctx->given, out) >= 0)
        return 0;
    if (match_latin(nz, s, &lat) != 0) {
        buf_free(&lat);
        return -1;
    }
    for (const char *p = buf_str(&lat); *p && *p != ' ' && n + 1 < sizeof w; p++)
        w[n++] = *p;
    w[n] = 0;
    buf_free(&lat);
    /* Cuts to try: none (Mkrtich is a name, not Mkrt-ich); each ending w
     * has, dropped whole or but its first letter, with or without an -i; or
     * the genitive's -i or -yi. */
    match_fold_word(w, f, sizeof f);
    if (f[0] && match_strmap_get(&ctx->given, f) >= 0)
        goto found;
    for (int j = 0; endings[j]; j++) {
        size_t l = strlen(endings[j]);

        if (n < l + 3 || strcmp(w + n - l, endings[j]))
            continue;
        for (int keep = 0; keep < 2; keep++)
            for (int addi = 0; addi < 2; addi++) {
                snprintf(cand, sizeof cand, "%.*s%s", (int)(n - l + (size_t)keep), w, addi ? "i" : "");
                match_fold_word(cand, f, sizeof f);
                if (f[0] && match_strmap_get(&ctx->given, f) >= 0)
                    goto found;
            }
    }
    if (n >= 4 && w[n - 1] == 'i')
        for (size_t cut = 1; cut < 3; cut++) {
            if (cut == 2 && w[n - 2] != 'y')
                break;
            snprintf(cand, sizeof cand, "%.*s", (int)(n - cut), w);
            match_fold_word(cand, f, sizeof f);
            if (f[0] && match_strmap_get(&ctx->given, f) >= 0)
                goto found;
        }
    return 0;
found:
    first_word(f, out, MATCH_KEYLEN);
    return 0;
}

static int rec_from_input(const match_ctx_t *ctx, match_norm_t *nz, const match_input_t *in,
                          mrec_t *r)
{
    char tmp[MATCH_KEYLEN * 3];

    memset(r, 0, sizeof *r);
    r->place_id = -1;
    r->wfat = r->wplace = -1;
    if (match_norm_name(nz, in->family, 0, tmp, sizeof tmp) != 0)
        return -1;
    joined(tmp, r->fam, sizeof r->fam);
    if (match_norm_name(nz, in->given, 0, tmp, sizeof tmp) != 0)
        return -1;
    first_word(tmp, r->giv, sizeof r->giv);
    {
        buf_t lat = BUF_INIT;

        if (in->given && match_latin(nz, in->given, &lat) != 0) {
            buf_free(&lat);
            return -1;
        }
        r->ginit = buf_str(&lat)[0];
        buf_free(&lat);
    }
    if (father_name(ctx, nz, in->patronymic, r->fat) != 0)
        return -1;
    if (match_norm_name(nz, in->birth_place, 0, tmp, sizeof tmp) != 0)
        return -1;
    {
        size_t l = strnlen(tmp, sizeof r->place - 1);

        memcpy(r->place, tmp, l);
        r->place[l] = 0;
    }
    r->sfam = hash64(r->fam);
    r->hfam = r->fam[0] ? match_hash32(r->fam) : 0;
    r->bfam = r->fam[0] ? coarse(r->fam, 1) : 0;
    if (r->fam[0]) {
        /* Spellings that names.tsv lists as one family name are one. */
        int32_t g = match_strmap_get(&ctx->family, r->fam);

        if (g >= 0)
        {
            r->hfam = (uint32_t)mix64((uint64_t)g + 4099) | 1; /* blocking keeps the coarse code */
            r->grp |= G_FAM;
        }
    }
    r->sgiv = hash64(r->giv);
    r->sfat = hash64(r->fat);
    r->splace = hash64(r->place);
    {
        int32_t gg, gf;

        r->hgiv = given_hash(ctx, r->giv, &r->bgiv, &gg);
        if (gg >= 0 && ctx->given_first)
            r->gfirst = first_letters(ctx->given_first[gg]);
        r->hfat = given_hash(ctx, r->fat, &r->bfat, &gf);
        r->grp |= (uint8_t)((gg >= 0 ? G_GIV : 0) | (gf >= 0 ? G_FAT : 0));
    }
    {
        int gf, gg;

        r->tfam = name_key(ctx, r->fam, &gf);
        r->tgiv = name_key(ctx, r->giv, &gg);
        r->grp |= (uint8_t)((gf ? G_TFAM : 0) | (gg ? G_TGIV : 0));
    }
    if (r->place[0]) {
        r->place_id = match_strmap_get(&ctx->place, tmp);
        r->hplace = r->place_id >= 0 ? (uint32_t)mix64((uint64_t)r->place_id + 991) | 1
                                     : match_hash32(r->place);
    }
    match_parse_date(in->birth_date, &r->date);
    r->sex = match_parse_sex(in->sex);
    return 0;
}

match_index_t *match_index_new(const match_ctx_t *ctx)
{
    match_index_t *ix = calloc(1, sizeof *ix);

    if (!ix)
        return NULL;
    ix->ctx = ctx;
    ix->nz = match_norm_new();
    if (!ix->nz) {
        free(ix);
        return NULL;
    }
    return ix;
}

static void tf_free(tftab_t *t)
{
    free(t->keys);
    free(t->counts);
    memset(t, 0, sizeof *t);
}

void match_index_free(match_index_t *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++)
        free(ix->ids[i]);
    free(ix->ids);
    free(ix->recs);
    free(ix->hot);
    free(ix->post);
    free(ix->slots);
    free(ix->tail);
    free(ix->tailhead);
    tf_free(&ix->tf_name);
    for (int f = 0; f < MATCH_NFIELDS; f++)
        tf_free(&ix->tf_val[f]);
    match_norm_free(ix->nz);
    free(ix);
}

static int rule_keys(const mrec_t *r, int rule, int swapped, uint64_t *out);

/* Put every blocking key of record rec (built already) into the tail. */
static int tail_add(match_index_t *ix, size_t rec)
{
    if (!ix->tailhead) {
        ix->tailhead = calloc(TAIL_SLOTS, sizeof *ix->tailhead);
        if (!ix->tailhead)
            return -1;
    }
    for (int rule = 0; rule < NRULES; rule++)
        for (int sw = 0; sw < 2; sw++) {
            uint64_t keys[MATCH_KEYLEN + 1];
            int nk = rule_keys(&ix->recs[rec], rule, sw, keys);

            for (int j = 0; j < nk; j++) {
                uint32_t h = (uint32_t)(keys[j] & (TAIL_SLOTS - 1));
                if (ix->ntail + 1 >= ix->captail) {
                    size_t cap = ix->captail ? ix->captail * 2 : 4096;
                    struct tailent *t = realloc(ix->tail, cap * sizeof *t);
                    if (!t)
                        return -1;
                    ix->tail = t;
                    ix->captail = cap;
                    if (ix->ntail == 0)
                        ix->ntail = 1; /* entry 0 ends chains */
                }
                if (ix->ntail == 0)
                    ix->ntail = 1;
                ix->tail[ix->ntail] = (struct tailent){keys[j], (uint32_t)rec | (sw ? 0x80000000u : 0), ix->tailhead[h]};
                ix->tailhead[h] = (uint32_t)ix->ntail++;
            }
        }
    return 0;
}

static void counted(const match_index_t *ix, mrec_t *r);

long match_index_add(match_index_t *ix, const match_input_t *in)
{
    mrec_t r;

    if (ix->n >= 0x7fffffffu)
        return -1;
    if (rec_from_input(ix->ctx, ix->nz, in, &r) != 0)
        return -1;
    counted(ix, &r);
    if (ix->n == ix->cap) {
        size_t cap = ix->cap ? ix->cap * 2 : 1024;
        mrec_t *recs = realloc(ix->recs, cap * sizeof *recs);
        char **ids;

        if (!recs)
            return -1;
        ix->recs = recs;
        ids = realloc(ix->ids, cap * sizeof *ids);
        if (!ids)
            return -1;
        ix->ids = ids;
        ix->cap = cap;
    }
    ix->ids[ix->n] = strdup(in->id ? in->id : "");
    if (!ix->ids[ix->n])
        return -1;
    ix->recs[ix->n] = r;
    if (ix->slots && tail_add(ix, ix->n) != 0) {
        free(ix->ids[ix->n]);
        return -1;
    }
    return (long)ix->n++;
}

typedef struct add_job {
    match_index_t *ix;          /* target */
    const match_input_t *in;    /* inputs */
    size_t n;                   /* how many */
    size_t base;                /* record number of in[0] */
    size_t *next;               /* shared work counter */
    int failed;                 /* a record could not be normalised */
} add_job_t;

static void *add_worker(void *p)
{
    add_job_t *job = p;
    match_norm_t *nz = match_norm_new();

    if (!nz) {
        job->failed = 1;
        return NULL;
    }
    for (;;) {
        size_t from = __atomic_fetch_add(job->next, 256, __ATOMIC_RELAXED);

        if (from >= job->n)
            break;
        for (size_t i = from; i < from + 256 && i < job->n; i++) {
            size_t r = job->base + i;

            if (rec_from_input(job->ix->ctx, nz, &job->in[i], &job->ix->recs[r]) != 0 ||
                !(job->ix->ids[r] = strdup(job->in[i].id ? job->in[i].id : "")))
                job->failed = 1;
        }
    }
    match_norm_free(nz);
    return NULL;
}

int match_index_add_many(match_index_t *ix, const match_input_t *in, size_t n, int threads)
{
    add_job_t job[16];
    pthread_t tid[16];
    size_t next = 0, need = ix->n + n;
    int started = 0, failed = 0;

    if (need > 0x7fffffffu)
        return -1;
    if (need > ix->cap) {
        mrec_t *recs = realloc(ix->recs, need * sizeof *recs);
        char **ids;

        if (!recs)
            return -1;
        ix->recs = recs;
        ids = realloc(ix->ids, need * sizeof *ids);
        if (!ids)
            return -1;
        ix->ids = ids;
        ix->cap = need;
    }
    memset(ix->ids + ix->n, 0, n * sizeof *ix->ids);
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    for (int t = 0; t < threads; t++)
        job[t] = (add_job_t){ix, in, n, ix->n, &next, 0};
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, add_worker, &job[t]) != 0)
            break;
        started = t;
    }
    add_worker(&job[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < threads; t++)
        failed |= job[t].failed;
    if (failed) {
        for (size_t i = 0; i < n; i++)
            free(ix->ids[ix->n + i]);
        return -1;
    }
    ix->n += n;
    return 0;
}

size_t match_index_size(const match_index_t *ix)
{
    return ix->n;
}

int match_index_remove(match_index_t *ix, size_t r)
{
    if (r >= ix->n)
        return -1;
    ix->recs[r].removed = 1;
    if (ix->hot && r < ix->nbuilt)
        ix->hot[r].removed = 1;
    return 0;
}

size_t match_index_pending(const match_index_t *ix)
{
    return ix->n - ix->nbuilt;
}

const char *match_index_id(const match_index_t *ix, size_t r)
{
    return r < ix->n ? ix->ids[r] : NULL;
}

/* ---- Blocking keys --------------------------------------------------------- */

/* Key of record r under rule in one orientation; 0 when a part is missing. */
static uint64_t rule_key(const mrec_t *r, int rule, int swapped, char g1)
{
    uint32_t fam = swapped ? r->bgiv : r->bfam, giv = swapped ? r->bfam : r->bgiv;
    uint64_t a, b, k;

    if (swapped && (!r->bgiv || !r->bfam || r->bgiv == r->bfam))
        return 0;
    if (rule == R_DATE) {
        /* No names in it: one orientation is enough. */
        if (swapped || !r->date.day)
            return 0;
        k = mix64((uint64_t)rule * 0x100000001ULL + (uint64_t)(r->date.year * 512 + r->date.month * 32 + r->date.day));
        return k ? k : 1;
    }
    switch (rule) {
    case R_FAM_YEAR:
        /* With the given name's first letter, which initials, typos and
         * most equivalents keep; the full name has its own rule. */
        if (!fam || !r->date.year || !giv)
            return 0;
        a = fam, b = (uint64_t)r->date.year * 256 + (unsigned char)(swapped ? r->fam[0] : g1);
        break;
    case R_FAM_DM:
        if (!fam || !r->date.day)
            return 0;
        a = fam, b = (uint64_t)(r->date.month * 32 + r->date.day);
        break;
    case R_GIV_FAM:
        if (!fam || !giv)
            return 0;
        a = giv, b = fam;
        break;
    /* Father's names come from a small stock of given names: each key
     * with him also takes the other name's first letter, or its blocks
     * grow with the square of the register. */
    case R_FAM_FAT:
        if (!fam || !r->bfat || !giv)
            return 0;
        a = fam, b = ((uint64_t)r->bfat << 8) | (unsigned char)(swapped ? r->fam[0] : g1);
        break;
    case R_GIV_FAT:
        if (!giv || !r->bfat || !fam)
            return 0;
        a = giv, b = ((uint64_t)r->bfat << 8) | (unsigned char)(swapped ? r->giv[0] : r->fam[0]);
        break;
    case R_FAM_PLACE:
        /* With the given name's first letter: a town holds many families
         * of one name. */
        if (!fam || !r->hplace || !giv)
            return 0;
        a = fam, b = ((uint64_t)r->hplace << 8) | (unsigned char)(swapped ? r->fam[0] : g1);
        break;
    case R_GIV_YEAR_F1:
        if (!giv || !fam || !r->date.year)
            return 0;
        a = giv, b = (uint64_t)r->date.year * 256 + (unsigned char)(swapped ? r->giv[0] : r->fam[0]);
        break;
    case R_GIV_DM:
        if (!giv || !r->date.day || !fam)
            return 0;
        a = giv, b = (uint64_t)(r->date.month * 32 + r->date.day);
        break;
    case R_FAM_YEAR0:
        if (!fam || !r->date.year || !giv)
            return 0;
        a = fam, b = (uint64_t)r->date.year;
        break;
    case R_INIT_PLACE: {
        char c[MATCH_KEYLEN];

        if (!fam || !giv || !r->hplace || !coarse_str(swapped ? r->giv : r->fam, c, !swapped))
            return 0;
        a = ((uint64_t)(unsigned char)c[0] << 8) | (unsigned char)(swapped ? r->fam[0] : g1);
        b = r->hplace;
        break;
    }
    case R_FAM0:
        if (!fam || !giv)
            return 0;
        a = fam, b = 0;
        break;
    case R_FAM_G1:
        if (!fam || !giv)
            return 0;
        a = fam, b = (unsigned char)(swapped ? r->fam[0] : g1);
        break;
    case R_FAM_ONLY:
        if (!fam)
            return 0;
        a = fam, b = 0;
        break;
    default:
        return 0;
    }
    k = mix64(mix64(a + (uint64_t)rule * 0x100000001ULL) ^ b);
    return k ? k : 1;
}

#define MAXKEYS (MATCH_KEYLEN + 1)

/* Keys of record r under rule: one for most rules, the deletion
 * neighbourhood of the family code for the *DEL rules. Returns the number
 * written to out (MAXKEYS). */
static int rule_keys(const mrec_t *r, int rule, int swapped, uint64_t *out);

/* Keys of r under a YEAR_RULE rule as if born yoff years later. */
static int rule_keys_year(const mrec_t *r, int rule, int swapped, int yoff, uint64_t *out)
{
    mrec_t t;

    if (!yoff)
        return rule_keys(r, rule, swapped, out);
    if (!YEAR_RULE(rule) || !r->date.year)
        return 0;
    t = *r;
    t.date.year = (int16_t)(t.date.year + yoff);
    return rule_keys(&t, rule, swapped, out);
}

static int rule_keys(const mrec_t *r, int rule, int swapped, uint64_t *out)
{
    char c[MATCH_KEYLEN], d[MATCH_KEYLEN];
    uint64_t other;
    size_t len;
    int n = 0;
    /* The given name's first letter as folded and as written: H. meets
     * Hovhannes (written h, folded o) and Y. meets Yeghishe. */
    int alt = !swapped && r->ginit && r->ginit != r->giv[0] &&
              (rule == R_FAM_YEAR || rule == R_FAM_FAT || rule == R_FAM_PLACE || rule == R_FAM_G1);

    if (rule != R_GIV_FAMDEL && rule != R_FAMDEL_YEAR) {
        out[n] = rule_key(r, rule, swapped, r->giv[0]);
        n += out[n] != 0;
        if (alt) {
            out[n] = rule_key(r, rule, swapped, r->ginit);
            n += out[n] != 0;
        }
        return n;
    }
    {
        /* In the swapped orientation the given name is read as the family
         * name (and takes its typos). */
        const char *fam = swapped ? r->giv : r->fam, *giv = swapped ? r->fam : r->giv;
        uint32_t bgiv = swapped ? r->bfam : r->bgiv;

        if (!fam[0] || !giv[0] || (swapped && (!fam[1] || r->bgiv == r->bfam)))
            return 0;
        if (rule == R_GIV_FAMDEL) {
            if (!bgiv)
                return 0;
            other = bgiv;
        } else {
            if (!r->date.year)
                return 0;
            other = (uint64_t)r->date.year * 256 + (unsigned char)giv[0];
        }
        len = coarse_str(fam, c, 1);
    }
    /* The code itself and each code with one letter deleted: two codes
     * one insertion, deletion or substitution apart share a key. */
    {
        uint64_t k = mix64(mix64((uint64_t)match_hash32(c) + (uint64_t)rule * 0x100000001ULL) ^ other);

        out[n++] = k ? k : 1;
    }
    if (len < 3)
        return n;
    for (size_t i = 0; i < len; i++) {
        uint64_t k;

        memcpy(d, c, i);
        memcpy(d + i, c + i + 1, len - i);
        k = mix64(mix64((uint64_t)match_hash32(d) + (uint64_t)rule * 0x100000001ULL) ^ other);
        out[n++] = k ? k : 1;
    }
    return n;
}

/* Sort entries by key: LSD radix sort, 16 bits a pass. */
static int sort_entries(entry_t *e, size_t n)
{
    entry_t *tmp = malloc(n * sizeof *tmp);
    size_t *count;

    if (!tmp)
        return -1;
    count = malloc(65536 * sizeof *count);
    if (!count) {
        free(tmp);
        return -1;
    }
    for (int pass = 0; pass < 4; pass++) {
        int shift = pass * 16;
        size_t sum = 0;

        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(e[i].key >> shift) & 0xffff]++;
        for (size_t i = 0; i < 65536; i++) {
            size_t c = count[i];

            count[i] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(e[i].key >> shift) & 0xffff]++] = e[i];
        memcpy(e, tmp, n * sizeof *e);
    }
    free(count);
    free(tmp);
    return 0;
}

static run_t find_run(const match_index_t *ix, uint64_t key)
{
    size_t mask = ix->nslots - 1;
    uint32_t tag = slot_tag(key);

    if (!ix->nslots)
        return (run_t){NULL, 0};
    for (size_t i = key & mask;; i = (i + 1) & mask) {
        if (ix->slots[i].tag == tag) {
            const uint32_t *p = ix->post + ix->slots[i].start;
            return (run_t){p + 1, p[0]};
        }
        if (ix->slots[i].tag == 0)
            return (run_t){NULL, 0};
    }
}

static int build_postings(match_index_t *ix)
{
    size_t n = 0, uniq = 0, cap;
    entry_t *e;

    free(ix->post);
    free(ix->slots);
    ix->post = NULL;
    ix->slots = NULL;
    ix->npost = ix->nslots = 0;
    {
        size_t total = 0;

        for (size_t r = 0; r < ix->n; r++)
            for (int rule = 0; rule < NRULES; rule++)
                for (int sw = 0; sw < 2; sw++) {
                    uint64_t k[MAXKEYS];

                    total += (size_t)rule_keys(&ix->recs[r], rule, sw, k);
                }
        e = malloc(total * sizeof *e + 1);
    }
    if (!e)
        return -1;
    for (size_t r = 0; r < ix->n; r++)
        for (int rule = 0; rule < NRULES; rule++)
            for (int sw = 0; sw < 2; sw++) {
                uint64_t k[MAXKEYS];
                int nk = rule_keys(&ix->recs[r], rule, sw, k);

                for (int j = 0; j < nk; j++)
                    e[n++] = (entry_t){k[j], (uint32_t)r, (uint32_t)sw};
            }
    ix->npost = n;
    if (sort_entries(e, n) != 0) {
        free(e);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (i == 0 || e[i].key != e[i - 1].key)
            uniq++;
    for (cap = 1024; cap < uniq * 2; cap *= 2)
        ;
    ix->slots = calloc(cap, sizeof *ix->slots);
    if (!ix->slots) {
        free(e);
        return -1;
    }
    ix->nslots = cap;
    /* Each run is its length and then its entries, 4 bytes each. */
    if (n + uniq > 0xffffffffu) {
        free(e);
        return -1;
    }
    ix->post = malloc((n + uniq) * sizeof *ix->post + 1);
    if (!ix->post) {
        free(e);
        return -1;
    }
    for (size_t i = 0, at = 0; i < n;) {
        size_t j = i, s;

        while (j < n && e[j].key == e[i].key)
            j++;
        for (s = e[i].key & (cap - 1); ix->slots[s].tag; s = (s + 1) & (cap - 1))
            ;
        ix->slots[s] = (slot_t){slot_tag(e[i].key), (uint32_t)at};
        ix->post[at++] = (uint32_t)(j - i);
        for (; i < j; i++)
            ix->post[at++] = e[i].rec | (e[i].swapped ? 0x80000000u : 0);
    }
    free(e);
    ix->nbuilt = ix->n;
    /* Every record is in the postings now: the tail starts empty. */
    ix->ntail = 0;
    if (ix->tailhead)
        memset(ix->tailhead, 0, TAIL_SLOTS * sizeof *ix->tailhead);
    return 0;
}

/* Key shared by records a (its year moved by yoff) and b under rule
 * (either orientation, never swapped against swapped), or 0. */
static uint64_t shared_key_year(const mrec_t *a, const mrec_t *b, int rule, int yoff)
{
    uint64_t ka[2][MAXKEYS], kb[2][MAXKEYS];
    int na[2], nb[2];

    for (int sw = 0; sw < 2; sw++) {
        na[sw] = rule_keys_year(a, rule, sw, yoff, ka[sw]);
        nb[sw] = rule_keys(b, rule, sw, kb[sw]);
    }
    for (int sa = 0; sa < 2; sa++)
        for (int sb = 0; sb < 2; sb++) {
            if (sa && sb)
                continue;
            for (int i = 0; i < na[sa]; i++)
                for (int j = 0; j < nb[sb]; j++)
                    if (ka[sa][i] == kb[sb][j])
                        return ka[sa][i];
        }
    return 0;
}

static uint64_t shared_key(const mrec_t *a, const mrec_t *b, int rule)
{
    return shared_key_year(a, b, rule, 0);
}

int match_is_candidate(const match_index_t *ix, size_t a, size_t b)
{
    const mrec_t *ra, *rb;

    if (a >= ix->n || b >= ix->n)
        return 0;
    ra = &ix->recs[a];
    rb = &ix->recs[b];
    for (int rule = 0; rule < NBLOCK; rule++) {
        uint64_t hit;

        /* One year apart, one date without its day: the year rules meet
         * them (see YEAR_RULE) in the other record's run. */
        if (YEAR_RULE(rule) && ra->date.year && rb->date.year && (!ra->date.day || !rb->date.day) &&
            (ra->date.year - rb->date.year == 1 || rb->date.year - ra->date.year == 1)) {
            const mrec_t *x = ra->date.day ? rb : ra, *y = ra->date.day ? ra : rb;

            /* x lacks the day and probes y's run with its year moved. */
            hit = shared_key_year(x, y, rule, y->date.year - x->date.year);
            if (hit) {
                run_t s = find_run(ix, hit);

                if (!s.e || s.len <= BLOCK_CAP)
                    return 1;
            }
        }

        if (NODATE_RULE(rule) && ix->recs[a].date.year && ix->recs[b].date.year)
            continue;
        hit = shared_key(&ix->recs[a], &ix->recs[b], rule);

        if (hit) {
            run_t s = find_run(ix, hit);

            if (!s.e || s.len <= RULE_CAP(rule) ||
                (s.len <= NODATE_CAP && NODATE_WIDE(rule) &&
                 (!ix->recs[a].date.year || !ix->recs[b].date.year)))
                return 1;
        }
    }
    return 0;
}

/* ---- Name frequencies ------------------------------------------------------ */

/* Count every record's family and given name under one key space, so that
 * a given name written in the family slot weighs as the common given name
 * it is, not as a rare family name. */
static int tf_build(tftab_t *t, const mrec_t *recs, size_t n)
{
    size_t cap;

    tf_free(t);
    for (cap = 1024; cap < n * 4; cap *= 2)
        ;
    t->keys = calloc(cap, sizeof *t->keys);
    t->counts = calloc(cap, sizeof *t->counts);
    if (!t->keys || !t->counts)
        return -1;
    t->cap = cap;
    for (size_t r = 0; r < 2 * n; r++) {
        uint32_t k = r & 1 ? recs[r / 2].tgiv : recs[r / 2].tfam;
        size_t i;

        if (!k)
            continue;
        for (i = k & (cap - 1); t->keys[i] && t->keys[i] != k; i = (i + 1) & (cap - 1))
            ;
        t->keys[i] = k;
        t->counts[i]++;
    }
    return 0;
}

/* The exact-agreement key of field f (father or place) of r. */
static uint32_t value_key(const mrec_t *r, int f)
{
    return f == MATCH_F_FATHER ? r->hfat : f == MATCH_F_PLACE ? r->hplace : 0;
}

/* Count the values of field f (father's name: one key per equivalence
 * group; birthplace: one per settlement of the gazetteer, whatever the
 * language). Returns the records counted, or -1. */
static long tf_build_field(tftab_t *t, const mrec_t *recs, size_t n, int f)
{
    size_t cap;
    long counted = 0;

    tf_free(t);
    for (cap = 1024; cap < n * 2; cap *= 2)
        ;
    t->keys = calloc(cap, sizeof *t->keys);
    t->counts = calloc(cap, sizeof *t->counts);
    if (!t->keys || !t->counts)
        return -1;
    t->cap = cap;
    for (size_t r = 0; r < n; r++) {
        uint32_t k = value_key(&recs[r], f);
        size_t i;

        if (!k || recs[r].removed)
            continue;
        for (i = k & (cap - 1); t->keys[i] && t->keys[i] != k; i = (i + 1) & (cap - 1))
            ;
        t->keys[i] = k;
        t->counts[i]++;
        counted++;
    }
    return counted;
}

static uint32_t tf_get(const tftab_t *t, uint32_t k)
{
    if (!t->cap)
        return 0;
    for (size_t i = k & (t->cap - 1); t->keys[i]; i = (i + 1) & (t->cap - 1))
        if (t->keys[i] == k)
            return t->counts[i];
    return 0;
}

/* How many records of the built index share r's family name (r->nfam). */
static void counted(const match_index_t *ix, mrec_t *r)
{
    r->nfam = r->tfam && ix->tf_name.cap ? tf_get(&ix->tf_name, r->tfam) : 0;
}

/* ---- Scoring ---------------------------------------------------------------- */

/* Does the initial x (as written) fit the name whose written first letter
 * is first and folded form is folded? mask: the first letters of the
 * name's forms (mrec_t gfirst) when the tables know it, 0 when they do
 * not: then the initial must be one of them (H. fits Hasmik, whom Russian
 * lists write Асмик, but not Anna, Andranik or Karine), else the fold
 * decides. */
static int initial_fits(char x, char first, const char *folded, uint32_t mask)
{
    if (mask && x >= 'a' && x <= 'z')
        return x == first || (mask >> (x - 'a') & 1);
    /* G. for Kevork (Gevorg): letters the fold makes one fit each other. */
    if (x == first || x == folded[0] || match_fold_letter(x) == folded[0])
        return 1;
    /* H. for Hasmik/Asmik, Y. for Yeghishe/Egishe: the fold dropped them. */
    return (x == 'h' || x == 'y') && strchr("aeiou", folded[0]) != NULL;
}

/* Jaro-Winkler through a small per-thread cache: names repeat, and most
 * candidate pairs compare the same few spellings again and again. The key
 * is the two strings' hashes, ordered (the measure is symmetric). */
typedef struct jw_slot {
    uint64_t key; /* 0 = empty */
    double value; /* similarity, exactly as computed: a hit must give the
                     same level as a miss, or results depend on threads */
} jw_slot_t;

#define JW_CACHE (1u << 14)
static _Thread_local jw_slot_t jw_cache[JW_CACHE];

static double jw_cached(const char *a, uint64_t ha, const char *b, uint64_t hb)
{
    uint64_t k = ha < hb ? mix64(ha) ^ hb : mix64(hb) ^ ha;
    jw_slot_t *c;

    k = k ? k : 1;
    c = &jw_cache[mix64(k) & (JW_CACHE - 1)];
    double v;

    if (c->key == k)
        return c->value;
    v = match_jaro_winkler(a, b);
    c->key = k;
    c->value = v;
    return v;
}

/* Is the folded a the folded b less one letter that the fold then merged
 * with its twin: b's letter i dropped where b[i - 1] == b[i + 1] (la is
 * lb - 2)? A typo that deletes or replaces a letter between two equal ones
 * leaves the folded forms two apart: Aram -> Aam (am), Gayane -> Gaane
 * (kane), Lilit -> Liit (lit). */
static int merged_edit(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0;

    if (la + 2 != lb)
        return 0;
    while (a[i] && a[i] == b[i])
        i++;
    /* a and b agree up to i: the dropped pair is b[i..i+1] with b[i + 1] the
     * twin of b[i - 1], or b[i - 1..i] with b[i] the twin of b[i + 1]. */
    return (i > 0 && b[i + 1] == b[i - 1] && !strcmp(a + i, b + i + 2)) ||
           (i > 1 && b[i] == b[i - 2] && !strcmp(a + i - 1, b + i + 1));
}

/* Are a and b at most one edit apart (insertion, deletion, substitution or
 * transposition of neighbours: optimal-string-alignment distance <= 1),
 * counting a letter the fold merged with its twin after the edit
 * (merged_edit)? Linear, no table: the common prefix, then the one edit,
 * then the rest equal. */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i = 0;

    if (la + 2 == lb)
        return merged_edit(a, la, b, lb);
    if (lb + 2 == la)
        return merged_edit(b, lb, a, la);
    if (la > lb + 1 || lb > la + 1)
        return 0;
    while (a[i] && a[i] == b[i])
        i++;
    if (la == lb)
        return !a[i] || !strcmp(a + i + 1, b + i + 1) ||
               (a[i + 1] == b[i] && a[i] == b[i + 1] && !strcmp(a + i + 2, b + i + 2));
    return la > lb ? !strcmp(a + i + 1, b + i) : !strcmp(a + i, b + i + 1);
}

/* What name_level found, before each field numbers it. */
enum name_agreement { NA_EXACT, NA_CLOSE, NA_SIMILAR, NA_INITIAL, NA_DIFFERENT };

/* Levels by field: given names have their own "similar" level; the family
 * name's similar (JW >= 0.85) and an initial in its slot are one level;
 * the father's name has no similar level. */
static const int8_t given_levels[] = {0, 1, GIV_SIMILAR, GIV_INITIAL, GIV_DIFFERENT};
static const int8_t family_levels[] = {0, 1, 2, 2, 3};
static const int8_t father_levels[] = {0, 1, 2, 2, 3};

/* Agreement of two folded names (enum name_agreement), or -1 when one is
 * missing. similar > 0: a Jaro-Winkler that far is "similar"; typo 1: one
 * edit apart is "similar" (a given name's typo: Hakob/Hokob, Seda/Sada);
 * typo 2: one edit apart in names of TYPO_CLOSE_LEN letters or more is
 * "close" (a family name's typo: Tovmasyan/Tovmvsyan, whose Jaro-Winkler
 * falls below "close" when the typo is early or the stem short). equal is
 * same_name's: 1 exact, -1 different names whatever their letters. */
#define TYPO_CLOSE_LEN 6

static int name_level(const char *a, uint64_t ha, const char *b, uint64_t hb, int equal,
                      double close, double similar, int typo, int initials, char ia, char ib,
                      uint32_t ma, uint32_t mb)
{
    double jw;

    if (!a[0] || !b[0])
        return -1;
    /* Two equal initials agree only as initials: "A." and "A." may be
     * Aram and Artur. */
    if (initials && (!a[1] || !b[1])) {
        if (!a[1] && !b[1])
            return a[0] == b[0] || ia == ib ? NA_INITIAL : NA_DIFFERENT;
        return (!a[1] ? initial_fits(ia ? ia : a[0], ib, b, mb) : initial_fits(ib ? ib : b[0], ia, a, ma))
                   ? NA_INITIAL
                   : NA_DIFFERENT;
    }
    if (equal > 0)
        return NA_EXACT;
    if (equal < 0)
        return NA_DIFFERENT;
    jw = jw_cached(a, ha, b, hb);
    if (jw >= close)
        return NA_CLOSE;
    if (typo == 2 && strlen(a) >= TYPO_CLOSE_LEN && strlen(b) >= TYPO_CLOSE_LEN && one_edit(a, b))
        return NA_CLOSE;
    if (similar > 0 && jw >= similar)
        return NA_SIMILAR;
    if (typo && one_edit(a, b))
        return NA_SIMILAR;
    return NA_DIFFERENT;
}

static int8_t field_level(const int8_t *map, int na)
{
    return na < 0 ? -1 : map[na];
}

/* A family name written by this many records is established (levels). */
#define FAM_ESTABLISHED 32

/* Levels of all fields; names read as given or swapped. */
static void levels(const mrec_t *a, const mrec_t *b, int swapped, int8_t lv[MATCH_NFIELDS])
{
    if (!swapped) {
        lv[MATCH_F_FAMILY] = field_level(family_levels,
                                         name_level(a->fam, a->sfam, b->fam, b->sfam,
                                                    same_name(a->hfam, b->hfam, a->grp & G_FAM,
                                                              b->grp & G_FAM, a->sfam, b->sfam),
                                                    0.94, 0.85, 2, 0, 0, 0, 0, 0));
        lv[MATCH_F_GIVEN] = field_level(given_levels,
                                        name_level(a->giv, a->sgiv, b->giv, b->sgiv,
                                                   same_name(a->hgiv, b->hgiv, a->grp & G_GIV,
                                                             b->grp & G_GIV, a->sgiv, b->sgiv),
                                                   0.92, 0, 1, 1, a->ginit, b->ginit, a->gfirst, b->gfirst));
        /* Two spellings that many records write are two surnames, not one
         * and its typo (a typo is rarely made the same way 32 times): close
         * letters make them only "similar", as siblings' names that the
         * tables hold apart are "different". At 1,000,000 records nearly
         * half of the candidate pairs whose family names were "close" were
         * of two spellings each written 33 times or more, and 9% of those
         * were one person. */
        if (lv[MATCH_F_FAMILY] == 1 && a->nfam >= FAM_ESTABLISHED && b->nfam >= FAM_ESTABLISHED)
            lv[MATCH_F_FAMILY] = 2;
    } else {
        /* Read swapped, a given name sits in the family slot: an initial
         * there ("Sargsyan, G.") fits like a similar family name. */
        lv[MATCH_F_FAMILY] = field_level(family_levels,
                                         name_level(a->fam, a->sfam, b->giv, b->sgiv,
                                                    same_name(a->tfam, b->tgiv, a->grp & G_TFAM,
                                                              b->grp & G_TGIV, a->sfam, b->sgiv),
                                                    0.94, 0.85, 2, 1, 0, b->ginit, 0, 0));
        lv[MATCH_F_GIVEN] = field_level(given_levels,
                                        name_level(a->giv, a->sgiv, b->fam, b->sfam,
                                                   same_name(a->tgiv, b->tfam, a->grp & G_TGIV,
                                                             b->grp & G_TFAM, a->sgiv, b->sfam),
                                                   0.92, 0, 1, 1, 0, 0, 0, 0));
    }
    lv[MATCH_F_FATHER] = field_level(father_levels,
                                     name_level(a->fat, a->sfat, b->fat, b->sfat,
                                                same_name(a->hfat, b->hfat, a->grp & G_FAT,
                                                          b->grp & G_FAT, a->sfat, b->sfat),
                                                0.90, 0, 0, 1, 0, 0, 0, 0));
    {
        int d = match_compare_dates(&a->date, &b->date);

        lv[MATCH_F_BIRTH] = (int8_t)(d == MATCH_DATE_MISSING ? -1 : d);
    }
    lv[MATCH_F_SEX] = (int8_t)(!a->sex || !b->sex ? -1 : a->sex == b->sex ? 0 : 1);
    if (!a->hplace || !b->hplace)
        lv[MATCH_F_PLACE] = -1;
    else if (a->place_id >= 0 || b->place_id >= 0 ? a->place_id == b->place_id : a->splace == b->splace)
        lv[MATCH_F_PLACE] = 0;
    else if (a->place_id < 0 && b->place_id < 0 && jw_cached(a->place, a->splace, b->place, b->splace) >= 0.88)
        lv[MATCH_F_PLACE] = 1;
    else
        lv[MATCH_F_PLACE] = 2;
}

/* Weight of exact agreement on a name of frequency key k in field f
 * (family or given): rarer names say more. Never below 0: agreeing on a
 * name, however common, is no evidence against a match. */
static double tf_weight(const match_index_t *ix, int f, uint32_t k)
{
    uint32_t c = tf_get(&ix->tf_name, k);
    double w = ix->log2m[f][0] - log2((double)(c ? c : 1) / (double)ix->tf_n);

    return w > 0 ? w : 0;
}

/* Weight of two records agreeing exactly on the value with key k of field
 * f (father's name or birthplace): as for names, u of agreeing on one
 * value is its share of the records that have the field, so that a father
 * named Aram (a common name) or a birth in the capital (where a third of
 * the people were born) says less than a rare father's name or a village.
 * The plain weight where too few records carry the field to count. Never
 * below 0. */
static double value_weight(const match_index_t *ix, int f, uint32_t k)
{
    uint32_t c;
    double w;

    if (ix->tf_val_n[f] < 1000 || !k)
        return ix->w[f][0];
    c = tf_get(&ix->tf_val[f], k);
    w = ix->log2m[f][0] - log2((double)(c ? c : 1) / (double)ix->tf_val_n[f]);
    return w > 0 ? w : 0;
}

/* Frequency band (FAM_BANDS) of a family name counted c times. */
static int fam_band(uint32_t c)
{
    return c < 64 ? 0 : c < 512 ? 1 : c < 4096 ? 2 : 3;
}

/* An initial fits a brother or sister as well as the person. When the
 * pair also disagrees on sex, or on the birth date beyond a mistyped day,
 * a relative explains it better than a stranger does: weigh the shared
 * surname's father and birthplace as among relatives (wcond), not as
 * chance agreement. Where date and sex agree, or are missing, the plain
 * weights stay (with them, a bare "A. Petrosyan" still finds Aram). At
 * 1,000,000 records 300 pairs of siblings had scored 0.9 or more. */
static int against_initial(const int8_t lv[MATCH_NFIELDS])
{
    return lv[MATCH_F_SEX] == 1 || lv[MATCH_F_BIRTH] >= MATCH_DATE_PARTIAL;
}

/* Weights per field for levels lv (names read swapped or not), with term
 * frequencies for the names and, when the family names agree, the weights
 * measured among people of one family name (see match_index.ucond). */
static double weigh(const match_index_t *ix, const mrec_t *a, const mrec_t *b, int swapped,
                    const int8_t lv[MATCH_NFIELDS], double fw[MATCH_NFIELDS])
{
    const double (*wl)[MATCH_MAXLEVELS] = ix->w, (*ws)[MATCH_MAXLEVELS] = NULL;
    double total = 0;

    /* Relatives share the family name but never (brothers and sisters)
     * the given name: pairs that agree on the given name are namesakes
     * from other families when they are not one person, and take the plain
     * weights. */
    if ((lv[MATCH_F_FAMILY] == 0 || lv[MATCH_F_FAMILY] == 1) &&
        (lv[MATCH_F_GIVEN] == GIV_DIFFERENT || (lv[MATCH_F_GIVEN] == GIV_INITIAL && against_initial(lv)))) {
        uint32_t ca = tf_get(&ix->tf_name, a->tfam);
        uint32_t cb = tf_get(&ix->tf_name, swapped ? b->tgiv : b->tfam);
        int band = fam_band(ca > cb ? ca : cb);

        if (ix->ucond_ok[band])
            wl = ix->wcond[band];
        if (ix->usib_ok[band] && lv[MATCH_F_FATHER] == 0)
            ws = ix->wsib[band];
    }
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        double w = 0;

        if (lv[f] >= 0) {
            w = ws ? ws[f][lv[f]] : wl[f][lv[f]];
            /* Term frequencies mean something only in a large enough set. */
            if ((f == MATCH_F_FAMILY || f == MATCH_F_GIVEN) && ix->tf_n >= 1000 &&
                lv[f] < nlevels[f] - 1) {
                uint32_t ka = f == MATCH_F_FAMILY ? a->tfam : a->tgiv;
                uint32_t kb = (f == MATCH_F_FAMILY) != !!swapped ? b->tfam : b->tgiv;

                if (lv[f] == 0) {
                    w = tf_weight(ix, f, ka);
                } else {
                    /* Near a common name is no better than on it: a typo
                     * of Petrosyan weighs at most what Petrosyan does. */
                    double ca = tf_weight(ix, f, ka), cb = tf_weight(ix, f, kb);
                    double cap = ca < cb ? ca : cb;

                    if (w > cap)
                        w = cap;
                }
            }
            if (f == MATCH_F_GIVEN && lv[f] == GIV_INITIAL) {
                /* The initial's letter: a's given name against b's name in
                 * the given slot (b's family name when read swapped). */
                const char *ga = a->giv, *gb = swapped ? b->fam : b->giv;
                char x = !ga[1] ? (a->ginit && !swapped ? a->ginit : ga[0])
                                : (b->ginit && !swapped ? b->ginit : gb[0]);
                uint32_t kfull = ga[1] ? a->tgiv : swapped ? b->tfam : b->tgiv;

                w = ix->winit[(unsigned char)x];
                if (ix->tf_n >= 1000 && gb[1] + ga[1] > 0) {
                    double cap = tf_weight(ix, f, kfull);

                    if (w > cap)
                        w = cap;
                }
            }
            /* Among relatives (wcond) father and place weigh by u measured
             * on them, which already says how often a family shares one. */
            if ((f == MATCH_F_PLACE || f == MATCH_F_FATHER) && lv[f] == 0 && wl == ix->w) {
                float pre = f == MATCH_F_FATHER ? a->wfat : a->wplace;

                w = pre >= 0 ? pre : value_weight(ix, f, value_key(a, f));
            }
        }
        if (fw)
            fw[f] = w;
        total += w;
    }
    return total;
}

/* Score a pair: the better of the two readings of the names. */
static double score(const match_index_t *ix, const mrec_t *a, const mrec_t *b,
                    int8_t lv[MATCH_NFIELDS], int *swapped, double fw[MATCH_NFIELDS])
{
    int8_t l2[MATCH_NFIELDS];
    double w, w2;

    levels(a, b, 0, lv);
    w = weigh(ix, a, b, 0, lv, fw);
    *swapped = 0;
    if (a->fam[0] && a->giv[0] && b->fam[0] && b->giv[0] &&
        (lv[MATCH_F_FAMILY] >= 2 || lv[MATCH_F_GIVEN] == GIV_DIFFERENT)) {
        double f2[MATCH_NFIELDS];

        levels(a, b, 1, l2);
        w2 = weigh(ix, a, b, 1, l2, f2);
        if (w2 > w) {
            memcpy(lv, l2, sizeof l2);
            if (fw)
                memcpy(fw, f2, sizeof f2);
            *swapped = 1;
            w = w2;
        }
    }
    return w;
}

static double prob_of(const match_index_t *ix, double w)
{
    return 1.0 / (1.0 + exp2(-(w + ix->prior)));
}

static void fill_hit(const match_index_t *ix, size_t rec, double w, int swapped,
                     const int8_t lv[MATCH_NFIELDS], const double fw[MATCH_NFIELDS], match_hit_t *h)
{
    h->rec = rec;
    h->id = rec < ix->n ? ix->ids[rec] : NULL;
    h->weight = w;
    h->prob = prob_of(ix, w);
    h->swapped = swapped;
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        h->fields[f].field = field_names[f];
        h->fields[f].level = lv[f] < 0 ? "missing" : level_names[f][lv[f]];
        h->fields[f].weight = fw[f];
    }
}

int match_index_pair(const match_index_t *ix, size_t a, size_t b, match_hit_t *out)
{
    int8_t lv[MATCH_NFIELDS];
    double fw[MATCH_NFIELDS], w;
    int sw;

    if (a >= ix->n || b >= ix->n)
        return -1;
    w = score(ix, &ix->recs[a], &ix->recs[b], lv, &sw, fw);
    fill_hit(ix, b, w, sw, lv, fw, out);
    return 0;
}

void match_explain(const match_hit_t *h, buf_t *out)
{
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        if (f)
            buf_putc(out, ' ');
        if (strcmp(h->fields[f].level, "missing") == 0)
            buf_printf(out, "%s=missing", h->fields[f].field);
        else
            buf_printf(out, "%s=%s(%+.1f)", h->fields[f].field, h->fields[f].level,
                       h->fields[f].weight);
    }
    if (h->swapped)
        buf_puts(out, " names-swapped");
}

/* ---- Model estimation --------------------------------------------------- */

/* Is level k of field f a stronger agreement than its level l (k < l)?
 * Levels are ordered, except for different kinds of partial agreement,
 * where neither bounds the other: a given name's typo ("similar") and its
 * initial; a birth in the same year but another month and a birth one year
 * off (a year mistyped is common, and the month may agree). */
static int stronger(int f, int k, int l)
{
    return !(f == MATCH_F_GIVEN && k == GIV_SIMILAR && l == GIV_INITIAL) &&
           !(f == MATCH_F_BIRTH && k == MATCH_DATE_PARTIAL && l == MATCH_DATE_ONE_YEAR);
}

/* Weights log2(m / u) with u measured per band of family-name frequency
 * (relatives, or brothers and sisters) into out, for the fields in
 * `fields` (a bit per field) of the bands with enough pairs (ok); every
 * other cell is fallback's (of the same band when per_band, else band 0).
 * As in the plain weights, a weaker level never weighs more than a
 * stronger one and an agreement never below 0. wmax keeps the largest
 * weight of each field and level over all bands. */
static void cond_weights(const match_model_t *m, const double u[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS],
                         const int ok[FAM_BANDS], unsigned fields,
                         const double (*fallback)[MATCH_NFIELDS][MATCH_MAXLEVELS], int per_band,
                         double out[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS],
                         double wmax[MATCH_NFIELDS][MATCH_MAXLEVELS])
{
    for (int b = 0; b < FAM_BANDS; b++)
        for (int f = 0; f < MATCH_NFIELDS; f++)
            for (int l = 0; l < MATCH_MAXLEVELS; l++) {
                double mm = m->m[f][l] > 3e-3 ? m->m[f][l] : 3e-3;
                double uu = u[b][f][l] > 1e-9 ? u[b][f][l] : 1e-9;
                double w = l < nlevels[f] ? log2(mm / uu) : 0;

                if (!ok[b] || !(fields >> f & 1)) {
                    out[b][f][l] = fallback[per_band ? b : 0][f][l];
                    continue;
                }
                for (int k = 0; k < l && l < nlevels[f]; k++)
                    if (stronger(f, k, l) && w > out[b][f][k])
                        w = out[b][f][k];
                if (l == 0 && w < 0)
                    w = 0;
                out[b][f][l] = w;
                if (w > wmax[f][l])
                    wmax[f][l] = w;
            }
}

static void set_weights(match_index_t *ix)
{
    const match_model_t *m = &ix->model;
    double lam = m->lambda;

    for (int f = 0; f < MATCH_NFIELDS; f++)
        for (int l = 0; l < MATCH_MAXLEVELS; l++) {
            /* A floor on m: recording errors make any level possible for
             * one person, and no single field should veto a match alone. */
            double mm = m->m[f][l] > 3e-3 ? m->m[f][l] : 3e-3;
            double uu = m->u[f][l] > 1e-9 ? m->u[f][l] : 1e-9;

            ix->w[f][l] = l < nlevels[f] ? log2(mm / uu) : 0;
            ix->log2m[f][l] = log2(mm);
            /* Levels go from full agreement to disagreement: a weaker level
             * never weighs more than a stronger one (a level never seen
             * has tiny m and u, and their ratio means nothing). */
            for (int k = 0; k < l && l < nlevels[f]; k++)
                if (stronger(f, k, l) && ix->w[f][l] > ix->w[f][k])
                    ix->w[f][l] = ix->w[f][k];
        }
    /* Full agreement on a field is never evidence against a match, whatever
     * a small or odd sample taught (see estimate_model). */
    for (int f = 0; f < MATCH_NFIELDS; f++)
        if (ix->w[f][0] < 0)
            ix->w[f][0] = 0;
    memcpy(ix->wmax, ix->w, sizeof ix->wmax);
    {
        /* The level's weight is for an initial that fits a full name drawn
         * at random; the letter's share p against the chance s2 that two
         * random full names share their first letter moves it by
         * log2(s2 / p). An initial never says more than the full name it
         * fits (weigh caps it by that name's frequency; here by the rarest
         * name of the letter). */
        double tot = 0, s2 = 0;

        for (int c = 0; c < 256; c++)
            tot += ix->init_count[c];
        for (int c = 0; c < 256 && tot > 0; c++)
            s2 += (ix->init_count[c] / tot) * (ix->init_count[c] / tot);
        for (int c = 0; c < 256; c++) {
            double w = ix->w[MATCH_F_GIVEN][GIV_INITIAL];

            if (tot >= 1000 && s2 > 0 && ix->tf_n >= 1000) {
                double cap = ix->log2m[MATCH_F_GIVEN][0] -
                             log2((ix->init_minc[c] ? ix->init_minc[c] : 1) / (double)ix->tf_n);

                w += log2(s2 / ((ix->init_count[c] + 1) / tot));
                if (w > cap)
                    w = cap;
            }
            ix->winit[c] = w;
        }
    }
    cond_weights(m, ix->ucond, ix->ucond_ok, FAMILY_DEPENDS, &ix->w, 0, ix->wcond, ix->wmax);
    memcpy(ix->wmaxsib, ix->wmax, sizeof ix->wmaxsib);
    cond_weights(m, ix->usib, ix->usib_ok, SIBLING_DEPENDS, ix->wcond, 1, ix->wsib, ix->wmaxsib);
    if (lam < 1e-12)
        lam = 1e-12;
    if (lam > 0.5)
        lam = 0.5;
    ix->prior = log2(lam / (1 - lam));
    /* The dedup bounds read each record's place weight in its hot record. */
    if (ix->hot)
        for (size_t r = 0; r < ix->nbuilt; r++) {
            mrec_t *p = &ix->recs[r];

            /* The weight itself, looked up once (weigh reads it), and its
             * bound in the hot record. */
            p->wfat = (float)value_weight(ix, MATCH_F_FATHER, p->hfat);
            p->wplace = (float)value_weight(ix, MATCH_F_PLACE, p->hplace);
            ix->hot[r].qfat = (uint8_t)fmin(255, ceil(p->wfat * 8));
            ix->hot[r].qplace = (uint8_t)fmin(255, ceil(p->wplace * 8));
        }
}

static void default_model(match_model_t *m)
{
    memset(m, 0, sizeof *m);
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        m->nlevels[f] = nlevels[f];
        for (int l = 0; l < nlevels[f]; l++) {
            m->m[f][l] = default_m[f][l];
            m->u[f][l] = default_u[f][l];
        }
    }
    m->lambda = 1e-4;
}

int match_em(const int8_t (*pat)[MATCH_NFIELDS], const double *counts, size_t npat,
             unsigned mask, match_model_t *model, double *lambda, int max_iter)
{
    double lam = *lambda;
    int it;

    for (it = 0; it < max_iter; it++) {
        double num[MATCH_NFIELDS][MATCH_MAXLEVELS] = {{0}}, den[MATCH_NFIELDS] = {0};
        double lsum = 0, total = 0, delta = 0;

        for (size_t p = 0; p < npat; p++) {
            double lm = lam, lu = 1 - lam, post;

            for (int f = 0; f < MATCH_NFIELDS; f++) {
                int l = pat[p][f];

                if (l < 0 || !(mask & (1u << f)))
                    continue;
                lm *= model->m[f][l];
                lu *= model->u[f][l];
            }
            post = lm + lu > 0 ? lm / (lm + lu) : 0;
            for (int f = 0; f < MATCH_NFIELDS; f++) {
                int l = pat[p][f];

                if (l < 0 || !(mask & (1u << f)))
                    continue;
                num[f][l] += counts[p] * post;
                den[f] += counts[p] * post;
            }
            lsum += counts[p] * post;
            total += counts[p];
        }
        if (total <= 0)
            return -1;
        for (int f = 0; f < MATCH_NFIELDS; f++) {
            if (!(mask & (1u << f)) || den[f] <= 0)
                continue;
            for (int l = 0; l < model->nlevels[f]; l++) {
                double v = (num[f][l] + 1e-6) / (den[f] + 1e-6 * model->nlevels[f]);

                if (fabs(v - model->m[f][l]) > delta)
                    delta = fabs(v - model->m[f][l]);
                model->m[f][l] = v;
            }
        }
        if (fabs(lsum / total - lam) > delta)
            delta = fabs(lsum / total - lam);
        lam = lsum / total;
        if (lam < 1e-9)
            lam = 1e-9;
        if (delta < 1e-6) {
            it++;
            break;
        }
    }
    *lambda = lam;
    return it;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* u from random pairs. */
static void estimate_u(match_index_t *ix, match_model_t *m)
{
    double cnt[MATCH_NFIELDS][MATCH_MAXLEVELS] = {{0}}, tot[MATCH_NFIELDS] = {0};
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    size_t pairs = 500000;

    for (size_t i = 0; i < pairs; i++) {
        size_t a = rng_next(&seed) % ix->n, b = rng_next(&seed) % ix->n;
        int8_t lv[MATCH_NFIELDS];

        if (a == b)
            continue;
        levels(&ix->recs[a], &ix->recs[b], 0, lv);
        for (int f = 0; f < MATCH_NFIELDS; f++)
            if (lv[f] >= 0) {
                cnt[f][lv[f]]++;
                tot[f]++;
            }
    }
    for (int f = 0; f < MATCH_NFIELDS; f++)
        for (int l = 0; l < nlevels[f]; l++)
            m->u[f][l] = tot[f] > 0 ? (cnt[f][l] + 0.5) / (tot[f] + 0.5 * nlevels[f])
                                    : default_u[f][l];
}

/* Patterns of levels are numbered in mixed radix: field f contributes
 * (level + 1) of nlevels[f] + 1 values (0: missing). */
/* u among pairs of different people sharing a family name, per band of the
 * name's frequency: sample pairs within each family name's records (as
 * many from a name as it has pairs), keeping those whose given names
 * differ, as in the pairs these weights are used on (those whose given
 * names agree or nearly are mostly one person written twice; brothers and
 * sisters never share a name). Bands with too few pairs keep the plain u. */
static int estimate_u_cond(match_index_t *ix)
{
    entry_t *e = malloc(ix->n * sizeof *e + 1);
    double pairs[FAM_BANDS] = {0}, cnt[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS] = {{{0}}};
    double tot[FAM_BANDS][MATCH_NFIELDS] = {{0}};
    double scnt[FAM_BANDS][MATCH_NFIELDS][MATCH_MAXLEVELS] = {{{0}}};
    double stot[FAM_BANDS][MATCH_NFIELDS] = {{0}};
    uint64_t seed = 0x5851f42d4c957f2dULL;
    size_t n = 0;
    const double want = 200000; /* sampled pairs per band */

    memset(ix->ucond_ok, 0, sizeof ix->ucond_ok);
    memset(ix->usib_ok, 0, sizeof ix->usib_ok);
    if (!e)
        return -1;
    if (ix->n < 2000 || ix->tf_n < 1000) {
        free(e);
        return 0;
    }
    for (size_t r = 0; r < ix->n; r++)
        if (ix->recs[r].tfam && !ix->recs[r].removed)
            e[n++] = (entry_t){mix64(ix->recs[r].tfam), (uint32_t)r, 0};
    if (sort_entries(e, n) != 0) {
        free(e);
        return -1;
    }
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && e[j].key == e[i].key; j++)
            ;
        pairs[fam_band(tf_get(&ix->tf_name, ix->recs[e[i].rec].tfam))] +=
            (double)(j - i) * (double)(j - i - 1) / 2;
    }
    for (size_t i = 0, j; i < n; i = j) {
        size_t len, ex = 0, ey = 0;
        int band, all;
        double take;

        for (j = i; j < n && e[j].key == e[i].key; j++)
            ;
        len = j - i;
        if (len < 2)
            continue;
        band = fam_band(tf_get(&ix->tf_name, ix->recs[e[i].rec].tfam));
        /* A band with fewer pairs than wanted is taken whole, each pair
         * once: drawing it want times over counted its few pairs again and
         * again, passed the test of enough pairs below on draws, and gave
         * weights from a handful of families (father +16.8 at 10,000). */
        all = pairs[band] <= want;
        take = (double)len * (double)(len - 1) / 2 * want / pairs[band];
        /* Round at random, so that small families count on average. */
        take = all ? (double)len * (double)(len - 1) / 2
                   : floor(take + (double)(rng_next(&seed) >> 11) / 9007199254740992.0);
        for (double t = 0; t < take; t++) {
            size_t x, y;

            if (all) {
                /* The t-th pair x < y of the family, in order. */
                if (t == 0)
                    ex = i, ey = i + 1;
                else if (++ey == j)
                    ex++, ey = ex + 1;
                x = ex, y = ey;
            } else {
                x = i + rng_next(&seed) % len, y = i + rng_next(&seed) % len;
            }
            const mrec_t *a = &ix->recs[e[x].rec], *b = &ix->recs[e[y].rec];
            int8_t lv[MATCH_NFIELDS];

            if (x == y)
                continue;
            levels(a, b, 0, lv);
            /* Only the pairs the weights are used on (weigh): given names
             * different. Close names and initials are mostly one person
             * written twice, and counted here they made a shared birth
             * date look common among relatives. */
            if (lv[MATCH_F_GIVEN] != GIV_DIFFERENT)
                continue;
            for (int f = 0; f < MATCH_NFIELDS; f++)
                if (lv[f] >= 0) {
                    cnt[band][f][lv[f]]++;
                    tot[band][f]++;
                    if (lv[MATCH_F_FATHER] == 0) {
                        scnt[band][f][lv[f]]++;
                        stot[band][f]++;
                    }
                }
        }
    }
    for (int b = 0; b < FAM_BANDS; b++) {
        ix->ucond_ok[b] = tot[b][MATCH_F_BIRTH] >= 2000 && tot[b][MATCH_F_FATHER] >= 2000 &&
                          tot[b][MATCH_F_PLACE] >= 2000;
        for (int f = 0; f < MATCH_NFIELDS; f++)
            for (int l = 0; l < nlevels[f]; l++)
                ix->ucond[b][f][l] = tot[b][f] > 0 ? (cnt[b][f][l] + 0.5) / (tot[b][f] + 0.5 * nlevels[f])
                                                   : 0;
        ix->usib_ok[b] = ix->ucond_ok[b] && stot[b][MATCH_F_BIRTH] >= 500 &&
                         stot[b][MATCH_F_PLACE] >= 500;
        for (int f = 0; f < MATCH_NFIELDS; f++)
            for (int l = 0; l < nlevels[f]; l++)
                ix->usib[b][f][l] = stot[b][f] > 0
                                        ? (scnt[b][f][l] + 0.5) / (stot[b][f] + 0.5 * nlevels[f])
                                        : 0;
    }
    free(e);
    return 0;
}

#define NPATTERNS (5u * 6u * 5u * 10u * 3u * 4u)

static uint32_t pattern_code(const int8_t lv[MATCH_NFIELDS])
{
    uint32_t c = 0;

    for (int f = MATCH_NFIELDS - 1; f >= 0; f--)
        c = c * (uint32_t)(nlevels[f] + 1) + (uint32_t)(lv[f] + 1);
    return c;
}

static void pattern_levels(uint32_t c, int8_t lv[MATCH_NFIELDS])
{
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        lv[f] = (int8_t)((int)(c % (uint32_t)(nlevels[f] + 1)) - 1);
        c /= (uint32_t)(nlevels[f] + 1);
    }
}

/* Train on the pairs sharing a key (0: family and given exact; 1: full
 * birth date), leaving the key's own fields out of EM. */
/* Blocks of one given and family name larger than this teach EM nothing
 * (train_rule). */
#define EM_BLOCK_MAX 32

static int train_rule(match_index_t *ix, int which, match_model_t *out, double *lambda_out,
                      double *npairs_out)
{
    entry_t *e = malloc(ix->n * sizeof *e + 1);
    double *counts = calloc(NPATTERNS, sizeof *counts);
    int8_t (*pat)[MATCH_NFIELDS] = NULL;
    double *pc = NULL, total = 0, possible = 0, keep, lam = 0.05, sexn[2] = {0, 0};
    size_t n = 0, npat = 0;
    uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)which;
    unsigned mask;
    int rc = -1, it;

    if (!e || !counts)
        goto done;
    for (size_t r = 0; r < ix->n; r++) {
        const mrec_t *p = &ix->recs[r];
        uint64_t k = 0;

        if (which == 0 && p->hfam && p->hgiv)
            k = mix64(((uint64_t)p->hfam << 32) | p->hgiv);
        else if (which == 1 && p->date.day)
            k = mix64((uint64_t)(p->date.year * 512 + p->date.month * 32 + p->date.day));
        if (k)
            e[n++] = (entry_t){k, (uint32_t)r, 0};
    }
    if (sort_entries(e, n) != 0)
        goto done;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && e[j].key == e[i].key; j++)
            ;
        if (which == 0 && j - i > EM_BLOCK_MAX)
            continue;
        possible += (double)(j - i) * (double)(j - i - 1) / 2;
    }
    keep = possible > 1e6 ? 1e6 / possible : 1.0;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && e[j].key == e[i].key; j++)
            ;
        /* Learn from people of rarer names: a block of a common given and
         * family name holds a few matches among many namesakes, and those
         * namesakes that share a father's name and a birthplace EM took
         * for matches, and their birth dates for recording errors (m of
         * "different" 0.013 at 1,000,000 records, against 0.0005 at
         * 10,000). m is what one person's records do, whatever the name. */
        if (which == 0 && j - i > EM_BLOCK_MAX)
            continue;
        for (size_t a = i; a < j; a++)
            for (size_t b = a + 1; b < j; b++) {
                int8_t lv[MATCH_NFIELDS];
                int sw;

                if (keep < 1.0 && (double)(rng_next(&seed) >> 11) / 9007199254740992.0 >= keep)
                    continue;
                score(ix, &ix->recs[e[a].rec], &ix->recs[e[b].rec], lv, &sw, NULL);
                counts[pattern_code(lv)]++;
                total++;
                if (lv[MATCH_F_FAMILY] == 0 && lv[MATCH_F_GIVEN] == 0 && lv[MATCH_F_SEX] >= 0)
                    sexn[lv[MATCH_F_SEX]]++;
            }
    }
    *npairs_out = possible;
    if (total < 50) {
        rc = 1; /* too little to learn from */
        goto done;
    }
    for (uint32_t c = 0; c < NPATTERNS; c++)
        if (counts[c] > 0)
            npat++;
    pat = malloc(npat * sizeof *pat);
    pc = malloc(npat * sizeof *pc);
    if (!pat || !pc)
        goto done;
    npat = 0;
    for (uint32_t c = 0; c < NPATTERNS; c++)
        if (counts[c] > 0) {
            pattern_levels(c, pat[npat]);
            pc[npat++] = counts[c];
        }
    /* Sex stays out of EM: namesakes share it as surely as matches do, and
     * with it EM learns "same given name" instead of "same person". Its m
     * is counted instead on pairs that are one person all but surely: the
     * same full birth date (rule 1) and the same given and family name.
     * With too few of them it stays the default (a recording error in
     * about 3 of 100). */
    mask = which == 0 ? (1u << MATCH_F_FATHER) | (1u << MATCH_F_BIRTH) | (1u << MATCH_F_PLACE)
                      : (1u << MATCH_F_FAMILY) | (1u << MATCH_F_GIVEN) | (1u << MATCH_F_FATHER) |
                            (1u << MATCH_F_PLACE);
    it = match_em((const int8_t(*)[MATCH_NFIELDS])pat, pc, npat, mask, out, &lam, 200);
    if (it < 0)
        goto done;
    out->em_iterations += it;
    if (which == 1 && sexn[0] + sexn[1] >= 200) {
        out->m[MATCH_F_SEX][1] = sexn[1] / (sexn[0] + sexn[1]);
        out->m[MATCH_F_SEX][0] = 1 - out->m[MATCH_F_SEX][1];
    }
    *lambda_out = lam;
    rc = 0;
done:
    free(e);
    free(counts);
    free(pat);
    free(pc);
    return rc;
}

typedef struct train_job {
    match_index_t *ix;    /* index (read-only while training) */
    int which;            /* training rule */
    match_model_t *out;   /* its estimate */
    double *lambda;       /* its prior */
    double *npairs;       /* pairs under the rule */
    int rc;               /* train_rule's result */
} train_job_t;

static void *train_thread(void *p)
{
    train_job_t *j = p;

    j->rc = train_rule(j->ix, j->which, j->out, j->lambda, j->npairs);
    return NULL;
}

static int estimate_model(match_index_t *ix)
{
    match_model_t base, r0, r1;
    double lam0 = 0, lam1 = 0, np0 = 0, np1 = 0, dated = 0;
    int rc0, rc1;

    default_model(&base);
    if (ix->n < 2000) {
        ix->model = base;
        return 0;
    }
    estimate_u(ix, &base);
    r0 = r1 = base;
    r0.em_iterations = r1.em_iterations = 0;
    {
        /* The two training rules are independent: one on another thread. */
        train_job_t job = {ix, 1, &r1, &lam1, &np1, 0};
        pthread_t tid;
        int threaded = pthread_create(&tid, NULL, train_thread, &job) == 0;

        rc0 = train_rule(ix, 0, &r0, &lam0, &np0);
        if (threaded)
            pthread_join(tid, NULL);
        else
            train_thread(&job);
        rc1 = job.rc;
    }
    if (rc0 < 0 || rc1 < 0)
        return -1;
    ix->model = base;
    ix->model.em_iterations = r0.em_iterations + r1.em_iterations;
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        int in0 = rc0 == 0 && (f == MATCH_F_FATHER || f == MATCH_F_BIRTH || f == MATCH_F_PLACE);
        int in1 = rc1 == 0 && f != MATCH_F_BIRTH;

        for (int l = 0; l < nlevels[f]; l++) {
            if (in0 && in1)
                ix->model.m[f][l] = (r0.m[f][l] + r1.m[f][l]) / 2;
            else if (in0)
                ix->model.m[f][l] = r0.m[f][l];
            else if (in1)
                ix->model.m[f][l] = r1.m[f][l];
        }
    }
    /* Where the data hold few duplicates (a demo registry: households of
     * one surname, nobody registered twice), EM has no match class to find
     * and settles on another, e.g. relatives: it learnt an exact family
     * name as rare among "matches" (m 0) and weighed it below zero. Trust
     * EM for a field only if full agreement came out as the commonest
     * level among matches and far likelier than among random pairs;
     * otherwise keep the default m. */
    for (int f = 0; f < MATCH_NFIELDS; f++) {
        /* (Sex is shared by half of all pairs: its m comes from sure
         * matches, not EM, and need only favour agreement.) */
        int sane = f == MATCH_F_SEX || ix->model.m[f][0] >= 4 * ix->model.u[f][0];

        for (int l = 1; l < nlevels[f] && sane; l++)
            sane = ix->model.m[f][0] >= ix->model.m[f][l];
        if (!sane)
            for (int l = 0; l < nlevels[f]; l++)
                ix->model.m[f][l] = default_m[f][l];
    }
    /* Prior: matches among full-date pairs, divided by the chance that a
     * matching pair shares a full date, over all pairs. That chance is
     * P(both dated) * m(exact): m of a level is already conditioned on
     * both dates being known, and counts the pairs where one is year-only
     * among the non-exact ones (using P(both full) here counted that twice
     * and doubled the prior). */
    for (size_t r = 0; r < ix->n; r++)
        if (ix->recs[r].date.year)
            dated++;
    dated /= (double)ix->n;
    if (rc1 == 0 && dated > 0 && ix->model.m[MATCH_F_BIRTH][0] > 0) {
        double matches = lam1 * np1 / (ix->model.m[MATCH_F_BIRTH][0] * dated * dated);
        double all = (double)ix->n * (double)(ix->n - 1) / 2;

        ix->model.lambda = matches / all;
    }
    /* A registry without duplicates yet still gets them later: keep the
     * prior at no less than one record in twenty having one. */
    if (ix->model.lambda < 0.05 / (double)ix->n)
        ix->model.lambda = 0.05 / (double)ix->n;
    return 0;
}

int match_index_build(match_index_t *ix, int threads)
{
    (void)threads;
    if (build_postings(ix) != 0)
        return -1;
    if (tf_build(&ix->tf_name, ix->recs, ix->n) != 0)
        return -1;
    ix->tf_n = ix->n;
    for (size_t r = 0; r < ix->n; r++)
        counted(ix, &ix->recs[r]);
    for (int i = 0; i < 2; i++) {
        int f = i ? MATCH_F_PLACE : MATCH_F_FATHER;
        long np = tf_build_field(&ix->tf_val[f], ix->recs, ix->n, f);

        if (np < 0)
            return -1;
        ix->tf_val_n[f] = (size_t)np;
    }
    memset(ix->init_count, 0, sizeof ix->init_count);
    memset(ix->init_minc, 0, sizeof ix->init_minc);
    for (size_t r = 0; r < ix->n; r++) {
        const mrec_t *p = &ix->recs[r];
        unsigned char x = (unsigned char)(p->ginit ? p->ginit : p->giv[0]);
        uint32_t c;

        if (p->removed || !p->giv[0] || !p->giv[1])
            continue;
        ix->init_count[x]++;
        c = tf_get(&ix->tf_name, p->tgiv);
        if (!ix->init_minc[x] || c < ix->init_minc[x])
            ix->init_minc[x] = c;
    }
    if (estimate_u_cond(ix) != 0)
        return -1;
    free(ix->hot);
    ix->hot = malloc(ix->n * sizeof *ix->hot + 1);
    if (!ix->hot)
        return -1;
    for (size_t r = 0; r < ix->n; r++) {
        const mrec_t *p = &ix->recs[r];

        ix->hot[r] = (mhot_t){p->hfat,        p->hplace,     p->place_id,   p->date,
                              p->sex,         p->removed,    fp16(p->hfam), fp16(p->hgiv),
                              fp16(p->tfam),  fp16(p->tgiv), 0, 0};
    }
    if (!ix->model_set) {
        set_weights(ix); /* EM's pair scoring needs some weights for swaps */
        default_model(&ix->model);
        set_weights(ix);
        if (estimate_model(ix) != 0)
            return -1;
    }
    set_weights(ix);
    return 0;
}

const match_model_t *match_index_model(const match_index_t *ix)
{
    return &ix->model;
}

void match_index_set_model(match_index_t *ix, const match_model_t *m)
{
    ix->model = *m;
    for (int f = 0; f < MATCH_NFIELDS; f++)
        ix->model.nlevels[f] = nlevels[f];
    ix->model_set = 1;
    set_weights(ix);
}

/* ---- Queries ---------------------------------------------------------------- */

struct match_searcher {
    const match_index_t *ix; /* the index searched */
    match_norm_t *nz;        /* normaliser of queries */
    uint32_t *stamp;         /* per record: epoch when last seen */
    size_t nstamp;           /* records stamp covers */
    uint32_t epoch;          /* current query */
    match_hit_t *hits;       /* scratch for scored candidates */
    size_t nhits, caphits;
};

match_searcher_t *match_searcher_new(const match_index_t *ix)
{
    match_searcher_t *s = calloc(1, sizeof *s);

    if (!s)
        return NULL;
    s->ix = ix;
    s->nz = match_norm_new();
    if (!s->nz) {
        free(s);
        return NULL;
    }
    return s;
}

void match_searcher_free(match_searcher_t *s)
{
    if (!s)
        return;
    match_norm_free(s->nz);
    free(s->stamp);
    free(s->hits);
    free(s);
}

static int seen(match_searcher_t *s, size_t r)
{
    if (s->stamp[r] == s->epoch)
        return 1;
    s->stamp[r] = s->epoch;
    return 0;
}

static int begin(match_searcher_t *s)
{
    if (s->nstamp < s->ix->n) {
        uint32_t *st = realloc(s->stamp, s->ix->n * sizeof *st);

        if (!st)
            return -1;
        memset(st + s->nstamp, 0, (s->ix->n - s->nstamp) * sizeof *st);
        s->stamp = st;
        s->nstamp = s->ix->n;
    }
    if (++s->epoch == 0) {
        memset(s->stamp, 0, s->nstamp * sizeof *s->stamp);
        s->epoch = 1;
    }
    s->nhits = 0;
    return 0;
}

/* Score record r against q and keep it when prob >= min_prob (or, for
 * search, always keep the best reading). */
static int consider(match_searcher_t *s, const mrec_t *q, size_t r, double min_prob)
{
    const match_index_t *ix = s->ix;
    int8_t lv[MATCH_NFIELDS];
    double fw[MATCH_NFIELDS], w;
    int sw;

    if (seen(s, r) || ix->recs[r].removed)
        return 0;
    w = score(ix, q, &ix->recs[r], lv, &sw, fw);
    if (prob_of(ix, w) < min_prob)
        return 0;
    if (s->nhits == s->caphits) {
        size_t cap = s->caphits ? s->caphits * 2 : 256;
        match_hit_t *h = realloc(s->hits, cap * sizeof *h);

        if (!h)
            return -1;
        s->hits = h;
        s->caphits = cap;
    }
    fill_hit(ix, r, w, sw, lv, fw, &s->hits[s->nhits++]);
    return 0;
}

/* Candidates of q through rules [r0, r1) of the postings and the tail. */
static int gather(match_searcher_t *s, const mrec_t *q, int r0, int r1, size_t cap, double min_prob)
{
    const match_index_t *ix = s->ix;

    for (int rule = r0; rule < r1; rule++)
        for (int sw = 0; sw < 2; sw++) {
            uint64_t keys[MAXKEYS];
            int nk = rule_keys(q, rule, sw, keys);

            for (int j = 0; j < nk; j++) {
                run_t sl = find_run(ix, keys[j]);

                if (!sl.e || sl.len > cap)
                    continue;
                for (uint32_t i = 0; i < sl.len; i++) {
                    uint32_t e = sl.e[i];

                    if (sw && (e & 0x80000000u))
                        continue;
                    if (consider(s, q, e & 0x7fffffffu, min_prob) != 0)
                        return -1;
                }
            }
        }
    /* Records added since the last build, through the tail's keys. */
    if (ix->ntail)
        for (int rule = r0; rule < r1; rule++)
            for (int sw = 0; sw < 2; sw++) {
                uint64_t keys[MAXKEYS];
                int nk = rule_keys(q, rule, sw, keys);

                for (int j = 0; j < nk; j++)
                    for (uint32_t t = ix->tailhead[keys[j] & (TAIL_SLOTS - 1)]; t; t = ix->tail[t].next) {
                        if (ix->tail[t].key != keys[j] || (sw && (ix->tail[t].rec & 0x80000000u)))
                            continue;
                        if (consider(s, q, ix->tail[t].rec & 0x7fffffffu, min_prob) != 0)
                            return -1;
                    }
            }
    return 0;
}

static int by_weight(const void *x, const void *y)
{
    const match_hit_t *a = x, *b = y;

    return a->weight < b->weight ? 1 : a->weight > b->weight ? -1 : (a->rec > b->rec) - (a->rec < b->rec);
}

static int finish(match_searcher_t *s, int k, match_hit_t *hits)
{
    int n = 0;

    if (s->nhits > 1)
        qsort(s->hits, s->nhits, sizeof *s->hits, by_weight);
    for (size_t i = 0; i < s->nhits && n < k; i++)
        hits[n++] = s->hits[i];
    return n;
}

int match_query(match_searcher_t *s, const match_input_t *in, int k, double min_prob,
                match_hit_t *hits)
{
    mrec_t q;

    if (k <= 0 || begin(s) != 0 || rec_from_input(s->ix->ctx, s->nz, in, &q) != 0)
        return -1;
    counted(s->ix, &q);
    if (gather(s, &q, 0, NBLOCK, BLOCK_CAP * 4, min_prob) != 0)
        return -1;
    return finish(s, k, hits);
}

int match_search(match_searcher_t *s, const char *text, int k, match_hit_t *hits)
{
    buf_t lat = BUF_INIT;
    char w[3][64];
    int nw = 0;
    const char *p;

    if (k <= 0 || begin(s) != 0)
        return -1;
    if (match_latin(s->nz, text, &lat) != 0) {
        buf_free(&lat);
        return -1;
    }
    for (p = buf_str(&lat); *p && nw < 3;) {
        size_t n = 0;

        while (*p == ' ')
            p++;
        while (*p && *p != ' ') {
            if (n < 63)
                w[nw][n++] = *p;
            p++;
        }
        w[nw][n] = 0;
        if (n)
            nw++;
    }
    buf_free(&lat);
    /* Readings: family first (Russian lists: family given patronymic) and
     * given first (given family, or given patronymic family). */
    for (int reading = 0; reading < (nw > 1 ? 2 : 1); reading++) {
        match_input_t in = {0};
        mrec_t q;

        if (nw == 0)
            break;
        if (reading == 0) {
            in.family = w[0];
            in.given = nw > 1 ? w[1] : NULL;
            in.patronymic = nw > 2 ? w[2] : NULL;
        } else {
            in.given = w[0];
            in.family = w[nw - 1];
            in.patronymic = nw > 2 ? w[1] : NULL;
        }
        if (rec_from_input(s->ix->ctx, s->nz, &in, &q) != 0)
            return -1;
        counted(s->ix, &q);
        /* A record seen in the first reading is not scored again; the
         * swapped reading inside score() covers the other order. */
        if (gather(s, &q, R_GIV_FAM, R_GIV_FAM + 1, SEARCH_CAP, 0.0) != 0 ||
            gather(s, &q, R_GIV_FAMDEL, R_GIV_FAMDEL + 1, SEARCH_CAP, 0.0) != 0)
            return -1;
    }
    /* The family name alone (one word, or too few hits): larger blocks. */
    for (int reading = 0; reading < (nw > 1 ? 2 : 1) && s->nhits < (size_t)k; reading++) {
        match_input_t in = {0};
        mrec_t q;

        in.family = reading == 0 ? w[0] : w[nw - 1];
        in.given = nw > 1 ? (reading == 0 ? w[1] : w[0]) : NULL;
        if (rec_from_input(s->ix->ctx, s->nz, &in, &q) != 0)
            return -1;
        counted(s->ix, &q);
        if (gather(s, &q, R_FAM_ONLY, R_FAM_ONLY + 1, SEARCH_CAP, 0.0) != 0)
            return -1;
    }
    return finish(s, k, hits);
}

/* ---- Batch deduplication ------------------------------------------------- */

typedef struct worker {
    match_index_t *ix;          /* index (read-only here) */
    double min_prob;            /* keep threshold */
    size_t *next;               /* shared work counter */
    int first;                  /* reports progress */
    match_progress_fn progress; /* callback */
    void *arg;                  /* its argument */
    uint32_t *stamp;            /* per record: 1 + last probing record */
    match_pair_t *pairs;        /* kept pairs */
    size_t npairs, cap;
    size_t candidates, capped;  /* counters */
    int failed;                 /* allocation failure */
} worker_t;

/* Largest weight field f can add to a pair with record a (0: missing). */
static double field_ub(const match_index_t *ix, const mrec_t *a, int f)
{
    double ub = 0;

    for (int l = 0; l < nlevels[f]; l++)
        if (ix->w[f][l] > ub)
            ub = ix->w[f][l];
    if ((f == MATCH_F_FAMILY || f == MATCH_F_GIVEN) && ix->tf_n >= 1000) {
        double w = tf_weight(ix, f, f == MATCH_F_FAMILY ? a->tfam : a->tgiv);

        if (w > ub)
            ub = w;
    }
    return ub;
}

/* Largest weight of field f over its levels from first on (0 at least:
 * a missing value). */
static double best_from(const match_index_t *ix, int f, int first)
{
    double ub = 0;

    for (int l = first; l < nlevels[f]; l++)
        if (ix->w[f][l] > ub)
            ub = ix->w[f][l];
    return ub;
}

/* What bounds the names' weight of the pairs of one probing record a. */
typedef struct nbound {
    double ub_fam, ub_giv;       /* field_ub: exact agreement, with frequencies */
    double below_fam, below_giv; /* the best of the lower levels */
    const mhot_t *a;             /* a's fingerprints */
} nbound_t;

static void nbound_init(const match_index_t *ix, const mrec_t *a, const mhot_t *ha, nbound_t *nb)
{
    nb->ub_fam = field_ub(ix, a, MATCH_F_FAMILY);
    nb->ub_giv = field_ub(ix, a, MATCH_F_GIVEN);
    nb->below_fam = best_from(ix, MATCH_F_FAMILY, 1);
    nb->below_giv = best_from(ix, MATCH_F_GIVEN, 1);
    /* An initial that fits a's given name begins with its letter as
     * written or folded, folds to its folded letter, or is an H. or Y.
     * before a vowel (initial_fits);
     * it weighs at most that letter's weight, and no more than a's full
     * name does. */
    if (a->giv[0]) {
        unsigned char x = (unsigned char)(a->ginit ? a->ginit : a->giv[0]);
        double bi = fmax(ix->winit[x], ix->winit[(unsigned char)a->giv[0]]);

        for (int c = 'a'; c <= 'z'; c++)
            if (match_fold_letter((char)c) == a->giv[0] || (a->gfirst >> (c - 'a') & 1))
                bi = fmax(bi, ix->winit[c]);

        if (a->giv[1]) {
            bi = fmax(bi, fmax(ix->winit['h'], ix->winit['y']));
            if (ix->tf_n >= 1000)
                bi = fmin(bi, tf_weight(ix, MATCH_F_GIVEN, a->tgiv));
        }
        if (bi > nb->below_giv)
            nb->below_giv = bi;
    }
    nb->a = ha;
}

/* Upper bound of the names' weight for the pair a, b from b's hot fields:
 * exact agreement is possible only where the fingerprints are equal;
 * anything else is at most the best lower level, in either reading (both
 * weigh a's names by a's frequencies). Reads no cold record. */
static double names_bound(const nbound_t *nb, const mhot_t *b)
{
    const mhot_t *a = nb->a;
    double normal = 0, swapped = -1e9;

    if (a->ffam && b->ffam)
        normal += a->ffam == b->ffam ? nb->ub_fam : nb->below_fam;
    if (a->fgiv && b->fgiv)
        normal += a->fgiv == b->fgiv ? nb->ub_giv : nb->below_giv;
    if (a->ffam && a->fgiv && b->ffam && b->fgiv)
        swapped = (a->ftfam == b->ftgiv ? nb->ub_fam : nb->below_fam) +
                  (a->ftgiv == b->ftfam ? nb->ub_giv : nb->below_giv);
    return normal > swapped ? normal : swapped;
}

/* An upper bound of the pair's weight from the fields that cost nothing
 * to compare, plus the most the names could add. */
static double cheap_ub(const match_index_t *ix, const mhot_t *a, const mhot_t *b, double names_ub,
                       double fat_ub)
{
    double w = names_ub;
    int d = match_compare_dates(&a->date, &b->date);
    /* Siblings' weights (wsib) apply only where the fathers agree. */
    const double (*wmax)[MATCH_MAXLEVELS] = a->hfat && a->hfat == b->hfat ? ix->wmaxsib : ix->wmax;

    if (d != MATCH_DATE_MISSING)
        w += wmax[MATCH_F_BIRTH][d];
    if (a->sex && b->sex)
        w += wmax[MATCH_F_SEX][a->sex == b->sex ? 0 : 1];
    if (a->hfat && b->hfat)
        w += a->hfat == b->hfat ? fmax(wmax[MATCH_F_FATHER][0], a->qfat / 8.0) : fat_ub;
    if (a->hplace && b->hplace) {
        if (a->hplace == b->hplace)
            w += fmax(wmax[MATCH_F_PLACE][0], a->qplace / 8.0);
        else if (a->place_id < 0 && b->place_id < 0)
            w += wmax[MATCH_F_PLACE][1] > wmax[MATCH_F_PLACE][2] ? wmax[MATCH_F_PLACE][1]
                                                                  : wmax[MATCH_F_PLACE][2];
        else
            w += wmax[MATCH_F_PLACE][2];
    }
    return w;
}

/* Keep a scored pair. 0, or -1 when memory ran out. */
static int keep_pair(worker_t *wk, uint32_t lo, uint32_t hi, double w, double pr)
{
    if (wk->npairs == wk->cap) {
        size_t cap = wk->cap ? wk->cap * 2 : 4096;
        match_pair_t *np = realloc(wk->pairs, cap * sizeof *np);

        if (!np)
            return -1;
        wk->pairs = np;
        wk->cap = cap;
    }
    wk->pairs[wk->npairs++] = (match_pair_t){lo, hi, (float)w, (float)pr};
    return 0;
}

/* How a record walks a run of postings: only the records after it (every
 * record probes the run), or also the earlier ones that did not probe it. */
enum walk {
    WALK_AFTER,    /* the run's own key: every record in it probes it */
    WALK_NODATE,   /* i has no date: meet the earlier records with a year (those
                      without one probed the run themselves) */
    WALK_YEAR_OFF  /* i's year moved by one: meet the earlier records with a full
                      date (those without a day probed it themselves) */
};

/* Compare record i with the records of one run of postings. sw: i's key
 * was built swapped (so swapped entries do not count); walk: enum walk. */
static int probe_run(worker_t *wk, size_t i, run_t sl, int sw, int back,
                     const nbound_t *nb, double fat_ub, double wmin)
{
    const match_index_t *ix = wk->ix;
    const uint32_t *run = sl.e;

    /* Entries of a key are in record order (the radix sort is stable):
     * walk down from the end to the first record not after this one. */
    for (uint32_t t = sl.len; t-- > 0;) {
        uint32_t j = run[t] & 0x7fffffffu, lo = (uint32_t)i, hi = j;
        int8_t lv[MATCH_NFIELDS];
        double w, pr, rest;
        int swp;

        if (j <= i) {
            /* A pair found twice is merged after the run. */
            if (back == WALK_AFTER)
                break;
            if (j == i || !ix->hot[j].date.year || (back == WALK_YEAR_OFF && !ix->hot[j].date.day))
                continue;
            lo = j, hi = (uint32_t)i;
        }
        if (t >= 8) { /* the loop is bound by memory: fetch ahead */
            uint32_t ahead = run[t - 8] & 0x7fffffffu;

            __builtin_prefetch(&ix->hot[ahead]);
            __builtin_prefetch(&wk->stamp[ahead]);
        }
        if ((sw && (run[t] & 0x80000000u)) || wk->stamp[j] == i + 1 || ix->hot[j].removed)
            continue;
        wk->stamp[j] = (uint32_t)(i + 1);
        wk->candidates++;
        rest = cheap_ub(ix, &ix->hot[i], &ix->hot[j], 0, fat_ub);
        if (rest + nb->ub_fam + nb->ub_giv < wmin)
            continue; /* cannot reach min_prob whatever the names */
        if (rest + names_bound(nb, &ix->hot[j]) < wmin)
            continue; /* nor with the names as their hashes say */
        w = score(ix, &ix->recs[lo], &ix->recs[hi], lv, &swp, NULL);
        pr = prob_of(ix, w);
        if (pr >= wk->min_prob && keep_pair(wk, lo, hi, w, pr) != 0)
            return -1;
    }
    return 0;
}

static void *dedup_worker(void *p)
{
    worker_t *wk = p;
    match_index_t *ix = wk->ix;
    const size_t chunk = 512;
    double wmin = log2(wk->min_prob / (1 - wk->min_prob)) - ix->prior - 1e-9;
    double fat_ub = fmax(ix->wmax[MATCH_F_FATHER][1],
                         fmax(ix->wmax[MATCH_F_FATHER][2], ix->wmax[MATCH_F_FATHER][3]));

    for (;;) {
        size_t from = __atomic_fetch_add(wk->next, chunk, __ATOMIC_RELAXED), to;

        if (from >= ix->n || wk->failed)
            break;
        to = from + chunk < ix->n ? from + chunk : ix->n;
        if (wk->first && wk->progress)
            wk->progress(wk->arg, from, ix->n);
        for (size_t i = from; i < to; i++) {
            const mrec_t *a = &ix->recs[i];

            if (a->removed)
                continue;
            nbound_t nb;
            uint64_t keys[NBLOCK * 2 * MAXKEYS * 2];
            uint8_t flags[NBLOCK * 2 * MAXKEYS * 2]; /* 1 swapped, 2 date-less rule, 4 year
                                                        moved, 8 NODATE_WIDE */
            uint16_t cap[NBLOCK * 2 * MAXKEYS * 2];  /* RULE_CAP of the key's rule */
            int nk = 0;

            nbound_init(ix, a, &ix->hot[i], &nb);
            /* All keys first, their slots fetched ahead, then the runs. */
            for (int rule = 0; rule < NBLOCK; rule++)
                for (int sw = 0; sw < 2; sw++) {
                    int got = NODATE_RULE(rule) && a->date.year ? 0 : rule_keys(a, rule, sw, keys + nk);

                    for (int g = 0; g < got; g++) {
                        flags[nk + g] = (uint8_t)(sw | (NODATE_RULE(rule) ? 2 : 0) |
                                                  (NODATE_WIDE(rule) ? 8 : 0));
                        cap[nk + g] = (uint16_t)RULE_CAP(rule);
                        __builtin_prefetch(&ix->slots[keys[nk + g] & (ix->nslots - 1)]);
                    }
                    nk += got;
                }
            if (a->date.year && !a->date.day)
                for (int rule = 0; rule < NBLOCK; rule++)
                    for (int sw = 0; YEAR_RULE(rule) && sw < 2; sw++)
                        for (int yoff = -1; yoff <= 1; yoff += 2) {
                            int got = rule_keys_year(a, rule, sw, yoff, keys + nk);

                            for (int g = 0; g < got; g++) {
                                flags[nk + g] = (uint8_t)(sw | 4);
                                cap[nk + g] = (uint16_t)RULE_CAP(rule);
                            }
                            nk += got;
                        }
            for (int k = 0; k < nk; k++) {
                run_t sl = find_run(ix, keys[k]);

                if (!sl.e)
                    continue;
                if (sl.len > (a->date.year || !(flags[k] & 8) ? cap[k] : NODATE_CAP)) {
                    wk->capped++;
                    continue;
                }
                if (probe_run(wk, i, sl, flags[k] & 1,
                              flags[k] & 4                              ? WALK_YEAR_OFF
                              : (flags[k] & 2) || sl.len > cap[k]     ? WALK_NODATE
                                                                      : WALK_AFTER,
                              &nb, fat_ub, wmin) != 0) {
                    wk->failed = 1;
                    return NULL;
                }
            }
        }
    }
    return NULL;
}

static int pair_cmp(const void *x, const void *y)
{
    const match_pair_t *a = x, *b = y;

    if (a->weight != b->weight)
        return a->weight < b->weight ? 1 : -1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static int pair_by_records(const void *x, const void *y)
{
    const match_pair_t *a = x, *b = y;

    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

int match_dedup(match_index_t *ix, double min_prob, int threads, match_progress_fn progress,
                void *arg, match_pair_t **pairs, size_t *npairs, match_stats_t *st)
{
    worker_t wk[16];
    pthread_t tid[16];
    size_t next = 0, total = 0;
    int rc = -1, started = 0;

    *pairs = NULL;
    *npairs = 0;
    if (threads < 1)
        threads = 1;
    if (threads > 16)
        threads = 16;
    if (ix->nbuilt != ix->n && match_index_build(ix, threads) != 0)
        return -1;
    memset(wk, 0, sizeof wk);
    for (int t = 0; t < threads; t++) {
        wk[t] = (worker_t){.ix = ix, .min_prob = min_prob, .next = &next, .first = t == 0,
                           .progress = progress, .arg = arg};
        wk[t].stamp = calloc(ix->n + 1, sizeof *wk[t].stamp);
        if (!wk[t].stamp)
            goto done;
    }
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[t], NULL, dedup_worker, &wk[t]) != 0)
            break;
        started = t;
    }
    dedup_worker(&wk[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < threads; t++) {
        if (wk[t].failed)
            goto done;
        total += wk[t].npairs;
    }
    *pairs = malloc(total * sizeof **pairs + 1);
    if (!*pairs)
        goto done;
    memset(st, 0, sizeof *st);
    for (int t = 0; t < threads; t++) {
        if (wk[t].npairs)
            memcpy(*pairs + *npairs, wk[t].pairs, wk[t].npairs * sizeof **pairs);
        *npairs += wk[t].npairs;
        st->candidates += wk[t].candidates;
        st->capped_blocks += wk[t].capped;
    }
    /* Merge the pairs found twice (see the date-less keys), then order. */
    qsort(*pairs, *npairs, sizeof **pairs, pair_by_records);
    {
        size_t k = 0;

        for (size_t i = 0; i < *npairs; i++)
            if (k == 0 || (*pairs)[i].a != (*pairs)[k - 1].a || (*pairs)[i].b != (*pairs)[k - 1].b)
                (*pairs)[k++] = (*pairs)[i];
        *npairs = k;
    }
    qsort(*pairs, *npairs, sizeof **pairs, pair_cmp);
    st->records = ix->n;
    st->kept = *npairs;
    st->lambda = ix->model.lambda;
    if (progress)
        progress(arg, ix->n, ix->n);
    rc = 0;
done:
    for (int t = 0; t < threads; t++) {
        free(wk[t].stamp);
        free(wk[t].pairs);
    }
    return rc;
}

/* ---- Clustering -------------------------------------------------------------- */

#define CLUSTER_MAX 64     /* a merge past this size is refused */
#define CONTRADICTION -6.0 /* a cross pair this weak vetoes a merge */
/* So does one whose disagreeing fields weigh this much together: more
 * than one field in outright disagreement (one, at the floor of m, weighs
 * about -8: a recording error or a place name two settlements share can
 * do that; two independent ones are not one person). */
#define CONTRADICTION_FIELDS (2 * CONTRADICTION)

/* Whether records x and y, one in each of two clusters, forbid merging
 * them; *w is their match weight. The evidence against counts field by
 * field: two namesakes born years apart to other fathers agree on the
 * names as much as they disagree on the rest, and their total weight,
 * near 0, hides that they cannot be one person. */
static int cross_pair_vetoes(const match_index_t *ix, uint32_t x, uint32_t y, double *w)
{
    int8_t lv[MATCH_NFIELDS];
    int sw;
    double fw[MATCH_NFIELDS], against = 0;

    *w = score(ix, &ix->recs[x], &ix->recs[y], lv, &sw, fw);
    for (int f = 0; f < MATCH_NFIELDS; f++)
        against += fw[f] < 0 ? fw[f] : 0;
    return *w < CONTRADICTION || against < CONTRADICTION_FIELDS;
}

/* All cross pairs of clusters ra and rb (each a chain of records through
 * next): 1 when one of them vetoes merging the two, else 0 with their
 * weights added to *sum and their number to *cnt. */
static int cross_pairs(const match_index_t *ix, const uint32_t *next, uint32_t ra, uint32_t rb, double *sum,
                       size_t *cnt)
{
    for (uint32_t x = ra; x != UINT32_MAX; x = next[x])
        for (uint32_t y = rb; y != UINT32_MAX; y = next[y]) {
            double w;

            if (cross_pair_vetoes(ix, x, y, &w))
                return 1;
            *sum += w;
            (*cnt)++;
        }
    return 0;
}

/* Add what record or profile q knows to the profile p of a cluster: each
 * field from the first member that has it, a full given name over an
 * initial, and the most precise of the birth dates that agree on the
 * year. A cluster is one person: what one record of it lacks another may
 * hold, and a record that agrees with the date of one and the father or
 * birthplace of another agrees with the person on all three. */
static void profile_add(mrec_t *p, const mrec_t *q)
{
    if (q->giv[0] && (!p->giv[0] || (!p->giv[1] && q->giv[1]))) {
        memcpy(p->giv, q->giv, sizeof p->giv);
        p->hgiv = q->hgiv, p->bgiv = q->bgiv, p->tgiv = q->tgiv, p->sgiv = q->sgiv;
        p->ginit = q->ginit;
        p->gfirst = q->gfirst;
        p->grp = (uint8_t)((p->grp & ~(G_GIV | G_TGIV)) | (q->grp & (G_GIV | G_TGIV)));
    }
    if (q->fam[0] && !p->fam[0]) {
        memcpy(p->fam, q->fam, sizeof p->fam);
        p->hfam = q->hfam, p->bfam = q->bfam, p->tfam = q->tfam, p->sfam = q->sfam;
        p->nfam = q->nfam;
        p->grp = (uint8_t)((p->grp & ~(G_FAM | G_TFAM)) | (q->grp & (G_FAM | G_TFAM)));
    }
    if (q->fat[0] && !p->fat[0]) {
        memcpy(p->fat, q->fat, sizeof p->fat);
        p->hfat = q->hfat, p->bfat = q->bfat, p->sfat = q->sfat, p->wfat = q->wfat;
        p->grp = (uint8_t)((p->grp & ~G_FAT) | (q->grp & G_FAT));
    }
    if (q->hplace && !p->hplace) {
        memcpy(p->place, q->place, sizeof p->place);
        p->hplace = q->hplace, p->splace = q->splace, p->place_id = q->place_id;
        p->wplace = q->wplace;
    }
    if (q->date.year && (!p->date.year || (q->date.year == p->date.year &&
                                           ((!p->date.month && q->date.month) ||
                                            (!p->date.day && q->date.day && q->date.month == p->date.month)))))
        p->date = q->date;
    if (!p->sex)
        p->sex = q->sex;
}

static uint32_t find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int match_cluster(const match_index_t *ix, const match_pair_t *pairs, size_t npairs,
                  double threshold, uint32_t *cluster)
{
    size_t n = ix->n;
    uint32_t *parent = malloc(n * sizeof *parent + 1), *next = malloc(n * sizeof *next + 1);
    uint32_t *size = malloc(n * sizeof *size + 1), *tail = malloc(n * sizeof *tail + 1);
    uint32_t *pslot = malloc(n * sizeof *pslot + 1); /* root -> its profile, or UINT32_MAX */
    mrec_t *prof = NULL;                                 /* profiles of clusters of 2 or more */
    size_t nprof = 0, capprof = 0;
    int rc = -1;

    if (!parent || !next || !size || !tail || !pslot)
        goto done;
    for (size_t i = 0; i < n; i++) {
        parent[i] = (uint32_t)i;
        next[i] = UINT32_MAX;
        size[i] = 1;
        tail[i] = (uint32_t)i;
        pslot[i] = UINT32_MAX;
    }
    for (size_t p = 0; p < npairs; p++) {
        uint32_t ra, rb;
        double sum = 0;
        size_t cnt = 0;

        if (pairs[p].prob < threshold)
            continue;
        ra = find_root(parent, pairs[p].a);
        rb = find_root(parent, pairs[p].b);
        if (ra == rb)
            continue;
        if (size[ra] + size[rb] > CLUSTER_MAX)
            continue;
        /* Check the merge against every cross pair, not only this one. */
        if (cross_pairs(ix, next, ra, rb, &sum, &cnt))
            continue;
        /* Then the two persons as wholes: the clusters' profiles (what
         * their records know together, profile_add), or failing that the
         * cross pairs' mean weight, must pass the threshold. Average
         * linkage alone took a record written bare as evidence against:
         * its pairs are at the prior, not against the match, and they
         * pulled the mean of a cluster that held one down, while the
         * profile of the same cluster knows its date, father and place.
         * The mean (of weights, log-likelihood ratios: the cross pairs as
         * one body of evidence, the prior applied once) still takes the
         * merges whose records agree pair by pair where the profiles,
         * holding one value a field, do not. */
        {
            const mrec_t *pa = pslot[ra] != UINT32_MAX ? &prof[pslot[ra]] : &ix->recs[ra];
            const mrec_t *pb = pslot[rb] != UINT32_MAX ? &prof[pslot[rb]] : &ix->recs[rb];
            int8_t lv[MATCH_NFIELDS];
            int sw;

            if (prob_of(ix, score(ix, pa, pb, lv, &sw, NULL)) < threshold &&
                (!cnt || prob_of(ix, sum / (double)cnt) < threshold))
                continue;
        }
        if (size[ra] < size[rb]) {
            uint32_t t = ra;

            ra = rb;
            rb = t;
        }
        {
            mrec_t add = pslot[rb] != UINT32_MAX ? prof[pslot[rb]] : ix->recs[rb];

            if (pslot[ra] == UINT32_MAX) {
                if (nprof == capprof) {
                    size_t cap = capprof ? capprof * 2 : 1024;
                    mrec_t *np = realloc(prof, cap * sizeof *np);

                    if (!np)
                        goto done;
                    prof = np;
                    capprof = cap;
                }
                prof[nprof] = ix->recs[ra];
                pslot[ra] = (uint32_t)nprof++;
            }
            profile_add(&prof[pslot[ra]], &add);
        }
        parent[rb] = ra;
        next[tail[ra]] = rb;
        tail[ra] = tail[rb];
        size[ra] += size[rb];
    }
    /* Label each cluster by its smallest record number. */
    for (size_t i = 0; i < n; i++)
        cluster[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = find_root(parent, (uint32_t)i);

        if (cluster[r] == UINT32_MAX)
            cluster[r] = (uint32_t)i;
        cluster[i] = cluster[r];
    }
    rc = 0;
done:
    free(parent);
    free(next);
    free(size);
    free(tail);
    free(pslot);
    free(prof);
    return rc;
}

/*
 * match_int.h - internals shared by the files of match/ (not for callers).
 */
#ifndef HW_MATCH_INT_H
#define HW_MATCH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"

/* String -> int32 map with open addressing; keys are copied. */
typedef struct match_strmap {
    char **keys;    /* NULL for an empty slot */
    int32_t *vals;  /* value per slot */
    size_t cap;     /* slots, a power of two */
    size_t n;       /* keys stored */
} match_strmap_t;

/* Value of key, or -1. */
int32_t match_strmap_get(const match_strmap_t *m, const char *key);
/* Store key -> val unless key is present. 0 or -1 (allocation). */
int match_strmap_put(match_strmap_t *m, const char *key, int32_t val);
void match_strmap_free(match_strmap_t *m);

struct match_ctx {
    match_strmap_t given;  /* folded given name -> equivalence group */
    match_strmap_t family; /* folded family name -> equivalence group */
    int32_t nfamilies;     /* family-name groups */
    match_strmap_t place;  /* folded place name -> settlement group */
    int32_t ngroups;       /* given-name groups */
    char **given_canon;    /* per given-name group: its first folded form */
    uint32_t *given_first; /* per given-name group: bit c - 'a' for each letter c that
                              a written form (in Latin) begins with */
    int32_t nplaces;       /* settlement groups */
    match_norm_t *nz;      /* for match_ctx_place_id (single-threaded use) */
};

/* Russian patronymic endings in Latin, longest first, NULL-terminated:
 * what match_strip_patronymic cuts (index.c tries the other cuts). */
extern const char *const match_patronymic_endings[];

/* 32-bit FNV-1a of a string, never 0 (0 means "missing"). */
uint32_t match_hash32(const char *s);

#endif

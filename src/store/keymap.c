/*
 * keymap.c - UUID to rowid hints for reads (see keymap.h).
 *
 * Why: with 100,000 persons the UUID index of persons is 5 MB of pages that
 * compete with the rows for each reader's page cache, so most GETs read a
 * page of it from the OS (a pread) and walk it. A hint here costs a hash
 * and an uncontended lock.
 *
 * How: 64 shards by the UUID's first byte, each an open-addressed table
 * (linear probing, at most half full) under a mutex of its own. The UUID is
 * kept as its 16 bytes; version 4 UUIDs are random, so their own bits serve
 * as the hash.
 */
#include "keymap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uuid.h>

#define SHARDS 64
#define SHARD_MAX (KEYMAP_MAX / SHARDS)

typedef struct hint {
    uint64_t  hi, lo; /* the UUID */
    long long rowid;  /* 0: a free slot */
} hint_t;

static struct shard {
    pthread_mutex_t lock;
    hint_t         *slots;
    size_t          cap; /* slots, a power of two (0 before the first hint) */
    size_t          n;   /* hints held */
} shards[SHARDS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&shards[i].lock, NULL);
}

/* The 128 bits of a UUID's text in lower case (the form rows hold; libuuid
 * reads it); 0 when it is not one. */
static int parse(const char *s, uint64_t *hi, uint64_t *lo)
{
    uuid_t u;

    pthread_once(&once, init);
    if (strnlen(s, 37) != 36 || strpbrk(s, "ABCDEF") || uuid_parse(s, u) != 0)
        return 0;
    *hi = *lo = 0;
    for (int i = 0; i < 8; i++) {
        *hi = *hi << 8 | u[i];
        *lo = *lo << 8 | u[i + 8];
    }
    return 1;
}

static struct shard *shard_of(uint64_t hi)
{
    return &shards[hi >> 56 & (SHARDS - 1)];
}

/* The slot of (hi, lo) in sh, or the free slot where it would go. */
static hint_t *probe(struct shard *sh, uint64_t hi, uint64_t lo)
{
    size_t i = (size_t)(lo ^ lo >> 29) & (sh->cap - 1);

    while (sh->slots[i].rowid && !(sh->slots[i].hi == hi && sh->slots[i].lo == lo))
        i = (i + 1) & (sh->cap - 1);
    return &sh->slots[i];
}

long long keymap_get(const char *uuid)
{
    uint64_t hi, lo;
    struct shard *sh;
    long long rowid = 0;

    if (!uuid || !parse(uuid, &hi, &lo))
        return 0;
    sh = shard_of(hi);
    pthread_mutex_lock(&sh->lock);
    if (sh->cap)
        rowid = probe(sh, hi, lo)->rowid;
    pthread_mutex_unlock(&sh->lock);
    return rowid;
}

/* Doubles sh's table (or makes its first one). 0 on success. */
static int grow(struct shard *sh)
{
    size_t cap = sh->cap ? sh->cap * 2 : 256;
    hint_t *old = sh->slots;
    size_t oldcap = sh->cap;

    sh->slots = calloc(cap, sizeof *sh->slots);
    if (!sh->slots) {
        sh->slots = old;
        return -1;
    }
    sh->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].rowid)
            *probe(sh, old[i].hi, old[i].lo) = old[i];
    free(old);
    return 0;
}

void keymap_put(const char *uuid, long long rowid)
{
    uint64_t hi, lo;
    struct shard *sh;
    hint_t *h;

    if (!uuid || rowid <= 0 || !parse(uuid, &hi, &lo))
        return;
    sh = shard_of(hi);
    pthread_mutex_lock(&sh->lock);
    if (sh->cap) {
        h = probe(sh, hi, lo);
        if (h->rowid) {
            h->rowid = rowid; /* the row moved: the newer hint wins */
            goto out;
        }
    }
    if (sh->n >= SHARD_MAX || ((sh->n + 1) * 2 > sh->cap && grow(sh) != 0))
        goto out;
    h = probe(sh, hi, lo);
    *h = (hint_t){hi, lo, rowid};
    sh->n++;
out:
    pthread_mutex_unlock(&sh->lock);
}

void keymap_clear(void)
{
    pthread_once(&once, init);
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&shards[i].lock);
        free(shards[i].slots);
        shards[i].slots = NULL;
        shards[i].cap = shards[i].n = 0;
        pthread_mutex_unlock(&shards[i].lock);
    }
}

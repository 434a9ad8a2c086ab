/*
 * audit.c - the hash-chained, checkpointed audit log (see audit.h).
 *
 * hash = BLAKE2b-256(prev_hash || each column length-prefixed), so no two
 * different entries serialise alike. A checkpoint signs the text
 * "homeward-audit-checkpoint 1\nsize N\nat T\nhead HEX\n".
 */
#include "audit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sec/crypt.h"
#include "store/audit_store.h"
#include "store/db.h"

static void absorb(crypto_generichash_state *h, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0xffffffffu;
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                            (unsigned char)n};

    crypto_generichash_update(h, len, sizeof len);
    if (s)
        crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
}

static void entry_hash(const audit_row_t *r, unsigned char *out)
{
    crypto_generichash_state h;
    char user[24], org[24];

    snprintf(user, sizeof user, "%lld", r->user_id);
    snprintf(org, sizeof org, "%lld", r->org_id);
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, r->prev, 32);
    absorb(&h, r->at);
    absorb(&h, user);
    absorb(&h, org);
    absorb(&h, r->action);
    absorb(&h, r->kind);
    absorb(&h, r->uuid);
    absorb(&h, r->fields);
    absorb(&h, r->purpose);
    absorb(&h, r->client);
    crypto_generichash_final(&h, out, 32);
}

static void checkpoint_text(const audit_checkpoint_t *c, char *out, size_t n)
{
    char hex[65];

    sodium_bin2hex(hex, sizeof hex, c->head, 32);
    snprintf(out, n, "homeward-audit-checkpoint 1\nsize %lld\nat %s\nhead %s\n", c->size, c->at, hex);
}

static int make_checkpoint(sqlite3 *db, const unsigned char *head, long long size, const char *now)
{
    audit_checkpoint_t c = {0};
    char text[256];

    c.size = size;
    snprintf(c.at, sizeof c.at, "%s", now);
    memcpy(c.head, head, 32);
    checkpoint_text(&c, text, sizeof text);
    if (crypt_sign((const unsigned char *)text, strlen(text), c.signature) != 0)
        return SQLITE_ERROR;
    return store_checkpoint_insert(db, &c);
}

/* Seconds since an ISO time of ours. */
static long age(const char *at)
{
    struct tm tm = {0};

    if (!strptime(at, "%Y-%m-%dT%H:%M:%S", &tm))
        return 0;
    return (long)(time(NULL) - timegm(&tm));
}

int audit_add(sqlite3 *db, const audit_entry_t *e)
{
    audit_row_t r = {0};
    audit_checkpoint_t last;
    long long count;
    char now[32];
    int rc;

    if (store_audit_head(db, r.prev, &count) != SQLITE_OK)
        return SQLITE_ERROR;
    db_now(now);
    r.at = now;
    r.user_id = e->user_id;
    r.org_id = e->org_id;
    r.action = e->action;
    r.kind = e->record_kind;
    r.uuid = e->record_uuid;
    r.fields = e->fields;
    r.purpose = e->purpose;
    r.client = e->client;
    entry_hash(&r, r.hash);
    rc = store_audit_insert(db, &r);
    if (rc != SQLITE_OK || !crypt_ready())
        return rc;
    count++;
    if (count % AUDIT_CHECKPOINT_EVERY == 0 ||
        (store_checkpoint_latest(db, &last) == 0 ? age(last.at) > AUDIT_CHECKPOINT_SECONDS : count == 1))
        rc = make_checkpoint(db, r.hash, count, now);
    return rc;
}

int audit_checkpoint(sqlite3 *db)
{
    unsigned char head[32];
    long long count;
    char now[32];

    if (store_audit_head(db, head, &count) != SQLITE_OK)
        return SQLITE_ERROR;
    db_now(now);
    return make_checkpoint(db, head, count, now);
}

json_t *audit_checkpoint_json(sqlite3 *db)
{
    audit_checkpoint_t c;
    unsigned char pk[32];
    char head[65], sig[129], pub[65];

    if (store_checkpoint_latest(db, &c) != 0 || crypt_sign_public(pk) != 0)
        return NULL;
    sodium_bin2hex(head, sizeof head, c.head, 32);
    sodium_bin2hex(sig, sizeof sig, c.signature, 64);
    sodium_bin2hex(pub, sizeof pub, pk, 32);
    return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "format", "homeward-audit-checkpoint 1", "size",
                     (json_int_t)c.size, "at", c.at, "head", head, "signature", sig, "public_key", pub);
}

/* ---- verification ---- */

typedef struct verify {
    unsigned char  expect[32]; /* the hash the next entry must point at */
    unsigned char *hashes;     /* the hash after each entry, 32 bytes each */
    long long      count, cap;
    char          *report;
    size_t         n;
    unsigned char  pk[32];
    int            have_pk;
} verify_t;

static int verify_entry(void *cls, const audit_row_t *r)
{
    verify_t *v = cls;
    unsigned char h[32];
    audit_row_t copy = *r;

    v->count++;
    if (!r->hash_ok) {
        snprintf(v->report, v->n, "broken at entry #%lld (seq %lld): its hashes are missing", v->count, r->id);
        return 1;
    }
    if (memcmp(r->prev, v->expect, 32) != 0) {
        snprintf(v->report, v->n,
                 "broken at entry #%lld (seq %lld): it does not follow the entry before it "
                 "(an entry was deleted, inserted or moved here)", v->count, r->id);
        return 1;
    }
    entry_hash(&copy, h);
    if (memcmp(h, r->hash, 32) != 0) {
        snprintf(v->report, v->n, "broken at entry #%lld (seq %lld): its contents were altered", v->count, r->id);
        return 1;
    }
    memcpy(v->expect, r->hash, 32);
    if (v->count > v->cap) {
        long long cap = v->cap ? v->cap * 2 : 4096;
        unsigned char *p = realloc(v->hashes, (size_t)cap * 32);
        if (!p) {
            snprintf(v->report, v->n, "out of memory");
            return -1;
        }
        v->hashes = p;
        v->cap = cap;
    }
    memcpy(v->hashes + (v->count - 1) * 32, r->hash, 32);
    return 0;
}

/* Check one checkpoint against the replayed chain. */
static int check_point(verify_t *v, const audit_checkpoint_t *c, const unsigned char *pk, const char *what)
{
    char text[256];

    checkpoint_text(c, text, sizeof text);
    if (crypto_sign_verify_detached(c->signature, (const unsigned char *)text, strlen(text), pk) != 0) {
        snprintf(v->report, v->n, "%s of size %lld at %s has a bad signature", what, c->size, c->at);
        return 1;
    }
    if (c->size > v->count) {
        snprintf(v->report, v->n, "broken: %s at %s covers %lld entries but the log has %lld (entries were removed "
                 "from the end)", what, c->at, c->size, v->count);
        return 1;
    }
    if (c->size > 0 && memcmp(v->hashes + (c->size - 1) * 32, c->head, 32) != 0) {
        snprintf(v->report, v->n, "broken: the log up to entry #%lld differs from the %s signed at %s (it was "
                 "rewritten)", c->size, what, c->at);
        return 1;
    }
    return 0;
}

static int verify_checkpoint(void *cls, const audit_checkpoint_t *c)
{
    verify_t *v = cls;

    if (!v->have_pk) {
        snprintf(v->report, v->n, "cannot check checkpoints: no key loaded");
        return -1;
    }
    return check_point(v, c, v->pk, "checkpoint");
}

static int hex32(json_t *j, unsigned char *out, size_t len)
{
    const char *s = json_string_value(j);
    size_t got;

    return s && sodium_hex2bin(out, len, s, strlen(s), NULL, &got, NULL) == 0 && got == len ? 0 : -1;
}

int audit_verify(sqlite3 *db, json_t *external, char *report, size_t n)
{
    verify_t v = {0};
    int rc, checkpoints = 0;
    audit_checkpoint_t last;

    v.report = report;
    v.n = n;
    report[0] = '\0';
    v.have_pk = crypt_sign_public(v.pk) == 0;
    rc = store_audit_each(db, verify_entry, &v);
    if (rc == 0)
        rc = store_checkpoint_each(db, verify_checkpoint, &v);
    if (rc == 0 && external) {
        audit_checkpoint_t c = {0};
        unsigned char pk[32];
        const char *at = json_string_value(json_object_get(external, "at"));

        c.size = json_integer_value(json_object_get(external, "size"));
        snprintf(c.at, sizeof c.at, "%s", at ? at : "");
        if (hex32(json_object_get(external, "head"), c.head, 32) || hex32(json_object_get(external, "public_key"), pk, 32) ||
            hex32(json_object_get(external, "signature"), c.signature, 64)) {
            snprintf(report, n, "the exported checkpoint is not one homeward wrote");
            rc = -1;
        } else if (v.have_pk && memcmp(pk, v.pk, 32) != 0) {
            snprintf(report, n, "the exported checkpoint was signed by another key");
            rc = 1;
        } else {
            rc = check_point(&v, &c, pk, "the exported checkpoint");
        }
    }
    if (rc == 0) {
        checkpoints = (int)store_checkpoint_count(db);
        if (store_checkpoint_latest(db, &last) == 0)
            snprintf(report, n, "ok: %lld entries, chain intact, %d signed checkpoints verified (latest covers %lld)%s",
                     v.count, checkpoints, last.size, external ? ", exported checkpoint matches" : "");
        else
            snprintf(report, n, "ok: %lld entries, chain intact, no checkpoint yet", v.count);
    }
    free(v.hashes);
    return rc;
}

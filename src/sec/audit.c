/*
 * audit.c - the hash-chained audit log (see audit.h).
 *
 * hash = BLAKE2b-256(prev_hash || the entry's columns, each length-prefixed),
 * so that no two different entries can serialise alike.
 */
#include "audit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"

static void absorb(crypto_generichash_state *h, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0xffffffffu;
    unsigned char len[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};

    crypto_generichash_update(h, len, sizeof len);
    if (s)
        crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
}

int audit_add(sqlite3 *db, const audit_entry_t *e)
{
    unsigned char prev[32] = {0}, hash[32];
    crypto_generichash_state h;
    char now[32], user[24], org[24];
    sqlite3_stmt *st;
    int rc;

    st = db_prepare(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
    if (!st)
        return SQLITE_ERROR;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
        memcpy(prev, sqlite3_column_blob(st, 0), 32);
    sqlite3_finalize(st);

    db_now(now);
    snprintf(user, sizeof user, "%lld", e->user_id);
    snprintf(org, sizeof org, "%lld", e->org_id);
    crypto_generichash_init(&h, NULL, 0, sizeof hash);
    crypto_generichash_update(&h, prev, sizeof prev);
    absorb(&h, now);
    absorb(&h, user);
    absorb(&h, org);
    absorb(&h, e->action);
    absorb(&h, e->record_kind);
    absorb(&h, e->record_uuid);
    absorb(&h, e->fields);
    absorb(&h, e->purpose);
    absorb(&h, e->client);
    crypto_generichash_final(&h, hash, sizeof hash);

    st = db_prepare(db, "INSERT INTO audit (at, user_id, organisation_id, action, record_kind,"
                        " record_uuid, fields, purpose, client, prev_hash, hash)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if (e->user_id)
        sqlite3_bind_int64(st, 2, e->user_id);
    if (e->org_id)
        sqlite3_bind_int64(st, 3, e->org_id);
    db_bind_text(st, 4, e->action);
    db_bind_text(st, 5, e->record_kind);
    db_bind_text(st, 6, e->record_uuid);
    db_bind_text(st, 7, e->fields);
    db_bind_text(st, 8, e->purpose);
    db_bind_text(st, 9, e->client);
    sqlite3_bind_blob(st, 10, prev, sizeof prev, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 11, hash, sizeof hash, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

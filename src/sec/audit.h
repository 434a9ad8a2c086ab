/*
 * audit.h - the audit log: one entry per write, reveal, export and login,
 * each holding the hash of the one before it, so that editing, deleting,
 * inserting or reordering entries breaks the chain; and signed checkpoints
 * (Ed25519) of the chain's head every AUDIT_CHECKPOINT_EVERY entries or
 * hour, so that even a rewrite of the whole chain, or a cut of its tail, is
 * caught. Entries name fields, never their values.
 */
#ifndef HW_AUDIT_H
#define HW_AUDIT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>

#define AUDIT_CHECKPOINT_EVERY 1000
#define AUDIT_CHECKPOINT_SECONDS 3600

typedef struct audit_entry {
    long long   user_id;     /* 0 when nobody is logged in */
    long long   org_id;      /* 0 when none */
    const char *action;      /* e.g. "person.create", "login.failed" */
    const char *record_kind; /* e.g. "person", or NULL */
    const char *record_uuid; /* or NULL */
    const char *fields;      /* JSON array of field names, or NULL */
    const char *purpose;     /* a purpose code for reveals, or NULL */
    const char *client;      /* client address, or NULL */
} audit_entry_t;

/* Append an entry (inside the caller's transaction when there is one), and
 * a signed checkpoint when one is due and a key is loaded. SQLite code. */
int audit_add(sqlite3 *db, const audit_entry_t *e);
/* Write a signed checkpoint of the current head now. SQLite code. */
int audit_checkpoint(sqlite3 *db);
/* The latest checkpoint as JSON {size, at, head, signature, public_key},
 * hex-encoded, for a partner to keep outside the server; NULL when none. */
json_t *audit_checkpoint_json(sqlite3 *db);
/* Replay the chain and every checkpoint (and, when given, a checkpoint
 * exported earlier). Returns 0 when intact, 1 when broken, -1 on error;
 * report gets one line either way. */
int audit_verify(sqlite3 *db, json_t *external, char *report, size_t n);

#endif

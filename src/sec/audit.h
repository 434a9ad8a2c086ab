/*
 * audit.h - the audit log: one entry per write, reveal, export and login,
 * each holding the hash of the one before it, so that an edit, a deletion
 * or a reordering of entries breaks the chain.
 *
 * Entries name fields, never their values.
 */
#ifndef HW_AUDIT_H
#define HW_AUDIT_H

#include <sqlite3.h>

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

/* Append an entry (inside the caller's transaction when there is one).
 * Returns an SQLite code. */
int audit_add(sqlite3 *db, const audit_entry_t *e);

#endif

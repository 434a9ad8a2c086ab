/*
 * domain.h - the rules of the registry, shared by the API, the web pages and
 * the command line. Knows nothing about HTTP: callers pass a context (who
 * acts, on which connection) and get JSON or an error that names the field.
 */
#ifndef HW_DOMAIN_H
#define HW_DOMAIN_H

#include <jansson.h>
#include <sqlite3.h>

#include "store/record.h"
#include "util/text.h"

/* Who is acting, through which connection. Owned by the caller. */
typedef struct dom_ctx {
    sqlite3       *db;       /* a connection of the caller's */
    text_folder_t *folder;   /* the caller's search folder */
    long long      user_id;  /* 0 for the system (CLI jobs) */
    long long      org_id;   /* the user's organisation, or 0 */
    const char    *username; /* for messages; may be NULL */
    const char    *role;     /* "admin", "registrar"...; NULL for the system */
    const char    *client;   /* client address for the audit log, or NULL */
    int            batch;    /* 1: the caller holds a transaction; writes
                              * nest in savepoints (bulk jobs) */
    void          *matcher;  /* this worker's searcher of the registry's
                              * person matcher, or NULL when none runs */
} dom_ctx_t;

/* Per-worker resources of the domain (the matcher's searcher): the server
 * calls these once for each worker thread's context. */
void dom_worker_init(dom_ctx_t *c);
void dom_worker_free(dom_ctx_t *c);

/* Begin, commit or roll back one write: a transaction, or a savepoint
 * inside the caller's when c->batch is set. 0 or an SQLite code. */
int dom_begin(dom_ctx_t *c);
int dom_commit(dom_ctx_t *c);
void dom_rollback(dom_ctx_t *c);

/* Error kinds; the numbers are the HTTP statuses the API answers with. */
enum {
    DOM_OK        = 0,
    DOM_BAD       = 400, /* malformed request (not JSON, bad parameter) */
    DOM_FORBIDDEN = 403,
    DOM_NOT_FOUND = 404,
    DOM_CONFLICT  = 409, /* a rule refused it, e.g. an illegal status move */
    DOM_STALE     = 412, /* the record changed since the client read it */
    DOM_INVALID   = 422, /* a field's value is wrong */
    DOM_NEED_VERSION = 428, /* a write without If-Match or version */
    DOM_INTERNAL  = 500,
};

/* What went wrong, for the caller to report. */
typedef struct dom_err {
    int     status;      /* DOM_* */
    char    field[64];   /* the first offending field, or "" */
    char    detail[256]; /* one sentence for people */
    json_t *errors;      /* every field error: [{field, detail}] (owned), or NULL */
    json_t *extra;       /* more members for the answer, e.g. allowed moves (owned) */
} dom_err_t;

/* Record an error (the first one sets field and detail; all are listed). */
void dom_fail(dom_err_t *err, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void dom_err_clear(dom_err_t *err);

/* Hooks an entity may give to the generic operations. */
typedef struct dom_entity {
    const rec_entity_t *rec;
    /* Cross-field rules and derived values, after field validation; rec is
     * the record as it will be (old values with the patch applied), v the
     * values to write (may be amended). 0 or -1 with err set. */
    int (*prepare)(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err);
    /* After the row is written, inside the transaction. */
    int (*after_write)(dom_ctx_t *c, long long id, json_t *rec, dom_err_t *err);
    /* Add related data to a single record being read (not in lists). */
    void (*decorate)(dom_ctx_t *c, long long id, json_t *rec);
    /* After a create or an update has committed: out is the answer. */
    void (*after_commit)(dom_ctx_t *c, long long id, json_t *out);
    /* Records whose names match free text otherwise than by word prefix
     * (the matcher): a JSON array of uuids, or NULL. */
    json_t *(*search)(dom_ctx_t *c, const char *q);
    /* After a create or an update has committed, outside the writer (in
     * the caller's thread, on its own connection): work that may add to
     * the answer but need not hold up everyone else's writes, such as
     * looking for duplicates. */
    void (*after_reply)(dom_ctx_t *c, long long id, json_t *out);
} dom_entity_t;

extern const dom_entity_t dom_person, dom_household, dom_return;

/* Generic operations. Each returns a new JSON reference or NULL with err. */
json_t *dom_create(dom_ctx_t *c, const dom_entity_t *d, json_t *body, dom_err_t *err);
/* if_version: the version the client read (If-Match), or -1 to take it
 * from the body's "version" member. */
json_t *dom_update(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long if_version,
                   json_t *body, dom_err_t *err);
json_t *dom_get(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, dom_err_t *err);
/* Read one record with some protected fields shown: reveal is a comma list
 * of field names, purpose a code from the purpose list; the role must be
 * allowed to see each field, and the reveal is audited with its purpose.
 * Without reveal, protected fields are withheld and listed under
 * "protected". */
json_t *dom_get_revealed(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, const char *reveal,
                         const char *purpose, dom_err_t *err);
/* The record as dom_get gives it, as JSON text (malloc'd; *len its length),
 * written straight from its row when the entity adds nothing to it: the
 * plain GET, the most frequent request. *version gets its version. */
char *dom_get_text(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long *version, size_t *len,
                   dom_err_t *err);
/* Member k of rec as a string, NULL when absent, not a string or empty. */
const char *dom_str(json_t *rec, const char *k);
/* 1 when to is one of the moves listed in allowed (a JSON array of
 * statuses, taken and freed), 0 when not. */
int dom_move_listed(json_t *allowed, const char *to);
/* The organisation whose restricted records this caller may see; -1 for
 * the system itself (command-line jobs), which sees all. */
long long dom_viewer_org(dom_ctx_t *c);
/* params: the query parameters as a JSON object of strings. Answers
 * {"items": [...], "next": cursor or null}. */
json_t *dom_list(dom_ctx_t *c, const dom_entity_t *d, json_t *params, dom_err_t *err);
json_t *dom_history(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, dom_err_t *err);

/* Validate body against the entity's fields into v. old is the stored
 * record (NULL when creating). Returns 0 or -1 with every error in err. */
int dom_validate(dom_ctx_t *c, const rec_entity_t *e, json_t *body, json_t *old, rec_val_t *v,
                 dom_err_t *err);

/* Validate one value of field f into *v (used for list filters too). */
int dom_check_value(dom_ctx_t *c, const rec_field_t *f, json_t *j, rec_val_t *v, dom_err_t *err);

/* Return cases: move a case to another status. body: {"to", "reason", "date"}.
 * if_version: the version read (If-Match); -1 to take it from the body's
 * "version" (428 without one); RETURN_ANY_VERSION for trusted jobs. */
#define RETURN_ANY_VERSION (-3)
json_t *return_transition(dom_ctx_t *c, const char *uuid, long long if_version, json_t *body,
                          dom_err_t *err);
/* The statuses a case in status `from` may move to (JSON array of strings);
 * suspended_from is the status a suspended case came from. */
json_t *return_allowed_moves(const char *from, const char *suspended_from);
/* 1 when the move is allowed. */
int return_move_allowed(const char *from, const char *suspended_from, const char *to);

/* Erase a record on a data-protection request (reason: a code such as
 * data_subject_request); the audit keeps the fact and the UUID only. */
int dom_erase(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, const char *reason, dom_err_t *err);
/* Retention per record kind (person, household, return_case) in days;
 * 0 keeps records indefinitely. */
int dom_retention_set(dom_ctx_t *c, const char *kind, long days, dom_err_t *err);
json_t *dom_retention_list(dom_ctx_t *c);
/* Erase every closed record past its kind's retention, and stale sessions;
 * answers {kind: count}. With dry_run nothing is erased. */
json_t *dom_purge(dom_ctx_t *c, int dry_run, dom_err_t *err);

/* Gazetteer: look settlements up by any of their names. */
json_t *settlement_search(dom_ctx_t *c, const char *q, int limit, dom_err_t *err);
json_t *settlement_get(dom_ctx_t *c, const char *id, dom_err_t *err);
/* Load the embedded gazetteer into the database (insert or update). Returns
 * the number of settlements, or -1. */
int settlement_load(dom_ctx_t *c);

#endif

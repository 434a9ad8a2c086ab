/*
 * record.h - generic storage of registry records described by a table of
 * fields: one descriptor per entity (persons, households, return cases...)
 * drives reading a row into JSON, inserting, updating, listing with filters,
 * sorting and cursor pagination, and the per-version history.
 *
 * SQL text here is assembled only from the descriptors' constant table and
 * column names, never from request data; every value is bound.
 */
#ifndef HW_RECORD_H
#define HW_RECORD_H

#include <jansson.h>
#include <sqlite3.h>

typedef enum rec_type {
    RT_TEXT,       /* a string */
    RT_ENUM,       /* a string from values[] */
    RT_PDATE,      /* a partial date: 1978, 1978-05, 1978-05-12, with ~ */
    RT_DATE,       /* a full date YYYY-MM-DD */
    RT_INT,        /* an integer in [min, max] */
    RT_REAL,       /* a number */
    RT_BOOL,       /* true or false, stored 0/1 */
    RT_REF,        /* the UUID of a record of ref_table, stored as its key */
    RT_SETTLEMENT, /* a gazetteer id, e.g. "stepanakert" */
    RT_CODES,      /* an array of distinct codes from values[], JSON text */
    RT_STRINGS,    /* an array of strings, JSON text */
    RT_COUNTRY,    /* ISO 3166-1 alpha-2, upper case */
} rec_type_t;

enum {
    RF_REQUIRED  = 1 << 0, /* must be present and not null on create */
    RF_PROTECTED = 1 << 1, /* personal data kept sealed; history names it only */
    RF_READONLY  = 1 << 2, /* set by the domain, never by a client */
    RF_FILTER    = 1 << 3, /* ?name=value filters lists */
    RF_SORT      = 1 << 4, /* ?sort=name or -name */
    RF_MULTILINE = 1 << 5, /* text may hold line breaks */
    RF_PAST      = 1 << 6, /* a date that cannot be in the future */
    RF_VIRTUAL   = 1 << 7, /* a derived column: read, filter, sort; never written */
};

typedef struct rec_field {
    const char        *name;      /* JSON member name */
    const char        *column;    /* column of the entity's table */
    rec_type_t         type;      /* value kind */
    unsigned           flags;     /* RF_* */
    int                min;       /* RT_INT: least value */
    int                max;       /* text: most characters; RT_INT: most; arrays: most items */
    const char *const *values;    /* RT_ENUM / RT_CODES: NULL-terminated list */
    const char        *ref_table; /* RT_REF: table whose uuid the JSON carries */
} rec_field_t;

enum {
    RE_NUMBER     = 1 << 0, /* has a human-readable number with check digit */
    RE_ORG        = 1 << 1, /* has organisation_id and restricted */
};

typedef struct rec_entity {
    const char        *kind;       /* singular name for history and audit: "person" */
    const char        *table;      /* table name: "persons" */
    const char        *prefix;     /* number prefix, "HW"; with RE_NUMBER */
    unsigned           flags;      /* RE_* */
    const rec_field_t *fields;     /* the fields clients see */
    int                nfields;
    const char        *search_sql; /* optional: a condition with two '?' (a word
                                    * range lo, hi) used once per search word */
    const char        *default_sort; /* field name, or NULL for creation order */
} rec_entity_t;

/* One field's value in a write. Strings are owned and freed by rec_vals_free. */
typedef struct rec_val {
    int       set;  /* present in this write */
    int       null; /* set to NULL */
    long long i;    /* RT_INT, RT_BOOL, RT_REF (the resolved key) */
    double    d;    /* RT_REAL */
    char     *s;    /* every text-like kind, JSON text for arrays */
} rec_val_t;

/* Who writes, and when: filled by the caller. */
typedef struct rec_actor {
    long long   user_id; /* 0 for the system */
    long long   org_id;  /* 0 for none */
    const char *now;     /* ISO 8601 UTC */
} rec_actor_t;

rec_val_t *rec_vals_new(const rec_entity_t *e);
void rec_vals_free(const rec_entity_t *e, rec_val_t *v);

/* Index of the field called name, or -1. */
int rec_field_index(const rec_entity_t *e, const char *name);

/* Bind value v of field f at position i of st; a protected value is sealed
 * for the record uuid (and column). Returns an SQLite code. */
int rec_bind_value(sqlite3_stmt *st, int i, const rec_field_t *f, const rec_val_t *v, const char *uuid);

/* Key of the record with this uuid in table, or 0. */
long long rec_key(sqlite3 *db, const char *table, const char *uuid);
/* The key of the record with this uuid when a reader of organisation
 * viewer_org (-1: the system) may see it; 0 when absent or hidden. */
long long rec_find(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org);
/* 1 when a reader of organisation viewer_org (-1: the system) may see
 * record id: it is not restricted, or it is their organisation's. */
int rec_visible(sqlite3 *db, const rec_entity_t *e, long long id, long long viewer_org);
/* The uuid of record id in table (malloc'd), or NULL. */
char *rec_uuid(sqlite3 *db, const char *table, long long id);
/* 1 when a settlement with this id exists. */
int rec_settlement_exists(sqlite3 *db, const char *id);

/* Set v to a copy of text s (written as given). */
void rec_val_set_text(rec_val_t *v, const char *s);

/* Read the record with key id as JSON (new reference), or NULL when absent.
 * Protected fields are included; callers strip what a reader may not see. */
json_t *rec_get(sqlite3 *db, const rec_entity_t *e, long long id);
/* Read the record with this uuid when a reader of organisation viewer_org
 * (-1: the system) may see it, as JSON (new reference), or NULL when absent
 * or hidden; *id gets its key (0 when none). Protected field i is opened
 * only when bit i of open is set; the others are left out, and the array
 * "protected" names those that hold a value, opened or not. */
json_t *rec_read(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org,
                 unsigned long long open, long long *id);
/* As rec_read with no field opened, as JSON text (malloc'd; *len its
 * length) written straight from the row; *version gets its version. */
char *rec_read_text(sqlite3 *db, const rec_entity_t *e, const char *uuid, long long viewer_org, long long *id,
                    long long *version, size_t *len);

/* Insert a record with the values set in v. Assigns uuid, number, version 1.
 * *id gets the key. Returns an SQLite code. Call inside a transaction. */
int rec_insert(sqlite3 *db, const rec_entity_t *e, const rec_val_t *v, const rec_actor_t *a,
               long long *id);
/* Update the fields set in v when the stored version is still version;
 * bumps the version. *changed is 0 when the version was stale. */
int rec_update(sqlite3 *db, const rec_entity_t *e, long long id, long long version,
               const rec_val_t *v, const rec_actor_t *a, int *changed);

/* A list request. Filters pair a field index with the text the client sent,
 * already checked by the domain. */
typedef struct rec_filter {
    int         field; /* index into e->fields */
    const char *value; /* the value as text */
} rec_filter_t;

typedef struct rec_query {
    const rec_filter_t *filters;  /* equality filters */
    int                 nfilters;
    const char *const  *words;    /* search words (folded), each a prefix */
    int                 nwords;
    const char *const  *uuids;    /* records found otherwise (the matcher):
                                   * these match the search too */
    int                 nuuids;
    int                 sort;     /* field index, or -1 for creation order */
    int                 desc;     /* 1 for descending */
    const char         *after_val;/* cursor: sort value of the last row seen */
    long long           after_id; /* cursor: key of the last row seen, 0 for none */
    int                 limit;    /* rows to return */
    int                 only_active; /* 1: record_status = 'active' */
    long long           viewer_org;  /* -1: sees all; else restricted rows of
                                      * other organisations are left out */
} rec_query_t;

/* Run a list query: *items gets a JSON array, *last_val/last_id describe the
 * last row (for the next cursor) and *more whether rows remain. */
int rec_list(sqlite3 *db, const rec_entity_t *e, const rec_query_t *q, json_t **items,
             char **last_val, long long *last_id, int *more);

/* Append a history entry. changes is a JSON object (not stolen). */
int rec_history_add(sqlite3 *db, const rec_entity_t *e, long long id, long long version,
                    const char *action, json_t *changes, const rec_actor_t *a);
/* The history of a record, oldest first, as a JSON array. */
json_t *rec_history(sqlite3 *db, const rec_entity_t *e, long long id);

#endif

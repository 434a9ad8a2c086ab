/*
 * monitor_store.h - the SQL of the monitoring record (issue 5): detainees,
 * tracing requests, incidents, links and commitments beyond what the
 * generic record layer does: the rows that hang off a record (visits,
 * periods, assessments...), the dated moves of each lifecycle, seed data
 * and the reads behind the indicators.
 *
 * Child tables are described by constant descriptors; SQL text is built
 * only from their table and column names, and every value is bound.
 */
#ifndef HW_MONITOR_STORE_H
#define HW_MONITOR_STORE_H

#include <jansson.h>
#include <sqlite3.h>

#include "store/record.h"

enum {
    MS_CREATED = 1 << 0, /* the table has created_at and created_by */
};

/* A table of rows that belong to one record (visits of a detainee...). */
typedef struct mstore_child {
    const char        *kind;       /* "detainee_visit": audit kind, protected-field rules */
    const char        *table;      /* "detainee_visits" */
    const char        *parent_col; /* "detainee_id" */
    unsigned           flags;      /* MS_* */
    const rec_field_t *fields;     /* columns a client writes and reads */
    int                nfields;
} mstore_child_t;

/* Insert a row under parent with the values set in v (see rec_val_t).
 * Gives the row a UUID (copied to uuid_out, 37 bytes) and *id its key. */
int mstore_child_insert(sqlite3 *db, const mstore_child_t *ch, long long parent, const rec_val_t *v,
                        long long user_id, const char *now, long long *id, char *uuid_out);
/* Update the fields set in v of row id. */
int mstore_child_update(sqlite3 *db, const mstore_child_t *ch, long long id, const rec_val_t *v);
/* One row as JSON ({id: uuid, fields..., created_at, created_by}), or NULL. */
json_t *mstore_child_get(sqlite3 *db, const mstore_child_t *ch, long long id);
/* Every row under parent, oldest first (ordered by order_col, then key). */
json_t *mstore_child_list(sqlite3 *db, const mstore_child_t *ch, long long parent, const char *order_col);
/* Key of the row with this uuid under parent, or 0. */
long long mstore_child_key(sqlite3 *db, const mstore_child_t *ch, long long parent, const char *uuid);

/* Bump the version of row id of table (a record whose rows changed).
 * Returns the new version, or -1. */
long long mstore_touch(sqlite3 *db, const char *table, long long id, long long user_id, const char *now);

/* A record's lifecycle state: version, status and the status's date. */
typedef struct mstore_state {
    long long version;    /* current version */
    char      status[32]; /* current status */
    char      date[16];   /* date of the current status, or "" */
} mstore_state_t;

/* A lifecycle: the record table, its status and date columns, and the
 * table of its moves (from_status, to_status, date, note columns). */
typedef struct mstore_machine {
    const char *table;       /* "detainees" */
    const char *status_col;  /* "status" */
    const char *date_col;    /* "status_date", or NULL */
    const char *events;      /* "detainee_events" */
    const char *parent_col;  /* "detainee_id" */
    const char *note_col;    /* "note" or "reason" */
    const char *source_col;  /* "source", or NULL */
} mstore_machine_t;

extern const mstore_machine_t mstore_detainee_machine, mstore_tracing_machine, mstore_incident_machine;

/* 0 when record id exists (*s filled), -1 when not. */
int mstore_state(sqlite3 *db, const mstore_machine_t *m, long long id, mstore_state_t *s);
/* Move record id from s->status to `to` on date if it is still at
 * s->version: sets the status (and date), bumps the version, appends the
 * event. from may be NULL for a first event. *changed is 0 when stale. */
int mstore_move(sqlite3 *db, const mstore_machine_t *m, long long id, long long version, const char *from,
                const char *to, const char *date, const char *note, const char *source, long long user_id,
                const char *now, int *changed);
/* Append an event without touching the record (the first event). */
int mstore_event_add(sqlite3 *db, const mstore_machine_t *m, long long id, const char *from, const char *to,
                     const char *date, const char *note, const char *source, long long user_id,
                     const char *now);
/* The events of record id, in order: [{from, to, date, note, source?, user, at}]. */
json_t *mstore_events(sqlite3 *db, const mstore_machine_t *m, long long id);

/* ---- tracing ---- */

/* Add a candidate (person_id or detainee_id, the other 0). Returns the key
 * in *id, 0 in *id when it was already a candidate. */
int mstore_match_add(sqlite3 *db, long long request, long long person_id, long long detainee_id, double weight,
                     double probability, const char *explanation, const char *origin, const char *now,
                     long long *id, char *uuid_out);
/* Candidates of a request: [{id, person, detainee, score..., decision...}]. */
json_t *mstore_matches(sqlite3 *db, long long request);
/* One candidate row. */
typedef struct mstore_match {
    long long id, person_id, detainee_id;
    char      uuid[40];
    char      decision[16];
    int       consent;
} mstore_match_t;
int mstore_match_find(sqlite3 *db, long long request, const char *uuid, mstore_match_t *m);
int mstore_match_decide(sqlite3 *db, long long id, const char *decision, const char *note, const char *date,
                        long long user_id, const char *now);
int mstore_match_consent(sqlite3 *db, long long id, int consent, const char *date, const char *note,
                         long long user_id);
/* Count of candidates of request with this decision. */
long long mstore_match_count(sqlite3 *db, long long request, const char *decision);
/* Keys of the requests still open (open or potential_match), the most
 * recent first, at most limit (malloc'd). Count or -1. */
int mstore_tracing_open_keys(sqlite3 *db, int limit, long long **out);
/* The person a detainee is linked to, or 0. */
long long mstore_detainee_person(sqlite3 *db, long long detainee);
/* What may be told about a found person or detainee: names always;
 * whereabouts and contact too when with_details. */
json_t *mstore_found_person(sqlite3 *db, long long person_id, int with_details);
json_t *mstore_found_detainee(sqlite3 *db, long long detainee_id, int with_details);

/* ---- incidents ---- */

int mstore_incident_person(sqlite3 *db, long long incident, long long person, const char *role);
int mstore_incident_return(sqlite3 *db, long long incident, long long return_case, const char *kind,
                           const char *note, long long user_id, const char *now);
int mstore_incident_link(sqlite3 *db, long long incident, long long link, long long period);
/* The persons, return cases and links an incident is tied to. */
json_t *mstore_incident_ties(sqlite3 *db, long long incident);

/* ---- links ---- */

/* A link's periods, oldest first: key, status, from, to (NULL: lasts). */
typedef struct mstore_period {
    long long id;
    char      status[12];
    char      from[16];
    char      to[16];   /* "" while it lasts */
} mstore_period_t;
/* The periods of link (all links when link is 0), by link then from.
 * *out is malloc'd (caller frees); *link_of gets each period's link key
 * when not NULL (malloc'd too). Returns the count or -1. */
int mstore_periods(sqlite3 *db, long long link, mstore_period_t **out, long long **link_of);
/* Key of the period with uuid (its link's key in *link), or 0. */
long long mstore_period_key(sqlite3 *db, const char *uuid, long long *link);
/* Keys of every link, in creation order (malloc'd), count or -1. */
int mstore_link_keys(sqlite3 *db, long long **out);
/* The incidents tied to each period of link: {period uuid: [incident uuids]}. */
json_t *mstore_link_incidents(sqlite3 *db, long long link);
/* uuid and name of link key. */
json_t *mstore_link_brief(sqlite3 *db, long long link);

/* ---- commitments ---- */

int mstore_evidence_add(sqlite3 *db, long long assessment, const char *kind, const char *uuid, const char *note);
/* The evidence of the assessment with this uuid. */
json_t *mstore_evidence(sqlite3 *db, const char *assessment);
/* 1 when another commitment (not key self) has this source and clause. */
int mstore_commitment_taken(sqlite3 *db, const char *source, const char *clause, long long self);
/* The latest assessment of commitment (as of date when not NULL):
 * {level, date, id} or NULL. */
json_t *mstore_current_level(sqlite3 *db, long long commitment, const char *date);
/* 1 when a record of this kind ("incident", "link_period"...) has uuid. */
int mstore_record_exists(sqlite3 *db, const char *kind, const char *uuid);

/* ---- seed data ---- */

/* Insert a commitment unless (source, clause) exists. 1 inserted, 0 kept, -1 error. */
int mstore_seed_commitment(sqlite3 *db, const char *source, const char *clause, const char *category,
                           const char *text, const char *now);
/* Insert a seed link unless one with this name exists. */
int mstore_seed_link(sqlite3 *db, const char *kind, const char *name, const char *a, const char *b,
                     const char *sa, const char *sb, const char *description, const char *now);

/* ---- indicators: reads as of a day (YYYY-MM-DD, valid time) ---- */

/* Rows of (key, count) as a JSON object with the total in *n. Each query
 * names what it counts in its comment in monitor_store.c. */
json_t *mstore_detainees_by_status(sqlite3 *db, const char *at, long long *n);
json_t *mstore_detainees_by_category(sqlite3 *db, const char *at, long long *n);
/* Days from capture (first move to captured or detained) to the first
 * move to `to` ("released", "repatriated"), for each detainee with both
 * on or before at. JSON array of integers. */
json_t *mstore_detainee_durations(sqlite3 *db, const char *at, const char *to);
/* In custody on at with no visit in (since, at]. *n in custody. */
long long mstore_detainees_unvisited(sqlite3 *db, const char *at, const char *since, long long *n);

/* Requests by their status on at (the last move on or before it). */
json_t *mstore_tracing_by_status(sqlite3 *db, const char *at, long long *n);
/* Confirmed candidates decided on or before at. */
long long mstore_tracing_matches_found(sqlite3 *db, const char *at);
/* Days from the request to its first confirmed match (both on or before at). */
json_t *mstore_tracing_durations(sqlite3 *db, const char *at);

/* Incidents that began on or before at, grouped by `by`: 0 type, 1 month,
 * 2 settlement. */
json_t *mstore_incidents_by(sqlite3 *db, const char *at, int by, long long *n);
/* Return cases tied to incidents of these types (NULL: any) begun on or
 * before at; *incidents gets how many distinct incidents. */
long long mstore_returns_obstructed(sqlite3 *db, const char *at, const char *const *types, long long *incidents);

/* Return cases requested on or before at; arrived on or before at. */
long long mstore_returns_requested(sqlite3 *db, const char *at);
json_t *mstore_returns_arrival_days(sqlite3 *db, const char *at);

/* Commitments with their level as of at: {category: [levels]} and *n. */
json_t *mstore_commitment_levels(sqlite3 *db, const char *at, long long *n);

#endif

/*
 * monitor.h - the monitoring record (issue 5): detainees, tracing requests,
 * incidents, links and commitments, each with its lifecycle and history,
 * and the indicators computed from their dated events.
 *
 * Conventions shared by the five parts:
 *  - Records go through the generic operations of domain.h (dom_create,
 *    dom_update, dom_get, dom_list, dom_history) with the entities below.
 *  - Rows that belong to a record (visits, periods, acts, assessments...)
 *    are added through the functions here; each addition bumps the
 *    record's version and writes history and an audit entry in the same
 *    transaction.
 *  - Lifecycle moves are dated (the day it happened, not the day it was
 *    typed) and refused with DOM_CONFLICT and the allowed moves in
 *    err->extra when illegal. A move cannot be dated before the status it
 *    leaves: the dated events of a record always read in order, which is
 *    what lets indicators be rebuilt as of any past day.
 */
#ifndef HW_MONITOR_H
#define HW_MONITOR_H

#include <jansson.h>

#include "domain/domain.h"
#include "match/match.h"
#include "store/monitor_store.h"

extern const dom_entity_t dom_detainee, dom_tracing, dom_incident, dom_link, dom_commitment;

/* ---- detainees (detainee.c) ----
 * reported_missing -> captured -> detained -> visited -> charged ->
 * sentenced -> released -> repatriated, or deceased from any state. */

/* The statuses a detainee in status `from` may move to (new JSON array). */
json_t *detainee_allowed_moves(const char *from);
int detainee_move_allowed(const char *from, const char *to);
/* Record a move: body {"to", "date", "source", "note"}. Returns the
 * detainee as read after the move. */
json_t *detainee_move(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);
/* The dated events of a detainee: {"items": [...]}. */
json_t *detainee_events(dom_ctx_t *c, const char *uuid, dom_err_t *err);
/* Add a visit, a legal proceeding or a transfer (what: "visits",
 * "proceedings", "transfers"). A visit to a detainee who is detained moves
 * them to visited. Returns the new row. */
json_t *detainee_add(dom_ctx_t *c, const char *uuid, const char *what, json_t *body, dom_err_t *err);

/* ---- tracing requests (tracing.c) ----
 * open -> potential_match -> confirmed -> closed. */

json_t *tracing_allowed_moves(const char *from);
int tracing_move_allowed(const char *from, const char *to);
/* Move a request: body {"to", "date", "reason"}. */
json_t *tracing_transition(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);
/* The candidates of a request: {"items": [...], "matching": ...}. */
json_t *tracing_matches(dom_ctx_t *c, const char *uuid, dom_err_t *err);
/* An officer proposes a candidate: body {"person"} or {"detainee"}, "note". */
json_t *tracing_propose(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);
/* An officer's decision on a candidate: body {"decision": "confirmed" |
 * "rejected", "date", "note"}. Moves the request as the decision implies. */
json_t *tracing_decide(dom_ctx_t *c, const char *uuid, const char *match, json_t *body, dom_err_t *err);
/* Record whether the found person consents to their details being given
 * to the inquirer: body {"consent": bool, "date", "note"}. */
json_t *tracing_consent(dom_ctx_t *c, const char *uuid, const char *match, json_t *body, dom_err_t *err);
/* What may be told to the inquirer (ICRC practice): whether a match was
 * found; the found person's whereabouts and contact only with their
 * recorded consent. Each release of details is audited. */
json_t *tracing_disclosure(dom_ctx_t *c, const char *uuid, dom_err_t *err);

/* The matching engine as tracing sees it: the persons who may be the
 * sought person described by in, with probability >= min_prob, best first,
 * at most k, as a JSON array of {"id": person uuid, "weight",
 * "probability", "explanation": {field: ...}} (new reference), or NULL when
 * no engine runs. Set once at start-up, before the workers run. */
typedef json_t *(*tracing_engine_fn)(dom_ctx_t *c, const match_input_t *in, int k, double min_prob);
void tracing_set_engine(tracing_engine_fn fn);
/* 1 once an engine is set. */
int tracing_engine_connected(void);

/* Look for the sought person of request `id` through the engine and store
 * each new candidate (origin "engine"); an open request with new
 * candidates moves to potential_match. Returns the number of new
 * candidates (0 without an engine), or -1 with err. Inside the caller's
 * transaction. */
int tracing_find_candidates(dom_ctx_t *c, long long id, dom_err_t *err);
/* A person (kind "person") or a detainee linked to a person (kind
 * "detainee") was registered or edited: search again for the requests
 * still open (the most recent 500), so that a person registered after the
 * request appears on it. Opens its own transaction when the caller holds
 * none. Returns the new candidates, or -1. The lead calls it for persons
 * after the matcher has indexed them (after dedup_after_write). */
int tracing_record_written(dom_ctx_t *c, const char *kind, long long id, dom_err_t *err);

/* ---- incidents (incident.c) ----
 * verification: unverified -> partially_verified -> verified, or disputed. */

json_t *incident_allowed_moves(const char *from);
int incident_move_allowed(const char *from, const char *to);
/* Change the verification: body {"to", "reason", "date"}; who and why kept. */
json_t *incident_verify(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);
/* Add an act, a perpetrator as reported, a source, or tie the incident to a
 * person, a return case (as an obstacle) or a link (as a blockade event).
 * what: "acts", "perpetrators", "sources", "persons", "returns", "links". */
json_t *incident_add(dom_ctx_t *c, const char *uuid, const char *what, json_t *body, dom_err_t *err);

/* ---- links (link.c) ---- */

/* One status period of one link, in day numbers (days since 1970-01-01). */
typedef struct link_span {
    int  link; /* which link, 0 .. nlinks-1 */
    long from; /* first day */
    long to;   /* the day after the last, or LINK_FOREVER while it lasts */
    int  open; /* 1 when the status is open; restricted and closed are not */
} link_span_t;

#define LINK_FOREVER 0x7fffffffL

/* A stretch of days [from, to). */
typedef struct link_interval {
    long from;
    long to;
} link_interval_t;

/* The stretches before `until` in which every one of nlinks links was open
 * at once, in order, merged where they touch. Spans of one link must not
 * overlap (the store refuses it). Days with no period for a link count as
 * not open: nothing is assumed. Writes at most max intervals to out and
 * returns how many there are. */
int link_all_open(const link_span_t *spans, int n, int nlinks, long until, link_interval_t *out, int max);
/* For the all-open stretch starting on day start: the day link k's
 * current run of open spans began (*began), and whether that run followed
 * a closed or restricted span that ended that day (returns 1: a closure
 * was lifted), 0 otherwise. */
int link_opened_on(const link_span_t *spans, int n, int k, long start, long *began);

/* Day number of a full date YYYY-MM-DD, or -1 when s is not one. */
long mon_day(const char *s);
/* The date of day number d into out (16 bytes). */
void mon_date(long d, char *out);

json_t *link_periods(dom_ctx_t *c, const char *uuid, json_t *params, dom_err_t *err);
/* Add a status period: body {"status", "from", "to", "restriction",
 * "source", "note", "incidents": [uuid]}; refused with DOM_CONFLICT when it
 * overlaps another period of the link. */
json_t *link_period_add(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);
/* Change a period (e.g. end one that lasts: {"to": date}); same rule. */
json_t *link_period_update(dom_ctx_t *c, const char *uuid, const char *period, json_t *body, dom_err_t *err);
/* The all-open report over all links or params "links" (comma-separated
 * uuids), as of params "at" (default today). */
json_t *link_all_open_report(dom_ctx_t *c, json_t *params, dom_err_t *err);
/* A link's derived status as of day at: current status, total and longest
 * closure (new object). */
json_t *link_summary(dom_ctx_t *c, long long id, const char *at);

/* ---- commitments (commitment.c) ---- */

json_t *commitment_assessments(dom_ctx_t *c, const char *uuid, dom_err_t *err);
/* Assess a commitment: body {"date", "level": 0-3, "rationale",
 * "evidence": [{"kind", "id", "note"}]}. */
json_t *commitment_assess(dom_ctx_t *c, const char *uuid, json_t *body, dom_err_t *err);

/* ---- indicators (indicators.c) ---- */

/* The figures of area (NULL: every area) as of params "at" (default today;
 * "visit_days" for the unvisited-detainee figure). Each figure names how it
 * was computed and from how many records. */
json_t *indicators_get(dom_ctx_t *c, const char *area, json_t *params, dom_err_t *err);
/* The figures bearing on a commitment category, as of at (new object). */
json_t *indicators_for_category(dom_ctx_t *c, const char *category, const char *at);

/* ---- seed data (commitment.c) ----
 * Load the seed links (links.tsv) and commitments (commitments.tsv)
 * embedded in the binary; existing rows are kept as users edited them.
 * Returns the number of rows inserted, or -1. */
int monitor_seed_load(dom_ctx_t *c);

/* ---- shared helpers (monitor.c) ---- */

/* Validate body against the fields of ch into v; old is the stored row
 * (NULL when creating: required fields are checked too). */
int mon_validate(dom_ctx_t *c, const mstore_child_t *ch, json_t *body, json_t *old, rec_val_t *v,
                 dom_err_t *err);
/* Add a row of ch under the record of entity e with this uuid: validate
 * body, run check (cross-field rules; may be NULL), insert, bump the
 * record's version, write history and audit, run after (may be NULL), all
 * in one transaction. extra names members of body that are not fields of
 * ch but that check or after read (NULL: none). Returns the new row
 * (redacted for the reader). */
typedef int (*mon_check_fn)(dom_ctx_t *c, long long parent, json_t *body, rec_val_t *v, long long self,
                            dom_err_t *err);
typedef int (*mon_after_fn)(dom_ctx_t *c, long long parent, long long row, json_t *body, const char *now,
                            dom_err_t *err);
json_t *mon_child_add(dom_ctx_t *c, const rec_entity_t *e, const mstore_child_t *ch, const char *uuid,
                      json_t *body, const char *const *extra, mon_check_fn check, mon_after_fn after,
                      dom_err_t *err);
/* Change the row with uuid row_uuid the same way (self is its key for check). */
json_t *mon_child_update(dom_ctx_t *c, const rec_entity_t *e, const mstore_child_t *ch, const char *uuid,
                         const char *row_uuid, json_t *body, mon_check_fn check, dom_err_t *err);
/* Write the history and audit entries of a change to record id of entity
 * e (now at version), naming the fields in names (JSON array). */
int mon_trail(dom_ctx_t *c, const rec_entity_t *e, long long id, long long version, const char *action,
              json_t *changes, const char *uuid, const char *fields);
/* A full date member of body, or today when absent; -1 with err when
 * malformed or in the future. out has 16 bytes. */
int mon_body_date(json_t *body, const char *name, char *out, dom_err_t *err);
/* An optional text member of at most max characters: 0 and *out (NULL when
 * absent), or -1 with err. */
int mon_body_text(json_t *body, const char *name, int max, const char **out, dom_err_t *err);
/* Members of body not in allowed (NULL-terminated) are refused. */
int mon_body_only(json_t *body, const char *const *allowed, dom_err_t *err);
/* Withhold the protected members of a row (listed under "protected"). */
void mon_redact(dom_ctx_t *c, const char *kind, const rec_field_t *fields, int nfields, json_t *o);
/* The moves a lifecycle allows from a status (new JSON array). */
typedef json_t *(*mon_moves_fn)(const char *from);
/* Move record id (uuid) of entity e along machine m to `to` on date,
 * inside the caller's transaction: refuses an illegal move (DOM_CONFLICT,
 * allowed moves in err->extra), a stale version (if_version >= 0), and a
 * date before the current status's date. Writes history and audit. */
int mon_move_in(dom_ctx_t *c, const rec_entity_t *e, const mstore_machine_t *m, long long id, const char *uuid,
                const char *to, const char *date, const char *note, const char *source, long long if_version,
                mon_moves_fn moves, dom_err_t *err);
/* The same for a request body {"to", "date", note_member, "source"?,
 * "version"?} in its own transaction; returns the record read through d. */
json_t *mon_move(dom_ctx_t *c, const dom_entity_t *d, const mstore_machine_t *m, const char *uuid, json_t *body,
                 const char *note_member, int with_source, mon_moves_fn moves, dom_err_t *err);
/* Today as YYYY-MM-DD into out (16 bytes). */
void mon_today(char *out);

#endif

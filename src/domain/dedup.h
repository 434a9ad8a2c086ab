/*
 * dedup.h - the registry's person matcher: one index of the active persons
 * built when the server starts, queried on every registration and edit
 * for likely duplicates, and by name search in any script; and the review
 * queue of candidate pairs (confirm = merge, reversible; reject = never
 * proposed again).
 */
#ifndef HW_DEDUP_H
#define HW_DEDUP_H

#include <stddef.h>

#include "domain/domain.h"
#include "match/match.h"

/* Build the index from the database (threads for the build). 0, or -1 with
 * err. Until it runs (and in command-line jobs), no matching is done. */
int dedup_start(sqlite3 *db, int threads, char *err, size_t n);
void dedup_stop(void);
/* Number of persons indexed (0 when stopped). */
size_t dedup_size(void);

/* Likely duplicates of person id (probability >= 0.5), best first, each
 * with its per-field explanation; new ones join the review queue. */
json_t *dedup_candidates(dom_ctx_t *c, long long id);
/* Persons whose names match free text in any script (uuids), or NULL. */
json_t *dedup_search(dom_ctx_t *c, const char *q);
/* Index a person just created or changed (in the writer, after_commit). */
void dedup_after_write(dom_ctx_t *c, long long id, json_t *out);
/* Then answer its candidates under "duplicates" in out and queue them for
 * review (after_reply: outside the writer, whose one thread every write
 * waits for). */
void dedup_after_reply(dom_ctx_t *c, long long id, json_t *out);

/* The persons the engine finds for in (probability >= min_prob), at most
 * k, as [{id, weight, probability, explanation}] (tracing's engine), or
 * NULL when no matcher runs. */
json_t *dedup_query(dom_ctx_t *c, const match_input_t *in, int k, double min_prob);
/* Index a tracing request just created or changed (after_commit), so that
 * persons registered later are checked against it. */
void dedup_request_written(dom_ctx_t *c, long long id, json_t *out);

/* The review queue: {status (pending|confirmed|rejected), limit, cursor}. */
json_t *dedup_queue(dom_ctx_t *c, json_t *params, dom_err_t *err);
/* Decide a pair: {"decision": "confirm"|"reject"|"undo"}. Confirming marks
 * the later-registered person as a duplicate of the earlier (both records
 * and their histories stay); undo reverses a confirmation. */
json_t *dedup_decide(dom_ctx_t *c, const char *pair_uuid, json_t *body, dom_err_t *err);
/* GET /persons/{id}/duplicates: candidates and known pair decisions. */
json_t *dedup_for_person(dom_ctx_t *c, const char *uuid, dom_err_t *err);

#endif

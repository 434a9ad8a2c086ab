/*
 * pairs_store.h - the SQL behind duplicate detection in the registry: the
 * persons the matcher indexes, candidate pairs and their review, merges.
 */
#ifndef HW_PAIRS_STORE_H
#define HW_PAIRS_STORE_H

#include <jansson.h>
#include <sqlite3.h>

/* One person as the matcher reads it (strings valid during the callback). */
typedef struct store_match_row {
    const char *uuid, *given, *family, *patronymic, *birth_date, *birth_place, *sex;
} store_match_row_t;

/* Call fn for every active person, oldest first. Returns an SQLite code. */
int store_persons_for_matching(sqlite3 *db, void (*fn)(void *cls, const store_match_row_t *r), void *cls);
/* The same fields of one person by key; 0 or -1. Strings are malloc'd into
 * out (free with store_match_row_free). */
int store_person_for_matching(sqlite3 *db, long long id, store_match_row_t *out);
void store_match_row_free(store_match_row_t *r);

/* The sought persons of tracing requests still looking (neither closed nor
 * confirmed), as the matcher reads them; birth_date may be an approximate
 * year made from the age at the request. */
int store_requests_for_matching(sqlite3 *db, void (*fn)(void *cls, const store_match_row_t *r), void *cls);
int store_request_for_matching(sqlite3 *db, long long id, store_match_row_t *out);

/* A short summary of active person id for a list of candidates: {id,
 * number, given_name, family_name, birth_date}; NULL when the person is not
 * active, or restricted to another organisation than viewer_org (-1: all). */
json_t *store_person_summary(sqlite3 *db, long long id, long long viewer_org);

/* Propose the pair (a, b) unless it is known already (any status). */
int store_pair_propose(sqlite3 *db, long long a, long long b, double weight, double prob, const char *explanation,
                       const char *now);

typedef struct store_pair {
    long long id, left_id, right_id;
    char      uuid[40];
    char      status[16];
    double    probability;
} store_pair_t;
/* 0 when found, -1 when not. */
int store_pair_get(sqlite3 *db, const char *uuid, store_pair_t *p);
int store_pair_set_status(sqlite3 *db, long long id, const char *status, long long user_id, const char *now);
/* The review queue: pairs with this status, most probable first, after
 * (probability, id) of the cursor; both persons summarised; pairs with a
 * restricted person of another organisation than viewer_org are left out
 * (-1: none). */
json_t *store_pairs_list(sqlite3 *db, const char *status, double after_prob, long long after_id, int limit,
                         long long viewer_org, double *last_prob, long long *last_id, int *more);
/* Status of every known pair of person id: {other person uuid: status}. */
json_t *store_pair_statuses(sqlite3 *db, long long id);

/* Mark person dup as a duplicate of keep (or, with keep 0, active again);
 * bumps its version. Returns an SQLite code. */
int store_person_mark_duplicate(sqlite3 *db, long long dup, long long keep, long long user_id, const char *now);

#endif

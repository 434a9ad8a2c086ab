/*
 * registry_store.h - the SQL of the registry that does not fit the generic
 * record layer: person name words, household members, return-case moves
 * and the gazetteer.
 */
#ifndef HW_REGISTRY_STORE_H
#define HW_REGISTRY_STORE_H

#include <jansson.h>
#include <sqlite3.h>

/* Replace the search words of person id with words[0..n). */
int store_person_words(sqlite3 *db, long long id, const char *const *words, int n);
/* The household that person id heads, or 0. */
long long store_household_headed_by(sqlite3 *db, long long person_id);
/* The household key of person id, or 0. */
long long store_household_of(sqlite3 *db, long long person_id);
/* Members of household id: [{id, number, given_name, family_name, patronymic,
 * sex, birth_date, relation_to_head}], the head first; restricted persons of
 * organisations other than viewer_org are left out (-1: all). */
json_t *store_household_members(sqlite3 *db, long long id, long long viewer_org);

/* Status fields of a return case, read for a move. */
typedef struct store_return_state {
    long long version;           /* current version */
    char      status[24];        /* current status */
    char      suspended_from[24];/* status before a suspension, or "" */
    char      requested_date[16];/* when the return was requested */
} store_return_state_t;
/* 0 when found, -1 when not. */
int store_return_state(sqlite3 *db, long long id, store_return_state_t *s);
/* Apply a move: status, status_date, suspended_from, and scheduled or
 * arrived date where the move sets one; bumps the version when it is still
 * version. Appends the transition row. *changed is 0 when stale. */
int store_return_move(sqlite3 *db, long long id, long long version, const char *from, const char *to,
                      const char *date, const char *reason, const char *suspended_from,
                      long long user_id, const char *now, int *changed);
/* The moves of case id, oldest first. */
json_t *store_return_transitions(sqlite3 *db, long long id);

/* Gazetteer. */
typedef struct store_settlement {
    const char *id, *kind, *hy, *az, *ru, *en, *alt; /* alt: names separated by | */
    double      lat, lon;
    int         has_coords;
    const char *admin_hy, *admin_az, *country, *source;
} store_settlement_t;
/* Insert or update a settlement; names go to settlement_names with fold[i]
 * the fold of names[i]. */
int store_settlement_put(sqlite3 *db, const store_settlement_t *s, const char *const *names,
                         const char *const *langs, const char *const *folds, int n);
/* Settlements with a name whose fold begins with fold, or whose name is
 * exactly raw (case-insensitively for ASCII); best matches first. */
json_t *store_settlement_search(sqlite3 *db, const char *fold, const char *raw, int limit);
/* The ids of the settlements in a country (ISO alpha-2), by name. */
json_t *store_settlement_ids(sqlite3 *db, const char *country);
/* One settlement as JSON, or NULL. */
json_t *store_settlement_get(sqlite3 *db, const char *id);

#endif

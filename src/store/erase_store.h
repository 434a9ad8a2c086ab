/*
 * erase_store.h - physical erasure of registry records (a data-protection
 * request, or a retention period passed): the record, its sealed fields,
 * its history and the rows that only make sense with it. The audit log
 * keeps the fact and the UUID, never the data. secure_delete zeroes the
 * freed pages; store_wal_truncate then empties the WAL.
 */
#ifndef HW_ERASE_STORE_H
#define HW_ERASE_STORE_H

#include <jansson.h>
#include <sqlite3.h>

/* Erase a person, a return case or a household by key, inside the
 * caller's transaction. kind is "person", "return_case" or "household".
 * Returns an SQLite code. */
int store_erase(sqlite3 *db, const char *kind, long long id);
/* Checkpoint the WAL into the database and truncate it (outside any
 * transaction), so erased data does not linger there. */
int store_wal_truncate(sqlite3 *db);

/* Records of kind past retention: not active, unchanged since before
 * `before`. JSON array of {id (key), uuid}. */
json_t *store_retention_due(sqlite3 *db, const char *kind, const char *before);
/* Drop expired sessions and login attempts older than `before`. */
int store_purge_sessions(sqlite3 *db, const char *now, const char *before);

/* Settings. value NULL deletes. */
int store_setting_set(sqlite3 *db, const char *key, const char *value);
/* The value (malloc'd) or NULL. */
char *store_setting_get(sqlite3 *db, const char *key);

#endif

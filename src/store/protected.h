/*
 * protected.h - every column that holds a sealed protected field, for the
 * jobs that must reach all of them (key rotation, erasure). A unit test
 * checks that every BLOB column of the schema is either here or a hash.
 */
#ifndef HW_PROTECTED_H
#define HW_PROTECTED_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct store_protected {
    const char *table;  /* a table with a uuid column */
    const char *column; /* a BLOB column sealed with (uuid, column) */
} store_protected_t;

/* Terminated by a NULL table. */
extern const store_protected_t store_protected[];

/* Re-seal every protected value under the current key, inside the
 * caller's transaction. reseal(uuid, column, old, n, &new, &newlen) returns
 * 0 with *new NULL when nothing needs doing. *count gets the values
 * rewritten. Returns an SQLite code. */
int store_reseal_all(sqlite3 *db,
                     int (*reseal)(const char *, const char *, const unsigned char *, size_t, unsigned char **,
                                   size_t *),
                     long long *count);

#endif

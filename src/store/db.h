/*
 * db.h - the SQLite store: opening a database with Homeward's settings,
 * migrations, transactions, a pool of connections for the server's
 * workers, and small helpers so that every statement binds its values.
 *
 * Every SQL statement of the program lives in store/. Statements take user
 * values only through sqlite3_bind_*; `make check` fails on SQL built with
 * printf-style formatting.
 */
#ifndef HW_DB_H
#define HW_DB_H

#include <sqlite3.h>
#include <stddef.h>

/* Open (and create when create is set) the database at path, with WAL,
 * synchronous=FULL, foreign keys and a busy timeout. Returns the handle or
 * NULL with a one-line reason in err. */
sqlite3 *db_open(const char *path, int create, char *err, size_t errlen);
/* Close a handle opened by db_open (NULL is fine). */
void db_close(sqlite3 *db);

/* The schema version this binary knows (the number of its migrations). */
int db_schema_latest(void);
/* The schema version of an open database (PRAGMA user_version). */
int db_schema_version(sqlite3 *db);
/* Apply every migration newer than the database, each in a transaction.
 * Refuses a database newer than the binary. *applied gets the count.
 * Returns 0, or -1 with a reason in err. */
int db_migrate(sqlite3 *db, int *applied, char *err, size_t errlen);

/* Allow (and forbid again) UPDATE and DELETE on the users table on this
 * thread. The audit tables can never be updated or deleted from. */
void db_unprotect_users(void);
void db_protect_users(void);

/* BEGIN IMMEDIATE (write), COMMIT, ROLLBACK. 0 or an SQLite code. */
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);

/* A prepared statement for sql from this connection's cache (compiled on
 * first use). Hand it back with db_done, never sqlite3_finalize. Use it
 * for statements whose text repeats; NULL on error (logged). */
sqlite3_stmt *db_cached(sqlite3 *db, const char *sql);
/* The same for SQL text that lives as long as the process (a literal, or
 * text built once and kept): found by its address, not by reading it. */
sqlite3_stmt *db_cached_static(sqlite3 *db, const char *sql);
/* Reset a statement from db_cached and return it to the cache. */
void db_done(sqlite3_stmt *st);
/* Savepoints nest a write inside a transaction the caller holds. */
int db_savepoint(sqlite3 *db);
int db_release(sqlite3 *db);
void db_rollback_to(sqlite3 *db);
/* Checkpoint the WAL that writer's commits grow in a thread of its own,
 * with its own connection to path, instead of inside those commits.
 * 0, or -1 with err. Stop it before closing writer. */
int db_checkpointer_start(sqlite3 *writer, const char *path, char *err, size_t errlen);
void db_checkpointer_stop(sqlite3 *writer);
/* Settings for a connection that serves many reads, one of readers. */
void db_serve_reads(sqlite3 *db, int readers);
/* Settings for a connection that serves writes (they wait for the writer). */
void db_serve_writes(sqlite3 *db);
/* A read transaction kept open from one request to the next for as long
 * as nothing is committed: see db.c. Zeroed before first use; one thread
 * at a time, like its connection. */
typedef struct db_snapshot {
    const volatile unsigned char *shm; /* the wal-index's first bytes, once known */
    unsigned char hdr[48];             /* its header when the snapshot began */
    int           open;                /* a read transaction is kept */
    int           slot0;               /* it began with the log fully copied back */
    long long     used_ms;             /* last used (monotonic milliseconds) */
} db_snapshot_t;

/* Start a request's reads: keeps the snapshot of the last request when the
 * database has not changed since, else begins a new one. Returns 1 when it
 * began a new one (what the caller remembers of the database may be old),
 * 0 when the kept one is current. */
int db_snapshot_use(sqlite3 *db, db_snapshot_t *s);
/* End a request's reads: commits what the request wrote, keeps the
 * snapshot otherwise. */
void db_snapshot_done(sqlite3 *db, db_snapshot_t *s);
/* Ends the snapshot when something was committed since it began or it was
 * last used more than idle_ms ago (a kept snapshot holds back
 * checkpoints), or always when idle_ms < 0. */
void db_snapshot_release(sqlite3 *db, db_snapshot_t *s, long long idle_ms);
/* 1 when the database answers a query. */
int db_ping(sqlite3 *db);
/* Prepare sql; NULL on error (logged). */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql);
/* Bind a text that may be NULL (binds NULL then). */
int db_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Run a statement that returns no rows. 0 or an SQLite code. */
int db_exec(sqlite3 *db, const char *sql);
/* A one-value query with at most one text parameter: the integer in the
 * first column of the first row, or dflt when there is no row. */
long long db_int(sqlite3 *db, const char *sql, const char *param, long long dflt);
/* The same with one integer parameter (a key). */
long long db_int_key(sqlite3 *db, const char *sql, long long key, long long dflt);
/* Current UTC time with milliseconds, ISO 8601, into out[32]. */
void db_now(char *out);
/* The time offset seconds from now, in the same form. */
void db_time(char *out, long offset);

/* A fixed set of connections shared by the server's worker threads. */
typedef struct db_pool db_pool_t;
db_pool_t *db_pool_open(const char *path, int n, char *err, size_t errlen);
/* Wait for a free connection; the caller owns it until db_pool_put. */
sqlite3 *db_pool_get(db_pool_t *p);
void db_pool_put(db_pool_t *p, sqlite3 *db);
void db_pool_close(db_pool_t *p);

#endif

/*
 * db.c - opening, migrating and sharing the SQLite store (see db.h).
 */
#include "db.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "util/embedded.h"
#include "util/log.h"

static const char *const pragmas =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA trusted_schema=OFF;"
    "PRAGMA secure_delete=ON;";

/* Defence in depth (after Fossil's db_protect): the audit log can only be
 * appended to, and users only change inside an explicit scope, whatever
 * SQL a bug or an injection might bring. Scopes are per thread: a
 * connection is used by one thread at a time, and the authorizer runs
 * where the statement is prepared. */
static _Thread_local int users_unprotected;

void db_unprotect_users(void)
{
    users_unprotected = 1;
}

void db_protect_users(void)
{
    users_unprotected = 0;
}

static int authorizer(void *cls, int action, const char *a, const char *b, const char *dbname, const char *trigger)
{
    (void)cls;
    (void)b;
    (void)dbname;
    (void)trigger;
    if (action == SQLITE_UPDATE || action == SQLITE_DELETE) {
        if (a && (strcmp(a, "audit") == 0 || strcmp(a, "audit_checkpoints") == 0))
            return SQLITE_DENY;
        if (a && strcmp(a, "users") == 0 && !users_unprotected)
            return SQLITE_DENY;
    }
    if (action == SQLITE_DROP_TABLE && a && (strcmp(a, "audit") == 0 || strcmp(a, "audit_checkpoints") == 0))
        return SQLITE_DENY;
    return SQLITE_OK;
}

sqlite3 *db_open(const char *path, int create, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc;

    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 10000);
    rc = sqlite3_exec(db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up database %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_set_authorizer(db, authorizer, NULL);
    return db;
}

/* ---- a cache of prepared statements ----
 * Compiling SQL is most of the cost of a small query. Statements are kept
 * per connection, keyed by their text; a connection is used by one thread
 * at a time, and a statement in use is marked busy so a nested use of the
 * same text gets a fresh one. The lock guards only the table. */
#define CACHE_SLOTS 2048
#define CACHE_PROBE 16

static struct cached {
    sqlite3      *db;   /* owner, NULL when free */
    const char   *key;  /* the caller's text, for db_cached_static; else NULL */
    unsigned long hash; /* of db and text (of db and key for db_cached_static) */
    sqlite3_stmt *st;
    int           busy; /* handed out, not yet done */
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long sql_hash(sqlite3 *db, const char *sql)
{
    unsigned long h = 1469598103934665603UL ^ (unsigned long)(uintptr_t)db;

    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211UL;
    return h;
}

/* The statements this thread holds, with their slots: db_done finds its
 * slot here instead of hashing the text again (a record's SELECT is a
 * kilobyte of SQL). Nesting is shallow; past HELD_MAX the hash is used. */
#define HELD_MAX 16
static _Thread_local struct {
    sqlite3_stmt *st;
    int           slot;
} held[HELD_MAX];
static _Thread_local int nheld;

static void hold(sqlite3_stmt *st, int slot)
{
    if (nheld < HELD_MAX) {
        held[nheld].st = st;
        held[nheld].slot = slot;
        nheld++;
    }
}

/* The slot of st when this thread holds it (and forgets it), else -1. */
static int unhold(sqlite3_stmt *st)
{
    for (int i = nheld - 1; i >= 0; i--)
        if (held[i].st == st) {
            int slot = held[i].slot;
            held[i] = held[--nheld];
            return slot;
        }
    return -1;
}

/* Hand out the cached statement for (db, sql) found by match(), or prepare
 * and cache one. */
static sqlite3_stmt *cached(sqlite3 *db, const char *sql, unsigned long h, const char *key)
{
    sqlite3_stmt *st = NULL;
    int i, slot = -1;

    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < CACHE_PROBE; i++) {
        int k = (int)((h + (unsigned long)i) % CACHE_SLOTS);
        struct cached *c = &cache[k];
        if (c->db == db && c->hash == h && !c->busy &&
            (key ? c->key == key : !c->key && strcmp(sqlite3_sql(c->st), sql) == 0)) {
            c->busy = 1;
            st = c->st;
            slot = k;
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (st) {
        hold(st, slot);
        return st;
    }
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("sql prepare failed: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < CACHE_PROBE; i++) {
        int k = (int)((h + (unsigned long)i) % CACHE_SLOTS);
        struct cached *c = &cache[k];
        if (!c->db) {
            c->db = db;
            c->key = key;
            c->hash = h;
            c->st = st;
            c->busy = 1;
            slot = k;
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (slot >= 0)
        hold(st, slot);
    return st; /* uncached when the probe found no room: db_done finalizes */
}

sqlite3_stmt *db_cached(sqlite3 *db, const char *sql)
{
    return cached(db, sql, sql_hash(db, sql), NULL);
}

sqlite3_stmt *db_cached_static(sqlite3 *db, const char *sql)
{
    unsigned long h = ((unsigned long)(uintptr_t)sql * 0x9E3779B97F4A7C15UL) ^ (unsigned long)(uintptr_t)db;

    return cached(db, sql, h ^ (h >> 29), sql);
}

void db_done(sqlite3_stmt *st)
{
    int kept = 0, slot;

    if (!st)
        return;
    slot = unhold(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_lock(&cache_lock);
    if (slot < 0 || cache[slot].st != st) /* done on another thread, or many held: look */
        for (slot = 0; slot < CACHE_SLOTS && cache[slot].st != st; slot++)
            ;
    if (slot < CACHE_SLOTS) {
        cache[slot].busy = 0;
        kept = 1;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!kept)
        sqlite3_finalize(st);
}

void db_close(sqlite3 *db)
{
    if (!db)
        return;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].db == db) {
            sqlite3_finalize(cache[i].st);
            memset(&cache[i], 0, sizeof cache[i]);
        }
    pthread_mutex_unlock(&cache_lock);
    sqlite3_close_v2(db);
}

/* Migrations are the embedded files named migrations/NNNN_*.sql, in order. */
static int migration_number(const char *name)
{
    if (strncmp(name, "migrations/", 11) != 0)
        return 0;
    return atoi(name + 11);
}

int db_schema_latest(void)
{
    int n = 0;

    for (const embedded_file_t *f = embedded_files; f->name; f++)
        if (migration_number(f->name) > n)
            n = migration_number(f->name);
    return n;
}

int db_schema_version(sqlite3 *db)
{
    return (int)db_int(db, "PRAGMA user_version", NULL, 0);
}

int db_migrate(sqlite3 *db, int *applied, char *err, size_t errlen)
{
    int have = db_schema_version(db), latest = db_schema_latest();

    *applied = 0;
    if (have > latest) {
        snprintf(err, errlen, "database schema version %d is newer than this program (%d): use a newer homeward",
                 have, latest);
        return -1;
    }
    for (int v = have + 1; v <= latest; v++) {
        const embedded_file_t *m = NULL;
        char *msg = NULL;
        char pragma[48];

        for (const embedded_file_t *f = embedded_files; f->name; f++)
            if (migration_number(f->name) == v)
                m = f;
        if (!m) {
            snprintf(err, errlen, "migration %04d is missing from this build", v);
            return -1;
        }
        if (db_begin(db) != SQLITE_OK) {
            snprintf(err, errlen, "cannot start migration %04d: %s", v, sqlite3_errmsg(db));
            return -1;
        }
        /* The number is ours, not user input: a PRAGMA cannot bind it. */
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v);
        if (sqlite3_exec(db, m->data, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "migration %s failed: %s", m->name, msg ? msg : "?");
            sqlite3_free(msg);
            db_rollback(db);
            return -1;
        }
        if (db_commit(db) != SQLITE_OK) {
            snprintf(err, errlen, "cannot commit migration %04d: %s", v, sqlite3_errmsg(db));
            db_rollback(db);
            return -1;
        }
        (*applied)++;
    }
    return 0;
}

/* Run one cached statement that returns no rows (BEGIN, COMMIT, SAVEPOINT):
 * compiling them on every request cost more than the transaction itself.
 * Returns an SQLite code, SQLITE_OK on success. */
static int db_step_cached(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = db_cached_static(db, sql);
    int rc;

    if (!st)
        return sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errcode(db) : SQLITE_ERROR;
    rc = sqlite3_step(st);
    db_done(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int db_begin(sqlite3 *db)
{
    return db_step_cached(db, "BEGIN IMMEDIATE");
}

int db_commit(sqlite3 *db)
{
    return db_step_cached(db, "COMMIT");
}

void db_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        db_step_cached(db, "ROLLBACK");
}

int db_savepoint(sqlite3 *db)
{
    return db_step_cached(db, "SAVEPOINT dom");
}

int db_release(sqlite3 *db)
{
    return db_step_cached(db, "RELEASE dom");
}

void db_rollback_to(sqlite3 *db)
{
    db_step_cached(db, "ROLLBACK TO dom");
    db_step_cached(db, "RELEASE dom");
}

void db_serve_reads(sqlite3 *db, int readers)
{
    /* The readers share 40 MiB of page cache (SQLite's default is 2 MiB a
     * connection). A read of a record goes to the reader of its row when
     * that one is free (http/server.c, reader_for_row), so the caches hold
     * different pages, and together most of the 40 MiB of persons and
     * households of 100,000 persons: a GET then reads 0.6 pages from the OS
     * instead of 2.1 (50 MiB: 0.3, but the server passed 190 MB). A memory
     * mapping would save the reads altogether, but each connection maps
     * the file on its own, and Linux maps 16 pages around each one touched,
     * so the server grew past 500 MB. */
    int kib = 40960 / (readers > 0 ? readers : 1);

    /* PRAGMA takes no parameter: the text is one of ours. */
    sqlite3_exec(db, kib >= 16384 ? "PRAGMA cache_size=-16384"
                     : kib >= 12288 ? "PRAGMA cache_size=-12288"
                     : kib >= 10240 ? "PRAGMA cache_size=-10240"
                     : kib >= 8192  ? "PRAGMA cache_size=-8192"
                     : kib >= 6144  ? "PRAGMA cache_size=-6144"
                     : kib >= 4096  ? "PRAGMA cache_size=-4096"
                                    : "PRAGMA cache_size=-2048",
                 NULL, NULL, NULL);
}

/* ---- checkpoints in a thread of their own ----
 * SQLite copies the WAL back into the database (and syncs it) in whichever
 * connection's commit crosses 1,000 pages: in the server, the one writer,
 * with every waiting write held up behind it. Instead the writer's commits
 * only wake a checkpointer thread, which copies what it can (PASSIVE: it
 * never blocks the writer). Under a long burst of writes it can never catch
 * up with the end of the log, so past WAL_FORCE pages the writer checkpoints
 * itself once, which lets the log start over. */
#define WAL_WAKE 1000
#define WAL_FORCE 16000

static struct {
    pthread_mutex_t lock;
    pthread_cond_t  wake;
    int             pending; /* a checkpoint is asked for */
    int             stop;
    int             running;
    pthread_t       thread;
    sqlite3        *db;      /* the checkpointer's own connection */
} ck = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static int wal_committed(void *unused, sqlite3 *db, const char *name, int pages)
{
    (void)unused;
    if (pages >= WAL_FORCE) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    } else if (pages >= WAL_WAKE) {
        pthread_mutex_lock(&ck.lock);
        ck.pending = 1;
        pthread_cond_signal(&ck.wake);
        pthread_mutex_unlock(&ck.lock);
    }
    return SQLITE_OK;
}

static void *checkpointer(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&ck.lock);
    for (;;) {
        while (!ck.pending && !ck.stop)
            pthread_cond_wait(&ck.wake, &ck.lock);
        if (ck.stop)
            break;
        ck.pending = 0;
        pthread_mutex_unlock(&ck.lock);
        sqlite3_wal_checkpoint_v2(ck.db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&ck.lock);
    }
    pthread_mutex_unlock(&ck.lock);
    return NULL;
}

int db_checkpointer_start(sqlite3 *writer, const char *path, char *err, size_t errlen)
{
    ck.db = db_open(path, 0, err, errlen);
    if (!ck.db)
        return -1;
    ck.stop = ck.pending = 0;
    if (pthread_create(&ck.thread, NULL, checkpointer, NULL) != 0) {
        snprintf(err, errlen, "cannot start the checkpoint thread");
        db_close(ck.db);
        ck.db = NULL;
        return -1;
    }
    ck.running = 1;
    sqlite3_wal_hook(writer, wal_committed, NULL); /* replaces SQLite's own checkpoints */
    return 0;
}

void db_checkpointer_stop(sqlite3 *writer)
{
    if (!ck.running)
        return;
    sqlite3_wal_autocheckpoint(writer, 1000); /* SQLite's own again */
    pthread_mutex_lock(&ck.lock);
    ck.stop = 1;
    pthread_cond_signal(&ck.wake);
    pthread_mutex_unlock(&ck.lock);
    pthread_join(ck.thread, NULL);
    ck.running = 0;
    db_close(ck.db);
    ck.db = NULL;
}

void db_serve_writes(sqlite3 *db)
{
    /* Connections that wait for the writer mostly look up a few rows: a
     * small cache each, there are many of them. */
    sqlite3_exec(db, "PRAGMA cache_size=-512", NULL, NULL, NULL);
}

/* ---- read snapshots kept between requests ----
 * A read transaction costs a GET more than its SELECT: BEGIN, COMMIT and
 * the read lock on the wal-index, which SQLite takes and drops with fcntl()
 * when no other connection of the process holds it. A server's reader
 * keeps its transaction from one request to the next instead, for as long
 * as nothing has been committed since it began.
 *
 * Whether anything was: every commit rewrites the header of the wal-index
 * (the -shm file SQLite maps; walformat.html describes it, and processes
 * of different SQLite versions share it, so it cannot change). Its first
 * 48 bytes are copied before a snapshot begins; the snapshot is current
 * while they are unchanged. A copy taken before the transaction begins can
 * only be older than the snapshot, never newer, so a commit is never
 * missed; at worst a snapshot is renewed once for nothing.
 *
 * What a kept snapshot holds back, and when it is let go:
 * - a checkpoint copies frames back only up to the oldest snapshot, and
 *   needs the lock of snapshots begun on a fully copied log (slot 0): both
 *   matter only after a commit, and then the snapshot is stale;
 * - the log starts over only when no snapshot holds a later slot: so a
 *   snapshot begun before the log was fully copied back is let go once it
 *   is;
 * - anything else that waits for readers (a TRUNCATE checkpoint after an
 *   erasure, a change of journal mode): the server lets go of snapshots
 *   that are stale or idle (db_snapshot_release, from its sweeper thread).
 * When the wal-index is not as expected (not mapped, another version), no
 * snapshot is kept: every request begins and ends its own. */
#define WAL_HDR 48            /* bytes of the wal-index header */
#define WAL_VERSION 3007000   /* its iVersion */
#define WAL_MXFRAME 16        /* offset of mxFrame, the last valid frame */
#define WAL_BACKFILL 96       /* offset of nBackfill, frames copied back */

static long long monotonic_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static uint32_t shm_u32(const volatile unsigned char *shm, int at)
{
    uint32_t v;
    unsigned char b[4];

    for (int i = 0; i < 4; i++)
        b[i] = shm[at + i];
    memcpy(&v, b, sizeof v); /* native byte order */
    return v;
}

/* The wal-index of db's main database, when mapped and of the known layout. */
static const volatile unsigned char *shm_of(sqlite3 *db)
{
    sqlite3_file *f = NULL;
    volatile void *p = NULL;

    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
        f->pMethods->iVersion < 2 || !f->pMethods->xShmMap ||
        f->pMethods->xShmMap(f, 0, 32768, 0, &p) != SQLITE_OK || !p)
        return NULL;
    if (shm_u32(p, 0) != WAL_VERSION || ((const volatile unsigned char *)p)[12] != 1 /* isInit */)
        return NULL;
    return p;
}

/* 1 while nothing was committed since s began (and the log need not start over). */
static int snapshot_current(const db_snapshot_t *s)
{
    uint32_t mx;

    for (int i = 0; i < WAL_HDR; i++)
        if (s->shm[i] != s->hdr[i])
            return 0;
    mx = shm_u32(s->shm, WAL_MXFRAME);
    return s->slot0 || mx == 0 || shm_u32(s->shm, WAL_BACKFILL) < mx;
}

/* A read transaction: one snapshot and one read lock for several reads
 * (it begins at the first read). read_end commits it if it is still open. */
static void read_begin(sqlite3 *db)
{
    db_step_cached(db, "BEGIN");
}

static void read_end(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        db_step_cached(db, "COMMIT");
}

int db_snapshot_use(sqlite3 *db, db_snapshot_t *s)
{
    if (s->open) {
        if (!sqlite3_get_autocommit(db) && snapshot_current(s))
            return 0;
        read_end(db);
        s->open = 0;
    }
    if (s->shm) {
        uint32_t mx;

        for (int i = 0; i < WAL_HDR; i++)
            s->hdr[i] = s->shm[i];
        mx = shm_u32(s->shm, WAL_MXFRAME);
        s->slot0 = shm_u32(s->shm, WAL_BACKFILL) >= mx;
        s->open = 1;
    }
    read_begin(db);
    return 1;
}

void db_snapshot_done(sqlite3 *db, db_snapshot_t *s)
{
    if (!s->open || sqlite3_txn_state(db, NULL) == SQLITE_TXN_WRITE) {
        read_end(db);
        s->open = 0;
    } else if (sqlite3_get_autocommit(db)) {
        s->open = 0; /* ended inside the request */
    }
    if (!s->shm && !s->open)
        s->shm = shm_of(db); /* mapped by now: kept from the next request on */
    s->used_ms = monotonic_ms();
}

void db_snapshot_release(sqlite3 *db, db_snapshot_t *s, long long idle_ms)
{
    if (!s->open)
        return;
    if (idle_ms >= 0 && snapshot_current(s) && monotonic_ms() - s->used_ms <= idle_ms)
        return;
    read_end(db);
    s->open = 0;
}

int db_ping(sqlite3 *db)
{
    return db_int(db, "SELECT 1", NULL, 0) == 1;
}

sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        log_error("sql prepare failed: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s)
        return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int db_exec(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        log_error("sql failed: %s", sqlite3_errmsg(db));
    return rc;
}

long long db_int(sqlite3 *db, const char *sql, const char *param, long long dflt)
{
    sqlite3_stmt *st = db_cached(db, sql);
    long long v = dflt;

    if (!st)
        return dflt;
    if (param)
        db_bind_text(st, 1, param);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    db_done(st);
    return v;
}

long long db_int_key(sqlite3 *db, const char *sql, long long key, long long dflt)
{
    sqlite3_stmt *st = db_cached(db, sql);
    long long v = dflt;

    if (!st)
        return dflt;
    sqlite3_bind_int64(st, 1, key);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    db_done(st);
    return v;
}

void db_now(char *out)
{
    db_time(out, 0);
}

void db_time(char *out, long offset)
{
    /* Each request asks for the time: each thread formats a second once. */
    static _Thread_local struct {
        time_t t;
        char   text[20];
    } last;
    struct timeval tv;
    int ms;

    gettimeofday(&tv, NULL);
    tv.tv_sec += offset;
    if (tv.tv_sec != last.t || !last.text[0]) {
        struct tm tm;

        gmtime_r(&tv.tv_sec, &tm);
        strftime(last.text, sizeof last.text, "%Y-%m-%dT%H:%M:%S", &tm);
        last.t = tv.tv_sec;
    }
    ms = (int)(tv.tv_usec / 1000) % 1000;
    memcpy(out, last.text, 19);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

struct db_pool {
    pthread_mutex_t lock;
    pthread_cond_t  freed;
    int             n;     /* connections */
    int             nfree; /* connections in free[] */
    sqlite3       **all;   /* every connection, for closing */
    sqlite3       **free;  /* a stack of idle connections */
};

db_pool_t *db_pool_open(const char *path, int n, char *err, size_t errlen)
{
    db_pool_t *p = calloc(1, sizeof *p);

    if (!p)
        return NULL;
    p->all = calloc((size_t)n, sizeof *p->all);
    p->free = calloc((size_t)n, sizeof *p->free);
    if (!p->all || !p->free) {
        snprintf(err, errlen, "out of memory");
        db_pool_close(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    for (int i = 0; i < n; i++) {
        p->all[i] = db_open(path, 0, err, errlen);
        if (!p->all[i]) {
            p->n = i;
            db_pool_close(p);
            return NULL;
        }
        p->free[i] = p->all[i];
    }
    p->n = p->nfree = n;
    return p;
}

sqlite3 *db_pool_get(db_pool_t *p)
{
    sqlite3 *db;

    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    db = p->free[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    return db;
}

void db_pool_put(db_pool_t *p, sqlite3 *db)
{
    db_rollback(db); /* never hand on an open transaction */
    pthread_mutex_lock(&p->lock);
    p->free[p->nfree++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void db_pool_close(db_pool_t *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        db_close(p->all[i]);
    if (p->all) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->freed);
    }
    free(p->all);
    free(p->free);
    free(p);
}

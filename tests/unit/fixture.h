/*
 * fixture.h - a real SQLite database for the unit tests that need one: a
 * fresh file in its own temporary folder, with its key file, migrated, the
 * gazetteer loaded. Included by one test file each (static functions).
 */
#ifndef HW_TEST_FIXTURE_H
#define HW_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/domain.h"
#include "sec/crypt.h"
#include "store/db.h"

typedef struct fixture {
    char      dir[64];  /* the temporary folder */
    char      path[96]; /* the database file in it */
    dom_ctx_t c;        /* a context on it, acting as the system */
} fixture_t;

/* A new database, or NULL when it could not be made. */
static fixture_t *fixture_open(void)
{
    fixture_t *f = calloc(1, sizeof *f);
    char err[256], key[128];
    int applied;

    if (!f)
        return NULL;
    strcpy(f->dir, "/tmp/hw-unit-XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return NULL;
    }
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    snprintf(key, sizeof key, "%s.key", f->path);
    if (crypt_create_key_file(key, err, sizeof err) != 0 || crypt_load(f->path, err, sizeof err) != 0)
        return NULL;
    f->c.db = db_open(f->path, 1, err, sizeof err);
    f->c.folder = text_folder_new();
    if (!f->c.db || !f->c.folder || db_migrate(f->c.db, &applied, err, sizeof err) != 0)
        return NULL;
    if (settlement_load(&f->c) <= 0)
        return NULL;
    return f;
}

/* Close the database and remove its files and folder. */
static void fixture_close(fixture_t *f)
{
    char p[128];

    text_folder_free(f->c.folder);
    db_close(f->c.db);
    for (const char *const *sfx = (const char *const[]){"-wal", "-shm", ".key", "", NULL}; *sfx; sfx++) {
        snprintf(p, sizeof p, "%s%s", f->path, *sfx);
        unlink(p);
    }
    crypt_unload();
    rmdir(f->dir);
    free(f);
}

#endif

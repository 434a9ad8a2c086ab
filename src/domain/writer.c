/*
 * writer.c - group commit of the server's writes (see writer.h).
 */
#include "writer.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "util/log.h"

#define MAX_BATCH 256

typedef struct job {
    json_t *(*fn)(dom_ctx_t *w, void *arg, dom_err_t *err);
    void        *arg;
    dom_ctx_t   *caller; /* whose write it is */
    json_t      *out;    /* the answer, once done */
    dom_err_t   *err;
    int          done;
    struct job  *next;
} job_t;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t  work;    /* jobs are waiting */
    pthread_cond_t  done;    /* a batch has committed */
    job_t          *head, *tail;
    int             running; /* the thread runs */
    int             stop;    /* asked to stop */
    pthread_t       thread;
    dom_ctx_t       ctx;     /* the writer's own connection and helpers */
} w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER};

static void run_batch(job_t *batch)
{
    int rc = SQLITE_BUSY, lost = 0;

    for (int tries = 0; rc == SQLITE_BUSY && tries < 100; tries++)
        rc = db_begin(w.ctx.db);
    for (job_t *j = batch; j; j = j->next) {
        if (rc != SQLITE_OK) {
            dom_fail(j->err, DOM_INTERNAL, NULL, "the database is busy; try again");
            continue;
        }
        /* Act as the caller, on the writer's connection, in a savepoint. */
        w.ctx.user_id = j->caller->user_id;
        w.ctx.org_id = j->caller->org_id;
        w.ctx.username = j->caller->username;
        w.ctx.role = j->caller->role;
        w.ctx.client = j->caller->client;
        w.ctx.batch = 1;
        j->out = j->fn(&w.ctx, j->arg, j->err);
        if (sqlite3_get_autocommit(w.ctx.db)) {
            /* SQLite rolled the whole transaction back (I/O error, disk
             * full): nothing of this batch is stored. */
            lost = 1;
            break;
        }
    }
    if (rc == SQLITE_OK && (lost || db_commit(w.ctx.db) != SQLITE_OK)) {
        log_error("a group commit failed; its writes were rolled back");
        db_rollback(w.ctx.db);
        for (job_t *j = batch; j; j = j->next) {
            json_decref(j->out);
            j->out = NULL;
            dom_err_clear(j->err);
            dom_fail(j->err, DOM_INTERNAL, NULL, "the write could not be stored");
        }
    }
}

static void *writer_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&w.lock);
    for (;;) {
        job_t *batch, *last;
        int n = 1;

        while (!w.head && !w.stop)
            pthread_cond_wait(&w.work, &w.lock);
        if (!w.head && w.stop)
            break;
        /* Take everything waiting (up to MAX_BATCH). */
        batch = last = w.head;
        while (last->next && n < MAX_BATCH) {
            last = last->next;
            n++;
        }
        w.head = last->next;
        if (!w.head)
            w.tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w.lock);
        run_batch(batch);
        pthread_mutex_lock(&w.lock);
        for (job_t *j = batch; j; j = j->next)
            j->done = 1;
        pthread_cond_broadcast(&w.done);
    }
    pthread_mutex_unlock(&w.lock);
    return NULL;
}

int writer_start(const char *db_path, char *err, size_t n)
{
    memset(&w.ctx, 0, sizeof w.ctx);
    w.ctx.db = db_open(db_path, 0, err, n);
    w.ctx.folder = w.ctx.db ? text_folder_new() : NULL;
    if (!w.ctx.folder) {
        db_close(w.ctx.db);
        if (w.ctx.db)
            snprintf(err, n, "cannot load the ICU transliterator");
        return -1;
    }
    dom_worker_init(&w.ctx);
    w.stop = 0;
    if (db_checkpointer_start(w.ctx.db, db_path, err, n) != 0) {
        dom_worker_free(&w.ctx);
        text_folder_free(w.ctx.folder);
        db_close(w.ctx.db);
        return -1;
    }
    if (pthread_create(&w.thread, NULL, writer_main, NULL) != 0) {
        snprintf(err, n, "cannot start the writer thread");
        db_checkpointer_stop(w.ctx.db);
        dom_worker_free(&w.ctx);
        text_folder_free(w.ctx.folder);
        db_close(w.ctx.db);
        return -1;
    }
    w.running = 1;
    return 0;
}

void writer_stop(void)
{
    if (!w.running)
        return;
    pthread_mutex_lock(&w.lock);
    w.stop = 1;
    pthread_cond_signal(&w.work);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.thread, NULL);
    w.running = 0;
    db_checkpointer_stop(w.ctx.db);
    dom_worker_free(&w.ctx);
    text_folder_free(w.ctx.folder);
    db_close(w.ctx.db);
    memset(&w.ctx, 0, sizeof w.ctx);
}

json_t *writer_run(dom_ctx_t *c, json_t *(*fn)(dom_ctx_t *w, void *arg, dom_err_t *err), void *arg,
                   dom_err_t *err)
{
    job_t j = {fn, arg, c, NULL, err, 0, NULL};

    if (!w.running || c->batch || c == &w.ctx)
        return fn(c, arg, err);
    pthread_mutex_lock(&w.lock);
    if (w.tail)
        w.tail->next = &j;
    else
        w.head = &j;
    w.tail = &j;
    pthread_cond_signal(&w.work);
    while (!j.done)
        pthread_cond_wait(&w.done, &w.lock);
    pthread_mutex_unlock(&w.lock);
    return j.out;
}

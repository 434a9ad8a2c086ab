/*
 * writer.h - group commit: in the server, writes from every worker are
 * handed to one writer thread, which runs all the writes waiting at that
 * moment in one transaction (each in its own savepoint, so one failing
 * write does not undo the others), commits once, and only then answers
 * each of them. One fsync serves many acknowledged writes; no write is
 * acknowledged before its commit is on disk.
 */
#ifndef HW_WRITER_H
#define HW_WRITER_H

#include <stddef.h>

#include "domain/domain.h"

/* Start the writer on its own connection to db_path. 0, or -1 with err. */
int writer_start(const char *db_path, char *err, size_t n);
void writer_stop(void);

/* Run fn(ctx, arg, err) as c, through the writer when it runs (and c is
 * not itself the writer or a batch job), else directly. Returns fn's
 * answer, or NULL with err set. */
json_t *writer_run(dom_ctx_t *c, json_t *(*fn)(dom_ctx_t *w, void *arg, dom_err_t *err), void *arg,
                   dom_err_t *err);

#endif

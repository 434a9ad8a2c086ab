/*
 * protected.c - the list of sealed columns and the walk over them
 * (see protected.h).
 */
#include "protected.h"

#include <stdlib.h>

#include "store/db.h"
#include "util/buf.h"
#include "util/log.h"

const store_protected_t store_protected[] = {
    {"persons", "contact"},
    {"persons", "documents"},
    {"detainees", "inform_address"},
    {"detainees", "detention_place"},
    {"detainees", "health"},
    {"detainee_transfers", "from_place"},
    {"detainee_transfers", "to_place"},
    {"tracing_requests", "inquirer_contact"},
    {"incident_sources", "witness_identity"},
    {NULL, NULL},
};

int store_reseal_all(sqlite3 *db,
                     int (*reseal)(const char *, const char *, const unsigned char *, size_t, unsigned char **,
                                   size_t *),
                     long long *count)
{
    *count = 0;
    for (const store_protected_t *p = store_protected; p->table; p++) {
        buf_t q = BUF_INIT, u = BUF_INIT;
        sqlite3_stmt *sel, *upd;
        int rc = SQLITE_OK;

        /* Names from the constant table above, never from input. */
        buf_puts(&q, "SELECT id, uuid, ");
        buf_puts(&q, p->column);
        buf_puts(&q, " FROM ");
        buf_puts(&q, p->table);
        buf_puts(&q, " WHERE ");
        buf_puts(&q, p->column);
        buf_puts(&q, " IS NOT NULL");
        buf_puts(&u, "UPDATE ");
        buf_puts(&u, p->table);
        buf_puts(&u, " SET ");
        buf_puts(&u, p->column);
        buf_puts(&u, " = ? WHERE id = ?");
        sel = db_prepare(db, buf_str(&q));
        upd = db_prepare(db, buf_str(&u));
        buf_free(&q);
        buf_free(&u);
        if (!sel || !upd) {
            sqlite3_finalize(sel);
            sqlite3_finalize(upd);
            return SQLITE_ERROR;
        }
        while (rc == SQLITE_OK && sqlite3_step(sel) == SQLITE_ROW) {
            unsigned char *out = NULL;
            size_t n = 0;

            if (reseal((const char *)sqlite3_column_text(sel, 1), p->column, sqlite3_column_blob(sel, 2),
                       (size_t)sqlite3_column_bytes(sel, 2), &out, &n) != 0) {
                log_error("%s.%s of row %lld cannot be opened with the current keys", p->table, p->column,
                          (long long)sqlite3_column_int64(sel, 0));
                rc = SQLITE_ERROR;
                break;
            }
            if (!out)
                continue;
            sqlite3_bind_blob(upd, 1, out, (int)n, free);
            sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
            rc = sqlite3_step(upd) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
            sqlite3_reset(upd);
            (*count)++;
        }
        sqlite3_finalize(sel);
        sqlite3_finalize(upd);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

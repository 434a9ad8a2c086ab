/*
 * erase.c - the data-protection duties that remove data: erasure on request
 * by an administrator, and purging what has passed its retention period.
 * Both leave an audit entry with the record's UUID and the reason code,
 * never the data, and truncate the WAL so erased rows do not linger there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/erase_store.h"

static const char *const reasons[] = {"data_subject_request", "registered_in_error", "court_order", "retention",
                                      NULL};
static const char *const kinds[] = {"person", "household", "return_case", NULL};

static int in(const char *const *list, const char *s)
{
    for (int i = 0; s && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static int audit_erase(dom_ctx_t *c, const char *kind, const char *uuid, const char *action, const char *reason)
{
    char act[64];
    audit_entry_t ae = {c->user_id, c->org_id, act, kind, uuid, NULL, reason, c->client};

    snprintf(act, sizeof act, "%s.%s", kind, action);
    return audit_add(c->db, &ae);
}

int dom_erase(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, const char *reason, dom_err_t *err)
{
    const rec_entity_t *e = d->rec;
    long long id;

    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return -1;
    }
    id = rec_find(c->db, e, uuid, dom_viewer_org(c));
    if (!id) {
        dom_rollback(c);
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        return -1;
    }
    if (!in(reasons, reason)) {
        dom_rollback(c);
        dom_fail(err, DOM_INVALID, "reason", "reason must be one of: data_subject_request, registered_in_error, "
                                             "court_order, retention");
        return -1;
    }
    if (store_erase(c->db, e->kind, id) != SQLITE_OK || audit_erase(c, e->kind, uuid, "erase", reason) != SQLITE_OK ||
        dom_commit(c) != SQLITE_OK) {
        dom_rollback(c);
        dom_fail(err, DOM_INTERNAL, NULL, "the erasure failed and was rolled back");
        return -1;
    }
    if (!c->batch)
        store_wal_truncate(c->db);
    return 0;
}

int dom_retention_set(dom_ctx_t *c, const char *kind, long days, dom_err_t *err)
{
    char key[64], value[24];

    if (!in(kinds, kind)) {
        dom_fail(err, DOM_INVALID, "kind", "kind must be person, household or return_case");
        return -1;
    }
    if (days < 0 || days > 100 * 366) {
        dom_fail(err, DOM_INVALID, "days", "days must be from 1 to 36600, or 0 to keep records indefinitely");
        return -1;
    }
    snprintf(key, sizeof key, "retention.%s", kind);
    snprintf(value, sizeof value, "%ld", days);
    if (store_setting_set(c->db, key, days ? value : NULL) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the setting could not be stored");
        return -1;
    }
    return 0;
}

json_t *dom_retention_list(dom_ctx_t *c)
{
    json_t *o = json_object();

    for (int i = 0; kinds[i]; i++) {
        char key[64], *v;
        snprintf(key, sizeof key, "retention.%s", kinds[i]);
        v = store_setting_get(c->db, key);
        json_object_set_new(o, kinds[i], v ? json_integer(atol(v)) : json_null());
        free(v);
    }
    return o;
}

json_t *dom_purge(dom_ctx_t *c, int dry_run, dom_err_t *err)
{
    json_t *report = json_object();
    char now[32], old[32];
    int rc = SQLITE_OK;

    db_now(now);
    if (!dry_run && dom_begin(c) != SQLITE_OK) {
        json_decref(report);
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy");
        return NULL;
    }
    for (int i = 0; kinds[i] && rc == SQLITE_OK; i++) {
        char key[64], before[32], *v;
        json_t *due, *item;
        size_t k;
        long days;

        snprintf(key, sizeof key, "retention.%s", kinds[i]);
        v = store_setting_get(c->db, key);
        days = v ? atol(v) : 0;
        free(v);
        if (days <= 0)
            continue;
        db_time(before, -days * 86400L);
        due = store_retention_due(c->db, kinds[i], before);
        json_object_set_new(report, kinds[i], json_integer((json_int_t)json_array_size(due)));
        json_array_foreach(due, k, item) {
            if (dry_run)
                continue;
            rc = store_erase(c->db, kinds[i], json_integer_value(json_object_get(item, "id")));
            if (rc == SQLITE_OK)
                rc = audit_erase(c, kinds[i], json_string_value(json_object_get(item, "uuid")), "purge", "retention");
            if (rc != SQLITE_OK)
                break;
        }
        json_decref(due);
    }
    db_time(old, -30L * 86400);
    if (!dry_run && rc == SQLITE_OK)
        rc = store_purge_sessions(c->db, now, old);
    if (!dry_run && (rc != SQLITE_OK || dom_commit(c) != SQLITE_OK)) {
        dom_rollback(c);
        json_decref(report);
        dom_fail(err, DOM_INTERNAL, NULL, "the purge failed and was rolled back");
        return NULL;
    }
    if (!dry_run)
        store_wal_truncate(c->db);
    return report;
}

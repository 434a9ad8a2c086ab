/*
 * monitor.c - what the five parts of the monitoring record share (see
 * monitor.h): adding and changing the rows that belong to a record in one
 * audited transaction, reading dated members of a request body, and day
 * arithmetic for the link and indicator computations.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/monitor.h"
#include "sec/audit.h"
#include "store/db.h"
#include "util/pdate.h"
#include "util/text.h"

long mon_day(const char *s)
{
    static const pdate_t epoch = {1970, 1, 1, 0};
    pdate_t d;
    const char *why;

    if (!s || pdate_parse(s, &d, &why) != 0 || !d.day || d.approx)
        return -1;
    return pdate_days_between(&epoch, &d);
}

void mon_date(long d, char *out)
{
    static const pdate_t epoch = {1970, 1, 1, 0};
    pdate_t p;

    pdate_add_days(&epoch, d, &p);
    pdate_format(&p, out);
}

void mon_today(char *out)
{
    pdate_t t;

    pdate_today(&t);
    pdate_format(&t, out);
}

int mon_body_date(json_t *body, const char *name, char *out, dom_err_t *err)
{
    json_t *j = json_object_get(body, name);
    pdate_t d, today;
    const char *why;

    mon_today(out);
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_string(j) || pdate_parse(json_string_value(j), &d, &why) != 0 || !d.day || d.approx) {
        dom_fail(err, DOM_INVALID, name, "%s must be a full date YYYY-MM-DD", name);
        return -1;
    }
    if (d.year < 1880) {
        dom_fail(err, DOM_INVALID, name, "%s is before 1880", name);
        return -1;
    }
    pdate_today(&today);
    if (pdate_cmp_earliest(&d, &today) > 0) {
        dom_fail(err, DOM_INVALID, name, "%s is in the future", name);
        return -1;
    }
    pdate_format(&d, out);
    return 0;
}

int mon_body_text(json_t *body, const char *name, int max, const char **out, dom_err_t *err)
{
    json_t *j = json_object_get(body, name);

    *out = NULL;
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_string(j) || !text_valid(json_string_value(j), json_string_length(j), 1) ||
        text_length(json_string_value(j)) > (size_t)max) {
        dom_fail(err, DOM_INVALID, name, "%s must be text of at most %d characters", name, max);
        return -1;
    }
    *out = json_string_length(j) ? json_string_value(j) : NULL;
    return 0;
}

int mon_body_only(json_t *body, const char *const *allowed, dom_err_t *err)
{
    const char *key;
    json_t *val;

    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
        return -1;
    }
    json_object_foreach(body, key, val) {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            ok |= strcmp(allowed[i], key) == 0;
        if (!ok) {
            dom_fail(err, DOM_INVALID, key, "%s is not a member of this request", key);
            return -1;
        }
    }
    return 0;
}

void mon_redact(dom_ctx_t *c, const char *kind, const rec_field_t *fields, int nfields, json_t *o)
{
    json_t *held = json_array();

    /* As for records (registry.c): protected values are withheld and the
     * names of those that hold one are listed under "protected". */
    (void)c;
    (void)kind;
    for (int i = 0; i < nfields; i++) {
        json_t *v;

        if (!(fields[i].flags & RF_PROTECTED))
            continue;
        v = json_object_get(o, fields[i].name);
        if (v && !json_is_null(v))
            json_array_append_new(held, json_string(fields[i].name));
        json_object_del(o, fields[i].name);
    }
    if (json_array_size(held))
        json_object_set_new(o, "protected", held);
    else
        json_decref(held);
}

int mon_trail(dom_ctx_t *c, const rec_entity_t *e, long long id, long long version, const char *action,
              json_t *changes, const char *uuid, const char *fields)
{
    rec_actor_t a = {c->user_id, c->org_id, NULL};
    audit_entry_t ae = {0};
    char now[32], act[96];
    int rc;

    db_now(now);
    a.now = now;
    rc = rec_history_add(c->db, e, id, version, action, changes, &a);
    snprintf(act, sizeof act, "%s.%s", e->kind, action);
    ae.user_id = c->user_id;
    ae.org_id = c->org_id;
    ae.action = act;
    ae.record_kind = e->kind;
    ae.record_uuid = uuid;
    ae.fields = fields;
    ae.client = c->client;
    if (rc == SQLITE_OK)
        rc = audit_add(c->db, &ae);
    return rc;
}

int mon_validate(dom_ctx_t *c, const mstore_child_t *ch, json_t *body, json_t *old, rec_val_t *v,
                 dom_err_t *err)
{
    rec_entity_t e = {ch->kind, ch->table, NULL, 0, ch->fields, ch->nfields, NULL, NULL};

    return dom_validate(c, &e, body, old, v, err);
}

static void vals_free(const mstore_child_t *ch, rec_val_t *v)
{
    if (!v)
        return;
    for (int i = 0; i < ch->nfields; i++)
        free(v[i].s);
    free(v);
}

/* body without the members named in extra (new reference). */
static json_t *without(json_t *body, const char *const *extra)
{
    json_t *copy = json_copy(body);

    for (int i = 0; extra && extra[i]; i++)
        json_object_del(copy, extra[i]);
    return copy;
}

/* The change a row makes, for history: values, with protected ones only
 * named; and the names of the fields given, for the audit entry. */
static json_t *row_changes(const mstore_child_t *ch, json_t *before, json_t *after, const char *action,
                           char **names)
{
    json_t *fields = json_object(), *list = json_array();

    for (int i = 0; i < ch->nfields; i++) {
        const rec_field_t *f = &ch->fields[i];
        json_t *a = before ? json_object_get(before, f->name) : NULL;
        json_t *b = json_object_get(after, f->name);

        if ((!a || json_is_null(a)) && (!b || json_is_null(b)))
            continue;
        if (a && b && json_equal(a, b))
            continue;
        json_array_append_new(list, json_string(f->name));
        if (f->flags & RF_PROTECTED)
            json_object_set_new(fields, f->name, json_pack("{s:b}", "changed", 1));
        else if (before)
            json_object_set_new(fields, f->name, json_pack("{s:O?, s:O?}", "from", a, "to", b));
        else
            json_object_set_new(fields, f->name, json_incref(b));
    }
    *names = json_dumps(list, JSON_COMPACT);
    json_decref(list);
    return json_pack("{s:{s:s, s:O, s:o}}", ch->kind, "action", action, "id", json_object_get(after, "id"),
                     "fields", fields);
}

/* After a child row was written: touch its parent (a new version), read
 * the row back, leave the trail (history and audit) and commit. The row,
 * redacted for the caller, or NULL with err set (the caller rolls back). */
static json_t *child_written(dom_ctx_t *c, const rec_entity_t *e, const mstore_child_t *ch, const char *uuid,
                             long long parent, long long id, json_t *old, const char *verb, const char *now,
                             dom_err_t *err)
{
    long long version = mstore_touch(c->db, e->table, parent, c->user_id, now);
    json_t *row = mstore_child_get(c->db, ch, id), *changes = NULL;
    char action[80], *names = NULL;

    if (version >= 0 && row) {
        snprintf(action, sizeof action, "%s.%s", ch->kind, verb);
        changes = row_changes(ch, old, row, verb, &names);
        if (mon_trail(c, e, parent, version, action, changes, uuid, names) == SQLITE_OK &&
            dom_commit(c) == SQLITE_OK) {
            mon_redact(c, ch->kind, ch->fields, ch->nfields, row);
            free(names);
            json_decref(changes);
            return row;
        }
    }
    dom_fail(err, DOM_INTERNAL, NULL, "the %s could not be stored", ch->kind);
    free(names);
    json_decref(changes);
    json_decref(row);
    return NULL;
}

json_t *mon_child_add(dom_ctx_t *c, const rec_entity_t *e, const mstore_child_t *ch, const char *uuid,
                      json_t *body, const char *const *extra, mon_check_fn check, mon_after_fn after,
                      dom_err_t *err)
{
    rec_val_t *v = calloc((size_t)ch->nfields + 1, sizeof *v);
    json_t *vb = NULL, *row = NULL;
    char now[32], ruuid[40];
    long long parent, id;

    if (!v) {
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
        free(v);
        return NULL;
    }
    db_now(now);
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        free(v);
        return NULL;
    }
    parent = rec_find(c->db, e, uuid, dom_viewer_org(c));
    if (!parent) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        goto done;
    }
    vb = without(body, extra);
    if (mon_validate(c, ch, vb, NULL, v, err) != 0)
        goto done;
    if (check && check(c, parent, body, v, 0, err) != 0)
        goto done;
    if (mstore_child_insert(c->db, ch, parent, v, c->user_id, now, &id, ruuid) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the %s could not be stored", ch->kind);
        goto done;
    }
    if (after && after(c, parent, id, body, now, err) != 0)
        goto done;
    row = child_written(c, e, ch, uuid, parent, id, NULL, "add", now, err);
done:
    if (!row)
        dom_rollback(c);
    json_decref(vb);
    vals_free(ch, v);
    return row;
}

json_t *mon_child_update(dom_ctx_t *c, const rec_entity_t *e, const mstore_child_t *ch, const char *uuid,
                         const char *row_uuid, json_t *body, mon_check_fn check, dom_err_t *err)
{
    rec_val_t *v = calloc((size_t)ch->nfields + 1, sizeof *v);
    json_t *old = NULL, *row = NULL;
    char now[32];
    long long parent, id = 0;

    if (!v) {
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
        return NULL;
    }
    db_now(now);
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        free(v);
        return NULL;
    }
    parent = rec_find(c->db, e, uuid, dom_viewer_org(c));
    if (parent)
        id = mstore_child_key(c->db, ch, parent, row_uuid);
    old = id ? mstore_child_get(c->db, ch, id) : NULL;
    if (!old) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no such %s of %s %s", ch->kind, e->kind, uuid);
        goto done;
    }
    if (mon_validate(c, ch, body, old, v, err) != 0)
        goto done;
    if (check && check(c, parent, body, v, id, err) != 0)
        goto done;
    if (mstore_child_update(c->db, ch, id, v) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the %s could not be stored", ch->kind);
        goto done;
    }
    row = child_written(c, e, ch, uuid, parent, id, old, "update", now, err);
done:
    if (!row)
        dom_rollback(c);
    json_decref(old);
    vals_free(ch, v);
    return row;
}

static int in_array(json_t *a, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(a, i, v)
        if (strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}

int mon_move_in(dom_ctx_t *c, const rec_entity_t *e, const mstore_machine_t *m, long long id, const char *uuid,
                const char *to, const char *date, const char *note, const char *source, long long if_version,
                mon_moves_fn moves, dom_err_t *err)
{
    mstore_state_t s;
    json_t *allowed, *changes;
    char now[32], fields[64];
    int changed = 0, rc;

    if (mstore_state(c->db, m, id, &s) != 0) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        return -1;
    }
    if (if_version >= 0 && if_version != s.version) {
        dom_fail(err, DOM_STALE, NULL, "the %s changed since version %lld; it is now version %lld", e->kind,
                 if_version, s.version);
        return -1;
    }
    allowed = moves(s.status);
    if (!in_array(allowed, to)) {
        dom_fail(err, DOM_CONFLICT, "to", "a %s that is %s cannot move to %s", e->kind, s.status, to);
        json_decref(err->extra);
        err->extra = json_pack("{s:s, s:o}", "current", s.status, "allowed_moves", allowed);
        return -1;
    }
    json_decref(allowed);
    if (s.date[0] && strcmp(date, s.date) < 0) {
        dom_fail(err, DOM_INVALID, "date", "date %s is before the current status (%s since %s)", date, s.status,
                 s.date);
        return -1;
    }
    db_now(now);
    if (mstore_move(c->db, m, id, s.version, s.status, to, date, note, source, c->user_id, now, &changed) !=
            SQLITE_OK ||
        !changed) {
        dom_fail(err, changed ? DOM_INTERNAL : DOM_STALE, NULL, "the %s changed while it was being saved", e->kind);
        return -1;
    }
    changes = json_pack("{s:{s:s, s:s}, s:s, s:s?, s:s?}", m->status_col, "from", s.status, "to", to, "date", date,
                        m->note_col, note, "source", source);
    snprintf(fields, sizeof fields, "[\"%s\"]", m->status_col);
    rc = mon_trail(c, e, id, s.version + 1, "move", changes, uuid, fields);
    json_decref(changes);
    if (rc != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the move could not be stored");
        return -1;
    }
    return 0;
}

json_t *mon_move(dom_ctx_t *c, const dom_entity_t *d, const mstore_machine_t *m, const char *uuid, json_t *body,
                 const char *note_member, int with_source, mon_moves_fn moves, dom_err_t *err)
{
    const char *const with[] = {"to", "date", "source", "version", note_member, NULL};
    const char *const without_source[] = {"to", "date", "version", note_member, NULL};
    const char *note = NULL, *source = NULL;
    char date[16];
    long long id, if_version = -1;
    json_t *j, *out = NULL;

    if (mon_body_only(body, with_source ? with : without_source, err) != 0)
        return NULL;
    j = json_object_get(body, "to");
    if (!json_is_string(j)) {
        dom_fail(err, DOM_INVALID, "to", "to is required: the status to move to");
        return NULL;
    }
    if (mon_body_date(body, "date", date, err) != 0 || mon_body_text(body, note_member, 2000, &note, err) != 0 ||
        mon_body_text(body, "source", 500, &source, err) != 0)
        return NULL;
    if (json_object_get(body, "version")) {
        if (!json_is_integer(json_object_get(body, "version"))) {
            dom_fail(err, DOM_INVALID, "version", "version must be the integer version you read");
            return NULL;
        }
        if_version = json_integer_value(json_object_get(body, "version"));
    }
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        return NULL;
    }
    id = rec_find(c->db, d->rec, uuid, dom_viewer_org(c));
    if (!id) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", d->rec->kind, uuid);
        goto fail;
    }
    if (mon_move_in(c, d->rec, m, id, uuid, json_string_value(j), date, note, source, if_version, moves, err) != 0)
        goto fail;
    if (dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the move could not be stored");
        goto fail;
    }
    out = dom_get(c, d, uuid, err);
    return out;
fail:
    dom_rollback(c);
    return NULL;
}

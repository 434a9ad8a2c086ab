/*
 * registry.c - the generic record operations every registry entity shares:
 * create, update with optimistic concurrency, read, list with filters,
 * sorting and cursors, and history. Each write records its history and an
 * audit entry in the same transaction, so no write is half done.
 */
#include <pthread.h>
#include <sodium.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "domain/perm.h"
#include "domain/writer.h"
#include "sec/audit.h"
#include "store/db.h"
#include "store/record.h"
#include "util/buf.h"
#include "util/jsonout.h"

int dom_begin(dom_ctx_t *c)
{
    return c->batch ? db_savepoint(c->db) : db_begin(c->db);
}

int dom_commit(dom_ctx_t *c)
{
    return c->batch ? db_release(c->db) : db_commit(c->db);
}

void dom_rollback(dom_ctx_t *c)
{
    if (c->batch)
        db_rollback_to(c->db);
    else
        db_rollback(c->db);
}

/* The JSON a validated value will read back as (for hooks and rules). */
static json_t *val_json(const rec_field_t *f, const rec_val_t *v, json_t *sent)
{
    if (v->null)
        return (f->type == RT_CODES || f->type == RT_STRINGS) ? json_array() : json_null();
    switch (f->type) {
    case RT_INT:
        return json_integer(v->i);
    case RT_BOOL:
        return json_boolean(v->i);
    case RT_REAL:
        return json_real(v->d);
    case RT_REF:
        return json_incref(sent);
    case RT_CODES:
    case RT_STRINGS: {
        json_t *a = json_loads(v->s, 0, NULL);
        return a ? a : json_array();
    }
    default:
        return json_string(v->s);
    }
}

/* old with the validated values of body applied. */
static json_t *merged(const rec_entity_t *e, json_t *old, json_t *body, const rec_val_t *v)
{
    json_t *m = old ? json_deep_copy(old) : json_object();

    for (int i = 0; i < e->nfields; i++)
        if (v[i].set)
            json_object_set_new(m, e->fields[i].name,
                                val_json(&e->fields[i], &v[i], json_object_get(body, e->fields[i].name)));
    return m;
}

/* The changes from old to new, field by field; protected values never
 * appear. Also fills names with the changed field names. */
static json_t *diff(const rec_entity_t *e, json_t *old, json_t *now, json_t *names)
{
    json_t *changes = json_object();

    for (int i = 0; i < e->nfields; i++) {
        const rec_field_t *f = &e->fields[i];
        json_t *a = old ? json_object_get(old, f->name) : NULL;
        json_t *b = json_object_get(now, f->name);
        int empty_a = !a || json_is_null(a) || (json_is_array(a) && json_array_size(a) == 0);
        int empty_b = !b || json_is_null(b) || (json_is_array(b) && json_array_size(b) == 0);

        if ((empty_a && empty_b) || (a && b && json_equal(a, b)))
            continue;
        json_array_append_new(names, json_string(f->name));
        if (f->flags & RF_PROTECTED)
            json_object_set_new(changes, f->name, json_pack("{s:b}", "changed", 1));
        else
            json_object_set_new(changes, f->name, json_pack("{s:O, s:O}", "from", a ? a : json_null(),
                                                            "to", b ? b : json_null()));
    }
    return changes;
}

static int write_trail(dom_ctx_t *c, const dom_entity_t *d, long long id, json_t *old, json_t *now,
                       const char *action, const rec_actor_t *a, int *nchanges)
{
    const rec_entity_t *e = d->rec;
    json_t *names = json_array();
    json_t *changes = diff(e, old, now, names);
    char act[64], *fields;
    audit_entry_t ae = {0};
    int rc;

    *nchanges = (int)json_array_size(names);
    rc = rec_history_add(c->db, e, id, json_integer_value(json_object_get(now, "version")), action,
                         changes, a);
    fields = json_out_exact(names, NULL);
    snprintf(act, sizeof act, "%s.%s", e->kind, action);
    ae.user_id = c->user_id;
    ae.org_id = c->org_id;
    ae.action = act;
    ae.record_kind = e->kind;
    ae.record_uuid = json_string_value(json_object_get(now, "id"));
    ae.fields = fields;
    ae.client = c->client;
    if (rc == SQLITE_OK)
        rc = audit_add(c->db, &ae);
    free(fields);
    json_decref(names);
    json_decref(changes);
    return rc;
}

const char *dom_str(json_t *rec, const char *k)
{
    const char *s = json_string_value(json_object_get(rec, k));
    return s && *s ? s : NULL;
}

int dom_move_listed(json_t *allowed, const char *to)
{
    json_t *v;
    size_t i;
    int ok = 0;

    json_array_foreach(allowed, i, v)
        ok |= to && strcmp(json_string_value(v), to) == 0;
    json_decref(allowed);
    return ok;
}

long long dom_viewer_org(dom_ctx_t *c)
{
    return c->role ? c->org_id : -1;
}

/* Withhold protected fields unless revealed (each reveal was checked and
 * audited by the caller); list under "protected" which ones hold a value,
 * so a reader knows there is something to ask for. */
static void redact(dom_ctx_t *c, const rec_entity_t *e, json_t *o, const char *const *reveal)
{
    json_t *held = json_array();

    (void)c;
    for (int i = 0; i < e->nfields; i++) {
        const rec_field_t *f = &e->fields[i];
        json_t *v;
        int shown = 0;

        if (!(f->flags & RF_PROTECTED))
            continue;
        v = json_object_get(o, f->name);
        if (v && !json_is_null(v))
            json_array_append_new(held, json_string(f->name));
        for (int k = 0; reveal && reveal[k]; k++)
            shown |= strcmp(reveal[k], f->name) == 0;
        if (!shown)
            json_object_del(o, f->name);
    }
    json_object_set_new(o, "protected", held);
}

static json_t *create_direct(dom_ctx_t *c, const dom_entity_t *d, json_t *body, long long *written,
                             dom_err_t *err);
static json_t *update_direct(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long if_version,
                             json_t *body, long long *written, dom_err_t *err);

/* Writes go through the group-commit writer when the server runs one. */
struct write_args {
    const dom_entity_t *d;
    const char         *uuid;
    long long           if_version;
    json_t             *body;
    long long           id;        /* the record written, once committed */
};

static json_t *create_job(dom_ctx_t *c, void *arg, dom_err_t *err)
{
    struct write_args *a = arg;
    return create_direct(c, a->d, a->body, &a->id, err);
}

static json_t *update_job(dom_ctx_t *c, void *arg, dom_err_t *err)
{
    struct write_args *a = arg;
    return update_direct(c, a->d, a->uuid, a->if_version, a->body, &a->id, err);
}

json_t *dom_create(dom_ctx_t *c, const dom_entity_t *d, json_t *body, dom_err_t *err)
{
    struct write_args a = {d, NULL, 0, body, 0};
    json_t *out = writer_run(c, create_job, &a, err);

    if (out && a.id && d->after_reply)
        d->after_reply(c, a.id, out);
    return out;
}

json_t *dom_update(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long if_version, json_t *body,
                   dom_err_t *err)
{
    struct write_args a = {d, uuid, if_version, body, 0};
    json_t *out = writer_run(c, update_job, &a, err);

    if (out && a.id && d->after_reply)
        d->after_reply(c, a.id, out);
    return out;
}

/* *written gets the record's key once it is written and its hooks ran. */
static json_t *create_direct(dom_ctx_t *c, const dom_entity_t *d, json_t *body, long long *written,
                             dom_err_t *err)
{
    const rec_entity_t *e = d->rec;
    rec_val_t *v = rec_vals_new(e);
    json_t *rec = NULL, *out = NULL;
    rec_actor_t a = {c->user_id, c->org_id, NULL};
    char now[32];
    long long id;
    int n;

    db_now(now);
    a.now = now;
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        goto done;
    }
    if (dom_validate(c, e, body, NULL, v, err) != 0)
        goto done;
    rec = merged(e, NULL, body, v);
    if (d->prepare && d->prepare(c, rec, v, 1, err) != 0)
        goto done;
    if (rec_insert(c->db, e, v, &a, &id) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        goto done;
    }
    if (d->after_write && d->after_write(c, id, rec, err) != 0)
        goto done;
    out = rec_get(c->db, e, id);
    if (!out || write_trail(c, d, id, NULL, out, "create", &a, &n) != SQLITE_OK ||
        dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        json_decref(out);
        out = NULL;
        goto done;
    }
    if (d->decorate)
        d->decorate(c, id, out);
    if (d->after_commit)
        d->after_commit(c, id, out);
    redact(c, e, out, NULL);
    *written = id;
done:
    if (!out)
        dom_rollback(c);
    json_decref(rec);
    rec_vals_free(e, v);
    return out;
}

static json_t *update_direct(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long if_version,
                             json_t *body, long long *written, dom_err_t *err)
{
    const rec_entity_t *e = d->rec;
    rec_val_t *v = rec_vals_new(e);
    json_t *old = NULL, *rec = NULL, *out = NULL;
    rec_actor_t a = {c->user_id, c->org_id, NULL};
    long long id, have;
    char now[32];
    int changed = 0, n = 0;

    db_now(now);
    a.now = now;
    if (dom_begin(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the database is busy; try again");
        goto done;
    }
    id = rec_key(c->db, e->table, uuid);
    old = id && rec_visible(c->db, e, id, dom_viewer_org(c)) ? rec_get(c->db, e, id) : NULL;
    if (!old) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        goto done;
    }
    have = json_integer_value(json_object_get(old, "version"));
    if (if_version < 0 && json_is_object(body)) {
        json_t *bv = json_object_get(body, "version");
        if (bv && !json_is_integer(bv)) {
            dom_fail(err, DOM_INVALID, "version", "version must be the integer version you read");
            goto done;
        }
        if (bv)
            if_version = json_integer_value(bv);
    }
    if (if_version < 0) {
        dom_fail(err, DOM_NEED_VERSION, NULL,
                 "send the version you read, as If-Match: \"%lld\" or a version member", have);
        goto done;
    }
    if (if_version != have) {
        dom_fail(err, DOM_STALE, NULL, "the %s changed since version %lld; it is now version %lld",
                 e->kind, if_version, have);
        goto done;
    }
    if (dom_validate(c, e, body, old, v, err) != 0)
        goto done;
    rec = merged(e, old, body, v);
    if (d->prepare && d->prepare(c, rec, v, 0, err) != 0)
        goto done;
    if (rec_update(c->db, e, id, have, v, &a, &changed) != SQLITE_OK || !changed) {
        if (!changed)
            dom_fail(err, DOM_STALE, NULL, "the %s changed while it was being saved", e->kind);
        else
            dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        goto done;
    }
    if (d->after_write && d->after_write(c, id, rec, err) != 0)
        goto done;
    out = rec_get(c->db, e, id);
    if (!out || write_trail(c, d, id, old, out, "update", &a, &n) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        json_decref(out);
        out = NULL;
        goto done;
    }
    if (n == 0) {
        /* Nothing changed: keep the version and write no history. */
        json_decref(out);
        dom_rollback(c);
        out = json_incref(old);
    } else if (dom_commit(c) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        json_decref(out);
        out = NULL;
        goto done;
    } else {
        if (d->after_commit)
            d->after_commit(c, id, out);
        *written = id;
    }
    if (d->decorate)
        d->decorate(c, id, out);
    redact(c, e, out, NULL);
done:
    if (!out)
        dom_rollback(c);
    json_decref(old);
    json_decref(rec);
    rec_vals_free(e, v);
    return out;
}

json_t *dom_get(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, dom_err_t *err)
{
    return dom_get_revealed(c, d, uuid, NULL, NULL, err);
}

/* Append one audit entry: in the writer's batch, or in a transaction of
 * its own when no writer runs. */
static json_t *audit_job(dom_ctx_t *c, void *arg, dom_err_t *err)
{
    int rc = dom_begin(c);

    if (rc == SQLITE_OK)
        rc = audit_add(c->db, arg);
    if (rc == SQLITE_OK)
        rc = dom_commit(c);
    if (rc != SQLITE_OK) {
        dom_rollback(c);
        dom_fail(err, DOM_INTERNAL, NULL, "the audit entry could not be stored");
        return NULL;
    }
    return json_true();
}

static const char *const purposes[] = {"registration", "return_assistance", "tracing", "family_reunification",
                                       "protection", "medical", "legal", "data_subject_request",
                                       "audit_investigation", NULL};

json_t *dom_get_revealed(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, const char *reveal,
                         const char *purpose, dom_err_t *err)
{
    const rec_entity_t *e = d->rec;
    const char *fields[16];
    char list[256], *save = NULL;
    int n = 0, known = 0;
    unsigned long long open = 0;
    long long id = 0;
    json_t *o;

    /* A hidden or absent record answers 404, whatever reveal asks. */
    if (reveal && *reveal && !rec_find(c->db, e, uuid, dom_viewer_org(c))) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        return NULL;
    }
    if (reveal && *reveal) {
        snprintf(list, sizeof list, "%s", reveal);
        for (char *w = strtok_r(list, ",", &save); w && n < 15; w = strtok_r(NULL, ",", &save)) {
            int i = rec_field_index(e, w);
            if (i < 0 || !(e->fields[i].flags & RF_PROTECTED)) {
                dom_fail(err, DOM_BAD, "reveal", "%.40s is not a protected field of a %s", w, e->kind);
                return NULL;
            }
            if (!perm_sees_protected(c->role, e->kind, w)) {
                dom_fail(err, DOM_FORBIDDEN, "reveal", "the %s role may not see %s", c->role ? c->role : "?", w);
                return NULL;
            }
            fields[n++] = e->fields[i].name;
            open |= i < 64 ? 1ULL << i : 0;
        }
        fields[n] = NULL;
        for (int k = 0; purpose && purposes[k]; k++)
            known |= strcmp(purposes[k], purpose) == 0;
        if (!known) {
            buf_t b = BUF_INIT;
            for (int k = 0; purposes[k]; k++) {
                buf_puts(&b, k ? ", " : "");
                buf_puts(&b, purposes[k]);
            }
            dom_fail(err, DOM_BAD, "purpose", "revealing protected fields needs a purpose: one of %s", buf_str(&b));
            buf_free(&b);
            return NULL;
        }
    }
    /* Only the fields asked for are opened; the others never leave the seal. */
    o = rec_read(c->db, e, uuid, dom_viewer_org(c), open, &id);
    if (!o) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", e->kind, uuid);
        return NULL;
    }
    if (n) {
        /* Every reveal leaves a trace: who, which fields, why; committed
         * (through the writer: this is a read) before anything is shown. */
        json_t *names = json_array(), *done;
        char act[64], *text;
        audit_entry_t ae = {0};

        for (int k = 0; k < n; k++)
            json_array_append_new(names, json_string(fields[k]));
        text = json_dumps(names, JSON_COMPACT);
        snprintf(act, sizeof act, "%s.reveal", e->kind);
        ae.user_id = c->user_id;
        ae.org_id = c->org_id;
        ae.action = act;
        ae.record_kind = e->kind;
        ae.record_uuid = uuid;
        ae.fields = text;
        ae.purpose = purpose;
        ae.client = c->client;
        done = writer_run(c, audit_job, &ae, err);
        free(text);
        json_decref(names);
        if (!done) {
            json_decref(o);
            dom_err_clear(err);
            dom_fail(err, DOM_INTERNAL, NULL, "the reveal could not be audited, so it is refused");
            return NULL;
        }
        json_decref(done);
    }
    if (d->decorate) {
        json_t *held = json_incref(json_object_get(o, "protected"));

        d->decorate(c, id, o);
        json_object_del(o, "protected"); /* "protected" stays the last member */
        json_object_set_new(o, "protected", held);
    }
    return o;
}

char *dom_get_text(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, long long *version, size_t *len,
                   dom_err_t *err)
{
    long long id;
    char *text;
    json_t *o;

    if (!d->decorate) {
        text = rec_read_text(c->db, d->rec, uuid, dom_viewer_org(c), &id, version, len);
        if (!text && id == 0)
            dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", d->rec->kind, uuid);
        else if (!text)
            dom_fail(err, DOM_INTERNAL, NULL, "the %s could not be read", d->rec->kind);
        return text;
    }
    o = dom_get_revealed(c, d, uuid, NULL, NULL, err);
    if (!o)
        return NULL;
    *version = json_integer_value(json_object_get(o, "version"));
    text = json_out(o, len);
    json_decref(o);
    if (!text)
        dom_fail(err, DOM_INTERNAL, NULL, "the %s could not be read", d->rec->kind);
    return text;
}

json_t *dom_history(dom_ctx_t *c, const dom_entity_t *d, const char *uuid, dom_err_t *err)
{
    long long id = rec_key(c->db, d->rec->table, uuid);

    if (!id || !rec_visible(c->db, d->rec, id, dom_viewer_org(c))) {
        dom_fail(err, DOM_NOT_FOUND, NULL, "no %s with id %s", d->rec->kind, uuid);
        return NULL;
    }
    return json_pack("{s:o}", "items", rec_history(c->db, d->rec, id));
}

/* Bulk reads (pages of more than BULK_PAGE rows) are a permission of their
 * own, and each user may make at most BULK_PER_HOUR of them an hour
 * (OWASP ASVS 11.1.4: limits on automated use). Counted in memory. */
#define BULK_PAGE 100
#define BULK_PER_HOUR 120
#define BULK_SLOTS 256

static struct {
    long long user;   /* user id, 0 for a free slot */
    time_t    window; /* start of the hour being counted */
    int       count;  /* bulk pages in that hour */
} bulk[BULK_SLOTS];
static pthread_mutex_t bulk_lock = PTHREAD_MUTEX_INITIALIZER;

static int bulk_allowed(long long user)
{
    time_t now = time(NULL);
    int slot = (int)((unsigned long long)user % BULK_SLOTS), ok;

    pthread_mutex_lock(&bulk_lock);
    if (bulk[slot].user != user || now - bulk[slot].window >= 3600) {
        bulk[slot].user = user;
        bulk[slot].window = now;
        bulk[slot].count = 0;
    }
    ok = ++bulk[slot].count <= BULK_PER_HOUR;
    pthread_mutex_unlock(&bulk_lock);
    return ok;
}

/* Cursors are opaque to clients: base64url of [sort, value, key]. */
static char *cursor_encode(const char *sort, const char *val, long long id)
{
    json_t *j = json_pack("[s, s?, I]", sort, val, (json_int_t)id);
    char *text = json_dumps(j, JSON_COMPACT);
    size_t n = strlen(text), cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);

    sodium_bin2base64(out, cap, (const unsigned char *)text, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    json_decref(j);
    return out;
}

static json_t *cursor_decode(const char *s)
{
    unsigned char raw[1024];
    size_t n = 0;

    if (sodium_base642bin(raw, sizeof raw - 1, s, strlen(s), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return NULL;
    raw[n] = '\0';
    return json_loads((const char *)raw, 0, NULL);
}

json_t *dom_list(dom_ctx_t *c, const dom_entity_t *d, json_t *params, dom_err_t *err)
{
    const rec_entity_t *e = d->rec;
    rec_filter_t filters[32];
    const char *words[8];
    char *owned[40];
    int nowned = 0;
    buf_t folded = BUF_INIT;
    rec_query_t q = {0};
    json_t *items = NULL, *out = NULL, *cur = NULL, *val;
    const char *key, *sort = e->default_sort ? e->default_sort : "", *qtext = NULL;
    json_t *found = NULL;
    const char *found_ids[200];
    char *last_val = NULL, *next = NULL;
    long long last_id;
    int more;

    q.filters = filters;
    q.words = words;
    q.sort = -1;
    q.limit = 50;
    q.only_active = rec_field_index(e, "record_status") >= 0;
    q.viewer_org = dom_viewer_org(c);
    json_object_foreach(params, key, val) {
        const char *s = json_string_value(val);
        int i;

        if (strcmp(key, "limit") == 0) {
            char *end;
            long n = strtol(s, &end, 10);
            if (*end || n < 1 || n > 500) {
                dom_fail(err, DOM_BAD, "limit", "limit must be a whole number from 1 to 500");
                goto done;
            }
            q.limit = (int)n;
        } else if (strcmp(key, "sort") == 0) {
            sort = s;
        } else if (strcmp(key, "cursor") == 0) {
            cur = cursor_decode(s);
            /* [sort, last value or null, last key >= 1]: anything else would
             * quietly restart the list from its first page. */
            if (!json_is_array(cur) || json_array_size(cur) != 3 || !json_is_string(json_array_get(cur, 0)) ||
                !(json_is_string(json_array_get(cur, 1)) || json_is_null(json_array_get(cur, 1))) ||
                !json_is_integer(json_array_get(cur, 2)) || json_integer_value(json_array_get(cur, 2)) < 1) {
                dom_fail(err, DOM_BAD, "cursor", "cursor is not one this server gave");
                goto done;
            }
        } else if (strcmp(key, "reveal") == 0 || strcmp(key, "purpose") == 0) {
            dom_fail(err, DOM_BAD, key, "protected fields are revealed one record at a time, never in lists");
            goto done;
        } else if (strcmp(key, "q") == 0) {
            qtext = s;
            if (!e->search_sql) {
                dom_fail(err, DOM_BAD, "q", "%s lists cannot be searched by name", e->kind);
                goto done;
            }
            if (!text_valid(s, strlen(s), 0) || text_fold(c->folder, s, &folded) != 0) {
                dom_fail(err, DOM_BAD, "q", "q must be valid UTF-8 text");
                goto done;
            }
        } else if (strcmp(key, "include_closed") == 0) {
            if (strcmp(s, "true") && strcmp(s, "false")) {
                dom_fail(err, DOM_BAD, "include_closed", "include_closed must be true or false");
                goto done;
            }
            q.only_active = q.only_active && strcmp(s, "true") != 0;
        } else if ((i = rec_field_index(e, key)) >= 0 && (e->fields[i].flags & RF_FILTER)) {
            const rec_field_t *f = &e->fields[i];
            rec_val_t v = {0};
            json_t *j;
            dom_err_t ferr = {0};

            if (q.nfilters == (int)(sizeof filters / sizeof filters[0])) {
                dom_fail(err, DOM_BAD, key, "too many filters");
                goto done;
            }
            /* Filters take the same values as the field does. */
            if (f->type == RT_INT) {
                char *end;
                long long n = strtoll(s, &end, 10);
                j = *end || !*s ? json_string(s) : json_integer(n);
            } else if (f->type == RT_BOOL) {
                j = strcmp(s, "true") == 0 ? json_true() : strcmp(s, "false") == 0 ? json_false() : json_string(s);
            } else {
                j = json_string(s);
            }
            {
                rec_field_t loose = *f;
                loose.flags &= ~(unsigned)(RF_REQUIRED | RF_PAST | RF_READONLY | RF_VIRTUAL);
                dom_check_value(c, &loose, j, &v, &ferr);
            }
            json_decref(j);
            if (ferr.status || v.null) {
                dom_fail(err, DOM_BAD, key, "%s", ferr.status ? ferr.detail : "filter value is empty");
                dom_err_clear(&ferr);
                free(v.s);
                goto done;
            }
            if (v.s) {
                owned[nowned] = v.s;
            } else {
                owned[nowned] = malloc(24);
                snprintf(owned[nowned], 24, "%lld", v.i);
            }
            filters[q.nfilters].field = i;
            filters[q.nfilters++].value = owned[nowned++];
        } else {
            dom_fail(err, DOM_BAD, key, "%s is not a parameter of this list", key);
            goto done;
        }
    }
    if (q.limit > BULK_PAGE && c->role) {
        if (!perm_allows(c->role, PERM_EXPORT)) {
            dom_fail(err, DOM_FORBIDDEN, "limit", "pages of more than %d rows are bulk reads, which need the export "
                     "permission", BULK_PAGE);
            goto done;
        }
        if (!bulk_allowed(c->user_id)) {
            dom_fail(err, 429, "limit", "at most %d bulk pages an hour; use smaller pages or wait", BULK_PER_HOUR);
            err->extra = json_pack("{s:i}", "retry_after", 600);
            goto done;
        }
    }
    if (*sort) {
        q.desc = *sort == '-';
        q.sort = rec_field_index(e, sort + q.desc);
        if (q.sort < 0 || !(e->fields[q.sort].flags & RF_SORT)) {
            dom_fail(err, DOM_BAD, "sort", "cannot sort %s lists by %s", e->kind, sort + q.desc);
            goto done;
        }
    }
    if (cur) {
        if (strcmp(json_string_value(json_array_get(cur, 0)) ? json_string_value(json_array_get(cur, 0)) : "?",
                   sort) != 0) {
            dom_fail(err, DOM_BAD, "cursor", "cursor belongs to a list with another sort order");
            goto done;
        }
        q.after_val = json_string_value(json_array_get(cur, 1));
        q.after_id = json_integer_value(json_array_get(cur, 2));
    }
    /* Each folded word of q must begin a name word of the record; or the
     * entity's matcher finds the name in another script or spelling. */
    if (qtext && d->search && (found = d->search(c, qtext)) != NULL) {
        size_t i;
        json_t *v;
        json_array_foreach(found, i, v)
            if (q.nuuids < 200)
                found_ids[q.nuuids++] = json_string_value(v);
        q.uuids = found_ids;
    }
    if (folded.len) {
        char *p = folded.p, *save = NULL, *w;
        for (w = strtok_r(p, " ", &save); w && q.nwords < 8; w = strtok_r(NULL, " ", &save))
            words[q.nwords++] = w;
    }
    if (rec_list(c->db, e, &q, &items, &last_val, &last_id, &more) != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the list could not be read");
        goto done;
    }
    {
        size_t i;
        json_t *o;
        json_array_foreach(items, i, o)
            redact(c, e, o, NULL);
    }
    if (more)
        next = cursor_encode(sort, last_val, last_id);
    out = json_pack("{s:O, s:s?}", "items", items, "next", next);
done:
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(last_val);
    free(next);
    buf_free(&folded);
    json_decref(cur);
    json_decref(items);
    json_decref(found);
    return out;
}

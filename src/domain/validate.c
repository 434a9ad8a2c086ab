/*
 * validate.c - checking every field a client sends against the entity's
 * descriptor: type, length, enumeration, partial dates, UTF-8, references.
 * Collects every error so a form can show them all at once.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "store/record.h"
#include "util/buf.h"
#include "util/pdate.h"
#include "util/text.h"
#include "util/uuid.h"

void dom_fail(dom_err_t *err, int status, const char *field, const char *fmt, ...)
{
    char detail[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (!err->status) {
        err->status = status;
        snprintf(err->field, sizeof err->field, "%s", field ? field : "");
        snprintf(err->detail, sizeof err->detail, "%s", detail);
    }
    if (field) {
        if (!err->errors)
            err->errors = json_array();
        json_array_append_new(err->errors, json_pack("{s:s, s:s}", "field", field, "detail", detail));
    }
}

void dom_err_clear(dom_err_t *err)
{
    json_decref(err->errors);
    json_decref(err->extra);
    memset(err, 0, sizeof *err);
}

/* Members every record carries that a client may send back unchanged. */
static int is_common_member(const char *k)
{
    /* Also what reads add beside the fields (members of a household, a
     * case's moves, a person's likely duplicates...): a client sending a
     * record back as it read it is not refused for them. */
    static const char *const common[] = {"id", "number", "version", "created_at", "created_by",
                                         "updated_at", "updated_by", "organisation", "protected",
                                         "size", "members", "allowed_moves", "transitions",
                                         "days_to_arrival", "duplicates", "events", "matches",
                                         "matching_engine", NULL};

    for (int i = 0; common[i]; i++)
        if (strcmp(k, common[i]) == 0)
            return 1;
    return 0;
}

static int in_list(const char *const *values, const char *s)
{
    for (int i = 0; values && values[i]; i++)
        if (strcmp(values[i], s) == 0)
            return 1;
    return 0;
}

static void list_values(buf_t *b, const char *const *values)
{
    for (int i = 0; values && values[i]; i++) {
        if (i)
            buf_puts(b, ", ");
        buf_puts(b, values[i]);
    }
}

/* Check one string for text rules; returns the cleaned copy or NULL. */
static char *check_text(const rec_field_t *f, const char *name, const char *s, dom_err_t *err)
{
    char *clean;
    size_t n;

    if (!text_valid(s, strlen(s), (f->flags & RF_MULTILINE) != 0)) {
        dom_fail(err, DOM_INVALID, name, "%s must be valid UTF-8 text without control characters", name);
        return NULL;
    }
    clean = (f->flags & RF_MULTILINE) ? strdup(s) : text_clean(s);
    if (!clean) {
        dom_fail(err, DOM_INTERNAL, name, "out of memory");
        return NULL;
    }
    n = text_length(clean);
    if (f->max && n > (size_t)f->max) {
        dom_fail(err, DOM_INVALID, name, "%s is %zu characters long; at most %d are allowed", name, n, f->max);
        free(clean);
        return NULL;
    }
    return clean;
}

static int check_date(const rec_field_t *f, const char *name, const char *s, int full, dom_err_t *err)
{
    pdate_t d, today;
    const char *why;

    if (pdate_parse(s, &d, &why) != 0) {
        dom_fail(err, DOM_INVALID, name, "%s: %s", name, why);
        return -1;
    }
    if (full && (!d.day || d.approx)) {
        dom_fail(err, DOM_INVALID, name, "%s must be a full date YYYY-MM-DD", name);
        return -1;
    }
    if (d.year < 1880) {
        dom_fail(err, DOM_INVALID, name, "%s is before 1880", name);
        return -1;
    }
    pdate_today(&today);
    if ((f->flags & RF_PAST) && pdate_cmp_earliest(&d, &today) > 0) {
        dom_fail(err, DOM_INVALID, name, "%s is in the future", name);
        return -1;
    }
    return 0;
}

/* Validate one member into *v. Returns 0 or -1 (err set). */
int dom_check_value(dom_ctx_t *c, const rec_field_t *f, json_t *j, rec_val_t *v, dom_err_t *err)
{
    const char *name = f->name;
    buf_t b = BUF_INIT;

    v->set = 1;
    if (json_is_null(j) || (json_is_string(j) && json_string_length(j) == 0 && f->type != RT_BOOL)) {
        if (f->flags & RF_REQUIRED) {
            dom_fail(err, DOM_INVALID, name, "%s is required", name);
            return -1;
        }
        if (f->type == RT_BOOL) {
            v->i = 0;
            return 0;
        }
        v->null = 1;
        return 0;
    }
    switch (f->type) {
    case RT_TEXT:
    case RT_ENUM:
    case RT_PDATE:
    case RT_DATE:
    case RT_SETTLEMENT:
    case RT_COUNTRY:
    case RT_REF:
        if (!json_is_string(j)) {
            dom_fail(err, DOM_INVALID, name, "%s must be a string", name);
            return -1;
        }
        break;
    default:
        break;
    }
    switch (f->type) {
    case RT_TEXT:
        v->s = check_text(f, name, json_string_value(j), err);
        if (!v->s)
            return -1;
        if (!*v->s) {
            free(v->s);
            v->s = NULL;
            v->null = 1;
        }
        return 0;
    case RT_ENUM:
        if (!in_list(f->values, json_string_value(j))) {
            list_values(&b, f->values);
            dom_fail(err, DOM_INVALID, name, "%s must be one of: %s", name, buf_str(&b));
            buf_free(&b);
            return -1;
        }
        v->s = strdup(json_string_value(j));
        return 0;
    case RT_PDATE:
    case RT_DATE:
        if (check_date(f, name, json_string_value(j), f->type == RT_DATE, err) != 0)
            return -1;
        v->s = strdup(json_string_value(j));
        return 0;
    case RT_COUNTRY: {
        const char *s = json_string_value(j);
        if (strlen(s) != 2 || !isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1])) {
            dom_fail(err, DOM_INVALID, name, "%s must be an ISO 3166-1 alpha-2 code such as AM", name);
            return -1;
        }
        v->s = strdup(s);
        return 0;
    }
    case RT_SETTLEMENT:
        if (!rec_settlement_exists(c->db, json_string_value(j))) {
            dom_fail(err, DOM_INVALID, name, "%s: no settlement with id '%.40s' in the gazetteer", name,
                     json_string_value(j));
            return -1;
        }
        v->s = strdup(json_string_value(j));
        return 0;
    case RT_REF:
        if (!hw_uuid_valid(json_string_value(j))) {
            dom_fail(err, DOM_INVALID, name, "%s must be a record id (UUID)", name);
            return -1;
        }
        v->i = rec_key(c->db, f->ref_table, json_string_value(j));
        if (!v->i) {
            dom_fail(err, DOM_INVALID, name, "%s: no such record", name);
            return -1;
        }
        return 0;
    case RT_INT:
        if (!json_is_integer(j) || json_integer_value(j) < f->min || json_integer_value(j) > f->max) {
            dom_fail(err, DOM_INVALID, name, "%s must be a whole number from %d to %d", name, f->min, f->max);
            return -1;
        }
        v->i = json_integer_value(j);
        return 0;
    case RT_REAL:
        if (!json_is_number(j)) {
            dom_fail(err, DOM_INVALID, name, "%s must be a number", name);
            return -1;
        }
        v->d = json_number_value(j);
        return 0;
    case RT_BOOL:
        if (!json_is_boolean(j)) {
            dom_fail(err, DOM_INVALID, name, "%s must be true or false", name);
            return -1;
        }
        v->i = json_is_true(j);
        return 0;
    case RT_CODES:
    case RT_STRINGS: {
        json_t *out = json_array(), *item;
        size_t i;

        if (!json_is_array(j) || (f->max && json_array_size(j) > (size_t)f->max)) {
            dom_fail(err, DOM_INVALID, name, "%s must be a list of at most %d strings", name, f->max);
            json_decref(out);
            return -1;
        }
        json_array_foreach(j, i, item) {
            char *s;
            int dup = 0;

            if (!json_is_string(item)) {
                dom_fail(err, DOM_INVALID, name, "%s[%zu] must be a string", name, i);
                json_decref(out);
                return -1;
            }
            if (f->type == RT_CODES) {
                if (!in_list(f->values, json_string_value(item))) {
                    list_values(&b, f->values);
                    dom_fail(err, DOM_INVALID, name, "%s[%zu] must be one of: %s", name, i, buf_str(&b));
                    buf_free(&b);
                    json_decref(out);
                    return -1;
                }
                s = strdup(json_string_value(item));
            } else {
                rec_field_t one = *f;
                one.max = 200;
                s = check_text(&one, name, json_string_value(item), err);
                if (!s) {
                    json_decref(out);
                    return -1;
                }
            }
            for (size_t k = 0; k < json_array_size(out); k++)
                dup |= strcmp(json_string_value(json_array_get(out, k)), s) == 0;
            if (!dup && *s)
                json_array_append_new(out, json_string(s));
            free(s);
        }
        v->s = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        return 0;
    }
    }
    return 0;
}

int dom_validate(dom_ctx_t *c, const rec_entity_t *e, json_t *body, json_t *old, rec_val_t *v,
                 dom_err_t *err)
{
    const char *key;
    json_t *val;

    if (!json_is_object(body)) {
        dom_fail(err, DOM_BAD, NULL, "the body must be a JSON object");
        return -1;
    }
    json_object_foreach(body, key, val) {
        int i = rec_field_index(e, key);
        const rec_field_t *f;

        if (is_common_member(key))
            continue;
        if (i < 0) {
            dom_fail(err, DOM_INVALID, key, "%s is not a field of a %s", key, e->kind);
            continue;
        }
        f = &e->fields[i];
        if (f->flags & (RF_READONLY | RF_VIRTUAL)) {
            /* A client may send back what it read; it may not change it. */
            json_t *now = old ? json_object_get(old, key) : NULL;
            if (json_is_null(val) || (now && json_equal(now, val)))
                continue;
            dom_fail(err, DOM_INVALID, key, "%s is set by the system and cannot be written", key);
            continue;
        }
        if (v[i].set) {
            free(v[i].s);
            memset(&v[i], 0, sizeof v[i]);
        }
        dom_check_value(c, f, val, &v[i], err);
    }
    if (!old) {
        for (int i = 0; i < e->nfields; i++)
            if ((e->fields[i].flags & RF_REQUIRED) && !v[i].set && !(e->fields[i].flags & RF_READONLY))
                dom_fail(err, DOM_INVALID, e->fields[i].name, "%s is required", e->fields[i].name);
    }
    return err->status ? -1 : 0;
}

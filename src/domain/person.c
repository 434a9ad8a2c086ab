/*
 * person.c - persons in the registry: their fields, and the rules the
 * generic operations cannot know (a name is needed; the script a name was
 * written in is derived; name words are kept for search).
 */
#include <stdlib.h>
#include <string.h>

#include "domain/dedup.h"
#include "domain/domain.h"
#include "store/registry_store.h"
#include "util/buf.h"

static const char *const sexes[] = {"female", "male", "unknown", NULL};
static const char *const relations[] = {"head", "spouse", "child", "parent", "sibling", "grandchild",
                                        "grandparent", "in_law", "other_relative", "non_relative", NULL};
static const char *const needs[] = {"disability", "unaccompanied_minor", "separated_child", "elderly_alone",
                                    "medical", "chronic_illness", "pregnant", "single_parent",
                                    "psychosocial", NULL};
static const char *const statuses[] = {"displaced", "returned", "relocated", "deceased", "missing",
                                       "unknown", NULL};
static const char *const record_statuses[] = {"active", "closed", "duplicate", NULL};
static const char *const scripts[] = {"armn", "cyrl", "latn", "mixed", "zyyy", NULL};

static const rec_field_t fields[] = {
    {"given_name", "given_name", RT_TEXT, RF_SORT, 0, 100},
    {"family_name", "family_name", RT_TEXT, RF_SORT, 0, 100},
    {"patronymic", "patronymic", RT_TEXT, 0, 0, 100},
    {"other_names", "other_names", RT_STRINGS, 0, 0, 10},
    {"name_script", "name_script", RT_ENUM, RF_READONLY | RF_FILTER, 0, 0, scripts},
    {"sex", "sex", RT_ENUM, RF_FILTER, 0, 0, sexes},
    {"birth_date", "birth_date", RT_PDATE, RF_PAST | RF_SORT, 0, 0},
    {"birth_year", "birth_year", RT_INT, RF_VIRTUAL | RF_FILTER | RF_SORT, 1880, 2100},
    {"birth_place", "birth_place", RT_TEXT, 0, 0, 200},
    {"birth_settlement", "birth_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"origin_settlement", "origin_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"household", "household_id", RT_REF, RF_FILTER, 0, 0, NULL, "households"},
    {"relation_to_head", "relation_to_head", RT_ENUM, RF_FILTER, 0, 0, relations},
    {"displacement_date", "displacement_date", RT_PDATE, RF_PAST | RF_SORT | RF_FILTER, 0, 0},
    {"displacement_route", "displacement_route", RT_TEXT, RF_MULTILINE, 0, 500},
    {"current_country", "current_country", RT_COUNTRY, RF_FILTER, 0, 0},
    {"current_region", "current_region", RT_TEXT, 0, 0, 100},
    {"current_locality", "current_locality", RT_TEXT, 0, 0, 100},
    {"current_settlement", "current_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"contact", "contact", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 500},
    {"documents", "documents", RT_TEXT, RF_PROTECTED | RF_MULTILINE, 0, 500},
    {"specific_needs", "specific_needs", RT_CODES, 0, 0, 9, needs},
    {"consent_registration", "consent_registration", RT_BOOL, RF_FILTER, 0, 0},
    {"consent_tracing", "consent_tracing", RT_BOOL, RF_FILTER, 0, 0},
    {"consent_sharing", "consent_sharing", RT_BOOL, RF_FILTER, 0, 0},
    {"consent_date", "consent_date", RT_DATE, RF_PAST, 0, 0},
    {"status", "status", RT_ENUM, RF_FILTER | RF_SORT, 0, 0, statuses},
    {"record_status", "record_status", RT_ENUM, RF_FILTER, 0, 0, record_statuses},
    {"duplicate_of", "duplicate_of", RT_REF, RF_READONLY | RF_FILTER, 0, 0, NULL, "persons"},
    {"source", "source", RT_TEXT, RF_FILTER, 0, 200},
    {"notes", "notes", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t person_rec = {
    "person", "persons", "HW", RE_NUMBER | RE_ORG, fields, (int)(sizeof fields / sizeof fields[0]),
    "t.id IN (SELECT person_id FROM person_name_tokens WHERE token >= ? AND token < ?)",
    NULL,
};

static int person_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    buf_t all = BUF_INIT;
    const char *script;
    int i;

    if (!dom_str(rec, "given_name") && !dom_str(rec, "family_name")) {
        dom_fail(err, DOM_INVALID, "family_name", "a person needs a given name or a family name");
        return -1;
    }
    if (!creating && dom_str(rec, "id")) {
        /* The head of a household stays a member until another is named. */
        long long self = rec_key(c->db, "persons", dom_str(rec, "id"));
        long long headed = self ? store_household_headed_by(c->db, self) : 0;
        if (headed && (!dom_str(rec, "household") || rec_key(c->db, "households", dom_str(rec, "household")) != headed)) {
            dom_fail(err, DOM_CONFLICT, "household", "this person heads their household: name another head first");
            return -1;
        }
    }
    if (dom_str(rec, "relation_to_head") && !dom_str(rec, "household")) {
        dom_fail(err, DOM_INVALID, "relation_to_head", "relation_to_head needs a household");
        return -1;
    }
    if (json_is_true(json_object_get(rec, "consent_registration")) ||
        json_is_true(json_object_get(rec, "consent_tracing")) ||
        json_is_true(json_object_get(rec, "consent_sharing"))) {
        if (!dom_str(rec, "consent_date")) {
            dom_fail(err, DOM_INVALID, "consent_date", "consent_date is required when consent is given");
            return -1;
        }
    }
    if (json_object_get(rec, "record_status") && dom_str(rec, "record_status") &&
        strcmp(dom_str(rec, "record_status"), "duplicate") == 0) {
        i = rec_field_index(&person_rec, "record_status");
        if (v[i].set) {
            dom_fail(err, DOM_INVALID, "record_status",
                     "record_status duplicate is set by merging in the review queue");
            return -1;
        }
    }
    /* The script the main names are written in (other names may differ). */
    for (const char *const *k2 = (const char *const[]){"given_name", "family_name", "patronymic", NULL}; *k2; k2++)
        if (dom_str(rec, *k2)) {
            buf_puts(&all, dom_str(rec, *k2));
            buf_putc(&all, ' ');
        }
    script = text_script(buf_str(&all));
    buf_free(&all);
    i = rec_field_index(&person_rec, "name_script");
    free(v[i].s);
    v[i].set = 1;
    v[i].null = 0;
    v[i].s = strdup(script);
    json_object_set_new(rec, "name_script", json_string(script));
    return 0;
}

/* Keep the folded words of every name for search. */
static int person_after_write(dom_ctx_t *c, long long id, json_t *rec, dom_err_t *err)
{
    buf_t folded = BUF_INIT;
    const char *words[64];
    int n = 0, rc;
    size_t i;
    json_t *o;

    for (const char *const *k = (const char *const[]){"given_name", "family_name", "patronymic", NULL}; *k; k++)
        if (dom_str(rec, *k)) {
            text_fold(c->folder, dom_str(rec, *k), &folded);
            buf_putc(&folded, ' ');
        }
    json_array_foreach(json_object_get(rec, "other_names"), i, o) {
        text_fold(c->folder, json_string_value(o), &folded);
        buf_putc(&folded, ' ');
    }
    if (folded.failed) {
        buf_free(&folded);
        dom_fail(err, DOM_INTERNAL, NULL, "out of memory");
        return -1;
    }
    if (folded.len) {
        char *save = NULL;
        for (char *w = strtok_r(folded.p, " ", &save); w && n < 64; w = strtok_r(NULL, " ", &save))
            words[n++] = w;
    }
    rc = store_person_words(c->db, id, words, n);
    buf_free(&folded);
    if (rc != SQLITE_OK) {
        dom_fail(err, DOM_INTERNAL, NULL, "the record could not be stored");
        return -1;
    }
    return 0;
}

const dom_entity_t dom_person = {&person_rec, person_prepare, person_after_write, NULL, dedup_after_write,
                                 dedup_search, dedup_after_reply};

/*
 * household.c - households: who lives together, where they came from and
 * where they are. Members are persons pointing at the household; the head
 * must be one of them.
 */
#include <string.h>

#include "domain/domain.h"
#include "store/registry_store.h"

static const char *const record_statuses[] = {"active", "closed", NULL};

static const rec_field_t fields[] = {
    {"head", "head_person_id", RT_REF, RF_FILTER, 0, 0, NULL, "persons"},
    {"origin_settlement", "origin_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"current_country", "current_country", RT_COUNTRY, RF_FILTER, 0, 0},
    {"current_region", "current_region", RT_TEXT, 0, 0, 100},
    {"current_locality", "current_locality", RT_TEXT, 0, 0, 100},
    {"current_settlement", "current_settlement_id", RT_SETTLEMENT, RF_FILTER, 0, 0},
    {"declared_size", "declared_size", RT_INT, RF_SORT, 1, 100},
    {"notes", "notes", RT_TEXT, RF_MULTILINE, 0, 2000},
    {"record_status", "record_status", RT_ENUM, RF_FILTER, 0, 0, record_statuses},
    {"restricted", "restricted", RT_BOOL, RF_FILTER, 0, 0},
};

static const rec_entity_t household_rec = {
    "household", "households", "HH", RE_NUMBER | RE_ORG, fields, (int)(sizeof fields / sizeof fields[0]),
    NULL, NULL,
};

static int household_prepare(dom_ctx_t *c, json_t *rec, rec_val_t *v, int creating, dom_err_t *err)
{
    int i = rec_field_index(&household_rec, "head");
    json_t *self = json_object_get(rec, "id");

    if (!v[i].set || v[i].null)
        return 0;
    /* The head is a member: the person must already point at this household. */
    if (creating || !json_is_string(self) ||
        store_household_of(c->db, v[i].i) != rec_key(c->db, "households", json_string_value(self))) {
        dom_fail(err, DOM_INVALID, "head", "the head must be a member of the household: set the person's household first");
        return -1;
    }
    return 0;
}

static void household_decorate(dom_ctx_t *c, long long id, json_t *rec)
{
    json_t *members = store_household_members(c->db, id, dom_viewer_org(c));

    json_object_set_new(rec, "size", json_integer((json_int_t)json_array_size(members)));
    json_object_set_new(rec, "members", members);
}

const dom_entity_t dom_household = {&household_rec, household_prepare, NULL, household_decorate};

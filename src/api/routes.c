/*
 * routes.c - the one route table of the API. The dispatcher (http/server.c)
 * enforces each entry's permission and body limit before the handler runs;
 * api/openapi.json describes the same routes and a test keeps them equal.
 */
#include "api/api_internal.h"
/* ---- issue 5: detainees, tracing, incidents, links, commitments ---- */
#include "api/api_monitor.h"
/* ---- end of issue 5 ---- */

#define KB 1024

/* One handler per route and entity, all through the generic operations. */
#define ENTITY(name, ent)                                                       \
    static void name##_list(http_req_t *r) { api_entity_list(r, &ent); }       \
    static void name##_create(http_req_t *r) { api_entity_create(r, &ent); }   \
    static void name##_get(http_req_t *r) { api_entity_get(r, &ent); }         \
    static void name##_update(http_req_t *r) { api_entity_update(r, &ent); }   \
    static void name##_history(http_req_t *r) { api_entity_history(r, &ent); } \
    static void name##_erase(http_req_t *r) { api_entity_erase(r, &ent); }

ENTITY(persons, dom_person)
ENTITY(households, dom_household)
ENTITY(returns, dom_return)

const http_route_t api_routes[] = {
    {"GET", "/api/v1/health", api_health, PERM_PUBLIC, 0, "Is the server up and its database readable"},
    {"GET", "/api/v1/openapi.json", api_openapi, PERM_PUBLIC, 0, "This API's OpenAPI 3.1 description"},

    {"POST", "/api/v1/sessions", api_login, PERM_PUBLIC, 4 * KB, "Log in: sets the session cookie"},
    {"GET", "/api/v1/sessions/current", api_whoami, PERM_AUTH, 0, "Who is logged in"},
    {"DELETE", "/api/v1/sessions/current", api_logout, PERM_AUTH, 0, "Log out"},
    {"GET", "/api/v1/tokens", api_tokens_list, PERM_AUTH, 0, "The caller's API tokens"},
    {"POST", "/api/v1/tokens", api_tokens_create, PERM_AUTH, 4 * KB, "Create an API token (shown once)"},
    {"DELETE", "/api/v1/tokens/{id}", api_tokens_revoke, PERM_AUTH, 0, "Revoke an API token"},

    {"GET", "/api/v1/persons", persons_list, PERM_PERSON_READ, 0, "List and search persons"},
    {"POST", "/api/v1/persons", persons_create, PERM_PERSON_WRITE, 64 * KB, "Register a person"},
    {"GET", "/api/v1/persons/{id}", persons_get, PERM_PERSON_READ, 0, "Read a person"},
    {"PATCH", "/api/v1/persons/{id}", persons_update, PERM_PERSON_WRITE, 64 * KB, "Change a person (If-Match)"},
    {"GET", "/api/v1/persons/{id}/history", persons_history, PERM_PERSON_READ, 0, "A person's history"},
    {"POST", "/api/v1/persons/{id}/erasure", persons_erase, PERM_ERASE, 1 * KB,
     "Erase a person on a data-protection request"},
    {"GET", "/api/v1/persons/{id}/duplicates", api_person_duplicates, PERM_PERSON_READ, 0,
     "A person's likely duplicates, each explained field by field"},
    {"GET", "/api/v1/duplicates", api_duplicates_list, PERM_DUPLICATE_REVIEW, 0, "The review queue of candidate pairs"},
    {"POST", "/api/v1/duplicates/{id}/decision", api_duplicates_decide, PERM_DUPLICATE_REVIEW, 1 * KB,
     "Confirm (merge), reject or undo a candidate pair"},

    {"GET", "/api/v1/households", households_list, PERM_HOUSEHOLD_READ, 0, "List households"},
    {"POST", "/api/v1/households", households_create, PERM_HOUSEHOLD_WRITE, 16 * KB, "Register a household"},
    {"GET", "/api/v1/households/{id}", households_get, PERM_HOUSEHOLD_READ, 0, "Read a household and its members"},
    {"PATCH", "/api/v1/households/{id}", households_update, PERM_HOUSEHOLD_WRITE, 16 * KB,
     "Change a household (If-Match)"},
    {"GET", "/api/v1/households/{id}/history", households_history, PERM_HOUSEHOLD_READ, 0, "A household's history"},
    {"POST", "/api/v1/households/{id}/erasure", households_erase, PERM_ERASE, 1 * KB,
     "Erase a household on a data-protection request"},

    {"GET", "/api/v1/returns", returns_list, PERM_RETURN_READ, 0, "List return cases"},
    {"POST", "/api/v1/returns", returns_create, PERM_RETURN_WRITE, 16 * KB, "Open a return case"},
    {"GET", "/api/v1/returns/{id}", returns_get, PERM_RETURN_READ, 0, "Read a return case, its moves and allowed moves"},
    {"PATCH", "/api/v1/returns/{id}", returns_update, PERM_RETURN_WRITE, 16 * KB, "Change a return case (If-Match)"},
    {"POST", "/api/v1/returns/{id}/transitions", api_return_transition, PERM_RETURN_WRITE, 4 * KB,
     "Move a return case to another status"},
    {"GET", "/api/v1/returns/{id}/history", returns_history, PERM_RETURN_READ, 0, "A return case's history"},
    {"POST", "/api/v1/returns/{id}/erasure", returns_erase, PERM_ERASE, 1 * KB,
     "Erase a return case on a data-protection request"},

    {"GET", "/api/v1/settlements", api_settlements_search, PERM_SETTLEMENT_READ, 0,
     "Find settlements by any of their names"},
    {"GET", "/api/v1/settlements/{id}", api_settlements_get, PERM_SETTLEMENT_READ, 0, "Read a settlement"},

    {"GET", "/api/v1/users", api_users_list, PERM_USER_ADMIN, 0, "List users"},
    {"POST", "/api/v1/users", api_users_create, PERM_USER_ADMIN, 4 * KB, "Create a user"},
    {"GET", "/api/v1/organisations", api_orgs_list, PERM_USER_ADMIN, 0, "List organisations"},
    {"POST", "/api/v1/organisations", api_orgs_create, PERM_USER_ADMIN, 4 * KB, "Create an organisation"},
    /* ---- issue 5: detainees, tracing, incidents, links, commitments ---- */
    {"GET", "/api/v1/detainees", api_detainees_list, PERM_DETAINEE_READ, 0, "List detainees"},
    {"POST", "/api/v1/detainees", api_detainees_create, PERM_DETAINEE_WRITE, 64 * KB,
     "Register a detainee (reported_missing, captured or detained)"},
    {"GET", "/api/v1/detainees/{id}", api_detainees_get, PERM_DETAINEE_READ, 0,
     "Read a detainee, their events, visits, proceedings and transfers"},
    {"PATCH", "/api/v1/detainees/{id}", api_detainees_update, PERM_DETAINEE_WRITE, 64 * KB,
     "Change a detainee (If-Match); the status changes only by events"},
    {"GET", "/api/v1/detainees/{id}/history", api_detainees_history, PERM_DETAINEE_READ, 0, "A detainee's history"},
    {"GET", "/api/v1/detainees/{id}/events", api_detainee_events, PERM_DETAINEE_READ, 0,
     "A detainee's dated status events"},
    {"POST", "/api/v1/detainees/{id}/events", api_detainee_move, PERM_DETAINEE_WRITE, 8 * KB,
     "Move a detainee to another status (409 lists the allowed moves)"},
    {"POST", "/api/v1/detainees/{id}/visits", api_detainee_visit, PERM_DETAINEE_WRITE, 16 * KB,
     "Record a visit to a detainee"},
    {"POST", "/api/v1/detainees/{id}/proceedings", api_detainee_proceeding, PERM_DETAINEE_WRITE, 16 * KB,
     "Record legal proceedings against a detainee"},
    {"POST", "/api/v1/detainees/{id}/transfers", api_detainee_transfer, PERM_DETAINEE_WRITE, 16 * KB,
     "Record a transfer between places of detention"},

    {"GET", "/api/v1/tracing-requests", api_tracing_list, PERM_TRACING_READ, 0, "List tracing requests"},
    {"POST", "/api/v1/tracing-requests", api_tracing_create, PERM_TRACING_WRITE, 64 * KB, "Open a tracing request"},
    {"GET", "/api/v1/tracing-requests/{id}", api_tracing_get, PERM_TRACING_READ, 0,
     "Read a tracing request, its moves and candidates"},
    {"PATCH", "/api/v1/tracing-requests/{id}", api_tracing_update, PERM_TRACING_WRITE, 64 * KB,
     "Change a tracing request (If-Match)"},
    {"GET", "/api/v1/tracing-requests/{id}/history", api_tracing_history, PERM_TRACING_READ, 0,
     "A tracing request's history"},
    {"POST", "/api/v1/tracing-requests/{id}/transitions", api_tracing_transition, PERM_TRACING_WRITE, 4 * KB,
     "Move a tracing request to another status (409 lists the allowed moves)"},
    {"GET", "/api/v1/tracing-requests/{id}/matches", api_tracing_matches, PERM_TRACING_READ, 0,
     "The candidates of a tracing request"},
    {"POST", "/api/v1/tracing-requests/{id}/matches", api_tracing_propose, PERM_TRACING_WRITE, 4 * KB,
     "Propose a person or detainee as a candidate"},
    {"POST", "/api/v1/tracing-requests/{id}/matches/{match}/decision", api_tracing_decide, PERM_TRACING_WRITE,
     4 * KB, "Confirm or reject a candidate"},
    {"POST", "/api/v1/tracing-requests/{id}/matches/{match}/consent", api_tracing_consent, PERM_TRACING_WRITE,
     4 * KB, "Record the found person's consent to disclosure"},
    {"POST", "/api/v1/tracing-requests/{id}/disclosure", api_tracing_disclosure, PERM_TRACING_WRITE, 1 * KB,
     "Disclose to the inquirer what may be told (details only with the found person's consent; audited)"},

    {"GET", "/api/v1/incidents", api_incidents_list, PERM_INCIDENT_READ, 0, "List incidents"},
    {"POST", "/api/v1/incidents", api_incidents_create, PERM_INCIDENT_WRITE, 64 * KB, "Record an incident"},
    {"GET", "/api/v1/incidents/{id}", api_incidents_get, PERM_INCIDENT_READ, 0,
     "Read an incident, its acts, perpetrators, sources, verification and ties"},
    {"PATCH", "/api/v1/incidents/{id}", api_incidents_update, PERM_INCIDENT_WRITE, 64 * KB,
     "Change an incident (If-Match)"},
    {"GET", "/api/v1/incidents/{id}/history", api_incidents_history, PERM_INCIDENT_READ, 0, "An incident's history"},
    {"POST", "/api/v1/incidents/{id}/verifications", api_incident_verify, PERM_INCIDENT_WRITE, 4 * KB,
     "Change an incident's verification, with the reason (409 lists the allowed moves)"},
    {"POST", "/api/v1/incidents/{id}/acts", api_incident_acts, PERM_INCIDENT_WRITE, 16 * KB, "Add an act"},
    {"POST", "/api/v1/incidents/{id}/perpetrators", api_incident_perpetrators, PERM_INCIDENT_WRITE, 16 * KB,
     "Add an alleged perpetrator as reported"},
    {"POST", "/api/v1/incidents/{id}/sources", api_incident_sources, PERM_INCIDENT_WRITE, 16 * KB,
     "Add a source with its reliability"},
    {"POST", "/api/v1/incidents/{id}/persons", api_incident_persons, PERM_INCIDENT_WRITE, 4 * KB,
     "Tie an incident to a person"},
    {"POST", "/api/v1/incidents/{id}/returns", api_incident_returns, PERM_INCIDENT_WRITE, 4 * KB,
     "Tie an incident to a return case as an obstacle"},
    {"POST", "/api/v1/incidents/{id}/links", api_incident_links, PERM_INCIDENT_WRITE, 4 * KB,
     "Tie an incident to a link (a blockade event)"},

    {"GET", "/api/v1/links", api_links_list, PERM_LINK_READ, 0, "List links"},
    {"POST", "/api/v1/links", api_links_create, PERM_LINK_WRITE, 16 * KB, "Add a link"},
    {"GET", "/api/v1/links/all-open", api_links_all_open, PERM_LINK_READ, 0,
     "When all links (or ?links=) were open at once: complete and simultaneous lifting"},
    {"GET", "/api/v1/links/{id}", api_links_get, PERM_LINK_READ, 0, "Read a link, its periods and status"},
    {"PATCH", "/api/v1/links/{id}", api_links_update, PERM_LINK_WRITE, 16 * KB, "Change a link (If-Match)"},
    {"GET", "/api/v1/links/{id}/history", api_links_history, PERM_LINK_READ, 0, "A link's history"},
    {"GET", "/api/v1/links/{id}/periods", api_link_periods, PERM_LINK_READ, 0,
     "A link's status periods, current status and closures"},
    {"POST", "/api/v1/links/{id}/periods", api_link_period_add, PERM_LINK_WRITE, 16 * KB,
     "Add a status period (409 when it overlaps another)"},
    {"PATCH", "/api/v1/links/{id}/periods/{period}", api_link_period_update, PERM_LINK_WRITE, 16 * KB,
     "Change a status period, e.g. end one that lasts"},

    {"GET", "/api/v1/commitments", api_commitments_list, PERM_COMMITMENT_READ, 0, "List commitments"},
    {"POST", "/api/v1/commitments", api_commitments_create, PERM_COMMITMENT_WRITE, 16 * KB, "Add a commitment"},
    {"GET", "/api/v1/commitments/{id}", api_commitments_get, PERM_COMMITMENT_READ, 0,
     "Read a commitment, its current level, assessments and suggested evidence"},
    {"PATCH", "/api/v1/commitments/{id}", api_commitments_update, PERM_COMMITMENT_WRITE, 16 * KB,
     "Change a commitment (If-Match)"},
    {"GET", "/api/v1/commitments/{id}/history", api_commitments_history, PERM_COMMITMENT_READ, 0,
     "A commitment's history"},
    {"GET", "/api/v1/commitments/{id}/assessments", api_commitment_assessments, PERM_COMMITMENT_READ, 0,
     "A commitment's assessments"},
    {"POST", "/api/v1/commitments/{id}/assessments", api_commitment_assess, PERM_COMMITMENT_WRITE, 64 * KB,
     "Assess a commitment (0-3) with rationale and evidence"},

    {"GET", "/api/v1/indicators", api_indicators, PERM_INDICATOR_READ, 0, "Every indicator as of ?at=DATE"},
    {"GET", "/api/v1/indicators/{area}", api_indicators_area, PERM_INDICATOR_READ, 0,
     "The indicators of one area as of ?at=DATE"},
    /* ---- end of issue 5 ---- */
    {NULL, NULL, NULL, PERM_PUBLIC, 0, NULL},
};

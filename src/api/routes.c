/*
 * routes.c - the one route table of the API. The dispatcher (http/server.c)
 * enforces each entry's permission and body limit before the handler runs;
 * api/openapi.json describes the same routes and a test keeps them equal.
 */
#include "api/api_internal.h"

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
    {NULL, NULL, NULL, PERM_PUBLIC, 0, NULL},
};

/*
 * api_internal.h - handlers shared between the api/ files.
 */
#ifndef HW_API_INTERNAL_H
#define HW_API_INTERNAL_H

#include <stdio.h>

#include "api/api.h"
#include "domain/domain.h"
#include "http/http.h"

void api_entity_list(http_req_t *r, const dom_entity_t *d);
void api_entity_create(http_req_t *r, const dom_entity_t *d);
void api_entity_get(http_req_t *r, const dom_entity_t *d);
void api_entity_update(http_req_t *r, const dom_entity_t *d);
void api_entity_history(http_req_t *r, const dom_entity_t *d);
void api_return_transition(http_req_t *r);
void api_entity_erase(http_req_t *r, const dom_entity_t *d);
void api_person_duplicates(http_req_t *r);
void api_duplicates_list(http_req_t *r);
void api_duplicates_decide(http_req_t *r);

void api_health(http_req_t *r);
void api_openapi(http_req_t *r);
void api_login(http_req_t *r);
void api_logout(http_req_t *r);
void api_whoami(http_req_t *r);
void api_tokens_list(http_req_t *r);
void api_tokens_create(http_req_t *r);
void api_tokens_revoke(http_req_t *r);
void api_users_list(http_req_t *r);
void api_users_create(http_req_t *r);
void api_orgs_list(http_req_t *r);
void api_orgs_create(http_req_t *r);
void api_settlements_search(http_req_t *r);
void api_settlements_get(http_req_t *r);

#endif

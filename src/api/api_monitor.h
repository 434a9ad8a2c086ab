/*
 * api_monitor.h - the handlers of the monitoring record (issue 5):
 * detainees, tracing requests, incidents, links, commitments and the
 * indicators, beyond the generic record handlers (api_records.c).
 */
#ifndef HW_API_MONITOR_H
#define HW_API_MONITOR_H

#include "domain/monitor.h"
#include "http/http.h"

#define API_RECORD_HANDLERS(name)                  \
    void api_##name##_list(http_req_t *r);          \
    void api_##name##_create(http_req_t *r);        \
    void api_##name##_get(http_req_t *r);           \
    void api_##name##_update(http_req_t *r);        \
    void api_##name##_history(http_req_t *r);

API_RECORD_HANDLERS(detainees)
API_RECORD_HANDLERS(tracing)
API_RECORD_HANDLERS(incidents)
API_RECORD_HANDLERS(links)
API_RECORD_HANDLERS(commitments)

void api_detainee_events(http_req_t *r);
void api_detainee_move(http_req_t *r);
void api_detainee_visit(http_req_t *r);
void api_detainee_proceeding(http_req_t *r);
void api_detainee_transfer(http_req_t *r);

void api_tracing_transition(http_req_t *r);
void api_tracing_matches(http_req_t *r);
void api_tracing_propose(http_req_t *r);
void api_tracing_decide(http_req_t *r);
void api_tracing_consent(http_req_t *r);
void api_tracing_disclosure(http_req_t *r);

void api_incident_verify(http_req_t *r);
void api_incident_acts(http_req_t *r);
void api_incident_perpetrators(http_req_t *r);
void api_incident_sources(http_req_t *r);
void api_incident_persons(http_req_t *r);
void api_incident_returns(http_req_t *r);
void api_incident_links(http_req_t *r);

void api_links_all_open(http_req_t *r);
void api_link_periods(http_req_t *r);
void api_link_period_add(http_req_t *r);
void api_link_period_update(http_req_t *r);

void api_commitment_assessments(http_req_t *r);
void api_commitment_assess(http_req_t *r);

void api_indicators(http_req_t *r);
void api_indicators_area(http_req_t *r);

#endif

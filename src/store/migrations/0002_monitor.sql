-- 0002_monitor.sql - what the monitoring record (issue 5) needs beyond
-- 0001: the dated moves of tracing requests, the origin of a candidate,
-- who recorded a found person's consent, and indexes for the indicators.
--
-- Dates of events are the days things happened (valid time); `at` is when
-- they were recorded. Indicators as of a day read the former.

ALTER TABLE tracing_requests ADD COLUMN request_date TEXT;

CREATE TABLE tracing_events (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES tracing_requests(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    date        TEXT NOT NULL,
    reason      TEXT,
    user_id     INTEGER REFERENCES users(id),
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX tracing_events_request ON tracing_events(request_id, date);

ALTER TABLE tracing_matches ADD COLUMN origin TEXT NOT NULL DEFAULT 'engine'
    CHECK (origin IN ('engine','officer'));
ALTER TABLE tracing_matches ADD COLUMN decision_note TEXT;
ALTER TABLE tracing_matches ADD COLUMN decided_date TEXT;
ALTER TABLE tracing_matches ADD COLUMN found_consent_by INTEGER REFERENCES users(id);
ALTER TABLE tracing_matches ADD COLUMN found_consent_note TEXT;
CREATE UNIQUE INDEX tracing_matches_person ON tracing_matches(request_id, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX tracing_matches_detainee ON tracing_matches(request_id, detainee_id) WHERE detainee_id IS NOT NULL;

ALTER TABLE incident_verifications ADD COLUMN date TEXT;

CREATE INDEX detainee_events_date ON detainee_events(detainee_id, date, id);
CREATE INDEX detainee_visits_detainee ON detainee_visits(detainee_id, date);
CREATE INDEX detainee_proceedings_detainee ON detainee_proceedings(detainee_id);
CREATE INDEX detainee_transfers_detainee ON detainee_transfers(detainee_id, date);
CREATE INDEX incidents_type ON incidents(type, start_date);
CREATE INDEX incident_acts_incident ON incident_acts(incident_id);
CREATE INDEX incident_perpetrators_incident ON incident_perpetrators(incident_id);
CREATE INDEX incident_sources_incident ON incident_sources(incident_id);
CREATE INDEX incident_verifications_incident ON incident_verifications(incident_id);
CREATE INDEX return_obstacles_case ON return_obstacles(case_id);
CREATE INDEX return_obstacles_incident ON return_obstacles(incident_id);
CREATE UNIQUE INDEX links_seed_name ON links(name) WHERE seed = 1;

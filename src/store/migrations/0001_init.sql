-- 0001_init.sql - the whole data model of DESIGN.md, so that later work adds
-- behaviour rather than tables. Applied in one transaction by store/db.c.
--
-- Conventions: every record has an integer key, a UUID for exchange, a
-- version for optimistic concurrency, the registering organisation and a
-- restricted flag. Times are UTC ISO 8601 text ('2026-11-27T13:45:51.123Z');
-- partial dates are EDTF text ('1978', '1978-05', '1978-05-12', '1978~').
-- Protected fields are BLOB columns: their bytes are sealed at rest by sec/.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('ngo','un_agency','red_cross','monitoring_mission','party','government','other')),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id),
    username        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin','registrar','tracing_officer','detention_officer','monitor','analyst','auditor')),
    language        TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en','hy','ru','az')),
    disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0,1)),
    password_hash   TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    last_login_at   TEXT
) STRICT;

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    client       TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT,
    last_used_at TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL COLLATE NOCASE,
    at        TEXT NOT NULL,
    ok        INTEGER NOT NULL CHECK (ok IN (0,1)),
    client    TEXT
) STRICT;
CREATE INDEX login_attempts_user ON login_attempts(username, at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Settlement gazetteer: one row per place, every name in name rows.
CREATE TABLE settlements (
    id        TEXT PRIMARY KEY,          -- stable slug, e.g. 'stepanakert'
    kind      TEXT NOT NULL CHECK (kind IN ('city','town','village','other')),
    name_hy   TEXT,
    name_az   TEXT,
    name_ru   TEXT,
    name_en   TEXT NOT NULL,
    lat       REAL CHECK (lat BETWEEN -90 AND 90),
    lon       REAL CHECK (lon BETWEEN -180 AND 180),
    admin_hy  TEXT,                      -- Artsakh province or Armenian marz
    admin_az  TEXT,                      -- Azerbaijani district
    country   TEXT NOT NULL,             -- ISO 3166 alpha-2 today
    source    TEXT,
    seed      INTEGER NOT NULL DEFAULT 1 CHECK (seed IN (0,1))
) STRICT;

CREATE TABLE settlement_names (
    settlement_id TEXT NOT NULL REFERENCES settlements(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    lang          TEXT NOT NULL CHECK (lang IN ('hy','az','ru','en','alt')),
    fold          TEXT NOT NULL,          -- lower-case ASCII fold for search
    PRIMARY KEY (settlement_id, lang, name)
) STRICT;
CREATE INDEX settlement_names_fold ON settlement_names(fold);

CREATE TABLE households (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    head_person_id  INTEGER REFERENCES persons(id),
    origin_settlement_id  TEXT REFERENCES settlements(id),
    current_country TEXT,
    current_region  TEXT,
    current_locality TEXT,
    current_settlement_id TEXT REFERENCES settlements(id),
    declared_size   INTEGER CHECK (declared_size BETWEEN 1 AND 100),
    notes           TEXT,
    record_status   TEXT NOT NULL DEFAULT 'active' CHECK (record_status IN ('active','closed')),
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE persons (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    given_name      TEXT,
    family_name     TEXT,
    patronymic      TEXT,                 -- patronymic or father's name as recorded
    other_names     TEXT,                 -- JSON array of strings
    name_script     TEXT,                 -- armn, cyrl, latn, mixed (derived)
    sex             TEXT NOT NULL DEFAULT 'unknown' CHECK (sex IN ('female','male','unknown')),
    birth_date      TEXT,
    birth_year      INTEGER GENERATED ALWAYS AS (CAST(substr(birth_date, 1, 4) AS INTEGER)) VIRTUAL,
    birth_place     TEXT,
    birth_settlement_id  TEXT REFERENCES settlements(id),
    origin_settlement_id TEXT REFERENCES settlements(id),
    household_id    INTEGER REFERENCES households(id),
    relation_to_head TEXT,
    displacement_date  TEXT,
    displacement_route TEXT,
    current_country TEXT,
    current_region  TEXT,
    current_locality TEXT,
    current_settlement_id TEXT REFERENCES settlements(id),
    contact         BLOB,                 -- protected
    documents       BLOB,                 -- protected
    specific_needs  TEXT,                 -- JSON array of codes
    consent_registration INTEGER NOT NULL DEFAULT 0 CHECK (consent_registration IN (0,1)),
    consent_tracing INTEGER NOT NULL DEFAULT 0 CHECK (consent_tracing IN (0,1)),
    consent_sharing INTEGER NOT NULL DEFAULT 0 CHECK (consent_sharing IN (0,1)),
    consent_date    TEXT,
    status          TEXT NOT NULL DEFAULT 'displaced',
    record_status   TEXT NOT NULL DEFAULT 'active' CHECK (record_status IN ('active','closed','duplicate')),
    duplicate_of    INTEGER REFERENCES persons(id),
    source          TEXT,
    notes           TEXT,
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_origin ON persons(origin_settlement_id);
CREATE INDEX persons_birth_year ON persons(birth_year);
CREATE INDEX persons_status ON persons(status);
CREATE INDEX persons_family ON persons(family_name);
CREATE INDEX persons_updated ON persons(updated_at);

-- Folded name words of each person for search (rebuilt on every write).
CREATE TABLE person_name_tokens (
    person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    token     TEXT NOT NULL,
    PRIMARY KEY (token, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_name_tokens_person ON person_name_tokens(person_id);

-- Candidate duplicate pairs and the review decisions on them.
CREATE TABLE person_pairs (
    id            INTEGER PRIMARY KEY,
    left_id       INTEGER NOT NULL REFERENCES persons(id),
    right_id      INTEGER NOT NULL REFERENCES persons(id),
    weight        REAL NOT NULL,
    probability   REAL NOT NULL,
    explanation   TEXT NOT NULL,          -- JSON, per field
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','confirmed','rejected','undone')),
    decided_by    INTEGER REFERENCES users(id),
    decided_at    TEXT,
    created_at    TEXT NOT NULL,
    CHECK (left_id < right_id),
    UNIQUE (left_id, right_id)
) STRICT;

CREATE TABLE return_cases (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    household_id    INTEGER REFERENCES households(id),
    person_id       INTEGER REFERENCES persons(id),
    intention       TEXT NOT NULL CHECK (intention IN ('wishes_to_return','undecided','does_not_wish')),
    intention_date  TEXT,
    conditions      TEXT,                 -- JSON array of condition codes
    conditions_note TEXT,
    destination_settlement_id TEXT REFERENCES settlements(id),
    crossing_point_id INTEGER REFERENCES links(id),
    requested_date  TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'registered',
    status_date     TEXT NOT NULL,
    suspended_from  TEXT,                 -- status to resume after a suspension
    scheduled_date  TEXT,
    arrived_date    TEXT,
    notes           TEXT,
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id),
    CHECK ((household_id IS NULL) <> (person_id IS NULL))
) STRICT;
CREATE INDEX return_cases_status ON return_cases(status);
CREATE INDEX return_cases_household ON return_cases(household_id);
CREATE INDEX return_cases_person ON return_cases(person_id);

CREATE TABLE return_transitions (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES return_cases(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    date        TEXT NOT NULL,
    reason      TEXT,
    user_id     INTEGER REFERENCES users(id),
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX return_transitions_case ON return_transitions(case_id);

CREATE TABLE return_obstacles (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES return_cases(id),
    incident_id INTEGER REFERENCES incidents(id),
    kind        TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE detainees (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    person_id       INTEGER REFERENCES persons(id),
    category        TEXT NOT NULL CHECK (category IN ('prisoner_of_war','civilian_detainee','missing')),
    surname         TEXT,
    first_names     TEXT,
    rank            TEXT,
    serial_number   TEXT,
    birth_date      TEXT,
    birth_place     TEXT,
    father_name     TEXT,
    mother_maiden_name TEXT,
    inform_person   TEXT,
    inform_address  BLOB,                 -- protected
    capture_date    TEXT,
    capture_place   TEXT,
    capture_settlement_id TEXT REFERENCES settlements(id),
    capture_circumstances TEXT,
    capture_source  TEXT,
    detaining_authority TEXT,
    detention_place BLOB,                 -- protected
    health          BLOB,                 -- protected
    status          TEXT NOT NULL DEFAULT 'reported_missing',
    status_date     TEXT,
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX detainees_person ON detainees(person_id);
CREATE INDEX detainees_status ON detainees(status);

CREATE TABLE detainee_events (
    id          INTEGER PRIMARY KEY,
    detainee_id INTEGER NOT NULL REFERENCES detainees(id),
    from_status TEXT,
    to_status   TEXT NOT NULL,
    date        TEXT NOT NULL,
    source      TEXT,
    note        TEXT,
    user_id     INTEGER REFERENCES users(id),
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX detainee_events_detainee ON detainee_events(detainee_id);

CREATE TABLE detainee_visits (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    detainee_id INTEGER NOT NULL REFERENCES detainees(id),
    visitor     TEXT NOT NULL,
    date        TEXT NOT NULL,
    outcome     TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE detainee_proceedings (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    detainee_id  INTEGER NOT NULL REFERENCES detainees(id),
    court        TEXT,
    charge       TEXT,
    hearing_dates TEXT,                   -- JSON array of dates
    sentence     TEXT,
    note         TEXT,
    created_at   TEXT NOT NULL,
    created_by   INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE detainee_transfers (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    detainee_id INTEGER NOT NULL REFERENCES detainees(id),
    date        TEXT NOT NULL,
    from_place  BLOB,                     -- protected
    to_place    BLOB,                     -- protected
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE tracing_requests (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    inquirer_person_id INTEGER REFERENCES persons(id),
    inquirer_name   TEXT,
    inquirer_contact BLOB,                -- protected
    relation        TEXT,
    sought_given    TEXT,
    sought_family   TEXT,
    sought_patronymic TEXT,
    sought_other_names TEXT,              -- JSON array
    sought_sex      TEXT NOT NULL DEFAULT 'unknown' CHECK (sought_sex IN ('female','male','unknown')),
    sought_birth_date TEXT,
    sought_age      INTEGER CHECK (sought_age BETWEEN 0 AND 130),
    sought_description TEXT,
    last_known_place TEXT,
    last_known_settlement_id TEXT REFERENCES settlements(id),
    last_known_date TEXT,
    separation_date TEXT,
    separation_place TEXT,
    separation_cause TEXT,
    status          TEXT NOT NULL DEFAULT 'open',
    status_date     TEXT,
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE tracing_matches (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    request_id    INTEGER NOT NULL REFERENCES tracing_requests(id),
    person_id     INTEGER REFERENCES persons(id),
    detainee_id   INTEGER REFERENCES detainees(id),
    weight        REAL NOT NULL,
    probability   REAL NOT NULL,
    explanation   TEXT NOT NULL,
    decision      TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending','confirmed','rejected')),
    decided_by    INTEGER REFERENCES users(id),
    decided_at    TEXT,
    found_consent INTEGER NOT NULL DEFAULT 0 CHECK (found_consent IN (0,1)),
    found_consent_date TEXT,
    created_at    TEXT NOT NULL,
    CHECK ((person_id IS NULL) <> (detainee_id IS NULL))
) STRICT;
CREATE INDEX tracing_matches_request ON tracing_matches(request_id);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    number          TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    title           TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('use_of_force','intimidation','denial_of_passage','detention','property_destruction','blockade_event','other')),
    start_date      TEXT,
    end_date        TEXT,
    settlement_id   TEXT REFERENCES settlements(id),
    lat             REAL CHECK (lat BETWEEN -90 AND 90),
    lon             REAL CHECK (lon BETWEEN -180 AND 180),
    location_text   TEXT,
    description     TEXT,
    confidentiality TEXT NOT NULL DEFAULT 'internal' CHECK (confidentiality IN ('public','internal','restricted')),
    verification    TEXT NOT NULL DEFAULT 'unverified' CHECK (verification IN ('unverified','partially_verified','verified','disputed')),
    organisation_id INTEGER REFERENCES organisations(id),
    restricted      INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0,1)),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE incident_acts (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    incident_id     INTEGER NOT NULL REFERENCES incidents(id),
    victim_person_id INTEGER REFERENCES persons(id),
    act_type        TEXT NOT NULL,
    consequences    TEXT,
    note            TEXT
) STRICT;

CREATE TABLE incident_perpetrators (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    description TEXT NOT NULL,            -- as reported, not as established
    source_id   INTEGER REFERENCES incident_sources(id)
) STRICT;

CREATE TABLE incident_sources (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    incident_id      INTEGER NOT NULL REFERENCES incidents(id),
    kind             TEXT NOT NULL,
    date             TEXT,
    reliability      TEXT,
    reference        TEXT,
    witness_identity BLOB                 -- protected
) STRICT;

CREATE TABLE incident_verifications (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    user_id     INTEGER REFERENCES users(id),
    at          TEXT NOT NULL
) STRICT;

CREATE TABLE incident_persons (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    role        TEXT NOT NULL DEFAULT 'victim',
    PRIMARY KEY (incident_id, person_id, role)
) STRICT;

CREATE TABLE links (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL DEFAULT 1,
    kind            TEXT NOT NULL CHECK (kind IN ('road','crossing_point','rail','gas_pipeline','power_line','internet','telephone')),
    name            TEXT NOT NULL,
    endpoint_a      TEXT,
    endpoint_b      TEXT,
    settlement_a_id TEXT REFERENCES settlements(id),
    settlement_b_id TEXT REFERENCES settlements(id),
    description     TEXT,
    seed            INTEGER NOT NULL DEFAULT 0 CHECK (seed IN (0,1)),
    organisation_id INTEGER REFERENCES organisations(id),
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    updated_at      TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id)
) STRICT;

CREATE TABLE link_periods (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    link_id     INTEGER NOT NULL REFERENCES links(id),
    status      TEXT NOT NULL CHECK (status IN ('open','restricted','closed')),
    from_date   TEXT NOT NULL,
    to_date     TEXT,                     -- NULL while it lasts
    restriction TEXT,
    source      TEXT,
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    CHECK (to_date IS NULL OR to_date >= from_date)
) STRICT;
CREATE INDEX link_periods_link ON link_periods(link_id, from_date);

CREATE TABLE incident_links (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    link_id     INTEGER NOT NULL REFERENCES links(id),
    period_id   INTEGER REFERENCES link_periods(id),
    PRIMARY KEY (incident_id, link_id)
) STRICT;

CREATE TABLE commitments (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    version     INTEGER NOT NULL DEFAULT 1,
    source      TEXT NOT NULL,            -- 'si_resolution', 'icj_order_2023_11_17', 'agreement:...'
    clause      TEXT NOT NULL,
    text        TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('return','status_and_rights','prisoners','blockade','land_connection','negotiation')),
    seed        INTEGER NOT NULL DEFAULT 0 CHECK (seed IN (0,1)),
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id),
    UNIQUE (source, clause)
) STRICT;

CREATE TABLE commitment_assessments (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    commitment_id INTEGER NOT NULL REFERENCES commitments(id),
    date          TEXT NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    rationale     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX commitment_assessments_c ON commitment_assessments(commitment_id, date);

CREATE TABLE assessment_evidence (
    assessment_id INTEGER NOT NULL REFERENCES commitment_assessments(id),
    record_kind   TEXT NOT NULL,
    record_uuid   TEXT NOT NULL,
    note          TEXT,
    PRIMARY KEY (assessment_id, record_kind, record_uuid)
) STRICT;

-- What changed in each record, version by version, for people to read.
-- Protected fields appear by name only, never with their values.
CREATE TABLE history (
    id          INTEGER PRIMARY KEY,
    record_kind TEXT NOT NULL,
    record_id   INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL,            -- JSON object field -> {from, to} or {changed: true}
    user_id     INTEGER REFERENCES users(id),
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX history_record ON history(record_kind, record_id, version);

-- The audit log: append-only, hash-chained (sec/audit.c).
CREATE TABLE audit (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    user_id         INTEGER,
    organisation_id INTEGER,
    action          TEXT NOT NULL,
    record_kind     TEXT,
    record_uuid     TEXT,
    fields          TEXT,                 -- JSON array of field names, never values
    purpose         TEXT,
    client          TEXT,
    prev_hash       BLOB,
    hash            BLOB
) STRICT;

CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    size       INTEGER NOT NULL,
    head_hash  BLOB NOT NULL,
    signature  BLOB NOT NULL
) STRICT;

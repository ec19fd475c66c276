-- Projects and their keys. Every other table carries project_key.
CREATE TABLE projects (
    project_key INTEGER PRIMARY KEY,
    id VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    write_key VARCHAR NOT NULL UNIQUE,
    time_zone VARCHAR NOT NULL DEFAULT 'UTC',
    settings JSON NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE secret_keys (
    project_key INTEGER NOT NULL,
    secret_key VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Every person key ever created. A merged-away person keeps its row (and uuid) so that old
-- links still resolve; person_merges says where it went.
CREATE TABLE persons (
    project_key INTEGER NOT NULL,
    person_key BIGINT NOT NULL,
    person_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX persons_person_id ON persons (person_id);

-- identity -> current person. Rewritten eagerly on merge (the table is small).
CREATE TABLE identities (
    project_key INTEGER NOT NULL,
    identity VARCHAR NOT NULL,
    person_key BIGINT NOT NULL,
    is_user BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Point lookups by identity (person API, admin tools). A single-column ART index: measured at
-- 3M identities, ~1 ms per lookup against ~15 ms for a scan; DuckDB did not use a composite one.
CREATE INDEX identities_identity ON identities (identity);

-- Merged-away person -> surviving person, always flattened (to_key is a survivor). Permanent:
-- it redirects old person ids.
CREATE TABLE person_merges (
    project_key INTEGER NOT NULL,
    from_key BIGINT NOT NULL,
    to_key BIGINT NOT NULL,
    merged_at TIMESTAMP NOT NULL
);

-- The merges not yet folded into the events. Events keep the person key they got at ingestion;
-- this (usually small) table redirects them until compaction rewrites their person_key.
CREATE TABLE unfolded_merges (
    project_key INTEGER NOT NULL,
    from_key BIGINT NOT NULL,
    to_key BIGINT NOT NULL
);

-- Person profile, one row per (person, property); folded onto the survivor on merge.
CREATE TABLE person_properties (
    project_key INTEGER NOT NULL,
    person_key BIGINT NOT NULL,
    key VARCHAR NOT NULL,
    value JSON,
    updated_at TIMESTAMP NOT NULL
);

-- Events: older events compacted sorted by (project, person, time); recent ones in arrival order.
CREATE TABLE events_compacted (
    project_key INTEGER NOT NULL,
    event_id VARCHAR NOT NULL,
    identity VARCHAR NOT NULL,
    person_key BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    session_id VARCHAR,
    properties JSON
);

CREATE TABLE events_recent (
    project_key INTEGER NOT NULL,
    event_id VARCHAR NOT NULL,
    identity VARCHAR NOT NULL,
    person_key BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    session_id VARCHAR,
    properties JSON
);

-- Both event tables, person keys as stored. Lookups by a known set of person keys use this.
CREATE VIEW all_events AS
SELECT * FROM events_compacted UNION ALL SELECT * FROM events_recent;

-- The one place where the identity layer meets the events: reports read through this view.
CREATE VIEW resolved_events AS
SELECT e.project_key, e.event_id, e.identity,
       coalesce(m.to_key, e.person_key) AS person_key,
       e.name, e.ts, e.received_at, e.session_id, e.properties
FROM all_events e
LEFT JOIN unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key;

CREATE TABLE identity_warnings (
    project_key INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    identity VARCHAR,
    other_identity VARCHAR,
    detail VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE admin_users (
    username VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Per-person figures of events_compacted, one row per stored person key, maintained by compaction
-- in the same transaction as events_compacted (see store/PersonSummaryWriter). Reads combine it
-- with an aggregate of events_recent and apply unfolded_merges (people/PersonStats). Existing data
-- directories get it built on the first start after this migration (DuckDbEventStore).
CREATE TABLE person_summary (
    project_key INTEGER NOT NULL,
    person_key BIGINT NOT NULL,
    first_seen TIMESTAMP NOT NULL,
    first_event_id VARCHAR NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    last_event_id VARCHAR NOT NULL,
    event_count BIGINT NOT NULL,
    -- sessions as store/Sql.SESSION_START counts them; the ids let a later piece stitch to the last session
    session_count BIGINT NOT NULL,
    first_session_id VARCHAR,
    last_session_id VARCHAR,
    -- per the project's revenue settings when written; a settings change rebuilds the project
    revenue DOUBLE NOT NULL,
    last_payment TIMESTAMP,
    -- properties of the earliest event (first touch)
    first_properties JSON
);

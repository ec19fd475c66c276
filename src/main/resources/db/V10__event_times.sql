-- A narrow copy of events_compacted's (project, name, time, person), each compaction's run sorted by
-- (project_key, name, ts): a scan for "did E (in a window)" then reads the few row groups that hold
-- E (zone maps on name and ts) instead of every row group of events_compacted, which is sorted by
-- person. Populations read it for conditions without event-property filters. Kept by compaction in
-- the same transaction as events_compacted (rows moved, merges folded, erasure); person_key is the
-- key as stored, redirected by unfolded_merges in resolved_event_times exactly as the events are.
CREATE TABLE event_times (
    project_key INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    ts TIMESTAMP NOT NULL,
    person_key BIGINT NOT NULL
);

INSERT INTO event_times
SELECT project_key, name, ts, person_key FROM events_compacted ORDER BY project_key, name, ts;

-- The events' (project, person, name, time) with merges applied: event_times plus the uncompacted
-- tail, as resolved_events is events_compacted plus the tail.
CREATE VIEW resolved_event_times AS
SELECT t.project_key, coalesce(m.to_key, t.person_key) AS person_key, t.name, t.ts
FROM (SELECT project_key, person_key, name, ts FROM event_times
      UNION ALL SELECT project_key, person_key, name, ts FROM events_recent) t
LEFT JOIN unfolded_merges m ON m.project_key = t.project_key AND m.from_key = t.person_key;

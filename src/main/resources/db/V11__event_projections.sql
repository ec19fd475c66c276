-- Two narrow projections of events_compacted for funnels and retention, maintained by compaction in
-- the same transaction as the events (and by folding, erasure and scrubbing alike), so they always
-- mirror events_compacted exactly. Person keys are stored the way events_compacted stores them
-- (merges folded at compaction); unfolded_merges redirects both until the next fold.
--
-- event_occurrences: one row per compacted event, only (name, person, time), appended per compaction
-- chunk sorted by (project, name, person, ts). A funnel step or a cohort event then reads only the
-- row groups of its event name through the zone maps, instead of scanning every event's name.
CREATE TABLE event_occurrences (
    project_key INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    person_key BIGINT NOT NULL,
    ts TIMESTAMP NOT NULL
);

-- person_days: the first and last event time of a stored person key on one UTC day (per compaction
-- chunk: a person-day split over two chunks has two rows), sorted by person like the events.
-- Retention's "any event" return side reads these instead of every event: a row's span is shorter
-- than a day, so under a fixed UTC offset it touches at most two periods, the ones of its first and
-- last event (RetentionQuery). Sorted by person, the join with the cohort probes its hash table in
-- person order and its key-range filter skips rows (measured: 1.5x faster than sorted by day).
CREATE TABLE person_days (
    project_key INTEGER NOT NULL,
    person_key BIGINT NOT NULL,
    first_ts TIMESTAMP NOT NULL,
    last_ts TIMESTAMP NOT NULL
);

INSERT INTO event_occurrences
SELECT project_key, name, person_key, ts FROM events_compacted ORDER BY project_key, name, person_key, ts;

INSERT INTO person_days
SELECT project_key, person_key, min(ts), max(ts) FROM events_compacted
GROUP BY project_key, person_key, ts::DATE ORDER BY project_key, person_key, min(ts);

-- The named events of both tables (the uncompacted tail read as is), persons resolved like
-- resolved_events.
CREATE VIEW resolved_occurrences AS
SELECT o.project_key, o.name, coalesce(m.to_key, o.person_key) AS person_key, o.ts
FROM (SELECT project_key, name, person_key, ts FROM event_occurrences
      UNION ALL SELECT project_key, name, person_key, ts FROM events_recent) o
LEFT JOIN unfolded_merges m ON m.project_key = o.project_key AND m.from_key = o.person_key;

-- The same with person keys as stored (like all_events).
CREATE VIEW all_occurrences AS
SELECT project_key, name, person_key, ts FROM event_occurrences
UNION ALL SELECT project_key, name, person_key, ts FROM events_recent;

-- Every person's activity as (first, last) spans of less than a day, person keys as stored: the
-- compacted person-days plus each uncompacted event as its own span.
CREATE VIEW all_person_days AS
SELECT project_key, person_key, first_ts, last_ts FROM person_days
UNION ALL SELECT project_key, person_key, ts, ts FROM events_recent;

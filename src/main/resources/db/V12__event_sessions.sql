-- Every compacted event's session, for trends' session counts and people-vs-sessions: one row per
-- event of events_compacted with (name, person, time) and the number of its session among its stored
-- person key's compacted events, as Sql.SESSION_START defines sessions (first event, 30 idle minutes,
-- or a change of client session id, in (ts, event_id) order). Maintained by compaction in the same
-- transaction as the events: the persons a step touches (their new events, both sides of folded
-- merges) are renumbered from all their compacted events (store/EventSessions); erasure deletes a
-- person's rows. Each run is sorted by (project, name, ts): a 30-day trend of one event reads only
-- that name's recent row groups. Persons with uncompacted events or unfolded merges are sessioned at
-- query time instead (report/trends/TrendsSessions), so the answer is always the query-time one.
CREATE TABLE event_sessions (
    project_key INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    person_key BIGINT NOT NULL,
    ts TIMESTAMP NOT NULL,
    session INTEGER NOT NULL
);

INSERT INTO event_sessions
SELECT project_key, name, person_key, ts,
       sum(ss::INTEGER) OVER (PARTITION BY project_key, person_key ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING)::INTEGER
FROM (SELECT project_key, person_key, name, ts, event_id,
             (lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > INTERVAL 30 MINUTE
              OR (session_id IS NOT NULL AND lag(session_id) OVER w IS NOT NULL AND session_id <> lag(session_id) OVER w)) AS ss
      FROM events_compacted WINDOW w AS (PARTITION BY project_key, person_key ORDER BY ts, event_id))
ORDER BY project_key, name, ts;

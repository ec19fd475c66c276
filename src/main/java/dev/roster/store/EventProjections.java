package dev.roster.store;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Keeps the two narrow projections of {@code events_compacted} (migration V11) equal to it:
 * {@code event_occurrences(project_key, name, person_key, ts)}, appended per compaction chunk sorted
 * by (project, name, person, ts), and {@code person_days(project_key, person_key, first_ts, last_ts)},
 * one row per stored person key, UTC day and chunk. Every statement runs inside the caller's
 * transaction (compaction, erasure), so the projections change together with the events.
 *
 * <p>Why: a funnel step or a retention cohort names one event, and the demo's step events are a
 * small share of all events ({@code $pageview} dominates); sorted by name, the zone maps let a
 * scan read only that name's row groups instead of the name column of every event. Retention's
 * "any event" return side reads person-days, about 2.6 times fewer rows than events.
 */
final class EventProjections {
    /** Sort orders, also used when a table is rewritten after an erasure. */
    static final Map<String, String> ORDER = Map.of(
            "event_occurrences", " ORDER BY project_key, name, person_key, ts",
            "person_days", " ORDER BY project_key, person_key, first_ts");

    private EventProjections() {
    }

    /**
     * Appends the chunk of {@code events_recent} about to move (rows {@code r} matching
     * {@code chunk}, a {@code WHERE} clause or empty), persons resolved exactly as the compacted
     * events are: {@code coalesce(unfolded_merges.to_key, person_key)}. Call before the chunk is
     * deleted from {@code events_recent}.
     */
    static void appendChunk(Statement statement, String chunk) throws SQLException {
        String source = " FROM events_recent r LEFT JOIN unfolded_merges m ON m.project_key = r.project_key "
                + "AND m.from_key = r.person_key" + chunk;
        statement.execute("INSERT INTO event_occurrences SELECT r.project_key, r.name, coalesce(m.to_key, r.person_key) AS pk, r.ts"
                + source + " ORDER BY r.project_key, r.name, pk, r.ts");
        statement.execute("INSERT INTO person_days SELECT r.project_key, coalesce(m.to_key, r.person_key) AS pk, min(r.ts), max(r.ts)"
                + source + " GROUP BY r.project_key, pk, r.ts::DATE ORDER BY r.project_key, pk, min(r.ts)");
    }

    /** Folds {@code unfolded_merges} into both projections, as compaction does for the events. */
    static void foldMerges(Statement statement) throws SQLException {
        for (String table : ORDER.keySet()) {
            statement.execute("UPDATE " + table + " SET person_key = m.to_key FROM unfolded_merges m "
                    + "WHERE " + table + ".project_key = m.project_key AND " + table + ".person_key = m.from_key");
        }
    }
}

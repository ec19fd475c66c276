package dev.roster.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Keeps {@code event_sessions(project_key, name, person_key, ts, session)} (migration V12) equal to
 * {@code events_compacted} numbered by {@link Sql#SESSION_START}: one row per compacted event, with
 * the 1-based number of its session among the compacted events of its stored person key, in
 * (ts, event_id) order. Every statement runs inside the caller's transaction (compaction, erasure).
 *
 * <p>Why: sessions need all of a person's events in time order, so counting them at query time
 * sorted every event of the range by person (a window over 1.2M rows for the dashboard's 30-day
 * trend on the 1M demo). With the number stored, a trend reads narrow rows of its event names only.
 *
 * <p>Maintenance is exact, not incremental: a new event can join two sessions, split one (a
 * different client session id) or renumber every later one, so the persons a compaction step
 * touches (the keys of the events it moves and, when it folds merges, both sides of every merge,
 * as {@link PersonSummaryWriter#collectTouched} notes them) lose their rows and get them again from
 * all their compacted events, after the move and the fold. Persons with uncompacted events or an
 * unfolded merge are not read from here by trends (their sessions span the tail), see
 * {@code report.trends.TrendsSessions}.
 */
public final class EventSessions {
    public static final String TABLE = "event_sessions";

    /** The order of each compaction run, also used when the table is rewritten after an erasure. */
    static final String ORDER = " ORDER BY project_key, name, ts";

    private EventSessions() {
    }

    /**
     * Renumbers the persons noted in {@code summary_touched} (see {@link PersonSummaryWriter#collectTouched})
     * from their compacted events. Call after the events moved and merges were folded, before the
     * summary writer clears that table.
     */
    static void recomputeTouched(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            PersonSummaryWriter.forEachTouchedSlice(connection, (project, keys) -> {
                statement.execute("DELETE FROM event_sessions WHERE project_key = " + project + " AND event_sessions.person_key"
                        + keys.formatted("event_sessions"));
                statement.execute(numbered("e.project_key = " + project + " AND e.person_key" + keys.formatted("e")));
            });
        }
    }

    /** The INSERT that numbers the sessions of the compacted events matching {@code where} (on {@code e}). */
    static String numbered(String where) {
        return "INSERT INTO event_sessions SELECT project_key, name, person_key, ts, "
                + "sum(ss::INTEGER) OVER (PARTITION BY project_key, person_key ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING)::INTEGER "
                + "FROM (SELECT e.project_key, e.person_key, e.name, e.ts, e.event_id, " + Sql.SESSION_START + " AS ss "
                + "FROM events_compacted e WHERE " + where
                + " WINDOW w AS (PARTITION BY e.project_key, e.person_key ORDER BY e.ts, e.event_id))" + ORDER;
    }
}

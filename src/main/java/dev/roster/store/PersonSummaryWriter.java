package dev.roster.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps {@code person_summary} equal to an aggregate of {@code events_compacted} per stored person
 * key: first/last seen (with the event ids that break ties), event count, sessions (as
 * {@link Sql#SESSION_START} counts them, with the first and last session ids for stitching),
 * revenue and last payment (per the project's revenue settings), the properties of the
 * earliest event (first touch), the typed first-touch columns parsed from them ({@link FirstTouch})
 * and the UTC months with events ({@code active_months}, {@link #ACTIVE_MONTH}).
 *
 * <p>Every method runs on the caller's connection and transaction: compaction calls
 * {@link #collectTouched} before it moves a chunk and {@link #recomputeTouched} after, so the
 * summary changes in the same transaction as {@code events_compacted}. Persons are recomputed from
 * their compacted events (exact, no incremental arithmetic), selected by a temp table of keys plus
 * a constant key range that lets zone maps skip row groups of the person-sorted table.
 *
 * <p>Thread safety: none; callers hold the writer connection's monitor.
 */
public final class PersonSummaryWriter {
    /** Person keys per statement of a full rebuild: bounds the session window's memory. */
    static final long REBUILD_SLICE = 250_000;

    /** The SQL of one project's revenue amount of an event (reads {@code properties} and {@code name}). */
    public record Amount(String sql, List<Object> parameters) {
        public Amount {
            requireNonNull(sql, "sql is null");
            parameters = List.copyOf(parameters);
        }
    }

    /** Reads a project's revenue amount on the given connection (inside the caller's transaction). */
    @FunctionalInterface
    public interface Amounts {
        Amount of(Connection connection, int projectKey) throws SQLException;
    }

    private final Amounts amounts;

    public PersonSummaryWriter(Amounts amounts) {
        this.amounts = requireNonNull(amounts, "amounts is null");
    }

    /** Creates this connection's temp table of touched keys (once per connection). */
    static void prepare(Connection connection) throws SQLException {
        execute(connection, "CREATE TEMP TABLE IF NOT EXISTS summary_touched (project_key INTEGER, person_key BIGINT)");
    }

    /**
     * Notes the persons a compaction step will change: the (resolved) keys of the recent events it
     * moves ({@code chunk} is its rowid predicate on {@code r}, or empty for all) and, when it folds
     * the merges, both sides of every unfolded merge. Call before the events move.
     */
    void collectTouched(Connection connection, String chunk, boolean foldsMerges) throws SQLException {
        prepare(connection);
        execute(connection, "DELETE FROM summary_touched");
        execute(connection, "INSERT INTO summary_touched SELECT DISTINCT r.project_key, coalesce(m.to_key, r.person_key) "
                + "FROM events_recent r LEFT JOIN unfolded_merges m ON m.project_key = r.project_key AND m.from_key = r.person_key"
                + chunk);
        if (foldsMerges) {
            execute(connection, "INSERT INTO summary_touched SELECT project_key, from_key FROM unfolded_merges "
                    + "UNION ALL SELECT project_key, to_key FROM unfolded_merges");
        }
    }

    /** Recomputes the touched persons from {@code events_compacted}. Call after the events moved and merges folded. */
    void recomputeTouched(Connection connection) throws SQLException {
        forEachTouchedSlice(connection, (project, keys) -> {
            execute(connection, "DELETE FROM person_summary WHERE project_key = " + project + " AND person_summary.person_key"
                    + keys.formatted("person_summary"));
            insert(connection, project, " AND e.person_key" + keys.formatted("e"));
        });
        execute(connection, "DELETE FROM summary_touched");
    }

    /** What to recompute for one slice of the touched persons of a project; see {@link #forEachTouchedSlice}. */
    @FunctionalInterface
    interface TouchedSlice {
        void recompute(int project, String keys) throws SQLException;
    }

    /**
     * Runs {@code slice} for each project's touched persons ({@link #collectTouched}) in slices of
     * at most {@link #REBUILD_SLICE} person keys, which bound the windows' memory when a compaction
     * touches everyone. {@code keys} follows {@code person_key} in a predicate: a constant key range
     * (longs from the table, not user input: zone maps prune on it) and membership in the touched
     * set, with {@code %1$s} standing for the table's alias.
     */
    static void forEachTouchedSlice(Connection connection, TouchedSlice slice) throws SQLException {
        for (long[] range : keyRanges(connection, "summary_touched", "")) {
            int project = (int) range[0];
            for (long from = range[1]; from <= range[2]; from += REBUILD_SLICE) {
                slice.recompute(project, " BETWEEN " + from + " AND " + Math.min(range[2], from + REBUILD_SLICE - 1)
                        + " AND %1$s.person_key IN (SELECT person_key FROM summary_touched WHERE project_key = " + project + ")");
            }
        }
    }

    /**
     * Rebuilds one project's summary from {@code events_compacted} (first start after the
     * migration), in slices of person keys.
     */
    public void rebuild(Connection connection, int projectKey) throws SQLException {
        execute(connection, "DELETE FROM person_summary WHERE project_key = " + projectKey);
        long[] range = keyRange(connection, projectKey);
        if (range == null) {
            return;
        }
        for (long from = range[0]; from <= range[1]; from += REBUILD_SLICE) {
            insert(connection, projectKey, " AND e.person_key BETWEEN " + from + " AND " + Math.min(range[1], from + REBUILD_SLICE - 1));
        }
    }

    /**
     * Recomputes the revenue columns of one project's summary (revenue settings change): only the
     * amount depends on the settings, so this is a plain aggregate of the compacted events (no
     * session window, no first touch), in slices of person keys.
     */
    public void rebuildRevenue(Connection connection, int projectKey) throws SQLException {
        long[] range = keyRange(connection, projectKey);
        if (range == null) {
            return;
        }
        Amount amount = amounts.of(connection, projectKey);
        for (long from = range[0]; from <= range[1]; from += REBUILD_SLICE) {
            String keys = " BETWEEN " + from + " AND " + Math.min(range[1], from + REBUILD_SLICE - 1);
            String sql = "UPDATE person_summary SET revenue = x.revenue, last_payment = x.last_payment FROM ("
                    + "SELECT person_key, round(coalesce(fsum(amount), 0), 6) AS revenue, max(ts) FILTER (WHERE amount > 0) AS last_payment "
                    + "FROM (SELECT person_key, ts, " + amount.sql() + " AS amount FROM events_compacted "
                    + "WHERE project_key = ? AND person_key" + keys + ") GROUP BY person_key) x "
                    + "WHERE person_summary.project_key = ? AND person_summary.person_key = x.person_key "
                    + "AND person_summary.person_key" + keys;
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                int next = Sql.bind(statement, 1, amount.parameters());
                statement.setInt(next++, projectKey);
                statement.setInt(next, projectKey);
                statement.execute();
            }
        }
    }

    /** {min, max} person key of the project's compacted events, or null when it has none. */
    private static long[] keyRange(Connection connection, int projectKey) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT min(person_key), max(person_key) FROM events_compacted WHERE project_key = ?")) {
            statement.setInt(1, projectKey);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long first = rows.getLong(1);
                return rows.wasNull() ? null : new long[] {first, rows.getLong(2)};
            }
        }
    }

    /**
     * Builds the summary of every project that has compacted events but no summary rows: a data
     * directory written before the summary existed; then fills the columns added since (V8) on
     * rows written before them. Returns the projects built.
     */
    List<Integer> buildMissing(Connection connection) throws SQLException {
        List<Integer> missing = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT DISTINCT project_key FROM events_compacted "
                        + "EXCEPT SELECT DISTINCT project_key FROM person_summary")) {
            while (rows.next()) {
                missing.add(rows.getInt(1));
            }
        }
        for (int project : missing) {
            rebuild(connection, project);
        }
        long started = System.nanoTime();
        long touches = fillFirstTouch(connection);
        long months = fillActiveMonths(connection);
        if (touches + months > 0) {
            System.getLogger(PersonSummaryWriter.class.getName()).log(System.Logger.Level.INFO, "filled the first-touch columns of "
                    + touches + " and the active months of " + months + " person summary rows in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
        return missing;
    }

    /** The columns of {@code person_summary}, in the order {@link #insert} writes them. */
    private static final String COLUMNS = "project_key, person_key, first_seen, first_event_id, last_seen, last_event_id, event_count, "
            + "session_count, first_session_id, last_session_id, revenue, last_payment, first_properties, "
            + String.join(", ", FirstTouch.COLUMNS) + ", active_months";

    /**
     * The UTC month of {@code ts} as months since 1970-01 ({@code active_months}); see
     * {@link #monthIndex} for the same number in Java.
     */
    public static final String ACTIVE_MONTH = "((year(ts) - 1970) * 12 + month(ts) - 1)";

    /** {@link #ACTIVE_MONTH} of a month. */
    public static int monthIndex(java.time.YearMonth month) {
        return (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
    }

    /** Inserts the summary rows of the project's compacted events that match {@code keys} (a condition on {@code e}). */
    private void insert(Connection connection, int projectKey, String keys) throws SQLException {
        Amount amount = amounts.of(connection, projectKey);
        // the first-touch columns are parsed from the earliest event's properties only (one parse per person)
        String sql = "INSERT INTO person_summary (" + COLUMNS + ") SELECT * EXCLUDE (ft, active_months), " + FirstTouch.columns("ft")
                + ", active_months FROM ("
                + "SELECT *, " + FirstTouch.parse("first_properties") + " AS ft FROM ("
                + "SELECT project_key, person_key, min(ts), arg_min(event_id, (ts, event_id)), "
                + "max(ts), arg_max(event_id, (ts, event_id)), count(*), count(*) FILTER (WHERE session_start), "
                + "arg_min_null(session_id, (ts, event_id)), arg_max_null(session_id, (ts, event_id)), "
                + "round(coalesce(fsum(amount), 0), 6), max(ts) FILTER (WHERE amount > 0), "
                + "arg_min_null(properties, (ts, event_id)) AS first_properties, list(DISTINCT " + ACTIVE_MONTH + " ORDER BY " + ACTIVE_MONTH + ") AS active_months "
                + "FROM (SELECT project_key, person_key, ts, event_id, session_id, properties, " + amount.sql() + " AS amount, "
                + Sql.SESSION_START + " AS session_start FROM events_compacted e WHERE e.project_key = ?" + keys
                + " WINDOW w AS (PARTITION BY person_key ORDER BY ts, event_id)) GROUP BY project_key, person_key)) ORDER BY person_key";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            int next = Sql.bind(statement, 1, amount.parameters());
            statement.setInt(next, projectKey);
            statement.execute();
        }
    }

    /**
     * Fills the first-touch columns of rows written before they existed (migration V8 leaves them
     * NULL; {@code first_click_id} is never NULL on a row written since) from {@code first_properties},
     * one parse per person. Returns the rows filled.
     */
    long fillFirstTouch(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM person_summary WHERE first_click_id IS NULL")) {
            rows.next();
            if (rows.getLong(1) == 0) {
                return 0;
            }
        }
        StringBuilder set = new StringBuilder();
        for (String column : FirstTouch.COLUMNS) {
            set.append(set.length() == 0 ? "" : ", ").append(column).append(" = x.").append(column);
        }
        try (Statement statement = connection.createStatement()) {
            return statement.executeUpdate("UPDATE person_summary SET " + set + " FROM (SELECT project_key, person_key, "
                    + FirstTouch.columns("ft") + " FROM (SELECT project_key, person_key, " + FirstTouch.parse("first_properties")
                    + " AS ft FROM person_summary WHERE first_click_id IS NULL)) x "
                    + "WHERE person_summary.project_key = x.project_key AND person_summary.person_key = x.person_key");
        }
    }

    /** Per project, the smallest and largest person key of {@code table}'s rows matching {@code where}: {project, min, max}. */
    private static List<long[]> keyRanges(Connection connection, String table, String where) throws SQLException {
        List<long[]> ranges = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT project_key, min(person_key), max(person_key) FROM " + table
                        + where + " GROUP BY project_key ORDER BY project_key")) {
            while (rows.next()) {
                ranges.add(new long[] {rows.getInt(1), rows.getLong(2), rows.getLong(3)});
            }
        }
        return ranges;
    }

    /**
     * Fills {@code active_months} of rows written before it existed (migration V8 leaves it NULL; a
     * row written since never has it NULL) from {@code events_compacted}, in slices of person keys.
     * Returns the rows filled.
     */
    long fillActiveMonths(Connection connection) throws SQLException {
        List<long[]> ranges = keyRanges(connection, "person_summary", " WHERE active_months IS NULL");
        long filled = 0;
        for (long[] range : ranges) {
            for (long from = range[1]; from <= range[2]; from += REBUILD_SLICE) {
                // longs from the table, not user input: constant bounds let zone maps prune
                String keys = " BETWEEN " + from + " AND " + Math.min(range[2], from + REBUILD_SLICE - 1);
                try (Statement statement = connection.createStatement()) {
                    filled += statement.executeUpdate("UPDATE person_summary SET active_months = x.months FROM ("
                            + "SELECT person_key, list(DISTINCT " + ACTIVE_MONTH + " ORDER BY " + ACTIVE_MONTH + ") AS months "
                            + "FROM events_compacted WHERE project_key = " + range[0] + " AND person_key" + keys + " GROUP BY person_key) x "
                            + "WHERE person_summary.project_key = " + range[0] + " AND person_summary.person_key = x.person_key "
                            + "AND person_summary.active_months IS NULL AND person_summary.person_key" + keys);
                }
            }
        }
        return filled;
    }

    /** Deletes the summary rows of the persons in the temp table {@code batch_persons} (erasure). */
    static final String DELETE_BATCH_PERSONS = "DELETE FROM person_summary USING batch_persons b "
            + "WHERE person_summary.project_key = b.project_key AND person_summary.person_key = b.person_key";

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}

package dev.roster.people;

import static java.util.Objects.requireNonNull;

import dev.roster.revenue.RevenueExpression;
import dev.roster.store.FirstTouch;
import dev.roster.store.PersonSummaryWriter;
import dev.roster.store.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The current per-person figures as one SQL query with its parameters: the {@code person_summary}
 * rows (compacted events, one row per stored key) combined with an aggregate of the uncompacted
 * tail ({@code events_recent}), with {@code unfolded_merges} applied to both, per surviving person
 * key (as {@code resolved_events.person_key}).
 *
 * <p>Columns: {@code person_key, first_seen, last_seen, event_count, ltv, last_payment} and, when
 * asked, {@code session_count}, {@code first_properties} (the JSON properties of the person's
 * earliest event, ties broken by event id) and the typed first-touch columns of that event
 * ({@link FirstTouch#COLUMNS}). Only persons with events have a row.
 *
 * <p>Shape: the tail is aggregated per resolved person ({@code t}); summary rows of persons with no
 * tail events and no unfolded merge pass through untouched (almost everyone, and no grouping);
 * the others ("pieces": their summary rows and tail aggregate) are combined with min, max, sum and
 * arg_min. Sessions are stitched: pieces in time order, a piece whose first event is within 30
 * minutes of the previous piece's last event, with no session id change, continues that session.
 * This is exact when a person's pieces do not overlap in time, which is the case when tail events
 * are later than the compacted ones; a late, out-of-order event (or two merged persons active at
 * the same time) can count one session too many or too few until the next compaction recomputes
 * the person from all of their events.
 */
public final class PersonStats {
    private PersonStats() {
    }

    /**
     * What to compute. {@code acquisition}: the typed first-touch columns ({@link FirstTouch#COLUMNS}).
     * {@code keyRange}: only persons whose (surviving) key is in [from, to].
     */
    public record Options(boolean sessions, boolean firstProperties, boolean acquisition, boolean months, Optional<long[]> keyRange) {
        public Options {
            requireNonNull(keyRange, "keyRange is null");
        }

        public static final Options FIGURES = new Options(false, false, false, false, Optional.empty());

        public Options withSessions() {
            return new Options(true, firstProperties, acquisition, months, keyRange);
        }

        public Options withFirstProperties() {
            return new Options(sessions, true, acquisition, months, keyRange);
        }

        public Options withAcquisition() {
            return new Options(sessions, firstProperties, true, months, keyRange);
        }

        /** Adds {@code active_months}: the UTC months with events, sorted ({@link PersonSummaryWriter#ACTIVE_MONTH}). */
        public Options withMonths() {
            return new Options(sessions, firstProperties, acquisition, true, keyRange);
        }

        public Options between(long from, long to) {
            return new Options(sessions, firstProperties, acquisition, months, Optional.of(new long[] {from, to}));
        }
    }

    /** A query and its bind parameters, in order. */
    public record Query(String sql, List<Object> parameters) {
        public Query {
            requireNonNull(sql, "sql is null");
            parameters = List.copyOf(parameters);
        }
    }

    /** The query of one project's per-person figures. */
    public static Query query(int projectKey, RevenueExpression amount, Options options) {
        List<Object> parameters = new ArrayList<>();
        String range = options.keyRange().isPresent() ? " BETWEEN ? AND ?" : "";
        List<Object> bounds = options.keyRange().map(r -> List.<Object>of(r[0], r[1])).orElse(List.of());
        String typedColumns = (options.acquisition() ? ", " + String.join(", ", FirstTouch.COLUMNS) : "")
                + (options.months() ? ", active_months" : "");
        String extra = (options.sessions() ? ", session_count" : "") + (options.firstProperties() ? ", first_properties" : "") + typedColumns;
        String pieceColumns = "person_key, first_seen, first_event_id, last_seen, event_count, revenue, last_payment"
                + (options.sessions() ? ", session_count, first_session_id, last_session_id" : "")
                + (options.firstProperties() ? ", first_properties" : "") + typedColumns;

        StringBuilder sql = new StringBuilder("WITH ");
        // the tail, per resolved person
        String tailKey = "coalesce(m.to_key, r.person_key)";
        // the tail's first-touch columns are parsed from each person's earliest tail event only
        sql.append("t AS MATERIALIZED (").append(options.acquisition()
                ? "SELECT * EXCLUDE (ft), " + FirstTouch.columns("ft") + " FROM (SELECT *, " + FirstTouch.parse("first_properties") + " AS ft FROM (" : "");
        sql.append("SELECT pk AS person_key, min(ts) AS first_seen, arg_min(event_id, (ts, event_id)) AS first_event_id, "
                + "max(ts) AS last_seen, count(*) AS event_count, round(coalesce(fsum(amount), 0), 6) AS revenue, "
                + "max(ts) FILTER (WHERE amount > 0) AS last_payment");
        if (options.sessions()) {
            sql.append(", count(*) FILTER (WHERE session_start) AS session_count, arg_min_null(session_id, (ts, event_id)) AS first_session_id, "
                    + "arg_max_null(session_id, (ts, event_id)) AS last_session_id");
        }
        if (options.firstProperties() || options.acquisition()) {
            sql.append(", arg_min_null(properties, (ts, event_id)) AS first_properties");
        }
        if (options.months()) {
            sql.append(", list(DISTINCT " + PersonSummaryWriter.ACTIVE_MONTH + " ORDER BY " + PersonSummaryWriter.ACTIVE_MONTH
                    + ") AS active_months");
        }
        sql.append(" FROM (SELECT ").append(tailKey).append(" AS pk, r.ts, r.event_id, r.session_id, r.properties, ")
                .append(amount.sql()).append(" AS amount");
        parameters.addAll(amount.parameters());
        if (options.sessions()) {
            sql.append(", ").append(Sql.SESSION_START).append(" AS session_start");
        }
        sql.append(" FROM events_recent r LEFT JOIN unfolded_merges m ON m.project_key = r.project_key AND m.from_key = r.person_key "
                + "WHERE r.project_key = ?");
        parameters.add(projectKey);
        if (!range.isEmpty()) {
            sql.append(" AND ").append(tailKey).append(range);
            parameters.addAll(bounds);
        }
        if (options.sessions()) {
            sql.append(" WINDOW w AS (PARTITION BY ").append(tailKey).append(" ORDER BY r.ts, r.event_id)");
        }
        sql.append(") GROUP BY pk").append(options.acquisition() ? "))" : "").append("), ");
        // persons with more than one piece: a tail, or an unfolded merge
        sql.append("involved AS MATERIALIZED (SELECT person_key FROM t UNION SELECT to_key FROM unfolded_merges WHERE project_key = ?), ");
        parameters.add(projectKey);
        sql.append("pieces AS (SELECT coalesce(m.to_key, s.person_key) AS person_key, ").append(pieceColumns.replace("person_key, ", ""))
                .append(" FROM person_summary s LEFT JOIN unfolded_merges m ON m.project_key = s.project_key AND m.from_key = s.person_key "
                        + "WHERE s.project_key = ? AND (s.person_key IN (SELECT person_key FROM involved) OR m.to_key IS NOT NULL)");
        parameters.add(projectKey);
        if (!range.isEmpty()) {
            sql.append(" AND coalesce(m.to_key, s.person_key)").append(range);
            parameters.addAll(bounds);
        }
        sql.append(" UNION ALL SELECT ").append(pieceColumns).append(" FROM t), ");
        sql.append("combined AS (SELECT person_key, min(first_seen) AS first_seen, max(last_seen) AS last_seen, "
                + "sum(event_count) AS event_count, round(fsum(revenue), 6) AS ltv, max(last_payment) AS last_payment");
        if (options.sessions()) {
            sql.append(", sum(session_count) - count(*) FILTER (WHERE continues) AS session_count");
        }
        if (options.firstProperties()) {
            sql.append(", arg_min_null(first_properties, (first_seen, first_event_id)) AS first_properties");
        }
        if (options.months()) {
            sql.append(", list_sort(list_distinct(flatten(list(active_months)))) AS active_months");
        }
        if (options.acquisition()) {
            // every column from the same (earliest) piece
            for (String column : FirstTouch.COLUMNS) {
                sql.append(", arg_min_null(").append(column).append(", (first_seen, first_event_id)) AS ").append(column);
            }
        }
        sql.append(" FROM (SELECT *");
        if (options.sessions()) {
            sql.append(", coalesce(first_seen - lag(last_seen) OVER w <= INTERVAL 30 MINUTE AND NOT (first_session_id IS NOT NULL "
                    + "AND lag(last_session_id) OVER w IS NOT NULL AND first_session_id <> lag(last_session_id) OVER w), false) AS continues "
                    + "FROM pieces WINDOW w AS (PARTITION BY person_key ORDER BY first_seen, first_event_id)");
        } else {
            sql.append(" FROM pieces");
        }
        sql.append(") GROUP BY person_key) ");
        String columns = "person_key, first_seen, last_seen, event_count, ltv, last_payment" + extra;
        sql.append("SELECT ").append(columns).append(" FROM combined UNION ALL SELECT person_key, first_seen, last_seen, event_count, "
                + "revenue, last_payment").append(extra).append(" FROM person_summary WHERE project_key = ?");
        parameters.add(projectKey);
        if (!range.isEmpty()) {
            sql.append(" AND person_key").append(range);
            parameters.addAll(bounds);
        }
        sql.append(" AND person_key NOT IN (SELECT person_key FROM involved) "
                + "AND person_key NOT IN (SELECT from_key FROM unfolded_merges WHERE project_key = ?)");
        parameters.add(projectKey);
        return new Query(sql.toString(), parameters);
    }
}

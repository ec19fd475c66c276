package dev.roster.report.trends;

import dev.roster.project.Project;
import dev.roster.report.Fragment;
import dev.roster.store.EventSessions;
import dev.roster.store.Sql;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The CTE {@code ev(pk, u, ts, rn, amb, bv, c0..cn)} of a trend with sessions ({@link TrendsQuery}):
 * the report's events in the range with u, their session's unit key ({@code pk * SESSION_FACTOR +
 * session number}), rn their rank in their person's order (NULL where not needed, see below), amb
 * whether the event is an {@link TrendsQuery#AMBIGUOUS_TIES ambiguous tie}, bv the breakdown value
 * and {@code c<i>} whether it matches {@code conditions[i]}.
 *
 * <p>Two ways to the same sessions ({@link Sql#SESSION_START}):
 * <ul>
 *   <li>{@link #window}: at query time, over every event of the persons in the range (any
 *   conditions, breakdowns).</li>
 *   <li>{@link #stored}: from {@code event_sessions} ({@link EventSessions}, numbered at compaction)
 *   for every person whose events are all compacted under one stored key, and by {@link #window}
 *   for the rest (persons with uncompacted events or in an unfolded merge), so the answer is the
 *   same. Only for conditions on the event name alone and no event-value breakdown (the stored rows
 *   carry no properties), and it gives no rn: the caller must not need to tell events apart (no
 *   event can match both the conversion's from- and to-condition).</li>
 * </ul>
 * Sessions are cut at the range start in the window (no lead-in) and not in {@code event_sessions};
 * the in-range events of a session stay together either way, so no count changes.
 */
final class TrendsSessions {
    private final Project project;
    private final Instant start;
    private final Instant end;
    private final Function<String, Fragment> personCondition;
    private final boolean tiesByEventId;

    /**
     * @param personCondition the report's condition on a person key column (population, person
     *                        filters, the population group), given the column
     * @param tiesByEventId   order the window by (ts, event_id) instead of ts alone
     */
    TrendsSessions(Project project, Instant start, Instant end, Function<String, Fragment> personCondition, boolean tiesByEventId) {
        this.project = project;
        this.start = start;
        this.end = end;
        this.personCondition = personCondition;
        this.tiesByEventId = tiesByEventId;
    }

    /**
     * Sessions at query time, computed once per statement, kept only for the persons who did one of
     * the report's events in the range (a whole-partition {@code bool_or} in the first window, which
     * shares its sort: cheaper than the second scan of the range a semi-join needed, measured on the
     * 1M demo), on narrow rows: the conditions are evaluated before the window (no name or properties
     * are carried through it) and session ids are compared by their 64-bit hash (with the strings in
     * its rows the window filled the 512 MB memory limit and took 2× the time on the 1M demo; two
     * different ids of one person's consecutive events would have to collide, p ≈ 2^-64). The first
     * window (ordered by ts, see {@link TrendsQuery#withTiesByEventId}) finds the starts and ranks the
     * events; the running sum that numbers the sessions then reads only the starts and the matching
     * events, ordered by that integer rank.
     *
     * @param prefix  names the CTEs ({@code prefix0}, {@code prefix1}, {@code prefix}); the last is the result
     * @param persons extra condition on the resolved person key {@code e.person_key}, or TRUE
     */
    void window(Fragment.Builder b, String prefix, List<Fragment> conditions, Fragment value, Fragment joins, Fragment persons) {
        StringBuilder flags = new StringBuilder();
        StringBuilder any = new StringBuilder();
        b.sql(prefix + "0 AS (SELECT e.person_key AS pk, e.ts, " + (tiesByEventId ? "e.event_id, " : "")
                + "CASE WHEN e.session_id IS NOT NULL THEN hash(e.session_id) END AS session_id, ").add(value).sql(" AS bv");
        for (int i = 0; i < conditions.size(); i++) {
            b.sql(", coalesce(").add(conditions.get(i)).sql(", false) AS c" + i);
            flags.append(", c").append(i);
            any.append(" OR c").append(i);
        }
        b.sql(" FROM resolved_events e").add(joins)
                .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ?", project.key(), start, end);
        b.sql(" AND ").add(personCondition.apply("e.person_key")).sql(" AND ").add(persons).sql(")");
        String tie = tiesByEventId ? "false" : "(ts = lag(ts) OVER w AND session_id IS DISTINCT FROM lag(session_id) OVER w)";
        String order = "PARTITION BY pk ORDER BY ts" + (tiesByEventId ? ", event_id" : "");
        b.sql(", " + prefix + "1 AS (SELECT pk, ts, bv" + flags + ", row_number() OVER w AS rn, " + tie + " AS amb, " + Sql.SESSION_START
                + " AS ss, bool_or(" + any.substring(4) + ") OVER (" + order + " ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS keep"
                + " FROM " + prefix + "0 WINDOW w AS (" + order + "))");
        b.sql(", " + prefix + " AS (SELECT pk, pk * " + Sql.SESSION_FACTOR
                + " + sum(ss::INTEGER) OVER (PARTITION BY pk ORDER BY rn ROWS UNBOUNDED PRECEDING) AS u, ts, rn, amb, bv" + flags
                + " FROM " + prefix + "1 WHERE keep AND (ss OR amb" + any + "))");
    }

    /**
     * {@code ev} from {@code event_sessions} for the persons it is exact for, and by {@link #window}
     * for the others ({@code ses_tail}: the resolved keys of uncompacted events and both sides of
     * unfolded merges; a stored key in it is never read from {@code event_sessions}, and a resolved
     * key is never a merge's from-key). rn is NULL. {@code conditions} may read only {@code name}.
     */
    void stored(Fragment.Builder b, List<String> names, List<Fragment> conditions) {
        b.param("ses_tail AS (SELECT coalesce(m.to_key, r.person_key) AS pk FROM events_recent r LEFT JOIN unfolded_merges m "
                + "ON m.project_key = r.project_key AND m.from_key = r.person_key WHERE r.project_key = ?"
                + " UNION SELECT to_key FROM unfolded_merges WHERE project_key = ? UNION SELECT from_key FROM unfolded_merges WHERE project_key = ?)",
                project.key(), project.key(), project.key());
        b.sql(", ");
        window(b, "ses_window", conditions, Fragment.of("NULL::VARCHAR"), Fragment.of(""),
                Fragment.of("e.person_key IN (SELECT pk FROM ses_tail)"));
        b.sql(", ev AS (SELECT s.person_key AS pk, s.person_key * " + Sql.SESSION_FACTOR
                + " + s.session AS u, s.ts, NULL::BIGINT AS rn, false AS amb, NULL::VARCHAR AS bv");
        StringBuilder flags = new StringBuilder();
        for (int i = 0; i < conditions.size(); i++) {
            b.sql(", coalesce(").add(conditions.get(i)).sql(", false) AS c" + i);
            flags.append(", c").append(i);
        }
        b.param(" FROM " + EventSessions.TABLE + " s WHERE s.project_key = ? AND s.ts >= ? AND s.ts < ?", project.key(), start, end)
                .param(" AND s.name IN (" + Sql.placeholders(names.size()) + ")", names.toArray());
        b.sql(" AND ").add(personCondition.apply("s.person_key")).sql(" AND s.person_key NOT IN (SELECT pk FROM ses_tail)");
        b.sql(" UNION ALL SELECT pk, u, ts, NULL::BIGINT, amb, bv" + flags + " FROM ses_window)");
    }
}

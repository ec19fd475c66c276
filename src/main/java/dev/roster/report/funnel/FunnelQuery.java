package dev.roster.report.funnel;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.Breakdown;
import dev.roster.report.EventSpec;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.funnel.FunnelRequest.Aggregate;
import dev.roster.report.funnel.FunnelRequest.Exclusion;
import dev.roster.report.funnel.FunnelRequest.Order;
import dev.roster.store.Sql;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a funnel into one parameterised query over {@code resolved_events}, or for the steps
 * that need no event property its narrow projection {@code resolved_occurrences} (see
 * {@link #projected}).
 *
 * <p>Shape (the fastest measured, DUCKDB-NOTES): one CTE of (unit, ts) per step, each its own scan
 * filtered by project, time and the step's event; then one range join per step taking the earliest
 * qualifying next event within the window of the attempt's step 1 (greedy), so every step-1 event
 * in the range is an attempt. In the common case (sequential or strict, no exclusions, no event
 * used by two steps) two attempts of a unit starting at the same instant are identical, so each
 * step counts its units straight from its range join and takes the time of the earliest attempt
 * with {@code arg_min(.., t0)} ({@link #fastAggregate}). Otherwise ({@link #general}) every
 * attempt gets an id, the step times are joined back per attempt, exclusions discard attempts
 * with a range join, and each unit keeps its furthest surviving attempt.
 *
 * <p>Exact rules expressed in SQL:
 * <ul>
 *   <li>Equal timestamps are in order ({@code next.ts >= prev.ts}). When two steps share an event
 *       name, the chosen event ids are carried along so that one event never fills two steps;
 *       among equal timestamps the smallest event id is taken first.</li>
 *   <li>Strict order: the person's events get a dense rank by timestamp; the next step must be at
 *       the same or the next distinct timestamp of the person (no other event strictly between).</li>
 *   <li>Sessions: the unit is (person, session number), sessions as {@link Sql#SESSION_START},
 *       numbered over every event of the person before the funnel's events are picked.</li>
 *   <li>Any order: each step's first event within the window of the attempt's start; the k-th
 *       smallest of those times is when the attempt reached k steps.</li>
 * </ul>
 */
public final class FunnelQuery {
    private final FunnelRequest request;
    private final Project project;
    private final PopulationResolver populations;
    private final boolean withBreakdown;
    private final Optional<Population> group;

    public FunnelQuery(FunnelRequest request, Project project, PopulationResolver populations,
                       boolean withBreakdown, Optional<Population> group) {
        this.request = requireNonNull(request, "request is null");
        this.project = requireNonNull(project, "project is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.withBreakdown = withBreakdown;
        this.group = requireNonNull(group, "group is null");
    }

    /**
     * The person-level condition on {@code e.person_key} (person filters, the population filter, the
     * breakdown group). The step scans, the exclusions and {@link #separateFirstStepCount} all use
     * it; a population's members are evaluated once per report run by the run's resolver
     * ({@link dev.roster.population.OncePerReport}, see FunnelReport).
     */
    private Fragment persons() {
        return request.scope().personCondition("e.person_key", project, populations, group);
    }

    private int steps() {
        return request.steps().size();
    }

    /** Whether two steps share an event name, so that event ids must be tracked. */
    boolean collisions() {
        List<String> names = request.steps().stream().map(EventSpec::event).toList();
        return names.stream().distinct().count() < names.size();
    }

    private String window() {
        return "INTERVAL " + request.window().toSeconds() + " SECOND";
    }

    /** The CTEs up to {@code units(u, pk, bv, furthest, d1..dn-1)}. */
    Fragment units() {
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        base(b, true);
        if (request.order() == Order.ANY) {
            anyOrder(b);
        } else {
            ordered(b);
        }
        b.sql(", units AS (SELECT u, any_value(pk) AS pk, bv, max(reach) AS furthest");
        for (int k = 1; k < steps(); k++) {
            b.sql(", arg_min((epoch_us(t" + k + ") - epoch_us(t" + (k - 1) + ")) / 1000000.0, " + (collisions() ? "{'t': t0, 'e': e0}" : "t0")
                    + ") FILTER (WHERE t"
                    + k + " IS NOT NULL) AS d" + k);
        }
        b.sql(" FROM kept GROUP BY u, bv)");
        return b.build();
    }

    private void base(Fragment.Builder b, boolean trackAttempts) {
        Instant start = request.scope().range().start();
        Instant end = request.scope().range().end();
        Instant until = end.plus(request.window());
        boolean sessions = request.aggregate() == Aggregate.SESSIONS;
        boolean strict = request.order() == Order.STRICT;
        boolean allEvents = sessions || strict;
        Fragment value = Fragment.of("NULL::VARCHAR");
        Fragment joins = Fragment.of("");
        Optional<Breakdown> breakdown = request.scope().valueBreakdown();
        if (withBreakdown && breakdown.isPresent()) {
            Breakdown.ValueSql sql = Breakdown.valueSql(breakdown.get(), project);
            value = sql.value();
            joins = sql.joins();
        }
        List<String> names = request.eventNames().keySet().stream().toList();
        boolean ids = trackAttempts || sessions;
        // the fast shape without a breakdown needs only (unit, ts) per step
        boolean lean = !trackAttempts && !valued();
        if (!allEvents) {
            // people, not strict: one scan per step, filtered by project, time and the step's event in the scan
            Fragment persons = persons();
            for (int k = 0; k < steps(); k++) {
                boolean withValue = k == 0 || request.order() == Order.ANY;
                boolean projected = projected(request.steps().get(k), withValue);
                Fragment.Builder step = new Fragment.Builder();
                step.sql(" AS (SELECT e.person_key AS u" + (lean ? "" : ", e.person_key AS pk") + ", e.ts"
                        + (ids ? projected ? ", NULL::VARCHAR AS event_id" : ", e.event_id" : ""));
                if (!lean) {
                    step.sql(", ").add(withValue ? value : Fragment.of("NULL::VARCHAR")).sql(" AS bv");
                }
                step.sql(" FROM " + (projected ? "resolved_occurrences" : "resolved_events") + " e").add(withValue ? joins : Fragment.of(""));
                boolean rangeOnly = k == 0 && request.order() != Order.ANY;
                step.param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ? AND ", project.key(), start, rangeOnly ? end : until)
                        .add(request.steps().get(k).condition()).sql(" AND ").add(persons).sql(")");
                Fragment scan = step.build();
                b.sql((k == 0 ? "" : ", ") + "s" + k).add(scan);
                if (k == 0 && !trackAttempts && separateFirstStepCount()) {
                    b.sql(", s0c").add(scan);
                }
            }
            for (int x = 0; x < request.exclusions().size(); x++) {
                EventSpec excluded = request.exclusions().get(x).event();
                b.param(", x" + x + " AS (SELECT e.person_key AS u, e.ts FROM " + (excluded.where().isEmpty() ? "resolved_occurrences" : "resolved_events")
                        + " e WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ? AND ", project.key(), start, until).add(excluded.condition())
                        .sql(" AND ").add(persons).sql(")");
            }
            return;
        }
        b.sql("ev0 AS (SELECT e.person_key AS pk, e.ts" + (ids ? ", e.event_id" : "") + (sessions ? ", e.session_id" : "") + ", ")
                .add(value).sql(" AS bv");
        // step and exclusion matches are computed in the scan, so properties never leave it
        for (int k = 0; k < steps(); k++) {
            b.sql(", ").add(request.steps().get(k).condition()).sql(" AS m" + k);
        }
        for (int x = 0; x < request.exclusions().size(); x++) {
            b.sql(", ").add(request.exclusions().get(x).event().condition()).sql(" AS x" + x);
        }
        if (strict) {
            b.sql(", dense_rank() OVER (PARTITION BY e.person_key ORDER BY e.ts) AS dr");
        }
        b.sql(" FROM resolved_events e").add(joins)
                .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ?", project.key(), start, until);
        if (!allEvents) {
            b.param(" AND e.name IN (" + Sql.placeholders(names.size()) + ")", names.toArray());
        }
        b.sql(" AND ").add(persons()).sql(")");
        String source = "ev0";
        if (sessions) {
            b.sql(", ev1 AS (SELECT *, " + Sql.SESSION_START + " AS ss FROM ev0 WINDOW w AS (PARTITION BY pk ORDER BY ts, event_id))");
            source = "ev1";
        }
        StringBuilder flags = new StringBuilder();
        StringBuilder any = new StringBuilder();
        for (int k = 0; k < steps(); k++) {
            flags.append(", m").append(k);
            any.append(any.length() == 0 ? "" : " OR ").append("m").append(k);
        }
        for (int x = 0; x < request.exclusions().size(); x++) {
            flags.append(", x").append(x);
            any.append(" OR x").append(x);
        }
        b.sql(", ev AS (SELECT ");
        if (sessions) {
            b.sql("pk * " + Sql.SESSION_FACTOR + " + sum(ss::INTEGER) OVER (PARTITION BY pk ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS u");
        } else {
            b.sql("pk AS u");
        }
        b.sql(", pk, ts" + (ids ? ", event_id" : "") + ", bv" + flags + (strict ? ", dr" : "") + " FROM " + source + ")");
        if (allEvents) {
            // the window functions above see every event of the person; only now keep the funnel's events
            b.sql(", evn AS (SELECT * FROM ev WHERE " + any + ")");
        }
        String named = allEvents ? "evn" : "ev";
        for (int k = 0; k < steps(); k++) {
            b.sql(", s" + k + " AS (SELECT u" + (lean ? "" : ", pk") + ", ts" + (ids ? ", event_id" : "") + (lean ? "" : ", bv") + (strict ? ", dr" : "")
                    + " FROM " + named + " WHERE m" + k);
            if (k == 0 && request.order() != Order.ANY) {
                b.param(" AND ts >= ? AND ts < ?", start, end);
            }
            b.sql(")");
        }
        for (int x = 0; x < request.exclusions().size(); x++) {
            b.sql(", x" + x + " AS (SELECT u, ts FROM " + named + " WHERE x" + x + ")");
        }
    }

    /**
     * Whether a step's scan can read {@code resolved_occurrences} (the events' name, person and time
     * only, sorted by name: V11) instead of {@code resolved_events}: when it needs no event property
     * (no filter on the step, no event-property breakdown value taken from it) and no event id
     * (event ids only break ties between steps that share an event).
     */
    private boolean projected(EventSpec step, boolean withValue) {
        boolean eventValue = withValue && withBreakdown
                && request.scope().valueBreakdown().filter(v -> v instanceof Breakdown.EventProperty).isPresent();
        return step.where().isEmpty() && !eventValue && !collisions();
    }

    /**
     * Whether the fast shape counts the first step's units from a second scan ({@code s0c}) instead
     * of {@code s0}: a CTE read twice is materialised, and for a step read from the projection
     * through its zone maps (no breakdown value, no person condition) scanning again costs less than
     * materialising (measured at 10.7M events: the scan 10 ms, the materialisation 60–230 ms).
     */
    private boolean separateFirstStepCount() {
        return !general() && !valued() && projected(request.steps().get(0), true)
                && request.order() != Order.STRICT && request.aggregate() == Aggregate.PEOPLE
                && persons().sql().equals(Fragment.TRUE.sql());
    }

    /**
     * Whether attempts must be tracked one by one: any order, exclusions, or steps sharing an
     * event. Otherwise two attempts of a unit starting at the same instant are identical, and the
     * fast shape counts units per step straight from the range joins.
     */
    boolean general() {
        return request.order() == Order.ANY || !request.exclusions().isEmpty() || collisions();
    }

    /** Whether the query splits by a breakdown value ({@code bv}); without one the value is left out of every key. */
    private boolean valued() {
        return withBreakdown && request.scope().valueBreakdown().isPresent();
    }

    /**
     * The fast shape, the same as the best hand-written SQL (DUCKDB-NOTES): every step-1 event is
     * an attempt; one range join per step takes the attempt's earliest next event within the window
     * of its start; the units per step are counted straight from those joins, and a unit's time to a
     * step is the one of its earliest attempt that reached it ({@code arg_min(.., t0)}). Then one
     * small aggregate per step (count, median, average) joined on the breakdown value. Without a
     * breakdown the value is left out of every key.
     */
    private Fragment fastAggregate() {
        boolean strict = request.order() == Order.STRICT;
        boolean valued = valued();
        String v = valued ? "a.bv, " : "";
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        base(b, false);
        for (int k = 1; k < steps(); k++) {
            String start = k == 1 ? "a.ts" : "a.t0";
            String previous = k == 1 ? "a.ts" : "a.t" + (k - 1);
            String previousRank = k == 1 ? "a.dr" : "a.r" + (k - 1);
            b.sql(", a" + k + " AS (SELECT a.u, " + v + start + " AS t0, " + previous + " AS tp, min(s.ts) AS t" + k
                    + (strict ? ", min(s.dr) AS r" + k : "") + " FROM " + (k == 1 ? "s0" : "a" + (k - 1)) + " a JOIN s" + k
                    + " s ON s.u = a.u AND s.ts >= " + previous + " AND s.ts <= " + start + " + " + window());
            if (strict) {
                b.sql(" AND s.dr <= " + previousRank + " + 1");
            }
            b.sql(" GROUP BY a.u, " + v + start + (k > 1 ? ", " + previous : "") + (strict && k == 1 ? ", a.dr" : "") + ")");
        }
        String value = valued ? "bv" : "NULL::VARCHAR AS bv";
        b.sql(" SELECT q0.bv, q0.c");
        for (int k = 1; k < steps(); k++) {
            b.sql(", coalesce(q" + k + ".c, 0), q" + k + ".m, q" + k + ".a");
        }
        b.sql(" FROM (SELECT " + value + ", count(DISTINCT u) AS c FROM " + (separateFirstStepCount() ? "s0c" : "s0")
                + (valued ? " GROUP BY bv" : "") + ") q0");
        for (int k = 1; k < steps(); k++) {
            b.sql(" LEFT JOIN (SELECT " + value + ", count(*) AS c, median(d) AS m, avg(d) AS a FROM (SELECT "
                    + (valued ? "bv, " : "") + "arg_min((epoch_us(t" + k + ") - epoch_us(tp)) / 1000000.0, t0) AS d FROM a" + k
                    + " GROUP BY u" + (valued ? ", bv" : "") + ")" + (valued ? " GROUP BY bv" : "") + ") q" + k
                    + " ON q" + k + ".bv IS NOT DISTINCT FROM q0.bv");
        }
        b.sql(" ORDER BY q0.c DESC, q0.bv NULLS LAST");
        return b.build();
    }

    private void ordered(Fragment.Builder b) {
        boolean track = collisions();
        boolean strict = request.order() == Order.STRICT;
        b.sql(", a0 AS (SELECT u, pk, bv, row_number() OVER () AS aid, ts AS t0, event_id AS e0" + (strict ? ", dr AS r0" : "") + " FROM s0)");
        for (int k = 1; k < steps(); k++) {
            String prev = track && k > 1 ? "a" + (k - 1) + "x" : "a" + (k - 1);
            StringBuilder carried = new StringBuilder("a.u, a.aid, a.t0");
            if (track) {
                for (int j = 1; j < k; j++) {
                    carried.append(", a.e").append(j);
                }
            }
            b.sql(", a" + k + " AS (SELECT " + carried + ", a.e0");
            if (track) {
                b.sql(", min({'t': s.ts, 'e': s.event_id}) AS m");
            } else {
                b.sql(", min(s.ts) AS t" + k);
            }
            if (strict) {
                b.sql(", min(s.dr) AS r" + k);
            }
            b.sql(" FROM " + prev + " a JOIN s" + k + " s ON s.u = a.u AND s.ts >= a.t" + (k - 1)
                    + " AND s.ts <= a.t0 + " + window());
            if (strict) {
                b.sql(" AND s.dr <= a.r" + (k - 1) + " + 1");
            }
            if (track) {
                for (int j = 0; j < k; j++) {
                    if (request.steps().get(j).event().equals(request.steps().get(k).event())) {
                        b.sql(" AND s.event_id <> a.e" + j);
                    }
                }
            }
            b.sql(" GROUP BY " + carried + ", a.e0)");
            if (track) {
                // unpack the struct: t_k and e_k
                StringBuilder cols = new StringBuilder("u, aid, t0");
                for (int j = 1; j < k; j++) {
                    cols.append(", e").append(j);
                }
                b.sql(", a" + k + "x AS (SELECT " + cols + ", e0, m.t AS t" + k + ", m.e AS e" + k
                        + (strict ? ", r" + k : "") + " FROM a" + k + ")");
            }
        }
        b.sql(", att AS (SELECT a0.u, a0.pk, a0.bv, a0.aid, a0.e0, a0.t0");
        for (int k = 1; k < steps(); k++) {
            b.sql(", a" + k + ".t" + k);
        }
        b.sql(", 1");
        for (int k = 1; k < steps(); k++) {
            b.sql(" + (a" + k + ".t" + k + " IS NOT NULL)::INTEGER");
        }
        b.sql(" AS reach FROM a0");
        for (int k = 1; k < steps(); k++) {
            b.sql(" LEFT JOIN " + (track ? "a" + k + "x" : "a" + k) + " a" + k + " ON a" + k + ".aid = a0.aid");
        }
        b.sql(")");
        if (request.exclusions().isEmpty()) {
            b.sql(", kept AS (SELECT * FROM att)");
            return;
        }
        b.sql(", discarded AS (");
        for (int x = 0; x < request.exclusions().size(); x++) {
            Exclusion exclusion = request.exclusions().get(x);
            if (x > 0) {
                b.sql(" UNION ");
            }
            b.sql("SELECT a.aid FROM att a JOIN x" + x + " x ON x.u = a.u AND x.ts > a.t" + exclusion.from()
                    + " AND x.ts < coalesce(a.t" + exclusion.to() + ", a.t0 + " + window() + " + INTERVAL 1 MICROSECOND)");
        }
        b.sql("), kept AS (SELECT * FROM att WHERE aid NOT IN (SELECT aid FROM discarded))");
    }

    private void anyOrder(Fragment.Builder b) {
        Instant start = request.scope().range().start();
        Instant end = request.scope().range().end();
        b.sql(", sall AS (");
        for (int k = 0; k < steps(); k++) {
            if (k > 0) {
                b.sql(" UNION ALL ");
            }
            b.sql("SELECT u, pk, ts, event_id, bv, " + k + " AS k FROM s" + k);
        }
        b.sql("), a0 AS (SELECT u, pk, bv, row_number() OVER () AS aid, ts AS t0, event_id AS e0 FROM sall")
                .param(" WHERE ts >= ? AND ts < ?)", start, end);
        b.sql(", hits AS (SELECT a.aid, s.k, min(s.ts) AS f FROM a0 a JOIN sall s ON s.u = a.u AND s.ts >= a.t0 AND s.ts <= a.t0 + "
                + window() + " GROUP BY a.aid, s.k)");
        b.sql(", times AS (SELECT aid, list_sort(list(f)) AS fs FROM hits GROUP BY aid)");
        b.sql(", kept AS (SELECT a0.u, a0.pk, a0.bv, a0.aid, a0.e0, a0.t0");
        for (int k = 1; k < steps(); k++) {
            b.sql(", times.fs[" + (k + 1) + "] AS t" + k);
        }
        b.sql(", len(times.fs) AS reach FROM a0 JOIN times ON times.aid = a0.aid)");
    }

    /** The aggregate: one row per breakdown value with counts, medians and averages per step. */
    Fragment aggregate() {
        if (!general()) {
            return fastAggregate();
        }
        Fragment.Builder b = new Fragment.Builder().add(units()).sql(" SELECT bv");
        for (int k = 0; k < steps(); k++) {
            b.sql(", count(*) FILTER (WHERE furthest >= " + (k + 1) + ")");
            if (k > 0) {
                b.sql(", median(d" + k + "), avg(d" + k + ")");
            }
        }
        b.sql(" FROM units GROUP BY bv ORDER BY count(*) DESC, bv NULLS LAST");
        return b.build();
    }

    /** Who: one row per (breakdown value, person) with the furthest step any of their units reached. */
    Fragment people() {
        return new Fragment.Builder().add(units())
                .sql(" SELECT u.bv, p.person_id, max(u.furthest) AS furthest FROM units u JOIN persons p ON p.project_key = ")
                .param("? AND p.person_key = u.pk GROUP BY u.bv, p.person_id ORDER BY p.person_id", project.key())
                .build();
    }
}

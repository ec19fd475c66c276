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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a funnel into one parameterised query over {@code resolved_events}.
 *
 * <p>Shape (the fastest measured, DUCKDB-NOTES): one CTE per step of (unit, ts), then one range
 * join per step taking the earliest qualifying next event within the window of the attempt's
 * step 1 (greedy), so every step-1 event in the range is an attempt. The attempts are joined back,
 * exclusions discard attempts with a range join, and each unit (person, or person and session)
 * keeps its furthest surviving attempt and the step times of the earliest attempt reaching each
 * step.
 *
 * <p>Exact rules expressed in SQL:
 * <ul>
 *   <li>Equal timestamps are in order ({@code next.ts >= prev.ts}). When two steps share an event
 *       name, the chosen event ids are carried along so that one event never fills two steps;
 *       among equal timestamps the smallest event id is taken first.</li>
 *   <li>Strict order: the person's events get a dense rank by timestamp; the next step must be at
 *       the same or the next distinct timestamp of the person (no other event strictly between).</li>
 *   <li>Sessions: the unit is (person, session number), sessions as {@link Sql#SESSION_START}.</li>
 *   <li>Any order: each step's first event within the window of the attempt's start; the k-th
 *       smallest of those times is when the attempt reached k steps.</li>
 * </ul>
 */
public final class FunnelQuery {
    /** Session numbers are packed into the unit key below the person key. */
    static final long SESSION_FACTOR = 16_777_216L;

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
        base(b);
        if (request.order() == Order.ANY) {
            anyOrder(b);
        } else {
            ordered(b);
        }
        b.sql(", units AS (SELECT u, any_value(pk) AS pk, bv, max(reach) AS furthest");
        for (int k = 1; k < steps(); k++) {
            b.sql(", arg_min((epoch_us(t" + k + ") - epoch_us(t" + (k - 1) + ")) / 1000000.0, {'t': t0, 'e': e0}) FILTER (WHERE t"
                    + k + " IS NOT NULL) AS d" + k);
        }
        b.sql(" FROM kept GROUP BY u, bv)");
        return b.build();
    }

    private void base(Fragment.Builder b) {
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
        // Without window functions over all events, ev0 and ev are inlined into every step's CTE
        // (NOT MATERIALIZED), so each step's name = ? reaches its own scan as a table filter; as a
        // shared materialised CTE the scan only got the IN list as an optional filter and returned
        // every event of the range.
        String inline = allEvents ? "" : "NOT MATERIALIZED ";
        b.sql("ev0 AS " + inline + "(SELECT e.person_key AS pk, e.ts, e.event_id, e.name, e.properties, e.session_id, ").add(value).sql(" AS bv");
        if (strict) {
            b.sql(", dense_rank() OVER (PARTITION BY e.person_key ORDER BY e.ts) AS dr");
        }
        b.sql(" FROM resolved_events e").add(joins)
                .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ?", project.key(), start, until);
        if (!allEvents) {
            b.param(" AND e.name IN (" + Sql.placeholders(names.size()) + ")", names.toArray());
        }
        Fragment persons = request.scope().personCondition("e.person_key", project, populations, group);
        b.sql(" AND ").add(persons).sql(")");
        String source = "ev0";
        if (sessions) {
            b.sql(", ev1 AS (SELECT *, " + Sql.SESSION_START + " AS ss FROM ev0 WINDOW w AS (PARTITION BY pk ORDER BY ts, event_id))");
            source = "ev1";
        }
        b.sql(", ev AS " + inline + "(SELECT ");
        if (sessions) {
            b.sql("pk * " + SESSION_FACTOR + " + sum(ss::INTEGER) OVER (PARTITION BY pk ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS u");
        } else {
            b.sql("pk AS u");
        }
        b.sql(", pk, ts, event_id, name, properties, bv" + (strict ? ", dr" : "") + " FROM " + source + ")");
        if (allEvents) {
            // the window functions above see every event of the person; only now keep the named ones
            b.param(", evn AS (SELECT * FROM ev WHERE name IN (" + Sql.placeholders(names.size()) + "))", names.toArray());
        }
        String named = allEvents ? "evn" : "ev";
        for (int k = 0; k < steps(); k++) {
            b.sql(", s" + k + " AS (SELECT u, pk, ts, event_id, bv" + (strict ? ", dr" : "") + " FROM " + named + " WHERE ")
                    .add(request.steps().get(k).condition());
            if (k == 0 && request.order() != Order.ANY) {
                b.param(" AND ts >= ? AND ts < ?", start, end);
            }
            b.sql(")");
        }
        for (int x = 0; x < request.exclusions().size(); x++) {
            b.sql(", x" + x + " AS (SELECT u, ts FROM " + named + " WHERE ").add(request.exclusions().get(x).event().condition()).sql(")");
        }
    }

    private void ordered(Fragment.Builder b) {
        boolean track = collisions();
        boolean strict = request.order() == Order.STRICT;
        b.sql(", a0 AS (SELECT u, pk, bv, row_number() OVER () AS aid, ts AS t0, event_id AS e0" + (strict ? ", dr AS r0" : "") + " FROM s0)");
        for (int k = 1; k < steps(); k++) {
            String prev = track && k > 1 ? "a" + (k - 1) + "x" : "a" + (k - 1);
            // aid identifies the attempt, so group by it alone and carry the rest with any_value:
            // hashing one BIGINT instead of (u, aid, t0, event ids) is measurably cheaper
            StringBuilder carried = new StringBuilder("any_value(a.u) AS u, a.aid, any_value(a.t0) AS t0");
            if (track) {
                for (int j = 1; j < k; j++) {
                    carried.append(", any_value(a.e").append(j).append(") AS e").append(j);
                }
            }
            b.sql(", a" + k + " AS (SELECT " + carried + ", any_value(a.e0) AS e0");
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
            b.sql(" GROUP BY a.aid)");
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

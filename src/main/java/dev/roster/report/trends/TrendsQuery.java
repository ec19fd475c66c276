package dev.roster.report.trends;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.Breakdown;
import dev.roster.report.EventSpec;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.trends.TrendsRequest.Metric;
import dev.roster.store.Sql;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Compiles a trend into parameterised queries over {@code resolved_events}: filter by project,
 * name and time first, bucket on the report's wall clock ({@code date_trunc} of the local time;
 * skipped for UTC), then one aggregation down to the distinct (bucket, person) pairs (and sessions,
 * only when asked for, as {@link Sql#SESSION_START}) with their event counts; the buckets and the
 * totals over the whole range are small aggregations over those pairs (cheaper than GROUPING SETS
 * with {@code count(DISTINCT)}, which DuckDB plans as several aggregations joined back).
 */
public final class TrendsQuery {
    private final TrendsRequest request;
    private final Project project;
    private final PopulationResolver populations;
    private final boolean withBreakdown;
    private final Optional<Population> group;

    public TrendsQuery(TrendsRequest request, Project project, PopulationResolver populations,
                       boolean withBreakdown, Optional<Population> group) {
        this.request = requireNonNull(request, "request is null");
        this.project = requireNonNull(project, "project is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.withBreakdown = withBreakdown;
        this.group = requireNonNull(group, "group is null");
    }

    private boolean utc() {
        return request.scope().range().zone().normalized().equals(ZoneOffset.UTC);
    }

    /** {@code ev(pk, u, ts, name, properties, bv)} for the given names; u is the session unit when sessions are needed. */
    private void events(Fragment.Builder b, List<String> names, boolean sessions, boolean breakdown) {
        Fragment value = Fragment.of("NULL::VARCHAR");
        Fragment joins = Fragment.of("");
        if (breakdown && withBreakdown && request.scope().valueBreakdown().isPresent()) {
            Breakdown.ValueSql sql = Breakdown.valueSql(request.scope().valueBreakdown().get(), project);
            value = sql.value();
            joins = sql.joins();
        }
        b.sql("ev0 AS (SELECT e.person_key AS pk, e.ts, e.event_id, e.name, e.properties, e.session_id, ").add(value)
                .sql(" AS bv FROM resolved_events e").add(joins)
                .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ?", project.key(),
                        request.scope().range().start(), request.scope().range().end());
        if (!sessions) {
            b.param(" AND e.name IN (" + Sql.placeholders(names.size()) + ")", names.toArray());
        }
        b.sql(" AND ").add(request.scope().personCondition("e.person_key", project, populations, group)).sql(")");
        if (sessions) {
            b.sql(", ev1 AS (SELECT *, " + Sql.SESSION_START + " AS ss FROM ev0 WINDOW w AS (PARTITION BY pk ORDER BY ts, event_id))");
            b.sql(", ev AS (SELECT pk, pk * " + Sql.SESSION_FACTOR
                    + " + sum(ss::INTEGER) OVER (PARTITION BY pk ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS u, "
                    + "ts, event_id, name, properties, bv FROM ev1)");
        } else {
            b.sql(", ev AS (SELECT pk, pk AS u, ts, event_id, name, properties, bv FROM ev0)");
        }
    }

    private Fragment bucket() {
        String unit = request.interval().name().toLowerCase(Locale.ROOT);
        if (utc()) {
            return Fragment.of("date_trunc('" + unit + "', ts)");
        }
        return Fragment.of("date_trunc('" + unit + "', timezone(?, timezone('UTC', ts)))", request.scope().range().zoneId());
    }

    /**
     * Per series (index into events), bucket and breakdown value: events, people, sessions; the
     * rows with a NULL bucket and {@code grp = 1} are the totals over the range.
     */
    Fragment series() {
        boolean sessions = request.metrics().contains(Metric.SESSIONS);
        boolean events = request.metrics().contains(Metric.EVENTS) || request.metrics().contains(Metric.EVENTS_PER_PERSON);
        boolean several = request.events().size() > 1;
        boolean valued = withBreakdown && request.scope().valueBreakdown().isPresent();
        List<String> names = request.events().stream().map(EventSpec::event).distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, sessions, true);
        b.sql(", tagged AS (");
        for (int i = 0; i < request.events().size(); i++) {
            if (i > 0) {
                b.sql(" UNION ALL ");
            }
            b.sql("SELECT " + i + " AS series, pk, u, ").add(bucket()).sql(" AS bucket, bv FROM ev WHERE ")
                    .add(request.events().get(i).condition());
        }
        // One hash aggregation over the events down to the distinct (bucket, person[, session]) with
        // their event count; the buckets and the totals are then small aggregations over those pairs.
        // Only what varies is a key (the series when there are several, the value with a breakdown),
        // and events are counted only when asked for.
        String keys = (several ? "series, " : "") + (valued ? "bv, " : "");
        String series = several ? "series" : "0";
        String value = valued ? "bv" : "NULL::VARCHAR";
        String n = events ? "sum(n)::BIGINT" : "NULL::BIGINT";
        b.sql("), pairs AS (SELECT " + keys + "bucket, pk" + (sessions ? ", u" : "") + (events ? ", count(*) AS n" : "")
                + " FROM tagged GROUP BY " + keys + "bucket, pk" + (sessions ? ", u" : "") + ")");
        b.sql(" SELECT " + series + ", bucket, " + value + ", 0 AS grp, " + n + ", "
                + (sessions ? "count(DISTINCT pk), count(*)" : "count(*), NULL::BIGINT") + " FROM pairs GROUP BY " + keys + "bucket");
        b.sql(" UNION ALL SELECT " + series + ", NULL, " + value + ", 1, " + n + ", count(DISTINCT pk), "
                + (sessions ? "count(DISTINCT u)" : "NULL::BIGINT") + " FROM pairs" + (keys.isEmpty() ? "" : " GROUP BY " + keys.substring(0, keys.length() - 2)));
        return b.build();
    }

    /** Per series, bucket and value: the public ids of the people counted. */
    Fragment people() {
        List<String> names = request.events().stream().map(EventSpec::event).distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, false, true);
        b.sql(", tagged AS (");
        for (int i = 0; i < request.events().size(); i++) {
            if (i > 0) {
                b.sql(" UNION ALL ");
            }
            b.sql("SELECT DISTINCT " + i + " AS series, pk, ").add(bucket()).sql(" AS bucket, bv FROM ev WHERE ")
                    .add(request.events().get(i).condition());
        }
        b.sql(") SELECT t.series, t.bucket, t.bv, list(p.person_id ORDER BY p.person_id) FROM tagged t JOIN persons p ON p.person_key = t.pk ")
                .param("AND p.project_key = ? GROUP BY t.series, t.bucket, t.bv", project.key());
        return b.build();
    }

    /**
     * People vs sessions: units (persons, sessions) that did the from-event, and those where a
     * different to-event followed at the same time or later (in the same session for sessions).
     * One row: started people, converted people, started sessions, converted sessions.
     */
    Fragment conversion() {
        TrendsRequest.Conversion conversion = request.conversion().orElseThrow();
        List<String> names = List.of(conversion.from().event(), conversion.to().event()).stream().distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, true, false);
        b.sql(", a AS (SELECT pk, u, ts, event_id FROM ev WHERE ").add(conversion.from().condition()).sql(")");
        b.sql(", z AS (SELECT pk, u, ts, event_id FROM ev WHERE ").add(conversion.to().condition()).sql(")");
        b.sql(", by_person AS (SELECT DISTINCT a.pk FROM a JOIN z ON z.pk = a.pk AND z.ts >= a.ts AND z.event_id <> a.event_id)");
        b.sql(", by_session AS (SELECT DISTINCT a.u FROM a JOIN z ON z.u = a.u AND z.ts >= a.ts AND z.event_id <> a.event_id)");
        b.sql(" SELECT (SELECT count(DISTINCT pk) FROM a), (SELECT count(*) FROM by_person), "
                + "(SELECT count(DISTINCT u) FROM a), (SELECT count(*) FROM by_session)");
        return b.build();
    }
}

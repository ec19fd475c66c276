package dev.roster.report.retention;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.Breakdown;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.retention.RetentionRequest.Mode;
import dev.roster.report.retention.RetentionRequest.Period;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Compiles retention into one parameterised query over {@code resolved_events}.
 *
 * <p>Shape (the fastest measured, DUCKDB-NOTES): the cohort event's {@code min(ts)} per person (per
 * person and calendar period when recurring), then every return after it, a period number per
 * return measured on the project's wall clock from the person's own A, and per person
 * {@code bit_or(1 << period)} plus the furthest period; the matrix is {@code count(*) FILTER}
 * per bit. Months are added on the calendar ({@code ta + to_months(n) <= tb}).
 */
public final class RetentionQuery {
    private final RetentionRequest request;
    private final Project project;
    private final PopulationResolver populations;
    private final boolean withBreakdown;
    private final Optional<Population> group;

    public RetentionQuery(RetentionRequest request, Project project, PopulationResolver populations,
                          boolean withBreakdown, Optional<Population> group) {
        this.request = requireNonNull(request, "request is null");
        this.project = requireNonNull(project, "project is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.withBreakdown = withBreakdown;
        this.group = requireNonNull(group, "group is null");
    }

    private boolean utc() {
        return request.scope().range().zone().normalized().equals(java.time.ZoneOffset.UTC);
    }

    /**
     * The wall-clock time of a UTC timestamp column in the report's zone; the column itself for
     * UTC, where the two ICU conversions per row would change nothing and cost the most.
     */
    private String local(String column) {
        return utc() ? column : "timezone(?, timezone('UTC', " + column + "))";
    }

    /** The zone once per placeholder in {@code sql} (none for UTC). */
    private static Object[] zones(String sql, String zone) {
        Object[] zones = new Object[sql.split("\\?", -1).length - 1];
        java.util.Arrays.fill(zones, zone);
        return zones;
    }

    /** The CTEs up to {@code cells(pk, cb, bv, bits, maxn)} and {@code c(pk, cb, bv, ta)}. */
    Fragment cells() {
        String zone = request.scope().range().zoneId();
        Instant start = request.scope().range().start();
        Instant end = request.scope().range().end();
        String unit = request.period().name().toLowerCase(java.util.Locale.ROOT);
        Fragment value = Fragment.of("NULL::VARCHAR");
        Fragment joins = Fragment.of("");
        if (withBreakdown && request.scope().valueBreakdown().isPresent()) {
            Breakdown.ValueSql sql = Breakdown.valueSql(request.scope().valueBreakdown().get(), project);
            value = sql.value();
            joins = sql.joins();
        }
        Fragment persons = request.scope().personCondition("e.person_key", project, populations, group);
        Fragment.Builder b = new Fragment.Builder().sql("WITH c AS (");
        if (request.firstTime()) {
            String select = "SELECT pk, date_trunc('" + unit + "', " + local("ta") + ") AS cb, bv, ta FROM (SELECT e.person_key AS pk, ";
            b.param(select, zones(select, zone))
                    .add(value).sql(" AS bv, min(e.ts) AS ta FROM resolved_events e").add(joins)
                    .param(" WHERE e.project_key = ? AND ", project.key()).add(request.cohortEvent().condition())
                    .sql(" AND ").add(persons)
                    .param(" GROUP BY ALL HAVING min(e.ts) >= ? AND min(e.ts) < ?)", start, end);
        } else {
            String select = "SELECT e.person_key AS pk, date_trunc('" + unit + "', " + local("e.ts") + ") AS cb, ";
            b.param(select, zones(select, zone)).add(value)
                    .sql(" AS bv, min(e.ts) AS ta FROM resolved_events e").add(joins)
                    .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ? AND ", project.key(), start, end)
                    .add(request.cohortEvent().condition()).sql(" AND ").add(persons).sql(" GROUP BY ALL");
        }
        b.sql("), r AS (SELECT e.person_key AS pk, e.ts FROM resolved_events e")
                .param(" WHERE e.project_key = ? AND e.ts > ?", project.key(), start);
        if (request.mode() == Mode.ON) {
            Duration longest = request.period() == Period.DAY ? Duration.ofDays(1)
                    : request.period() == Period.WEEK ? Duration.ofDays(7) : Duration.ofDays(31);
            b.param(" AND e.ts < ?", end.plus(longest.multipliedBy(request.periods())).plus(Duration.ofDays(2)));
        }
        if (request.returnEvent().isPresent()) {
            b.sql(" AND ").add(request.returnEvent().get().condition());
        }
        b.sql(" AND e.person_key IN (SELECT pk FROM c))");
        b.sql(", p AS (SELECT c.pk, c.cb, ");
        b.add(period(local("c.ta"), local("r.ts"), zone));
        b.sql(" AS n FROM c JOIN r ON r.pk = c.pk AND r.ts > c.ta)");
        b.sql(", cells AS (SELECT pk, cb, bit_or(1::BIGINT << n) FILTER (WHERE n < " + request.periods() + ") AS bits, max(n) AS maxn "
                + "FROM p WHERE n >= 0 GROUP BY pk, cb)");
        return b.build();
    }

    private Fragment period(String la, String lb, String zone) {
        if (request.period() == Period.MONTH) {
            String months = "((year(" + lb + ") - year(" + la + ")) * 12 + month(" + lb + ") - month(" + la + "))";
            String sql = months + " - (" + la + " + to_months(" + months + ") > " + lb + ")::INTEGER";
            return Fragment.of(sql, zones(sql, zone));
        }
        long micros = request.period() == Period.DAY ? 86_400_000_000L : 604_800_000_000L;
        String difference = "(epoch_us(" + lb + ") - epoch_us(" + la + "))";
        // a wall-clock difference can be negative inside a DST overlap even though B is after A
        String sql = "(CASE WHEN " + difference + " < 0 THEN -1 ELSE " + difference + " // " + micros + " END)";
        return Fragment.of(sql, zones(sql, zone));
    }

    /** The matrix: per (cohort, breakdown value) the size and the count per period. */
    Fragment matrix() {
        Fragment.Builder b = new Fragment.Builder().add(cells()).sql(" SELECT c.cb, c.bv, count(*)");
        for (int n = 0; n < request.periods(); n++) {
            if (request.mode() == Mode.ON) {
                b.sql(", count(*) FILTER (WHERE (m.bits & (1::BIGINT << " + n + ")) <> 0)");
            } else {
                b.sql(", count(*) FILTER (WHERE m.maxn >= " + n + ")");
            }
        }
        b.sql(" FROM c LEFT JOIN cells m ON m.pk = c.pk AND m.cb = c.cb GROUP BY c.cb, c.bv");
        return b.build();
    }

    /** Who: per cohort member, their returns. */
    Fragment people() {
        return new Fragment.Builder().add(cells())
                .sql(" SELECT c.cb, c.bv, p.person_id, m.bits, m.maxn FROM c LEFT JOIN cells m ON m.pk = c.pk AND m.cb = c.cb "
                        + "JOIN persons p ON p.person_key = c.pk AND p.project_key = ")
                .param("? ORDER BY p.person_id", project.key())
                .build();
    }
}

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

    /** The wall-clock time of a UTC timestamp column in the report's zone (no conversion for UTC). */
    private String local(String column) {
        return utc() ? column : "timezone(?, timezone('UTC', " + column + "))";
    }

    /** The CTEs up to {@code cells(pk, cb, bv, bits, maxn)} and {@code c(pk, cb, bv, ta)}. */
    Fragment cells() {
        String zone = request.scope().range().zoneId();
        Object[] zoneParameter = utc() ? new Object[0] : new Object[] {zone};
        Instant start = request.scope().range().start();
        Instant end = request.scope().range().end();
        String unit = request.period().name().toLowerCase(java.util.Locale.ROOT);
        Fragment value = Fragment.of("NULL::VARCHAR");
        Fragment joins = Fragment.of("");
        boolean valued = valued();
        if (valued) {
            Breakdown.ValueSql sql = Breakdown.valueSql(request.scope().valueBreakdown().get(), project);
            value = sql.value();
            joins = sql.joins();
        }
        Fragment persons = request.scope().personCondition("e.person_key", project, populations, group);
        String cohortSource = cohortProjected() ? "resolved_occurrences" : "resolved_events";
        Fragment.Builder b = new Fragment.Builder().sql("WITH c AS (");
        // without a breakdown the value is a constant NULL outside the grouping (cheaper keys)
        if (request.firstTime()) {
            b.param("SELECT pk, date_trunc('" + unit + "', " + local("ta") + ") AS cb, " + (valued ? "bv" : "NULL::VARCHAR AS bv")
                    + ", ta FROM (SELECT e.person_key AS pk, ", zoneParameter);
            if (valued) {
                b.add(value).sql(" AS bv, ");
            }
            b.sql("min(e.ts) AS ta FROM " + cohortSource + " e").add(joins)
                    .param(" WHERE e.project_key = ? AND ", project.key()).add(request.cohortEvent().condition())
                    .sql(" AND ").add(persons)
                    .param(" GROUP BY " + (valued ? "ALL" : "e.person_key") + " HAVING min(e.ts) >= ? AND min(e.ts) < ?)", start, end);
        } else {
            b.param("SELECT e.person_key AS pk, date_trunc('" + unit + "', " + local("e.ts") + ") AS cb, ", zoneParameter).add(value)
                    .sql(" AS bv, min(e.ts) AS ta FROM " + cohortSource + " e").add(joins)
                    .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ? AND ", project.key(), start, end)
                    .add(request.cohortEvent().condition()).sql(" AND ").add(persons).sql(valued ? " GROUP BY ALL" : " GROUP BY pk, cb");
        }
        // Returns: every event of the cohort's persons. The large scan reads all_events with the person
        // key as stored (no per-row merge redirect), and the cohort side carries each person's stored
        // keys instead: its own plus those of the merges not yet folded into the events (few). The
        // join then also narrows the scan to the cohort's key range.
        //
        // "Any event" returns read person-days when that is exact (see #personDays): a day's first
        // and last event stand for all of its events, and first = last = ts for uncompacted events.
        // A named return event without property filters reads the occurrences (name, person, time).
        boolean days = personDays();
        Instant bound = lastReturn();
        if (days) {
            b.param("), r AS (SELECT e.person_key AS raw, e.first_ts, e.last_ts FROM all_person_days e WHERE e.project_key = ? AND e.last_ts > ?",
                    project.key(), start);
            if (bound != null) {
                b.param(" AND e.first_ts < ?", bound);
            }
        } else {
            boolean named = request.returnEvent().isPresent() && request.returnEvent().get().where().isEmpty();
            b.sql("), r AS (SELECT e.person_key AS raw, e.ts FROM " + (named ? "all_occurrences" : "all_events") + " e")
                    .param(" WHERE e.project_key = ? AND e.ts > ?", project.key(), start);
            if (bound != null) {
                b.param(" AND e.ts < ?", bound);
            }
            if (request.returnEvent().isPresent()) {
                b.sql(" AND ").add(request.returnEvent().get().condition());
            }
        }
        b.sql(")");
        b.param(", ck AS (SELECT pk, pk AS raw, cb, ta FROM c UNION ALL SELECT c.pk, m.from_key, c.cb, c.ta FROM c "
                + "JOIN unfolded_merges m ON m.project_key = ? AND m.to_key = c.pk)", project.key());
        String first = days ? "r.first_ts" : "r.ts";
        String last = days ? "r.last_ts" : "r.ts";
        b.sql(", p AS (SELECT c.pk, c.cb, ");
        b.add(period(local("c.ta"), local(last), zone)).sql(" AS n");
        if (days) {
            // the periods of the day's last event (after the cohort event: joined on it) and of its first
            // event when that is after the cohort event too, as bits (n >= 0 here; bits past the last
            // measured period are cut off below)
            b.sql(", (1::BIGINT << least(n, 62)) | CASE WHEN r.first_ts > c.ta THEN 1::BIGINT << least(")
                    .add(period(local("c.ta"), local(first), zone)).sql(", 62) ELSE 0 END AS m");
        }
        b.sql(" FROM ck c JOIN r ON r.raw = c.raw AND " + last + " > c.ta");
        if (request.mode() == Mode.ON) {
            // only returns inside the measured periods count: bound the range join (a day of slack covers
            // any wall-clock shift; the period number is exact and filtered below)
            long span = (request.period() == Period.DAY ? 1L : request.period() == Period.WEEK ? 7L : 31L) * request.periods() + 1;
            b.sql(" AND " + first + " < c.ta + INTERVAL " + span + " DAY");
        }
        b.sql(")");
        // first time: one cohort per person, so the person alone is the key
        String key = request.firstTime() ? "pk" : "pk, cb";
        int periods = request.periods();
        if (days) {
            long measured = (1L << periods) - 1;
            b.sql(", cells AS (SELECT " + key + ", nullif(bit_or(m) & " + measured + ", 0) AS bits, max(n) AS maxn FROM p GROUP BY " + key + ")");
        } else {
            b.sql(", cells AS (SELECT " + key + ", bit_or(1::BIGINT << n) FILTER (WHERE n >= 0 AND n < " + periods
                    + ") AS bits, max(n) AS maxn FROM p GROUP BY " + key + ")");
        }
        return b.build();
    }

    /** Whether the report splits by a breakdown value ({@code bv}); otherwise the value is a constant NULL outside every key. */
    private boolean valued() {
        return withBreakdown && request.scope().valueBreakdown().isPresent();
    }

    /** Whether the cohort event's scan can read {@code resolved_occurrences}: no property filter, no event-property breakdown. */
    private boolean cohortProjected() {
        boolean eventValue = withBreakdown
                && request.scope().valueBreakdown().filter(v -> v instanceof Breakdown.EventProperty).isPresent();
        return request.cohortEvent().where().isEmpty() && !eventValue;
    }

    /** The end of the returns that can fall into a measured period ("on" mode), or null (any later return counts). */
    private Instant lastReturn() {
        if (request.mode() != Mode.ON) {
            return null;
        }
        Duration longest = request.period() == Period.DAY ? Duration.ofDays(1)
                : request.period() == Period.WEEK ? Duration.ofDays(7) : Duration.ofDays(31);
        return request.scope().range().end().plus(longest.multipliedBy(request.periods())).plus(Duration.ofDays(2));
    }

    /**
     * Whether "any event" returns can be read from person-days ({@code first_ts}, {@code last_ts}
     * of a person's events within one UTC day) and give the same answer as every event. True when
     * the wall clock keeps one UTC offset over every instant involved (UTC, a fixed offset, or no
     * transition between the range's start and the last return that counts): the period number is
     * then non-decreasing in time and a day-long span (less than any period: day, week, month)
     * crosses at most one period boundary, so its events fall in the periods of its first and last
     * event, both of which are events. A day that starts before the cohort event and ends after it
     * is within the cohort event's period 0, which its last event sets.
     */
    boolean personDays() {
        if (request.returnEvent().isPresent()) {
            return false;
        }
        java.time.zone.ZoneRules rules = request.scope().range().zone().getRules();
        if (rules.isFixedOffset()) {
            return true;
        }
        Instant bound = lastReturn();
        if (bound == null) {
            return false;
        }
        java.time.zone.ZoneOffsetTransition next = rules.nextTransition(request.scope().range().start().minus(Duration.ofDays(2)));
        return next == null || next.getInstant().isAfter(bound.plus(Duration.ofDays(2)));
    }

    private Fragment period(String la, String lb, String zone) {
        if (request.period() == Period.MONTH) {
            String months = "((year(" + lb + ") - year(" + la + ")) * 12 + month(" + lb + ") - month(" + la + "))";
            String sql = months + " - (" + la + " + to_months(" + months + ") > " + lb + ")::INTEGER";
            int count = sql.split("\\?", -1).length - 1;
            Object[] zones = new Object[count];
            java.util.Arrays.fill(zones, zone);
            return Fragment.of(sql, zones);
        }
        long micros = request.period() == Period.DAY ? 86_400_000_000L : 604_800_000_000L;
        String difference = "(epoch_us(" + lb + ") - epoch_us(" + la + "))";
        // a wall-clock difference can be negative inside a DST overlap even though B is after A (in UTC
        // it is always positive: returns are joined with r.ts > c.ta)
        String sql = utc() ? "(" + difference + " // " + micros + ")"
                : "(CASE WHEN " + difference + " < 0 THEN -1 ELSE " + difference + " // " + micros + " END)";
        Object[] zones = new Object[sql.split("\\?", -1).length - 1];
        java.util.Arrays.fill(zones, zone);
        return Fragment.of(sql, zones);
    }

    private String join() {
        return request.firstTime() ? "m.pk = c.pk" : "m.pk = c.pk AND m.cb = c.cb";
    }

    /** The matrix: per (cohort, breakdown value) the size and the count per period. */
    Fragment matrix() {
        Fragment.Builder b = new Fragment.Builder().add(cells()).sql(" SELECT c.cb, " + (valued() ? "c.bv" : "NULL::VARCHAR") + ", count(*)");
        for (int n = 0; n < request.periods(); n++) {
            if (request.mode() == Mode.ON) {
                b.sql(", count(*) FILTER (WHERE (m.bits & (1::BIGINT << " + n + ")) <> 0)");
            } else {
                b.sql(", count(*) FILTER (WHERE m.maxn >= " + n + ")");
            }
        }
        b.sql(" FROM c LEFT JOIN cells m ON " + join() + " GROUP BY c.cb" + (valued() ? ", c.bv" : ""));
        return b.build();
    }

    /** Who: per cohort member, their returns. */
    Fragment people() {
        return new Fragment.Builder().add(cells())
                .sql(" SELECT c.cb, c.bv, p.person_id, m.bits, m.maxn FROM c LEFT JOIN cells m ON " + join() + " "
                        + "JOIN persons p ON p.person_key = c.pk AND p.project_key = ")
                .param("? ORDER BY p.person_id", project.key())
                .build();
    }
}

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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Compiles a trend into parameterised queries over {@code resolved_events} (or its narrow
 * projection {@code resolved_occurrences} when no event property is read, see
 * {@link #occurrencesSuffice}): filter by project,
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
    private final boolean tiesByEventId;

    public TrendsQuery(TrendsRequest request, Project project, PopulationResolver populations,
                       boolean withBreakdown, Optional<Population> group) {
        this(request, project, populations, withBreakdown, group, false);
    }

    private TrendsQuery(TrendsRequest request, Project project, PopulationResolver populations,
                        boolean withBreakdown, Optional<Population> group, boolean tiesByEventId) {
        this.request = requireNonNull(request, "request is null");
        this.project = requireNonNull(project, "project is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.withBreakdown = withBreakdown;
        this.group = requireNonNull(group, "group is null");
        this.tiesByEventId = tiesByEventId;
    }

    /**
     * The same query with sessions ordered by (ts, event_id), exactly as {@link Sql#SESSION_START}
     * defines them. The default orders by ts alone, which reads no event ids (the widest column
     * after the properties; dropping it halved the trends page's CPU on the 1M demo), and reports
     * how many of a person's equal timestamps could make that order matter
     * ({@link #AMBIGUOUS_TIES}); the caller reruns with this query when there are any.
     */
    TrendsQuery withTiesByEventId() {
        return new TrendsQuery(request, project, populations, withBreakdown, group, true);
    }

    /**
     * The {@code grp} of the row of {@link #series} (and the fifth column of {@link #conversion})
     * that counts events whose timestamp equals the previous event's of the same person while their
     * session ids differ (NULL counts as a value). Only such a tie can change the sessions that an
     * order by ts alone finds: when the events of a tie all carry the same session id, every order
     * of them gives the same session starts (the time gap inside a tie is 0), and when two of them
     * differ, some adjacent pair differs in every order, so the count is not 0. Always 0 with
     * {@link #withTiesByEventId}.
     */
    static final int AMBIGUOUS_TIES = 3;

    private boolean utc() {
        return request.scope().range().zone().normalized().equals(ZoneOffset.UTC);
    }

    /**
     * {@code ev(pk, u, ts, name, properties, bv)} for the given names (u = pk), or, with sessions,
     * {@code ev(pk, u, ts, rn, amb, bv, c0..cn)}: u is the session unit, rn the event's rank in its
     * person's ts order (ts, event_id with {@link #withTiesByEventId}), amb whether it is an
     * {@link #AMBIGUOUS_TIES ambiguous tie} and {@code c<i>} whether the event matches {@code conditions[i]}.
     *
     * <p>Sessions ({@link Sql#SESSION_START}) need every event of a person in time order: they come
     * from {@code event_sessions}, numbered at compaction, where that gives the same answer
     * ({@link #storedSessions}), otherwise from windows over the range at query time; both in
     * {@link TrendsSessions}, where rn is NULL for stored sessions.
     */
    private void events(Fragment.Builder b, List<String> names, List<Fragment> conditions, boolean sessions, boolean breakdown) {
        Fragment value = Fragment.of("NULL::VARCHAR");
        Fragment joins = Fragment.of("");
        if (breakdown && withBreakdown && request.scope().valueBreakdown().isPresent()) {
            Breakdown.ValueSql sql = Breakdown.valueSql(request.scope().valueBreakdown().get(), project);
            value = sql.value();
            joins = sql.joins();
        }
        if (!sessions) {
            boolean narrow = occurrencesSuffice(breakdown);
            b.sql("ev0 AS (SELECT e.person_key AS pk, e.ts, " + (narrow ? NO_EVENT_COLUMNS : "e.event_id, e.name, e.properties, ")).add(value)
                    .sql(" AS bv FROM " + (narrow ? "resolved_occurrences" : "resolved_events") + " e").add(joins)
                    .param(" WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ?", project.key(),
                            request.scope().range().start(), request.scope().range().end())
                    .param(" AND e.name IN (" + Sql.placeholders(names.size()) + ")", names.toArray());
            b.sql(" AND ").add(request.scope().personCondition("e.person_key", project, populations, group)).sql(")");
            b.sql(", ev AS (SELECT pk, pk AS u, ts, event_id, name, properties, bv FROM ev0)");
            return;
        }
        TrendsSessions sessionsSql = new TrendsSessions(project, request.scope().range().start(), request.scope().range().end(),
                column -> request.scope().personCondition(column, project, populations, group), tiesByEventId);
        if (storedSessions(breakdown)) {
            sessionsSql.stored(b, names, conditions);
        } else {
            sessionsSql.window(b, "ev", conditions, value, joins, Fragment.TRUE);
        }
    }

    /**
     * Whether {@link #events} with sessions reads them from {@code event_sessions}
     * ({@link TrendsSessions#stored}): no event of the request has property filters (the stored rows
     * carry only the name), no event-value breakdown, and no event can be both the conversion's
     * from- and to-event (so {@link #conversionUnits} needs no rank to tell them apart).
     */
    boolean storedSessions(boolean breakdown) {
        boolean valued = breakdown && withBreakdown && request.scope().valueBreakdown().isPresent();
        boolean distinct = request.conversion().map(c -> !c.from().event().equals(c.to().event())).orElse(true);
        return !valued && distinct && request.events().stream().allMatch(spec -> spec.where().isEmpty())
                && request.conversion().map(c -> c.from().where().isEmpty() && c.to().where().isEmpty()).orElse(true);
    }

    /** The event columns of {@code ev0} when it reads {@code resolved_occurrences}: no event id or properties there. */
    private static final String NO_EVENT_COLUMNS = "NULL::VARCHAR AS event_id, e.name, NULL::JSON AS properties, ";

    /**
     * Whether the events (without sessions) can be read from {@code resolved_occurrences}, the narrow
     * projection of project, name, person and time (docs/architecture.md), instead of
     * {@code resolved_events}: no series has an event-property filter and no event-property
     * breakdown value is read. Person conditions, person-property and acquisition breakdowns and
     * populations read only the (resolved) person key, which both views resolve alike. On the 1M
     * demo a 90-day {@code $pageview} trend (64% of the events) then skips the other names' row
     * groups, and every row group it reads holds one name.
     */
    private boolean occurrencesSuffice(boolean breakdown) {
        boolean eventValue = breakdown && withBreakdown
                && request.scope().valueBreakdown().filter(v -> v instanceof Breakdown.EventProperty).isPresent();
        return !eventValue && request.events().stream().allMatch(spec -> spec.where().isEmpty());
    }

    /**
     * The bucket of an event's {@code ts} on the report's wall clock. Days are a {@code DATE} (read
     * back as midnight): a cast is cheaper than {@code date_trunc}, and the narrower key makes the
     * aggregation to (bucket, person) pairs cheaper and the per-bucket count a perfect hash.
     */
    private Fragment bucket() {
        String unit = request.interval().name().toLowerCase(Locale.ROOT);
        if (request.interval() == TrendsRequest.Interval.DAY) {
            return utc() ? Fragment.of("ts::DATE") : Fragment.of("timezone(?, timezone('UTC', ts))::DATE", request.scope().range().zoneId());
        }
        if (utc()) {
            return Fragment.of("date_trunc('" + unit + "', ts)");
        }
        return Fragment.of("date_trunc('" + unit + "', timezone(?, timezone('UTC', ts)))", request.scope().range().zoneId());
    }

    /**
     * Per series (index into events), bucket and breakdown value: events, people, sessions; the
     * rows with a NULL bucket and {@code grp = 1} are the totals over the range. With
     * {@code withConversion} (the request has a conversion) one more row, {@code grp = 2}, carries
     * the people-vs-sessions counts of {@link #conversion()} in its last four columns, computed
     * from the same sessions (each column otherwise NULL).
     */
    Fragment series(boolean withConversion) {
        boolean sessions = request.metrics().contains(Metric.SESSIONS) || withConversion;
        boolean countSessions = request.metrics().contains(Metric.SESSIONS);
        boolean events = request.metrics().contains(Metric.EVENTS) || request.metrics().contains(Metric.EVENTS_PER_PERSON);
        boolean several = request.events().size() > 1;
        boolean valued = withBreakdown && request.scope().valueBreakdown().isPresent();
        List<EventSpec> specs = new ArrayList<>(request.events());
        if (withConversion) {
            specs.add(request.conversion().orElseThrow().from());
            specs.add(request.conversion().orElseThrow().to());
        }
        List<String> names = specs.stream().map(EventSpec::event).distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, specs.stream().map(EventSpec::condition).toList(), sessions, true);
        b.sql(", tagged AS (");
        for (int i = 0; i < request.events().size(); i++) {
            if (i > 0) {
                b.sql(" UNION ALL ");
            }
            b.sql("SELECT " + i + " AS series, pk, u, ").add(bucket()).sql(" AS bucket, bv FROM ev WHERE ")
                    .add(sessions ? Fragment.of("c" + i) : request.events().get(i).condition());
        }
        // One hash aggregation over the events down to the distinct (bucket, person[, session]) with
        // their event count; the buckets and the totals are then small aggregations over those pairs.
        // Only what varies is a key (the series when there are several, the value with a breakdown),
        // and events are counted only when asked for.
        String keys = (several ? "series, " : "") + (valued ? "bv, " : "");
        String series = several ? "series" : "0";
        String value = valued ? "bv" : "NULL::VARCHAR";
        String n = events ? "sum(n)::BIGINT" : "NULL::BIGINT";
        String none = withConversion ? ", NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::BIGINT" : "";
        b.sql("), pairs AS (SELECT " + keys + "bucket, pk" + (countSessions ? ", u" : "") + (events ? ", count(*) AS n" : "")
                + " FROM tagged GROUP BY " + keys + "bucket, pk" + (countSessions ? ", u" : "") + ")");
        if (withConversion) {
            int from = request.events().size();
            conversionUnits(b, "c" + from, "c" + (from + 1), !storedSessions(true));
        }
        b.sql(" SELECT " + series + ", bucket, " + value + ", 0 AS grp, " + n + ", "
                + (countSessions ? "count(DISTINCT pk), count(*)" : "count(*), NULL::BIGINT") + none + " FROM pairs GROUP BY " + keys + "bucket");
        b.sql(" UNION ALL SELECT " + series + ", NULL, " + value + ", 1, " + n + ", count(DISTINCT pk), "
                + (countSessions ? "count(DISTINCT u)" : "NULL::BIGINT") + none + " FROM pairs"
                + (keys.isEmpty() ? "" : " GROUP BY " + keys.substring(0, keys.length() - 2)));
        if (withConversion) {
            b.sql(" UNION ALL SELECT 0, NULL, NULL, 2, NULL, NULL, NULL, " + CONVERSION_COUNTS);
        }
        if (sessions) {
            b.sql(" UNION ALL SELECT 0, NULL, NULL, " + AMBIGUOUS_TIES + ", (SELECT count(*) FROM ev WHERE amb), NULL, NULL"
                    + none);
        }
        return b.build();
    }

    /** Per series, bucket and value: the public ids of the people counted. */
    Fragment people() {
        List<String> names = request.events().stream().map(EventSpec::event).distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, List.of(), false, true);
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

    /** The four people-vs-sessions counts over the CTEs of {@link #conversionUnits}. */
    private static final String CONVERSION_COUNTS = "(SELECT count(DISTINCT pk) FROM a), (SELECT count(*) FROM by_person), "
            + "(SELECT count(DISTINCT u) FROM a), (SELECT count(*) FROM by_session)";

    /**
     * People vs sessions: units (persons, sessions) that did the from-event, and those where a
     * different to-event followed at the same time or later (in the same session for sessions).
     * One row: started people, converted people, started sessions, converted sessions, and the
     * {@link #AMBIGUOUS_TIES} count. Used alone
     * when the series are not computed in the same query (population breakdowns, no series).
     */
    Fragment conversion() {
        TrendsRequest.Conversion conversion = request.conversion().orElseThrow();
        List<String> names = List.of(conversion.from().event(), conversion.to().event()).stream().distinct().toList();
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        events(b, names, List.of(conversion.from().condition(), conversion.to().condition()), true, false);
        conversionUnits(b, "c0", "c1", !storedSessions(false));
        b.sql(" SELECT " + CONVERSION_COUNTS + ", (SELECT count(*) FROM ev WHERE amb)");
        return b.build();
    }

    /** The CTEs {@code a} (from-events), {@code by_person} and {@code by_session} (converted units) over {@code ev}. */
    private static void conversionUnits(Fragment.Builder b, String from, String to, boolean ranked) {
        // rn identifies an event within its person, and both joins stay within one person.
        b.sql(", a AS (SELECT pk, u, ts, rn FROM ev WHERE " + from + ")");
        b.sql(", z AS (SELECT pk, u, ts, rn FROM ev WHERE " + to + ")");
        // Without ranks (stored sessions) no event matches both conditions, so any pair is two events.
        String other = ranked ? " AND z.rn <> a.rn" : "";
        b.sql(", by_person AS (SELECT DISTINCT a.pk FROM a JOIN z ON z.pk = a.pk AND z.ts >= a.ts" + other + ")");
        b.sql(", by_session AS (SELECT DISTINCT a.u FROM a JOIN z ON z.u = a.u AND z.ts >= a.ts" + other + ")");
    }
}

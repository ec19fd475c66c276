package dev.roster.report.trends;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.population.OncePerReport;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.ReportScope;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.ReportContext;
import dev.roster.report.trends.TrendsRequest.Interval;
import dev.roster.report.trends.TrendsRequest.Metric;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Runs trends: parse, validate, compile ({@link TrendsQuery}), run, fill empty buckets with zeros. */
public final class TrendsReport {
    private final ReportContext context;
    private final Database database;

    public TrendsReport(ReportContext context) {
        this.context = requireNonNull(context, "context is null");
        this.database = context.database();
    }

    public TrendsResult run(Project project, JsonNode body) {
        TrendsRequest request = TrendsRequest.parse(body, project, context.clock());
        context.catalog().requireKnown(project, request.eventNames());
        return run(project, request);
    }

    public TrendsResult run(Project project, TrendsRequest request) {
        // every query of this run (series, population groups, people, conversion) shares one evaluation per population
        PopulationResolver populations = new OncePerReport(context.populations());
        List<TrendsResult.Series> series = new ArrayList<>();
        // Without a population breakdown the conversion comes from the series' query (one pass over
        // the sessions); otherwise it is a query of its own.
        long[][] together = new long[1][];
        if (!request.events().isEmpty()) {
            if (request.scope().breakdownPopulations().isEmpty()) {
                series.addAll(series(project, request, populations, Optional.empty(), Optional.empty(), together));
            } else {
                context.perPopulationGroup(project, request.scope(), group ->
                        series(project, request, populations, Optional.of(group.membership()), Optional.of(group.label()), null)).forEach(series::addAll);
            }
        }
        TrendsResult.PeopleVsSessions conversion = null;
        if (request.conversion().isPresent()) {
            conversion = conversion(request, together[0] != null ? together[0] : conversionCounts(project, request, populations));
        }
        return new TrendsResult(request.interval().name().toLowerCase(Locale.ROOT), request.scope().range().from().toString(),
                request.scope().range().to().toString(), request.scope().range().zoneId(), series, conversion);
    }

    private record Key(int series, String value) {
    }

    /**
     * @param conversion when not null and the request has a conversion, receives its four counts
     *                   (computed by the same query) at index 0
     */
    private List<TrendsResult.Series> series(Project project, TrendsRequest request, PopulationResolver populations,
                                             Optional<Population> group, Optional<String> label, long[][] conversion) {
        TrendsQuery query = new TrendsQuery(request, project, populations, true, group);
        Map<Key, Map<LocalDateTime, long[]>> points = new LinkedHashMap<>();
        Map<Key, long[]> totals = new HashMap<>();
        boolean withConversion = conversion != null && request.conversion().isPresent();
        if (!readSeries(query, withConversion, label, points, totals, conversion)) {
            // Equal timestamps with different session ids: only the (ts, event_id) order is exact.
            points.clear();
            totals.clear();
            readSeries(query.withTiesByEventId(), withConversion, label, points, totals, conversion);
        }
        Map<Key, Map<LocalDateTime, List<String>>> people = new HashMap<>();
        if (request.scope().people()) {
            Fragment who = query.people();
            database.read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(who.sql())) {
                    Sql.bind(statement, 1, who.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            Key key = new Key(rows.getInt(1), label.orElse(rows.getString(3)));
                            Array array = rows.getArray(4);
                            List<String> ids = Arrays.stream((Object[]) array.getArray()).map(Objects::toString)
                                    .limit(ReportScope.MAX_PEOPLE).toList();
                            people.computeIfAbsent(key, k -> new HashMap<>()).put(rows.getTimestamp(2).toLocalDateTime(), ids);
                        }
                    }
                }
                return null;
            });
        }
        List<Key> keys = new ArrayList<>(points.keySet());
        if (keys.isEmpty() && request.scope().valueBreakdown().isEmpty()) {
            for (int i = 0; i < request.events().size(); i++) {
                keys.add(new Key(i, label.orElse(null)));
            }
        }
        // by series, then most people first; equal totals by value (no value first), so the order is stable
        keys.sort(Comparator.comparingInt(Key::series)
                .thenComparing((Key key) -> totals.getOrDefault(key, new long[3])[1], Comparator.reverseOrder())
                .thenComparing(Key::value, Comparator.nullsFirst(Comparator.naturalOrder())));
        List<TrendsResult.Series> result = new ArrayList<>();
        for (Key key : keys) {
            List<TrendsResult.Point> series = new ArrayList<>();
            Map<LocalDateTime, long[]> byBucket = points.getOrDefault(key, Map.of());
            for (LocalDateTime bucket : request.buckets()) {
                List<String> ids = request.scope().people()
                        ? people.getOrDefault(key, Map.of()).getOrDefault(bucket, List.of()) : null;
                series.add(point(request, label(request.interval(), bucket), byBucket.getOrDefault(bucket, new long[3]), ids));
            }
            result.add(new TrendsResult.Series(request.events().get(key.series()).event(), key.value(), series,
                    point(request, null, totals.getOrDefault(key, new long[3]), null)));
        }
        return result;
    }

    /**
     * Runs {@link TrendsQuery#series} into {@code points}, {@code totals} and {@code conversion[0]};
     * false when its sessions, ordered by ts alone, met an {@link TrendsQuery#AMBIGUOUS_TIES
     * ambiguous tie} and must be recomputed in (ts, event_id) order.
     */
    private boolean readSeries(TrendsQuery query, boolean withConversion, Optional<String> label,
                               Map<Key, Map<LocalDateTime, long[]>> points, Map<Key, long[]> totals, long[][] conversion) {
        Fragment sql = query.series(withConversion);
        return database.read(connection -> {
            boolean exact = true;
            try (PreparedStatement statement = connection.prepareStatement(sql.sql())) {
                Sql.bind(statement, 1, sql.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        int grp = rows.getInt(4);
                        if (grp == TrendsQuery.AMBIGUOUS_TIES) {
                            exact = rows.getLong(5) == 0;
                            continue;
                        }
                        if (grp == 2) {
                            conversion[0] = new long[] {rows.getLong(8), rows.getLong(9), rows.getLong(10), rows.getLong(11)};
                            continue;
                        }
                        Key key = new Key(rows.getInt(1), label.orElse(rows.getString(3)));
                        long[] values = {rows.getLong(5), rows.getLong(6), rows.getLong(7)};
                        if (grp == 1) {
                            totals.put(key, values);
                        } else {
                            Timestamp bucket = rows.getTimestamp(2);
                            points.computeIfAbsent(key, k -> new HashMap<>()).put(bucket.toLocalDateTime(), values);
                        }
                    }
                }
            }
            return exact;
        });
    }

    private static String label(Interval interval, LocalDateTime bucket) {
        return interval == Interval.HOUR ? bucket.toString() : bucket.toLocalDate().toString();
    }

    private static TrendsResult.Point point(TrendsRequest request, String start, long[] values, List<String> ids) {
        boolean perPerson = request.metrics().contains(Metric.EVENTS_PER_PERSON);
        return new TrendsResult.Point(start,
                request.metrics().contains(Metric.EVENTS) ? values[0] : null,
                request.metrics().contains(Metric.PEOPLE) ? values[1] : null,
                request.metrics().contains(Metric.SESSIONS) ? values[2] : null,
                perPerson ? (values[1] == 0 ? 0.0 : (double) values[0] / values[1]) : null,
                ids);
    }

    /** Started people, converted people, started sessions, converted sessions: {@link TrendsQuery#conversion()}. */
    private long[] conversionCounts(Project project, TrendsRequest request, PopulationResolver populations) {
        TrendsQuery query = new TrendsQuery(request, project, populations, false, Optional.empty());
        long[] counts = conversionCounts(query);
        return counts[4] == 0 ? Arrays.copyOf(counts, 4) : Arrays.copyOf(conversionCounts(query.withTiesByEventId()), 4);
    }

    private long[] conversionCounts(TrendsQuery query) {
        Fragment sql = query.conversion();
        return database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql.sql())) {
                Sql.bind(statement, 1, sql.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5)};
                }
            }
        });
    }

    private static TrendsResult.PeopleVsSessions conversion(TrendsRequest request, long[] values) {
        TrendsResult.Rate people = rate(values[0], values[1]);
        TrendsResult.Rate sessions = rate(values[2], values[3]);
        Double ratio = people.rate() == null || sessions.rate() == null || sessions.rate() == 0 ? null : people.rate() / sessions.rate();
        TrendsRequest.Conversion conversion = request.conversion().orElseThrow();
        return new TrendsResult.PeopleVsSessions(conversion.from().event(), conversion.to().event(), people, sessions, ratio);
    }

    private static TrendsResult.Rate rate(long started, long converted) {
        return new TrendsResult.Rate(started, converted, started == 0 ? null : (double) converted / started);
    }
}

package dev.roster.report.activity;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ops.Metrics;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ingestion health for the dashboard: events received per minute for one project (from
 * {@code received_at}, so backfills show when they arrived), plus the server's counters of
 * rejected events by reason, duplicates and clamped timestamps since start-up. The counters are
 * server-wide: a rejected event may not even name a valid project.
 */
public final class IngestionHealth {
    public static final int MAX_MINUTES = 24 * 60;

    private final Database database;
    private final Metrics metrics;
    private final Clock clock;

    public IngestionHealth(Database database, Metrics metrics, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public record Minute(String minute, long events) {
    }

    public record Report(@JsonProperty("per_minute") List<Minute> perMinute,
                         @JsonProperty("events_in_range") long eventsInRange,
                         @JsonProperty("ingested_by_source") Map<String, Long> ingestedBySource,
                         @JsonProperty("rejected_by_reason") Map<String, Long> rejectedByReason,
                         long duplicates,
                         @JsonProperty("clamped_timestamps") long clampedTimestamps,
                         @JsonProperty("counters_scope") String countersScope) {
    }

    public Report compute(Project project, int minutes) {
        if (minutes < 1 || minutes > MAX_MINUTES) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "minutes must be between 1 and " + MAX_MINUTES);
        }
        Instant end = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant start = end.minus(minutes, ChronoUnit.MINUTES);
        Map<Instant, Long> counts = new HashMap<>();
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT date_trunc('minute', received_at) AS minute, count(*) FROM all_events "
                            + "WHERE project_key = ? AND received_at >= ? AND received_at < ? GROUP BY 1")) {
                Sql.bind(statement, 1, List.of(project.key(), start, end));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        counts.put(Sql.instant(rows, 1), rows.getLong(2));
                    }
                }
            }
            return null;
        });
        List<Minute> perMinute = new ArrayList<>(minutes);
        long total = 0;
        for (Instant minute = start; minute.isBefore(end); minute = minute.plus(1, ChronoUnit.MINUTES)) {
            long events = counts.getOrDefault(minute, 0L);
            total += events;
            perMinute.add(new Minute(minute.toString(), events));
        }
        return new Report(perMinute, total, byLabel(metrics.ingested.collect(), "source"),
                byLabel(metrics.rejected.collect(), "reason"), (long) metrics.duplicates.get(),
                (long) metrics.clampedTimestamps.get(), "server, since start-up");
    }

    private static Map<String, Long> byLabel(CounterSnapshot snapshot, String label) {
        Map<String, Long> values = new TreeMap<>();
        for (CounterSnapshot.CounterDataPointSnapshot point : snapshot.getDataPoints()) {
            String key = point.getLabels().get(label);
            values.merge(key == null ? "" : key, (long) point.getValue(), Long::sum);
        }
        return values;
    }
}

package dev.roster.ops;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The Prometheus metrics of one Roster instance. Each instance has its own registry so that tests
 * running several servers in one JVM do not share counters.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public final Counter ingested = Counter.builder().name("roster_events_ingested_total")
            .help("Events committed").labelNames("source").register(registry);
    public final Counter rejected = Counter.builder().name("roster_events_rejected_total")
            .help("Events rejected, by reason").labelNames("reason").register(registry);
    public final Counter duplicates = Counter.builder().name("roster_events_duplicate_total")
            .help("Events dropped because their id was already stored").register(registry);
    public final Counter clampedTimestamps = Counter.builder().name("roster_events_clamped_timestamps_total")
            .help("Events more than 23 hours in the future, clamped to the receive time").register(registry);
    public final Counter droppedHits = Counter.builder().name("roster_kissmetrics_dropped_total")
            .help("KISSmetrics hits dropped (answered with a GIF anyway), by reason").labelNames("reason").register(registry);
    public final Histogram commitSeconds = Histogram.builder().name("roster_commit_seconds")
            .help("Latency of one group commit").register(registry);
    public final Histogram commitEvents = Histogram.builder().name("roster_commit_events")
            .help("Events per group commit").classicUpperBounds(1, 10, 100, 1000, 10000, 100000).register(registry);
    public final Histogram querySeconds = Histogram.builder().name("roster_query_seconds")
            .help("Latency of read API calls").labelNames("endpoint").register(registry);

    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

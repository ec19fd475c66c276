package dev.roster.report.activity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.Roster;
import dev.roster.ops.Metrics;
import dev.roster.project.ProjectKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Latency of the dashboard's own queries (activity stream, ingestion health, event names) on
 * 1M people and 10M events written straight into the compacted table. Run with
 * {@code ./mvnw -q test -Dtest=DashboardQueriesBenchmark -Droster.bench=true}; it prints medians.
 */
@EnabledIfSystemProperty(named = "roster.bench", matches = "true")
class DashboardQueriesBenchmark {
    private static final int PEOPLE = 1_000_000;
    private static final int EVENTS = 10_000_000;

    @Test
    void dashboardQueriesOnTenMillionEvents() throws Exception {
        Path directory = Files.createTempDirectory("roster-bench");
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0))) {
            ProjectKeys keys = roster.projects().create("Bench");
            int project = keys.project().key();
            long start = System.nanoTime();
            Connection writer = roster.database().writer();
            synchronized (writer) {
                try (Statement statement = writer.createStatement()) {
                    statement.execute("INSERT INTO persons SELECT " + project + ", i, uuid()::VARCHAR, now() FROM range(" + PEOPLE + ") t(i)");
                    statement.execute("INSERT INTO events_compacted SELECT " + project + ", 'e' || i, 'user-' || (i % " + PEOPLE + "), i % " + PEOPLE
                            + ", 'Event ' || (i % 40), now()::TIMESTAMP - INTERVAL 1 SECOND * (i % 31536000), "
                            + "now()::TIMESTAMP - INTERVAL 1 SECOND * (i % 7200), NULL, json_object('plan', CASE WHEN i % 3 = 0 THEN 'pro' ELSE 'free' END) "
                            + "FROM range(" + EVENTS + ") t(i) ORDER BY i % " + PEOPLE);
                }
            }
            System.out.printf("loaded %,d events in %.1f s%n", EVENTS, (System.nanoTime() - start) / 1e9);
            ActivityFeed feed = new ActivityFeed(roster.database(), roster.populationResolver());
            IngestionHealth health = new IngestionHealth(roster.database(), new Metrics(), Clock.systemUTC());
            EventNames names = new EventNames(roster.database());
            ActivityFeed.Query newest = new ActivityFeed.Query(Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), 50);
            ActivityFeed.Page first = feed.find(keys.project(), newest);
            assertThat(first.events()).hasSize(50);
            ActivityFeed.Query poll = new ActivityFeed.Query(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.of(ActivityFeed.Cursor.decode(first.latest())), Optional.empty(), 100);
            ActivityFeed.Query filtered = new ActivityFeed.Query(Optional.of("Event 7"), Optional.of("plan"), Optional.of("pro"),
                    Optional.empty(), Optional.empty(), Optional.empty(), 50);
            time("activity, newest 50", () -> feed.find(keys.project(), newest));
            time("activity, poll after latest", () -> feed.find(keys.project(), poll));
            time("activity, event + property filter", () -> feed.find(keys.project(), filtered));
            time("ingestion health, 60 minutes", () -> health.compute(keys.project(), 60));
            time("event names", () -> names.find(keys.project(), 300));
        } finally {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void time(String name, Supplier<?> query) {
        query.get();
        long[] samples = new long[7];
        for (int i = 0; i < samples.length; i++) {
            long start = System.nanoTime();
            query.get();
            samples[i] = System.nanoTime() - start;
        }
        Arrays.sort(samples);
        System.out.printf("BENCH %-40s median %6.1f ms%n", name, samples[samples.length / 2] / 1e6);
    }
}

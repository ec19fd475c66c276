package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.project.ProjectKeys;
import dev.roster.store.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * "3+ Viewed Pricing in 30 days and never Purchased" against the hand-written anti-join, on
 * synthetic data written straight into the tables (arrival order, like {@code events_recent}).
 * Off by default; run with
 * {@code ./mvnw -q -B test -Dtest=PopulationBenchmark -Droster.benchmark=true -Dpeople=1000000 -Devents=10000000}.
 */
class PopulationBenchmark {
    private static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    static final String DEFINITION = "{\"all\": [{\"did\": \"Viewed Pricing\", \"count\": {\"op\": \"gte\", \"value\": 3}, "
            + "\"within\": {\"last\": 30, \"unit\": \"day\"}}, {\"did_not\": \"Purchased\"}]}";

    @Test
    void pricingWithoutPurchaseIsAsFastAsTheHandWrittenAntiJoin() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("roster.benchmark"), "benchmark off: pass -Droster.benchmark=true");
        long people = Long.getLong("people", 200_000);
        long events = Long.getLong("events", 2_000_000);
        Path directory = Files.createTempDirectory("roster-bench");
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0).withClock(Clock.fixed(NOW, ZoneOffset.UTC)))) {
            ProjectKeys keys = roster.projects().create("Bench");
            Project project = keys.project();
            long started = System.nanoTime();
            generate(roster, project, people, events);
            System.out.printf("generated %,d people, %,d events in %d ms%n", people, events, (System.nanoTime() - started) / 1_000_000);

            PopulationService service = roster.populations();
            String baseline = "SELECT count(*) FROM (SELECT person_key FROM resolved_events WHERE project_key = ? AND name = ? "
                    + "AND ts >= ? AND ts <= ? GROUP BY person_key HAVING count(*) >= 3) v WHERE NOT EXISTS "
                    + "(SELECT 1 FROM resolved_events p WHERE p.project_key = ? AND p.name = ? AND p.person_key = v.person_key)";
            List<Object> parameters = List.of(project.key(), "Viewed Pricing", NOW.minus(Duration.ofDays(30)), NOW,
                    project.key(), "Purchased");
            LongSupplier handWritten = () -> roster.database().read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(baseline)) {
                    Sql.bind(statement, 1, parameters);
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        return rows.getLong(1);
                    }
                }
            });
            LongSupplier population = () -> service.preview(project, Json.parse(DEFINITION));
            assertThat(population.getAsLong()).isEqualTo(handWritten.getAsLong()).isPositive();
            System.out.printf("members: %,d%n", population.getAsLong());

            String id = service.create(project, "Pricing, no purchase", Json.parse(DEFINITION)).id();
            for (int round = 0; round < 2; round++) {
                double sql = median(handWritten);
                double count = median(population);
                double page = median(() -> service.people(project, id, "last_seen", 50, Optional.empty()).people().size());
                System.out.printf("round %d: hand-written anti-join %.1f ms, population count %.1f ms (%.2fx), first page of 50 %.1f ms%n",
                        round, sql, count, count / sql, page);
            }
            long t = System.nanoTime();
            service.history(project, id, 90);
            System.out.printf("history of 90 days: %d ms%n", (System.nanoTime() - t) / 1_000_000);
        } finally {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private static double median(LongSupplier work) {
        for (int i = 0; i < 2; i++) {
            work.getAsLong();
        }
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long start = System.nanoTime();
            work.getAsLong();
            times.add(System.nanoTime() - start);
        }
        Collections.sort(times);
        return times.get(times.size() / 2) / 1e6;
    }

    /** Persons, one identity each, and events in arrival order: 10% Viewed Pricing, 2% Purchased. */
    private static void generate(Roster roster, Project project, long people, long events) throws Exception {
        Connection connection = roster.database().writer();
        synchronized (connection) {
            try (Statement statement = connection.createStatement()) {
                int key = project.key();
                statement.execute("INSERT INTO persons SELECT " + key + ", i, 'p' || i, TIMESTAMP '2024-01-01' FROM range(" + people + ") t(i)");
                statement.execute("INSERT INTO identities SELECT " + key + ", 'id-' || i, i, false, TIMESTAMP '2024-01-01' FROM range(" + people + ") t(i)");
                statement.execute("INSERT INTO events_recent SELECT " + key + ", 'e' || i, 'id-' || p, p, "
                        + "CASE WHEN r < 10 THEN 'Viewed Pricing' WHEN r < 12 THEN 'Purchased' WHEN r < 40 THEN '$pageview' "
                        + "WHEN r < 60 THEN 'Used App' WHEN r < 75 THEN 'Read Article' ELSE 'Clicked' END, "
                        + "TIMESTAMP '2024-06-30 12:00:00' - to_seconds(CAST(hash(i, 7) % (90 * 86400) AS BIGINT)), "
                        + "TIMESTAMP '2024-06-30 12:00:00', NULL, "
                        + "CASE WHEN r BETWEEN 10 AND 11 THEN '{\"revenue\": 49}' ELSE '{\"path\": \"/x\"}' END "
                        + "FROM (SELECT i, CAST(hash(i, 1) % " + people + " AS BIGINT) AS p, CAST(hash(i, 2) % 100 AS INTEGER) AS r "
                        + "FROM range(" + events + ") t(i))");
                statement.execute("CHECKPOINT");
            }
        }
    }
}

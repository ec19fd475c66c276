package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.Roster;
import dev.roster.population.UnavailablePopulations;
import dev.roster.project.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Times the revenue report against the best hand-written DuckDB SQL on generated data. Skipped
 * unless {@code -Dbench.people=N} is given:
 * {@code ./mvnw -q -B test -Dtest=RevenueBenchmarkTest -Dbench.people=1000000}.
 * The data (10 events per person, first touch with utm fields, about 1 event in 8 a payment) is
 * written straight into the compacted table, sorted by person, as compaction leaves it.
 */
class RevenueBenchmarkTest {
    private static final Instant NOW = Instant.parse("2024-07-01T00:00:00Z");

    @Test
    void ltvByFirstTouchUtmSourceIsCloseToHandWrittenSql() throws Exception {
        String people = System.getProperty("bench.people");
        String message = "revenue benchmark skipped: pass -Dbench.people=N to run it";
        if (people == null) {
            System.out.println(message);
        }
        Assumptions.assumeTrue(people != null, message);
        int persons = Integer.parseInt(people);
        int runs = Integer.parseInt(System.getProperty("bench.runs", "5"));
        Path directory = Files.createTempDirectory("roster-bench");
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0).withClock(Clock.fixed(NOW, ZoneOffset.UTC)))) {
            Project project = roster.projects().create("Bench").project();
            long started = System.nanoTime();
            generate(roster.database().writer(), project.key(), persons);
            System.out.printf("generated %,d people, %,d events in %d ms%n", persons, persons * 10L, (System.nanoTime() - started) / 1_000_000);

            String handWritten = "SELECT source, count(*), avg(ltv) FROM (SELECT person_key, "
                    + "arg_min_null(json_extract_string(properties, '$.utm_source'), ts) AS source, "
                    + "coalesce(sum(TRY_CAST(json_extract_string(properties, '$.revenue') AS DOUBLE)), 0) AS ltv "
                    + "FROM resolved_events WHERE project_key = ? GROUP BY person_key) GROUP BY source";
            RevenueReport report = new RevenueReport(roster.database(), roster.revenueSettings(), new UnavailablePopulations(),
                    Clock.fixed(NOW, ZoneOffset.UTC));
            RevenueRequest request = new RevenueRequest(LocalDate.parse("2023-01-01"), LocalDate.parse("2024-06-30"),
                    RevenueRequest.GroupBy.UTM_SOURCE, OptionalInt.empty(), Optional.empty(), RevenueRequest.Interval.MONTH, 10);
            RevenueSql.Scope scope = new RevenueSql.Scope(project.key(), "UTC",
                    roster.revenueSettings().expression(project), Optional.empty(), false);
            Instant start = Instant.parse("2023-01-01T00:00:00Z");
            Instant end = Instant.parse("2024-07-01T00:00:00Z");
            RevenueSql.Query groups = RevenueSql.groups(scope, RevenueRequest.GroupBy.UTM_SOURCE, start, end,
                    NOW.minusSeconds(30L * 86400), 10);
            RevenueSql.Query cohorts = RevenueSql.cohorts(scope, start, end, NOW);
            RevenueSql.Query periods = RevenueSql.periods(scope, RevenueRequest.Interval.MONTH, start, end);

            long hand = median(runs, () -> query(roster, handWritten, List.of(project.key())));
            long group = median(runs, () -> query(roster, groups.sql(), groups.parameters()));
            long cohort = median(runs, () -> query(roster, cohorts.sql(), cohorts.parameters()));
            long period = median(runs, () -> query(roster, periods.sql(), periods.parameters()));
            long full = median(runs, () -> {
                report.run(project, request);
                return 0L;
            });
            System.out.printf("hand-written arg_min LTV by utm_source: %d ms%n", hand);
            System.out.printf("groups query (LTV by first-touch utm_source + churn + top, default revenue properties): %d ms (%.2fx)%n",
                    group, (double) group / hand);
            System.out.printf("cohort curves query: %d ms%n", cohort);
            System.out.printf("periods query: %d ms%n", period);
            System.out.printf("whole report (three queries + names): %d ms%n", full);
            assertThat(hand).isPositive();
        } finally {
            deleteQuietly(directory);
        }
    }

    private static long query(Roster roster, String sql, List<Object> parameters) {
        return roster.database().read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                dev.roster.store.Sql.bind(statement, 1, parameters);
                long rows = 0;
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows++;
                    }
                }
                return rows;
            }
        });
    }

    private static long median(int runs, Supplier<Long> work) {
        work.get();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            work.get();
            times.add((System.nanoTime() - started) / 1_000_000);
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }

    private static void generate(Connection writer, int project, int persons) throws Exception {
        synchronized (writer) {
            try (Statement statement = writer.createStatement()) {
                statement.execute("INSERT INTO persons SELECT " + project + ", p, 'person-' || p, TIMESTAMP '2023-01-01' FROM range(" + persons + ") r(p)");
                statement.execute("INSERT INTO identities SELECT " + project + ", 'id-' || p, p, p % 3 = 0, TIMESTAMP '2023-01-01' FROM range(" + persons + ") r(p)");
                statement.execute("INSERT INTO events_compacted SELECT " + project + ", 'e-' || p || '-' || j, 'id-' || p, p, "
                        + "CASE WHEN j = 0 THEN '$pageview' WHEN hash(p, j) % 8 = 0 THEN 'Order Completed' ELSE 'Viewed' END, "
                        + "TIMESTAMP '2023-01-01' + to_days(CAST(p % 540 AS INTEGER)) + to_hours(CAST(j * 7 * (1 + hash(p) % 40) AS INTEGER)), "
                        + "TIMESTAMP '2024-07-01', NULL, "
                        + "CASE WHEN j = 0 THEN json_object('utm_source', ['google', 'facebook', 'newsletter', 'partner', NULL][1 + CAST(hash(p) % 5 AS BIGINT)], "
                        + "'utm_medium', ['cpc', 'social', 'email', 'referral', NULL][1 + CAST(hash(p) % 5 AS BIGINT)], 'utm_campaign', 'c' || CAST(hash(p) % 20 AS BIGINT), "
                        + "'referrer', 'https://site' || CAST(hash(p) % 50 AS BIGINT) || '.example.com/') "
                        + "WHEN hash(p, j) % 8 = 0 THEN json_object('revenue', round(5 + (hash(p, j) % 20000) / 100.0, 2) * CASE WHEN hash(p, j) % 80 = 0 THEN -1 ELSE 1 END) "
                        + "ELSE json_object('path', '/p' || j) END "
                        + "FROM range(" + persons + ") r(p), range(10) s(j) ORDER BY p, 6");
                statement.execute("CHECKPOINT");
            }
        }
    }

    private static void deleteQuietly(Path directory) throws IOException {
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

package dev.roster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.store.Database;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reports through the HTTP API against the best hand-written SQL for the same answer on a plain
 * events table, in the same run (issue 4, Performance).
 *
 * <ol>
 *   <li>{@code roster demo --people N --generate-only} in a child JVM (reuses a finished dataset of
 *       the same size and seed), which ends with compaction;</li>
 *   <li>this JVM attaches the demo database read-only and copies its resolved events into
 *       {@code bench_events(person_id BIGINT, name VARCHAR, ts TIMESTAMP, code USMALLINT)} sorted by
 *       (person_id, ts) in a separate DuckDB file (the notes' "sorted" baseline; {@code code} is the
 *       integer event code the daily-uniques shape filters on), and writes it as CSV for PostgreSQL;</li>
 *   <li>{@code roster demo} serves the same directory in a child JVM; each report runs
 *       {@code -Dwarmup} (default 2) times, then {@code -Druns} (default 5) times, alternating a Roster
 *       HTTP call with the baseline query so that the shared machine's load hits both alike;</li>
 *   <li>with {@code -Dpostgres=true}: a throwaway PostgreSQL cluster (initdb, loopback port, temp
 *       directory, run as user {@code pgbench} when this is root), the same rows by COPY, an index on
 *       (name, person_id, ts), then funnel and retention by the same SQL shapes (median of the runs).</li>
 * </ol>
 * Every answer is compared: the benchmark fails when Roster's counts differ from the baseline's.
 * The baseline DuckDB connection gets the same memory limit as the server ({@link Database#DEFAULT_MEMORY_LIMIT})
 * and the default thread count.
 */
public final class ReportBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final long WEEK_US = 604_800_000_000L;

    private final int warmup = Bench.intProperty("warmup", 2);
    private final int runs = Bench.intProperty("runs", 5);
    private final String step1 = System.getProperty("funnelStep1", "Viewed Pricing");
    private final String step2 = System.getProperty("funnelStep2", "Started Trial");
    private final String step3 = System.getProperty("funnelStep3", "Purchased");
    private final String cohortEvent = System.getProperty("cohortEvent", "Signed Up");
    private final String trendEvent = System.getProperty("trendEvent", "$pageview");
    private final List<String[]> rows = new ArrayList<>();

    private LocalDate today;
    private Map<String, Integer> codes;

    public static void main(String[] args) throws Exception {
        new ReportBenchmark().run();
    }

    private void run() throws Exception {
        int people = Bench.intProperty("people", 10_000);
        Path directory = Path.of(System.getProperty("data", "target/bench/demo-" + people));
        Path baselineFile = Path.of("target", "bench", "baseline-" + people + ".duckdb");
        Path csv = Path.of("target", "bench", "bench-events-" + people + ".csv").toAbsolutePath();
        String load = Bench.loadAverage();

        long started = System.nanoTime();
        try (Bench.Child generator = new Bench.Child("demo", "--people", String.valueOf(people), "--seed", "1",
                "--data", directory.toString(), "--generate-only")) {
            if (generator.waitFor(6 * 3600) != 0) {
                throw new IllegalStateException("roster demo --generate-only failed");
            }
        }
        System.out.printf("dataset ready in %.1f s%n", (System.nanoTime() - started) / 1e9);

        long events = copyBaseline(directory, baselineFile, csv);
        rows.add(Bench.row("people / events", "%,d / %,d", people, events));

        int port = Bench.freePort();
        try (Bench.Child child = new Bench.Child("demo", "--people", String.valueOf(people), "--seed", "1",
                "--data", directory.toString(), "--port", String.valueOf(port));
             Connection duck = duckdb(baselineFile)) {
            child.await("Roster is running at", 600);
            String secret = child.await("secret key:", 10).replaceAll(".*secret key:\\s*", "").trim();
            String base = "http://127.0.0.1:" + port;
            funnel(base, secret, duck);
            retention(base, secret, duck);
            trend(base, secret, duck);
        }
        if (Boolean.getBoolean("postgres")) {
            postgres(csv);
        }
        rows.add(Bench.row("runs", "median of %d after %d warm-up runs, Roster and baseline alternating", runs, warmup));
        rows.add(Bench.row("machine load average at start / end", "%s / %s (2 cores, shared)", load, Bench.loadAverage()));
        Bench.report("ReportBenchmark people=" + people, rows);
    }

    // ---------------------------------------------------------------- the plain table

    private static Connection duckdb(Path file) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        properties.setProperty("memory_limit", Database.DEFAULT_MEMORY_LIMIT);
        return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
    }

    private long copyBaseline(Path directory, Path baselineFile, Path csv) throws SQLException, IOException {
        Files.deleteIfExists(baselineFile);
        Files.deleteIfExists(Path.of(baselineFile + ".wal"));
        Files.deleteIfExists(csv);
        long t0 = System.nanoTime();
        try (Connection c = duckdb(baselineFile); Statement s = c.createStatement()) {
            s.execute("ATTACH '" + directory.resolve("roster.duckdb").toAbsolutePath() + "' AS r (READ_ONLY)");
            // the resolved events of the (only) demo project, with merges applied, sorted
            s.execute("CREATE TABLE bench_events AS SELECT coalesce(m.to_key, e.person_key) AS person_id, e.name, e.ts "
                    + "FROM (SELECT * FROM r.events_compacted UNION ALL SELECT * FROM r.events_recent) e "
                    + "LEFT JOIN r.unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key "
                    + "ORDER BY person_id, ts");
            if (!"false".equals(System.getProperty("ltv"))) {
                ltv(s);
            }
            s.execute("DETACH r");
            s.execute("CREATE TABLE event_codes AS SELECT name, (row_number() OVER (ORDER BY name))::USMALLINT AS code "
                    + "FROM (SELECT DISTINCT name FROM bench_events)");
            s.execute("ALTER TABLE bench_events ADD COLUMN code USMALLINT");
            s.execute("UPDATE bench_events SET code = c.code FROM event_codes c WHERE c.name = bench_events.name");
            // UPDATE leaves the rows in place, but rewrite anyway so the table is sorted and compact
            s.execute("CREATE TABLE sorted AS SELECT person_id, name, ts, code FROM bench_events ORDER BY person_id, ts");
            s.execute("DROP TABLE bench_events");
            s.execute("ALTER TABLE sorted RENAME TO bench_events");
            s.execute("CHECKPOINT");
            codes = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT name, code FROM event_codes")) {
                while (r.next()) {
                    codes.put(r.getString(1), r.getInt(2));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT count(*), max(ts) FROM bench_events")) {
                r.next();
                today = r.getTimestamp(2).toLocalDateTime().toLocalDate();
                long n = r.getLong(1);
                s.execute("COPY (SELECT person_id, name, ts FROM bench_events) TO '" + csv + "' (HEADER false)");
                System.out.printf("bench_events: %,d rows copied and sorted in %.1f s; events by name:%n", n, (System.nanoTime() - t0) / 1e9);
                try (ResultSet names = s.executeQuery("SELECT name, count(*) FROM bench_events GROUP BY name ORDER BY 2 DESC")) {
                    while (names.next()) {
                        System.out.printf("  %-28s %,d%n", names.getString(1), names.getLong(2));
                    }
                }
                return n;
            }
        }
    }

    /**
     * Issue 6 without its endpoint (not in this tree): LTV by first-touch utm_source, i.e. per
     * person {@code arg_min(utm_source, ts)} of all their events and the sum of {@code revenue},
     * then count and average per source. Timed twice, alternating, on the attached demo database:
     * on a plain table {@code bench_ltv(person_id, ts, utm_source, revenue)} sorted by
     * (person_id, ts) (the baseline), and in the shape a Roster report must run: the same query over
     * the identity layer with JSON property extraction. The answers must be equal.
     */
    private void ltv(Statement s) throws SQLException {
        String resolved = "(SELECT coalesce(m.to_key, e.person_key) AS person_id, e.ts, e.properties "
                + "FROM (SELECT * FROM r.events_compacted UNION ALL SELECT * FROM r.events_recent) e "
                + "LEFT JOIN r.unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key)";
        s.execute("CREATE TABLE bench_ltv AS SELECT person_id, ts, properties->>'utm_source' AS utm_source, "
                + "TRY_CAST(properties->>'revenue' AS DOUBLE) AS revenue FROM " + resolved + " ORDER BY person_id, ts");
        String plain = "SELECT coalesce(src, '(none)') AS source, count(*), round(avg(ltv), 2) FROM (SELECT person_id, "
                + "arg_min(utm_source, ts) AS src, coalesce(sum(revenue), 0) AS ltv FROM bench_ltv GROUP BY person_id) "
                + "GROUP BY 1 ORDER BY 1";
        String roster = "SELECT coalesce(src, '(none)') AS source, count(*), round(avg(ltv), 2) FROM (SELECT person_id, "
                + "arg_min(properties->>'utm_source', ts) AS src, coalesce(sum(TRY_CAST(properties->>'revenue' AS DOUBLE)), 0) AS ltv "
                + "FROM " + resolved + " GROUP BY person_id) GROUP BY 1 ORDER BY 1";
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        String plainAnswer = null;
        String rosterAnswer = null;
        for (int i = 0; i < warmup + runs; i++) {
            long t0 = System.nanoTime();
            rosterAnswer = rows(s, roster);
            long t1 = System.nanoTime();
            plainAnswer = rows(s, plain);
            long t2 = System.nanoTime();
            if (i >= warmup) {
                a.add(t1 - t0);
                b.add(t2 - t1);
            }
        }
        compare("LTV by first-touch utm_source", rosterAnswer, plainAnswer);
        double rosterMs = Bench.percentile(Bench.sorted(a), 50);
        double plainMs = Bench.percentile(Bench.sorted(b), 50);
        rows.add(Bench.row("LTV by first-touch utm_source (issue 6; SQL only, no endpoint in this tree)",
                "identity layer + JSON extraction %.0f ms, plain sorted table %.0f ms → %.2f× (target for the endpoint ≤ 1.3×); answer %s",
                rosterMs, plainMs, rosterMs / plainMs, summary(plainAnswer)));
    }

    private static String rows(Statement s, String sql) throws SQLException {
        StringBuilder out = new StringBuilder();
        try (ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.append(r.getString(1)).append(' ').append(r.getLong(2)).append(' ').append(r.getString(3)).append('\n');
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- the reports

    private void funnel(String base, String secret, Connection duck) throws Exception {
        LocalDate from = today.minusDays(364);
        String body = String.format(Locale.ROOT, "{\"steps\":[{\"event\":%s},{\"event\":%s},{\"event\":%s}],"
                        + "\"window\":{\"value\":14,\"unit\":\"day\"},\"from\":\"%s\",\"to\":\"%s\",\"time_zone\":\"UTC\"}",
                quote(step1), quote(step2), quote(step3), from, today);
        LocalDateTime start = from.atStartOfDay();
        LocalDateTime end = today.plusDays(1).atStartOfDay();
        String sql = funnelSql(false);
        String full = funnelWithTimesSql();
        Timed roster = time(() -> {
            StringBuilder answer = new StringBuilder();
            for (JsonNode step : post(base, secret, "funnel", body).get("steps")) {
                answer.append(step.get("count").asLong());
                if (step.has("median_seconds_from_previous")) {
                    answer.append(String.format(Locale.ROOT, " median %.3f avg %.3f", step.get("median_seconds_from_previous").asDouble(),
                            step.get("average_seconds_from_previous").asDouble()));
                }
                answer.append('\n');
            }
            return answer.toString();
        }, () -> funnelWithTimes(duck, full, funnelParams(start, end)), () -> query(duck, sql, funnelParams(start, end)));
        String baseline = funnelWithTimes(duck, full, funnelParams(start, end));
        compare("funnel", roster.answer, baseline);
        lastFunnel = new Object[] {sql, start, end, query(duck, sql, funnelParams(start, end))};
        record("3-step funnel " + step1 + " → " + step2 + " → " + step3 + ", 14-day window, " + from + " to " + today
                + " (counts, median and average time per step)", roster, baseline, 1.3, "counts only");
    }

    /**
     * The whole answer the API gives on the plain table: the counts of {@link #funnelSql}, and per
     * step the median and average seconds from the previous step of each person's earliest attempt
     * that reached it ({@code arg_min(.., t0)}), as the funnel defines them.
     */
    private static String funnelWithTimesSql() {
        return "WITH s0 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "s1 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "s2 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "a1 AS (SELECT a.person_id, a.ts AS t0, min(b.ts) AS t1 FROM s0 a JOIN s1 b ON b.person_id = a.person_id "
                + "AND b.ts >= a.ts AND b.ts <= a.ts + INTERVAL 14 DAY GROUP BY a.person_id, a.ts), "
                + "a2 AS (SELECT a.person_id, a.t0, a.t1, min(c.ts) AS t2 FROM a1 a JOIN s2 c ON c.person_id = a.person_id "
                + "AND c.ts >= a.t1 AND c.ts <= a.t0 + INTERVAL 14 DAY GROUP BY a.person_id, a.t0, a.t1), "
                + "p1 AS (SELECT arg_min(epoch(t1 - t0), t0) AS d FROM a1 GROUP BY person_id), "
                + "p2 AS (SELECT arg_min(epoch(t2 - t1), t0) AS d FROM a2 GROUP BY person_id) "
                + "SELECT (SELECT count(DISTINCT person_id) FROM s0), q1.*, q2.* FROM "
                + "(SELECT count(*), median(d), avg(d) FROM p1) q1, (SELECT count(*), median(d), avg(d) FROM p2) q2";
    }

    private static String funnelWithTimes(Connection c, String sql, Object[] params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                StringBuilder answer = new StringBuilder().append(r.getLong(1)).append('\n');
                for (int column = 2; column <= 7; column += 3) {
                    answer.append(r.getLong(column)).append(String.format(Locale.ROOT, " median %.3f avg %.3f",
                            r.getDouble(column + 1), r.getDouble(column + 2))).append('\n');
                }
                return answer.toString();
            }
        }
    }

    private Object[] lastFunnel;
    private Object[] lastRetention;

    private Object[] funnelParams(LocalDateTime start, LocalDateTime end) {
        LocalDateTime until = end.plusDays(14);
        return new Object[] {step1, ts(start), ts(end), step2, ts(start), ts(until), step3, ts(start), ts(until)};
    }

    /**
     * The funnel on the plain table: one CTE of (person_id, ts) per step, then per attempt the
     * earliest next step within 14 days of the attempt's start (range joins), counts of people.
     */
    private static String funnelSql(boolean postgres) {
        String window = postgres ? "INTERVAL '14 days'" : "INTERVAL 14 DAY";
        return "WITH s0 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "s1 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "s2 AS (SELECT person_id, ts FROM bench_events WHERE name = ? AND ts >= ? AND ts < ?), "
                + "a1 AS (SELECT a.person_id, a.ts AS t0, min(b.ts) AS t1 FROM s0 a JOIN s1 b ON b.person_id = a.person_id "
                + "AND b.ts >= a.ts AND b.ts <= a.ts + " + window + " GROUP BY a.person_id, a.ts), "
                + "a2 AS (SELECT a.person_id FROM a1 a JOIN s2 c ON c.person_id = a.person_id "
                + "AND c.ts >= a.t1 AND c.ts <= a.t0 + " + window + " GROUP BY a.person_id) "
                + "SELECT (SELECT count(DISTINCT person_id) FROM s0), (SELECT count(DISTINCT person_id) FROM a1), "
                + "(SELECT count(*) FROM a2)";
    }

    private void retention(String base, String secret, Connection duck) throws Exception {
        LocalDate from = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(25);
        String body = String.format(Locale.ROOT, "{\"cohort_event\":%s,\"first_time\":true,\"period\":\"week\",\"periods\":13,"
                + "\"from\":\"%s\",\"to\":\"%s\",\"time_zone\":\"UTC\"}", quote(cohortEvent), from, today);
        LocalDateTime start = from.atStartOfDay();
        LocalDateTime end = today.plusDays(1).atStartOfDay();
        String sql = retentionSql(false);
        Object[] params = {cohortEvent, ts(start), ts(end)};
        Timed roster = time(() -> {
            StringBuilder answer = new StringBuilder();
            for (JsonNode cohort : post(base, secret, "retention", body).get("cohorts")) {
                if (cohort.get("size").asLong() == 0) {
                    continue;
                }
                answer.append(cohort.get("start").asText()).append(' ').append(cohort.get("size").asLong());
                cohort.get("counts").forEach(c -> answer.append(',').append(c.asLong()));
                answer.append('\n');
            }
            return answer.toString();
        }, () -> query(duck, sql, params), null);
        String baseline = query(duck, sql, params);
        compare("retention", roster.answer, baseline);
        lastRetention = new Object[] {params, baseline};
        record("13-week retention, first " + cohortEvent + " → any event, weekly cohorts " + from + " to " + today,
                roster, baseline, 1.3, null);
    }

    /**
     * Retention on the plain table: cohort min(ts) per person, then per person
     * {@code bit_or(1 << week_offset)} of the later events within 13 weeks, then
     * {@code count(*) FILTER (WHERE bits & bit <> 0)} per week, per cohort week.
     */
    private static String retentionSql(boolean postgres) {
        String offset = postgres ? "floor(extract(epoch FROM e.ts - c.ta) / 604800)::INTEGER"
                : "(epoch_us(e.ts) - epoch_us(c.ta)) // " + WEEK_US;
        String weeks = postgres ? "INTERVAL '91 days'" : "INTERVAL 91 DAY";
        StringBuilder sql = new StringBuilder("WITH c AS (SELECT person_id, min(ts) AS ta FROM bench_events WHERE name = ? "
                + "GROUP BY person_id HAVING min(ts) >= ? AND min(ts) < ?), "
                + "m AS (SELECT c.person_id, bit_or(1::BIGINT << " + offset + ") AS bits FROM c JOIN bench_events e "
                + "ON e.person_id = c.person_id AND e.ts > c.ta AND e.ts < c.ta + " + weeks + " GROUP BY c.person_id) "
                + "SELECT date_trunc('week', c.ta)::DATE AS cb, count(*)");
        for (int n = 0; n < 13; n++) {
            sql.append(", count(*) FILTER (WHERE m.bits & ").append(1L << n).append(" <> 0)");
        }
        sql.append(" FROM c LEFT JOIN m ON m.person_id = c.person_id GROUP BY 1 ORDER BY 1");
        return sql.toString();
    }

    private void trend(String base, String secret, Connection duck) throws Exception {
        LocalDate from = today.minusDays(89);
        String body = String.format(Locale.ROOT, "{\"events\":[%s],\"interval\":\"day\",\"metrics\":[\"people\"],"
                + "\"from\":\"%s\",\"to\":\"%s\",\"time_zone\":\"UTC\"}", quote(trendEvent), from, today);
        Integer code = codes.get(trendEvent);
        if (code == null) {
            throw new IllegalStateException("the demo has no event '" + trendEvent + "': " + codes.keySet());
        }
        String daily = "SELECT date_trunc('day', ts)::DATE AS d, count(DISTINCT person_id) FROM bench_events "
                + "WHERE code = ? AND ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1";
        // the API also answers the unique people over the whole range: the same pairs, one more count
        String sql = "WITH p AS (SELECT date_trunc('day', ts)::DATE AS d, person_id FROM bench_events "
                + "WHERE code = ? AND ts >= ? AND ts < ? GROUP BY ALL) "
                + "SELECT d, count(*) FROM p GROUP BY d UNION ALL SELECT DATE '9999-12-31', count(DISTINCT person_id) FROM p ORDER BY 1";
        Object[] params = {code, ts(from.atStartOfDay()), ts(today.plusDays(1).atStartOfDay())};
        Timed roster = time(() -> {
            StringBuilder answer = new StringBuilder();
            JsonNode series = post(base, secret, "trends", body).get("series").get(0);
            for (JsonNode point : series.get("points")) {
                if (point.get("people").asLong() > 0) {
                    answer.append(point.get("start").asText(), 0, 10).append(' ').append(point.get("people").asLong()).append('\n');
                }
            }
            answer.append("9999-12-31 ").append(series.get("total").get("people").asLong()).append('\n');
            return answer.toString();
        }, () -> query(duck, sql, params), () -> query(duck, daily, params));
        String baseline = query(duck, sql, params);
        compare("trend", roster.answer, baseline);
        record("90-day daily unique people of " + trendEvent + ", " + from + " to " + today + " (and the range's unique people)",
                roster, baseline, 1.5, "daily unique people only");
    }

    // ---------------------------------------------------------------- PostgreSQL

    private void postgres(Path csv) throws Exception {
        Path dir = Files.createTempDirectory("roster-pg");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && exec(List.of("id", "pgbench"), false) != 0) {
            exec(List.of("useradd", "-m", "pgbench"), true);
        }
        exec(List.of("chmod", "777", dir.toString()), true);
        int port = Bench.freePort();
        Path data = dir.resolve("data");
        exec(asUser(root, List.of("/usr/local/bin/initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8")), true);
        exec(asUser(root, List.of("/usr/local/bin/pg_ctl", "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c work_mem=256MB "
                        + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB", "start")), true);
        try (Connection pg = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
             Statement s = pg.createStatement()) {
            long t0 = System.nanoTime();
            s.execute("CREATE UNLOGGED TABLE bench_events (person_id BIGINT NOT NULL, name VARCHAR NOT NULL, ts TIMESTAMP NOT NULL)");
            try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
                new org.postgresql.copy.CopyManager(pg.unwrap(org.postgresql.core.BaseConnection.class))
                        .copyIn("COPY bench_events FROM STDIN WITH (FORMAT csv)", reader);
            }
            s.execute("CREATE INDEX bench_events_name_person_ts ON bench_events (name, person_id, ts)");
            s.execute("CREATE INDEX bench_events_person_ts ON bench_events (person_id, ts)");
            s.execute("VACUUM ANALYZE bench_events");
            long bytes;
            try (ResultSet r = s.executeQuery("SELECT pg_total_relation_size('bench_events')")) {
                r.next();
                bytes = r.getLong(1);
            }
            rows.add(Bench.row("PostgreSQL 15: load (COPY) + 2 indexes + VACUUM ANALYZE", "%.1f s, %s with indexes",
                    (System.nanoTime() - t0) / 1e9, Bench.mib(bytes)));

            String funnelSql = funnelSql(true);
            LocalDateTime start = (LocalDateTime) lastFunnel[1];
            LocalDateTime end = (LocalDateTime) lastFunnel[2];
            Object[] funnelParams = funnelParams(start, end);
            postgresReport("funnel", pg, funnelSql, funnelParams, (String) lastFunnel[3], rosterFunnel);
            Object[] retentionParams = (Object[]) lastRetention[0];
            postgresReport("retention", pg, retentionSql(true), retentionParams, (String) lastRetention[1], rosterRetention);
        } finally {
            exec(asUser(root, List.of("/usr/local/bin/pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop")), false);
            exec(List.of("rm", "-rf", dir.toString()), false);
        }
    }

    private double rosterFunnel;
    private double rosterRetention;

    private void postgresReport(String what, Connection pg, String sql, Object[] params, String expected, double rosterMs)
            throws Exception {
        query(pg, sql, params);
        List<Long> nanos = new ArrayList<>();
        String answer = null;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            answer = query(pg, sql, params);
            nanos.add(System.nanoTime() - t0);
        }
        compare("PostgreSQL " + what, answer, expected);
        double ms = Bench.percentile(Bench.sorted(nanos), 50);
        double speedup = ms / rosterMs;
        rows.add(Bench.row("PostgreSQL 15 " + what + " (same SQL shape, indexed)", "%.0f ms median; Roster %.0f ms → **Roster/PostgreSQL speedup %.2f×** (target ≥ 7×: %s)",
                ms, rosterMs, speedup, speedup >= 7 ? "met" : "missed"));
    }

    private static List<String> asUser(boolean root, List<String> command) {
        if (!root) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "pgbench", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static int exec(List<String> command, boolean check) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " timed out");
        }
        if (check && p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
        return p.exitValue();
    }

    // ---------------------------------------------------------------- timing

    private interface Call {
        String run() throws Exception;
    }

    private record Timed(String answer, double rosterMs, double baselineMs, double narrowMs) {
    }

    /**
     * Warm-up, then alternating timed runs (Roster, the baseline computing the same answer, and the
     * optional narrower query that computes less); medians.
     */
    private Timed time(Call roster, Call baseline, Call narrow) throws Exception {
        String answer = null;
        for (int i = 0; i < warmup; i++) {
            answer = roster.run();
            baseline.run();
            if (narrow != null) {
                narrow.run();
            }
        }
        List<Long> r = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            answer = roster.run();
            long t1 = System.nanoTime();
            baseline.run();
            long t2 = System.nanoTime();
            if (narrow != null) {
                narrow.run();
                n.add(System.nanoTime() - t2);
            }
            r.add(t1 - t0);
            b.add(t2 - t1);
        }
        return new Timed(answer, Bench.percentile(Bench.sorted(r), 50), Bench.percentile(Bench.sorted(b), 50),
                narrow == null ? Double.NaN : Bench.percentile(Bench.sorted(n), 50));
    }

    private void record(String what, Timed timed, String answer, double target, String narrower) {
        double ratio = timed.rosterMs / timed.baselineMs;
        String extra = narrower == null ? "" : String.format(Locale.ROOT, "; a narrower query (%s) %.0f ms → %.2f×",
                narrower, timed.narrowMs, timed.rosterMs / timed.narrowMs);
        rows.add(Bench.row(what, "Roster %.0f ms, DuckDB SQL for the same answer %.0f ms → **%.2f×** (target ≤ %.1f×: %s)%s; answer %s",
                timed.rosterMs, timed.baselineMs, ratio, target, ratio <= target ? "met" : "missed", extra, summary(answer)));
        if (what.startsWith("3-step")) {
            rosterFunnel = timed.rosterMs;
        } else if (what.startsWith("13-week")) {
            rosterRetention = timed.rosterMs;
        }
    }

    private static String summary(String answer) {
        String oneLine = answer.strip().replace('\n', ';');
        return oneLine.length() > 120 ? oneLine.substring(0, 120) + "… (" + answer.strip().split("\n").length + " rows, all equal)" : oneLine;
    }

    private static void compare(String what, String roster, String baseline) {
        System.out.println("== " + what + " Roster:\n" + roster.strip() + "\n== " + what + " baseline:\n" + baseline.strip());
        if (!roster.strip().equals(baseline.strip())) {
            throw new IllegalStateException(what + ": Roster's answer differs from the baseline's");
        }
    }

    /** Runs a query and renders its rows: a single row as [a, b, c], several as "first rest,..." lines. */
    private static String query(Connection c, String sql, Object[] params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                int columns = r.getMetaData().getColumnCount();
                List<String> lines = new ArrayList<>();
                while (r.next()) {
                    lines.add(render(r, columns));
                }
                if (lines.size() == 1 && lines.get(0).startsWith("[")) {
                    return lines.get(0);
                }
                return String.join("\n", lines) + "\n";
            }
        }
    }

    private static String render(ResultSet r, int columns) throws SQLException {
        Object first = r.getObject(1);
        if (first instanceof Number) {
            List<Long> values = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                values.add(r.getLong(i));
            }
            return values.toString();
        }
        StringBuilder line = new StringBuilder(r.getString(1).substring(0, 10)).append(' ').append(r.getLong(2));
        for (int i = 3; i <= columns; i++) {
            line.append(',').append(r.getLong(i));
        }
        return line.toString();
    }

    private static Timestamp ts(LocalDateTime time) {
        return Timestamp.valueOf(time);
    }

    private static String quote(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode post(String base, String secret, String kind, String body) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/" + kind))
                        .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(kind + " answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return Json.parse(response.body());
    }
}

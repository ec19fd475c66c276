package dev.roster.bench;

import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import dev.roster.store.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The revenue ledger on a demo copy: what the first start costs (building the ledger from every
 * event), what the revenue report and its sections take through the API, and, in a profile of
 * the SQL on the same file, the old shape (the amount parsed from every event's JSON) against the
 * ledger shape, with their answers compared.
 *
 * <pre>
 * cp -r /work/bench-data/demo-1000000 target/bench/
 * BENCH_OPTS="-Ddata=target/bench/demo-1000000 -Druns=5" bench/run.sh 1000000 RevenueLedgerBenchmark
 * </pre>
 * The server is {@code target/roster.jar} in a child JVM ({@code -DserverJvmOptions=-Xmx1g}); each
 * timed call runs once as a warm-up, then {@code -Druns} rounds in turn; medians.
 */
public final class RevenueLedgerBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final int runs = Bench.intProperty("runs", 5);
    private final List<String[]> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new RevenueLedgerBenchmark().run();
    }

    private void run() throws Exception {
        Path directory = Path.of(System.getProperty("data", "target/bench/demo-1000000"));
        Path file = directory.resolve("roster.duckdb").toAbsolutePath();
        String loadStart = Bench.loadAverage();
        String secret;
        LocalDate today;
        try (Connection c = duckdb(file); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT k.secret_key FROM secret_keys k JOIN projects p USING (project_key) "
                    + "ORDER BY p.created_at LIMIT 1")) {
                r.next();
                secret = r.getString(1);
            }
            try (ResultSet r = s.executeQuery("SELECT max(ts) FROM all_events")) {
                r.next();
                today = r.getTimestamp(1).toLocalDateTime().toLocalDate();
            }
        }
        int port = Bench.freePort();
        String range = String.format(Locale.ROOT, "\"from\":\"%s\",\"to\":\"%s\"", today.minusYears(1), today);
        try (Bench.Child server = new Bench.Child("serve", "--data", directory.toString(), "--port", String.valueOf(port))) {
            long started = System.nanoTime();
            server.await("Roster is running at", 1800);
            rows.add(Bench.row("server start (includes building the ledger when missing)", "%.1f s", (System.nanoTime() - started) / 1e9));
            String base = "http://127.0.0.1:" + port;
            Map<String, String> bodies = new LinkedHashMap<>();
            String common = "{" + range + ",\"group_by\":\"channel\",\"interval\":\"month\",\"churn_days\":30";
            bodies.put("periods", common + ",\"sections\":[\"periods\"]}");
            bodies.put("cohorts", common + ",\"sections\":[\"cohorts\"]}");
            bodies.put("ltv (channel)", common + ",\"sections\":[\"ltv\"]}");
            bodies.put("whole page (all sections)", common + "}");
            List<Call> calls = new ArrayList<>();
            for (String body : bodies.values()) {
                calls.add(() -> post(base, secret, body));
            }
            List<Double> medians = time(calls);
            int i = 0;
            for (String name : bodies.keySet()) {
                rows.add(Bench.row("API " + name, "%,.0f ms", medians.get(i++)));
            }
        }
        try (Connection c = duckdb(file)) {
            profile(c, today);
        }
        rows.add(Bench.row("runs", "median of %d after 1 warm-up, calls alternating", runs));
        rows.add(Bench.row("machine load average at start / end", "%s / %s (2 cores, shared)", loadStart, Bench.loadAverage()));
        Bench.report("RevenueLedgerBenchmark " + directory, rows);
    }

    /** The old shapes (amount parsed from the JSON of every event) against the ledger shapes, same answers. */
    private void profile(Connection c, LocalDate today) throws Exception {
        RevenueExpression amount = RevenueExpression.of(RevenueConfig.DEFAULT);
        Timestamp from = Timestamp.valueOf(today.minusYears(1).atStartOfDay());
        Timestamp to = Timestamp.valueOf(today.plusDays(1).atStartOfDay());
        String periodsOld = "WITH x AS (SELECT pk, date_trunc('month', ts) AS bucket, coalesce(sum(amount), 0) AS revenue, "
                + "coalesce(bool_or(amount > 0), false) AS paid FROM (SELECT person_key AS pk, ts, " + amount.sql() + " AS amount "
                + "FROM resolved_events WHERE project_key = 1 AND ts >= ? AND ts < ?) GROUP BY ALL) "
                + "SELECT strftime(bucket, '%Y-%m'), round(sum(revenue), 2), count(*) FILTER (WHERE paid), count(*) FROM x GROUP BY 1 ORDER BY 1";
        String periodsNew = "WITH act AS (SELECT DISTINCT person_key AS pk, date_trunc('month', ts) AS bucket FROM resolved_events "
                + "WHERE project_key = 1 AND ts >= ? AND ts < ?), pay AS (SELECT person_key AS pk, date_trunc('month', ts) AS bucket, "
                + "sum(amount) AS revenue, bool_or(amount > 0) AS paid FROM resolved_payments WHERE project_key = 1 AND ts >= ? AND ts < ? "
                + "GROUP BY ALL), x AS (SELECT act.bucket, coalesce(pay.revenue, 0) AS revenue, coalesce(pay.paid, false) AS paid "
                + "FROM act LEFT JOIN pay ON pay.pk = act.pk AND pay.bucket = act.bucket) "
                + "SELECT strftime(bucket, '%Y-%m'), round(sum(revenue), 2), count(*) FILTER (WHERE paid), count(*) FROM x GROUP BY 1 ORDER BY 1";
        String cohortsOld = "WITH p AS (SELECT person_key AS pk, min(ts) AS first_seen, list({'ts': ts, 'amount': amount}) "
                + "FILTER (WHERE amount <> 0) AS payments FROM (SELECT person_key, ts, " + amount.sql() + " AS amount FROM resolved_events "
                + "WHERE project_key = 1) GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?) " + curve();
        String cohortsNew = "WITH f AS (SELECT person_key AS pk, min(ts) AS first_seen FROM resolved_events WHERE project_key = 1 "
                + "GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?), pay AS (SELECT person_key AS pk, "
                + "list({'ts': ts, 'amount': amount}) FILTER (WHERE amount <> 0) AS payments FROM resolved_payments WHERE project_key = 1 "
                + "GROUP BY person_key), p AS (SELECT f.pk, f.first_seen, pay.payments FROM f LEFT JOIN pay ON pay.pk = f.pk) " + curve();
        String amountsJson = "SELECT round(sum(amount), 2), count(amount) FROM (SELECT " + amount.sql() + " AS amount FROM all_events WHERE project_key = 1)";
        String amountsLedger = "SELECT round(sum(amount), 2), count(amount) FROM payments WHERE project_key = 1";
        String keysOnly = "SELECT count(*) FROM (SELECT DISTINCT person_key, date_trunc('month', ts) FROM resolved_events "
                + "WHERE project_key = 1 AND ts >= ? AND ts < ?)";
        String firstSeen = "SELECT count(*) FROM (SELECT person_key, min(ts) FROM resolved_events WHERE project_key = 1 GROUP BY person_key)";
        List<Call> calls = List.of(
                () -> rows(c, periodsOld, amount.parameters(), from, to),
                () -> rows(c, periodsNew, List.of(), from, to, from, to),
                () -> rows(c, cohortsOld, amount.parameters(), from, to),
                () -> rows(c, cohortsNew, List.of(), from, to),
                () -> rows(c, amountsJson, amount.parameters()),
                () -> rows(c, amountsLedger, List.of()),
                () -> rows(c, keysOnly, List.of(), from, to),
                () -> rows(c, firstSeen, List.of()));
        List<String> answers = new ArrayList<>();
        List<Double> medians = time(calls, answers);
        same("periods", answers.get(0), answers.get(1));
        same("cohorts", answers.get(2), answers.get(3));
        same("amounts", answers.get(4), answers.get(5));
        String[] names = {"SQL periods, amount from JSON (old)", "SQL periods, ledger + events' key/time (new)",
            "SQL cohorts, amount from JSON (old)", "SQL cohorts, ledger + first seen (new)",
            "SQL sum of every amount from JSON", "SQL sum of every amount from the ledger",
            "SQL distinct (person, month) in the range (no JSON)", "SQL first seen per person (no JSON)"};
        for (int i = 0; i < names.length; i++) {
            rows.add(Bench.row(names[i], "%,.0f ms", medians.get(i)));
        }
        System.out.println("periods:\n" + answers.get(1) + "cohorts:\n" + answers.get(3) + "amounts: " + answers.get(5));
    }

    private static String curve() {
        StringBuilder sql = new StringBuilder("SELECT strftime(first_seen, '%Y-%m'), count(*)");
        for (int months : new int[] {1, 3, 12}) {
            String horizon = "first_seen + INTERVAL " + months + " MONTH";
            sql.append(", round(sum(coalesce(list_sum(list_transform(list_filter(payments, lambda x: x.ts < ").append(horizon)
                    .append("), lambda x: x.amount)), 0)), 2)");
        }
        return sql.append(" FROM p GROUP BY 1 ORDER BY 1").toString();
    }

    private static void same(String what, String old, String now) {
        if (!old.equals(now)) {
            throw new IllegalStateException(what + ": the ledger shape answers differently\nold:\n" + old + "new:\n" + now);
        }
    }

    private static Connection duckdb(Path file) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        properties.setProperty("memory_limit", Database.DEFAULT_MEMORY_LIMIT);
        properties.setProperty("access_mode", "READ_ONLY");
        return DriverManager.getConnection("jdbc:duckdb:" + file, properties);
    }

    private static String rows(Connection c, String sql, List<Object> first, Object... more) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            int index = 1;
            for (Object value : first) {
                statement.setObject(index++, value);
            }
            for (Object value : more) {
                statement.setObject(index++, value);
            }
            try (ResultSet r = statement.executeQuery()) {
                return Bench.text(r);
            }
        }
    }

    private static String post(String base, String secret, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/reports/revenue"))
                .timeout(Duration.ofMinutes(10)).header("Authorization", "Bearer " + secret)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("revenue report answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private interface Call {
        String run() throws Exception;
    }

    private List<Double> time(List<Call> calls) throws Exception {
        return time(calls, new ArrayList<>());
    }

    /** One warm-up round, then {@code runs} rounds of every call in turn; the median per call. */
    private List<Double> time(List<Call> calls, List<String> answers) throws Exception {
        List<List<Long>> nanos = new ArrayList<>();
        answers.clear();
        for (int k = 0; k < calls.size(); k++) {
            nanos.add(new ArrayList<>());
            answers.add(null);
        }
        for (int i = 0; i < 1 + runs; i++) {
            for (int k = 0; k < calls.size(); k++) {
                long t0 = System.nanoTime();
                answers.set(k, calls.get(k).run());
                if (i > 0) {
                    nanos.get(k).add(System.nanoTime() - t0);
                }
            }
        }
        List<Double> medians = new ArrayList<>();
        for (List<Long> values : nanos) {
            medians.add(Bench.percentile(Bench.sorted(values), 50));
        }
        return medians;
    }
}

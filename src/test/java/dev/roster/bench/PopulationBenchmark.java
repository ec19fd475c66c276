package dev.roster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import java.io.IOException;
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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Populations through the HTTP API against hand-written DuckDB SQL for the same set, in the same
 * run (issue 5, Performance), on the demo dataset:
 *
 * <ol>
 *   <li>{@code roster demo --people N --generate-only} in a child JVM (reuses a finished dataset;
 *       skipped with {@code -Dreuse=true} when the directory holds a demo manifest);</li>
 *   <li>this JVM attaches the demo database read-only and copies its resolved events (merges
 *       applied) into a plain table {@code bench_events(person_id, name, ts)} sorted by
 *       (person_id, ts) in a separate DuckDB file, the layout of ReportBenchmark's baseline;</li>
 *   <li>{@code roster demo} serves the same directory; each measurement runs {@code -Dwarmup}
 *       (default 2) times, then {@code -Druns} (default 7) rounds in which every Roster call and
 *       every baseline query runs once, interleaved, so that the shared machine's load hits all
 *       alike; medians.</li>
 * </ol>
 * Measured:
 * <ul>
 *   <li>"3+ Viewed Pricing in the last 30 days and never Purchased": {@code GET /api/populations/{id}}
 *       (its count) against the faster of two hand-written shapes on the plain table (the anti-join
 *       of DUCKDB-NOTES, and one grouped pass with {@code FILTER}ed counts); the answers must be equal;</li>
 *   <li>the first page of its members, {@code GET /api/populations/{id}/people?limit=50};</li>
 *   <li>a 3-condition AND/OR population as a funnel filter: the 3-step funnel of ReportBenchmark with
 *       {@code "population": id} against the same funnel without it plus the population's own count.</li>
 * </ul>
 * The baseline connection gets the server's memory limit (1GB, the demo default) and the default
 * thread count.
 */
public final class PopulationBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String PRICING = System.getProperty("pricingEvent", "Viewed Pricing");
    static final String PURCHASE = System.getProperty("purchaseEvent", "Purchased");
    static final String PRICING_NO_PURCHASE = "{\"all\": [{\"did\": " + quote(PRICING)
            + ", \"count\": {\"op\": \"gte\", \"value\": 3}, \"within\": {\"last\": 30, \"unit\": \"day\"}}, {\"did_not\": "
            + quote(PURCHASE) + "}]}";
    /** Three conditions, AND of an OR: engaged readers who looked at pricing recently or are on the pro plan. */
    static final String READERS = "{\"all\": [{\"did\": \"Read Article\", \"count\": {\"op\": \"gte\", \"value\": 2}}, "
            + "{\"any\": [{\"did\": " + quote(PRICING) + ", \"within\": {\"last\": 90, \"unit\": \"day\"}}, "
            + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}]}]}";

    private final int warmup = Bench.intProperty("warmup", 2);
    private final int runs = Bench.intProperty("runs", 7);
    private final List<String[]> rows = new ArrayList<>();
    private LocalDate today;

    public static void main(String[] args) throws Exception {
        new PopulationBenchmark().run();
    }

    private void run() throws Exception {
        int people = Bench.intProperty("people", 20_000);
        Path directory = Path.of(System.getProperty("data", "target/bench/demo-" + people));
        Path baselineFile = Path.of("target", "bench", "population-baseline-" + people + ".duckdb");
        String load = Bench.loadAverage();
        if (!(Boolean.getBoolean("reuse") && Files.exists(directory.resolve("demo.json")))) {
            // (re)generates, or reuses a finished dataset after loading it once: -Dreuse=true skips that start
            try (Bench.Child generator = new Bench.Child("demo", "--people", String.valueOf(people), "--seed", "1",
                    "--data", directory.toString(), "--generate-only")) {
                if (generator.waitFor(6 * 3600) != 0) {
                    throw new IllegalStateException("roster demo --generate-only failed");
                }
            }
        }
        long events = copyBaseline(directory, baselineFile);
        rows.add(Bench.row("people / events", "%,d / %,d", people, events));

        int port = Bench.freePort();
        try (Bench.Child child = new Bench.Child("demo", "--people", String.valueOf(people), "--seed", "1",
                "--data", directory.toString(), "--port", String.valueOf(port));
             Connection duck = duckdb(baselineFile)) {
            child.await("Roster is running at", 600);
            String secret = child.await("secret key:", 10).replaceAll(".*secret key:\\s*", "").trim();
            Api api = new Api("http://127.0.0.1:" + port, secret);
            pricing(api, duck);
            funnelFilter(api);
        } finally {
            Files.deleteIfExists(baselineFile);
            Files.deleteIfExists(Path.of(baselineFile + ".wal"));
        }
        rows.add(Bench.row("runs", "median of %d interleaved rounds after %d warm-up rounds", runs, warmup));
        rows.add(Bench.row("machine load average at start / end", "%s / %s (2 cores, shared)", load, Bench.loadAverage()));
        Bench.report("PopulationBenchmark people=" + people, rows);
    }

    // ---------------------------------------------------------------- the plain table

    private static Connection duckdb(Path file) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        properties.setProperty("memory_limit", "1GB");
        return DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath(), properties);
    }

    private long copyBaseline(Path directory, Path baselineFile) throws SQLException, IOException {
        Files.deleteIfExists(baselineFile);
        Files.deleteIfExists(Path.of(baselineFile + ".wal"));
        long t0 = System.nanoTime();
        try (Connection c = duckdb(baselineFile); Statement s = c.createStatement()) {
            s.execute("ATTACH '" + directory.resolve("roster.duckdb").toAbsolutePath() + "' AS r (READ_ONLY)");
            s.execute("CREATE TABLE bench_events AS SELECT coalesce(m.to_key, e.person_key) AS person_id, e.name, e.ts "
                    + "FROM (SELECT * FROM r.events_compacted UNION ALL SELECT * FROM r.events_recent) e "
                    + "LEFT JOIN r.unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key "
                    + "ORDER BY person_id, ts");
            s.execute("DETACH r");
            s.execute("CHECKPOINT");
            try (ResultSet r = s.executeQuery("SELECT count(*), max(ts) FROM bench_events")) {
                r.next();
                today = r.getTimestamp(2).toLocalDateTime().toLocalDate();
                System.out.printf("bench_events: %,d rows copied and sorted in %.1f s%n", r.getLong(1), (System.nanoTime() - t0) / 1e9);
                return r.getLong(1);
            }
        }
    }

    // ---------------------------------------------------------------- measurements

    /** The anti-join of DUCKDB-NOTES: people with 3+ views in the window, without any purchase. */
    private static final String ANTI_JOIN = "SELECT count(*) FROM (SELECT person_id FROM bench_events WHERE name = ? AND ts >= ? "
            + "AND ts <= ? GROUP BY person_id HAVING count(*) >= 3) v WHERE NOT EXISTS "
            + "(SELECT 1 FROM bench_events p WHERE p.name = ? AND p.person_id = v.person_id)";
    /** One grouped pass over both events (the table is sorted by person, so the aggregate streams). */
    private static final String ONE_PASS = "SELECT count(*) FROM (SELECT person_id FROM bench_events WHERE name = ? OR name = ? "
            + "GROUP BY person_id HAVING count(*) FILTER (WHERE name = ? AND ts >= ? AND ts <= ?) >= 3 "
            + "AND count(*) FILTER (WHERE name = ?) = 0)";

    private long antiJoin(Connection duck, Instant now) throws SQLException {
        return single(duck, ANTI_JOIN, PRICING, ts(now.minus(Duration.ofDays(30))), ts(now), PURCHASE);
    }

    private long onePass(Connection duck, Instant now) throws SQLException {
        return single(duck, ONE_PASS, PRICING, PURCHASE, PRICING, ts(now.minus(Duration.ofDays(30))), ts(now), PURCHASE);
    }

    private void pricing(Api api, Connection duck) throws Exception {
        String id = api.post("/api/populations", "{\"name\": \"Pricing, no purchase " + Instant.now() + "\", \"definition\": " + PRICING_NO_PURCHASE + "}")
                .get("id").asText();
        // "last 30 days" ends at the server's now: the baseline's now is taken just before and after
        Instant before = Instant.now();
        long roster = api.get("/api/populations/" + id).get("count").asLong();
        Instant after = Instant.now();
        long expected = antiJoin(duck, before);
        if (roster != expected && roster != antiJoin(duck, after)) {
            throw new IllegalStateException("population count " + roster + " differs from the hand-written anti-join's " + expected);
        }
        if (onePass(duck, before) != antiJoin(duck, before)) {
            throw new IllegalStateException("the two baseline shapes disagree");
        }
        JsonNode page = api.get("/api/populations/" + id + "/people?limit=50");
        if (page.get("count").asLong() != roster || page.get("people").size() != Math.min(50, roster)) {
            throw new IllegalStateException("members page: " + page.get("count") + " members, " + page.get("people").size() + " shown");
        }
        Instant now = Instant.now();
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("count", () -> api.get("/api/populations/" + id).get("count").asLong());
        calls.put("anti-join", () -> antiJoin(duck, now));
        calls.put("one pass", () -> onePass(duck, now));
        calls.put("page", () -> api.get("/api/populations/" + id + "/people?limit=50").get("people").size());
        Map<String, Double> ms = time(calls);
        double best = Math.min(ms.get("anti-join"), ms.get("one pass"));
        double ratio = ms.get("count") / best;
        rows.add(Bench.row("\"3+ " + PRICING + " in the last 30 days and never " + PURCHASE + "\": count, GET /api/populations/{id}",
                "Roster %.0f ms, best DuckDB SQL %.0f ms (anti-join %.0f, one pass %.0f) → **%.2f×** (target ≤ 1.3×: %s); %,d members",
                ms.get("count"), best, ms.get("anti-join"), ms.get("one pass"), ratio, ratio <= 1.3 ? "met" : "missed", roster));
        rows.add(Bench.row("first page of its members, GET /api/populations/{id}/people?limit=50",
                "%.0f ms (target < 100 ms: %s)", ms.get("page"), ms.get("page") < 100 ? "met" : "missed"));
    }

    private void funnelFilter(Api api) throws Exception {
        String id = api.post("/api/populations", "{\"name\": \"Readers " + Instant.now() + "\", \"definition\": " + READERS + "}").get("id").asText();
        LocalDate from = today.minusDays(364);
        String funnel = String.format(Locale.ROOT, "{\"steps\":[{\"event\":%s},{\"event\":\"Started Trial\"},{\"event\":%s}],"
                + "\"window\":{\"value\":14,\"unit\":\"day\"},\"from\":\"%s\",\"to\":\"%s\",\"time_zone\":\"UTC\"", quote(PRICING),
                quote(PURCHASE), from, today);
        String filtered = funnel + ",\"population\":" + quote(id) + "}";
        List<Long> all = steps(api.post("/api/reports/funnel", funnel + "}"));
        List<Long> members = steps(api.post("/api/reports/funnel", filtered));
        long size = api.get("/api/populations/" + id).get("count").asLong();
        for (int k = 0; k < all.size(); k++) {
            if (members.get(k) > all.get(k) || members.get(k) > size) {
                throw new IllegalStateException("filtered funnel " + members + " is not within " + all + " and " + size + " members");
            }
        }
        Map<String, Call> calls = new LinkedHashMap<>();
        calls.put("funnel", () -> steps(api.post("/api/reports/funnel", funnel + "}")).get(0));
        calls.put("filtered", () -> steps(api.post("/api/reports/funnel", filtered)).get(0));
        calls.put("count", () -> api.get("/api/populations/" + id).get("count").asLong());
        Map<String, Double> ms = time(calls);
        double budget = 1.5 * ms.get("funnel") + ms.get("count");
        rows.add(Bench.row("3-step funnel " + PRICING + " → Started Trial → " + PURCHASE + " (14 days, " + from + " to " + today
                        + ") filtered by a 3-condition AND/OR population (" + size + " members)",
                "filtered %.0f ms; unfiltered %.0f ms, population count %.0f ms → budget 1.5 × %.0f + %.0f = %.0f ms: **%.2f× the budget** (target ≤ 1: %s); steps %s of %s",
                ms.get("filtered"), ms.get("funnel"), ms.get("count"), ms.get("funnel"), ms.get("count"), budget,
                ms.get("filtered") / budget, ms.get("filtered") <= budget ? "met" : "missed", members, all));
    }

    private static List<Long> steps(JsonNode funnel) {
        List<Long> counts = new ArrayList<>();
        funnel.get("steps").forEach(step -> counts.add(step.get("count").asLong()));
        return counts;
    }

    // ---------------------------------------------------------------- timing

    private interface Call {
        Object run() throws Exception;
    }

    /** Warm-up rounds, then rounds running every call once in order; the median of each. */
    private Map<String, Double> time(Map<String, Call> calls) throws Exception {
        for (int i = 0; i < warmup; i++) {
            for (Call call : calls.values()) {
                call.run();
            }
        }
        Map<String, List<Long>> nanos = new LinkedHashMap<>();
        calls.keySet().forEach(name -> nanos.put(name, new ArrayList<>()));
        for (int i = 0; i < runs; i++) {
            for (Map.Entry<String, Call> call : calls.entrySet()) {
                long t0 = System.nanoTime();
                call.getValue().run();
                nanos.get(call.getKey()).add(System.nanoTime() - t0);
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        nanos.forEach((name, values) -> medians.put(name, Bench.percentile(Bench.sorted(values), 50)));
        System.out.println("medians (ms): " + medians);
        return medians;
    }

    private static long single(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.valueOf(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    private static String quote(String text) {
        try {
            return Json.MAPPER.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The read API with the secret key. */
    private record Api(String base, String secret) {
        JsonNode get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), path);
        }

        JsonNode post(String path, String body) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)), path);
        }

        private JsonNode send(HttpRequest.Builder request, String path) throws IOException, InterruptedException {
            HttpResponse<byte[]> response = HTTP.send(request.header("Authorization", "Bearer " + secret).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return Json.parse(response.body());
        }
    }
}

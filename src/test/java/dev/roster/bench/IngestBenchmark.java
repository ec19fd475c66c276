package dev.roster.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.roster.common.Json;
import dev.roster.demo.DemoGenerator;
import dev.roster.ingest.Command;
import dev.roster.ingest.PropertyOperation;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
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
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * HTTP ingestion against the raw DuckDB appender, on the same demo events in the same run.
 *
 * <ol>
 *   <li>The demo dataset's commands for {@code -DingestPeople} people (default {@code -Dpeople}) are
 *       encoded as Segment messages (track, page, identify, alias) in {@code /v1/batch} bodies of
 *       100 messages, into a file, before anything is timed.</li>
 *   <li><b>Appender baseline</b>: the same events as rows of a plain table with the events'
 *       columns, appended in one transaction per 1,000 rows (only the append and commit are timed;
 *       building the rows is not).</li>
 *   <li><b>HTTP</b>: {@code roster serve} in a child JVM; {@code -Dclients} (default 8) concurrent
 *       java.net.http clients post the bodies with the write key; each 200 means committed. First
 *       {@code -DwarmupPeople} other demo people (default a tenth, at most 5,000) go through the
 *       same path untimed, so the timed phase sees compiled code, as a long-running server would;
 *       server CPU is counted for the timed phase only.</li>
 * </ol>
 */
public final class IngestBenchmark {
    private static final int BATCH = 100;
    private static final int APPENDER_ROWS_PER_TRANSACTION = 1_000;

    public static void main(String[] args) throws Exception {
        int people = Bench.intProperty("ingestPeople", Bench.intProperty("people", 20_000));
        int clients = Bench.intProperty("clients", 8);
        int warmupPeople = Bench.intProperty("warmupPeople", Math.min(5_000, Math.max(people / 10, 500)));
        Path work = Path.of("target", "bench", "ingest-" + people);
        Bench.deleteRecursively(work);
        Files.createDirectories(work);
        Instant now = Instant.now();
        String load = Bench.loadAverage();

        Path bodies = work.resolve("batches.bin");
        long[] counts = encode(0, people, now, bodies);
        Path warmupBodies = work.resolve("warmup.bin");
        long[] warmupCounts = encode(people, people + warmupPeople, now, warmupBodies);
        long events = counts[0];
        long messages = counts[1];
        long batches = counts[2];
        System.out.printf("encoded %,d messages (%,d events) in %,d batches (%s)%n", messages, events, batches,
                Bench.mib(Files.size(bodies)));

        double appenderSeconds = appenderBaseline(people, now, work.resolve("appender"));
        double appenderRate = events / appenderSeconds;
        System.out.printf("appender: %,d rows in %.2f s = %,.0f rows/s%n", events, appenderSeconds, appenderRate);

        Path data = work.resolve("data");
        String writeKey;
        try (Bench.Child create = new Bench.Child("project", "create", "Bench", "--data", data.toString())) {
            String line = create.await("write_key", 120);
            writeKey = Json.parse(line.substring(line.indexOf('{'))).get("write_key").asText();
            create.waitFor(60);
        }
        int port = Bench.freePort();
        List<String[]> rows = new ArrayList<>();
        try (Bench.Child server = new Bench.Child("serve", "--data", data.toString(), "--port", String.valueOf(port))) {
            server.await("Roster is running at", 300);
            String authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/batch");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            AtomicLong acknowledged = new AtomicLong();
            AtomicLong rejectedBodies = new AtomicLong();
            AtomicLong stored = new AtomicLong();
            // Warm-up: other demo people's events through the same path, untimed, so that the timed
            // phase measures a server whose code is compiled (a long-running server's steady state).
            post(http, uri, authorization, warmupBodies, clients, Collections.synchronizedList(new ArrayList<>()), new AtomicLong(), new AtomicLong(), new AtomicLong());
            System.out.printf("warm-up: %,d events of %,d other people acknowledged%n", warmupCounts[0], warmupPeople);
            String metricsBefore = metrics(http, port);
            double cpuBefore = Bench.cpuSeconds(server.pid());
            long started = System.nanoTime();
            post(http, uri, authorization, bodies, clients, latencies, acknowledged, rejectedBodies, stored);
            double seconds = (System.nanoTime() - started) / 1e9;
            double serverCpu = Bench.cpuSeconds(server.pid()) - cpuBefore;
            double httpRate = events / seconds;
            long[] sorted = Bench.sorted(latencies);
            rows.add(Bench.row("demo people / events / messages", "%,d / %,d / %,d (messages add identify and alias calls)",
                    people, events, messages));
            rows.add(Bench.row("HTTP /v1/batch, 100 messages per batch, " + clients + " clients", "%,.0f events/s (%,.0f messages/s), %,d batches in %.1f s",
                    httpRate, messages / seconds, acknowledged.get(), seconds));
            rows.add(Bench.row("batch latency p50 / p95 / p99", "%.1f / %.1f / %.1f ms",
                    Bench.percentile(sorted, 50), Bench.percentile(sorted, 95), Bench.percentile(sorted, 99)));
            rows.add(Bench.row("raw DuckDB appender, 1,000 rows per transaction", "%,.0f rows/s", appenderRate));
            rows.add(Bench.row("HTTP / appender", "%.0f%%", 100 * httpRate / appenderRate));
            rows.add(Bench.row("server CPU during ingestion", "%.0f s (%,.0f events per CPU-second)", serverCpu, events / serverCpu));
            rows.add(Bench.row("server RSS max", "%s", Bench.mib(server.maxRssBytes())));
            String metrics = metrics(http, port);
            double commits = metric(metrics, "roster_commit_seconds_count") - metric(metricsBefore, "roster_commit_seconds_count");
            rows.add(Bench.row("group commits / mean events per commit / mean commit time (timed phase)", "%,.0f / %,.0f / %.1f ms",
                    commits, (metric(metrics, "roster_commit_events_sum") - metric(metricsBefore, "roster_commit_events_sum")) / commits,
                    1000 * (metric(metrics, "roster_commit_seconds_sum") - metric(metricsBefore, "roster_commit_seconds_sum")) / commits));
            rows.add(Bench.row("events stored (acknowledged) / batches with rejections", "%,d / %,d", stored.get(), rejectedBodies.get()));
            rows.add(Bench.row("machine load average at start", "%s (2 cores, shared)", load));
        }
        Bench.report("IngestBenchmark people=" + people, rows);
        Files.deleteIfExists(bodies);
        Files.deleteIfExists(warmupBodies);
    }

    /** Posts every body of {@code file} with {@code clients} concurrent clients; each must answer 200. */
    private static void post(HttpClient http, URI uri, String authorization, Path file, int clients, List<Long> latencies,
                             AtomicLong acknowledged, AtomicLong rejectedBodies, AtomicLong stored) throws Exception {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                running.add(pool.submit(() -> {
                    while (true) {
                        byte[] body = next(in);
                        if (body == null) {
                            return null;
                        }
                        long t0 = System.nanoTime();
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                                .header("Authorization", authorization).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                        latencies.add(System.nanoTime() - t0);
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("batch answered " + response.statusCode() + ": " + response.body());
                        }
                        stored.addAndGet(Json.parse(response.body()).path("stored").asLong());
                        if (!response.body().contains("\"rejected\":[]") && rejectedBodies.getAndIncrement() == 0) {
                            System.out.println("first response with rejections: " + response.body());
                        }
                        acknowledged.incrementAndGet();
                    }
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
            pool.shutdown();
        }
    }

    private static String metrics(HttpClient http, int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A sample's value from the Prometheus text format (the first line starting with {@code name}). */
    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static byte[] next(DataInputStream in) throws IOException {
        synchronized (in) {
            try {
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                return body;
            } catch (EOFException e) {
                return null;
            }
        }
    }

    /** Writes length-prefixed Segment batch bodies; returns {events, messages, batches}. */
    private static long[] encode(int fromPerson, int toPerson, Instant now, Path file) throws IOException {
        long events = 0;
        long messages = 0;
        long batches = 0;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
        JsonGenerator json = null;
        int inBatch = 0;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
            for (int person = fromPerson; person < toPerson; person++) {
                for (Command command : DemoGenerator.commandsOf(1, person, now)) {
                    if (json == null) {
                        buffer.reset();
                        json = Json.MAPPER.getFactory().createGenerator(buffer);
                        json.writeStartObject();
                        json.writeArrayFieldStart("batch");
                    }
                    if (writeMessage(json, command)) {
                        messages++;
                        inBatch++;
                        if (command instanceof Command.Track) {
                            events++;
                        }
                    }
                    if (inBatch == BATCH) {
                        finish(json, now);
                        json = null;
                        out.writeInt(buffer.size());
                        buffer.writeTo(out);
                        batches++;
                        inBatch = 0;
                    }
                }
            }
            if (json != null && inBatch > 0) {
                finish(json, now);
                out.writeInt(buffer.size());
                buffer.writeTo(out);
                batches++;
            }
        }
        return new long[] {events, messages, batches};
    }

    private static void finish(JsonGenerator json, Instant now) throws IOException {
        json.writeEndArray();
        json.writeStringField("sentAt", now.toString());
        json.writeEndObject();
        json.close();
    }

    /** One command as the Segment message a client library would send. */
    private static boolean writeMessage(JsonGenerator json, Command command) throws IOException {
        if (command instanceof Command.Track track) {
            boolean page = track.name().equals("$pageview");
            json.writeStartObject();
            json.writeStringField("type", page ? "page" : "track");
            if (!page) {
                json.writeStringField("event", track.name());
            }
            if (track.identified()) {
                json.writeStringField("userId", track.identity());
                if (track.anonymousId().isPresent()) {
                    json.writeStringField("anonymousId", track.anonymousId().get());
                }
            } else {
                json.writeStringField("anonymousId", track.identity());
            }
            json.writeStringField("messageId", track.eventId());
            json.writeStringField("timestamp", track.timestamp().toString());
            json.writeFieldName("properties");
            Json.MAPPER.writeTree(json, track.properties());
            if (track.sessionId().isPresent()) {
                json.writeObjectFieldStart("context");
                json.writeStringField("sessionId", track.sessionId().get());
                json.writeEndObject();
            }
            json.writeEndObject();
            return true;
        }
        if (command instanceof Command.Link link) {
            json.writeStartObject();
            if (link.other().startsWith("+")) {
                json.writeStringField("type", "alias");
                json.writeStringField("userId", link.identity());
                json.writeStringField("previousId", link.other());
            } else {
                json.writeStringField("type", "identify");
                json.writeStringField("userId", link.identity());
                json.writeStringField("anonymousId", link.other());
            }
            json.writeStringField("timestamp", link.timestamp().toString());
            json.writeEndObject();
            return true;
        }
        if (command instanceof Command.UpdateProfile update) {
            json.writeStartObject();
            json.writeStringField("type", "identify");
            json.writeStringField("userId", update.identity());
            json.writeStringField("timestamp", update.timestamp().toString());
            json.writeObjectFieldStart("traits");
            for (PropertyOperation operation : update.operations()) {
                json.writeFieldName(operation.key());
                Json.MAPPER.writeTree(json, operation.value());
            }
            json.writeEndObject();
            json.writeEndObject();
            return true;
        }
        return false;
    }

    /** Appends the same events to a plain table, one transaction per 1,000 rows; returns the timed seconds. */
    private static double appenderBaseline(int people, Instant now, Path directory) throws Exception {
        Files.createDirectories(directory);
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        properties.setProperty("memory_limit", "1GB");
        long timed = 0;
        try (DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection(
                "jdbc:duckdb:" + directory.resolve("baseline.duckdb").toAbsolutePath(), properties)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE events (project_key INTEGER NOT NULL, event_id VARCHAR NOT NULL, "
                        + "identity VARCHAR NOT NULL, person_key BIGINT NOT NULL, name VARCHAR NOT NULL, ts TIMESTAMP NOT NULL, "
                        + "received_at TIMESTAMP NOT NULL, session_id VARCHAR, properties JSON)");
            }
            connection.setAutoCommit(false);
            List<Row> rows = new ArrayList<>(APPENDER_ROWS_PER_TRANSACTION);
            for (int person = 0; person < people; person++) {
                for (Command command : DemoGenerator.commandsOf(1, person, now)) {
                    if (command instanceof Command.Track track) {
                        rows.add(new Row(track.eventId(), track.identity(), person, track.name(), micros(track.timestamp()),
                                micros(track.receivedAt()), track.sessionId().orElse(null), Json.write(track.properties())));
                        if (rows.size() == APPENDER_ROWS_PER_TRANSACTION) {
                            timed += append(connection, rows);
                            rows.clear();
                        }
                    }
                }
            }
            if (!rows.isEmpty()) {
                timed += append(connection, rows);
            }
        }
        return timed / 1e9;
    }

    private record Row(String eventId, String identity, long person, String name, long ts, long receivedAt,
                       String sessionId, String properties) {
    }

    private static long append(DuckDBConnection connection, List<Row> rows) throws Exception {
        long started = System.nanoTime();
        try (Statement begin = connection.createStatement()) {
            begin.execute("SELECT 1");
        }
        try (DuckDBAppender appender = connection.createAppender("events")) {
            for (Row row : rows) {
                appender.beginRow().append(1).append(row.eventId()).append(row.identity()).append(row.person())
                        .append(row.name()).appendEpochMicros(row.ts()).appendEpochMicros(row.receivedAt());
                if (row.sessionId() == null) {
                    appender.appendNull();
                } else {
                    appender.append(row.sessionId());
                }
                appender.append(row.properties()).endRow();
            }
        }
        connection.commit();
        return System.nanoTime() - started;
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }
}

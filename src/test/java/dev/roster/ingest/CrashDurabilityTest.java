package dev.roster.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.Roster;
import dev.roster.project.ProjectKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §3 durability: a server in a child JVM takes concurrent batches and is killed with SIGKILL
 * mid-stream. After a restart every acknowledged event is there exactly once, and every batch, its
 * identify included, is all there or all gone.
 */
class CrashDurabilityTest {
    private static final Pattern URL_LINE = Pattern.compile("running at http://localhost:(\\d+)/");
    private static final int THREADS = 4;
    private static final int EVENTS_PER_BATCH = 40;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAcknowledgedEventSurvivesKillNineAndNoBatchIsHalfStored(@TempDir Path directory) throws Exception {
        Path data = directory.resolve("data");
        ProjectKeys keys;
        try (Roster roster = Roster.open(Roster.Config.of(data, 0))) {
            keys = roster.projects().create("Durability");
        }

        long started = System.nanoTime();
        Child child = Child.start(directory, data, "first");
        try {
            killMidStream(child, keys, started);
        } finally {
            child.process.destroyForcibly();
        }
        restartAndCheck(directory, data, keys);
    }

    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> attempted = ConcurrentHashMap.newKeySet();

    /** Sends batches from several threads and SIGKILLs the child while they are still sending. */
    private void killMidStream(Child child, ProjectKeys keys, long started) throws Exception {
        long childUp = System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread sender = new Thread(() -> {
                for (int b = 0; !stop.get(); b++) {
                    String batch = "t" + thread + "-b" + b;
                    attempted.add(batch);
                    try {
                        HttpResponse<String> response = http.send(batchRequest(child.port, keys, batch),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            acknowledged.add(batch);
                        }
                    } catch (IOException e) {
                        return; // the server died under us
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "sender-" + t);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.size() < 16 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            child.process.destroyForcibly();   // SIGKILL on Linux
            assertThat(child.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            stop.set(true);
        }
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        assertThat(acknowledged).as("batches acknowledged before the kill").hasSizeGreaterThanOrEqualTo(4);
        System.out.printf("durability: %d batches acknowledged, %d attempted before kill -9; child start %d ms, traffic %d ms%n",
                acknowledged.size(), attempted.size(), (childUp - started) / 1_000_000, (System.nanoTime() - childUp) / 1_000_000);
    }

    /** Restarts the server on the same directory and checks what survived. */
    private void restartAndCheck(Path directory, Path data, ProjectKeys keys) throws Exception {
        Child restarted = Child.start(directory, data, "restarted");
        try {
            assertThat(get(restarted.port, "/healthz", null).statusCode()).isEqualTo(200);
            // a sample of acknowledged batches through the read API
            for (String batch : acknowledged.stream().sorted().limit(10).toList()) {
                HttpResponse<String> person = get(restarted.port, "/api/people?identity="
                        + URLEncoder.encode("user-" + batch, StandardCharsets.UTF_8), keys.secretKey());
                assertThat(person.statusCode()).as(batch + ": " + person.body()).isEqualTo(200);
                JsonNode document = dev.roster.common.Json.parse(person.body());
                assertThat(document.get("event_count").asInt()).isEqualTo(EVENTS_PER_BATCH);
                List<String> identities = new ArrayList<>();
                document.get("identities").forEach(i -> identities.add(i.get("id").asText()));
                assertThat(identities).containsExactlyInAnyOrder("user-" + batch, "anon-" + batch);
            }
            // the reloaded id index recognises a retried batch
            String retried = acknowledged.iterator().next();
            HttpResponse<String> retry = http.send(batchRequest(restarted.port, keys, retried), HttpResponse.BodyHandlers.ofString());
            assertThat(retry.statusCode()).isEqualTo(200);
            assertThat(dev.roster.common.Json.parse(retry.body()).get("duplicates").asInt()).isEqualTo(EVENTS_PER_BATCH);
        } finally {
            restarted.process.destroy();   // SIGTERM: graceful shutdown
            assertThat(restarted.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        Map<String, long[]> stored = new HashMap<>();
        try (Roster roster = Roster.open(Roster.Config.of(data, 0))) {
            roster.database().read(connection -> {
                try (var statement = connection.createStatement(); var rows = statement.executeQuery(
                        "SELECT e.identity, count(*), count(DISTINCT e.event_id), "
                                + "(SELECT count(*) FROM identities i WHERE i.identity = 'anon-' || substr(e.identity, 6)) "
                                + "FROM all_events e GROUP BY e.identity")) {
                    while (rows.next()) {
                        stored.put(rows.getString(1).substring("user-".length()),
                                new long[] {rows.getLong(2), rows.getLong(3), rows.getLong(4)});
                    }
                }
                return null;
            });
            long anonymousIdentities = roster.database().read(connection -> {
                try (var statement = connection.createStatement(); var rows = statement.executeQuery(
                        "SELECT count(*) FROM identities WHERE identity LIKE 'anon-%'")) {
                    rows.next();
                    return rows.getLong(1);
                }
            });
            assertThat(anonymousIdentities).as("no identify survived without its batch's events").isEqualTo(stored.size());
        }
        for (String batch : acknowledged) {
            assertThat(stored).as("acknowledged batch " + batch).containsKey(batch);
        }
        stored.forEach((batch, counts) -> {
            assertThat(attempted).contains(batch);
            assertThat(counts[0]).as("events of " + batch + " (all or nothing)").isEqualTo(EVENTS_PER_BATCH);
            assertThat(counts[1]).as("distinct ids of " + batch + " (each exactly once)").isEqualTo(EVENTS_PER_BATCH);
            assertThat(counts[2]).as("the identify of " + batch).isEqualTo(1);
        });
    }

    private static HttpRequest batchRequest(int port, ProjectKeys keys, String batch) {
        StringBuilder json = new StringBuilder("{\"batch\":[{\"type\":\"identify\",\"userId\":\"user-").append(batch)
                .append("\",\"anonymousId\":\"anon-").append(batch).append("\",\"traits\":{\"batch\":\"").append(batch).append("\"}}");
        for (int i = 0; i < EVENTS_PER_BATCH; i++) {
            json.append(",{\"type\":\"track\",\"event\":\"Step ").append(i % 7).append("\",\"userId\":\"user-").append(batch)
                    .append("\",\"messageId\":\"").append(batch).append("-").append(i)
                    .append("\",\"properties\":{\"i\":").append(i).append("}}");
        }
        json.append("]}");
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/batch"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (keys.project().writeKey() + ":").getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    private HttpResponse<String> get(int port, String path, String secretKey) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET()
                .timeout(Duration.ofSeconds(30));
        if (secretKey != null) {
            request.header("Authorization", "Bearer " + secretKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code roster serve} in a child JVM, with the port it printed. */
    private record Child(Process process, int port) {
        static Child start(Path directory, Path data, String name) throws Exception {
            Path tmp = Files.createDirectories(directory.resolve("jvm-tmp-" + name));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC",
                    "-Djava.io.tmpdir=" + tmp,   // DuckDB's native library is extracted here; a kill -9 leaks it
                    "-cp", System.getProperty("java.class.path"),
                    "dev.roster.cli.Main", "serve", "--data", data.toString(), "--port", "0", "--memory-limit", "256MB")
                    .redirectError(directory.resolve(name + ".stderr.log").toFile());
            Process process = builder.start();
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        Matcher matcher = URL_LINE.matcher(line);
                        if (matcher.find()) {
                            port.complete(Integer.parseInt(matcher.group(1)));
                        }
                    }
                    port.completeExceptionally(new IllegalStateException("the child exited before printing its URL"));
                } catch (IOException e) {
                    port.completeExceptionally(new UncheckedIOException(e));
                }
            }, "child-stdout-" + name);
            reader.setDaemon(true);
            reader.start();
            try {
                return new Child(process, port.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                process.destroyForcibly();
                String log = Files.exists(directory.resolve(name + ".stderr.log"))
                        ? Files.readString(directory.resolve(name + ".stderr.log")) : "";
                throw new AssertionError("child server " + name + " did not start: " + e + "\n" + log, e);
            }
        }
    }
}

package dev.roster.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.Roster;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.MutableClock;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §9 operations: health, Prometheus metrics after real traffic, graceful shutdown. */
class OperationsTest {

    private static double metric(String scrape, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(matcher.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void healthzAnswersOk() {
        try (TestServer server = TestServer.start()) {
            TestServer.Response response = server.get("/healthz", null);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("status").asText()).isEqualTo("ok");
        }
    }

    @Test
    void metricsCountIngestedRejectedDuplicatesClampedAndCommitLatency() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-28T12:00:00Z"));
        try (TestServer server = TestServer.start(clock)) {
            String batch = "{\"batch\":["
                    + "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"m\",\"messageId\":\"m1\"},"
                    + "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"m\",\"messageId\":\"m2\"},"
                    + "{\"type\":\"track\",\"userId\":\"m\",\"messageId\":\"m3\"},"
                    + "{\"type\":\"track\",\"event\":\"Future\",\"userId\":\"m\",\"messageId\":\"m4\",\"timestamp\":\"2026-11-30T12:00:00Z\"},"
                    + "{\"type\":\"track\",\"event\":\"Backfill\",\"userId\":\"m\",\"messageId\":\"m5\",\"timestamp\":\"2015-03-01T09:00:00Z\"}"
                    + "]}";
            JsonNode first = server.segment("batch", batch).json();
            assertThat(first.get("stored").asInt()).isEqualTo(4);
            assertThat(first.at("/warnings/0/index").asInt()).isEqualTo(3);
            assertThat(first.at("/warnings/0/message").asText()).contains("2026-11-30T12:00:00Z", "23 hours in the future");
            assertThat(first.get("warnings")).hasSize(1);
            assertThat(server.segment("batch", batch).json().get("duplicates").asInt()).isEqualTo(4);
            server.segment("track", "{\"event\":\"X\",\"userId\":\"m\",\"timestamp\":\"bad\"}");
            server.post("/v1/track", "{\"event\":\"X\",\"userId\":\"m\"}".getBytes(StandardCharsets.UTF_8), "application/json",
                    "Basic " + Base64.getEncoder().encodeToString("wrong:".getBytes(StandardCharsets.UTF_8)));

            TestServer.Response response = server.get("/metrics", null);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.contentType()).startsWith("text/plain");
            String scrape = response.text();
            assertThat(metric(scrape, "roster_events_ingested_total{source=\"segment\"}")).isEqualTo(4);
            assertThat(metric(scrape, "roster_events_duplicate_total")).isEqualTo(4);
            assertThat(metric(scrape, "roster_events_rejected_total{reason=\"missing_event_name\"}")).isEqualTo(2);
            assertThat(metric(scrape, "roster_events_rejected_total{reason=\"invalid_timestamp\"}")).isEqualTo(1);
            assertThat(metric(scrape, "roster_events_rejected_total{reason=\"invalid_key\"}")).isEqualTo(1);
            assertThat(metric(scrape, "roster_events_clamped_timestamps_total")).isEqualTo(2);
            assertThat(metric(scrape, "roster_commit_seconds_count")).isGreaterThanOrEqualTo(2);
            assertThat(metric(scrape, "roster_commit_seconds_sum")).isGreaterThan(0);

            // the clamped event happened when it was received; the backfilled one keeps its time
            String id = server.person("m").get("id").asText();
            JsonNode events = server.get("/api/people/" + id + "/timeline").json().get("events");
            List<String> times = new ArrayList<>();
            events.forEach(e -> times.add(e.get("name").asText() + "@" + e.get("timestamp").asText()));
            assertThat(times).contains("Future@2026-11-28T12:00:00Z", "Backfill@2015-03-01T09:00:00Z");
        }
    }

    @Test
    void gracefulShutdownKeepsEveryAcknowledgedEvent(@TempDir Path directory) throws Exception {
        Roster roster = Roster.serve(Roster.Config.of(directory, 0));
        ProjectKeys keys = roster.projects().create("Shutdown");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String basic = "Basic " + Base64.getEncoder().encodeToString((keys.project().writeKey() + ":").getBytes(StandardCharsets.UTF_8));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            Thread sender = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String id = "g" + thread + "-" + i;
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + roster.port() + "/v1/track"))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"E\",\"userId\":\"u" + thread
                                    + "\",\"messageId\":\"" + id + "\"}"))
                            .header("Content-Type", "application/json").header("Authorization", basic).build();
                    try {
                        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status == 200) {
                            acknowledged.add(id);
                        } else {
                            System.out.println("shutdown: status " + status);
                        }
                    } catch (Exception e) {
                        System.out.println("shutdown: " + e);
                        return;
                    }
                }
            });
            sender.start();
            senders.add(sender);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (acknowledged.size() < 30 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        roster.close();   // while the senders are still sending
        stop.set(true);
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(10);

        try (Roster reopened = Roster.open(Roster.Config.of(directory, 0))) {
            List<String> stored = reopened.database().read(connection -> {
                List<String> ids = new ArrayList<>();
                try (var statement = connection.createStatement();
                        var rows = statement.executeQuery("SELECT event_id FROM all_events")) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
                return ids;
            });
            assertThat(stored).doesNotHaveDuplicates();
            assertThat(stored).containsAll(acknowledged);
        }
    }

    @Test
    void submittingAfterShutdownIsRefusedAtOnce(@TempDir Path directory) {
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0))) {
            ProjectKeys keys = roster.projects().create("Closed");
            roster.writeBuffer().close();
            Command.Track track = new Command.Track("late-1", "u", Optional.empty(), true, "Late", Instant.now(), Instant.now(),
                    Optional.empty(), Json.object(), List.of());
            long started = System.nanoTime();
            assertThatThrownBy(() -> roster.writeBuffer().submit(keys.project(), List.of(track)))
                    .isInstanceOfSatisfying(RosterException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED))
                    .hasMessageContaining("shutting down");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            roster.writeBuffer().flush();   // returns rather than waiting for a writer that is gone
        }
    }
}

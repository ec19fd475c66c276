package dev.roster.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.Roster;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §3 idempotency: an event whose id is already stored is dropped and counted, retries included. */
class IdempotencyTest {
    private static final String BATCH = "{\"batch\":["
            + "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"idem\",\"messageId\":\"m-1\",\"timestamp\":\"2024-03-01T10:00:00Z\"},"
            + "{\"type\":\"track\",\"event\":\"Viewed Page\",\"userId\":\"idem\",\"messageId\":\"m-2\",\"timestamp\":\"2024-03-01T10:01:00Z\"},"
            + "{\"type\":\"page\",\"userId\":\"idem\",\"name\":\"Home\",\"messageId\":\"m-3\",\"timestamp\":\"2024-03-01T10:02:00Z\"}"
            + "]}";

    private static long eventCount(TestServer server, String identity) {
        return server.person(identity).get("event_count").asLong();
    }

    private static int timelineSize(TestServer server, String identity) {
        String id = server.person(identity).get("id").asText();
        return server.get("/api/people/" + id + "/timeline?limit=1000").json().get("events").size();
    }

    @Test
    void sameBatchSentThreeTimesIsStoredOnce() {
        try (TestServer server = TestServer.start()) {
            JsonNode first = server.segment("batch", BATCH).json();
            JsonNode second = server.segment("batch", BATCH).json();
            JsonNode third = server.segment("batch", BATCH).json();

            assertThat(first.get("stored").asInt()).isEqualTo(3);
            assertThat(first.get("duplicates").asInt()).isZero();
            for (JsonNode retry : List.of(second, third)) {
                assertThat(retry.get("success").asBoolean()).isTrue();
                assertThat(retry.get("stored").asInt()).isZero();
                assertThat(retry.get("duplicates").asInt()).isEqualTo(3);
            }
            assertThat(eventCount(server, "idem")).isEqualTo(3);
            assertThat(timelineSize(server, "idem")).isEqualTo(3);
            assertThat(server.get("/metrics").text()).contains("roster_events_duplicate_total 6.0");
        }
    }

    @Test
    void repeatedIdInsideOneBatchIsStoredOnce() {
        try (TestServer server = TestServer.start()) {
            String batch = "{\"batch\":["
                    + "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"twice\",\"messageId\":\"same\"},"
                    + "{\"type\":\"track\",\"event\":\"A\",\"userId\":\"twice\",\"messageId\":\"same\"}]}";
            JsonNode answer = server.segment("batch", batch).json();
            assertThat(answer.get("stored").asInt()).isEqualTo(1);
            assertThat(answer.get("duplicates").asInt()).isEqualTo(1);
            assertThat(eventCount(server, "twice")).isEqualTo(1);
        }
    }

    @Test
    void eventsWithoutMessageIdButWithTimestampDedupeByDerivedId() {
        try (TestServer server = TestServer.start()) {
            String noIds = "{\"batch\":["
                    + "{\"type\":\"track\",\"event\":\"Called\",\"userId\":\"+15550100\",\"timestamp\":\"2024-03-01T10:00:00.123Z\"},"
                    + "{\"type\":\"track\",\"event\":\"Called\",\"userId\":\"+15550100\",\"timestamp\":\"2024-03-01T11:00:00Z\"}"
                    + "],\"sentAt\":\"%s\"}";
            // a retry carries a new sentAt; the derived id uses the client's event time, so it still matches
            JsonNode first = server.segment("batch", noIds.formatted("2024-03-01T12:00:00Z")).json();
            JsonNode retry = server.segment("batch", noIds.formatted("2024-03-01T12:05:00Z")).json();
            // the same instant written differently is the same event
            JsonNode epoch = server.segment("track", "{\"event\":\"Called\",\"userId\":\"+15550100\",\"timestamp\":1709287200123}").json();

            assertThat(first.get("stored").asInt()).isEqualTo(2);
            assertThat(retry.get("stored").asInt()).isZero();
            assertThat(retry.get("duplicates").asInt()).isEqualTo(2);
            assertThat(epoch.get("duplicates").asInt()).isEqualTo(1);
            assertThat(eventCount(server, "+15550100")).isEqualTo(2);
        }
    }

    @Test
    void eventsWithNeitherIdNorTimestampAreNeverDroppedAsDuplicates() {
        try (TestServer server = TestServer.start()) {
            server.segment("track", "{\"event\":\"Clicked\",\"userId\":\"clicker\"}");
            server.segment("track", "{\"event\":\"Clicked\",\"userId\":\"clicker\"}");
            assertThat(eventCount(server, "clicker")).isEqualTo(2);
        }
    }

    @Test
    void sameBatchSentConcurrentlyIsStoredOnce() throws Exception {
        try (TestServer server = TestServer.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<JsonNode>> answers = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    answers.add(pool.submit(() -> server.segment("batch", BATCH).json()));
                }
                int stored = 0;
                int duplicates = 0;
                for (Future<JsonNode> answer : answers) {
                    stored += answer.get().get("stored").asInt();
                    duplicates += answer.get().get("duplicates").asInt();
                }
                assertThat(stored).isEqualTo(3);
                assertThat(duplicates).isEqualTo(33);
                assertThat(eventCount(server, "idem")).isEqualTo(3);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void retriedBatchAfterRestartIsStillDeduplicated(@TempDir Path directory) throws Exception {
        ProjectKeys keys;
        try (Roster roster = Roster.serve(Roster.Config.of(directory, 0))) {
            keys = roster.projects().create("Restart");
            assertThat(post(roster, keys, BATCH).get("stored").asInt()).isEqualTo(3);
        }
        try (Roster roster = Roster.serve(Roster.Config.of(directory, 0))) {
            JsonNode retry = post(roster, keys, BATCH);
            assertThat(retry.get("stored").asInt()).isZero();
            assertThat(retry.get("duplicates").asInt()).isEqualTo(3);
            // also after compaction moved the events to the sorted table
            roster.writeBuffer().compactNow();
            assertThat(post(roster, keys, BATCH).get("duplicates").asInt()).isEqualTo(3);
        }
        try (Roster roster = Roster.serve(Roster.Config.of(directory, 0))) {
            assertThat(post(roster, keys, BATCH).get("duplicates").asInt()).isEqualTo(3);
            TestServer.Response person = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + roster.port()
                    + "/api/people?identity=" + URLEncoder.encode("idem", StandardCharsets.UTF_8)))
                    .header("Authorization", "Bearer " + keys.secretKey()).GET().build());
            assertThat(person.json().get("event_count").asLong()).isEqualTo(3);
        }
        assertThat(Files.exists(directory.resolve("roster.duckdb"))).isTrue();
    }

    private static JsonNode post(Roster roster, ProjectKeys keys, String json) {
        TestServer.Response response = TestServer.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + roster.port() + "/v1/batch"))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (keys.project().writeKey() + ":").getBytes(StandardCharsets.UTF_8)))
                .build());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }
}

package dev.roster.ingest.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import dev.roster.testing.WireCapture;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Hostile and broken Segment requests: each gets the right 4xx and a JSON message naming the
 * problem, never a 500 and never a hang; the valid events of a mixed batch are all stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentBadInputTest {
    private static final int MB = 1024 * 1024;
    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String basic(String key) {
        return "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
    }

    private TestServer.Response send(String endpoint, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url("/v1/" + endpoint)))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!Arrays.asList(headers).contains("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        if (!Arrays.asList(headers).contains("Authorization")) {
            request.header("Authorization", basic(server.writeKey()));
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return TestServer.send(request.build());
    }

    private TestServer.Response send(String endpoint, String body) {
        return send(endpoint, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Asserts status and error code, and that the message contains every fragment; returns the body. */
    private static JsonNode assertError(TestServer.Response response, int status, String code, String... fragments) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode body = response.json();
        assertThat(body.get("error").asText()).isEqualTo(code);
        if (fragments.length > 0) {
            assertThat(body.get("message").asText()).contains(fragments);
        }
        return body;
    }

    private long storedEvents() {
        server.roster().flush();
        return server.roster().database().read(connection -> {
            try (var statement = connection.createStatement();
                    var rows = statement.executeQuery("SELECT count(*) FROM all_events")) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    @Test
    void malformedJsonIsA400NamingTheSyntaxError() {
        JsonNode body = assertError(send("track", "{\"event\": \"Signed Up\", \"userId\": "), 400, "invalid_json", "not valid JSON");
        assertThat(body.get("message").asText()).containsIgnoringCase("end-of-input");
        assertError(send("batch", "{\"batch\": [}"), 400, "invalid_json");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\"} trailing"), 400, "invalid_json");
        assertError(send("track", ""), 400, "invalid_json", "empty");
    }

    @Test
    void bodyThatIsNotAnObjectIsRefused() {
        assertError(send("track", "[1,2,3]"), 400, "invalid_request", "JSON object");
        assertError(send("batch", "{\"batch\": {\"event\": \"A\"}}"), 400, "invalid_request", "\"batch\" array");
    }

    @Test
    void emptyBatchIsA400() {
        assertError(send("batch", "{\"batch\": []}"), 400, "empty_batch", "empty");
        assertError(send("import", "{\"batch\": []}"), 400, "empty_batch", "empty");
    }

    @Test
    void wrongWriteKeyIsA401() {
        TestServer.Response response = send("track", "{\"event\":\"A\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8),
                "Authorization", basic("not-a-key"));
        assertError(response, 401, "invalid_key", "unknown write key");
        TestServer.Response inBody = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/v1/batch")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"nope\",\"batch\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\"}]}"))
                .header("Content-Type", "application/json").build());
        assertError(inBody, 401, "invalid_key", "unknown write key");
    }

    @Test
    void missingWriteKeyIsA401() {
        TestServer.Response response = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/v1/track")))
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"A\",\"userId\":\"u\"}"))
                .header("Content-Type", "application/json").build());
        assertError(response, 401, "missing_key", "no write key");
    }

    @Test
    void missingEventNameIsA400WithItsReason() {
        JsonNode body = assertError(send("track", "{\"userId\":\"u\"}"), 400, "invalid_event", "no name");
        assertThat(body.at("/rejected/0/index").asInt()).isZero();
        assertThat(body.at("/rejected/0/reason").asText()).isEqualTo("missing_event_name");
        assertError(send("track", "{\"userId\":\"u\",\"event\":\"   \"}"), 400, "invalid_event", "no name");
    }

    @Test
    void missingIdentityIsA400() {
        JsonNode body = assertError(send("track", "{\"event\":\"A\"}"), 400, "invalid_event", "neither userId nor anonymousId");
        assertThat(body.at("/rejected/0/reason").asText()).isEqualTo("missing_identity");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"  \",\"anonymousId\":null}"), 400, "invalid_event", "neither");
        assertError(send("alias", "{\"userId\":\"u\"}"), 400, "invalid_event", "previousId");
    }

    @Test
    void badTimestampIsA400NamingTheField() {
        JsonNode body = assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\",\"timestamp\":\"2024-13-45T99:00:00Z\"}"),
                400, "invalid_event", "timestamp '2024-13-45T99:00:00Z'");
        assertThat(body.at("/rejected/0/reason").asText()).isEqualTo("invalid_timestamp");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\",\"timestamp\":\"yesterday\"}"), 400, "invalid_event", "yesterday");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\",\"timestamp\":{\"at\":1}}"), 400, "invalid_event", "timestamp");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\",\"timestamp\":-5}"), 400, "invalid_event", "timestamp");
    }

    @Test
    void bodyOverTwentyMegabytesByContentLengthIsA413() {
        long before = storedEvents();
        byte[] body = oversizedBatch(21 * MB);
        assertError(send("batch", body), 413, "payload_too_large", "20 MB");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void chunkedBodyOverTwentyMegabytesIsA413() {
        byte[] body = oversizedBatch(21 * MB);
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url("/v1/batch")))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .header("Content-Type", "application/json")
                .header("Authorization", basic(server.writeKey()))
                .build();
        assertError(TestServer.send(request), 413, "payload_too_large", "20 MB");
    }

    @Test
    void gzipBombIsA413() {
        // 40 MB of whitespace inside a valid batch compresses to about 40 KB
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        json.writeBytes("{\"batch\":[{\"type\":\"track\",\"event\":\"A\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8));
        byte[] spaces = new byte[MB];
        Arrays.fill(spaces, (byte) ' ');
        for (int i = 0; i < 40; i++) {
            json.writeBytes(spaces);
        }
        json.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        byte[] bomb = WireCapture.gzip(json.toByteArray());
        assertThat(bomb.length).isLessThan(MB);

        assertError(send("batch", bomb, "Content-Encoding", "gzip"), 413, "payload_too_large", "20 MB");
        assertError(send("batch", bomb), 413, "payload_too_large", "20 MB");
    }

    @Test
    void corruptGzipIsA400() {
        byte[] gzip = WireCapture.gzip("{\"event\":\"A\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = Arrays.copyOf(gzip, gzip.length - 12);
        assertError(send("track", truncated, "Content-Encoding", "gzip"), 400, "invalid_encoding", "gzip");
        byte[] garbled = gzip.clone();
        for (int i = 10; i < garbled.length - 8; i++) {
            garbled[i] ^= 0x5a;
        }
        assertError(send("track", garbled), 400, "invalid_encoding", "gzip");
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8), "Content-Encoding", "gzip"),
                400, "invalid_encoding", "not gzip");
    }

    @Test
    void deepNestingIsA400() {
        String nested = "[".repeat(10_000) + "]".repeat(10_000);
        assertError(send("track", "{\"event\":\"A\",\"userId\":\"u\",\"properties\":{\"x\":" + nested + "}}"),
                400, "invalid_json", "nesting depth");
        String objects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertError(send("track", objects), 400, "invalid_json", "nesting depth");
    }

    @Test
    void tenThousandCharacterEventNameIsRejected() {
        JsonNode body = assertError(send("track", "{\"event\":\"" + "x".repeat(10_000) + "\",\"userId\":\"u\"}"),
                400, "invalid_event", "10000 characters", "255");
        assertThat(body.at("/rejected/0/reason").asText()).isEqualTo("event_name_too_long");
        assertThat(body.get("message").asText().length()).as("the message does not echo the name").isLessThan(500);
    }

    @Test
    void overlongIdentityIsRejected() {
        JsonNode body = assertError(send("track", "{\"event\":\"A\",\"userId\":\"" + "u".repeat(300) + "\"}"),
                400, "invalid_event", "userId", "255");
        assertThat(body.at("/rejected/0/reason").asText()).isEqualTo("identity_too_long");
    }

    @Test
    void invalidUtf8IsA400() {
        byte[] prefix = "{\"event\":\"Bad ".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(prefix);
        body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
        body.writeBytes(suffix);
        assertError(send("track", body.toByteArray()), 400, "invalid_json", "UTF-8");
    }

    @Test
    void mixedBatchStoresEveryValidEventAndReportsEachBadOne() {
        long before = storedEvents();
        String batch = "{\"batch\":["
                + "{\"type\":\"track\",\"event\":\"Good 1\",\"userId\":\"mixed\",\"messageId\":\"mixed-1\"},"
                + "{\"type\":\"track\",\"userId\":\"mixed\",\"messageId\":\"mixed-2\"},"
                + "{\"type\":\"track\",\"event\":\"Good 2\",\"anonymousId\":\"mixed-anon\",\"messageId\":\"mixed-3\"},"
                + "{\"type\":\"track\",\"event\":\"No one\",\"messageId\":\"mixed-4\"},"
                + "{\"type\":\"track\",\"event\":\"Bad time\",\"userId\":\"mixed\",\"timestamp\":\"soon\"},"
                + "{\"type\":\"launch\",\"userId\":\"mixed\"},"
                + "\"not an object\","
                + "{\"type\":\"page\",\"userId\":\"mixed\",\"name\":\"Home\",\"messageId\":\"mixed-5\"},"
                + "{\"type\":\"track\",\"event\":\"Bad props\",\"userId\":\"mixed\",\"properties\":[1]}"
                + "]}";
        TestServer.Response response = send("batch", batch);

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("success").asBoolean()).isTrue();
        assertThat(body.get("stored").asInt()).isEqualTo(3);
        List<String> rejected = new ArrayList<>();
        body.get("rejected").forEach(r -> rejected.add(r.get("index").asInt() + ":" + r.get("reason").asText()));
        assertThat(rejected).containsExactly("1:missing_event_name", "3:missing_identity", "4:invalid_timestamp",
                "5:unknown_type", "6:invalid_event", "8:invalid_properties");
        body.get("rejected").forEach(r -> assertThat(r.get("message").asText()).isNotBlank());
        assertThat(storedEvents()).isEqualTo(before + 3);
        assertThat(server.person("mixed").get("event_count").asLong()).isEqualTo(2);
        assertThat(server.person("mixed-anon").get("event_count").asLong()).isEqualTo(1);
    }

    @Test
    void batchWithNoValidEventIsA400ListingEveryReason() {
        long before = storedEvents();
        String batch = "{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"u\"},"
                + "{\"type\":\"track\",\"event\":\"A\"},"
                + "{\"type\":\"track\",\"event\":\"B\",\"userId\":\"u\",\"timestamp\":\"nope\"}"
                + "]}";
        JsonNode body = assertError(send("batch", batch), 400, "invalid_event", "#0", "#1", "#2");
        List<String> reasons = new ArrayList<>();
        body.get("rejected").forEach(r -> reasons.add(r.get("index").asInt() + ":" + r.get("reason").asText()));
        assertThat(reasons).containsExactly("0:missing_event_name", "1:missing_identity", "2:invalid_timestamp");
        assertThat(storedEvents()).isEqualTo(before);
    }

    @Test
    void unknownEndpointIsA404AndWrongMethodIsNotA500() {
        assertError(send("launch", "{\"event\":\"A\",\"userId\":\"u\"}"), 404, "not_found", "/v1/launch");
        TestServer.Response get = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/v1/track"))).GET().build());
        assertThat(get.status()).isBetween(400, 499);
    }

    @Test
    void rejectionsAreCountedByReasonInMetrics() {
        send("track", "{\"userId\":\"u\"}");
        send("track", "{\"event\":\"A\",\"userId\":\"u\",\"timestamp\":\"never\"}");
        String metrics = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/metrics"))).GET().build()).text();
        assertThat(metrics).containsPattern("roster_events_rejected_total\\{reason=\"missing_event_name\"} [1-9]");
        assertThat(metrics).containsPattern("roster_events_rejected_total\\{reason=\"invalid_timestamp\"} [1-9]");
    }

    @Test
    void eventOverOneMegabyteIsRejectedAndTheRestOfTheBatchStored() {
        String big = "b".repeat(1_100_000);
        String batch = "{\"batch\":["
                + "{\"type\":\"track\",\"event\":\"Small\",\"userId\":\"sizes\",\"messageId\":\"size-1\"},"
                + "{\"type\":\"track\",\"event\":\"Huge\",\"userId\":\"sizes\",\"properties\":{\"blob\":\"" + big + "\"}}"
                + "]}";
        TestServer.Response response = send("batch", batch);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("stored").asInt()).isEqualTo(1);
        assertThat(response.json().at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(response.json().at("/rejected/0/reason").asText()).isEqualTo("event_too_large");
        assertThat(response.json().at("/rejected/0/message").asText()).contains("1 MB");
    }

    @Test
    void controlCharactersAndLoneSurrogatesAreStoredWithoutBreakingTheCommit() {
        String batch = "{\"batch\":["
                + "{\"type\":\"track\",\"event\":\"Nul\\u0000Name\",\"userId\":\"odd\\u0000id\",\"messageId\":\"odd-1\","
                + "\"properties\":{\"k\\u0000\":\"v\\u0000\"}},"
                + "{\"type\":\"track\",\"event\":\"Surrogate \\ud800\",\"userId\":\"odd\",\"messageId\":\"odd-2\","
                + "\"properties\":{\"s\":\"\\udc00x\"}},"
                + "{\"type\":\"track\",\"event\":\"Emoji \uD83D\uDE00\",\"userId\":\"odd\",\"messageId\":\"odd-3\"}"
                + "]}";
        TestServer.Response response = send("batch", batch);
        assertThat(response.status()).as(response.text()).isBetween(200, 499);
        assertThat(response.status()).as(response.text()).isNotEqualTo(500);
        // a later ordinary request still commits
        TestServer.Response after = send("track", "{\"event\":\"After\",\"userId\":\"odd\",\"messageId\":\"odd-4\"}");
        assertThat(after.status()).as(after.text()).isEqualTo(200);
        assertThat(server.person("odd").get("event_count").asInt()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void jsonSentAsAFormIsStillReadAsJson() {
        TestServer.Response response = send("track", "{\"event\":\"Form\",\"userId\":\"former\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(server.person("former").get("event_count").asInt()).isEqualTo(1);
    }

    /** A valid-looking batch of about {@code bytes} bytes. */
    private static byte[] oversizedBatch(int bytes) {
        StringBuilder json = new StringBuilder(bytes + 1000).append("{\"batch\":[");
        String padding = "p".repeat(100_000);
        int i = 0;
        while (json.length() < bytes) {
            json.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Big\",\"userId\":\"big\",\"messageId\":\"big-")
                    .append(i++).append("\",\"properties\":{\"pad\":\"").append(padding).append("\"}}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}

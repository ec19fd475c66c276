package dev.roster.ingest.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.MutableClock;
import dev.roster.testing.TestServer;
import dev.roster.testing.WireCapture;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every Segment and RudderStack request in ../shared/wire/ byte for byte (re-gzipped when
 * the SDK gzipped, same headers and path), with the test project's write key in place of the
 * captured one, and asserts what was stored through the read API.
 *
 * <p>Each capture gets its own project. The server clock is set to the capture's {@code sentAt}, as
 * if the request arrived the moment it was sent by a client with a correct clock: skew correction
 * is then zero and every event time is exactly the one the SDK sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentWireContractTest {
    private static final Instant EXPLICIT_TRACK_TIME = Instant.parse("2024-01-15T10:30:00Z");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T14:20:00Z"));
    private TestServer server;

    @BeforeAll
    void start() {
        server = TestServer.start(clock);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static Stream<WireCapture> captures() {
        List<WireCapture> captures = WireCapture.load("segment-", "rudder-");
        assertThat(captures).as("captures in " + WireCapture.directory().toAbsolutePath()).hasSizeGreaterThanOrEqualTo(26);
        return captures.stream();
    }

    @Test
    void everySegmentAndRudderCaptureIsReplayed() {
        List<String> names = captures().map(WireCapture::file).toList();
        assertThat(names).contains("segment-analytics-java__batch.json", "segment-analytics-node__retry.json",
                "segment-legacy-analytics-node__track.json", "rudder-sdk-node__batch.json", "rudder-sdk-node__batch-nogzip.json");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void captureIsStoredAsTheSdkMeantIt(WireCapture capture) {
        ProjectKeys project = server.roster().projects().create("capture " + capture.file());
        clock.set(sentAt(capture));

        TestServer.Response response = TestServer.send(capture.request(server.url(""), project.project().writeKey()));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode answer = response.json();
        assertThat(answer.get("success").asBoolean()).as("Segment's Java SDK needs {\"success\":true}").isTrue();
        assertThat(answer.get("rejected")).as(response.text()).isEmpty();
        int expectedEvents = (int) capture.messages().stream().filter(SegmentWireContractTest::isEvent).count();
        assertThat(answer.get("stored").asInt()).isEqualTo(expectedEvents);
        assertThat(answer.get("duplicates").asInt()).isZero();

        Reader reader = new Reader(project.secretKey());
        for (JsonNode message : capture.messages()) {
            assertMessageStored(reader, message);
        }
        assertThat(reader.timeline("u1").size()).isEqualTo(expectedEvents);

        TestServer.Response again = TestServer.send(capture.request(server.url(""), project.project().writeKey()));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("stored").asInt()).isZero();
        assertThat(again.json().get("duplicates").asInt()).isEqualTo(expectedEvents);
        assertThat(reader.timeline("u1").size()).as("a replayed request adds nothing").isEqualTo(expectedEvents);
    }

    @Test
    void explicitPastTimestampIsShiftedOnlyByTheClientsClockSkew() {
        // The SDK's clock is 2 hours behind the server: its sentAt reads 2 hours earlier than the
        // arrival, so the event time it sent is 2 hours early too.
        WireCapture capture = WireCapture.load("segment-analytics-node__track").get(0);
        ProjectKeys project = server.roster().projects().create("skew");
        clock.set(sentAt(capture).plus(Duration.ofHours(2)));

        assertThat(TestServer.send(capture.request(server.url(""), project.project().writeKey())).status()).isEqualTo(200);

        JsonNode event = new Reader(project.secretKey()).timeline("u1").get(0);
        assertThat(event.get("name").asText()).isEqualTo("Viewed Pricing");
        assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(EXPLICIT_TRACK_TIME.plus(Duration.ofHours(2)));
    }

    @Test
    void rudderOriginalTimestampIsCorrectedForAClockRunningAhead() {
        WireCapture capture = WireCapture.load("rudder-sdk-node__page").get(0);
        JsonNode message = capture.messages().get(0);
        Instant original = Instant.parse(message.get("originalTimestamp").asText());
        ProjectKeys project = server.roster().projects().create("skew ahead");
        // the device clock is 10 minutes ahead of the server
        clock.set(sentAt(capture).minus(Duration.ofMinutes(10)));

        assertThat(TestServer.send(capture.request(server.url(""), project.project().writeKey())).status()).isEqualTo(200);

        JsonNode event = new Reader(project.secretKey()).timeline("u1").get(0);
        assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(original.minus(Duration.ofMinutes(10)));
    }

    private static boolean isEvent(JsonNode message) {
        String type = message.path("type").asText();
        return type.equals("track") || type.equals("page") || type.equals("screen") || type.equals("group");
    }

    private static Instant sentAt(WireCapture capture) {
        return Instant.parse(capture.body().get("sentAt").asText());
    }

    /** The event time the SDK sent: {@code timestamp}, else {@code originalTimestamp}. */
    private static Instant sentTime(JsonNode message) {
        JsonNode timestamp = message.has("timestamp") ? message.get("timestamp") : message.get("originalTimestamp");
        return Instant.parse(timestamp.asText());
    }

    private void assertMessageStored(Reader reader, JsonNode message) {
        String type = message.get("type").asText();
        JsonNode person = reader.person("u1");
        switch (type) {
            case "track" -> {
                JsonNode event = reader.event("u1", "Viewed Pricing");
                assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(EXPLICIT_TRACK_TIME);
                assertThat(event.get("identity").asText()).isEqualTo("u1");
                assertThat(event.get("id").asText()).isEqualTo(message.get("messageId").asText());
                assertThat(event.at("/properties/plan").asText()).isEqualTo("pro");
                assertThat(event.at("/properties/price").asDouble()).isEqualTo(49.99);
                assertThat(event.at("/properties/currency").asText()).isEqualTo("USD");
            }
            case "page" -> {
                JsonNode event = reader.event("u1", "$pageview");
                assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(sentTime(message));
                assertThat(event.at("/properties/url").asText()).isEqualTo("https://example.com/pricing");
                assertThat(event.at("/properties/path").asText()).isEqualTo("/pricing");
                assertThat(event.at("/properties/title").asText()).isEqualTo("Pricing");
                assertThat(event.at("/properties/name").asText()).isEqualTo("Pricing");
            }
            case "group" -> {
                JsonNode event = reader.event("u1", "$group");
                assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(sentTime(message));
                assertThat(event.at("/properties/group_id").asText()).isEqualTo("g1");
                assertThat(event.at("/properties/group_traits/name").asText()).isEqualTo("Acme Inc");
                assertThat(event.at("/properties/group_traits/plan").asText()).isEqualTo("enterprise");
            }
            case "identify" -> {
                assertThat(person.at("/properties/email").asText()).isEqualTo("u1@example.com");
                assertThat(person.at("/properties/plan").asText()).isEqualTo("pro");
                if (message.has("anonymousId")) {
                    assertThat(reader.person("anon-1").get("id")).isEqualTo(person.get("id"));
                }
            }
            case "alias" -> {
                assertThat(reader.person("anon-1").get("id")).as("alias links anon-1 to u1").isEqualTo(person.get("id"));
                List<String> identities = new ArrayList<>();
                person.get("identities").forEach(i -> identities.add(i.get("id").asText()));
                assertThat(identities).contains("u1", "anon-1");
            }
            default -> throw new AssertionError("unexpected message type " + type);
        }
        assertThat(person.get("display_name").asText()).isEqualTo("u1");
    }

    /** Read API calls with one project's secret key. */
    private final class Reader {
        private final String authorization;

        Reader(String secretKey) {
            this.authorization = "Bearer " + secretKey;
        }

        JsonNode person(String identity) {
            TestServer.Response response = server.get("/api/people?identity="
                    + URLEncoder.encode(identity, StandardCharsets.UTF_8), authorization);
            assertThat(response.status()).as(identity + ": " + response.text()).isEqualTo(200);
            return response.json();
        }

        JsonNode timeline(String identity) {
            String id = person(identity).get("id").asText();
            TestServer.Response response = server.get("/api/people/" + id + "/timeline?limit=1000", authorization);
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            return response.json().get("events");
        }

        JsonNode event(String identity, String name) {
            Optional<JsonNode> found = Optional.empty();
            for (JsonNode event : timeline(identity)) {
                if (event.get("name").asText().equals(name)) {
                    assertThat(found).as("one " + name + " event").isEmpty();
                    found = Optional.of(event);
                }
            }
            return found.orElseThrow(() -> new AssertionError("no " + name + " event for " + identity));
        }
    }
}

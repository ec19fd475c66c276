package dev.roster.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.MutableClock;
import dev.roster.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The KISSmetrics API as its docs define it: /e, /s, /a with _k, _p, _n, _t, _d. */
class KissmetricsApiTest {
    private static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(new MutableClock(NOW));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestServer.Response hit(String path, String... pairs) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            query.append(query.length() == 0 ? "" : "&").append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        TestServer.Response response = server.get(path + "?" + query, null);
        assertGif(response);
        return response;
    }

    private static void assertGif(TestServer.Response response) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).isEqualTo("image/gif");
        assertThat(new String(response.body(), 0, 6, StandardCharsets.US_ASCII)).isEqualTo("GIF89a");
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
            assertThat(image.getWidth()).isEqualTo(1);
            assertThat(image.getHeight()).isEqualTo(1);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<JsonNode> events(String identity) {
        String id = server.person(identity).get("id").asText();
        List<JsonNode> events = new ArrayList<>();
        server.get("/api/people/" + id + "/timeline?limit=1000").json().get("events").forEach(events::add);
        return events;
    }

    private double dropped(String reason) {
        String metrics = server.get("/metrics", null).text();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("roster_kissmetrics_dropped_total{reason=\"" + reason + "\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void eventWithDEqualsOneUsesTheClientTimeAndKeepsPropertiesOnEventAndPerson() {
        hit("/e", "_k", server.writeKey(), "_p", "bob@example.com", "_n", "Signed Up", "_t", "1700000000", "_d", "1",
                "Plan", "Pro", "Billing Amount", "49");
        JsonNode event = events("bob@example.com").get(0);
        assertThat(event.get("name").asText()).isEqualTo("Signed Up");
        assertThat(event.get("timestamp").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(event.get("properties").get("Plan").asText()).isEqualTo("Pro");
        assertThat(event.get("properties").has("_k")).isFalse();
        JsonNode person = server.person("bob@example.com");
        assertThat(person.get("properties").get("Plan").asText()).isEqualTo("Pro");
        assertThat(person.get("ltv").asDouble()).isEqualTo(49.0);
    }

    @Test
    void withoutDTheEventHappensWhenReceived() {
        hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", "1700000000");
        assertThat(events("bob").get(0).get("timestamp").asText()).isEqualTo(NOW.toString());
    }

    @Test
    void theSamePersonEventAndTimeCountsOnce() {
        for (int i = 0; i < 3; i++) {
            hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", "1700000000", "_d", "1");
        }
        hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", "1700000001", "_d", "1");
        assertThat(events("bob")).hasSize(2);
    }

    @Test
    void setStoresPersonPropertiesWithoutAnEvent() {
        hit("/s", "_k", server.writeKey(), "_p", "bob", "Gender", "Male", "Age", "31");
        JsonNode person = server.person("bob");
        assertThat(person.get("properties").get("Gender").asText()).isEqualTo("Male");
        assertThat(person.get("properties").get("Age").asText()).isEqualTo("31");
        assertThat(person.get("event_count").asInt()).isZero();
    }

    @Test
    void aliasLinksBothIdentitiesInEitherOrderIdempotently() {
        hit("/e", "_k", server.writeKey(), "_p", "anon-7", "_n", "Visited");
        hit("/e", "_k", server.writeKey(), "_p", "bob@example.com", "_n", "Signed Up");
        hit("/a", "_k", server.writeKey(), "_p", "anon-7", "_n", "bob@example.com");
        hit("/a", "_k", server.writeKey(), "_p", "bob@example.com", "_n", "anon-7");
        hit("/a", "_k", server.writeKey(), "_p", "anon-7", "_n", "bob@example.com");
        JsonNode person = server.person("anon-7");
        assertThat(server.person("bob@example.com").get("id")).isEqualTo(person.get("id"));
        assertThat(person.get("identities")).hasSize(2);
        assertThat(person.get("event_count").asInt()).isEqualTo(2);
        assertThat(server.get("/api/identity-warnings").text()).doesNotContain("refused");
    }

    @Test
    void badHitsStillGetTheGifAndAreCountedByReason() {
        hit("/e", "_k", "wrong-key", "_p", "bob", "_n", "Visited");
        hit("/e", "_p", "bob", "_n", "Visited");
        hit("/e", "_k", server.writeKey(), "_n", "Visited");
        hit("/e", "_k", server.writeKey(), "_p", "bob");
        hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", "yesterday", "_d", "1");
        hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", "99999999999999999999", "_d", "1");
        hit("/a", "_k", server.writeKey(), "_p", "bob");
        assertThat(dropped("invalid_key")).isEqualTo(1);
        assertThat(dropped("missing_key")).isEqualTo(1);
        assertThat(dropped("missing_identity")).isEqualTo(2);
        assertThat(dropped("missing_event_name")).isEqualTo(1);
        assertThat(dropped("invalid_timestamp")).isEqualTo(2);
        assertThat(server.get("/api/people?identity=bob").status()).isEqualTo(404);
    }

    @Test
    void aFutureTimeIsClampedToTheReceiveTime() {
        long future = NOW.plusSeconds(3 * 24 * 3600).getEpochSecond();
        hit("/e", "_k", server.writeKey(), "_p", "bob", "_n", "Visited", "_t", Long.toString(future), "_d", "1");
        assertThat(events("bob").get(0).get("timestamp").asText()).isEqualTo(NOW.toString());
    }
}

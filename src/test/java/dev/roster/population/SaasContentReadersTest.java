package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's SaaS example, population side: "read 3+ content assets before starting a trial".
 * Reading happens anonymously before sign-up (so only merges make it count), readers keep using
 * the product and the others stop after two months. Through the API: the population holds exactly
 * the readers, and a population comparison shows the known retention difference.
 *
 * <p>The retention-report breakdown by this population is added where the retention report lives.
 */
class SaasContentReadersTest {
    private static final Instant NOW = Instant.parse("2024-12-31T12:00:00Z");
    private static final Instant START = Instant.parse("2024-01-01T09:00:00Z");
    private static final int PEOPLE = 40;
    static final String READERS = "{\"did\": \"Read Article\", \"count\": {\"op\": \"gte\", \"value\": 3}, \"before_first\": \"Started Trial\"}";
    static final String OTHER_TRIALISTS = "{\"did\": \"Read Article\", \"count\": {\"op\": \"lte\", \"value\": 2}, \"before_first\": \"Started Trial\"}";

    private TestServer server;
    private final Set<String> readers = new HashSet<>();

    @BeforeEach
    void start() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        Histories h = new Histories();
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < PEOPLE; i++) {
            String anonymous = "anon-" + i;
            String user = "user-" + i;
            Instant trial = START.plus(Duration.ofDays(5L * i));
            boolean reader = i % 2 == 0;
            int kind = i % 4; // 0: reader, all anonymous; 2: reader, last read as the user; 1: two reads; 3: reads after the trial
            if (kind == 0) {
                for (int r = 0; r < 3 + i % 3; r++) {
                    h.track(anonymous, false, "Read Article", trial.minus(Duration.ofDays(10 - r)), article(r));
                }
            } else if (kind == 2) {
                h.track(anonymous, false, "Read Article", trial.minus(Duration.ofDays(9)), article(0));
                h.track(anonymous, false, "Read Article", trial.minus(Duration.ofDays(8)), article(1));
                h.track(user, true, "Read Article", trial.minusSeconds(1), article(2));
            } else if (kind == 1) {
                h.track(anonymous, false, "Read Article", trial.minus(Duration.ofDays(3)), article(0));
                h.track(anonymous, false, "Read Article", trial.minus(Duration.ofDays(2)), article(1));
                h.track(user, true, "Read Article", trial, article(2)); // same instant: not before
            } else {
                for (int r = 0; r < 4; r++) {
                    h.track(user, true, "Read Article", trial.plus(Duration.ofDays(1 + r)), article(r));
                }
            }
            h.track(user, true, "Started Trial", trial, none);
            h.identify(user, anonymous, user, JsonNodeFactory.instance.objectNode().put("email", user + "@example.com"));
            Instant end = reader ? NOW : trial.plus(Duration.ofDays(60));
            for (Instant use = trial.plus(Duration.ofDays(1)); use.isBefore(end); use = use.plus(Duration.ofDays(20))) {
                h.track(user, true, "Used App", use, none);
            }
            if (reader) {
                readers.add(user);
            }
        }
        h.send(server, server.writeKey());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ObjectNode article(int n) {
        return JsonNodeFactory.instance.objectNode().put("article", "post-" + n).put("category", "guides");
    }

    private long preview(String definition) {
        TestServer.Response response = server.api("/api/populations/preview", "{\"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("count").asLong();
    }

    @Test
    void contentReadersBeforeTrialAreExactlyThePeopleWhoReadThreeTimesBeforeTheirFirstTrial() {
        TestServer.Response created = server.api("/api/populations",
                "{\"name\": \"3+ content views before Started Trial\", \"definition\": " + READERS + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("count").asLong()).isEqualTo(PEOPLE / 2);
        String id = created.json().get("id").asText();

        JsonNode page = server.get("/api/populations/" + id + "/people?limit=100").json();
        Set<String> members = new HashSet<>();
        page.get("people").forEach(p -> members.add(p.get("display_name").asText()));
        assertThat(members).isEqualTo(readers);
        assertThat(preview(OTHER_TRIALISTS)).isEqualTo(PEOPLE / 2);
    }

    @Test
    void readersStillUseTheProductAndOtherTrialistsDoNot() {
        String activeNow = "{\"did\": \"Used App\", \"within\": {\"last\": 30, \"unit\": \"day\"}}";
        long readersActive = preview("{\"all\": [" + READERS + ", " + activeNow + "]}");
        long othersActive = preview("{\"all\": [" + OTHER_TRIALISTS + ", " + activeNow + "]}");
        assertThat(readersActive).isEqualTo(PEOPLE / 2);
        assertThat(othersActive).isZero();
        // and the size history shows the readers as a population that only grows
        String id = server.api("/api/populations", "{\"name\": \"Readers\", \"definition\": " + READERS + "}").json().get("id").asText();
        JsonNode days = server.get("/api/populations/" + id + "/history?days=120").json().get("days");
        long previous = -1;
        for (JsonNode day : days) {
            assertThat(day.get("count").asLong()).isGreaterThanOrEqualTo(previous);
            previous = day.get("count").asLong();
        }
        assertThat(days).hasSize(120);
        assertThat(days.get(0).get("date").asText()).isEqualTo("2024-09-03");
        assertThat(days.get(0).get("count").asLong()).as("the last readers start their trial in July").isEqualTo(PEOPLE / 2);
        assertThat(previous).isEqualTo(PEOPLE / 2);
    }
}

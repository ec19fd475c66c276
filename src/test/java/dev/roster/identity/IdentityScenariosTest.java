package dev.roster.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The identity scenarios of SPEC §2, each asserted through the HTTP API. */
class IdentityScenariosTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void track(String anonymousId, String userId, String event, String timestamp) {
        StringBuilder json = new StringBuilder("{\"event\":\"" + event + "\",\"timestamp\":\"" + timestamp + "\"");
        if (anonymousId != null) {
            json.append(",\"anonymousId\":\"").append(anonymousId).append('"');
        }
        if (userId != null) {
            json.append(",\"userId\":\"").append(userId).append('"');
        }
        json.append('}');
        assertThat(server.segment("track", json.toString()).status()).isEqualTo(200);
    }

    private void identify(String anonymousId, String userId) {
        assertThat(server.segment("identify", "{\"anonymousId\":\"" + anonymousId + "\",\"userId\":\"" + userId
                + "\",\"traits\":{\"email\":\"" + userId + "@example.com\"}}").status()).isEqualTo(200);
    }

    private List<String> timelineNames(String personId) {
        JsonNode timeline = server.get("/api/people/" + personId + "/timeline?limit=1000").json();
        List<String> names = new ArrayList<>();
        timeline.get("events").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Test
    void anonymousBrowsingThenIdentifyPutsTheWholeHistoryUnderOnePerson() {
        track("anon-1", null, "Viewed Home", "2024-01-01T10:00:00Z");
        track("anon-1", null, "Viewed Pricing", "2024-01-01T10:05:00Z");
        identify("anon-1", "user-1");
        track(null, "user-1", "Purchased", "2024-01-02T10:00:00Z");

        JsonNode person = server.person("user-1");
        assertThat(server.person("anon-1").get("id").asText()).isEqualTo(person.get("id").asText());
        assertThat(person.get("display_name").asText()).isEqualTo("user-1");
        assertThat(person.get("event_count").asLong()).isEqualTo(3);
        assertThat(person.get("properties").get("email").asText()).isEqualTo("user-1@example.com");
        assertThat(timelineNames(person.get("id").asText())).containsExactly("Purchased", "Viewed Pricing", "Viewed Home");
    }

    @Test
    void twoDevicesMergeTransitively() {
        track("laptop", null, "Viewed Home", "2024-01-01T10:00:00Z");
        track("phone", null, "Viewed Pricing", "2024-01-02T10:00:00Z");
        identify("laptop", "ann");
        identify("phone", "ann");

        JsonNode person = server.person("phone");
        assertThat(server.person("laptop").get("id")).isEqualTo(person.get("id"));
        assertThat(person.get("identities")).extracting(i -> i.get("id").asText())
                .containsExactlyInAnyOrder("laptop", "phone", "ann");
        assertThat(person.get("event_count").asLong()).isEqualTo(2);
    }

    @Test
    void sharedComputerKeepsTwoIdentifiedUsersApart() {
        track("shared", null, "Viewed Home", "2024-01-01T10:00:00Z");
        identify("shared", "u1");
        track("shared", "u1", "Purchased", "2024-01-01T11:00:00Z");
        identify("shared", "u2");
        track("shared", "u2", "Viewed Pricing", "2024-01-01T12:00:00Z");

        JsonNode first = server.person("u1");
        JsonNode second = server.person("u2");
        assertThat(first.get("id")).isNotEqualTo(second.get("id"));
        assertThat(timelineNames(second.get("id").asText())).containsExactly("Viewed Pricing");
        assertThat(timelineNames(first.get("id").asText())).containsExactly("Purchased", "Viewed Home");
        JsonNode warnings = server.get("/api/identity-warnings").json();
        assertThat(warnings.get("counts").get("refused_merge").asLong()).isPositive();
    }

    @Test
    void placeholderIdNullNeverMerges() {
        identify("a1", "null");
        identify("a2", "null");
        track("a1", null, "Viewed Home", "2024-01-01T10:00:00Z");
        track("a2", null, "Viewed Home", "2024-01-01T10:00:00Z");

        assertThat(server.person("a1").get("id")).isNotEqualTo(server.person("a2").get("id"));
        JsonNode warnings = server.get("/api/identity-warnings").json();
        assertThat(warnings.get("counts").get("placeholder_id").asLong()).isPositive();
    }

    @Test
    void adminMergeJoinsTwoIdentifiedUsers() {
        track(null, "alice@work", "Viewed Home", "2024-01-01T10:00:00Z");
        track(null, "alice@home", "Purchased", "2024-01-02T10:00:00Z");
        String work = server.person("alice@work").get("id").asText();
        String home = server.person("alice@home").get("id").asText();
        assertThat(work).isNotEqualTo(home);

        TestServer.Response merged = server.api("/api/people/" + work + "/merge", "{\"other\":\"" + home + "\"}");
        assertThat(merged.status()).isEqualTo(200);
        JsonNode person = server.person("alice@home");
        assertThat(person.get("id").asText()).isEqualTo(server.person("alice@work").get("id").asText());
        assertThat(person.get("event_count").asLong()).isEqualTo(2);
        // the merged-away id still leads to the survivor
        assertThat(server.get("/api/people/" + home).json().get("id")).isEqualTo(person.get("id"));
    }

    @Test
    void mergeAfterThousandEventsIsVisibleInTheVeryNextTimelineCall() {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"anonymousId\":\"visitor\",\"event\":\"Viewed Page\",")
                    .append("\"messageId\":\"m").append(i).append("\",\"timestamp\":\"2024-01-01T10:00:")
                    .append(String.format("%02d", i % 60)).append("Z\"}");
        }
        batch.append("]}");
        assertThat(server.segment("batch", batch.toString()).status()).isEqualTo(200);
        track(null, "member", "Signed Up", "2024-01-02T00:00:00Z");
        identify("visitor", "member");

        String id = server.person("member").get("id").asText();
        JsonNode page = server.get("/api/people/" + id + "/timeline?limit=1000").json();
        assertThat(page.get("events")).hasSize(1000);
        assertThat(page.get("next_cursor").isNull()).isFalse();
        JsonNode rest = server.get("/api/people/" + id + "/timeline?limit=1000&cursor=" + page.get("next_cursor").asText()).json();
        assertThat(rest.get("events")).hasSize(1);
        assertThat(server.person("member").get("event_count").asLong()).isEqualTo(1001);
    }

    private void alias(String anonymousId, String previousId) {
        assertThat(server.segment("alias", "{\"anonymousId\":\"" + anonymousId + "\",\"previousId\":\"" + previousId
                + "\"}").status()).isEqualTo(200);
    }

    @Test
    void aChainOfMergesAcrossCommitsRedirectsOldPersonIdsToTheFinalSurvivor() {
        track("c-anon", null, "First", "2024-01-01T10:00:00Z");
        track("a-anon", null, "Second", "2024-01-02T10:00:00Z");
        track("b-anon", null, "Third", "2024-01-03T10:00:00Z");
        String b = server.person("b-anon").get("id").asText();
        String a = server.person("a-anon").get("id").asText();
        alias("a-anon", "b-anon");   // b merges into a (a is older)
        assertThat(server.person("b-anon").get("id").asText()).isEqualTo(a);
        alias("c-anon", "a-anon");   // a, which absorbed b, merges into c: b's merge row must follow
        String c = server.person("c-anon").get("id").asText();

        assertThat(List.of(a, b)).doesNotContain(c);
        for (String old : List.of(a, b)) {
            assertThat(server.get("/api/people/" + old).json().get("id").asText()).as(old).isEqualTo(c);
        }
        assertThat(server.person("b-anon").get("id").asText()).isEqualTo(c);
        assertThat(timelineNames(c)).containsExactly("Third", "Second", "First");
        assertThat(server.person("b-anon").get("identities")).extracting(i -> i.get("id").asText())
                .containsExactlyInAnyOrder("a-anon", "b-anon", "c-anon");
    }

    @Test
    void personsCreatedAndMergedWithinOneBatchEndUpWithTheSurvivorAndKeepMergingLater() {
        assertThat(server.segment("batch", "{\"batch\":["
                + "{\"type\":\"track\",\"event\":\"On Laptop\",\"anonymousId\":\"d-anon\",\"timestamp\":\"2024-01-01T10:00:00Z\"},"
                + "{\"type\":\"track\",\"event\":\"On Phone\",\"anonymousId\":\"e-anon\",\"timestamp\":\"2024-01-01T11:00:00Z\"},"
                + "{\"type\":\"alias\",\"anonymousId\":\"d-anon\",\"previousId\":\"e-anon\"}]}").status()).isEqualTo(200);
        String d = server.person("d-anon").get("id").asText();
        assertThat(server.person("e-anon").get("id").asText()).isEqualTo(d);
        assertThat(timelineNames(d)).containsExactly("On Phone", "On Laptop");

        track("f-anon", null, "Earlier Visit", "2023-12-01T10:00:00Z");
        alias("f-anon", "d-anon");   // f is newer than d, so d survives and f's history joins it
        assertThat(server.person("f-anon").get("id").asText()).isEqualTo(d);
        assertThat(server.person("e-anon").get("identities")).extracting(i -> i.get("id").asText())
                .containsExactlyInAnyOrder("d-anon", "e-anon", "f-anon");
        assertThat(timelineNames(d)).containsExactly("On Phone", "On Laptop", "Earlier Visit");
    }
}

package dev.roster.people;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/people/{id}/populations}: the saved populations one person belongs to, evaluated now. */
class PersonPopulationsApiTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String population(String name, String definition) {
        TestServer.Response response = server.api("/api/populations", "{\"name\": \"" + name + "\", \"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private List<String> names(String personId) {
        TestServer.Response response = server.get("/api/people/" + personId + "/populations");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        response.json().get("populations").forEach(p -> names.add(p.get("name").asText()));
        return names;
    }

    @Test
    void listsEveryPopulationThePersonIsInAndNoOther() {
        server.segment("identify", "{\"userId\": \"ann@example.com\", \"traits\": {\"plan\": \"pro\"}}");
        server.segment("track", "{\"userId\": \"ann@example.com\", \"event\": \"Purchased\", \"properties\": {\"revenue\": 20}}");
        server.segment("identify", "{\"userId\": \"bob@example.com\", \"traits\": {\"plan\": \"free\"}}");
        server.segment("track", "{\"userId\": \"bob@example.com\", \"event\": \"Viewed Pricing\"}");
        population("Pro plan", "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}");
        population("Buyers", "{\"did\": \"Purchased\"}");
        population("Never bought", "{\"all\": [{\"did\": \"Viewed Pricing\"}, {\"did_not\": \"Purchased\"}]}");
        population("Nobody", "{\"did\": \"Cancelled\"}");
        String ann = server.person("ann@example.com").get("id").asText();
        String bob = server.person("bob@example.com").get("id").asText();

        assertThat(names(ann)).containsExactly("Buyers", "Pro plan");
        assertThat(names(bob)).containsExactly("Never bought");
        JsonNode answer = server.get("/api/people/" + ann + "/populations").json();
        assertThat(answer.get("person_id").asText()).isEqualTo(ann);
        assertThat(answer.get("checked").asInt()).isEqualTo(4);
        assertThat(answer.get("populations").get(0).get("id").asText()).isNotBlank();
        assertThat(answer.get("populations").get(0).get("type").asText()).isEqualTo("dynamic");

        // Populations are evaluated now: Bob buys, and he moves from one to the other.
        server.segment("track", "{\"userId\": \"bob@example.com\", \"event\": \"Purchased\"}");
        assertThat(names(bob)).containsExactly("Buyers");
    }

    @Test
    void anonymousHistoryCountsAfterAMergeAndAMergedAwayIdLeadsToTheSurvivor() {
        server.segment("track", "{\"anonymousId\": \"anon-1\", \"event\": \"Read Article\"}");
        String anonymous = server.person("anon-1").get("id").asText();
        population("Readers", "{\"did\": \"Read Article\"}");
        server.segment("identify", "{\"userId\": \"ann@example.com\"}");
        server.segment("track", "{\"userId\": \"ann@example.com\", \"event\": \"Signed Up\"}");
        String ann = server.person("ann@example.com").get("id").asText();
        assertThat(names(ann)).isEmpty();

        server.segment("alias", "{\"previousId\": \"anon-1\", \"userId\": \"ann@example.com\"}");
        String survivor = server.person("ann@example.com").get("id").asText();
        assertThat(names(survivor)).containsExactly("Readers");
        assertThat(server.get("/api/people/" + anonymous + "/populations").json().get("person_id").asText()).isEqualTo(survivor);
    }

    @Test
    void withoutPopulationsTheListIsEmptyAndAnUnknownPersonIs404() {
        server.segment("track", "{\"userId\": \"ann@example.com\", \"event\": \"Signed Up\"}");
        String ann = server.person("ann@example.com").get("id").asText();
        JsonNode answer = server.get("/api/people/" + ann + "/populations").json();
        assertThat(answer.get("populations")).isEmpty();
        assertThat(answer.get("checked").asInt()).isZero();
        assertThat(server.get("/api/people/no-such-person/populations").status()).isEqualTo(404);
        assertThat(server.get("/api/people/" + ann + "/populations", "Bearer " + server.writeKey()).status()).isEqualTo(403);
    }
}

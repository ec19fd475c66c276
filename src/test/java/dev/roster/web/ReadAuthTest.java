package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** SPEC §8/§10: reading needs a secret key; the write key only ingests. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadAuthTest {
    private TestServer server;
    private String personId;

    @BeforeAll
    void start() {
        server = TestServer.start();
        assertThat(server.segment("track", "{\"event\":\"A\",\"userId\":\"reader\"}").status()).isEqualTo(200);
        personId = server.person("reader").get("id").asText();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Every read endpoint, as method and path; reports are included even before they exist. */
    private List<String[]> endpoints() {
        return List.of(
                new String[] {"GET", "/api/people?identity=reader"},
                new String[] {"GET", "/api/people?q=read"},
                new String[] {"GET", "/api/people/" + personId},
                new String[] {"GET", "/api/people/" + personId + "/timeline"},
                new String[] {"POST", "/api/people/" + personId + "/merge"},
                new String[] {"GET", "/api/identity-warnings"},
                new String[] {"POST", "/api/reports/funnel"},
                new String[] {"GET", "/api/populations"},
                new String[] {"GET", "/api/export/people"});
    }

    private TestServer.Response call(String[] endpoint, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(endpoint[1])));
        if (endpoint[0].equals("POST")) {
            request.POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        } else {
            request.GET();
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return TestServer.send(request.build());
    }

    @Test
    void writeKeyGets403OnEveryReadEndpoint() {
        for (String[] endpoint : endpoints()) {
            TestServer.Response response = call(endpoint, "Bearer " + server.writeKey());
            assertThat(response.status()).as(endpoint[0] + " " + endpoint[1] + ": " + response.text()).isEqualTo(403);
            JsonNode body = response.json();
            assertThat(body.get("error").asText()).isEqualTo("forbidden");
            assertThat(body.get("message").asText()).contains("write key", "secret key");
        }
    }

    @Test
    void missingSecretKeyGets401() {
        for (String[] endpoint : endpoints()) {
            TestServer.Response response = call(endpoint, null);
            assertThat(response.status()).as(endpoint[1]).isEqualTo(401);
            assertThat(response.json().get("error").asText()).isEqualTo("missing_key");
            assertThat(response.json().get("message").asText()).contains("Bearer");
        }
    }

    @Test
    void unknownSecretKeyGets401() {
        for (String[] endpoint : endpoints()) {
            TestServer.Response response = call(endpoint, "Bearer sk_not_a_real_key");
            assertThat(response.status()).as(endpoint[1]).isEqualTo(401);
            assertThat(response.json().get("error").asText()).isEqualTo("invalid_key");
        }
    }

    @Test
    void basicAuthIsNotAcceptedForReading() {
        String basic = "Basic " + Base64.getEncoder().encodeToString((server.secretKey() + ":").getBytes(StandardCharsets.UTF_8));
        TestServer.Response response = call(endpoints().get(0), basic);
        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void secretKeyReads() {
        assertThat(call(endpoints().get(0), "Bearer " + server.secretKey()).status()).isEqualTo(200);
        assertThat(call(endpoints().get(3), "Bearer " + server.secretKey()).status()).isEqualTo(200);
    }

    @Test
    void anotherProjectsSecretKeyDoesNotSeeThisProjectsPeople() {
        ProjectKeys other = server.roster().projects().create("Other");
        TestServer.Response byIdentity = server.get("/api/people?identity=reader", "Bearer " + other.secretKey());
        assertThat(byIdentity.status()).isEqualTo(404);
        TestServer.Response byId = server.get("/api/people/" + personId, "Bearer " + other.secretKey());
        assertThat(byId.status()).isEqualTo(404);
    }

    @Test
    void secretKeyIsNotAWriteKey() {
        TestServer.Response response = server.post("/v1/track", "{\"event\":\"A\",\"userId\":\"u\"}".getBytes(StandardCharsets.UTF_8),
                "application/json", "Basic " + Base64.getEncoder().encodeToString((server.secretKey() + ":").getBytes(StandardCharsets.UTF_8)));
        assertThat(response.status()).isEqualTo(401);
    }
}

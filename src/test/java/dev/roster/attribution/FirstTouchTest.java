package dev.roster.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Acquisition is the earliest event across all merged identities, so merges and backfills change it. */
class FirstTouchTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void page(String identityField, String identity, String timestamp, String url, String referrer) {
        String json = "{\"" + identityField + "\":\"" + identity + "\",\"timestamp\":\"" + timestamp + "\",\"properties\":{\"url\":\""
                + url + "\"" + (referrer == null ? "" : ",\"referrer\":\"" + referrer + "\"") + "}}";
        assertThat(server.segment("page", json).status()).isEqualTo(200);
    }

    @Test
    void anOldAnonymousGoogleVisitMergedIntoADirectUserMakesTheChannelOrganicSearch() {
        page("anonymousId", "laptop-anon", "2024-01-01T09:00:00Z", "https://acme.test/blog/pricing-guide", "https://www.google.com/");
        page("userId", "ann", "2024-02-01T09:00:00Z", "https://acme.test/app", null);
        JsonNode before = server.person("ann").get("acquisition");
        assertThat(before.get("channel").asText()).isEqualTo("Direct");
        assertThat(before.get("landing_page").asText()).isEqualTo("https://acme.test/app");

        assertThat(server.segment("identify", "{\"anonymousId\":\"laptop-anon\",\"userId\":\"ann\"}").status()).isEqualTo(200);

        JsonNode after = server.person("ann").get("acquisition");
        assertThat(after.get("channel").asText()).isEqualTo("Organic Search");
        assertThat(after.get("referrer").asText()).isEqualTo("https://www.google.com/");
        assertThat(after.get("referring_domain").asText()).isEqualTo("google.com");
        assertThat(after.get("landing_page").asText()).isEqualTo("https://acme.test/blog/pricing-guide");
    }

    @Test
    void aBackfilledEarlierEventBecomesTheFirstTouch() {
        page("userId", "bea", "2024-03-01T09:00:00Z", "https://acme.test/", "https://news.ycombinator.com/");
        assertThat(server.person("bea").get("acquisition").get("channel").asText()).isEqualTo("Social");
        assertThat(server.segment("track", "{\"userId\":\"bea\",\"event\":\"Opened Email\",\"timestamp\":\"2023-12-24T08:00:00Z\","
                + "\"context\":{\"campaign\":{\"source\":\"newsletter\",\"medium\":\"email\",\"name\":\"xmas\"}}}").status()).isEqualTo(200);
        JsonNode acquisition = server.person("bea").get("acquisition");
        assertThat(acquisition.get("channel").asText()).isEqualTo("Email");
        assertThat(acquisition.get("utm_campaign").asText()).isEqualTo("xmas");
    }
}

package dev.roster.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.MutableClock;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Identity, profile and transport rules of the PostHog and Mixpanel formats beyond the captures. */
class PosthogAndMixpanelSemanticsTest {
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:00Z");
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(new MutableClock(NOW));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestServer.Response posthog(String path, String json) {
        TestServer.Response response = server.post(path, json.replace("KEY", server.writeKey()).getBytes(StandardCharsets.UTF_8),
                "application/json", null);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response;
    }

    private TestServer.Response mixpanel(String path, String json) {
        String data = Base64.getEncoder().encodeToString(json.replace("KEY", server.writeKey()).getBytes(StandardCharsets.UTF_8));
        TestServer.Response response = TestServer.send(HttpRequest.newBuilder(URI.create(server.url(path + "?data="
                + URLEncoder.encode(data, StandardCharsets.UTF_8)))).GET().build());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("1");
        return response;
    }

    private List<JsonNode> events(String identity) {
        String id = server.person(identity).get("id").asText();
        List<JsonNode> events = new ArrayList<>();
        server.get("/api/people/" + id + "/timeline?limit=1000").json().get("events").forEach(events::add);
        return events;
    }

    private String warnings() {
        return server.get("/api/identity-warnings").text();
    }

    @Test
    void posthogCreateAliasRespectsTheGuardButMergeDangerouslyJoinsTwoIdentifiedUsers() {
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"$identify\",\"distinct_id\":\"ann\",\"properties\":{\"$anon_distinct_id\":\"dev-1\"}}");
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"$identify\",\"distinct_id\":\"bob\",\"properties\":{\"$anon_distinct_id\":\"dev-2\"}}");
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"$create_alias\",\"distinct_id\":\"ann\",\"properties\":{\"alias\":\"bob\"}}");
        assertThat(server.person("ann").get("id")).isNotEqualTo(server.person("bob").get("id"));
        assertThat(warnings()).contains("refused");

        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"$merge_dangerously\",\"distinct_id\":\"ann\",\"properties\":{\"alias\":\"bob\"}}");
        JsonNode ann = server.person("ann");
        assertThat(server.person("bob").get("id")).isEqualTo(ann.get("id"));
        assertThat(server.person("dev-2").get("id")).isEqualTo(ann.get("id"));
    }

    @Test
    void posthogPersonPropertiesFromEventsTopLevelAndUnset() {
        posthog("/batch/", "{\"api_key\":\"KEY\",\"batch\":["
                + "{\"event\":\"Signed Up\",\"distinct_id\":\"cy\",\"properties\":{\"$set\":{\"plan\":\"free\",\"tmp\":1},\"$set_once\":{\"source\":\"ad\"}}},"
                + "{\"event\":\"$set\",\"distinct_id\":\"cy\",\"$set\":{\"plan\":\"pro\"},\"$set_once\":{\"source\":\"other\"}},"
                + "{\"event\":\"Cleaned\",\"distinct_id\":\"cy\",\"properties\":{\"$unset\":[\"tmp\"]}}]}");
        JsonNode person = server.person("cy");
        assertThat(person.get("properties").get("plan").asText()).isEqualTo("pro");
        assertThat(person.get("properties").get("source").asText()).isEqualTo("ad");
        assertThat(person.get("properties").has("tmp")).isFalse();
        assertThat(events("cy")).extracting(e -> e.get("name").asText()).containsExactlyInAnyOrder("Signed Up", "Cleaned");
        assertThat(events("cy").get(0).get("properties").has("$set")).as("operations are not event properties").isFalse();
    }

    @Test
    void posthogTransportsGzipJsSniffedGzipAndBase64Forms() {
        String event = "{\"api_key\":\"" + server.writeKey() + "\",\"event\":\"e\",\"distinct_id\":\"dee\",\"uuid\":\"UUID\"}";
        byte[] gzip = WireCapture.gzip(event.replace("UUID", "1").getBytes(StandardCharsets.UTF_8));
        assertThat(server.post("/e/?compression=gzip-js&ver=1.0", gzip, "text/plain", null).status()).isEqualTo(200);
        byte[] sniffed = WireCapture.gzip(event.replace("UUID", "2").getBytes(StandardCharsets.UTF_8));
        assertThat(server.post("/i/v0/e/", sniffed, "application/json", null).status()).isEqualTo(200);
        String form = "data=" + URLEncoder.encode(Base64.getEncoder().encodeToString(event.replace("UUID", "3")
                .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8) + "&ver=1.0";
        assertThat(server.post("/e/", form.getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded", null).status()).isEqualTo(200);
        assertThat(server.post("/e/", form.getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded", null).status()).isEqualTo(200);
        assertThat(events("dee")).as("three distinct uuids, one retried").hasSize(3);
    }

    @Test
    void posthogIsIdentifiedMarksAUserForTheGuard() {
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"Viewed\",\"distinct_id\":\"eve\",\"properties\":{\"$is_identified\":true}}");
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"Viewed\",\"distinct_id\":\"fay\",\"properties\":{\"$is_identified\":true}}");
        posthog("/capture/", "{\"api_key\":\"KEY\",\"event\":\"$create_alias\",\"distinct_id\":\"eve\",\"properties\":{\"alias\":\"fay\"}}");
        assertThat(server.person("eve").get("id")).isNotEqualTo(server.person("fay").get("id"));
    }

    @Test
    void mixpanelTimeInSecondsOrMillisecondsAndInsertIdDeduplication() {
        mixpanel("/track", "{\"event\":\"Sec\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"gus\",\"time\":1700000000}}");
        mixpanel("/track", "{\"event\":\"Ms\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"gus\",\"time\":1700000000123}}");
        mixpanel("/track", "{\"event\":\"Now\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"gus\"}}");
        for (int i = 0; i < 3; i++) {
            mixpanel("/track", "{\"event\":\"Retried\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"gus\",\"$insert_id\":\"r-1\",\"time\":" + (1700000000 + i) + "}}");
        }
        List<JsonNode> events = events("gus");
        assertThat(events).hasSize(4);
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("Sec")).findFirst().orElseThrow()
                .get("timestamp").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("Ms")).findFirst().orElseThrow()
                .get("timestamp").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("Now")).findFirst().orElseThrow()
                .get("timestamp").asText()).isEqualTo(NOW.toString());
    }

    @Test
    void mixpanelMergeJoinsTwoIdentifiedUsersWithAdminStrength() {
        mixpanel("/track", "{\"event\":\"$identify\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"hal\",\"$identified_id\":\"hal\",\"$anon_distinct_id\":\"a-h\"}}");
        mixpanel("/track", "{\"event\":\"$create_alias\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"a-i\",\"alias\":\"ian\"}}");
        mixpanel("/track", "{\"event\":\"$identify\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"ian\",\"$identified_id\":\"ian\",\"$anon_distinct_id\":\"a-h\"}}");
        assertThat(server.person("hal").get("id")).as("the guard refuses").isNotEqualTo(server.person("ian").get("id"));
        mixpanel("/track", "{\"event\":\"$merge\",\"properties\":{\"token\":\"KEY\",\"$distinct_ids\":[\"hal\",\"ian\"]}}");
        JsonNode hal = server.person("hal");
        assertThat(server.person("ian").get("id")).isEqualTo(hal.get("id"));
        assertThat(server.person("a-i").get("id")).isEqualTo(hal.get("id"));
    }

    @Test
    void mixpanelEngageOperationsAndDelete() {
        mixpanel("/engage", "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$set\":{\"plan\":\"pro\",\"tmp\":true},\"$set_once\":{\"first\":\"a\"}}");
        mixpanel("/engage", "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$set_once\":{\"first\":\"b\"},\"$add\":{\"logins\":2.5}}");
        mixpanel("/engage", "[{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$append\":{\"pages\":\"x\"}},"
                + "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$append\":{\"pages\":\"x\"}},"
                + "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$union\":{\"tags\":[\"a\",\"b\"]}},"
                + "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$union\":{\"tags\":[\"b\",\"c\"]}},"
                + "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$remove\":{\"tags\":\"a\"}},"
                + "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$unset\":[\"tmp\"]}]");
        JsonNode properties = server.person("jo").get("properties");
        assertThat(properties.get("plan").asText()).isEqualTo("pro");
        assertThat(properties.get("first").asText()).isEqualTo("a");
        assertThat(properties.get("logins").asDouble()).isEqualTo(2.5);
        assertThat(properties.get("pages")).hasSize(2);
        assertThat(properties.get("tags")).extracting(JsonNode::asText).containsExactly("b", "c");
        assertThat(properties.has("tmp")).isFalse();

        mixpanel("/engage", "{\"$token\":\"KEY\",\"$distinct_id\":\"jo\",\"$delete\":\"\"}");
        assertThat(server.person("jo").get("properties")).isEmpty();
    }

    @Test
    void mixpanelBrowserPageViewsAreStoredAsPageviewWithAttributionFields() {
        mixpanel("/track", "{\"event\":\"$mp_web_page_view\",\"properties\":{\"token\":\"KEY\",\"distinct_id\":\"lu\","
                + "\"$current_url\":\"https://acme.test/?utm_medium=cpc\",\"$referrer\":\"https://www.bing.com/\",\"utm_medium\":\"cpc\"}}");
        JsonNode event = events("lu").get(0);
        assertThat(event.get("name").asText()).isEqualTo("$pageview");
        assertThat(event.get("properties").get("url").asText()).isEqualTo("https://acme.test/?utm_medium=cpc");
        JsonNode acquisition = server.person("lu").get("acquisition");
        assertThat(acquisition.get("channel").asText()).isEqualTo("Paid");
        assertThat(acquisition.get("referring_domain").asText()).isEqualTo("bing.com");
    }

    @Test
    void mixpanelVerboseAnswersJson() {
        String data = Base64.getEncoder().encodeToString(("{\"event\":\"v\",\"properties\":{\"token\":\"" + server.writeKey()
                + "\",\"distinct_id\":\"kim\"}}").getBytes(StandardCharsets.UTF_8));
        TestServer.Response response = server.post("/track?verbose=1", ("data=" + data).getBytes(StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.text()).isEqualTo("{\"status\":1,\"error\":null}");
    }
}

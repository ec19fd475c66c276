package dev.roster.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mixpanel.mixpanelapi.ClientDelivery;
import com.mixpanel.mixpanelapi.MessageBuilder;
import com.mixpanel.mixpanelapi.MixpanelAPI;
import com.posthog.server.PostHog;
import com.posthog.server.PostHogCaptureOptions;
import com.posthog.server.PostHogConfig;
import com.posthog.server.PostHogInterface;
import dev.roster.store.DuckDbGroupStore;
import dev.roster.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official PostHog and Mixpanel Java SDKs from Maven Central, unchanged, pointed at Roster. */
class OfficialSdkTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void await(Supplier<Boolean> condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    private List<JsonNode> events(String identity) {
        String id = server.person(identity).get("id").asText();
        List<JsonNode> events = new ArrayList<>();
        server.get("/api/people/" + id + "/timeline?limit=1000").json().get("events").forEach(events::add);
        return events;
    }

    @Test
    void posthogServerJavaSdkEventsPersonsMergesAndGroupsLand() {
        PostHogConfig config = new PostHogConfig.Builder(server.writeKey())
                .host(server.url(""))
                .flushAt(1)
                .preloadFeatureFlags(false)
                .remoteConfig(false)
                .sendFeatureFlagEvent(false)
                .build();
        PostHogInterface posthog = PostHog.with(config);
        try {
            posthog.capture("anon-ph", "Viewed Pricing", new PostHogCaptureOptions.Builder()
                    .property("plan", "pro").timestamp(Instant.parse("2024-01-15T10:30:00Z")).build());
            posthog.identify("user-ph", Map.of("email", "ph@example.com"), Map.of("first_seen", "2024-01-15"));
            posthog.alias("user-ph", "anon-ph");
            posthog.group("user-ph", "company", "acme", Map.of("name", "Acme Inc"));
            posthog.capture("user-ph", "Joined Group", new PostHogCaptureOptions.Builder().group("company", "acme").build());
            posthog.flush();
        } finally {
            posthog.close();
        }
        await(() -> server.get("/api/people?identity=user-ph").status() == 200
                && server.person("user-ph").get("event_count").asInt() == 2
                && server.get("/api/people?identity=anon-ph").status() == 200
                && server.person("anon-ph").get("id").equals(server.person("user-ph").get("id")), "PostHog SDK traffic");
        JsonNode person = server.person("user-ph");
        assertThat(person.get("properties").get("email").asText()).isEqualTo("ph@example.com");
        assertThat(person.get("properties").get("first_seen").asText()).isEqualTo("2024-01-15");
        JsonNode pricing = events("user-ph").stream().filter(e -> e.get("name").asText().equals("Viewed Pricing")).findFirst().orElseThrow();
        assertThat(pricing.get("properties").get("plan").asText()).isEqualTo("pro");
        assertThat(Duration.between(Instant.parse("2024-01-15T10:30:00Z"), Instant.parse(pricing.get("timestamp").asText())).abs())
                .as("skew correction moves a past timestamp by at most the request latency").isLessThan(Duration.ofSeconds(5));
        await(() -> new DuckDbGroupStore(server.roster().database()).find(server.keys().project().key(), "company", "acme").has("name"),
                "group properties");
    }

    @Test
    void mixpanelJavaSdkTrackPeopleGroupsAndImportLand() throws Exception {
        String base = server.url("");
        MixpanelAPI mixpanel = new MixpanelAPI(base + "/track", base + "/engage", base + "/groups", base + "/import");
        MessageBuilder messages = new MessageBuilder(server.writeKey());
        ClientDelivery delivery = new ClientDelivery();
        delivery.addMessage(messages.event("anon-mp", "Viewed Pricing", new JSONObject(Map.of("plan", "pro", "city", "Zürich?>+/"))));
        JSONObject identify = new JSONObject(Map.of("$anon_distinct_id", "anon-mp", "$identified_id", "user-mp"));
        delivery.addMessage(messages.event("user-mp", "$identify", identify));
        delivery.addMessage(messages.set("user-mp", new JSONObject(Map.of("plan", "pro"))));
        delivery.addMessage(messages.increment("user-mp", Map.of("logins", 2L)));
        delivery.addMessage(messages.groupSet("company", "acme", new JSONObject(Map.of("name", "Acme Inc"))));
        delivery.addMessage(messages.importEvent("user-mp", "Signed Up", new JSONObject(Map.of(
                "time", 1705314660000L, "$insert_id", "sdk-import-1"))));
        // deliver throws when an answer is not what the SDK expects
        mixpanel.deliver(delivery);
        mixpanel.deliver(delivery);
        mixpanel.close();

        JsonNode person = server.person("user-mp");
        assertThat(server.person("anon-mp").get("id")).isEqualTo(person.get("id"));
        assertThat(person.get("properties").get("plan").asText()).isEqualTo("pro");
        assertThat(person.get("properties").get("logins").asInt()).as("increments are not idempotent, as in Mixpanel").isEqualTo(4);
        List<JsonNode> events = events("user-mp");
        assertThat(events).extracting(e -> e.get("name").asText()).containsOnly("Viewed Pricing", "Signed Up");
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("Signed Up")).toList())
                .as("the second import is deduplicated by $insert_id").hasSize(1)
                .first().satisfies(e -> assertThat(e.get("timestamp").asText()).isEqualTo("2024-01-15T10:31:00Z"));
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("Viewed Pricing")).findFirst().orElseThrow()
                .get("properties").get("city").asText()).isEqualTo("Zürich?>+/");
        assertThat(new DuckDbGroupStore(server.roster().database()).find(server.keys().project().key(), "company", "acme")
                .get("name").asText()).isEqualTo("Acme Inc");
    }
}

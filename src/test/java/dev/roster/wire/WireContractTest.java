package dev.roster.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.MutableClock;
import dev.roster.testing.TestServer;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every PostHog and Mixpanel request captured from the real SDKs (../shared/wire) against a
 * real server, each into its own fresh project, and asserts the exact answer the SDK needs and
 * what was stored: events, properties, timestamps, persons, merges and group properties.
 */
class WireContractTest {
    private static final Instant CAPTURED = Instant.parse("2026-11-28T14:30:00Z");
    private static final String PRICING_TIME = "2024-01-15T10:30:00Z";

    private static MutableClock clock;
    private static TestServer server;

    @BeforeAll
    static void start() {
        clock = new MutableClock(CAPTURED);
        server = TestServer.start(clock);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<String> captureFiles() {
        List<String> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(Path.of("src/test/resources/wire"))) {
            list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("posthog-") || n.startsWith("mixpanel-"))
                    .sorted().forEach(files::add);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    @Test
    void everySharedPosthogAndMixpanelCaptureIsCoveredHere() throws IOException {
        Path shared = Path.of("../shared/wire");
        if (!Files.isDirectory(shared)) {
            System.out.println("SKIP check: ../shared/wire not present; replaying the copies in test resources");
            return;
        }
        try (Stream<Path> list = Files.list(shared)) {
            List<String> sharedFiles = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("posthog-") || n.startsWith("mixpanel-")).sorted().toList();
            assertThat(captureFiles()).containsAll(sharedFiles);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaptureReplaysWithTheAnswerItsSdkNeedsAndStoresWhatItSent() {
        return captureFiles().stream().map(file -> DynamicTest.dynamicTest(file, () -> replay(WireCapture.load(file))));
    }

    private void replay(WireCapture capture) {
        ProjectKeys keys = server.roster().projects().create(capture.file());
        Project project = new Project(keys);
        clock.set(sentAt(capture));
        TestServer.Response response = TestServer.send(capture.request(server, keys.project().writeKey()));
        assertResponse(capture, response);
        if (capture.call().equals("retry")) {
            // the SDK retries after a failure: the same bytes again must not double-count
            TestServer.Response again = TestServer.send(capture.request(server, keys.project().writeKey()));
            assertResponse(capture, again);
        }
        if (capture.sdk().startsWith("posthog")) {
            assertPosthogStored(capture, project);
        } else {
            assertMixpanelStored(capture, project);
        }
    }

    private static Instant sentAt(WireCapture capture) {
        JsonNode body = capture.capture().get("body");
        if (body.isObject()) {
            for (String field : List.of("sent_at", "created_at")) {
                if (body.hasNonNull(field)) {
                    return Instant.parse(body.get(field).asText());
                }
            }
        }
        return CAPTURED;
    }

    private static void assertResponse(WireCapture capture, TestServer.Response response) {
        assertThat(response.status()).as(capture.file() + ": " + response.text()).isEqualTo(200);
        if (capture.sdk().startsWith("posthog")) {
            assertThat(response.contentType()).startsWith("application/json");
            assertThat(response.json().get("status").asInt()).isEqualTo(1);
            if (!capture.path().startsWith("/i/v1/")) {
                assertThat(response.text()).isEqualTo("{\"status\":1}");
            } else {
                assertThat(response.json().get("rejected")).isEmpty();
            }
        } else if (capture.path().equals("/import") && capture.capture().get("body_format").asText().contains("JSON")
                && !capture.capture().get("body_format").asText().contains("data=")) {
            assertThat(response.json()).isEqualTo(Json.parse("{\"code\":200,\"num_records_imported\":"
                    + capture.capture().get("body").size() + ",\"status\":\"OK\"}"));
        } else if (capture.capture().get("query_string").asText().contains("verbose=1")) {
            assertThat(response.text()).isEqualTo("{\"status\":1,\"error\":null}");
        } else {
            assertThat(response.text()).isEqualTo("1");
        }
    }

    // ---------------------------------------------------------------- PostHog

    private void assertPosthogStored(WireCapture capture, Project project) {
        boolean legacy = capture.sdk().equals("posthog-java-legacy");
        boolean node = capture.sdk().startsWith("posthog-node");
        JsonNode first = capture.capture().get("body").get("batch").get(0);
        switch (capture.call()) {
            case "track" -> {
                JsonNode event = project.onlyEvent("u1", "Viewed Pricing");
                assertThat(event.get("id").asText()).isEqualTo(first.get("uuid").asText());
                assertThat(event.get("timestamp").asText()).isEqualTo(legacy ? isoMicros(first.get("timestamp").asText()) : PRICING_TIME);
                assertThat(event.get("properties").get("plan").asText()).isEqualTo("pro");
                assertThat(event.get("properties").get("price").asDouble()).isEqualTo(49.99);
                assertThat(event.get("properties").get("currency").asText()).isEqualTo("USD");
                assertThat(project.person("u1").get("event_count").asInt()).isEqualTo(1);
            }
            case "page" -> {
                JsonNode event = project.onlyEvent("u1", "$pageview");
                assertThat(event.get("properties").get("url").asText()).isEqualTo("https://example.com/pricing");
                assertThat(event.get("properties").get("$current_url").asText()).isEqualTo("https://example.com/pricing");
                if (!legacy && capture.sdk().startsWith("posthog-node")) {
                    assertThat(event.get("properties").get("path").asText()).isEqualTo("/pricing");
                }
                assertThat(event.get("timestamp").asText()).isEqualTo(isoMicros(first.get("timestamp").asText()));
            }
            case "identify" -> {
                JsonNode person = project.person("u1");
                assertThat(person.get("properties").get("plan").asText()).isEqualTo("pro");
                assertThat(person.get("properties").get("email").asText()).isEqualTo("u1@example.com");
                assertThat(person.get("display_name").asText()).isEqualTo("u1");
                assertThat(person.get("event_count").asInt()).as("identify changes the person, stores no event").isZero();
                if (node) {
                    assertThat(project.person("anon-1").get("id")).isEqualTo(person.get("id"));
                } else {
                    assertThat(person.get("properties").get("first_seen").asText()).isEqualTo("2024-01-15");
                }
            }
            case "alias" -> {
                JsonNode person = project.person("u1");
                assertThat(project.person("anon-1").get("id")).isEqualTo(person.get("id"));
                assertThat(ids(person)).containsExactlyInAnyOrder("u1", "anon-1");
            }
            case "group" -> {
                ObjectNode group = project.group("company", "g1");
                assertThat(group.get("name").asText()).isEqualTo("Acme Inc");
                if (!legacy) {
                    assertThat(group.get("plan").asText()).isEqualTo("enterprise");
                }
                assertThat(project.find("$company_g1").status()).as("a group call creates no person").isEqualTo(404);
            }
            case "track-with-groups" -> {
                JsonNode event = project.onlyEvent("u1", "Joined Group");
                assertThat(event.get("properties").get("$groups").get("company").asText()).isEqualTo("g1");
            }
            case "set" -> assertThat(project.person("u1").get("properties").get("plan").asText()).isEqualTo("pro");
            case "batch", "retry" -> {
                JsonNode person = project.person("u1");
                assertThat(project.person("anon-1").get("id")).isEqualTo(person.get("id"));
                assertThat(person.get("properties").get("email").asText()).isEqualTo("u1@example.com");
                Map<String, Integer> names = project.eventNames("u1");
                assertThat(names).containsEntry("Viewed Pricing", 1).containsEntry("$pageview", 1).containsEntry("Joined Group", 1)
                        .doesNotContainKeys("$identify", "$create_alias", "$groupidentify");
                assertThat(project.onlyEvent("u1", "Viewed Pricing").get("timestamp").asText()).isEqualTo(PRICING_TIME);
                assertThat(project.group("company", "g1").get("plan").asText()).isEqualTo("enterprise");
            }
            default -> throw new AssertionError("no expectation for PostHog call " + capture.call());
        }
    }

    // ---------------------------------------------------------------- Mixpanel

    private void assertMixpanelStored(WireCapture capture, Project project) {
        JsonNode body = capture.capture().get("body");
        switch (capture.call()) {
            case "track", "track-gzip", "track-apisecret", "track-verbose", "import", "import-gzip", "import-apikey" -> {
                JsonNode event = project.onlyEvent("u1", "Viewed Pricing");
                assertThat(event.get("timestamp").asText()).isEqualTo(PRICING_TIME);
                assertThat(event.get("properties").get("plan").asText()).isEqualTo("pro");
                assertThat(event.get("properties").has("token")).as("the token is not a property").isFalse();
                JsonNode sent = body.isArray() ? body.get(0) : body;
                if (sent.get("properties").has("$insert_id")) {
                    assertThat(event.get("id").asText()).isEqualTo(sent.get("properties").get("$insert_id").asText());
                }
                if (capture.sdk().equals("mixpanel-java") && capture.call().startsWith("track")) {
                    assertThat(event.get("properties").get("city").asText()).isEqualTo("Zürich?>");
                    JsonNode person = project.person("u1");
                    assertThat(project.person("anon-1").get("id")).isEqualTo(person.get("id"));
                    assertThat(project.eventNames("u1")).containsOnlyKeys("Viewed Pricing", "Page Viewed");
                    assertThat(project.onlyEvent("u1", "Page Viewed").get("properties").get("url").asText())
                            .isEqualTo("https://example.com/pricing");
                }
            }
            case "track-batch" -> {
                assertThat(project.eventNames("u1")).containsOnlyKeys("Viewed Pricing", "Clicked CTA");
                assertThat(project.onlyEvent("u1", "Viewed Pricing").get("timestamp").asText())
                        .isEqualTo(Instant.ofEpochMilli(1795875853859L).toString());
                assertThat(project.onlyEvent("u1", "Clicked CTA").get("properties").get("city").asText()).isEqualTo("Zürich?>");
            }
            case "track-batch-base64-plus" -> {
                assertThat(capture.capture().get("raw_body_text").asText()).contains("+");
                assertThat(project.onlyEvent("u1", "x").get("properties").get("city").asText()).isEqualTo("x>?");
            }
            case "import-batch", "import-batch-apisecret" -> {
                assertThat(project.eventNames("u1")).containsOnlyKeys("Viewed Pricing", "Signed Up");
                assertThat(project.onlyEvent("u1", "Signed Up").get("id").asText()).isEqualTo("ins-0003");
                assertThat(project.onlyEvent("u1", "Signed Up").get("timestamp").asText()).isEqualTo("2024-01-15T10:31:00Z");
            }
            case "page" -> {
                JsonNode event = project.onlyEvent("u1", "Page Viewed");
                assertThat(event.get("properties").get("url").asText()).isEqualTo("https://example.com/pricing");
                assertThat(event.get("properties").get("path").asText()).isEqualTo("/pricing");
                assertThat(event.get("timestamp").asText()).isEqualTo(CAPTURED.toString());
            }
            case "identify", "alias" -> {
                JsonNode person = project.person("u1");
                assertThat(project.person("anon-1").get("id")).isEqualTo(person.get("id"));
                assertThat(person.get("display_name").asText()).isEqualTo("u1");
                assertThat(person.get("event_count").asInt()).isZero();
            }
            case "people" -> {
                JsonNode properties = project.person("u1").get("properties");
                assertThat(properties.get("$email").asText()).isEqualTo("u1@example.com");
                assertThat(properties.get("plan").asText()).isEqualTo("pro");
                assertThat(properties.get("first_seen").asText()).isEqualTo("2024-01-15");
                assertThat(properties.get("logins").asInt()).isEqualTo(1);
            }
            case "people-set" -> {
                JsonNode properties = project.person("u1").get("properties");
                assertThat(properties.get("$email").asText()).isEqualTo("u1@example.com");
                assertThat(properties.get("plan").asText()).isEqualTo("pro");
            }
            case "people-set-once" -> assertThat(project.person("u1").get("properties").get("first_seen").asText()).isEqualTo("2024-01-15");
            case "people-increment" -> assertThat(project.person("u1").get("properties").get("logins").asInt()).isEqualTo(1);
            case "group" -> {
                ObjectNode group = project.group("company", "g1");
                assertThat(group.get("name").asText()).isEqualTo("Acme Inc");
                assertThat(group.get("plan").asText()).isEqualTo("enterprise");
            }
            default -> throw new AssertionError("no expectation for Mixpanel call " + capture.call());
        }
    }

    private static String isoMicros(String timestamp) {
        // stored with DuckDB's microsecond precision
        return Instant.parse(timestamp).truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    private static List<String> ids(JsonNode person) {
        List<String> ids = new ArrayList<>();
        person.get("identities").forEach(i -> ids.add(i.get("id").asText()));
        return ids;
    }

    /** Reads one project through the API with its secret key. */
    private static final class Project {
        private final ProjectKeys keys;

        Project(ProjectKeys keys) {
            this.keys = keys;
        }

        TestServer.Response find(String identity) {
            return server.get("/api/people?identity=" + URLEncoder.encode(identity, StandardCharsets.UTF_8), "Bearer " + keys.secretKey());
        }

        JsonNode person(String identity) {
            TestServer.Response response = find(identity);
            assertThat(response.status()).as("person " + identity + ": " + response.text()).isEqualTo(200);
            return response.json();
        }

        List<JsonNode> events(String identity) {
            String id = person(identity).get("id").asText();
            TestServer.Response response = server.get("/api/people/" + id + "/timeline?limit=1000", "Bearer " + keys.secretKey());
            assertThat(response.status()).isEqualTo(200);
            List<JsonNode> events = new ArrayList<>();
            response.json().get("events").forEach(events::add);
            return events;
        }

        Map<String, Integer> eventNames(String identity) {
            Map<String, Integer> names = new TreeMap<>();
            events(identity).forEach(e -> names.merge(e.get("name").asText(), 1, Integer::sum));
            return names;
        }

        JsonNode onlyEvent(String identity, String name) {
            List<JsonNode> matching = events(identity).stream().filter(e -> e.get("name").asText().equals(name)).toList();
            assertThat(matching).as("events named " + name).hasSize(1);
            return matching.get(0);
        }

        ObjectNode group(String type, String key) {
            TestServer.Response response = server.get("/api/groups/" + type + "/" + key, "Bearer " + keys.secretKey());
            assertThat(response.status()).as("group " + type + "/" + key + ": " + response.text()).isEqualTo(200);
            assertThat(response.json().get("type").asText()).isEqualTo(type);
            return (ObjectNode) response.json().get("properties");
        }
    }
}

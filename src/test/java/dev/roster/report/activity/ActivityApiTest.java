package dev.roster.report.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/activity} and {@code GET /api/ingestion/health} over real HTTP. */
class ActivityApiTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void track(String user, String event, String properties) {
        TestServer.Response response = server.segment("track",
                "{\"userId\": \"" + user + "\", \"event\": \"" + event + "\", \"properties\": " + properties + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("events").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Test
    void newestReceivedFirstAndPollingAfterTheLatestCursorReturnsOnlyNewEvents() {
        track("u1", "First", "{}");
        track("u2", "Second", "{}");
        track("u1", "Third", "{}");
        JsonNode page = server.get("/api/activity?limit=10").json();
        assertThat(names(page)).containsExactly("Third", "Second", "First");
        assertThat(page.get("next_cursor").isNull()).isTrue();
        String latest = page.get("latest").asText();

        JsonNode nothingNew = server.get("/api/activity?after=" + latest).json();
        assertThat(nothingNew.get("events")).isEmpty();
        assertThat(nothingNew.get("latest").asText()).as("polling keeps its place").isEqualTo(latest);

        track("u3", "Fourth", "{}");
        track("u3", "Fifth", "{}");
        JsonNode fresh = server.get("/api/activity?after=" + latest).json();
        assertThat(names(fresh)).containsExactly("Fifth", "Fourth");
    }

    @Test
    void pagesBackwardsWithBeforeWithoutGapsOrRepeats() {
        for (int i = 0; i < 7; i++) {
            track("u" + (i % 3), "E" + i, "{}");
        }
        List<String> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = server.get("/api/activity?limit=3" + (cursor == null ? "" : "&before=" + cursor)).json();
            all.addAll(names(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(all).containsExactly("E6", "E5", "E4", "E3", "E2", "E1", "E0");
    }

    @Test
    void eventsReceivedInOneBatchShareTheirReceiveTimeAndStillPageWithoutGapsOrRepeats() {
        StringBuilder batch = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < 8; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\": \"track\", \"userId\": \"u").append(i % 2)
                    .append("\", \"event\": \"B").append(i).append("\", \"messageId\": \"batch-").append(i).append("\"}");
        }
        assertThat(server.segment("batch", batch.append("]}").toString()).status()).isEqualTo(200);
        List<String> all = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = server.get("/api/activity?limit=3" + (cursor == null ? "" : "&before=" + cursor)).json();
            all.addAll(names(page));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        } while (cursor != null);
        assertThat(all).hasSize(8).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder("B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7");
    }

    @Test
    void filtersByEventAndByPropertyValueAndLinksToTheMergedPerson() {
        server.segment("track", "{\"anonymousId\": \"anon-1\", \"event\": \"Viewed Pricing\", \"properties\": {\"plan\": \"pro\"}}");
        track("u2", "Viewed Pricing", "{\"plan\": \"free\"}");
        track("u2", "Signed Up", "{\"plan\": \"pro\"}");
        server.segment("identify", "{\"anonymousId\": \"anon-1\", \"userId\": \"ann@example.com\"}");

        assertThat(names(server.get("/api/activity?event=" + URLEncoder.encode("Viewed Pricing", StandardCharsets.UTF_8)).json()))
                .containsExactly("Viewed Pricing", "Viewed Pricing");
        JsonNode pro = server.get("/api/activity?property=plan&value=pro").json();
        assertThat(names(pro)).containsExactly("Signed Up", "Viewed Pricing");
        JsonNode anonymous = pro.get("events").get(1);
        assertThat(anonymous.get("identity").asText()).isEqualTo("anon-1");
        assertThat(anonymous.get("person_id").asText()).as("the anonymous event belongs to Ann now")
                .isEqualTo(server.person("ann@example.com").get("id").asText());
        assertThat(names(server.get("/api/activity?property=plan").json())).hasSize(3);
    }

    @Test
    void filtersByPopulationMembersOrEveryoneElseIncludingEventsSentBeforeAMerge() {
        server.segment("track", "{\"anonymousId\": \"anon-9\", \"event\": \"Browsed\"}");
        track("buyer@example.com", "Purchased", "{}");
        track("looker@example.com", "Browsed", "{}");
        server.segment("identify", "{\"anonymousId\": \"anon-9\", \"userId\": \"buyer@example.com\"}");
        TestServer.Response created = server.api("/api/populations", "{\"name\": \"Buyers\", \"definition\": {\"did\": \"Purchased\"}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String buyers = created.json().get("id").asText();
        String buyer = server.person("buyer@example.com").get("id").asText();

        JsonNode members = server.get("/api/activity?population=" + buyers).json();
        assertThat(names(members)).as("the anonymous event counts once the identities are linked").containsExactly("Purchased", "Browsed");
        members.get("events").forEach(e -> assertThat(e.get("person_id").asText()).isEqualTo(buyer));

        JsonNode others = server.get("/api/activity?population=" + buyers + "&population_not=true").json();
        assertThat(names(others)).containsExactly("Browsed");
        assertThat(others.get("events").get(0).get("identity").asText()).isEqualTo("looker@example.com");

        JsonNode combined = server.get("/api/activity?population=" + buyers + "&event=Browsed").json();
        assertThat(names(combined)).containsExactly("Browsed");
        assertThat(combined.get("events").get(0).get("identity").asText()).isEqualTo("anon-9");

        String latest = members.get("latest").asText();
        track("looker@example.com", "Browsed", "{}");
        track("buyer@example.com", "Reordered", "{}");
        assertThat(names(server.get("/api/activity?population=" + buyers + "&after=" + latest).json()))
                .as("live polling keeps the population filter").containsExactly("Reordered");

        assertThat(server.get("/api/activity?population=no-such-population").status()).isEqualTo(404);
    }

    @Test
    void aPopulationFilterFindsMembersBeyondAndWithinTheNewestEventsAlike() {
        track("buyer@example.com", "Purchased", "{}");
        StringBuilder batch = new StringBuilder("{\"batch\": [");
        for (int i = 0; i < 3 * ActivityFeed.LOOKBACK_PER_ROW; i++) {
            batch.append(i == 0 ? "" : ", ").append("{\"type\": \"track\", \"userId\": \"other-").append(i % 7)
                    .append("\", \"event\": \"Browsed\"}");
        }
        TestServer.Response sent = server.segment("batch", batch.append("]}").toString());
        assertThat(sent.status()).as(sent.text()).isEqualTo(200);
        String buyers = server.api("/api/populations", "{\"name\": \"Buyers\", \"definition\": {\"did\": \"Purchased\"}}")
                .json().get("id").asText();

        // The member's only event is older than the newest 100 × (limit + 1) events: found all the same.
        JsonNode old = server.get("/api/activity?limit=1&population=" + buyers).json();
        assertThat(names(old)).containsExactly("Purchased");
        assertThat(old.get("next_cursor").isNull()).isTrue();

        track("buyer@example.com", "Reordered", "{}");
        track("buyer@example.com", "Rated", "{}");
        JsonNode recent = server.get("/api/activity?limit=1&population=" + buyers).json();
        assertThat(names(recent)).containsExactly("Rated");
        JsonNode older = server.get("/api/activity?limit=1&population=" + buyers + "&before=" + recent.get("next_cursor").asText()).json();
        assertThat(names(older)).containsExactly("Reordered");
        JsonNode oldest = server.get("/api/activity?limit=5&population=" + buyers + "&before=" + older.get("next_cursor").asText()).json();
        assertThat(names(oldest)).containsExactly("Purchased");
    }

    @Test
    void eventNamesAreListedMostFrequentFirstCountingCompactedAndRecentEvents() {
        track("u1", "Rare", "{}");
        track("u1", "Common", "{}");
        server.roster().writeBuffer().compactNow();
        track("u2", "Common", "{}");
        JsonNode names = server.get("/api/event-names").json().get("events");
        assertThat(names).hasSize(2);
        assertThat(names.get(0).get("name").asText()).isEqualTo("Common");
        assertThat(names.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(names.get(1).get("name").asText()).isEqualTo("Rare");
        assertThat(server.get("/api/event-names", "Bearer " + server.writeKey()).status()).isEqualTo(403);
    }

    @Test
    void badParametersAre400NotServerErrors() {
        assertThat(server.get("/api/activity?limit=0").status()).isEqualTo(400);
        assertThat(server.get("/api/activity?limit=abc").status()).isEqualTo(400);
        assertThat(server.get("/api/activity?after=not-a-cursor").status()).isEqualTo(400);
        assertThat(server.get("/api/activity?property=" + URLEncoder.encode("a\"b", StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(server.get("/api/activity?value=x").status()).isEqualTo(400);
        assertThat(server.get("/api/ingestion/health?minutes=0").status()).isEqualTo(400);
    }

    @Test
    void ingestionHealthCountsThisMinutesEventsRejectionsAndDuplicates() {
        track("u1", "A", "{}");
        track("u1", "B", "{}");
        server.segment("track", "{\"userId\": \"u1\", \"event\": \"C\", \"messageId\": \"dup-1\"}");
        server.segment("track", "{\"userId\": \"u1\", \"event\": \"C\", \"messageId\": \"dup-1\"}");
        server.segment("batch", "{\"batch\": [{\"type\": \"track\", \"userId\": \"u1\"}, {\"type\": \"track\", \"userId\": \"u1\", \"event\": \"D\"}]}");

        JsonNode health = server.get("/api/ingestion/health?minutes=15").json();
        assertThat(health.get("per_minute")).hasSize(15);
        assertThat(health.get("events_in_range").asLong()).isEqualTo(4);
        long perMinuteSum = 0;
        for (JsonNode minute : health.get("per_minute")) {
            perMinuteSum += minute.get("events").asLong();
        }
        assertThat(perMinuteSum).isEqualTo(4);
        assertThat(health.get("duplicates").asLong()).isEqualTo(1);
        long rejected = 0;
        for (JsonNode count : health.get("rejected_by_reason")) {
            rejected += count.asLong();
        }
        assertThat(rejected).isEqualTo(1);
        assertThat(health.get("ingested_by_source").get("segment").asLong()).isEqualTo(4);
    }
}

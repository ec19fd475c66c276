package dev.roster.people;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.store.PersonEvents;
import dev.roster.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The person lookup path (identity or id → survivor and its keys → {@link PersonEvents} through the
 * ART index) gives the same timelines whether events are recent, compacted or both, whether merges
 * are folded or not, and pages and filters them exactly; all through the HTTP API.
 */
class PersonTimelineLookupTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void track(String anonymousId, String userId, String event, String messageId, String timestamp) {
        String json = "{\"event\":\"" + event + "\",\"messageId\":\"" + messageId + "\",\"timestamp\":\"" + timestamp + "\""
                + (anonymousId == null ? "" : ",\"anonymousId\":\"" + anonymousId + "\"")
                + (userId == null ? "" : ",\"userId\":\"" + userId + "\"") + "}";
        assertThat(server.segment("track", json).status()).isEqualTo(200);
    }

    private void identify(String anonymousId, String userId) {
        assertThat(server.segment("identify", "{\"anonymousId\":\"" + anonymousId + "\",\"userId\":\"" + userId + "\"}").status())
                .isEqualTo(200);
    }

    /** Every event id of the person's timeline, walked page by page with the cursor. */
    private List<String> walk(String personId, int limit, String query) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            String path = "/api/people/" + personId + "/timeline?limit=" + limit + query
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            TestServer.Response response = server.get(path);
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            JsonNode body = response.json();
            assertThat(body.get("events").size()).isLessThanOrEqualTo(limit);
            body.get("events").forEach(e -> ids.add(e.get("id").asText()));
            JsonNode next = body.get("next_cursor");
            if (next == null || next.isNull()) {
                return ids;
            }
            cursor = next.asText();
        }
        throw new AssertionError("the cursor never ended");
    }

    private List<String> names(String personId, String query) {
        List<String> names = new ArrayList<>();
        server.get("/api/people/" + personId + "/timeline?limit=1000" + query).json().get("events")
                .forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Test
    void mergedTimelineIsTheSameBeforeAndAfterCompactionAndAfterALaterMerge() {
        track("laptop", null, "Viewed Home", "m-1", "2024-01-01T10:00:00Z");
        track("phone", null, "Viewed Pricing", "m-2", "2024-01-02T10:00:00Z");
        identify("laptop", "ann");
        identify("phone", "ann");
        track(null, "ann", "Purchased", "m-3", "2024-01-03T10:00:00Z");
        track("stranger", null, "Viewed Home", "m-4", "2024-01-03T11:00:00Z");
        String ann = server.person("ann").get("id").asText();
        List<String> expected = List.of("Purchased", "Viewed Pricing", "Viewed Home");

        // recent only, merges unfolded (the losers' keys come from unfolded_merges)
        assertThat(names(ann, "")).containsExactlyElementsOf(expected);
        String loser = server.person("phone").get("id").asText();
        assertThat(loser).isEqualTo(ann);

        server.roster().writeBuffer().compactNow();
        // compacted, merges folded: one key, fetched through the index
        assertThat(names(ann, "")).containsExactlyElementsOf(expected);
        assertThat(server.person("laptop").get("event_count").asLong()).isEqualTo(3);

        // a new device merges into the compacted person: its events are recent, under another key
        track("tablet", null, "Viewed Docs", "m-5", "2024-01-04T10:00:00Z");
        identify("tablet", "ann");
        track(null, "ann", "Refunded", "m-6", "2024-01-05T10:00:00Z");
        assertThat(names(ann, "")).containsExactly("Refunded", "Viewed Docs", "Purchased", "Viewed Pricing", "Viewed Home");
        assertThat(server.person("tablet").get("event_count").asLong()).isEqualTo(5);

        server.roster().writeBuffer().compactNow();
        assertThat(names(ann, "")).containsExactly("Refunded", "Viewed Docs", "Purchased", "Viewed Pricing", "Viewed Home");
        // the stranger is untouched
        assertThat(names(server.person("stranger").get("id").asText(), "")).containsExactly("Viewed Home");
    }

    @Test
    void mergeOfTwoCompactedPersonsBeforeFoldingShowsBothHistories() {
        track("desk", null, "Viewed Home", "m-1", "2024-01-01T10:00:00Z");
        track("mobile", null, "Viewed Pricing", "m-2", "2024-01-02T10:00:00Z");
        server.roster().writeBuffer().compactNow();
        String mobile = server.person("mobile").get("id").asText();
        assertThat(names(mobile, "")).containsExactly("Viewed Pricing");

        assertThat(server.segment("alias", "{\"anonymousId\":\"desk\",\"previousId\":\"mobile\"}").status()).isEqualTo(200);
        // both keys are compacted and the merge is not folded yet: one index scan per key
        String survivor = server.person("desk").get("id").asText();
        assertThat(names(survivor, "")).containsExactly("Viewed Pricing", "Viewed Home");
        // the merged-away id leads to the survivor's timeline
        assertThat(names(mobile, "")).containsExactly("Viewed Pricing", "Viewed Home");
    }

    @Test
    void cursorPagesWalkEveryEventOnceNewestFirstAcrossCompactedAndRecentEvents() {
        // 23 events, several sharing a timestamp (ties break by event id), 15 compacted and 8 recent
        for (int i = 0; i < 15; i++) {
            track("walker", null, i % 2 == 0 ? "Viewed" : "Clicked", "a-" + (100 + i), "2024-02-01T10:0" + (i / 3) + ":00Z");
        }
        server.roster().writeBuffer().compactNow();
        for (int i = 0; i < 8; i++) {
            track("walker", null, i % 2 == 0 ? "Viewed" : "Clicked", "b-" + (100 + i), "2024-02-01T10:0" + (i / 2) + ":30Z");
        }
        String person = server.person("walker").get("id").asText();

        List<String> all = walk(person, 1000, "");
        assertThat(all).hasSize(23).doesNotHaveDuplicates();
        for (int limit : new int[] {1, 4, 7, 23}) {
            assertThat(walk(person, limit, "")).as("limit %d", limit).containsExactlyElementsOf(all);
        }
        // newest first: timestamps never increase along the walk
        JsonNode events = server.get("/api/people/" + person + "/timeline?limit=1000").json().get("events");
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).get("timestamp").asText()).isLessThanOrEqualTo(events.get(i - 1).get("timestamp").asText());
        }
    }

    @Test
    void eventFilterKeepsOnlyThatEventAcrossBothTablesAndPagesWithIt() {
        for (int i = 0; i < 10; i++) {
            track("filterer", null, i % 3 == 0 ? "Purchased" : "Viewed", "c-" + i, "2024-03-01T10:0" + i + ":00Z");
        }
        server.roster().writeBuffer().compactNow();
        for (int i = 0; i < 5; i++) {
            track("filterer", null, i % 2 == 0 ? "Purchased" : "Viewed", "d-" + i, "2024-03-02T10:0" + i + ":00Z");
        }
        String person = server.person("filterer").get("id").asText();
        assertThat(names(person, "&event=Purchased")).hasSize(7).containsOnly("Purchased");
        assertThat(names(person, "&event=Viewed")).hasSize(8).containsOnly("Viewed");
        assertThat(names(person, "&event=Nothing")).isEmpty();
        List<String> paged = walk(person, 2, "&event=Purchased");
        assertThat(paged).hasSize(7).doesNotHaveDuplicates();
        Set<String> purchases = new HashSet<>(paged);
        assertThat(purchases).contains("c-0", "c-3", "c-6", "c-9", "d-0", "d-2", "d-4");
    }

    @Test
    void unknownIdentityAndIdAnswer404() {
        track("someone", null, "Viewed", "e-1", "2024-01-01T10:00:00Z");
        assertThat(server.get("/api/people?identity=nobody").status()).isEqualTo(404);
        assertThat(server.get("/api/people/not-a-person/timeline").status()).isEqualTo(404);
    }

    /** The shape that the lookups rely on: DuckDB answers each key's scan from the ART index. */
    @Test
    void personEventsScanOfTheCompactedTableIsAnIndexScan() {
        for (int i = 0; i < 30; i++) {
            track("visitor-" + (i % 10), null, "Viewed", "f-" + i, "2024-01-01T10:00:00Z");
        }
        server.roster().writeBuffer().compactNow();
        String plan = server.roster().database().read(connection -> {
            long key;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT person_key FROM identities WHERE identity = 'visitor-3'");
                    ResultSet rows = statement.executeQuery()) {
                rows.next();
                key = rows.getLong(1);
            }
            PersonEvents events = PersonEvents.of(1, List.of(key), "event_id, ts");
            StringBuilder text = new StringBuilder();
            try (PreparedStatement statement = connection.prepareStatement(
                    "EXPLAIN ANALYZE SELECT event_id FROM " + events.sql() + " e WHERE ts > TIMESTAMP '2000-01-01' ORDER BY ts DESC LIMIT 2")) {
                int next = 1;
                for (Object parameter : events.parameters()) {
                    statement.setObject(next++, parameter);
                }
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        text.append(rows.getString(2));
                    }
                }
            }
            return text.toString();
        });
        assertThat(plan).contains("Index Scan");
    }
}

package dev.roster.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compaction moves recent events in bounded steps (so ingestion never waits for a whole
 * compaction), and only the step that empties the recent table folds the merges.
 */
class CompactionStepsTest {

    @Test
    void smallStepsMoveEveryEventOnceAndTheLastStepFoldsTheMerge() throws Exception {
        try (TestServer server = TestServer.start()) {
            // two anonymous visitors, each with events, then both identified as the same user:
            // the second identify merges one anonymous person into the other
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                messages.add(track("anon-a", "Viewed Page", i));
                messages.add(track("anon-b", "Viewed Pricing", i));
            }
            messages.add("{\"type\":\"identify\",\"userId\":\"merged-user\",\"anonymousId\":\"anon-a\",\"messageId\":\"id-a\"}");
            messages.add("{\"type\":\"identify\",\"userId\":\"merged-user\",\"anonymousId\":\"anon-b\",\"messageId\":\"id-b\"}");
            batch.append(String.join(",", messages)).append("]}");
            assertThat(server.segment("batch", batch.toString()).status()).isEqualTo(200);
            server.roster().flush();

            DuckDbEventStore store = new DuckDbEventStore(server.roster().database());
            long recent = store.recentEvents();
            assertThat(recent).isEqualTo(8);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(1);

            EventStore.CompactionResult first = store.compact(3);
            assertThat(first.movedEvents()).isEqualTo(3);
            assertThat(first.remainingEvents()).isEqualTo(5);
            assertThat(first.foldedMerges()).isZero();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(1);
            // mid-compaction, reads already see one person with all eight events
            assertThat(timelineSize(server)).isEqualTo(8);

            EventStore.CompactionResult second = store.compact(3);
            assertThat(second.movedEvents()).isEqualTo(3);
            assertThat(second.remainingEvents()).isEqualTo(2);
            EventStore.CompactionResult last = store.compact(3);
            assertThat(last.movedEvents()).isEqualTo(2);
            assertThat(last.remainingEvents()).isZero();
            assertThat(last.foldedMerges()).isEqualTo(1);

            assertThat(store.recentEvents()).isZero();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertThat(count(server, "SELECT count(*) FROM events_compacted")).isEqualTo(8);
            assertThat(count(server, "SELECT count(DISTINCT person_key) FROM events_compacted")).isEqualTo(1);
            assertThat(timelineSize(server)).isEqualTo(8);
        }
    }

    @Test
    void compactNowDrainsInStepsAndReportsTheTotal() throws Exception {
        try (TestServer server = TestServer.start()) {
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                messages.add(track("someone", "Clicked", i));
            }
            assertThat(server.segment("batch", "{\"batch\":[" + String.join(",", messages) + "]}").status()).isEqualTo(200);
            EventStore.CompactionResult result = server.roster().writeBuffer().compactNow();
            assertThat(result.movedEvents()).isEqualTo(5);
            assertThat(result.remainingEvents()).isZero();
            assertThat(count(server, "SELECT count(*) FROM events_recent")).isZero();
        }
    }

    private static String track(String anonymousId, String event, int i) {
        return "{\"type\":\"track\",\"anonymousId\":\"" + anonymousId + "\",\"event\":\"" + event
                + "\",\"messageId\":\"" + anonymousId + "-" + i + "\",\"timestamp\":\"2026-11-0" + (i + 1) + "T10:00:00Z\"}";
    }

    private static int timelineSize(TestServer server) {
        JsonNode person = server.get("/api/people?identity=merged-user").json();
        JsonNode timeline = server.get("/api/people/" + person.get("id").asText() + "/timeline?limit=100").json();
        return timeline.get("events").size();
    }

    private static long count(TestServer server, String sql) throws Exception {
        Connection connection = server.roster().database().writer();
        synchronized (connection) {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}

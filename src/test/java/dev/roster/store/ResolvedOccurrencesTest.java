package dev.roster.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.revenue.RevenueSettings;
import dev.roster.testing.TestServer;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * {@code resolved_occurrences}, which population conditions and reports read instead of
 * {@code resolved_events} when they need no event property, equals the same columns of
 * {@code resolved_events} through every write that changes the events: compaction (whole and in
 * chunks), merges folded after their events were compacted, and erasure ({@link EventProjectionsTest}
 * checks the stored {@code event_occurrences} against {@code events_compacted}).
 */
class ResolvedOccurrencesTest {
    private static final String COMPACTED = "SELECT project_key, name, ts, person_key FROM events_compacted";
    private static final String TIMES = "SELECT project_key, name, ts, person_key FROM event_occurrences";
    private static final String RESOLVED = "SELECT project_key, name, ts, person_key FROM resolved_events";
    private static final String RESOLVED_TIMES = "SELECT project_key, name, ts, person_key FROM resolved_occurrences";

    @Test
    void followsCompactionMergesAndErasure() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.segment("batch", tracks(0, 30)).status()).isEqualTo(200);
            server.roster().writeBuffer().flush();
            assertSame(server, 0);

            DuckDbEventStore store = new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
            assertThat(store.compact(12).movedEvents()).isEqualTo(12);
            assertSame(server, 12);
            server.roster().writeBuffer().compactNow();
            assertSame(server, 30);

            // merges of persons whose events are compacted: redirected by unfolded_merges, then folded
            assertThat(server.segment("alias", "{\"anonymousId\":\"anon-1\",\"previousId\":\"anon-2\"}").status()).isEqualTo(200);
            assertThat(server.segment("alias", "{\"anonymousId\":\"anon-1\",\"previousId\":\"anon-3\"}").status()).isEqualTo(200);
            assertThat(server.segment("batch", tracks(30, 10)).status()).isEqualTo(200);
            server.roster().writeBuffer().flush();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(2);
            assertSame(server, 30);
            assertThat(count(server, "SELECT count(DISTINCT person_key) FROM resolved_occurrences")).isEqualTo(3);
            server.roster().writeBuffer().compactNow();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertSame(server, 40);
            assertThat(count(server, "SELECT count(DISTINCT person_key) FROM event_occurrences")).isEqualTo(3);

            String person = server.person("anon-1").get("id").asText();
            server.erase(person);
            // anon-1, 2 and 3 were one person: 3 of every 5 events are gone
            assertSame(server, 16);
        }
    }

    /** Both relations hold the same rows, as multisets; {@code compacted} of them are in event_occurrences. */
    private static void assertSame(TestServer server, long compacted) {
        Database database = server.roster().database();
        assertThat(count(database, "SELECT count(*) FROM event_occurrences")).isEqualTo(compacted);
        assertThat(difference(database, COMPACTED, TIMES)).as("compacted events missing from event_occurrences").isZero();
        assertThat(difference(database, TIMES, COMPACTED)).as("event_occurrences rows that are no compacted event").isZero();
        assertThat(difference(database, RESOLVED, RESOLVED_TIMES)).as("resolved events missing from resolved_occurrences").isZero();
        assertThat(difference(database, RESOLVED_TIMES, RESOLVED)).as("resolved_occurrences rows that are no resolved event").isZero();
    }

    private static long difference(Database database, String left, String right) {
        return count(database, "SELECT count(*) FROM (" + left + " EXCEPT ALL " + right + ")");
    }

    private static String tracks(int from, int count) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = from; i < from + count; i++) {
            batch.append(i == from ? "" : ",").append("{\"type\":\"track\",\"event\":\"E").append(i % 3)
                    .append("\",\"anonymousId\":\"anon-").append(i % 5).append("\",\"messageId\":\"m-").append(i)
                    .append("\",\"timestamp\":\"2024-01-01T10:").append(String.format("%02d", i)).append(":00Z\"}");
        }
        return batch.append("]}").toString();
    }

    private static long count(TestServer server, String sql) {
        return count(server.roster().database(), sql);
    }

    private static long count(Database database, String sql) {
        return database.read(connection -> {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}

package dev.roster.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.roster.Roster;
import dev.roster.ingest.Command;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import dev.roster.common.Json;

/**
 * Compaction in bounded chunks: each chunk moves the oldest recent events, sorted, and merges stay
 * unfolded (and keep redirecting) until no recent event is left, so people look the same through
 * the API before, between and after the chunks.
 */
class ChunkedCompactionTest {

    @Test
    void chunksMoveTheOldestEventsAndFoldMergesOnlyWithTheLastChunk() {
        try (TestServer server = TestServer.start()) {
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 25; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"E").append(i)
                        .append("\",\"anonymousId\":\"anon-").append(i % 5).append("\",\"messageId\":\"m-").append(i)
                        .append("\",\"timestamp\":\"2024-01-01T10:").append(String.format("%02d", i)).append(":00Z\"}");
            }
            assertThat(server.segment("batch", batch.append("]}").toString()).status()).isEqualTo(200);
            assertThat(server.segment("alias", "{\"anonymousId\":\"anon-3\",\"previousId\":\"anon-4\"}").status()).isEqualTo(200);
            server.roster().writeBuffer().flush();
            String person = server.person("anon-4").get("id").asText();
            assertThat(server.person("anon-3").get("id").asText()).isEqualTo(person);
            assertThat(timeline(server, person)).hasSize(10);

            DuckDbEventStore store = new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
            EventStore.CompactionResult first = store.compact(10);
            assertThat(first.movedEvents()).isEqualTo(10);
            assertThat(first.foldedMerges()).isZero();
            assertThat(count(server, "SELECT count(*) FROM events_recent")).isEqualTo(15);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(1);
            // the oldest ten (E0..E9) moved
            assertThat(count(server, "SELECT count(*) FROM events_compacted WHERE CAST(substr(name, 2) AS INTEGER) < 10")).isEqualTo(10);
            assertThat(timeline(server, person)).hasSize(10);

            assertThat(store.compact(10).movedEvents()).isEqualTo(10);
            EventStore.CompactionResult last = store.compact(10);
            assertThat(last.movedEvents()).isEqualTo(5);
            assertThat(last.foldedMerges()).isEqualTo(1);
            assertThat(count(server, "SELECT count(*) FROM events_recent")).isZero();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertThat(count(server, "SELECT count(DISTINCT person_key) FROM events_compacted")).isEqualTo(4);
            assertThat(timeline(server, person)).hasSize(10)
                    .containsExactly("E24", "E23", "E19", "E18", "E14", "E13", "E9", "E8", "E4", "E3");
        }
    }

    @Test
    void eventsLeftRecentByAnEarlierRunCountTowardsTheNextCompaction(@TempDir Path directory) {
        Roster.Config config = Roster.Config.of(directory, 0).withCompactAfterEvents(5);
        Project project;
        try (Roster roster = Roster.open(config)) {
            project = roster.projects().create("Restart").project();
            roster.writeBuffer().submit(project, tracks(0, 3));
            assertThat(new DuckDbEventStore(roster.database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts())).recentEvents()).isEqualTo(3);
        }
        try (Roster roster = Roster.open(config)) {
            // 3 from the last run + 3 now reach the threshold of 5: the commit is followed by a compaction
            roster.writeBuffer().submit(project, tracks(3, 3));
            roster.writeBuffer().flush();
            assertThat(new DuckDbEventStore(roster.database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts())).recentEvents()).isZero();
        }
    }

    private static List<Command> tracks(int from, int count) {
        List<Command> commands = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            Instant at = Instant.parse("2024-01-01T10:00:00Z").plusSeconds(i);
            commands.add(new Command.Track("restart-" + i, "visitor", Optional.empty(), false, "Viewed", at, at,
                    Optional.empty(), Json.object(), List.of()));
        }
        return commands;
    }

    private static List<String> timeline(TestServer server, String person) {
        JsonNode events = server.get("/api/people/" + person + "/timeline?limit=100").json().get("events");
        List<String> names = new ArrayList<>();
        events.forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    private static long count(TestServer server, String sql) {
        return server.roster().database().read(connection -> {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}

package dev.roster.store;

import static dev.roster.store.ProjectionChecks.count;
import static dev.roster.store.ProjectionChecks.migration;
import static dev.roster.store.ProjectionChecks.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueSettings;
import dev.roster.testing.TestServer;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projections of V11 ({@code event_occurrences}, {@code person_days}) mirror
 * {@code events_compacted} exactly: after chunked compaction with merges still unfolded, after
 * merges are folded, after a merge of already compacted persons, after a privacy deletion (and its
 * scrub), and when the migration script builds them for a data directory written before them.
 */
class EventProjectionsTest {
    private static final Instant BASE = Instant.parse("2024-03-01T22:30:00Z");
    private static final List<String> NAMES = List.of("Viewed", "Signed Up", "Purchased", "$pageview");

    /** Rows of events_compacted not in event_occurrences or the other way round (multisets). */
    private static final String OCCURRENCES_DIFFER = "SELECT count(*) FROM ("
            + "(SELECT project_key, name, person_key, ts FROM events_compacted EXCEPT ALL SELECT project_key, name, person_key, ts FROM event_occurrences) "
            + "UNION ALL (SELECT project_key, name, person_key, ts FROM event_occurrences EXCEPT ALL SELECT project_key, name, person_key, ts FROM events_compacted))";
    /** Per stored person key and UTC day: first and last event time, from the events and from person_days. */
    private static final String DAYS_DIFFER = "WITH e AS (SELECT project_key, person_key, ts::DATE AS d, min(ts) AS f, max(ts) AS l FROM events_compacted GROUP BY ALL), "
            + "p AS (SELECT project_key, person_key, first_ts::DATE AS d, min(first_ts) AS f, max(last_ts) AS l FROM person_days GROUP BY ALL) "
            + "SELECT count(*) FROM ((SELECT * FROM e EXCEPT SELECT * FROM p) UNION ALL (SELECT * FROM p EXCEPT SELECT * FROM e))";
    /** person_days rows that are not made of the events: span over a day, or first/last not an event time of that person. */
    private static final String DAYS_INVALID = "SELECT count(*) FROM person_days p WHERE p.first_ts::DATE <> p.last_ts::DATE OR p.first_ts > p.last_ts "
            + "OR NOT EXISTS (SELECT 1 FROM events_compacted e WHERE e.project_key = p.project_key AND e.person_key = p.person_key AND e.ts = p.first_ts) "
            + "OR NOT EXISTS (SELECT 1 FROM events_compacted e WHERE e.project_key = p.project_key AND e.person_key = p.person_key AND e.ts = p.last_ts)";

    private final Random random = new Random(11);
    private int eventNumber;

    @Test
    void projectionsMirrorTheCompactedEventsThroughChunksMergesFoldsAndErasure() {
        try (TestServer server = TestServer.start()) {
            Project project = server.keys().project();
            List<Command> commands = new ArrayList<>();
            for (int person = 0; person < 12; person++) {
                commands.addAll(tracks("anon-" + person, 6 + random.nextInt(10)));
            }
            // merges before any compaction: anon-1 joins anon-0, anon-3 joins anon-2
            commands.add(new Command.Link("anon-0", false, "anon-1", Command.Strength.NORMAL, BASE));
            commands.add(new Command.Link("anon-2", false, "anon-3", Command.Strength.NORMAL, BASE));
            server.roster().writeBuffer().submit(project, commands);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(2);
            assertThat(count(server, "SELECT count(*) FROM event_occurrences")).isZero();
            assertThat(count(server, "SELECT count(*) FROM person_days")).isZero();

            DuckDbEventStore store = new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
            long total = count(server, "SELECT count(*) FROM events_recent");
            int chunks = 0;
            while (store.recentEvents() > 0) {
                store.compact(17);
                chunks++;
                assertMirrors(server, "after chunk " + chunks);
                if (store.recentEvents() > 0) {
                    assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).as("merges stay unfolded between chunks").isEqualTo(2);
                }
            }
            assertThat(chunks).isGreaterThan(3);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertThat(count(server, "SELECT count(*) FROM event_occurrences")).isEqualTo(total);
            // a person-day split over chunks has a row per chunk: never fewer rows than person-days
            assertThat(count(server, "SELECT count(*) FROM person_days"))
                    .isGreaterThanOrEqualTo(count(server, "SELECT count(*) FROM (SELECT DISTINCT person_key, ts::DATE FROM events_compacted)"));
            // merged persons' rows carry the survivor's key, as the events do
            long merged = count(server, "SELECT count(*) FROM persons p JOIN person_merges m ON m.from_key = p.person_key");
            assertThat(merged).isEqualTo(2);
            assertThat(count(server, "SELECT count(*) FROM event_occurrences o JOIN person_merges m ON m.from_key = o.person_key")).isZero();
            assertThat(count(server, "SELECT count(*) FROM person_days d JOIN person_merges m ON m.from_key = d.person_key")).isZero();

            // a merge of two compacted persons plus new tail events, then one whole compaction (folds it)
            List<Command> later = new ArrayList<>(tracks("anon-5", 4));
            later.add(new Command.Link("anon-4", false, "anon-5", Command.Strength.NORMAL, BASE.plus(Duration.ofDays(9))));
            later.addAll(tracks("anon-4", 3));
            server.roster().writeBuffer().submit(project, later);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isEqualTo(1);
            server.roster().writeBuffer().compactNow();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertMirrors(server, "after folding a merge of compacted persons");

            // privacy deletion of a merged person with compacted and tail events
            server.roster().writeBuffer().submit(project, tracks("anon-0", 2));
            String id = server.person("anon-1").get("id").asText();
            long before = count(server, "SELECT count(*) FROM event_occurrences");
            server.erase(id);
            assertThat(count(server, "SELECT count(*) FROM event_occurrences")).isLessThan(before);
            assertMirrors(server, "after an erasure");
            assertThat(count(server, "SELECT count(*) FROM event_occurrences WHERE person_key NOT IN (SELECT person_key FROM persons)")).isZero();
            assertThat(count(server, "SELECT count(*) FROM person_days WHERE person_key NOT IN (SELECT person_key FROM persons)")).isZero();
            server.roster().writeBuffer().compactNow();
            assertMirrors(server, "after the erased person's tail was compacted");
        }
    }

    @Test
    void theMigrationBuildsTheProjectionsOfAnExistingDataDirectory(@TempDir Path directory) {
        Roster.Config config = Roster.Config.of(directory, 0);
        try (Roster roster = Roster.open(config)) {
            Project project = roster.projects().create("Before V11").project();
            List<Command> commands = new ArrayList<>();
            for (int person = 0; person < 8; person++) {
                commands.addAll(tracks("visitor-" + person, 5 + random.nextInt(8)));
            }
            roster.writeBuffer().submit(project, commands);
            roster.writeBuffer().compactNow();
            roster.writeBuffer().submit(project, tracks("visitor-9", 3));   // a tail the migration leaves alone
            // undo V11, as if the directory had been written by the code before it, then run V11's script
            // again (by itself, so the test does not depend on where V11 sits among later migrations)
            roster.database().inWriteTransaction("undo and redo V11", connection -> {
                try (Statement statement = connection.createStatement()) {
                    for (String view : List.of("resolved_occurrences", "all_occurrences", "all_person_days")) {
                        statement.execute("DROP VIEW " + view);
                    }
                    statement.execute("DROP TABLE event_occurrences");
                    statement.execute("DROP TABLE person_days");
                    for (String sql : migration("V11__event_projections.sql")) {
                        statement.execute(sql);
                    }
                }
                return null;
            });
        }
        try (Roster roster = Roster.open(config)) {
            long events = roster.database().read(connection -> scalar(connection, "SELECT count(*) FROM events_compacted"));
            assertThat(events).isGreaterThan(40);
            long occurrences = roster.database().read(connection -> scalar(connection, "SELECT count(*) FROM resolved_occurrences"));
            assertThat(occurrences).as("the views read the tail as is").isEqualTo(events + 3);
            roster.database().read(connection -> {
                assertThat(scalar(connection, "SELECT count(*) FROM event_occurrences")).isEqualTo(events);
                assertThat(scalar(connection, OCCURRENCES_DIFFER)).isZero();
                assertThat(scalar(connection, DAYS_DIFFER)).isZero();
                assertThat(scalar(connection, DAYS_INVALID)).isZero();
                return null;
            });
        }
    }

    /** Events of one identity on a 47-minute grid from a random start, so days are crossed and several events share a day. */
    private List<Command> tracks(String identity, int count) {
        List<Command> commands = new ArrayList<>();
        Instant at = BASE.plus(Duration.ofMinutes(47L * random.nextInt(200)));
        for (int i = 0; i < count; i++) {
            at = at.plus(Duration.ofMinutes(47L * (1 + random.nextInt(20))));
            String name = NAMES.get(random.nextInt(NAMES.size()));
            commands.add(new Command.Track("ev-" + eventNumber++, identity, Optional.empty(), false, name, at, at,
                    Optional.empty(), Json.object(), List.of()));
        }
        return commands;
    }

    private static void assertMirrors(TestServer server, String when) {
        assertThat(count(server, OCCURRENCES_DIFFER)).as("event_occurrences vs events_compacted " + when).isZero();
        assertThat(count(server, DAYS_DIFFER)).as("person_days vs events_compacted " + when).isZero();
        assertThat(count(server, DAYS_INVALID)).as("person_days rows made of events " + when).isZero();
    }
}

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code event_sessions} (V12) holds every compacted event with the number of its session among its
 * stored person key's compacted events, exactly as a plain Java sessioniser numbers them (30 idle
 * minutes or a change of client session id, in (ts, event id) order): after chunked compaction with
 * merges still unfolded, after the fold, after late events that join, split and renumber sessions
 * of compacted persons, after a merge of compacted persons, after an erasure (and its scrub), and
 * when the migration builds it for an existing data directory.
 */
class EventSessionsTest {
    private static final Instant BASE = Instant.parse("2024-03-01T22:30:00Z");
    private static final List<String> NAMES = List.of("Viewed", "Signed Up", "Purchased", "$pageview");

    private final Random random = new Random(12);
    private int eventNumber;

    @Test
    void sessionsAreNumberedLikeTheReferenceThroughChunksMergesLateEventsAndErasure() {
        try (TestServer server = TestServer.start()) {
            Project project = server.keys().project();
            List<Command> commands = new ArrayList<>();
            for (int person = 0; person < 12; person++) {
                commands.addAll(tracks("anon-" + person, 6 + random.nextInt(10), BASE));
            }
            commands.add(new Command.Link("anon-0", false, "anon-1", Command.Strength.NORMAL, BASE));
            commands.add(new Command.Link("anon-2", false, "anon-3", Command.Strength.NORMAL, BASE));
            server.roster().writeBuffer().submit(project, commands);
            assertThat(count(server, "SELECT count(*) FROM event_sessions")).isZero();

            DuckDbEventStore store = new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
            int chunks = 0;
            while (store.recentEvents() > 0) {
                store.compact(17);
                chunks++;
                assertNumbered(server, "after chunk " + chunks);
            }
            assertThat(chunks).isGreaterThan(3);
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertThat(count(server, "SELECT count(*) FROM event_sessions s JOIN person_merges m ON m.from_key = s.person_key")).isZero();
            assertThat(count(server, "SELECT max(session) FROM event_sessions")).as("several sessions per person").isGreaterThan(2);

            // late events between and before compacted ones: they join, split and renumber sessions
            List<Command> late = new ArrayList<>();
            for (int person : new int[] {4, 5, 7}) {
                late.addAll(tracks("anon-" + person, 5, BASE.minus(Duration.ofHours(3))));
            }
            server.roster().writeBuffer().submit(project, late);
            // and for anon-6, one event 45 minutes before its first: a new first session, every other renumbered
            String anon6 = "(SELECT person_key FROM identities WHERE identity = 'anon-6')";
            long sessionsBefore = count(server, "SELECT max(session) FROM event_sessions WHERE person_key = " + anon6);
            long first = count(server, "SELECT epoch_ms(min(ts)) FROM events_compacted WHERE person_key = " + anon6);
            Instant early = Instant.ofEpochMilli(first).minus(Duration.ofMinutes(45));
            List<Command> joining = List.of(new Command.Track("early-6", "anon-6", Optional.empty(), false, "Viewed", early, early,
                    Optional.empty(), Json.object(), List.of()));
            server.roster().writeBuffer().submit(project, joining);
            assertThat(sessionsBefore).isGreaterThan(1);
            server.roster().writeBuffer().compactNow();
            assertNumbered(server, "after late events");
            assertThat(count(server, "SELECT max(session) FROM event_sessions WHERE person_key = " + anon6))
                    .as("anon-6's sessions renumbered after a late first session").isEqualTo(sessionsBefore + 1);

            // a merge of two compacted persons plus new tail events, then one whole compaction (folds it)
            List<Command> later = new ArrayList<>(tracks("anon-5", 4, BASE));
            later.add(new Command.Link("anon-4", false, "anon-5", Command.Strength.NORMAL, BASE.plus(Duration.ofDays(9))));
            later.addAll(tracks("anon-4", 3, BASE));
            server.roster().writeBuffer().submit(project, later);
            server.roster().writeBuffer().compactNow();
            assertThat(count(server, "SELECT count(*) FROM unfolded_merges")).isZero();
            assertNumbered(server, "after folding a merge of compacted persons");

            // privacy deletion of a merged person with compacted and tail events
            server.roster().writeBuffer().submit(project, tracks("anon-0", 2, BASE));
            String id = server.person("anon-1").get("id").asText();
            long rows = count(server, "SELECT count(*) FROM event_sessions");
            server.erase(id);
            assertThat(count(server, "SELECT count(*) FROM event_sessions")).isLessThan(rows);
            assertThat(count(server, "SELECT count(*) FROM event_sessions WHERE person_key NOT IN (SELECT person_key FROM persons)")).isZero();
            assertNumbered(server, "after an erasure");
            server.roster().writeBuffer().compactNow();
            assertNumbered(server, "after the erased person's tail was compacted");
        }
    }

    @Test
    void theMigrationNumbersTheSessionsOfAnExistingDataDirectory(@TempDir Path directory) {
        Roster.Config config = Roster.Config.of(directory, 0);
        try (Roster roster = Roster.open(config)) {
            Project project = roster.projects().create("Before V12").project();
            List<Command> commands = new ArrayList<>();
            for (int person = 0; person < 8; person++) {
                commands.addAll(tracks("visitor-" + person, 5 + random.nextInt(8), BASE));
            }
            roster.writeBuffer().submit(project, commands);
            roster.writeBuffer().compactNow();
            roster.writeBuffer().submit(project, tracks("visitor-9", 3, BASE));   // a tail the migration leaves alone
            // undo V12, as if the directory had been written by the code before it, then run V12's script again
            roster.database().inWriteTransaction("undo and redo V12", connection -> {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE event_sessions");
                    for (String sql : migration("V12__event_sessions.sql")) {
                        statement.execute(sql);
                    }
                }
                return null;
            });
        }
        try (Roster roster = Roster.open(config)) {
            long events = roster.database().read(connection -> scalar(connection, "SELECT count(*) FROM events_compacted"));
            assertThat(events).isGreaterThan(40);
            long numbered = roster.database().read(connection -> scalar(connection, "SELECT count(*) FROM event_sessions"));
            assertThat(numbered).isEqualTo(events);
            String actual = roster.database().read(connection -> rows(connection, ACTUAL));
            String expected = roster.database().read(EventSessionsTest::expected);
            assertThat(actual).isEqualTo(expected);
        }
    }

    private static final String ACTUAL = "SELECT project_key, name, person_key, ts, session FROM event_sessions "
            + "ORDER BY project_key, person_key, ts, name, session";

    /** event_sessions equals the reference numbering of events_compacted (as sorted lists of rows). */
    private static void assertNumbered(TestServer server, String when) {
        server.roster().database().read(connection -> {
            assertThat(rows(connection, ACTUAL)).as("event_sessions " + when).isEqualTo(expected(connection));
            return null;
        });
    }

    /** The reference: events_compacted per (project, stored person) in (ts, event id) order, sessionised in Java. */
    private static String expected(java.sql.Connection connection) throws java.sql.SQLException {
        record Row(int project, long person, String name, java.time.LocalDateTime ts, String eventId, String session) {
        }
        Map<List<Long>, List<Row>> persons = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT project_key, person_key, name, ts, event_id, session_id FROM events_compacted")) {
            while (rows.next()) {
                Row row = new Row(rows.getInt(1), rows.getLong(2), rows.getString(3), rows.getObject(4, java.time.LocalDateTime.class),
                        rows.getString(5), rows.getString(6));
                persons.computeIfAbsent(List.of((long) row.project(), row.person()), k -> new ArrayList<>()).add(row);
            }
        }
        List<String> lines = new ArrayList<>();
        record Line(int project, long person, java.time.LocalDateTime ts, String name, int session, String text) {
        }
        List<Line> all = new ArrayList<>();
        for (List<Row> list : persons.values()) {
            list.sort(Comparator.comparing(Row::ts).thenComparing(Row::eventId));
            int session = 0;
            for (int i = 0; i < list.size(); i++) {
                Row e = list.get(i);
                Row previous = i == 0 ? null : list.get(i - 1);
                if (previous == null || Duration.between(previous.ts(), e.ts()).compareTo(Duration.ofMinutes(30)) > 0
                        || (e.session() != null && previous.session() != null && !Objects.equals(e.session(), previous.session()))) {
                    session++;
                }
                all.add(new Line(e.project(), e.person(), e.ts(), e.name(), session,
                        e.project() + " | " + e.name() + " | " + e.person() + " | " + java.sql.Timestamp.valueOf(e.ts()) + " | " + session));
            }
        }
        all.sort(Comparator.comparingInt(Line::project).thenComparingLong(Line::person).thenComparing(Line::ts)
                .thenComparing(Line::name).thenComparingInt(Line::session));
        all.forEach(line -> lines.add(line.text()));
        return String.join("\n", lines);
    }

    private static String rows(TestServer server, String sql) {
        return server.roster().database().read(connection -> rows(connection, sql));
    }

    private static String rows(java.sql.Connection connection, String sql) throws java.sql.SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    values.add(rows.getObject(i) instanceof java.time.LocalDateTime t ? java.sql.Timestamp.valueOf(t).toString()
                            : rows.getObject(i) instanceof java.sql.Timestamp t ? t.toString() : String.valueOf(rows.getObject(i)));
                }
                lines.add(String.join(" | ", values));
            }
        }
        return String.join("\n", lines);
    }

    /**
     * Events of one identity from a random start on a grid of 10 to 50 minutes (so some gaps are
     * exactly 30 minutes and some ties share a timestamp), with client session ids that change or
     * are missing.
     */
    private List<Command> tracks(String identity, int count, Instant from) {
        List<Command> commands = new ArrayList<>();
        Instant at = from.plus(Duration.ofMinutes(10L * random.nextInt(100)));
        for (int i = 0; i < count; i++) {
            at = at.plus(Duration.ofMinutes(10L * random.nextInt(6)));
            String name = NAMES.get(random.nextInt(NAMES.size()));
            String session = random.nextInt(3) == 0 ? null : "s" + random.nextInt(2);
            commands.add(new Command.Track("ev-" + eventNumber++, identity, Optional.empty(), false, name, at, at,
                    Optional.ofNullable(session), Json.object(), List.of()));
        }
        return commands;
    }
}

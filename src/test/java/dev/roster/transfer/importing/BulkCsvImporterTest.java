package dev.roster.transfer.importing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.EventIds;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.transfer.DataDirectory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk CSV path must store exactly what the write-buffer path stores: the same events under
 * the same person keys, the same identities, warnings, counts and rejections, on a file with
 * every case the importer distinguishes, spread over many small stages.
 */
class BulkCsvImporterTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);

    private static final String FILE = "identity,event,timestamp,plan,note\n"
            + "ann@example.com,Called Sales,2024-03-01T10:00:00Z,pro,\"says \"\"hi\"\", bye\"\n"   // known through a merge
            + "anon-1,Visited Store,2024-03-01T11:00:00.5+02:00,,caf\u00e9 \u2603\n"                 // the merged-away identity
            + "carol@example.com,Called Sales,1709290800,free,\n"                                      // new, epoch seconds
            + "carol@example.com,Called Sales,1709290800,free,again\n"                                 // same id: duplicate within a stage
            + "dave@example.com,Renewed,2024-03-02 09:00:00,pro,\n"                                    // new
            + "anonymous,Visited Store,2024-03-02T10:00:00Z,,\n"                                       // placeholder: stored and warned
            + "bob@example.com,Opened Email,2024-02-01T00:00:00Z,,\n"                                  // stored before: duplicate
            + "erin@example.com,Called Sales,not-a-time,pro,\n"                                        // rejected: timestamp
            + ",Called Sales,2024-03-03T10:00:00Z,pro,\n"                                              // rejected: identity
            + "erin@example.com,Called Sales\n"                                                        // rejected: columns
            + "erin@example.com,Called Sales,2030-01-01T00:00:00Z,pro,\n"                              // future: clamped
            + "dave@example.com,Renewed,2024-03-02T09:00:00Z,pro,\n"                                   // same id as line 6, later stage
            + "  frank@example.com ,  Visited Store ,2024-03-04T10:00:00.123456789Z,,\n"               // trimmed
            + "anonymous,Visited Store,2024-03-05T10:00:00Z,,\n"                                       // placeholder again
            + "ann@example.com,Called Sales,2024-03-06T10:00:00Z,,\n";

    private static Project seed(Roster roster) {
        return seed(roster, true);
    }

    /** A project where ann@example.com and anon-1 are one person, and (with {@code event}) bob has an event. */
    private static Project seed(Roster roster, boolean event) {
        Project project = roster.projects().create("Import").project();
        Instant at = Instant.parse("2024-02-01T00:00:00Z");
        List<Command> commands = new ArrayList<>();
        commands.add(new Command.Link("ann@example.com", false, "anon-1", Command.Strength.NORMAL, at));
        if (event) {
            commands.add(new Command.Track(EventIds.derived("bob@example.com", "Opened Email", at), "bob@example.com", Optional.empty(),
                    false, "Opened Email", at, at, Optional.empty(), Json.object(), List.of()));
        }
        roster.writeBuffer().submit(project, commands);
        return project;
    }

    /** Cells SQL takes as they are next to cells that need the Java rules, with an explicit id column. */
    private static final String TRICKY = "\uFEFFevent_id,identity,event,timestamp,plan,note\r\n"
            + ",ann@example.com,Paid,2024-04-01T10:00:00.5Z,\"pro, yearly\",\"back\\slash \"\"quoted\"\"\"\r\n"
            + ",ann@example.com,Paid,2024-04-01T10:00:00.000Z,pro,\r\n"                       // fraction of zeros
            + ",ann@example.com,Paid,2024-04-01T10:00:00.123Z,,\"\"\r\n"
            + ",ann@example.com,Paid,2024-04-01T10:00:00.1234Z,,\r\n"                          // micros, 6 digits in the id
            + ",ann@example.com,Paid,2024-04-01T10:00:00.100000Z,,\r\n"                        // = .100
            + "\r\n"                                                                       // empty line
            + "own-1,bob@example.com,Paid,2024-04-01T11:00:00Z,,\r\n"                          // its own id
            + "own-1,carol@example.com,Paid,2024-04-01T11:00:00Z,,\r\n"                        // the same id: duplicate
            + "\" own-2 \",bob@example.com,Paid,2024-04-01T12:00:00Z,,\r\n"                  // id trimmed in Java
            + ",\"bob@example.com\",\"Paid\",2024-04-01T13:00:00Z,\"multi\nline\",tab\there\r\n" // quoted, line break, tab
            + ",dan@example.com,Caf\u00e9 \u2603,2024-02-29T00:00:00Z,\u00fcber,\"\u2603\"\r\n"   // non-ASCII, leap day
            + ",dan@example.com,Paid,2023-02-29T00:00:00Z,,\r\n"                                // no such day: rejected
            + ",\"NULL\",Paid,2024-04-02T00:00:00Z,,\r\n"                                         // placeholder
            + ",'none',Paid,2024-04-02T00:00:00Z,,\r\n"                                           // placeholder in quotes
            + ",erin@example.com,Paid,2024-04-02T00:00:00+01:00,,\r\n"                            // offset
            + ",erin@example.com,Paid,2024-04-02T24:00:00Z,,\r\n"                                 // hour 24
            + ",erin@example.com, Paid,2024-04-02T01:00:00Z,a\"b,\r\n"                            // trimmed name, quote inside
            + ",erin@example.com,Paid,2024-04-02T02:00:00Z,\"x\" ,\r\n";                          // text after a quote: fatal

    private static ImportJob.Snapshot run(ImportJobs jobs, Project project) {
        return run(jobs, project, FILE);
    }

    private static ImportJob.Snapshot run(ImportJobs jobs, Project project, String file) {
        ImportOptions options = ImportOptions.of(ImportFormat.CSV);
        ImportJob job = jobs.prepare(project, options);
        jobs.run(project, new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), options, job);
        return job.snapshot();
    }

    private static List<List<Object>> rows(Database database, String sql) {
        return database.read(connection -> {
            List<List<Object>> result = new ArrayList<>();
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                ResultSetMetaData meta = rows.getMetaData();
                while (rows.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.add(rows.getString(i));
                    }
                    result.add(row);
                }
            }
            return result;
        });
    }

    private static Map<String, List<List<Object>>> contents(Database database) {
        return Map.of(
                "events", rows(database, "SELECT event_id, identity, person_key, name, ts, received_at, session_id, properties "
                        + "FROM all_events ORDER BY event_id"),
                "identities", rows(database, "SELECT identity, person_key, is_user FROM identities ORDER BY identity"),
                "persons", rows(database, "SELECT person_key FROM persons ORDER BY person_key"),
                "warnings", rows(database, "SELECT kind, identity, other_identity, detail FROM identity_warnings ORDER BY identity, detail"),
                "merges", rows(database, "SELECT from_key, to_key FROM person_merges ORDER BY from_key"));
    }

    @Test
    void storesWhatTheWriteBufferPathStoresAcrossManySmallStages(@TempDir Path directory) {
        Path viaBuffer = directory.resolve("buffer");
        ImportJob.Snapshot expectedFirst;
        ImportJob.Snapshot expectedAgain;
        Map<String, List<List<Object>>> expected;
        try (Roster roster = Roster.open(Roster.Config.of(viaBuffer, 0).withClock(CLOCK))) {
            Project project = seed(roster);
            expectedFirst = run(roster.importJobs(), project);
            expectedAgain = run(roster.importJobs(), project);
            roster.flush();
            expected = contents(roster.database());
        }
        for (int stageRows : new int[] {1, 3, 1000}) {
            Path viaBulk = directory.resolve("bulk-" + stageRows);
            try (Roster roster = Roster.open(Roster.Config.of(viaBulk, 0).withClock(CLOCK))) {
                seed(roster);
            }
            try (DataDirectory data = DataDirectory.open(viaBulk, "256MB", CLOCK)) {
                Project project = data.projects().all().get(0);
                ImportJobs jobs = new ImportJobs(new BulkCsvImporter(data.database(), CLOCK, stageRows), data.database(), CLOCK);
                ImportJob.Snapshot first = run(jobs, project);
                ImportJob.Snapshot again = run(jobs, project);

                assertThat(first.status()).as("error: %s", first.error()).isEqualTo("done");
                assertThat(first.rows()).isEqualTo(expectedFirst.rows()).isEqualTo(15);
                assertThat(first.imported()).isEqualTo(expectedFirst.imported()).isEqualTo(9);
                assertThat(first.duplicates()).isEqualTo(expectedFirst.duplicates()).isEqualTo(3);
                assertThat(first.rejected()).isEqualTo(expectedFirst.rejected()).hasSize(3);
                assertThat(again.imported()).isEqualTo(expectedAgain.imported()).isZero();
                assertThat(again.duplicates()).isEqualTo(expectedAgain.duplicates()).isEqualTo(12);
                assertThat(contents(data.database())).as("stages of %d rows", stageRows).isEqualTo(expected);
            }
        }
        assertThat(expected.get("warnings")).hasSize(1);
        assertThat(expected.get("events")).anySatisfy(event -> assertThat(event.get(7)).isEqualTo("{\"plan\":\"pro\",\"note\":\"says \\\"hi\\\", bye\"}"));
    }

    @Test
    void storesWhatTheWriteBufferPathStoresForCellsThatNeedTheJavaRules(@TempDir Path directory) {
        String file = TRICKY.substring(0, TRICKY.lastIndexOf(",erin@example.com,Paid,2024-04-02T02:00:00Z"));
        Path viaBuffer = directory.resolve("buffer");
        ImportJob.Snapshot expectedFirst;
        Map<String, List<List<Object>>> expected;
        try (Roster roster = Roster.open(Roster.Config.of(viaBuffer, 0).withClock(CLOCK))) {
            Project project = seed(roster);
            expectedFirst = run(roster.importJobs(), project, file);
            roster.flush();
            expected = contents(roster.database());
        }
        for (int stageRows : new int[] {2, 1000}) {
            Path viaBulk = directory.resolve("bulk-" + stageRows);
            try (Roster roster = Roster.open(Roster.Config.of(viaBulk, 0).withClock(CLOCK))) {
                seed(roster);
            }
            try (DataDirectory data = DataDirectory.open(viaBulk, "256MB", CLOCK)) {
                Project project = data.projects().all().get(0);
                ImportJobs jobs = new ImportJobs(new BulkCsvImporter(data.database(), CLOCK, stageRows), data.database(), CLOCK);
                ImportJob.Snapshot first = run(jobs, project, file);
                ImportJob.Snapshot again = run(jobs, project, file);

                assertThat(first.status()).as("error: %s", first.error()).isEqualTo("done");
                assertThat(first.rows()).isEqualTo(16);
                assertThat(first.imported()).isEqualTo(expectedFirst.imported()).isEqualTo(13);
                assertThat(first.duplicates()).isEqualTo(expectedFirst.duplicates()).isEqualTo(1);
                assertThat(first.rejected()).extracting(RejectedRow::reason).hasSize(2)
                        .allSatisfy(reason -> assertThat(reason).contains("timestamp"));
                // physical lines: the BOM'd header is line 1, the empty line 7 and the quoted line break count
                assertThat(first.rejected()).extracting(RejectedRow::line).containsExactly(14L, 18L);
                assertThat(again.imported()).isZero();
                assertThat(again.duplicates()).isEqualTo(14);
                assertThat(contents(data.database())).as("stages of %d rows", stageRows).isEqualTo(expected);
            }
        }
        assertThat(expected.get("warnings")).hasSize(2);
        assertThat(expected.get("events")).anySatisfy(event -> assertThat(event.get(7))
                .isEqualTo("{\"plan\":\"pro, yearly\",\"note\":\"back\\\\slash \\\"quoted\\\"\"}"));
    }

    /**
     * Into a project without events, a chunk whose ids the reader has never seen skips the
     * duplicate checks and resolves identities while it is read: the result must not change, with
     * stages that hold repeats (from earlier stages or their own) next to stages that do not, known
     * and new identities, placeholders, rows made in Java and rejections.
     */
    @Test
    void storesWhatTheWriteBufferPathStoresIntoAProjectWithoutEvents(@TempDir Path directory) {
        String tricky = TRICKY.substring(0, TRICKY.lastIndexOf(",erin@example.com,Paid,2024-04-02T02:00:00Z"));
        // FILE without its two repeated ids: one stage of 1000 rows holds no duplicate at all
        String noRepeats = FILE.replace("carol@example.com,Called Sales,1709290800,free,again\n", "")
                .replace("dave@example.com,Renewed,2024-03-02T09:00:00Z,pro,\n", "");
        int unique = 0;
        for (String file : List.of(FILE, tricky, FILE + FILE.substring(FILE.indexOf('\n') + 1), noRepeats)) {
            Path viaBuffer = directory.resolve("buffer-" + file.length());
            ImportJob.Snapshot expectedFirst;
            ImportJob.Snapshot expectedAgain;
            Map<String, List<List<Object>>> expected;
            try (Roster roster = Roster.open(Roster.Config.of(viaBuffer, 0).withClock(CLOCK))) {
                Project project = seed(roster, false);
                expectedFirst = run(roster.importJobs(), project, file);
                expectedAgain = run(roster.importJobs(), project, file);
                roster.flush();
                expected = contents(roster.database());
            }
            assertThat(expectedFirst.imported()).isGreaterThan(8);
            for (int stageRows : new int[] {1, 2, 3, 1000}) {
                Path viaBulk = directory.resolve("bulk-" + file.length() + "-" + stageRows);
                try (Roster roster = Roster.open(Roster.Config.of(viaBulk, 0).withClock(CLOCK))) {
                    seed(roster, false);
                }
                try (DataDirectory data = DataDirectory.open(viaBulk, "256MB", CLOCK)) {
                    Project project = data.projects().all().get(0);
                    BulkCsvImporter importer = new BulkCsvImporter(data.database(), CLOCK, stageRows);
                    ImportJobs jobs = new ImportJobs(importer, data.database(), CLOCK);
                    ImportJob.Snapshot first = run(jobs, project, file);
                    int uniqueFirst = importer.lastUniqueLoads();
                    ImportJob.Snapshot again = run(jobs, project, file);

                    if (file.equals(noRepeats) && stageRows == 1000) {
                        assertThat(uniqueFirst).as("the one stage needs no duplicate check").isEqualTo(1);
                    }
                    assertThat(importer.lastUniqueLoads()).as("a re-import checks every stage").isZero();
                    unique += uniqueFirst;
                    assertThat(first.status()).as("error: %s", first.error()).isEqualTo("done");
                    assertThat(first.rows()).isEqualTo(expectedFirst.rows());
                    assertThat(first.imported()).isEqualTo(expectedFirst.imported());
                    assertThat(first.duplicates()).isEqualTo(expectedFirst.duplicates());
                    assertThat(first.rejected()).isEqualTo(expectedFirst.rejected());
                    assertThat(again.imported()).isEqualTo(expectedAgain.imported()).isZero();
                    assertThat(again.duplicates()).isEqualTo(expectedAgain.duplicates());
                    assertThat(contents(data.database())).as("stages of %d rows", stageRows).isEqualTo(expected);
                }
            }
        }
        assertThat(unique).as("stages without duplicate checks").isGreaterThan(40);
    }

    @Test
    void textAfterAClosingQuoteFailsTheImportNamingTheLine(@TempDir Path directory) {
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0).withClock(CLOCK))) {
            seed(roster);
        }
        try (DataDirectory data = DataDirectory.open(directory, "256MB", CLOCK)) {
            Project project = data.projects().all().get(0);
            ImportJobs jobs = new ImportJobs(new BulkCsvImporter(data.database(), CLOCK, 1000), data.database(), CLOCK);
            ImportJob.Snapshot result = run(jobs, project, TRICKY);

            assertThat(result.status()).isEqualTo("failed");
            assertThat(result.error()).contains("line 20").contains("closing quote");
        }
    }
}

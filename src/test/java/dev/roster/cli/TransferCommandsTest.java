package dev.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.project.ProjectKeys;
import dev.roster.testing.TestServer;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transfer commands, run as a user runs them: in a child JVM with a small heap, or against a server. */
class TransferCommandsTest {
    private static final int ROWS = 1_000_000;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private static Run child(Path workDirectory, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), "dev.roster.cli.Main"));
        command.addAll(List.of(args));
        Path out = workDirectory.resolve("stdout.txt");
        Path err = workDirectory.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the import did not finish in 10 minutes");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String project(Path data) {
        try (Roster roster = Roster.open(Roster.Config.of(data, 0))) {
            ProjectKeys keys = roster.projects().create("Import");
            return keys.project().id();
        }
    }

    private static void generate(Path file) throws IOException {
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        String[] events = {"Called Sales", "Visited Store", "Sent Invoice", "Opened Email", "Renewed"};
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write("identity,event,timestamp,plan,amount\n");
            for (int i = 0; i < ROWS; i++) {
                writer.write("customer-" + (i % 50_000) + "@example.com," + events[i % events.length] + ","
                        + start.plusSeconds(i * 7L) + "," + (i % 3 == 0 ? "pro" : "free") + "," + (i % 10) + "\n");
            }
        }
    }

    @Test
    void aMillionRowCsvImportsWithA256MegabyteHeapAndASecondImportAddsNothing(@TempDir Path directory) throws Exception {
        Path data = directory.resolve("data");
        String project = project(data);
        Path file = directory.resolve("big.csv");
        generate(file);

        Run first = child(directory, "import", file.toString(), "--data", data.toString(), "--project", project, "--memory-limit", "256MB");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        JsonNode summary = Json.parse(first.stdout().trim());
        assertThat(summary.get("rows").asLong()).isEqualTo(ROWS);
        assertThat(summary.get("imported").asLong()).isEqualTo(ROWS);
        assertThat(summary.get("rejected_count").asLong()).isZero();

        Run second = child(directory, "import", file.toString(), "--data", data.toString(), "--project", project, "--memory-limit", "256MB");
        assertThat(second.exitCode()).as(second.stderr()).isZero();
        JsonNode again = Json.parse(second.stdout().trim());
        assertThat(again.get("imported").asLong()).isZero();
        assertThat(again.get("duplicates").asLong()).isEqualTo(ROWS);

        try (Roster roster = Roster.open(Roster.Config.of(data, 0))) {
            long events = roster.database().read(connection -> {
                try (var statement = connection.createStatement(); var rows = statement.executeQuery("SELECT count(*) FROM all_events")) {
                    rows.next();
                    return rows.getLong(1);
                }
            });
            assertThat(events).isEqualTo(ROWS);
        }
    }

    @Test
    void aDataDirectoryHeldByAServerGetsAClearErrorNamingUrl(@TempDir Path directory) throws Exception {
        Path data = directory.resolve("data");
        String project = project(data);
        Path file = directory.resolve("small.csv");
        Files.writeString(file, "identity,event,timestamp\nann,Called,2024-01-01T00:00:00Z\n");
        try (Roster held = Roster.open(Roster.Config.of(data, 0))) {
            Run run = child(directory, "import", file.toString(), "--data", data.toString(), "--project", project);
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.stderr()).contains("in use by another Roster process").contains("--url").doesNotContain("Exception");
        }
    }

    @Test
    void exportAndBackupOfADataDirectoryDoNotLoadTheWriteSide(@TempDir Path directory) throws Exception {
        Path data = directory.resolve("data");
        String project = project(data);
        Path file = directory.resolve("calls.csv");
        Files.writeString(file, "identity,event,timestamp\nann@example.com,Called,2024-01-01T00:00:00Z\nbob@example.com,Called,2024-01-02T00:00:00Z\n");
        Run imported = child(directory, "import", file.toString(), "--data", data.toString(), "--no-progress");
        assertThat(imported.exitCode()).as(imported.stderr()).isZero();
        assertThat(Json.parse(imported.stdout().trim()).get("imported").asLong()).isEqualTo(2);

        Path people = directory.resolve("people.jsonl");
        Run export = child(directory, "export", "people", "--data", data.toString(), "--project", project, "--format", "jsonl",
                "-o", people.toString());
        assertThat(export.exitCode()).as(export.stderr()).isZero();
        assertThat(Files.readAllLines(people)).hasSize(2).anySatisfy(line -> assertThat(line).contains("ann@example.com"));
        Run backup = child(directory, "backup", directory.resolve("copy").toString(), "--data", data.toString());
        assertThat(backup.exitCode()).as(backup.stderr()).isZero();
        for (Run run : List.of(imported, export, backup)) {
            // the write buffer logs this when it loads the identity graph and the event-id index
            assertThat(run.stderr()).doesNotContain("loaded identity graphs");
        }
        try (Roster restored = Roster.open(Roster.Config.of(directory.resolve("copy"), 0))) {
            assertThat(restored.people().findByIdentity(restored.projects().all().get(0), "bob@example.com")).isPresent();
        }
    }

    @Test
    void importAndExportTalkToARunningServer(@TempDir Path directory) throws Exception {
        try (TestServer server = TestServer.start()) {
            Path file = directory.resolve("calls.csv");
            Files.writeString(file, "Phone,event,timestamp,outcome\n+15550001,Called Sales,2024-01-01T10:00:00Z,=1+1\n+15550002,Called Sales,2024-01-01T11:00:00Z,won\n");
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream original = System.out;
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.run("import", file.toString(), "--url", server.url(""), "--key", server.secretKey(), "--map", "identity=Phone", "--no-progress");
            } finally {
                System.setOut(original);
            }
            assertThat(code).as(stdout.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(Json.parse(stdout.toString(StandardCharsets.UTF_8).trim()).get("imported").asLong()).isEqualTo(2);

            Path people = directory.resolve("people.csv");
            assertThat(Main.run("export", "people", "--url", server.url(""), "--key", server.secretKey(), "-o", people.toString())).isZero();
            assertThat(Files.readString(people)).contains("'+15550001").contains("+15550002".replace("+", "'+"));

            Path backup = directory.resolve("backup");
            assertThat(Main.run("backup", backup.toString(), "--url", server.url(""), "--key", server.secretKey())).isZero();
            try (Roster restored = Roster.open(Roster.Config.of(backup, 0))) {
                assertThat(restored.people().findByIdentity(restored.projects().all().get(0), "+15550002")).isPresent();
            }
        }
    }
}

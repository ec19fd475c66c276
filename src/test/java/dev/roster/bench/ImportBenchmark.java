package dev.roster.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code roster import FILE --data DIR} (the CLI's bulk CSV path, in a child JVM like a user runs
 * it) against DuckDB's own {@code COPY} of the same file into a table, in the same run,
 * interleaved, medians of {@code -Drounds} rounds. The file is generated once
 * ({@code identity,event,timestamp,plan,amount}; {@code -Drows} rows; {@code -Didentities} distinct identities, one per
 * ten rows by default, the row number modulo that: {@code -Didentities=N} with N = rows makes every identity new).
 *
 * <pre>
 * BENCH_OPTS="-Drows=10000000 -Drounds=3" bench/run.sh 0 ImportBenchmark
 * </pre>
 *
 * The import's time is the whole command: JVM start, opening the database, reading, merging, and
 * the checkpoint at exit. The COPY's is the statement plus a CHECKPOINT (so both end with the
 * rows in the database file). A re-import of the same file (every row a duplicate) is timed once.
 */
public final class ImportBenchmark {
    private static final String[] EVENTS = {"Called Sales", "Visited Store", "Sent Invoice", "Opened Email", "Renewed"};

    public static void main(String[] args) throws Exception {
        int rows = Bench.intProperty("rows", 1_000_000);
        int rounds = Bench.intProperty("rounds", 1);
        int identities = Math.max(1, Bench.intProperty("identities", rows / 10));
        Path work = Path.of("target", "bench", "import");
        Files.createDirectories(work);
        Path file = work.resolve("import-" + rows + (identities == Math.max(1, rows / 10) ? "" : "-" + identities) + ".csv");
        if (!Files.exists(file)) {
            generate(file, rows, identities);
        }
        String load = Bench.loadAverage();
        long[] copyNanos = new long[rounds];
        long[] importNanos = new long[rounds];
        String importLog = "";
        long reimportNanos = 0;
        for (int round = 0; round < rounds; round++) {
            copyNanos[round] = copy(work, file);
            Path data = work.resolve("data");
            Bench.deleteRecursively(data);
            run("project", "create", "Bench", "--data", data.toString());
            long started = System.nanoTime();
            List<String> output = run("import", file.toString(), "--data", data.toString(), "--no-progress");
            importNanos[round] = System.nanoTime() - started;
            importLog = output.stream().filter(line -> line.contains("bulk import of")).findFirst().orElse("");
            if (round == rounds - 1) {
                started = System.nanoTime();
                List<String> again = run("import", file.toString(), "--data", data.toString(), "--no-progress");
                reimportNanos = System.nanoTime() - started;
                if (again.stream().noneMatch(line -> line.contains("\"imported\":0,\"duplicates\":" + rows))) {
                    throw new IllegalStateException("the re-import added rows: " + again);
                }
            }
            Bench.deleteRecursively(data);
        }
        double copy = median(copyNanos) / 1e9;
        double imported = median(importNanos) / 1e9;
        List<String[]> report = new ArrayList<>();
        report.add(Bench.row("rows / distinct identities / file size", "%,d / %,d / %s", rows, identities, Bench.mib(Files.size(file))));
        report.add(Bench.row("DuckDB COPY + CHECKPOINT (median of " + rounds + ")", "%.1f s = %,.0f rows/s", copy, rows / copy));
        report.add(Bench.row("roster import --data, whole command (median)", "%.1f s = %,.0f rows/s", imported, rows / imported));
        report.add(Bench.row("import time / COPY time", "%.1f×", imported / copy));
        report.add(Bench.row("re-import of the same file (all duplicates)", "%.1f s = %,.0f rows/s",
                reimportNanos / 1e9, rows / (reimportNanos / 1e9)));
        report.add(Bench.row("importer's own account", "%s", importLog.replaceAll(".*bulk import", "bulk import").replace("|", "/")));
        report.add(Bench.row("machine load average (start / end)", "%s / %s", load, Bench.loadAverage()));
        Bench.report("ImportBenchmark rows=" + rows, report);
    }

    /** DuckDB's COPY of the file into a fresh database file; returns nanoseconds. */
    private static long copy(Path work, Path file) throws Exception {
        Path database = work.resolve("copy.duckdb");
        Files.deleteIfExists(database);
        Files.deleteIfExists(work.resolve("copy.duckdb.wal"));
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + database.toAbsolutePath());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (identity VARCHAR, event VARCHAR, timestamp TIMESTAMPTZ, plan VARCHAR, amount VARCHAR)");
            long started = System.nanoTime();
            statement.execute("COPY t FROM '" + file.toAbsolutePath().toString().replace("'", "''") + "' (HEADER)");
            statement.execute("CHECKPOINT");
            return System.nanoTime() - started;
        } finally {
            Files.deleteIfExists(database);
            Files.deleteIfExists(work.resolve("copy.duckdb.wal"));
        }
    }

    private static List<String> run(String... args) {
        try (Bench.Child child = new Bench.Child(args)) {
            int code = child.waitFor(3600);
            if (code != 0) {
                throw new IllegalStateException("roster " + Arrays.toString(args) + " exited with " + code);
            }
            return child.lines();
        }
    }

    private static void generate(Path file, int rows, int identities) throws IOException {
        LocalDateTime start = LocalDateTime.of(2024, 1, 1, 0, 0);
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'");
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (BufferedWriter writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            writer.write("identity,event,timestamp,plan,amount\n");
            for (int i = 0; i < rows; i++) {
                writer.write("customer-" + (i % identities) + "@example.com," + EVENTS[i % EVENTS.length] + ","
                        + format.format(start.plusSeconds(i * 7L)) + "," + (i % 3 == 0 ? "pro" : "free") + "," + (i % 10) + "\n");
            }
        }
        Files.move(partial, file);
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
    }
}

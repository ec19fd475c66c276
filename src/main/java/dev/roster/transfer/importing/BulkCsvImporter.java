package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.identity.Identities;
import dev.roster.ingest.Timestamps;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CLI's import of a generic CSV into a data directory that no server holds: the same rows,
 * ids, persons and rejections as {@link Importer}, with DuckDB doing the parsing and the bulk work.
 *
 * <p>The reading thread makes one pass over the raw bytes ({@link CsvScanner}) and cuts the file
 * into chunks of {@link #stageRows} rows. A <i>plain</i> record (well-formed, valid UTF-8, no
 * control characters, not oversized, identity and event name with nothing to trim, an event id
 * cell empty or the same, and a canonical UTC time {@code yyyy-MM-ddTHH:mm:ss[.f{1,6}]Z} of a day
 * that exists: nearly every row of a machine-written file) is written to the chunk's temp file as
 * its stage row, straight from its bytes: line, event id (the derived one is SHA-256 over the same
 * bytes {@link DerivedEventIds} hashes), identity, name, time, properties JSON. Any other record is
 * decoded and parsed with the exact rules of {@link CsvRowParser#eventFrom}: rejected with its
 * line number and reason, or kept as an event made in Java. The reading thread also keeps the
 * 64-bit hashes of the event ids read so far ({@link SeenHashes}, at most an eighth of the heap)
 * and counts, per chunk, the rows whose id hash was read before and the rows whose identity may be
 * a placeholder. A second thread loads each chunk while the next one is being read:
 * <ol>
 *   <li>{@code read_csv} of the chunk file with explicit column types (DuckDB parses it in
 *       parallel) into the stage, clamping future times as the write buffer does, plus the
 *       events made in Java through an appender. A chunk is <i>unique</i> when the project held no
 *       events before the import and no id of the chunk hashes like one read before: none of its
 *       rows can be a duplicate, and the stage is read joined to {@code identities}, so each row
 *       carries its identity's current person, or none for an identity not stored yet;</li>
 *   <li>the merge, in <b>one transaction</b>: in a chunk that is not unique, duplicates (ids
 *       already stored, as an anti-join against both event tables, and repeats within the file:
 *       the first line wins) are dropped and counted; often there are none, which a semi-join
 *       count and the absence of repeated 64-bit hashes prove without filtering the stage; the
 *       rows kept are joined to {@code identities} then. Identities without a person become
 *       persons numbered in order of first appearance; known ones resolve to their current
 *       person through {@code identities}, which always names the survivor of merges (aliases
 *       and merges of earlier data apply). Placeholder identities get the write buffer's warning
 *       (only looked for in chunks where the reader saw one). The events go into
 *       {@code events_recent} with one {@code INSERT … SELECT}, where compaction finds them as it
 *       finds ingested ones. The payments among them go to the revenue ledger, unless no
 *       property column of the file is one the project's revenue rule reads.</li>
 * </ol>
 * Rejections are reported in line order. Memory: the JVM holds the read buffer, the current
 * record, the id hashes (bounded as said) and the Java-made rows of at most two chunks (a chunk is cut early when they pass
 * {@link #JAVA_BYTES_PER_CHUNK}); the chunks live in DuckDB and in temp files, which are deleted
 * as they are loaded. A crash loses at most the chunk being merged; re-running the import adds
 * the rest and nothing twice.
 *
 * <p>Only for a database this process owns alone: it writes through the writer connection
 * without the write buffer, whose in-memory identity graph and event-id index would not see these
 * rows. A generic CSV has only events (no aliases or profile rows); KISSmetrics and JSONL files go
 * through {@link Importer}.
 */
public final class BulkCsvImporter implements ImportRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BulkCsvImporter.class);
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    static final int DEFAULT_STAGE_ROWS = 1_000_000;
    /** A chunk is cut early when the records made into events in Java hold this many bytes. */
    static final int JAVA_BYTES_PER_CHUNK = 8 << 20;

    private final Database database;
    private final Clock clock;
    private final int stageRows;
    /** Chunks of the last finished import that were unique (no duplicate checks), for tests. */
    private volatile int lastUniqueLoads;

    public BulkCsvImporter(Database database, Clock clock) {
        this(database, clock, DEFAULT_STAGE_ROWS);
    }

    BulkCsvImporter(Database database, Clock clock, int stageRows) {
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (stageRows < 1) {
            throw new IllegalArgumentException("stageRows must be positive");
        }
        this.stageRows = stageRows;
    }

    /** Rows read by the reading thread for one load: a temp file of plain records, Java-made events, rejections. */
    private static final class Chunk {
        final Path file;
        final OutputStream out;
        long plainRows;
        long rows;
        final List<StagedEvent> javaRows = new ArrayList<>();
        long javaBytes;
        /** The first rejections, in line order, up to the report limit; then only counted. */
        final List<RejectedRow> rejected = new ArrayList<>();
        long rejectedBeyond;
        /** Rows whose event id may repeat one read before (in this chunk or an earlier one). */
        long repeats;
        /** Rows whose identity may be a placeholder. */
        long placeholders;

        Chunk(Path file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        }
    }

    @Override
    public void run(Project project, InputStream in, ImportOptions options, ImportJob job) {
        if (options.format() != ImportFormat.CSV) {
            throw new IllegalArgumentException("the bulk import reads generic CSV only, not " + options.format().label());
        }
        job.start();
        long started = System.nanoTime();
        long readerCpu = THREADS.getCurrentThreadCpuTime();
        long processCpu = processCpu();
        long waited = 0;
        Instant receivedAt = clock.instant();
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "roster-import-stage");
            thread.setDaemon(true);
            return thread;
        });
        Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        Path directory = null;
        Loader loader = null;
        try {
            directory = Files.createTempDirectory(database.directory(), "import-");
            CsvScanner scanner = new CsvScanner(in);
            if (!scanner.next()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the file is empty: a CSV import needs a header line");
            }
            CsvRowParser columns = CsvRowParser.forHeader(scanner.text(), options, receivedAt);
            int width = columns.header().size();
            scanner.check(width, columns.identityColumn(), columns.eventColumn(), columns.timestampColumn(), columns.idColumn(),
                    columns.quotedProperties());
            Loader stage = new Loader(project.key(), receivedAt, job, columns);
            loader = stage;
            int chunks = 0;
            SeenHashes seen = SeenHashes.forHeap();
            Chunk chunk = new Chunk(directory.resolve("chunk-0.csv"));
            long unreported = 0;
            while (scanner.next()) {
                chunk.rows++;
                if (++unreported == 4096) { // the progress bar's rows/s
                    job.rows(unreported);
                    unreported = 0;
                }
                if (scanner.plain() && scanner.fields() == width) {
                    scanner.writeStaged(chunk.out);
                    chunk.plainRows++;
                    if (seen.add(scanner.idHash())) {
                        chunk.repeats++;
                    }
                    if (scanner.identityMayBePlaceholder()) {
                        chunk.placeholders++;
                    }
                } else {
                    StagedEvent event = new StagedEvent();
                    columns.eventFrom(scanner.line(), values(scanner.text(), scanner.line()), event);
                    if (event.rejection != null) {
                        if (chunk.rejected.size() < job.maxRejections()) {
                            chunk.rejected.add(new RejectedRow(event.line, event.rejection));
                        } else {
                            chunk.rejectedBeyond++;
                        }
                    } else {
                        chunk.javaRows.add(event);
                        chunk.javaBytes += scanner.length();
                        byte[] id = event.eventId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        if (seen.add(CsvScanner.hash64(id, 0, id.length))) {
                            chunk.repeats++;
                        }
                        if (Identities.isPlaceholder(event.identity)) {
                            chunk.placeholders++;
                        }
                    }
                }
                if (chunk.rows >= stageRows || chunk.javaBytes >= JAVA_BYTES_PER_CHUNK) {
                    chunk.out.close();
                    Chunk full = chunk;
                    inFlight.add(CompletableFuture.runAsync(() -> stage.load(full), writer));
                    long waiting = System.nanoTime();
                    while (inFlight.size() > 1) {
                        inFlight.removeFirst().join();
                    }
                    waited += System.nanoTime() - waiting;
                    chunk = new Chunk(directory.resolve("chunk-" + (++chunks % 2) + ".csv"));
                }
            }
            chunk.out.close();
            job.rows(unreported);
            Chunk last = chunk;
            inFlight.add(CompletableFuture.runAsync(() -> stage.load(last), writer));
            readerCpu = THREADS.getCurrentThreadCpuTime() - readerCpu;
            long waiting = System.nanoTime();
            while (!inFlight.isEmpty()) {
                inFlight.removeFirst().join();
            }
            waited += System.nanoTime() - waiting;
            lastUniqueLoads = stage.uniqueLoads;
            job.finish(clock.instant());
            LOG.info("bulk import of {} rows in {} ms, {} ms of process CPU: reading {} ms of CPU, waiting for the writer {} ms; "
                            + "writer: {} loads ({} without duplicate checks) of {} ms ({} ms CPU in its thread): {}",
                    job.rows(), (System.nanoTime() - started) / 1_000_000, (processCpu() - processCpu) / 1_000_000,
                    readerCpu / 1_000_000, waited / 1_000_000, stage.loads, stage.uniqueLoads, stage.loadNanos / 1_000_000,
                    stage.loadCpu / 1_000_000, stage.steps);
        } catch (RosterException e) {
            awaitQuietly(inFlight);
            job.fail(e.getMessage(), clock.instant());
        } catch (CompletionException e) {
            awaitQuietly(inFlight);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            job.fail(String.valueOf(cause.getMessage()), clock.instant());
        } catch (IOException | UncheckedIOException e) {
            awaitQuietly(inFlight);
            job.fail("the file could not be read: " + e.getMessage(), clock.instant());
        } finally {
            if (loader != null) {
                try {
                    CompletableFuture.runAsync(loader::drop, writer).join();
                } catch (CompletionException ignored) {
                    // the temp tables go with the connection anyway
                }
            }
            writer.shutdownNow();
            deleteQuietly(directory);
        }
    }

    /** How many chunks of the last finished import skipped the duplicate checks (they could hold none). */
    int lastUniqueLoads() {
        return lastUniqueLoads;
    }

    /** The cells of one record, parsed by commons-csv as {@link CsvRowParser} parses files. */
    private static String[] values(String record, long line) {
        try (CSVParser parser = CSVFormat.DEFAULT.parse(new StringReader(record))) {
            List<CSVRecord> records = parser.getRecords();
            if (records.size() != 1) {
                throw new IllegalStateException(records.size() + " records");
            }
            return records.get(0).values();
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the CSV cannot be read after line " + line + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot delete the import's temp files in {}", directory, e);
        }
    }

    private static long processCpu() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private static void awaitQuietly(Deque<CompletableFuture<Void>> inFlight) {
        for (CompletableFuture<Void> future : inFlight) {
            future.exceptionally(ignored -> null).join();
        }
    }

    /** The writer thread's side: the temp tables, the loads and the merges. */
    private final class Loader {
        private final int projectKey;
        private final Instant receivedAt;
        private final ImportJob job;
        private final CsvRowParser columns;
        private final int width;
        private boolean failed;
        long loadNanos;
        long loadCpu;
        int loads;
        int uniqueLoads;
        /** Milliseconds per step, summed over the loads. */
        final java.util.Map<String, Long> steps = new java.util.LinkedHashMap<>();

        Loader(int projectKey, Instant receivedAt, ImportJob job, CsvRowParser columns) {
            this.projectKey = projectKey;
            this.receivedAt = receivedAt;
            this.job = job;
            this.columns = columns;
            this.width = columns.header().size();
        }

        private DuckDBConnection connection() {
            return (DuckDBConnection) database.writer();
        }

        void drop() {
            Connection connection = connection();
            synchronized (connection) {
                try {
                    for (String table : new String[] {"import_stage", "import_kept", "import_java", "import_new"}) {
                        execute(connection, "DROP TABLE IF EXISTS " + table);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot drop the import stage: " + e.getMessage(), e);
                }
            }
        }

        private long stepCpu = processCpu();

        /** Adds a step's wall time and the process CPU since the previous step (ms) to {@link #steps}. */
        private void step(String name, long since) {
            long cpu = processCpu();
            steps.merge(name, (System.nanoTime() - since) / 1_000_000, Long::sum);
            steps.merge(name + " cpu", (cpu - stepCpu) / 1_000_000, Long::sum);
            stepCpu = cpu;
        }

        /** Whether the project held events before this import (then every chunk is checked against them); null before the first load. */
        private Boolean priorEvents;
        /** Whether rows with this file's property columns can carry revenue under the project's rule. */
        private boolean mayPay;

        /** Loads one chunk into the stage and merges it. */
        void load(Chunk chunk) {
            if (failed) {
                return;
            }
            long begun = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            stepCpu = processCpu();
            DuckDBConnection connection = connection();
            synchronized (connection) {
                try {
                    long at = System.nanoTime();
                    if (priorEvents == null) {
                        priorEvents = count(connection, "SELECT (SELECT count(*) FROM (SELECT 1 FROM events_recent WHERE project_key = ? "
                                + "LIMIT 1)) + (SELECT count(*) FROM (SELECT 1 FROM events_compacted WHERE project_key = ? LIMIT 1))",
                                projectKey, projectKey) > 0;
                        mayPay = database.paymentLedger().mayPayWith(projectKey, columns.propertyNames());
                    }
                    // Without events from before the import and without an id read twice (the reader's set of id hashes),
                    // no row can be a duplicate: the stage resolves known identities as it is read.
                    boolean unique = !priorEvents && chunk.repeats == 0;
                    if (unique) {
                        uniqueLoads++;
                    }
                    // the plain rows as CsvScanner.writeStaged wrote them
                    String source = "read_csv('" + chunk.file.toAbsolutePath().toString().replace("'", "''") + "', header = false, "
                            + "delim = '\t', quote = '', escape = '', new_line = '\\n', auto_detect = false, strict_mode = true, "
                            + "columns = {'line': 'BIGINT', 'event_id': 'VARCHAR', 'identity': 'VARCHAR', 'name': 'VARCHAR', "
                            + "'ts': 'VARCHAR', 'properties': 'VARCHAR'})";
                    String staged = "SELECT line, event_id, identity, name, properties, "
                            + "CASE WHEN parsed > ? THEN ? ELSE parsed END AS ts FROM (SELECT *, CAST(ts AS TIMESTAMP) AS parsed FROM "
                            + (chunk.plainRows > 0 ? source : "(SELECT * FROM " + source + " LIMIT 0)") + ")";
                    LocalDateTime latest = LocalDateTime.ofInstant(receivedAt.plus(Timestamps.MAX_FUTURE), ZoneOffset.UTC);
                    LocalDateTime received = LocalDateTime.ofInstant(receivedAt, ZoneOffset.UTC);
                    if (unique) {
                        update(connection, "CREATE OR REPLACE TEMP TABLE import_stage AS SELECT s.*, i.person_key FROM (" + staged + ") s "
                                + "LEFT JOIN identities i ON i.project_key = ? AND i.identity = s.identity", latest, received, projectKey);
                    } else {
                        update(connection, "CREATE OR REPLACE TEMP TABLE import_stage AS " + staged, latest, received);
                    }
                    Files.deleteIfExists(chunk.file);
                    step("read and check", at);
                    at = System.nanoTime();
                    // the rows made in Java
                    if (!chunk.javaRows.isEmpty()) {
                        update(connection, "CREATE OR REPLACE TEMP TABLE import_java AS SELECT line, event_id, identity, name, properties, ts "
                                + "FROM import_stage LIMIT 0");
                        try (DuckDBAppender appender = connection.createAppender("temp", "main", "import_java")) {
                            for (StagedEvent made : chunk.javaRows) {
                                append(appender, made);
                            }
                        }
                        if (unique) {
                            update(connection, "INSERT INTO import_stage SELECT j.*, i.person_key FROM import_java j "
                                    + "LEFT JOIN identities i ON i.project_key = ? AND i.identity = j.identity", projectKey);
                        } else {
                            update(connection, "INSERT INTO import_stage SELECT * FROM import_java");
                        }
                        execute(connection, "DROP TABLE import_java");
                    }
                    step("java rows", at);
                    for (RejectedRow row : chunk.rejected) {
                        job.reject(row);
                    }
                    job.rejectedBeyondReport(chunk.rejectedBeyond);
                    merge(connection, chunk, unique, count(connection, "SELECT count(*) FROM import_stage"));
                } catch (SQLException | IOException | RuntimeException e) {
                    failed = true;
                    throw new IllegalStateException("the import could not be stored: " + e.getMessage(), e);
                }
            }
            loads++;
            loadNanos += System.nanoTime() - begun;
            loadCpu += THREADS.getCurrentThreadCpuTime() - cpu;
        }

        private void append(DuckDBAppender appender, StagedEvent event) throws SQLException {
            long micros = Math.addExact(Math.multiplyExact(event.timestamp.getEpochSecond(), 1_000_000L), event.timestamp.getNano() / 1000);
            appender.beginRow().append(event.line).append(event.eventId).append(event.identity).append(event.name)
                    .append(event.propertiesJson).appendEpochMicros(micros).endRow();
        }

        /**
         * Merges the stage into the project in one transaction. With {@code unique}, the stage
         * holds no duplicate and already carries each known identity's person ({@code person_key},
         * NULL for an identity not stored yet).
         */
        private void merge(Connection connection, Chunk chunk, boolean unique, long staged) throws SQLException {
            if (staged == 0) {
                return;
            }
            long at = System.nanoTime();
            long imported;
            try {
                connection.setAutoCommit(false);
                LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
                String kept;
                if (unique) {
                    kept = "import_stage";
                    imported = staged;
                } else {
                    // 1. ids stored before (either event table) and repeats within the stage (first line wins). Usually there
                    //    are none, which a semi-join count and the absence of repeated 64-bit hashes prove without a filter.
                    long seen = count(connection, "SELECT (SELECT count(*) FROM import_stage s WHERE EXISTS (SELECT 1 FROM events_recent e "
                            + "WHERE e.project_key = ? AND e.event_id = s.event_id)) + (SELECT count(*) FROM import_stage s WHERE EXISTS "
                            + "(SELECT 1 FROM events_compacted e WHERE e.project_key = ? AND e.event_id = s.event_id))", projectKey, projectKey);
                    boolean mayRepeat = seen > 0 || count(connection, "SELECT count(*) FROM (SELECT hash(event_id) FROM import_stage "
                            + "GROUP BY 1 HAVING count(*) > 1)") > 0;
                    // the rows kept, each with its identity's person when the identity is stored
                    String rows = mayRepeat ? "(SELECT * FROM import_stage s "
                            + "WHERE NOT EXISTS (SELECT 1 FROM events_recent e WHERE e.project_key = ? AND e.event_id = s.event_id) "
                            + "AND NOT EXISTS (SELECT 1 FROM events_compacted e WHERE e.project_key = ? AND e.event_id = s.event_id) "
                            + "QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s.line) = 1)" : "import_stage";
                    List<Object> parameters = new ArrayList<>();
                    if (mayRepeat) {
                        parameters.addAll(List.of(projectKey, projectKey));
                    }
                    parameters.add(projectKey);
                    update(connection, "CREATE OR REPLACE TEMP TABLE import_kept AS SELECT k.*, i.person_key FROM " + rows + " k "
                            + "LEFT JOIN identities i ON i.project_key = ? AND i.identity = k.identity", parameters.toArray());
                    kept = "import_kept";
                    imported = mayRepeat ? count(connection, "SELECT count(*) FROM import_kept") : staged;
                }
                step("dedupe", at);
                at = System.nanoTime();
                // 2. identities not stored yet become new persons, numbered in order of first appearance
                boolean fresh = count(connection, "SELECT count(*) FROM " + kept + " WHERE person_key IS NULL") > 0;
                if (fresh) {
                    long nextKey = count(connection, "SELECT coalesce(max(person_key), 0) + 1 FROM persons WHERE project_key = ?", projectKey);
                    update(connection, "CREATE OR REPLACE TEMP TABLE import_new AS "
                            + "SELECT identity, ?::BIGINT + row_number() OVER (ORDER BY first_line) - 1 AS person_key "
                            + "FROM (SELECT identity, min(line) AS first_line FROM " + kept + " WHERE person_key IS NULL GROUP BY identity)",
                            nextKey);
                    update(connection, "INSERT INTO persons SELECT ?, person_key, CAST(uuid() AS VARCHAR), ? FROM import_new ORDER BY person_key",
                            projectKey, now);
                    update(connection, "INSERT INTO identities SELECT ?, identity, person_key, false, ? FROM import_new ORDER BY person_key",
                            projectKey, now);
                }
                if (chunk.placeholders > 0) {
                    List<Object> parameters = new ArrayList<>(List.of(projectKey, now, trimmed()));
                    parameters.addAll(Identities.placeholders());
                    parameters.add(projectKey);
                    update(connection, "INSERT INTO identity_warnings SELECT ?, 'placeholder_id', identity, NULL, "
                            + "'event stored under placeholder id ''' || identity || '''', ? FROM (SELECT identity, min(line) AS first_line "
                            + "FROM " + kept + " WHERE lower(trim(CASE WHEN strlen(identity) >= 2 AND (starts_with(identity, '\"') "
                            + "AND ends_with(identity, '\"') OR starts_with(identity, '''') AND ends_with(identity, '''')) "
                            + "THEN substr(identity, 2, length(identity) - 2) ELSE identity END, ?)) IN ("
                            + "?, ".repeat(Identities.placeholders().size() - 1) + "?) GROUP BY identity) n "
                            + "WHERE NOT EXISTS (SELECT 1 FROM identity_warnings w WHERE w.project_key = ? "
                            + "AND w.kind = 'placeholder_id' AND w.identity = n.identity AND w.other_identity IS NULL) "
                            + "ORDER BY first_line", parameters.toArray());
                }
                step("identities", at);
                at = System.nanoTime();
                // 3. the events, each under its identity's current person (identities always names the survivor of merges)
                String events = fresh ? "SELECT k.event_id, k.identity, coalesce(k.person_key, n.person_key) AS person_key, k.name, k.ts, "
                        + "k.properties FROM " + kept + " k LEFT JOIN import_new n ON n.identity = k.identity" : kept;
                update(connection, "INSERT INTO events_recent SELECT ?, event_id, identity, person_key, name, ts, ?, NULL, properties "
                        + "FROM " + (fresh ? "(" + events + ")" : kept), projectKey, LocalDateTime.ofInstant(receivedAt, ZoneOffset.UTC));
                step("insert", at);
                at = System.nanoTime();
                // 4. the revenue ledger: the payments among them, in the same transaction (none when no column can hold an amount)
                if (mayPay) {
                    database.paymentLedger().recordFrom(connection, projectKey, "SELECT ?::INTEGER AS project_key, person_key, "
                            + "event_id, name, ts, properties FROM " + (fresh ? "(" + events + ")" : kept), java.util.List.of(projectKey));
                }
                step("ledger", at);
                at = System.nanoTime();
                connection.commit();
                step("commit", at);
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // the next statement sets it again
                }
            }
            execute(connection, "DROP TABLE IF EXISTS import_kept");
            job.committed(imported, staged - imported);
        }
    }

    /** The characters {@link String#trim} removes (U+0000 to U+0020), for SQL's {@code trim(text, characters)}. */
    private static String trimmed() {
        StringBuilder characters = new StringBuilder();
        for (char c = 1; c <= ' '; c++) {
            characters.append(c);
        }
        return characters.toString();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long update(Connection connection, String sql, Object... parameters) throws SQLException {
        long begun = System.nanoTime();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } finally {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} ms: {}", (System.nanoTime() - begun) / 1_000_000, sql.substring(0, Math.min(60, sql.length())));
            }
        }
    }

    private static long count(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}

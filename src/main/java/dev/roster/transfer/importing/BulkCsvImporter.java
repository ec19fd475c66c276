package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CLI's import of a generic CSV into a data directory that no server holds: the same rows,
 * ids, persons and rejections as {@link Importer}, written in bulk instead of event by event.
 *
 * <p>One thread reads and validates the file (CSV, timestamps, derived event ids, properties as
 * JSON text); a second appends the rows to a temp table, {@code import_stage}, and every
 * {@link #stageRows} rows merges the stage in <b>one transaction</b> with set-based SQL:
 * <ol>
 *   <li>duplicates: ids already stored (a hash join of the stage against the event tables) and
 *       repeats within the file (the first line wins) are dropped and counted;</li>
 *   <li>identities: the stage's new identities get new persons (keys after the project's largest,
 *       in order of first appearance) and identity rows; known ones resolve to their current
 *       person through {@code identities}, which always names the survivor of merges;</li>
 *   <li>events: inserted into {@code events_recent} in file order; placeholder identities get the
 *       same warning the write buffer stores.</li>
 * </ol>
 * Memory: the JVM holds a few blocks of {@link #BLOCK_ROWS} rows; the stage lives in DuckDB, which
 * spills to the data directory's temp folder beyond its memory limit. A crash loses at most the
 * stage being merged; re-running the import adds the rest and nothing twice.
 *
 * <p>Only for a database this process owns alone: it writes through the writer connection
 * without the write buffer, whose in-memory identity graph and event-id index would not see these
 * rows. A generic CSV has only events (no aliases or profile rows); KISSmetrics and JSONL files go
 * through {@link Importer}.
 */
public final class BulkCsvImporter implements ImportRunner {
    private static final Logger LOG = LoggerFactory.getLogger(BulkCsvImporter.class);
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    static final int BLOCK_ROWS = 4096;
    static final int DEFAULT_STAGE_ROWS = 500_000;
    private static final int BLOCKS_IN_FLIGHT = 4;

    private final Database database;
    private final Clock clock;
    private final int stageRows;

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

    /** Rows read but not yet appended, column by column. */
    private static final class Block {
        final long[] lines;
        final String[] eventIds;
        final String[] identities;
        final String[] names;
        final long[] micros;
        final boolean[] placeholders;
        final String[] properties;
        int size;

        Block(int capacity) {
            lines = new long[capacity];
            eventIds = new String[capacity];
            identities = new String[capacity];
            names = new String[capacity];
            micros = new long[capacity];
            placeholders = new boolean[capacity];
            properties = new String[capacity];
        }

        void add(StagedEvent event) {
            lines[size] = event.line;
            eventIds[size] = event.eventId;
            identities[size] = event.identity;
            names[size] = event.name;
            micros[size] = Math.addExact(Math.multiplyExact(event.timestamp.getEpochSecond(), 1_000_000L),
                    event.timestamp.getNano() / 1000);
            placeholders[size] = event.placeholder;
            properties[size] = event.propertiesJson;
            size++;
        }

        boolean full() {
            return size == lines.length;
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
        Stage stage = new Stage(project.key(), receivedAt, job);
        Deque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        try {
            CompletableFuture.runAsync(stage::create, writer).join();
            try (CsvRowParser parser = new CsvRowParser(in, options, receivedAt)) {
                StagedEvent event = new StagedEvent();
                int blockRows = Math.min(BLOCK_ROWS, stageRows);
                Block block = new Block(blockRows);
                while (parser.nextEvent(event)) {
                    job.row();
                    if (event.rejection != null) {
                        job.reject(new RejectedRow(event.line, event.rejection));
                        continue;
                    }
                    block.add(event);
                    if (block.full()) {
                        Block full = block;
                        inFlight.add(CompletableFuture.runAsync(() -> stage.append(full), writer));
                        block = new Block(blockRows);
                        if (inFlight.size() >= BLOCKS_IN_FLIGHT) {
                            long waiting = System.nanoTime();
                            while (inFlight.size() >= BLOCKS_IN_FLIGHT) {
                                inFlight.removeFirst().join();
                            }
                            waited += System.nanoTime() - waiting;
                        }
                    }
                }
                Block last = block;
                inFlight.add(CompletableFuture.runAsync(() -> {
                    stage.append(last);
                    stage.merge();
                }, writer));
                readerCpu = THREADS.getCurrentThreadCpuTime() - readerCpu;
                long waiting = System.nanoTime();
                while (!inFlight.isEmpty()) {
                    inFlight.removeFirst().join();
                }
                waited += System.nanoTime() - waiting;
            }
            job.finish(clock.instant());
            LOG.info("bulk import of {} rows in {} ms, {} ms of process CPU: reading {} ms of CPU, waiting for the writer {} ms; "
                            + "writer: appending {} ms ({} ms CPU), merging {} ms ({} ms CPU in this thread, {} merges)",
                    job.rows(), (System.nanoTime() - started) / 1_000_000, (processCpu() - processCpu) / 1_000_000,
                    readerCpu / 1_000_000, waited / 1_000_000,
                    stage.appendNanos / 1_000_000, stage.appendCpu / 1_000_000, stage.mergeNanos / 1_000_000,
                    stage.mergeCpu / 1_000_000, stage.merges);
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
            try {
                CompletableFuture.runAsync(stage::drop, writer).join();
            } catch (CompletionException ignored) {
                // the temp tables go with the connection anyway
            }
            writer.shutdownNow();
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

    /** The writer thread's side: the temp table and the merges. */
    private final class Stage {
        private final int projectKey;
        private final Instant receivedAt;
        private final ImportJob job;
        private long staged;
        private boolean failed;
        volatile long appendNanos;
        volatile long mergeNanos;
        volatile long appendCpu;
        volatile long mergeCpu;
        volatile int merges;
        private final StringBuilder steps = new StringBuilder();
        /** Hashes of the staged ids: a repeat is only possible when a hash repeats. */
        private final LongOpenHashSet stageIds = new LongOpenHashSet();
        private boolean stageMayRepeat;
        private boolean stagePlaceholders;

        Stage(int projectKey, Instant receivedAt, ImportJob job) {
            this.projectKey = projectKey;
            this.receivedAt = receivedAt;
            this.job = job;
        }

        private DuckDBConnection connection() {
            return (DuckDBConnection) database.writer();
        }

        void create() {
            Connection connection = connection();
            synchronized (connection) {
                try {
                    execute(connection, "CREATE OR REPLACE TEMP TABLE import_stage (line BIGINT, event_id VARCHAR, identity VARCHAR, "
                            + "name VARCHAR, ts TIMESTAMP, placeholder BOOLEAN, properties JSON)");
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create the import stage: " + e.getMessage(), e);
                }
            }
        }

        void drop() {
            Connection connection = connection();
            synchronized (connection) {
                try {
                    for (String table : new String[] {"import_stage", "import_seen", "import_kept", "import_new"}) {
                        execute(connection, "DROP TABLE IF EXISTS " + table);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot drop the import stage: " + e.getMessage(), e);
                }
            }
        }

        void append(Block block) {
            if (failed) {
                return;
            }
            long begun = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            DuckDBConnection connection = connection();
            synchronized (connection) {
                try (DuckDBAppender appender = connection.createAppender("temp", "main", "import_stage")) {
                    for (int i = 0; i < block.size; i++) {
                        if (!stageIds.add(hash(block.eventIds[i]))) {
                            stageMayRepeat = true;
                        }
                        stagePlaceholders |= block.placeholders[i];
                        appender.beginRow().append(block.lines[i]).append(block.eventIds[i]).append(block.identities[i])
                                .append(block.names[i]).appendEpochMicros(block.micros[i]).append(block.placeholders[i])
                                .append(block.properties[i]).endRow();
                    }
                } catch (SQLException | RuntimeException e) {
                    failed = true;
                    throw new IllegalStateException("cannot stage rows: " + e.getMessage(), e);
                }
            }
            staged += block.size;
            appendNanos += System.nanoTime() - begun;
            appendCpu += THREADS.getCurrentThreadCpuTime() - cpu;
            if (staged >= stageRows) {
                merge();
            }
        }

        /** Merges the stage into the project in one transaction and empties it. */
        void merge() {
            if (failed || staged == 0) {
                return;
            }
            long begun = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            Connection connection = connection();
            synchronized (connection) {
                long imported;
                steps.setLength(0);
                try {
                    connection.setAutoCommit(false);
                    execute(connection, "SELECT 1");
                    LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
                    // 1. ids stored before (either event table) and repeats within the stage (first line wins)
                    update(connection, "CREATE OR REPLACE TEMP TABLE import_seen AS "
                            + "SELECT e.event_id FROM events_recent e JOIN import_stage s ON e.event_id = s.event_id WHERE e.project_key = ? "
                            + "UNION SELECT e.event_id FROM events_compacted e JOIN import_stage s ON e.event_id = s.event_id WHERE e.project_key = ?",
                            projectKey, projectKey);
                    // the usual case, nothing stored before and no id twice in the stage, needs no copy of the stage
                    String kept;
                    long keptRows;
                    if (!stageMayRepeat && count(connection, "SELECT count(*) FROM import_seen") == 0) {
                        kept = "import_stage";
                        keptRows = staged;
                    } else {
                        update(connection, "CREATE OR REPLACE TEMP TABLE import_kept AS SELECT * FROM import_stage s "
                                + "WHERE NOT EXISTS (SELECT 1 FROM import_seen d WHERE d.event_id = s.event_id) "
                                + "QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s.line) = 1");
                        kept = "import_kept";
                        keptRows = count(connection, "SELECT count(*) FROM import_kept");
                    }
                    // 2. new identities become new persons, numbered in order of first appearance
                    long nextKey = count(connection, "SELECT coalesce(max(person_key), 0) + 1 FROM persons WHERE project_key = ?", projectKey);
                    update(connection, "CREATE OR REPLACE TEMP TABLE import_new AS "
                            + "SELECT n.identity, ?::BIGINT + row_number() OVER (ORDER BY n.first_line) - 1 AS person_key "
                            + "FROM (SELECT identity, min(line) AS first_line FROM " + kept + " GROUP BY identity) n "
                            + "WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.project_key = ? AND i.identity = n.identity)",
                            nextKey, projectKey);
                    update(connection, "INSERT INTO persons SELECT ?, person_key, CAST(uuid() AS VARCHAR), ? FROM import_new ORDER BY person_key",
                            projectKey, now);
                    update(connection, "INSERT INTO identities SELECT ?, identity, person_key, false, ? FROM import_new ORDER BY person_key",
                            projectKey, now);
                    if (stagePlaceholders) {
                        update(connection, "INSERT INTO identity_warnings SELECT ?, 'placeholder_id', identity, NULL, "
                                + "'event stored under placeholder id ''' || identity || '''', ? "
                                + "FROM (SELECT identity, min(line) AS first_line FROM " + kept + " WHERE placeholder GROUP BY identity) n "
                                + "WHERE NOT EXISTS (SELECT 1 FROM identity_warnings w WHERE w.project_key = ? "
                                + "AND w.kind = 'placeholder_id' AND w.identity = n.identity AND w.other_identity IS NULL) "
                                + "ORDER BY first_line", projectKey, now, projectKey);
                    }
                    // 3. the events, each under its identity's current person
                    update(connection, "INSERT INTO events_recent SELECT ?, k.event_id, k.identity, i.person_key, k.name, k.ts, ?, NULL, "
                            + "k.properties FROM " + kept + " k JOIN identities i ON i.project_key = ? AND i.identity = k.identity",
                            projectKey, LocalDateTime.ofInstant(receivedAt, ZoneOffset.UTC), projectKey);
                    // 4. the revenue ledger: the payments among them, in the same transaction
                    database.paymentLedger().recordFrom(connection, projectKey, "SELECT ?::INTEGER AS project_key, i.person_key, "
                            + "k.event_id, k.name, k.ts, k.properties FROM " + kept + " k "
                            + "JOIN identities i ON i.project_key = ? AND i.identity = k.identity", java.util.List.of(projectKey, projectKey));
                    imported = keptRows;
                    long committing = System.nanoTime();
                    connection.commit();
                    steps.append(" commit=").append((System.nanoTime() - committing) / 1_000_000);
                } catch (SQLException | RuntimeException e) {
                    failed = true;
                    try {
                        connection.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    throw new IllegalStateException("the import could not be stored: " + e.getMessage(), e);
                } finally {
                    try {
                        connection.setAutoCommit(true);
                    } catch (SQLException ignored) {
                        // the next statement sets it again
                    }
                }
                try {
                    execute(connection, "DELETE FROM import_stage");
                } catch (SQLException e) {
                    failed = true;
                    throw new IllegalStateException("cannot empty the import stage: " + e.getMessage(), e);
                }
                job.committed(imported, staged - imported);
                staged = 0;
                stageIds.clear();
                stageMayRepeat = false;
                stagePlaceholders = false;
                merges++;
                mergeNanos += System.nanoTime() - begun;
                mergeCpu += THREADS.getCurrentThreadCpuTime() - cpu;
                LOG.debug("merge of {} rows in {} ms:{}", imported, (System.nanoTime() - begun) / 1_000_000, steps);
            }
        }
    }

    /** 64-bit FNV-1a of an id's UTF-16 code units. */
    static long hash(String id) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            hash ^= id.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash ^ (hash >>> 29);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private long update(Connection connection, String sql, Object... parameters) throws SQLException {
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

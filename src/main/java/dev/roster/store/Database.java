package dev.roster.store;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One embedded DuckDB database file per data directory. It owns the single writer connection
 * (used only by the write buffer's thread) and a small pool of reader connections.
 *
 * <p>Thread safety: {@link #read} may be called from any thread; readers never block the writer.
 * The writer connection must only be used by one thread at a time.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    public static final String FILE_NAME = "roster.duckdb";
    private static final int READERS = 4;
    /**
     * DuckDB checkpoints inside the commit that grows the WAL past this (its default is 16MB). A
     * checkpoint rewrites every touched table's new row groups and indexes, so under sustained
     * ingestion a small threshold makes every few dozen group commits pay for one (measured: 16MB
     * made the mean commit of 700 events about twice as slow as 64MB). The writer also checkpoints
     * while idle ({@link dev.roster.store.EventStore#checkpointIfWalAbove}), so the WAL rarely gets
     * this far and restarts replay little.
     */
    static final String CHECKPOINT_THRESHOLD = System.getProperty("roster.checkpointThreshold", "64MB");
    /**
     * DuckDB's memory limit unless {@code --memory-limit} says otherwise. At 512MB the dashboard's
     * pages evicted each other's columns from the buffer pool on the 1M-people demo (the revenue
     * page 915 ms instead of 630 ms after the other pages), with the same peak RSS (BENCHMARKS.md,
     * "Dashboard after session 6").
     */
    public static final String DEFAULT_MEMORY_LIMIT = "1GB";
    /** The buffer pool's limit during a one-time scan (see {@link #scanOnce}). */
    private static final String SCAN_MEMORY_LIMIT = "128MB";
    /** Low enough that setting it evicts every unpinned block; restoring the limit then starts from an empty pool. */
    private static final String EVICT_MEMORY_LIMIT = "8MB";
    /** Prepared statements kept per reader connection (least recently used ones are closed). */
    private static final int CACHED_STATEMENTS = 64;

    private final Path directory;
    private final String memoryLimit;
    private final DuckDBConnection root;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    /**
     * Per reader connection, its prepared statements by SQL text (see {@link #prepared}). The outer
     * map is filled in the constructor and only read afterwards; each inner map is used only by the
     * thread that holds its connection (readers are handed out one thread at a time).
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new IdentityHashMap<>();
    private final PaymentLedger paymentLedger = new PaymentLedger();

    private Database(Path directory, String memoryLimit, DuckDBConnection root) throws SQLException {
        this.directory = directory;
        this.memoryLimit = memoryLimit;
        this.root = root;
        this.writer = root.duplicate();
        for (int i = 0; i < READERS; i++) {
            Connection reader = root.duplicate();
            readers.add(reader);
            statements.put(reader, new LinkedHashMap<>(32, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                    if (size() <= CACHED_STATEMENTS) {
                        return false;
                    }
                    closeQuietly(eldest.getValue());
                    return true;
                }
            });
        }
    }

    /**
     * Opens (creating if needed) the database in {@code directory} and brings its schema up to date.
     *
     * @param memoryLimit DuckDB's memory limit, e.g. {@code "1GB"}
     */
    public static Database open(Path directory, String memoryLimit) {
        requireNonNull(directory, "directory is null");
        try {
            Files.createDirectories(directory.resolve("tmp"));
        } catch (IOException e) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "cannot create data directory " + directory + ": " + e.getMessage());
        }
        Properties properties = new Properties();
        properties.setProperty("autoinstall_known_extensions", "false");
        properties.setProperty("autoload_known_extensions", "false");
        properties.setProperty("memory_limit", memoryLimit);
        properties.setProperty("temp_directory", directory.resolve("tmp").toString());
        properties.setProperty("checkpoint_threshold", CHECKPOINT_THRESHOLD);
        DuckDBConnection root;
        try {
            root = (DuckDBConnection) DriverManager.getConnection(
                    "jdbc:duckdb:" + directory.resolve(FILE_NAME).toAbsolutePath(), properties);
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("lock") || message.contains("Conflicting")) {
                throw new RosterException(ErrorCode.DATA_DIRECTORY_LOCKED, "the data directory " + directory
                        + " is in use by another Roster process (a running server?). Stop it, or talk to it with --url and --key.");
            }
            throw new IllegalStateException("cannot open DuckDB in " + directory + ": " + message, e);
        }
        try {
            Database database = new Database(directory, memoryLimit, root);
            new Migrations().apply(database.writer);
            for (PaymentLedger.Rebuilt rebuilt : database.paymentLedger.syncAll(database.writer)) {
                LOG.info("revenue ledger of project {} built: {} payments in {} ms", rebuilt.projectKey(), rebuilt.payments(), rebuilt.millis());
            }
            return database;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the database in " + directory, e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** The writer connection. Only the write path (one thread at a time) may use it. */
    public Connection writer() {
        return writer;
    }

    /** The revenue ledger of this database (see {@link PaymentLedger}). */
    public PaymentLedger paymentLedger() {
        return paymentLedger;
    }

    /** Runs {@code work} on a pooled reader connection. */
    public <T> T read(SqlFunction<Connection, T> work) {
        Connection connection;
        try {
            connection = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException(ErrorCode.INTERNAL, "interrupted while waiting for a database connection");
        }
        try {
            return work.apply(connection);
        } catch (SQLException e) {
            Map<String, PreparedStatement> cache = statements.get(connection);
            cache.values().forEach(Database::closeQuietly);
            cache.clear();
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        } finally {
            readers.add(connection);
        }
    }

    /**
     * The prepared statement for {@code sql} on {@code connection}, a reader connection handed to a
     * {@link #read} callback, prepared once and reused by later calls with the same SQL text. Planning
     * is a large part of a point query's cost in DuckDB (measured at 10.7M events: preparing the
     * person timeline's query took about 1.5 ms of CPU, more than running it; BENCHMARKS.md, "Person
     * timeline, second pass"). The caller binds every parameter, closes its {@link java.sql.ResultSet}
     * and must not close the statement. When a {@link #read} callback fails with an
     * {@link SQLException}, its connection's cached statements are closed and prepared afresh later.
     */
    public PreparedStatement prepared(Connection connection, String sql) throws SQLException {
        Map<String, PreparedStatement> cache = statements.get(connection);
        if (cache == null) {
            throw new IllegalArgumentException("not a reader connection of this database");
        }
        PreparedStatement statement = cache.get(sql);
        if (statement == null || statement.isClosed()) {
            statement = connection.prepareStatement(sql);
            cache.put(sql, statement);
        }
        return statement;
    }

    /**
     * Runs {@code work} in one transaction on the writer connection, under its lock: committed when
     * {@code work} returns, rolled back when it throws. The transaction is opened with a statement
     * before {@code work} runs, because the DuckDB appender commits on its own in auto-commit mode
     * (DUCKDB-NOTES), so a batch written with appenders is all there or all gone after a crash.
     * A {@link RosterException} passes through; anything else becomes "{@code what} failed: …".
     */
    public <T> T inWriteTransaction(String what, SqlFunction<DuckDBConnection, T> work) {
        DuckDBConnection connection = (DuckDBConnection) writer;
        synchronized (connection) {
            try {
                connection.setAutoCommit(false);
                try (Statement begin = connection.createStatement()) {
                    begin.execute("SELECT 1");
                }
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                paymentLedger().forget();   // its cached rules may describe the rolled-back state
                if (e instanceof RosterException roster) {
                    throw roster;
                }
                throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
            } finally {
                try {
                    connection.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // the next writer sets it again
                }
            }
        }
    }

    /**
     * Runs {@code scan}, reads whose blocks will not be needed again (the write side's start-up load
     * of every event id and identity), with DuckDB's buffer pool held to {@value #SCAN_MEMORY_LIMIT},
     * then evicts what it cached and restores the configured limit. Otherwise those blocks (about
     * 250MB at 10M events) stay in the pool after start-up: they raise the process's peak memory and
     * crowd out the columns reports read, which then re-read and decompress blocks on every request
     * (measured at 1M people: the 90-day daily-uniques trend 230–290 ms instead of 150–190 ms).
     * Only for start-up, before any other thread uses the database: the limit is the instance's.
     */
    public void scanOnce(Runnable scan) {
        setMemoryLimit(SCAN_MEMORY_LIMIT);
        try {
            scan.run();
        } finally {
            try {
                setMemoryLimit(EVICT_MEMORY_LIMIT);
            } catch (IllegalStateException e) {
                LOG.debug("could not empty the buffer pool after a one-time scan: {}", e.getMessage());
            }
            setMemoryLimit(memoryLimit);
        }
    }

    private void setMemoryLimit(String limit) {
        try (Statement statement = writer.createStatement()) {
            statement.execute("SET memory_limit = '" + limit + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set DuckDB's memory limit to " + limit + ": " + e.getMessage(), e);
        }
    }

    /** Writes the WAL into the database file. */
    public void checkpoint() {
        try (Statement statement = writer.createStatement()) {
            statement.execute("CHECKPOINT");
        } catch (SQLException e) {
            throw new IllegalStateException("checkpoint failed: " + e.getMessage(), e);
        }
    }

    /** The size of the write-ahead log not yet checkpointed into the database file (0 if none). */
    public long walBytes() {
        try {
            Path wal = directory.resolve(FILE_NAME + ".wal");
            return Files.exists(wal) ? Files.size(wal) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        for (Map<String, PreparedStatement> cache : statements.values()) {
            cache.values().forEach(Database::closeQuietly);
            cache.clear();
        }
        for (Connection connection : readers) {
            closeQuietly(connection);
        }
        closeQuietly(writer);
        closeQuietly(root);
    }

    private static void closeQuietly(AutoCloseable connection) {
        try {
            connection.close();
        } catch (Exception ignored) {
            // closing on shutdown; nothing useful to do
        }
    }

    /** A function that may throw {@link SQLException}. */
    @FunctionalInterface
    public interface SqlFunction<A, R> {
        R apply(A argument) throws SQLException;
    }
}

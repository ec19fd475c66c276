package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Import jobs: runs imports (now, or queued one at a time in the background) and remembers their
 * summaries: the recent ones in memory while running, every finished one in {@code import_jobs}.
 *
 * <p>Thread safety: safe for concurrent use.
 */
public final class ImportJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ImportJobs.class);
    private static final int KEPT_IN_MEMORY = 200;

    private final ImportRunner importer;
    private final Database database;
    private final Clock clock;
    private final Map<String, ImportJob> recent = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ImportJob> eldest) {
            return size() > KEPT_IN_MEMORY && eldest.getValue().finished();
        }
    };
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "roster-import");
        thread.setDaemon(true);
        return thread;
    });

    public ImportJobs(ImportRunner importer, Database database, Clock clock) {
        this.importer = requireNonNull(importer, "importer is null");
        this.database = requireNonNull(database, "database is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    private ImportJob create(Project project, ImportOptions options) {
        ImportJob job = new ImportJob("imp_" + UUID.randomUUID().toString().replace("-", ""), project.key(),
                options.format(), options.maxRejections(), clock.instant());
        synchronized (recent) {
            recent.put(job.id(), job);
        }
        return job;
    }

    /** A job for an import the caller runs with {@link #run}; lets the caller watch progress. */
    public ImportJob prepare(Project project, ImportOptions options) {
        return create(project, options);
    }

    /** Imports a stream in the calling thread and records the result. */
    public ImportJob run(Project project, InputStream in, ImportOptions options, ImportJob job) {
        try {
            importer.run(project, in, options, job);
        } finally {
            persist(job);
        }
        return job;
    }

    /** Imports a spooled file in the background (one import at a time); deletes the file afterwards. */
    public ImportJob runLater(Project project, Path file, ImportOptions options) {
        ImportJob job = create(project, options);
        background.execute(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                run(project, in, options, job);
            } catch (IOException e) {
                job.fail("the uploaded file could not be read: " + e.getMessage(), clock.instant());
                persist(job);
            } finally {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warn("cannot delete spooled upload {}", file, e);
                }
            }
        });
        return job;
    }

    /** A job of this project, running or finished. */
    public Optional<ImportJob.Snapshot> find(Project project, String id) {
        synchronized (recent) {
            ImportJob job = recent.get(id);
            if (job != null) {
                return job.projectKey() == project.key() ? Optional.of(job.snapshot()) : Optional.empty();
            }
        }
        return database.read(connection -> load(connection, project, id));
    }

    private static Optional<ImportJob.Snapshot> load(Connection connection, Project project, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT id, status, format, rows_read, imported, duplicates, rejected_count, rejected, error, created_at, finished_at "
                        + "FROM import_jobs WHERE project_key = ? AND id = ?")) {
            statement.setInt(1, project.key());
            statement.setString(2, id);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                List<RejectedRow> rejected = Json.MAPPER.convertValue(Json.parse(rows.getString(8)),
                        new TypeReference<List<RejectedRow>>() { });
                return Optional.of(new ImportJob.Snapshot(rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getLong(4), rows.getLong(5), rows.getLong(6), rows.getLong(7), rejected, rows.getString(9),
                        dev.roster.store.Sql.instant(rows, 10).toString(),
                        rows.getTimestamp(11) == null ? null : dev.roster.store.Sql.instant(rows, 11).toString()));
            }
        }
    }

    private void persist(ImportJob job) {
        ImportJob.Snapshot snapshot = job.snapshot();
        Connection writer = database.writer();
        synchronized (writer) {
            try (PreparedStatement insert = writer.prepareStatement(
                    "INSERT OR REPLACE INTO import_jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::JSON, ?, ?, ?)")) {
                insert.setString(1, snapshot.id());
                insert.setInt(2, job.projectKey());
                insert.setString(3, snapshot.format());
                insert.setString(4, snapshot.status());
                insert.setLong(5, snapshot.rows());
                insert.setLong(6, snapshot.imported());
                insert.setLong(7, snapshot.duplicates());
                insert.setLong(8, snapshot.rejectedCount());
                insert.setString(9, Json.write(snapshot.rejected()));
                insert.setString(10, snapshot.error());
                insert.setObject(11, LocalDateTime.ofInstant(java.time.Instant.parse(snapshot.createdAt()), ZoneOffset.UTC));
                insert.setObject(12, snapshot.finishedAt() == null ? null
                        : LocalDateTime.ofInstant(java.time.Instant.parse(snapshot.finishedAt()), ZoneOffset.UTC));
                insert.execute();
            } catch (SQLException e) {
                LOG.warn("cannot record import job {}", job.id(), e);
            }
        }
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}

package dev.roster.transfer.export;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;

/**
 * Events of a date range, each with its resolved person id, as JSONL or Parquet. DuckDB writes the
 * file itself ({@code COPY (query) TO … (FORMAT parquet|json)}) into the data directory's temp
 * folder, and the file is then streamed and deleted: nothing is held in the JVM.
 */
public final class EventsExport {
    private final Database database;

    public EventsExport(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** Writes the events with {@code from <= ts < to} to {@code out}. */
    public void write(Project project, Instant from, Instant to, ExportFormat format, OutputStream out) {
        if (format != ExportFormat.JSONL && format != ExportFormat.PARQUET) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "events export formats are jsonl and parquet");
        }
        if (!from.isBefore(to)) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "from must be before to");
        }
        Path file;
        try {
            file = Files.createTempFile(database.directory().resolve("tmp"), "export-", "." + format.extension());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String time = format == ExportFormat.PARQUET ? "e.ts AS timestamp, e.received_at"
                    : "strftime(e.ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS timestamp, strftime(e.received_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS received_at";
            String query = "SELECT e.event_id AS id, p.person_id, e.identity, e.name, " + time + ", e.session_id, e.properties "
                    + "FROM resolved_events e JOIN persons p ON p.project_key = e.project_key AND p.person_key = e.person_key "
                    + "WHERE e.project_key = ? AND e.ts >= ? AND e.ts < ? ORDER BY e.ts, e.event_id";
            String target = file.toAbsolutePath().toString().replace("'", "''");
            String options = format == ExportFormat.PARQUET ? "(FORMAT parquet, COMPRESSION zstd)" : "(FORMAT json)";
            database.read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        "COPY (" + query + ") TO '" + target + "' " + options)) {
                    Sql.bind(statement, 1, List.of(project.key(), from, to));
                    statement.execute();
                }
                return null;
            });
            Files.copy(file, out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // temp file in the data directory's tmp folder
            }
        }
    }
}

package dev.roster.report.activity;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The event names of a project, most frequent first: suggestions for the dashboard's builders. Every
 * dashboard page asks for them, so they are counted on {@code all_occurrences} (the narrow
 * projection, sorted by name within each compaction chunk) rather than the events' own name column,
 * which would also push the open report's blocks out of DuckDB's buffer pool.
 */
public final class EventNames {
    public static final int MAX_LIMIT = 1000;

    private final Database database;

    public EventNames(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    public record Name(String name, long count) {
    }

    public record Names(List<Name> events) {
        public Names {
            events = List.copyOf(events);
        }
    }

    public Names find(Project project, int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        return database.read(connection -> {
            List<Name> names = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT name, count(*) AS n FROM all_occurrences WHERE project_key = ? GROUP BY name ORDER BY n DESC, name LIMIT ?")) {
                statement.setInt(1, project.key());
                statement.setInt(2, limit);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        names.add(new Name(rows.getString(1), rows.getLong(2)));
                    }
                }
            }
            return new Names(names);
        });
    }
}

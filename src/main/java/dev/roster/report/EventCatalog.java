package dev.roster.report;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

/** Checks that the events a report names exist in the project, so a typo is a 400 rather than a silent zero. */
public final class EventCatalog {
    private final Database database;

    public EventCatalog(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /**
     * Throws {@code invalid_report} naming the field of the first event name the project has never
     * received.
     *
     * @param names event name to the request field that named it
     */
    public void requireKnown(Project project, Map<String, String> names) {
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT 1 FROM all_events WHERE project_key = ? AND name = ? LIMIT 1")) {
                for (Map.Entry<String, String> name : names.entrySet()) {
                    statement.setInt(1, project.key());
                    statement.setString(2, name.getKey());
                    try (ResultSet rows = statement.executeQuery()) {
                        if (!rows.next()) {
                            throw new RosterException(ErrorCode.INVALID_REPORT, name.getValue()
                                    + ": the project has no event named '" + name.getKey() + "'");
                        }
                    }
                }
            }
            return null;
        });
    }
}

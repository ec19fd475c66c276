package dev.roster.report;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks that the events a report names exist in the project, so a typo is a 400 rather than a
 * silent zero.
 *
 * <p>Names found once are remembered per project (at most {@link #MAX_REMEMBERED} per project), so
 * a report repeated or explored interactively costs no lookup; names not found are always looked
 * up again, so an event that arrives later is known at once. Thread-safe.
 */
public final class EventCatalog {
    /** Remembered names per project; beyond this a name is looked up every time. */
    static final int MAX_REMEMBERED = 10_000;

    private final Database database;
    private final Map<Integer, Set<String>> known = new ConcurrentHashMap<>();

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
        Set<String> seen = known.computeIfAbsent(project.key(), k -> ConcurrentHashMap.newKeySet());
        if (seen.containsAll(names.keySet())) {
            return;
        }
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT 1 FROM all_events WHERE project_key = ? AND name = ? LIMIT 1")) {
                for (Map.Entry<String, String> name : names.entrySet()) {
                    if (seen.contains(name.getKey())) {
                        continue;
                    }
                    statement.setInt(1, project.key());
                    statement.setString(2, name.getKey());
                    try (ResultSet rows = statement.executeQuery()) {
                        if (!rows.next()) {
                            throw new RosterException(ErrorCode.INVALID_REPORT, name.getValue()
                                    + ": the project has no event named '" + name.getKey() + "'");
                        }
                    }
                    if (seen.size() < MAX_REMEMBERED) {
                        seen.add(name.getKey());
                    }
                }
            }
            return null;
        });
    }
}

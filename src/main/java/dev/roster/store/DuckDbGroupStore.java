package dev.roster.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.ingest.GroupUpdate;
import dev.roster.ingest.PropertyOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Group properties. Groups are not persons and never touch the identity graph, so their small
 * upserts do not go through the event write buffer: each call is its own transaction on a pooled
 * connection, committed before the HTTP answer. Only {@code set}, {@code set_once} and
 * {@code unset} apply to groups; other operations are ignored.
 *
 * <p>Thread safety: {@link #apply} is synchronized so that concurrent updates of one group never
 * conflict.
 */
public final class DuckDbGroupStore {
    private final Database database;

    public DuckDbGroupStore(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    public synchronized void apply(int projectKey, List<GroupUpdate> updates) {
        if (updates.isEmpty()) {
            return;
        }
        database.read(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                for (GroupUpdate update : updates) {
                    for (PropertyOperation operation : update.operations()) {
                        apply(connection, projectKey, update, operation);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
            return null;
        });
    }

    private static void apply(Connection connection, int projectKey, GroupUpdate update, PropertyOperation operation) throws SQLException {
        switch (operation.kind()) {
            case SET -> upsert(connection, projectKey, update, operation, true);
            case SET_ONCE -> upsert(connection, projectKey, update, operation, false);
            case UNSET -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        "DELETE FROM group_properties WHERE project_key = ? AND group_type = ? AND group_key = ? AND key = ?")) {
                    Sql.bind(statement, 1, List.of(projectKey, update.groupType(), update.groupKey(), operation.key()));
                    statement.execute();
                }
            }
            default -> {
                // groups keep plain values only
            }
        }
    }

    private static void upsert(Connection connection, int projectKey, GroupUpdate update, PropertyOperation operation,
                               boolean overwrite) throws SQLException {
        String sql = "INSERT INTO group_properties VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO "
                + (overwrite ? "UPDATE SET value = excluded.value, updated_at = excluded.updated_at" : "NOTHING");
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Sql.bind(statement, 1, List.of(projectKey, update.groupType(), update.groupKey(), operation.key(),
                    Json.write(operation.value()), update.timestamp()));
            statement.execute();
        }
    }

    /** The properties of one group (empty when unknown). */
    public ObjectNode find(int projectKey, String groupType, String groupKey) {
        return database.read(connection -> {
            ObjectNode properties = Json.object();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT key, value FROM group_properties WHERE project_key = ? AND group_type = ? AND group_key = ? ORDER BY key")) {
                Sql.bind(statement, 1, List.of(projectKey, groupType, groupKey));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        JsonNode value = Json.parse(rows.getString(2));
                        properties.set(rows.getString(1), value);
                    }
                }
            }
            return properties;
        });
    }
}

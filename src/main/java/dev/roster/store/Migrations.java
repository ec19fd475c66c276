package dev.roster.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema migrations, applied in order at start-up. Each migration is a SQL resource
 * {@code db/V<n>__<name>.sql}; applied versions are recorded in {@code schema_version}.
 * Append new migrations to {@link #MIGRATIONS}; never edit one that has shipped.
 */
final class Migrations {
    private static final List<String> MIGRATIONS = List.of(
            "V1__init.sql",
            "V2__groups.sql",
            "V4__transfer_privacy.sql",
            "V5__populations.sql",
            "V6__person_summary.sql",
            "V7__person_event_index.sql",
            "V9__payments.sql",
            "V8__first_touch.sql",
            "V11__event_projections.sql",
            "V12__event_sessions.sql");

    void apply(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP)");
        }
        int current = currentVersion(connection);
        for (int i = current; i < MIGRATIONS.size(); i++) {
            String name = MIGRATIONS.get(i);
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                String script = load(name).replaceAll("(?m)^\\s*--.*$", "");
                for (String sql : script.split(";\\s*\\n")) {
                    if (!sql.isBlank()) {
                        statement.execute(sql);
                    }
                }
                try (PreparedStatement record = connection.prepareStatement(
                        "INSERT INTO schema_version VALUES (?, ?, now())")) {
                    record.setInt(1, i + 1);
                    record.setString(2, name);
                    record.execute();
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw new SQLException("migration " + name + " failed: " + e.getMessage(), e);
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT coalesce(max(version), 0) FROM schema_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static String load(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing migration resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }
}

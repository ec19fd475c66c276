package dev.roster.store;

import dev.roster.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/** What the tests of the stored projections (occurrences, person days, sessions) read back from the database. */
final class ProjectionChecks {
    private ProjectionChecks() {
    }

    /** A migration script's statements, split as {@link Migrations} does. */
    static List<String> migration(String name) {
        try (InputStream in = ProjectionChecks.class.getResourceAsStream("/db/" + name)) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^\\s*--.*$", "");
            return Arrays.stream(script.split(";\\s*\\n")).filter(sql -> !sql.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The single number a query answers, on a reader connection of the server. */
    static long count(TestServer server, String sql) {
        return server.roster().database().read(connection -> scalar(connection, sql));
    }

    static long scalar(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}

package dev.roster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.testing.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write side's start-up load runs with a small buffer pool that is emptied afterwards
 * ({@link Database#scanOnce}); the configured memory limit must be back in force when it ends,
 * however it ends.
 */
class ScanOnceTest {

    @Test
    void theScanRunsUnderTheSmallLimitAndTheConfiguredLimitIsRestoredAfterwards(@TempDir Path directory) throws SQLException {
        try (Database database = Database.open(directory, "300MB")) {
            AtomicReference<String> during = new AtomicReference<>();
            database.scanOnce(() -> during.set(memoryLimit(database)));
            assertThat(during.get()).isEqualTo(duckDbsSpelling("128MB"));
            assertThat(memoryLimit(database)).isEqualTo(duckDbsSpelling("300MB"));
        }
    }

    @Test
    void theLimitIsRestoredWhenTheScanFails(@TempDir Path directory) throws SQLException {
        try (Database database = Database.open(directory, "300MB")) {
            assertThatThrownBy(() -> database.scanOnce(() -> {
                throw new IllegalStateException("scan failed");
            })).hasMessage("scan failed");
            assertThat(memoryLimit(database)).isEqualTo(duckDbsSpelling("300MB"));
        }
    }

    @Test
    void aStartedServerHasItsConfiguredLimit() throws SQLException {
        try (TestServer server = TestServer.start()) {
            assertThat(memoryLimit(server.roster().database()))
                    .as("the server's limit after its start-up load").isEqualTo(duckDbsSpelling(Database.DEFAULT_MEMORY_LIMIT));
        }
    }

    private static String memoryLimit(Database database) {
        return database.read(connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT current_setting('memory_limit')")) {
                rows.next();
                return rows.getString(1);
            }
        });
    }

    /** How DuckDB reports a limit set as {@code limit} (it converts units, e.g. 300MB to "286.1 MiB"). */
    private static String duckDbsSpelling(String limit) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET memory_limit = '" + limit + "'");
            try (ResultSet rows = statement.executeQuery("SELECT current_setting('memory_limit')")) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}

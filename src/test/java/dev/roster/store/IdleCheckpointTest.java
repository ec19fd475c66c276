package dev.roster.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * DuckDB's own checkpoint threshold is raised so that commits under load rarely checkpoint; the
 * writer folds the write-ahead log into the file while idle instead.
 */
class IdleCheckpointTest {

    @Test
    void theCheckpointThresholdIsRaisedFromDuckDbsDefault() {
        try (TestServer server = TestServer.start()) {
            String threshold = server.roster().database().read(connection -> {
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery("SELECT current_setting('checkpoint_threshold')")) {
                    rows.next();
                    return rows.getString(1);
                }
            });
            assertThat(threshold).as("DuckDB reports the setting in its own units").matches("6[0-9](\\.[0-9]+)? ?Mi?B");
        }
    }

    @Test
    void anIdleWriterCheckpointsOnlyAboveTheGivenWalSizeAndEmptiesTheWal() {
        try (TestServer server = TestServer.start()) {
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 200; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Viewed\",\"anonymousId\":\"a-")
                        .append(i % 7).append("\",\"messageId\":\"m-").append(i).append("\",\"timestamp\":\"2024-01-01T10:00:00Z\"}");
            }
            assertThat(server.segment("batch", batch.append("]}").toString()).status()).isEqualTo(200);
            server.roster().writeBuffer().flush();
            Database database = server.roster().database();
            long wal = database.walBytes();
            assertThat(wal).as("the committed batch is in the WAL").isPositive();

            DuckDbEventStore store = new DuckDbEventStore(database, new PersonSummaryWriter(dev.roster.revenue.RevenueSettings.summaryAmounts()));
            assertThat(store.checkpointIfWalAbove(wal)).isFalse();
            assertThat(database.walBytes()).isEqualTo(wal);
            assertThat(store.checkpointIfWalAbove(wal - 1)).isTrue();
            assertThat(database.walBytes()).isLessThan(wal);
            assertThat(server.get("/api/people?limit=10").json().path("people")).hasSize(7);
        }
    }
}

package dev.roster.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import dev.roster.transfer.DataDirectory;
import dev.roster.transfer.importing.BulkCsvImporter;
import dev.roster.transfer.importing.ImportFormat;
import dev.roster.transfer.importing.ImportJob;
import dev.roster.transfer.importing.ImportJobs;
import dev.roster.transfer.importing.ImportOptions;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revenue ledger ({@code payments}) stays exactly "the events that carry an amount under the
 * project's current settings, under their current person": after every kind of write that touches
 * events or people. Each check compares the ledger with the amount expression evaluated over the
 * events themselves, and with hand-written amounts.
 */
class RevenueLedgerTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void track(String identityField, String identity, String event, String timestamp, String properties) {
        TestServer.Response response = server.segment("track", "{\"" + identityField + "\":\"" + identity + "\",\"event\":\"" + event
                + "\",\"timestamp\":\"" + timestamp + "\",\"properties\":" + properties + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void track(String user, String event, String timestamp, String properties) {
        track("userId", user, event, timestamp, properties);
    }

    private TestServer.Response putSettings(String json) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/api/settings/revenue")))
                .PUT(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + server.secretKey()).build());
    }

    private double reportRevenue() {
        TestServer.Response response = server.api("/api/reports/revenue", "{\"from\":\"2024-01-01\",\"to\":\"2024-12-31\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("total_revenue").asDouble();
    }

    /** The ledger as sorted "identity amount" lines (the identity of the event, resolved person checked separately). */
    private static List<String> ledger(Database database, int projectKey) {
        return lines(database, "SELECT e.identity || ' ' || p.amount FROM resolved_payments p JOIN all_events e "
                + "ON e.project_key = p.project_key AND e.event_id = p.event_id WHERE p.project_key = ? ORDER BY 1", List.of(projectKey));
    }

    /** The ledger's rows (event, resolved person, time, amount) next to the same rows computed from the events' JSON. */
    private static void assertLedgerMatchesEvents(Database database, Project project) {
        RevenueExpression amount = new RevenueSettings(database).expression(project);
        List<Object> parameters = new ArrayList<>(amount.parameters());
        parameters.add(project.key());
        List<String> fromEvents = lines(database, "SELECT event_id || ' ' || person_key || ' ' || ts || ' ' || amount FROM ("
                + "SELECT event_id, person_key, ts, " + amount.sql() + " AS amount FROM resolved_events WHERE project_key = ?) "
                + "WHERE amount IS NOT NULL ORDER BY 1", parameters);
        List<String> fromLedger = lines(database, "SELECT event_id || ' ' || person_key || ' ' || ts || ' ' || amount "
                + "FROM resolved_payments WHERE project_key = ? ORDER BY 1", List.of(project.key()));
        assertThat(fromLedger).isEqualTo(fromEvents);
    }

    private static List<String> lines(Database database, String sql, List<Object> parameters) {
        return database.read(connection -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        result.add(rows.getString(1));
                    }
                }
            }
            return result;
        });
    }

    private Project project() {
        return server.keys().project();
    }

    private Database database() {
        return server.roster().database();
    }

    @Test
    void aSettingsChangeRebuildsTheLedgerBeforeThePutReturns() {
        track("ann", "Order Completed", "2024-02-01T10:00:00Z", "{\"revenue\":10,\"amount\":30}");
        track("bob", "Order Completed", "2024-02-02T10:00:00Z", "{\"total\":\"7.5\"}");
        track("cy", "Subscription Refunded", "2024-02-03T10:00:00Z", "{\"amount\":-4}");
        track("cy", "Viewed Pricing", "2024-02-04T10:00:00Z", "{\"amount\":999,\"note\":\"revenue\"}");
        assertThat(ledger(database(), project().key())).containsExactly("ann 10.0", "bob 7.5");
        assertLedgerMatchesEvents(database(), project());

        assertThat(putSettings("{\"property\":\"amount\"}").status()).isEqualTo(200);
        assertThat(ledger(database(), project().key())).containsExactly("ann 30.0", "cy -4.0", "cy 999.0");
        assertLedgerMatchesEvents(database(), project());
        assertThat(reportRevenue()).isCloseTo(1025.0, within(1e-9));

        assertThat(putSettings("{\"property\":\"amount\",\"billing_events\":[\"Order Completed\",\"Subscription Refunded\"]}").status())
                .isEqualTo(200);
        assertThat(ledger(database(), project().key())).containsExactly("ann 30.0", "cy -4.0");
        assertThat(reportRevenue()).isCloseTo(26.0, within(1e-9));

        // New events follow the new rule at commit.
        track("dee", "Order Completed", "2024-03-01T10:00:00Z", "{\"amount\":\"12\",\"revenue\":5}");
        track("dee", "Viewed Pricing", "2024-03-02T10:00:00Z", "{\"amount\":50}");
        assertThat(ledger(database(), project().key())).containsExactly("ann 30.0", "cy -4.0", "dee 12.0");
        assertLedgerMatchesEvents(database(), project());

        // A refused configuration changes nothing.
        track("eve", "Order Completed", "2024-03-03T10:00:00Z", "{\"price\":\"a lot\"}");
        assertThat(putSettings("{\"property\":\"price\"}").status()).isEqualTo(400);
        assertThat(ledger(database(), project().key())).containsExactly("ann 30.0", "cy -4.0", "dee 12.0");

        assertThat(putSettings("{}").status()).isEqualTo(200);
        assertThat(ledger(database(), project().key())).containsExactly("ann 10.0", "bob 7.5", "dee 5.0");
        assertLedgerMatchesEvents(database(), project());
    }

    @Test
    void aMergeMovesPaymentsToTheSurvivorBeforeAndAfterCompaction() {
        track("anonymousId", "anon-1", "Order Completed", "2024-02-01T10:00:00Z", "{\"revenue\":20}");
        track("userId", "u-1", "Order Completed", "2024-02-02T10:00:00Z", "{\"revenue\":5}");
        server.roster().writeBuffer().compactNow();
        track("anonymousId", "anon-1", "Subscription Refunded", "2024-02-03T10:00:00Z", "{\"revenue\":-3}");
        assertThat(server.segment("identify", "{\"anonymousId\":\"anon-1\",\"userId\":\"u-1\"}").status()).isEqualTo(200);

        String survivor = server.person("u-1").get("id").asText();
        assertThat(server.person("anon-1").get("id").asText()).isEqualTo(survivor);
        assertThat(lines(database(), "SELECT count(DISTINCT person_key) FROM resolved_payments WHERE project_key = ?",
                List.of(project().key()))).containsExactly("1");
        assertLedgerMatchesEvents(database(), project());
        assertThat(server.person("u-1").get("ltv").asDouble()).isEqualTo(22.0);

        server.roster().writeBuffer().compactNow();
        assertThat(lines(database(), "SELECT count(*) FROM unfolded_merges", List.of())).containsExactly("0");
        // Folded: the stored keys themselves are the survivor's now.
        assertThat(lines(database(), "SELECT count(DISTINCT person_key) FROM payments WHERE project_key = ?",
                List.of(project().key()))).containsExactly("1");
        assertLedgerMatchesEvents(database(), project());
        assertThat(reportRevenue()).isCloseTo(22.0, within(1e-9));
    }

    @Test
    void anErasedPersonLeavesNoPaymentBehind() {
        track("anonymousId", "anon-9", "Order Completed", "2024-02-01T10:00:00Z", "{\"revenue\":40}");
        track("userId", "gone", "Order Completed", "2024-02-02T10:00:00Z", "{\"revenue\":15}");
        assertThat(server.segment("identify", "{\"anonymousId\":\"anon-9\",\"userId\":\"gone\"}").status()).isEqualTo(200);
        track("stays", "Order Completed", "2024-02-03T10:00:00Z", "{\"revenue\":8}");
        String id = server.person("gone").get("id").asText();

        server.erase(id);

        assertThat(ledger(database(), project().key())).containsExactly("stays 8.0");
        assertLedgerMatchesEvents(database(), project());
        assertThat(reportRevenue()).isCloseTo(8.0, within(1e-9));
    }

    @Test
    void aRetriedBatchDoesNotDoubleAPayment() {
        String batch = "{\"batch\":[{\"type\":\"track\",\"messageId\":\"pay-1\",\"userId\":\"ann\",\"event\":\"Order Completed\","
                + "\"timestamp\":\"2024-02-01T10:00:00Z\",\"properties\":{\"revenue\":19.99}},"
                + "{\"type\":\"track\",\"messageId\":\"pay-2\",\"userId\":\"ann\",\"event\":\"Order Refunded\","
                + "\"timestamp\":\"2024-02-05T10:00:00Z\",\"properties\":{\"revenue\":-5}}]}";
        assertThat(server.segment("batch", batch).status()).isEqualTo(200);
        assertThat(server.segment("batch", batch).status()).isEqualTo(200);
        server.roster().flush();

        assertThat(ledger(database(), project().key())).containsExactly("ann -5.0", "ann 19.99");
        assertLedgerMatchesEvents(database(), project());
        assertThat(reportRevenue()).isCloseTo(14.99, within(1e-9));
    }

    @Test
    void importedEventsArePaymentsOnceEvenWhenTheFileIsImportedAgain() {
        String jsonl = "{\"type\":\"track\",\"userId\":\"imp-1\",\"event\":\"Paid\",\"messageId\":\"m-1\","
                + "\"timestamp\":\"2024-04-01T00:00:00Z\",\"properties\":{\"revenue\":10}}\n"
                + "{\"type\":\"track\",\"userId\":\"imp-2\",\"event\":\"Paid\",\"messageId\":\"m-2\","
                + "\"timestamp\":\"2024-04-02T00:00:00Z\",\"properties\":{\"total\":\"2.5\"}}\n"
                + "{\"type\":\"track\",\"userId\":\"imp-2\",\"event\":\"Viewed\",\"messageId\":\"m-3\","
                + "\"timestamp\":\"2024-04-03T00:00:00Z\",\"properties\":{\"plan\":\"pro\"}}\n";
        for (int round = 0; round < 2; round++) {
            TestServer.Response response = server.post("/api/import?wait=true&format=jsonl", jsonl.getBytes(StandardCharsets.UTF_8),
                    "application/x-ndjson", "Bearer " + server.secretKey());
            assertThat(response.status()).as(response.text()).isEqualTo(200);
        }
        assertThat(ledger(database(), project().key())).containsExactly("imp-1 10.0", "imp-2 2.5");
        assertLedgerMatchesEvents(database(), project());
    }

    @Test
    void theBulkCsvImportFillsTheLedgerInItsOwnTransaction(@TempDir Path directory) {
        Clock clock = Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC);
        String file = "identity,event,timestamp,revenue,Billing Amount\n"
                + "ann@example.com,Billed,2024-03-01T10:00:00Z,12.5,\n"
                + "ann@example.com,Refunded,2024-03-02T10:00:00Z,-2.5,\n"
                + "bob@example.com,Billed,2024-03-03T10:00:00Z,,30\n"
                + "bob@example.com,Visited,2024-03-04T10:00:00Z,,\n"
                + "cy@example.com,Billed,2024-03-05T10:00:00Z,free,\n";
        Project project;
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0).withClock(clock))) {
            project = roster.projects().create("Bulk").project();
        }
        try (DataDirectory data = DataDirectory.open(directory, "256MB", clock)) {
            ImportJobs jobs = new ImportJobs(new BulkCsvImporter(data.database(), clock), data.database(), clock);
            for (int round = 0; round < 2; round++) {
                ImportOptions options = ImportOptions.of(ImportFormat.CSV);
                ImportJob job = jobs.prepare(project, options);
                jobs.run(project, new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), options, job);
                assertThat(job.snapshot().status()).isEqualTo("done");
            }
            List<String> payments = ledger(data.database(), project.key());
            assertThat(payments).hasSize(3);
            assertThat(payments).anySatisfy(p -> assertThat(p).startsWith("ann@example.com 12.5"))
                    .anySatisfy(p -> assertThat(p).startsWith("ann@example.com -2.5"))
                    .anySatisfy(p -> assertThat(p).startsWith("bob@example.com 30"));
            assertLedgerMatchesEvents(data.database(), project);
        }
    }

    @Test
    void aDataDirectoryWithoutALedgerGetsOneAtOpen(@TempDir Path directory) throws Exception {
        Project project;
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0))) {
            project = roster.projects().create("Old").project();
            new RevenueSettings(roster.database()).save(project, Json.parse("{\"property\":\"amount\"}"));
        }
        // Events written before the ledger existed: straight into the table, no ledger rows, no rule.
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:" + directory.resolve(Database.FILE_NAME).toAbsolutePath());
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO persons VALUES (" + project.key() + ", 1, 'p-1', now())");
            statement.execute("INSERT INTO events_recent VALUES (" + project.key() + ", 'e-1', 'ann', 1, 'Paid', "
                    + "TIMESTAMP '2024-01-01 10:00:00', now(), NULL, '{\"amount\":42,\"revenue\":1}')");
            statement.execute("INSERT INTO events_recent VALUES (" + project.key() + ", 'e-2', 'ann', 1, 'Seen', "
                    + "TIMESTAMP '2024-01-02 10:00:00', now(), NULL, '{\"plan\":\"pro\"}')");
            statement.execute("DELETE FROM payments");
            statement.execute("DELETE FROM payment_rules");
        }
        try (Roster roster = Roster.open(Roster.Config.of(directory, 0))) {
            assertThat(ledger(roster.database(), project.key())).containsExactly("ann 42.0");
            assertLedgerMatchesEvents(roster.database(), project);
        }
    }
}

package dev.roster.people;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.DuckDbEventStore;
import dev.roster.store.FirstTouch;
import dev.roster.store.PersonSummaryWriter;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code person_summary} (maintained by compaction) combined with the tail by {@link PersonStats}
 * gives exactly the per-person figures of the query-time aggregation over {@code resolved_events}
 * ({@link #REFERENCE}), through ingestion, compaction (whole and in chunks), merges before and
 * after compaction, a privacy deletion and a revenue settings change.
 */
class PersonSummaryTest {
    /** The query-time aggregation that the summary replaces: every event, resolved, one window. */
    private static final String REFERENCE = "SELECT person_key, min(ts), max(ts), count(*), coalesce(sum(amount), 0), "
            + "max(ts) FILTER (WHERE amount > 0), count(*) FILTER (WHERE session_start), "
            + "CAST(arg_min_null(properties, (ts, event_id)) AS VARCHAR), "
            + "list(DISTINCT " + PersonSummaryWriter.ACTIVE_MONTH + " ORDER BY " + PersonSummaryWriter.ACTIVE_MONTH + ") FROM (SELECT person_key, ts, event_id, properties, %s AS amount, "
            + Sql.SESSION_START + " AS session_start FROM resolved_events WHERE project_key = ? "
            + "WINDOW w AS (PARTITION BY person_key ORDER BY ts, event_id)) GROUP BY person_key ORDER BY person_key";
    private static final Instant BASE = Instant.parse("2024-03-01T08:00:00Z");
    /** First-touch fields added to events: every kind of value the typed columns must read as the Java rules do. */
    private static final List<String> TOUCHES = List.of("",
            ",\"utm_medium\":\"cpc\",\"gclid\":\"g-1\",\"url\":\"https://a.example/x\"",
            ",\"utm_medium\":\"email\",\"utm_campaign\":\"spring\",\"gclid\":\" \",\"path\":\"/pricing\"",
            ",\"referrer\":\"https://www.google.com/search?q=1\",\"fbclid\":\"\",\"url\":\"  \",\"path\":\"/docs\"",
            ",\"utm_campaign\":{\"name\":\"nested\"},\"utm_medium\":null,\"msclkid\":7,\"referrer\":[1,2]",
            ",\"utm_campaign\":12,\"referrer\":\"\\u00e9t\u00e9.example\",\"fbclid\":\"f\"");

    private TestServer server;
    private Project project;
    private final Random random = new Random(7);
    private int messages;

    @BeforeEach
    void start() {
        server = TestServer.start();
        int key = server.roster().database().read(connection -> {
            try (ResultSet rows = connection.createStatement().executeQuery("SELECT min(project_key) FROM projects")) {
                rows.next();
                return rows.getInt(1);
            }
        });
        project = server.roster().projects().all().stream().filter(p -> p.key() == key).findFirst().orElseThrow();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void summaryPlusTailEqualsTheQueryTimeAggregationThroughTheWholeLifecycle() {
        // 1. anonymous browsing of 12 visitors, only in the tail
        for (int i = 0; i < 12; i++) {
            visits("anon-" + i, BASE.plusSeconds(i * 86_400L), 6);
        }
        flush();
        assertMatchesReference("ingestion only");
        assertThat(count("SELECT count(*) FROM person_summary")).isZero();

        // 2. everything compacted: the summary alone
        server.roster().writeBuffer().compactNow();
        assertThat(count("SELECT count(*) FROM events_recent")).isZero();
        assertThat(count("SELECT count(*) FROM person_summary")).isEqualTo(12);
        assertMatchesReference("after compaction");

        // 3. half of them sign up: identified events continue the anonymous session (or not), then
        // merges of compacted persons are unfolded while new events sit in the tail
        for (int i = 0; i < 6; i++) {
            Instant lastAnonymous = BASE.plusSeconds(i * 86_400L + 5 * 600L);
            long gap = i % 2 == 0 ? 20 * 60 : 3 * 3600;   // within the session, or a new one
            visits("user-" + i, lastAnonymous.plusSeconds(gap), 3);
            identify("user-" + i, "anon-" + i, lastAnonymous.plusSeconds(gap + 1));
        }
        // a compacted anonymous visitor merged into another compacted one (two summary rows, one person)
        alias("anon-7", "anon-8", BASE.plusSeconds(40 * 86_400L));
        // returning visitors: tail events after their summary, within 30 minutes of it or later
        visits("anon-9", BASE.plusSeconds(9 * 86_400L + 5 * 600L + 15 * 60), 2);
        visits("anon-10", BASE.plusSeconds(30 * 86_400L), 2);
        flush();
        assertThat(count("SELECT count(*) FROM unfolded_merges")).isGreaterThan(0);
        assertMatchesReference("merges before compaction");

        // 4. compaction in chunks of 7 events: merges folded with the last chunk
        DuckDbEventStore store = new DuckDbEventStore(server.roster().database(),
                new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
        while (store.recentEvents() > 0) {
            store.compact(7);
            assertMatchesReference("after a chunk");
        }
        assertThat(count("SELECT count(*) FROM unfolded_merges")).isZero();
        assertMatchesReference("merges folded");
        assertThat(count("SELECT count(*) FROM person_summary")).isEqualTo(count("SELECT count(DISTINCT person_key) FROM events_compacted"));

        // 5. a merge after compaction, then a full compaction
        alias("anon-11", "anon-3", BASE.plusSeconds(41 * 86_400L));
        visits("anon-3", BASE.plusSeconds(42 * 86_400L), 2);
        flush();
        assertMatchesReference("merge after compaction");
        server.roster().writeBuffer().compactNow();
        assertMatchesReference("merge after compaction, compacted");

        // 6. privacy deletion of a compacted person with a tail event
        visits("user-2", BASE.plusSeconds(50 * 86_400L), 1);
        flush();
        String id = server.person("user-2").get("id").asText();
        server.erase(id);
        assertMatchesReference("after a deletion");
        assertThat(count("SELECT count(*) FROM person_summary WHERE person_key NOT IN (SELECT person_key FROM events_compacted)")).isZero();

        // 7. revenue settings change: billing events only, on another property
        TestServer.Response put = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/api/settings/revenue")))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"property\":\"amount\",\"billing_events\":[\"Order Completed\"]}"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + server.secretKey()).build());
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM person_summary WHERE revenue <> 0")).isGreaterThan(0);
        assertMatchesReference("after a revenue settings change");
        visits("anon-5", BASE.plusSeconds(60 * 86_400L), 3);
        flush();
        assertMatchesReference("new settings, fresh tail");
    }

    @Test
    void aDataDirectoryWithoutTheSummaryGetsItBuiltOnStart() {
        for (int i = 0; i < 5; i++) {
            visits("anon-" + i, BASE.plusSeconds(i * 3600L), 4);
        }
        flush();
        server.roster().writeBuffer().compactNow();
        server.roster().database().read(connection -> connection.createStatement().execute("DELETE FROM person_summary"));
        // a new store on the same database plays the first start after the migration
        new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
        assertThat(count("SELECT count(*) FROM person_summary")).isEqualTo(5);
        assertMatchesReference("built on start");
    }

    @Test
    void summaryRowsWrittenBeforeTheFirstTouchAndMonthColumnsGetThemFilledOnStart() {
        for (int i = 0; i < 6; i++) {
            visits("anon-" + i, BASE.plusSeconds(i * 20L * 86_400L), 3);
        }
        flush();
        server.roster().writeBuffer().compactNow();
        String columns = String.join(", ", FirstTouch.COLUMNS) + ", active_months";
        List<String> written = rows("SELECT person_key, " + columns + " FROM person_summary ORDER BY person_key", List.of());
        // rows as migration V8 leaves them
        server.roster().database().read(connection -> connection.createStatement().execute("UPDATE person_summary SET "
                + String.join(", ", FirstTouch.COLUMNS.stream().map(c -> c + " = NULL").toList()) + ", active_months = NULL"));
        assertThat(count("SELECT count(*) FROM person_summary WHERE first_click_id IS NULL")).isEqualTo(6);
        new DuckDbEventStore(server.roster().database(), new PersonSummaryWriter(RevenueSettings.summaryAmounts()));
        assertThat(rows("SELECT person_key, " + columns + " FROM person_summary ORDER BY person_key", List.of()))
                .containsExactlyElementsOf(written);
        assertMatchesReference("filled on start");
    }

    // ---- fixtures ----

    /** {@code count} events of one identity, 10 minutes apart, some with revenue, a session id change, a first touch. */
    private void visits(String identity, Instant start, int count) {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int k = 0; k < count; k++) {
            boolean user = identity.startsWith("user-");
            String event = random.nextInt(4) == 0 ? "Order Completed" : "Viewed Page";
            StringBuilder properties = new StringBuilder("{\"utm_source\":\"src-" + random.nextInt(3) + "\"");
            properties.append(TOUCHES.get(random.nextInt(TOUCHES.size())));
            if (random.nextInt(3) == 0) {
                properties.append(",\"revenue\":").append(random.nextInt(200) - 40);
            }
            if (random.nextInt(3) == 0) {
                properties.append(",\"amount\":").append(random.nextInt(90));
            }
            if (k >= count - 1 && random.nextBoolean()) {
                properties.append(",\"session_id\":\"s-").append(random.nextInt(2)).append('"');
            }
            properties.append('}');
            batch.append(k == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"").append(event).append("\",")
                    .append(user ? "\"userId\":\"" : "\"anonymousId\":\"").append(identity).append("\",\"messageId\":\"m-")
                    .append(messages++).append("\",\"timestamp\":\"").append(start.plusSeconds(k * 600L))
                    .append("\",\"properties\":").append(properties).append('}');
        }
        TestServer.Response response = server.segment("batch", batch.append("]}").toString());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void identify(String user, String anonymous, Instant at) {
        TestServer.Response response = server.segment("identify", "{\"userId\":\"" + user + "\",\"anonymousId\":\"" + anonymous
                + "\",\"messageId\":\"m-" + messages++ + "\",\"timestamp\":\"" + at + "\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void alias(String identity, String previous, Instant at) {
        TestServer.Response response = server.segment("alias", "{\"anonymousId\":\"" + identity + "\",\"previousId\":\"" + previous
                + "\",\"messageId\":\"m-" + messages++ + "\",\"timestamp\":\"" + at + "\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private void flush() {
        server.roster().writeBuffer().flush();
    }

    private long count(String sql) {
        return server.roster().database().read(connection -> {
            try (ResultSet rows = connection.createStatement().executeQuery(sql)) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private void assertMatchesReference(String stage) {
        RevenueExpression amount = server.roster().revenueSettings().expression(project);
        List<Object> parameters = new ArrayList<>(amount.parameters());
        parameters.add(project.key());
        List<String> expected = rows(REFERENCE.formatted(amount.sql()), parameters);
        PersonStats.Query stats = PersonStats.query(project.key(), amount,
                PersonStats.Options.FIGURES.withSessions().withFirstProperties().withMonths());
        List<String> actual = rows("SELECT person_key, first_seen, last_seen, event_count, ltv, last_payment, session_count, "
                + "CAST(first_properties AS VARCHAR), active_months FROM (" + stats.sql() + ") ORDER BY person_key", stats.parameters());
        assertThat(actual).as(stage).isNotEmpty().containsExactlyElementsOf(expected);
        // a key range selects the same rows
        long middle = Long.parseLong(expected.get(expected.size() / 2).split("\\|")[0]);
        PersonStats.Query slice = PersonStats.query(project.key(), amount,
                new PersonStats.Options(true, true, true, true, Optional.empty()).between(middle, Long.MAX_VALUE));
        List<String> sliced = rows("SELECT person_key, first_seen, last_seen, event_count, ltv, last_payment, session_count, "
                + "CAST(first_properties AS VARCHAR), active_months FROM (" + slice.sql() + ") ORDER BY person_key", slice.parameters());
        assertThat(sliced).as(stage + ", key range").containsExactlyElementsOf(expected.subList(expected.size() / 2, expected.size()));
        assertAcquisitionMatchesFirstProperties(stage, amount);
    }

    /**
     * The typed first-touch columns (summary plus tail, and the summary rows alone) equal what
     * Java reads from the earliest event's properties: the scalar text of each field (none for
     * null, objects and arrays), a click id when gclid, fbclid or msclkid is non-blank, the landing
     * page from url, else path (non-blank).
     */
    private void assertAcquisitionMatchesFirstProperties(String stage, RevenueExpression amount) {
        String columns = String.join(", ", FirstTouch.COLUMNS);
        PersonStats.Query stats = PersonStats.query(project.key(), amount, PersonStats.Options.FIGURES.withFirstProperties().withAcquisition());
        List<String> rows = rows("SELECT CAST(first_properties AS VARCHAR), " + columns + " FROM (" + stats.sql() + ") ORDER BY person_key",
                stats.parameters());
        rows.addAll(rows("SELECT CAST(first_properties AS VARCHAR), " + columns + " FROM person_summary WHERE project_key = ?",
                List.of(project.key())));
        assertThat(rows).as(stage).isNotEmpty();
        for (String row : rows) {
            String[] cells = row.split("\\|", -1);
            JsonNode first = Json.parse(cells[0]);
            List<String> expected = List.of(scalar(first, "utm_source"), scalar(first, "utm_medium"), scalar(first, "utm_campaign"),
                    scalar(first, "referrer"), String.valueOf(List.of("gclid", "fbclid", "msclkid").stream()
                            .anyMatch(f -> !scalar(first, f).equals("null") && !scalar(first, f).isBlank())),
                    !scalar(first, "url").equals("null") && !scalar(first, "url").isBlank() ? scalar(first, "url")
                            : !scalar(first, "path").equals("null") && !scalar(first, "path").isBlank() ? scalar(first, "path") : "null");
            assertThat(List.of(cells).subList(1, cells.length)).as(stage + ": " + cells[0]).containsExactlyElementsOf(expected);
        }
    }

    /** The text of a scalar property, "null" (as the row text shows SQL NULL) when absent, null, an object or an array. */
    private static String scalar(JsonNode properties, String field) {
        JsonNode value = properties.get(field);
        return value == null || !value.isValueNode() || value.isNull() ? "null" : value.asText();
    }

    private List<String> rows(String sql, List<Object> parameters) {
        return server.roster().database().read(connection -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int c = 1; c <= columns; c++) {
                            row.append(c == 1 ? "" : "|").append(rows.getString(c));
                        }
                        result.add(row.toString());
                    }
                }
            }
            return result;
        });
    }
}

package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import dev.roster.testing.TestServer;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A revenue run asks the population resolver once per population and reads the members from a
 * temporary table in every section ({@link PopulationTables}), which it drops afterwards. Three
 * buyers: u1 purchased and paid 30 in March, u2 paid 50 in April without purchasing, u3 purchased
 * and never paid; the population "did Purchased" is u1 and u3.
 */
class RevenuePopulationTablesTest {
    private static final Instant NOW = Instant.parse("2024-04-30T12:00:00Z");
    private static TestServer server;
    private static String purchased;
    private static String paid;

    @BeforeAll
    static void ingest() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        String batch = "{\"batch\":["
                + track("u1", "Purchased", "2024-03-02T10:00:00Z", "{}") + ","
                + track("u1", "Order Completed", "2024-03-02T10:05:00Z", "{\"revenue\":30}") + ","
                + track("u2", "Order Completed", "2024-04-03T10:05:00Z", "{\"revenue\":50}") + ","
                + track("u3", "Purchased", "2024-04-20T10:00:00Z", "{}") + "]}";
        assertThat(server.segment("batch", batch).status()).isEqualTo(200);
        server.roster().flush();
        purchased = create("Purchased", "{\"did\":\"Purchased\"}");
        paid = create("Paid", "{\"did\":\"Order Completed\"}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String track(String user, String event, String timestamp, String properties) {
        return "{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"" + event + "\",\"timestamp\":\"" + timestamp
                + "\",\"properties\":" + properties + "}";
    }

    private static String create(String name, String definition) {
        TestServer.Response created = server.api("/api/populations", "{\"name\":\"" + name + "\",\"definition\":" + definition + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    /** The server's resolver, counting how often it is asked for members. */
    private static final class Counting implements PopulationResolver {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            calls.incrementAndGet();
            return server.roster().populationResolver().members(project, populationId);
        }

        @Override
        public String name(Project project, String populationId) {
            return server.roster().populationResolver().name(project, populationId);
        }
    }

    private static JsonNode run(Counting resolver, String body) {
        RevenueReport report = new RevenueReport(server.roster().database(), server.roster().revenueSettings(), resolver,
                Clock.fixed(NOW, ZoneOffset.UTC));
        Project project = server.roster().projects().findBySecretKey(server.secretKey()).orElseThrow();
        return Json.MAPPER.valueToTree(report.run(project, Json.parse(body.getBytes())));
    }

    @Test
    void thePopulationIsEvaluatedOnceForAllSectionsAndFiltersEachOfThem() {
        Counting resolver = new Counting();
        JsonNode in = run(resolver, "{\"from\":\"2024-03-01\",\"to\":\"2024-04-30\",\"population\":\"" + purchased + "\"}");
        assertThat(resolver.calls.get()).isEqualTo(1);
        assertThat(in.get("total_revenue").asDouble()).isCloseTo(30, within(1e-9));
        assertThat(in.get("active_people").asLong()).as("u1 and u3").isEqualTo(2);
        assertThat(in.get("acquired_people").asLong()).isEqualTo(2);
        assertThat(in.get("top_customers")).extracting(c -> c.get("display_name").asText()).containsExactly("u1");
        assertThat(in.get("cohort_curves")).extracting(c -> c.get("people").asLong()).containsExactly(1L, 1L);

        JsonNode out = run(resolver, "{\"from\":\"2024-03-01\",\"to\":\"2024-04-30\",\"population\":{\"id\":\"" + purchased
                + "\",\"not\":true}}");
        assertThat(resolver.calls.get()).isEqualTo(2);
        assertThat(out.get("total_revenue").asDouble()).isCloseTo(50, within(1e-9));
        assertThat(out.get("active_people").asLong()).as("u2").isEqualTo(1);
        assertThat(out.get("top_customers")).extracting(c -> c.get("display_name").asText()).containsExactly("u2");
    }

    @Test
    void aPopulationBreakdownEvaluatesEachPopulationOnceForTheWholeRun() {
        Counting resolver = new Counting();
        JsonNode split = run(resolver, "{\"from\":\"2024-03-01\",\"to\":\"2024-04-30\",\"population\":\"" + paid
                + "\",\"breakdown\":{\"populations\":[\"" + purchased + "\",\"" + paid + "\"]}}");
        // the filter (Paid) and the other group (Purchased), each once for the whole run
        assertThat(resolver.calls.get()).isEqualTo(2);
        assertThat(split.get("total_revenue").asDouble()).as("u1 and u2 paid").isCloseTo(80, within(1e-9));
        List<Double> revenues = new ArrayList<>();
        split.get("breakdown").forEach(slice -> revenues.add(slice.get("total_revenue").asDouble()));
        assertThat(revenues).as("in the order asked: Purchased, Paid").containsExactly(30.0, 80.0);
    }

    @Test
    void noTemporaryTableOutlivesARun() throws Exception {
        run(new Counting(), "{\"from\":\"2024-03-01\",\"to\":\"2024-04-30\",\"population\":\"" + purchased + "\"}");
        // the pool hands its connections out in turn: eight reads visit every reader
        for (int i = 0; i < 8; i++) {
            long tables = server.roster().database().read(connection -> {
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT count(*) FROM duckdb_tables() WHERE temporary")) {
                    rows.next();
                    return rows.getLong(1);
                }
            });
            assertThat(tables).isZero();
        }
    }
}

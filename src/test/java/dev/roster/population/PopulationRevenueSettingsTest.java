package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.testing.TestServer;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LTV conditions, the size history and the CSV export follow the project's revenue settings
 * (SPEC §6.4): here the amount is the property {@code amount} on the billing event
 * {@code Order Completed}. A {@code revenue} property, and {@code amount} on other events, are not
 * money in this project, so the fixed default expression would give different members.
 */
class PopulationRevenueSettingsTest {
    static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    private static final String BIG_SPENDERS = "{\"all\": [{\"did\": \"Order Completed\"}, {\"ltv\": {\"op\": \"gt\", \"value\": 50}}]}";
    private static final String SMALL_SPENDERS = "{\"all\": [{\"did\": \"Order Completed\"}, {\"ltv\": {\"op\": \"lt\", \"value\": 100}}]}";

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        Histories h = new Histories();
        // ann: 120 in two orders (one of them yesterday)
        h.track("ann", true, "Order Completed", ago(10), props("amount", 70));
        h.track("ann", true, "Order Completed", ago(1), props("amount", 50));
        // bob: 30 in orders; a "revenue" of 500 that this project does not count as money
        h.track("bob", true, "Order Completed", ago(5), props("amount", 30));
        h.track("bob", true, "Purchased", ago(5), props("revenue", 500));
        // cat: 60 in orders; an "amount" of 999 on an event that is not a billing event
        h.track("cat", true, "Order Completed", ago(3), props("amount", 60));
        h.track("cat", true, "Quote Requested", ago(3), props("amount", 999));
        // dan: no order at all, only a default-named revenue
        h.track("dan", true, "Purchased", ago(2), props("revenue", 80));
        h.send(server, server.writeKey());
        TestServer.Response saved = TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/api/settings/revenue")))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"property\": \"amount\", \"billing_events\": [\"Order Completed\"]}"))
                .header("Authorization", "Bearer " + server.secretKey()).header("Content-Type", "application/json").build());
        assertThat(saved.status()).as(saved.text()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Instant ago(int days) {
        return NOW.minus(Duration.ofDays(days));
    }

    private static ObjectNode props(String key, int value) {
        return JsonNodeFactory.instance.objectNode().put(key, value);
    }

    private String id(String identity) {
        return server.person(identity).get("id").asText();
    }

    private String create(String name, String definition) {
        TestServer.Response response = server.api("/api/populations", "{\"name\": \"" + name + "\", \"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private List<String> members(String population) {
        List<String> ids = new ArrayList<>();
        server.get("/api/populations/" + population + "/people?limit=100").json().get("people").forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    @Test
    void ltvConditionSumsTheConfiguredPropertyOnBillingEventsOnly() {
        String big = create("Big spenders", BIG_SPENDERS);
        // ann 120 and cat 60 (not 1059); bob's 500 "revenue" is not money here
        assertThat(members(big)).containsExactlyInAnyOrder(id("ann"), id("cat"));

        String small = create("Small spenders", SMALL_SPENDERS);
        // below 100 (a complement: everyone with an order except those at 100 or more)
        assertThat(members(small)).containsExactlyInAnyOrder(id("bob"), id("cat"));

        JsonNode preview = server.api("/api/populations/preview", "{\"definition\": {\"ltv\": {\"op\": \"gt\", \"value\": 0}}}").json();
        assertThat(preview.get("count").asLong()).as("dan's and bob's 'revenue' do not count").isEqualTo(3);
    }

    @Test
    void sizeHistorySumsTheConfiguredRevenueUpToEachDay() {
        String big = create("Big spenders", BIG_SPENDERS);
        JsonNode days = server.get("/api/populations/" + big + "/history?days=12").json().get("days");
        List<String> seen = new ArrayList<>();
        days.forEach(d -> seen.add(d.get("date").asText() + "=" + d.get("count").asLong()));
        // ann passes 50 on 06-20 (70), cat on 06-27 (60); bob never (30), whatever his "revenue"
        assertThat(seen).containsExactly("2024-06-19=0", "2024-06-20=1", "2024-06-21=1", "2024-06-22=1", "2024-06-23=1",
                "2024-06-24=1", "2024-06-25=1", "2024-06-26=1", "2024-06-27=2", "2024-06-28=2", "2024-06-29=2", "2024-06-30=2");
    }

    @Test
    void csvExportLtvIsTheConfiguredRevenue() throws Exception {
        String orders = create("Ordered", "{\"did\": \"Order Completed\"}");
        TestServer.Response response = server.get("/api/populations/" + orders + "/export.csv");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(response.text())).getRecords();
        Map<String, Double> ltv = new HashMap<>();
        rows.forEach(r -> ltv.put(r.get("person_id"), Double.parseDouble(r.get("ltv"))));
        assertThat(ltv).containsExactlyInAnyOrderEntriesOf(Map.of(id("ann"), 120.0, id("bob"), 30.0, id("cat"), 60.0));
    }
}

package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET/PUT /api/settings/revenue}: defaults, validation, and its effect on every LTV. */
class RevenueSettingsApiTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(Clock.fixed(Instant.parse("2024-07-01T00:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestServer.Response put(String json) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url("/api/settings/revenue")))
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + server.secretKey()).build());
    }

    private void track(String user, String event, String timestamp, String properties) {
        TestServer.Response response = server.segment("track", "{\"userId\":\"" + user + "\",\"event\":\"" + event
                + "\",\"timestamp\":\"" + timestamp + "\",\"properties\":" + properties + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    private JsonNode report() {
        TestServer.Response response = server.api("/api/reports/revenue", "{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    @Test
    void defaultsReadRevenueThenSegmentTotalThenKissmetricsBillingAmount() {
        JsonNode settings = server.get("/api/settings/revenue").json();
        assertThat(settings.get("property").asText()).isEqualTo("revenue");
        assertThat(settings.get("churn_days").asInt()).isEqualTo(30);
        assertThat(settings.get("read_properties")).extracting(JsonNode::asText).containsExactly("revenue", "total", "Billing Amount");

        track("ann", "Order Completed", "2024-02-01T10:00:00Z", "{\"revenue\":10,\"total\":12}");
        track("bob", "Order Completed", "2024-02-01T10:00:00Z", "{\"total\":\"7.5\"}");
        track("cy", "Billed", "2024-02-01T10:00:00Z", "{\"Billing Amount\":\"20\"}");
        assertThat(report().get("total_revenue").asDouble()).isCloseTo(37.5, within(1e-9));
        assertThat(server.person("bob").get("ltv").asDouble()).isEqualTo(7.5);
        assertThat(server.person("cy").get("ltv").asDouble()).isEqualTo(20.0);
    }

    @Test
    void aConfiguredPropertyAndBillingEventsDriveTheReportPersonLtvAndSearchSort() {
        track("ann", "Subscription Charged", "2024-02-01T10:00:00Z", "{\"amount\":30,\"revenue\":1}");
        track("ann", "Viewed Pricing", "2024-02-02T10:00:00Z", "{\"amount\":999}");
        track("bob", "Subscription Charged", "2024-02-01T10:00:00Z", "{\"amount\":50}");
        track("bob", "Subscription Refunded", "2024-02-03T10:00:00Z", "{\"amount\":-45}");

        TestServer.Response saved = put("{\"property\":\"amount\",\"billing_events\":[\"Subscription Charged\",\"Subscription Refunded\"],"
                + "\"churn_days\":14,\"currency\":\"EUR\"}");
        assertThat(saved.status()).as(saved.text()).isEqualTo(200);
        assertThat(saved.json().get("read_properties")).extracting(JsonNode::asText).containsExactly("amount");
        JsonNode settings = server.get("/api/settings/revenue").json();
        assertThat(settings.get("billing_events")).extracting(JsonNode::asText)
                .containsExactly("Subscription Charged", "Subscription Refunded");
        assertThat(settings.get("churn_days").asInt()).isEqualTo(14);

        JsonNode result = report();
        assertThat(result.get("total_revenue").asDouble()).isCloseTo(35, within(1e-9));
        assertThat(result.get("refunds").asDouble()).isCloseTo(45, within(1e-9));
        assertThat(result.get("churn_days").asInt()).isEqualTo(14);
        assertThat(result.get("currency").asText()).isEqualTo("EUR");
        assertThat(server.person("ann").get("ltv").asDouble()).isEqualTo(30.0);
        assertThat(server.person("bob").get("ltv").asDouble()).isEqualTo(5.0);

        JsonNode people = server.get("/api/people?sort=ltv").json().get("people");
        assertThat(people).extracting(p -> p.get("display_name").asText()).containsExactly("ann", "bob");
        assertThat(people).extracting(p -> p.get("ltv").asDouble()).containsExactly(30.0, 5.0);
    }

    @Test
    void aNonNumericRevenuePropertyIsRefusedWithAClearMessage() {
        track("ann", "Upgraded", "2024-02-01T10:00:00Z", "{\"plan\":\"pro\"}");
        track("bob", "Upgraded", "2024-02-01T10:00:00Z", "{\"plan\":\"team\"}");
        TestServer.Response response = put("{\"property\":\"plan\"}");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_request");
        assertThat(response.json().get("message").asText())
                .contains("\"plan\" is not numeric").contains("2 of 2 events").contains("such as \"");
        assertThat(server.get("/api/settings/revenue").json().get("property").asText()).isEqualTo("revenue");
    }

    @Test
    void aChurnPeriodOfZeroOrLessIsRefusedInSettingsAndInTheReport() {
        TestServer.Response zero = put("{\"churn_days\":0}");
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.json().get("message").asText()).contains("\"churn_days\" must be at least 1 day (got 0)");
        assertThat(put("{\"churn_days\":-5}").status()).isEqualTo(400);
        assertThat(put("{\"churn_days\":\"thirty\"}").json().get("message").asText()).contains("whole number");

        TestServer.Response report = server.api("/api/reports/revenue", "{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"churn_days\":0}");
        assertThat(report.status()).isEqualTo(400);
        assertThat(report.json().get("message").asText()).contains("at least 1 day");
    }

    @Test
    void malformedSettingsAndRequestsGetA400NamingTheProblem() {
        assertThat(put("{\"propety\":\"amount\"}").json().get("message").asText()).contains("unknown revenue setting \"propety\"");
        assertThat(put("{\"property\":\"a\\\"b\"}").status()).isEqualTo(400);
        assertThat(put("{\"currency\":\"dollars\"}").json().get("message").asText()).contains("ISO 4217");
        assertThat(put("[1]").status()).isEqualTo(400);

        assertThat(message("{\"to\":\"2024-01-31\"}")).isEqualTo("from: is required");
        assertThat(message("{\"from\":\"2024-02-01\",\"to\":\"2024-01-31\"}")).contains("is after");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"group_by\":\"country\"}")).contains("group_by").contains("utm_source");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"interval\":\"hour\"}")).contains("interval");
        assertThat(message("{\"from\":\"2024-13-01\",\"to\":\"2024-01-31\"}")).contains("YYYY-MM-DD");
        assertThat(message("{\"from\":\"2000-01-01\",\"to\":\"2024-01-31\",\"interval\":\"day\"}")).contains("at most");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":{\"not\":true}}")).contains("population.id");
    }

    @Test
    void anUnknownPopulationIsNotFound() {
        TestServer.Response response = server.api("/api/reports/revenue",
                "{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":\"nope\"}");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("message").asText()).contains("nope");
    }

    @Test
    void settingsNeedTheSecretKey() {
        assertThat(server.get("/api/settings/revenue", null).status()).isEqualTo(401);
        assertThat(server.get("/api/settings/revenue", "Bearer " + server.writeKey()).status()).isEqualTo(403);
    }

    private String message(String body) {
        TestServer.Response response = server.api("/api/reports/revenue", body);
        assertThat(response.status()).as(response.text()).isEqualTo(400);
        return response.json().get("message").asText();
    }
}

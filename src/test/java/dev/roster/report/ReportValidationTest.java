package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad report requests are 400s whose message names the field; unknown populations are 404s. */
class ReportValidationTest {
    private static TestServer server;
    private static Tracking tracking;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        tracking = new Tracking(server);
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Purchased", "2024-01-01T11:00:00Z");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void rejected(String kind, String body, int status, String... fragments) {
        TestServer.Response response = tracking.rawReport(kind, body);
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        for (String fragment : fragments) {
            assertThat(response.json().get("message").asText()).as(response.text()).contains(fragment);
        }
        if (status == 400) {
            assertThat(response.json().get("error").asText()).isIn("invalid_report", "invalid_json");
        }
    }

    private static final String RANGE = ",\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"";

    @Test
    void funnelRequestsAreValidatedFieldByField() {
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Nope\"]" + RANGE + "}", 400, "steps[1].event", "Nope");
        rejected("funnel", "{\"steps\":[\"Signed Up\"]" + RANGE + "}", 400, "steps", "2 to 20");
        rejected("funnel", "{\"steps\":[" + "\"Signed Up\",".repeat(20) + "\"Purchased\"]" + RANGE + "}", 400, "steps", "not 21");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"],\"from\":\"2024-02-01\",\"to\":\"2024-01-01\"}", 400, "from", "after");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]}", 400, "from", "date range is required");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"],\"from\":\"01/01/2024\",\"to\":\"2024-01-31\"}", 400, "from", "YYYY-MM-DD");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"window\":{\"value\":3,\"unit\":\"fortnight\"}}", 400, "window.unit");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"window\":{\"value\":0,\"unit\":\"day\"}}", 400, "window.value");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"order\":\"random\"}", 400, "order");
        rejected("funnel", "{\"steps\":[{\"event\":\"Signed Up\",\"where\":[{\"property\":\"plan\",\"op\":\"like\",\"value\":\"x\"}]},\"Purchased\"]"
                + RANGE + "}", 400, "steps[0].where[0].op");
        rejected("funnel", "{\"steps\":[{\"event\":\"Signed Up\",\"where\":[{\"property\":\"plan\",\"op\":\"gt\",\"value\":\"x\"}]},\"Purchased\"]"
                + RANGE + "}", 400, "steps[0].where[0].value", "number");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"exclusions\":[{\"event\":\"Purchased\",\"between\":[1,1]}]}",
                400, "exclusions[0].between");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"order\":\"any\",\"exclusions\":[{\"event\":\"Purchased\"}]}",
                400, "exclusions");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"time_zone\":\"Mars/Olympus\"}", 400, "time_zone");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"range\":{\"last\":7}}", 400, "range");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"breakdown\":{\"acquisition\":\"shoe_size\"}}", 400,
                "breakdown.acquisition");
        rejected("funnel", "{\"steps\":[\"Signed Up\",\"Purchased\"]" + RANGE + ",\"population\":\"vip\"}", 404, "no population with id 'vip'");
        rejected("funnel", "{\"steps\":", 400);
    }

    @Test
    void retentionAndTrendsRequestsAreValidated() {
        rejected("retention", "{" + RANGE.substring(1) + "}", 400, "cohort_event");
        rejected("retention", "{\"cohort_event\":\"Signed Up\",\"periods\":53" + RANGE + "}", 400, "periods");
        rejected("retention", "{\"cohort_event\":\"Signed Up\",\"mode\":\"sometimes\"" + RANGE + "}", 400, "mode");
        rejected("retention", "{\"cohort_event\":\"Signed Up\",\"return_event\":\"Nope\"" + RANGE + "}", 400, "return_event");
        rejected("trends", "{\"events\":[]" + RANGE + "}", 400, "events");
        rejected("trends", "{\"events\":[\"Signed Up\"],\"interval\":\"decade\"" + RANGE + "}", 400, "interval");
        rejected("trends", "{\"events\":[\"Signed Up\"],\"interval\":\"hour\",\"from\":\"2020-01-01\",\"to\":\"2024-01-01\"}", 400, "interval");
        rejected("trends", "{\"events\":[\"Signed Up\"],\"metrics\":[\"revenue\"]" + RANGE + "}", 400, "metrics[0]");
    }

    @Test
    void reportsNeedASecretKey() {
        TestServer.Response response = server.post("/api/reports/funnel", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/json", null);
        assertThat(response.status()).isEqualTo(401);
    }
}

package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.testing.TestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hand-computed scenario (docs/revenue.md walks through it): 3 channels, 10 customers and 2
 * people who never pay, sent through Segment {@code /v1/batch}. The clock stands at 2024-07-01,
 * so with the default 30 days a customer whose last payment is before 2024-06-01 has churned.
 *
 * <pre>
 * Paid (cpc/google):        c1 100 + 60 = 160 (churned), c2 200 - 50 = 150 (churned), c3 4 x 80 = 320, c4 20, n1 never pays
 * Email (email/newsletter): c5 40 (churned), c6 60 + 60 = 120 (churned), c7 100, n2 never pays
 * Referral (blog referrer): c8 500 paid as an anonymous visitor, identified later (churned),
 *                           c9 20 - 20 + 45 = 45 (churned), c10 75
 * Paid 650 / 5 people = 130; Email 260 / 4 = 65; Referral 620 / 3 = 206.67
 * churn-based LTV = 1530 / 6 churned customers = 255
 * </pre>
 *
 * <p>For filters and breakdowns: c3's and c8's payments carry {@code plan: pro} (820 in all), every
 * other payment {@code plan: basic} (710, refunds 70); c1, c3 and c5 have the trait
 * {@code tier: gold} (160 + 320 + 40 = 520).
 */
class RevenueKnownNumbersTest {
    private static final Instant NOW = Instant.parse("2024-07-01T00:00:00Z");
    private static TestServer server;

    @BeforeAll
    static void ingest() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        List<ObjectNode> messages = new ArrayList<>();
        // first touches (10:00) then payments (10:05)
        paid(messages, "c1", "2024-01-10");
        pay(messages, "c1", "2024-01-10", 100);
        pay(messages, "c1", "2024-02-15", 60);
        paid(messages, "c2", "2024-01-20");
        pay(messages, "c2", "2024-01-21", 200);
        pay(messages, "c2", "2024-03-01", -50);
        paid(messages, "c3", "2024-03-05");
        for (String day : List.of("2024-03-05", "2024-04-05", "2024-05-05", "2024-06-05")) {
            pay(messages, "c3", day, 80);
        }
        paid(messages, "c4", "2024-05-01");
        pay(messages, "c4", "2024-06-20", 20);
        paid(messages, "n1", "2024-02-01");

        email(messages, "c5", "2024-02-02");
        pay(messages, "c5", "2024-02-02", 40);
        email(messages, "c6", "2024-02-10");
        pay(messages, "c6", "2024-02-12", 60);
        pay(messages, "c6", "2024-03-12", 60);
        email(messages, "c7", "2024-04-01");
        pay(messages, "c7", "2024-06-25", 100);
        email(messages, "n2", "2024-04-03");

        // c8: an anonymous visitor from the blog pays, then identifies; a later direct visit as the
        // user does not change the first touch.
        messages.add(page("anon-c8", null, "2024-01-05T10:00:00Z", "https://blog.example.com/post", null, null));
        messages.add(payment("anon-c8", null, "2024-01-06T10:05:00Z", 500));
        ObjectNode identify = Json.object();
        identify.put("type", "identify").put("anonymousId", "anon-c8").put("userId", "c8").put("timestamp", "2024-01-07T10:00:00Z");
        messages.add(identify);
        messages.add(page(null, "c8", "2024-01-08T10:00:00Z", null, null, null));
        referral(messages, "c9", "2024-03-03");
        pay(messages, "c9", "2024-03-03", 20);
        pay(messages, "c9", "2024-03-04", -20);
        pay(messages, "c9", "2024-05-20", 45);
        referral(messages, "c10", "2024-06-01");
        pay(messages, "c10", "2024-06-02", 75);

        for (String gold : List.of("c1", "c3", "c5")) {
            ObjectNode traits = Json.object();
            traits.put("type", "identify").put("userId", gold).put("timestamp", "2024-06-30T12:00:00Z");
            traits.putObject("traits").put("tier", "gold");
            messages.add(traits);
        }

        assertThat(server.segmentBatch(messages).status()).isEqualTo(200);
        server.roster().flush();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void paid(List<ObjectNode> messages, String user, String day) {
        messages.add(page(null, user, day + "T10:00:00Z", null, "google", "cpc"));
    }

    private static void email(List<ObjectNode> messages, String user, String day) {
        messages.add(page(null, user, day + "T10:00:00Z", null, "newsletter", "email"));
    }

    private static void referral(List<ObjectNode> messages, String user, String day) {
        messages.add(page(null, user, day + "T10:00:00Z", "https://blog.example.com/post", null, null));
    }

    private static void pay(List<ObjectNode> messages, String user, String day, double amount) {
        messages.add(payment(null, user, day + "T10:05:00Z", amount));
    }

    private static ObjectNode page(String anonymousId, String userId, String timestamp, String referrer, String source, String medium) {
        ObjectNode page = Json.object();
        page.put("type", "page").put("timestamp", timestamp);
        if (anonymousId != null) {
            page.put("anonymousId", anonymousId);
        }
        if (userId != null) {
            page.put("userId", userId);
        }
        ObjectNode context = page.putObject("context");
        ObjectNode pageContext = context.putObject("page");
        pageContext.put("url", "https://shop.example.com/");
        if (referrer != null) {
            pageContext.put("referrer", referrer);
        }
        if (source != null) {
            context.putObject("campaign").put("source", source).put("medium", medium).put("name", "spring");
        }
        return page;
    }

    private static ObjectNode payment(String anonymousId, String userId, String timestamp, double amount) {
        ObjectNode track = Json.object();
        track.put("type", "track").put("event", amount < 0 ? "Order Refunded" : "Order Completed").put("timestamp", timestamp);
        if (anonymousId != null) {
            track.put("anonymousId", anonymousId);
        }
        if (userId != null) {
            track.put("userId", userId);
        }
        boolean pro = "c3".equals(userId) || "anon-c8".equals(anonymousId);
        track.putObject("properties").put("revenue", amount).put("currency", "USD").put("plan", pro ? "pro" : "basic");
        return track;
    }

    private static JsonNode report(String body) {
        TestServer.Response response = server.api("/api/reports/revenue", body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    @Test
    void lifetimeValuePerChannelAndChurnBasedLtvAreTheHandComputedNumbers() {
        JsonNode result = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\",\"churn_days\":30}");

        Map<String, JsonNode> groups = new LinkedHashMap<>();
        result.get("groups").forEach(g -> groups.put(g.get("value").asText(), g));
        assertThat(groups.keySet()).containsExactly("Referral", "Paid", "Email");
        assertGroup(groups.get("Paid"), 5, 4, 650, 130);
        assertGroup(groups.get("Email"), 4, 3, 260, 65);
        assertGroup(groups.get("Referral"), 3, 3, 620, 620.0 / 3);

        assertThat(result.get("churned_customers").asLong()).isEqualTo(6);
        assertThat(result.get("churn_ltv").asDouble()).isCloseTo(255.0, within(1e-9));
        assertThat(result.get("acquired_people").asLong()).isEqualTo(12);
    }

    @Test
    void totalsOverTheRangeCountRefundsAndActivePeople() {
        JsonNode result = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"}");
        assertThat(result.get("total_revenue").asDouble()).isCloseTo(1530, within(1e-9));
        assertThat(result.get("refunds").asDouble()).isCloseTo(70, within(1e-9));
        assertThat(result.get("paying_people").asLong()).isEqualTo(10);
        assertThat(result.get("active_people").asLong()).isEqualTo(12);
        assertThat(result.get("arpu").asDouble()).isCloseTo(127.5, within(1e-9));
        assertThat(result.get("arppu").asDouble()).isCloseTo(153, within(1e-9));
    }

    @Test
    void monthlyPeriodsMatchTheLedger() {
        JsonNode periods = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"interval\":\"month\"}").get("periods");
        assertThat(periods).hasSize(6);
        double[][] expected = {
                // revenue, refunds, paying, active
                {800, 0, 3, 3}, {160, 0, 3, 4}, {90, 70, 3, 4}, {80, 0, 1, 3}, {125, 0, 2, 3}, {275, 0, 4, 4}};
        for (int i = 0; i < 6; i++) {
            JsonNode period = periods.get(i);
            assertThat(period.get("start").asText()).isEqualTo("2024-0" + (i + 1) + "-01");
            assertThat(period.get("revenue").asDouble()).as(period.toString()).isCloseTo(expected[i][0], within(1e-9));
            assertThat(period.get("refunds").asDouble()).as(period.toString()).isCloseTo(expected[i][1], within(1e-9));
            assertThat(period.get("paying_people").asLong()).as(period.toString()).isEqualTo((long) expected[i][2]);
            assertThat(period.get("active_people").asLong()).as(period.toString()).isEqualTo((long) expected[i][3]);
            assertThat(period.get("arppu").asDouble()).isCloseTo(expected[i][0] / expected[i][2], within(1e-9));
        }
    }

    @Test
    void cohortCurvesAverageRevenueWithinMonthsOfFirstSeenOverMaturedPeople() {
        JsonNode curves = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"}").get("cohort_curves");
        assertThat(curves).extracting(c -> c.get("cohort").asText())
                .containsExactly("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06");
        assertThat(curves).extracting(c -> c.get("people").asLong()).containsExactly(3L, 3L, 2L, 2L, 1L, 1L);
        assertCurve(curves.get(0), 800.0 / 3, 810.0 / 3, null, null);
        assertCurve(curves.get(1), 100.0 / 3, 160.0 / 3, null, null);
        assertCurve(curves.get(2), 40.0, 142.5, null, null);
        assertCurve(curves.get(3), 0.0, null, null, null);
        assertCurve(curves.get(4), 0.0, null, null, null);
        assertCurve(curves.get(5), null, null, null, null);
    }

    @Test
    void topCustomersAreRankedByLtvWithPublicIdsAndDisplayNames() {
        JsonNode top = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"top\":3}").get("top_customers");
        assertThat(top).extracting(c -> c.get("display_name").asText()).containsExactly("c8", "c3", "c1");
        assertThat(top).extracting(c -> c.get("ltv").asDouble()).containsExactly(500.0, 320.0, 160.0);
        String c8 = server.person("anon-c8").get("id").asText();
        assertThat(top.get(0).get("person_id").asText()).isEqualTo(c8);
        assertThat(server.person("c8").get("ltv").asDouble()).isEqualTo(500.0);
    }

    @Test
    void groupsByUtmSourceAndReferringDomainAndCohortMonth() {
        Map<String, Double> bySource = averages(report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\"}"));
        assertThat(bySource).containsOnlyKeys("google", "newsletter", "null");
        assertThat(bySource.get("null")).isCloseTo(620.0 / 3, within(1e-9));
        Map<String, Double> byDomain = averages(report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"referring_domain\"}"));
        assertThat(byDomain).containsOnlyKeys("blog.example.com", "null");
        assertThat(byDomain.get("null")).isCloseTo(910.0 / 9, within(1e-9));
        Map<String, Double> byCohort = averages(report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"cohort_month\"}"));
        assertThat(byCohort.get("2024-01")).isCloseTo(810.0 / 3, within(1e-9));
        assertThat(byCohort.get("2024-06")).isCloseTo(75.0, within(1e-9));
    }

    @Test
    void theRangeSelectsWhoWasAcquiredAndWhatWasPaid() {
        JsonNode result = report("{\"from\":\"2024-06-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\"}");
        assertThat(result.get("acquired_people").asLong()).isEqualTo(1);
        assertThat(result.get("groups")).hasSize(1);
        assertGroup(result.get("groups").get(0), 1, 1, 75, 75);
        assertThat(result.get("total_revenue").asDouble()).isCloseTo(275, within(1e-9));
        assertThat(result.get("churn_ltv").isNull()).isTrue();
    }

    @Test
    void anEventFilterCountsOnlyTheMatchingPayments() {
        JsonNode result = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\",\"churn_days\":30,"
                + "\"where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"}]}");
        assertThat(result.get("total_revenue").asDouble()).isCloseTo(820, within(1e-9));
        assertThat(result.get("refunds").asDouble()).isZero();
        assertThat(result.get("paying_people").asLong()).isEqualTo(2);
        assertThat(result.get("active_people").asLong()).isEqualTo(2);
        assertThat(result.get("groups")).extracting(g -> g.get("value").asText()).containsExactly("Referral", "Paid");
        assertGroup(result.get("groups").get(0), 1, 1, 500, 500);
        assertGroup(result.get("groups").get(1), 1, 1, 320, 320);
        assertThat(result.get("acquired_people").asLong()).isEqualTo(2);
        assertThat(result.get("churned_customers").asLong()).isEqualTo(1);
        assertThat(result.get("churn_ltv").asDouble()).isCloseTo(820, within(1e-9));
    }

    @Test
    void anEventPropertyBreakdownSplitsRevenueByThePlanOnEachPayment() {
        JsonNode result = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"churn_days\":30,"
                + "\"breakdown\":{\"event_property\":\"plan\"}}");
        assertThat(result.get("total_revenue").asDouble()).isCloseTo(1530, within(1e-9));
        JsonNode slices = result.get("breakdown");
        assertThat(slices).extracting(b -> b.get("value").isNull() ? "null" : b.get("value").asText()).containsExactly("pro", "basic", "null");
        JsonNode pro = slices.get(0);
        assertThat(pro.get("total_revenue").asDouble()).isCloseTo(820, within(1e-9));
        assertThat(pro.get("paying_people").asLong()).isEqualTo(2);
        JsonNode basic = slices.get(1);
        assertThat(basic.get("total_revenue").asDouble()).isCloseTo(710, within(1e-9));
        assertThat(basic.get("refunds").asDouble()).isCloseTo(70, within(1e-9));
        assertThat(basic.get("paying_people").asLong()).isEqualTo(8);
        assertThat(basic.get("acquired_people").asLong()).isEqualTo(8);
        // c1, c2, c5, c6, c9 made their last basic payment before 2024-06-01
        assertThat(basic.get("churned_customers").asLong()).isEqualTo(5);
        assertThat(basic.get("churn_ltv").asDouble()).isCloseTo(710.0 / 5, within(1e-9));
        JsonNode none = slices.get(2);
        assertThat(none.get("total_revenue").asDouble()).isZero();
        assertThat(none.get("active_people").asLong()).as("everyone viewed a page, and pages carry no plan").isEqualTo(12);
        assertThat(none.get("paying_people").asLong()).isZero();
        assertThat(none.get("periods")).hasSize(6);
    }

    @Test
    void personFiltersAndAPersonPropertyBreakdownUseTheTraits() {
        JsonNode gold = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\","
                + "\"person_where\":[{\"property\":\"tier\",\"op\":\"eq\",\"value\":\"gold\"}]}");
        assertThat(gold.get("total_revenue").asDouble()).isCloseTo(520, within(1e-9));
        assertThat(gold.get("active_people").asLong()).isEqualTo(3);
        assertThat(gold.get("groups")).extracting(g -> g.get("value").asText()).containsExactly("Paid", "Email");
        assertGroup(gold.get("groups").get(0), 2, 2, 480, 240);
        assertGroup(gold.get("groups").get(1), 1, 1, 40, 40);

        JsonNode split = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"breakdown\":{\"person_property\":\"tier\"}}");
        JsonNode slices = split.get("breakdown");
        assertThat(slices).extracting(b -> b.get("value").isNull() ? "null" : b.get("value").asText()).containsExactly("null", "gold");
        assertThat(slices.get(0).get("total_revenue").asDouble()).isCloseTo(1010, within(1e-9));
        assertThat(slices.get(0).get("acquired_people").asLong()).isEqualTo(9);
        assertThat(slices.get(1).get("total_revenue").asDouble()).isCloseTo(520, within(1e-9));
        assertThat(slices.get(1).get("acquired_people").asLong()).isEqualTo(3);
    }

    @Test
    void anAcquisitionBreakdownGivesEachChannelItsOwnFigures() {
        JsonNode slices = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"breakdown\":{\"acquisition\":\"channel\"}}")
                .get("breakdown");
        assertThat(slices).extracting(b -> b.get("value").asText()).containsExactly("Paid", "Referral", "Email");
        double[] revenue = {650, 620, 260};
        long[] people = {5, 3, 4};
        for (int i = 0; i < 3; i++) {
            assertThat(slices.get(i).get("total_revenue").asDouble()).isCloseTo(revenue[i], within(1e-9));
            assertThat(slices.get(i).get("acquired_people").asLong()).isEqualTo(people[i]);
            assertThat(slices.get(i).get("groups")).hasSize(1);
        }
    }

    @Test
    void aSavedPopulationWithAnLtvConditionFiltersAndBreaksDownTheReport() {
        TestServer.Response created = server.api("/api/populations",
                "{\"name\":\"Big spenders\",\"definition\":{\"ltv\":{\"op\":\"gt\",\"value\":200}}}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("count").asLong()).as("c8 (500) and c3 (320)").isEqualTo(2);
        String id = created.json().get("id").asText();
        String range = "\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"";
        assertThat(report("{" + range + ",\"population\":\"" + id + "\"}").get("total_revenue").asDouble()).isCloseTo(820, within(1e-9));
        JsonNode rest = report("{" + range + ",\"population\":{\"id\":\"" + id + "\",\"not\":true}}");
        assertThat(rest.get("total_revenue").asDouble()).isCloseTo(710, within(1e-9));
        assertThat(rest.get("acquired_people").asLong()).isEqualTo(10);
        JsonNode split = report("{" + range + ",\"breakdown\":{\"populations\":[\"" + id + "\"]}}").get("breakdown");
        assertThat(split).hasSize(1);
        assertThat(split.get(0).get("value").asText()).isEqualTo("Big spenders");
        assertThat(split.get(0).get("total_revenue").asDouble()).isCloseTo(820, within(1e-9));
        assertThat(split.get(0).get("top_customers")).extracting(c -> c.get("display_name").asText()).containsExactly("c8", "c3");
    }

    @Test
    void peopleListsTheIdsBehindEachNumber() {
        JsonNode result = report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\",\"people\":true}");
        List<String> churned = new ArrayList<>();
        for (String person : List.of("c1", "c2", "c5", "c6", "c8", "c9")) {
            churned.add(server.person(person).get("id").asText());
        }
        churned.sort(null);
        assertThat(result.get("churned_person_ids")).extracting(JsonNode::asText).containsExactlyElementsOf(churned);
        assertThat(result.get("paying_person_ids")).hasSize(10);
        assertThat(result.get("active_person_ids")).hasSize(12);
        assertThat(result.get("acquired_person_ids")).hasSize(12);
        JsonNode paid = result.get("groups").get(1);
        assertThat(paid.get("value").asText()).isEqualTo("Paid");
        assertThat(paid.get("person_ids")).hasSize(5);
        assertThat(paid.get("paying_person_ids")).extracting(JsonNode::asText).doesNotContain(server.person("n1").get("id").asText()).hasSize(4);
        JsonNode january = result.get("periods").get(0);
        assertThat(january.get("paying_person_ids")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                server.person("c1").get("id").asText(), server.person("c2").get("id").asText(), server.person("c8").get("id").asText());
        assertThat(result.get("cohort_curves").get(0).get("person_ids")).hasSize(3);
        JsonNode top = result.get("top_customers").get(0);
        assertThat(top.get("url").asText()).isEqualTo("/api/people/" + top.get("person_id").asText());
        assertThat(server.get(top.get("url").asText()).json().get("ltv").asDouble()).isEqualTo(500.0);
        assertThat(report("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\"}").has("churned_person_ids")).isFalse();
    }

    private static Map<String, Double> averages(JsonNode result) {
        Map<String, Double> averages = new LinkedHashMap<>();
        result.get("groups").forEach(g -> averages.put(g.get("value").isNull() ? "null" : g.get("value").asText(),
                g.get("ltv_average").asDouble()));
        return averages;
    }

    private static void assertGroup(JsonNode group, long people, long paying, double revenue, double average) {
        assertThat(group.get("people").asLong()).as(group.toString()).isEqualTo(people);
        assertThat(group.get("paying_people").asLong()).as(group.toString()).isEqualTo(paying);
        assertThat(group.get("revenue").asDouble()).as(group.toString()).isCloseTo(revenue, within(1e-9));
        assertThat(group.get("ltv_average").asDouble()).as(group.toString()).isCloseTo(average, within(1e-9));
    }

    private static void assertCurve(JsonNode curve, Double one, Double three, Double six, Double twelve) {
        JsonNode months = curve.get("ltv_at_months");
        Double[] expected = {one, three, six, twelve};
        String[] keys = {"1", "3", "6", "12"};
        for (int i = 0; i < 4; i++) {
            JsonNode value = months.get(keys[i]);
            assertThat(value).as(curve + " at " + keys[i]).isNotNull();
            if (expected[i] == null) {
                assertThat(value.isNull()).as(curve + " at " + keys[i]).isTrue();
            } else {
                assertThat(value.asDouble()).as(curve + " at " + keys[i]).isCloseTo(expected[i], within(1e-9));
            }
        }
    }
}

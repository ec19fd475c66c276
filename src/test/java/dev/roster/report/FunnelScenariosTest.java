package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The funnel scenarios of issue 4, each with its expected numbers, through the HTTP API. */
class FunnelScenariosTest {
    private TestServer server;
    private Tracking tracking;

    @BeforeEach
    void start() {
        server = TestServer.start();
        tracking = new Tracking(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode funnel(String steps, String extra) {
        return tracking.report("funnel", "{\"steps\":" + steps + ",\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"" + extra + "}");
    }

    private void abc() {
        tracking.track("A", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("A", "Purchased", "2024-01-10T10:05:00Z");
        tracking.track("B", "Signed Up", "2024-01-10T11:00:00Z");
        tracking.track("C", "Signed Up", "2024-01-10T12:00:00Z");
        tracking.track("C", "Purchased", "2024-01-10T12:15:00Z");
    }

    @Test
    void fourteenDayWindowConvertsTwoOfThree() {
        abc();
        JsonNode result = funnel("[\"Signed Up\",\"Purchased\"]", "");
        assertThat(Tracking.counts(result.get("steps"))).containsExactly(3, 2);
        assertThat(result.get("steps").get(1).get("conversion_from_first").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(result.get("steps").get(1).get("median_seconds_from_previous").asDouble()).isEqualTo(600.0);
        assertThat(result.get("steps").get(1).get("average_seconds_from_previous").asDouble()).isEqualTo(600.0);
        assertThat(result.get("window_seconds").asLong()).isEqualTo(14 * 86400);
    }

    @Test
    void fiveMinuteWindowIsInclusiveAndConvertsOneOfThree() {
        abc();
        JsonNode result = funnel("[\"Signed Up\",\"Purchased\"]", ",\"window\":{\"value\":5,\"unit\":\"minute\"}");
        assertThat(Tracking.counts(result.get("steps"))).containsExactly(3, 1);
        assertThat(result.get("steps").get(1).get("median_seconds_from_previous").asDouble()).isEqualTo(300.0);
    }

    @Test
    void exclusionBetweenStepsRemovesThePersonEvenWithoutAnEndEvent() {
        tracking.track("ann", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("ann", "Cancelled", "2024-01-10T10:01:00Z");
        tracking.track("ann", "Purchased", "2024-01-10T10:02:00Z");
        tracking.track("bob", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("bob", "Cancelled", "2024-01-11T10:00:00Z");
        tracking.track("cat", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("cat", "Purchased", "2024-01-10T10:30:00Z");
        JsonNode result = funnel("[\"Signed Up\",\"Purchased\"]", ",\"exclusions\":[{\"event\":\"Cancelled\",\"between\":[0,1]}],\"people\":true");
        assertThat(Tracking.counts(result.get("steps"))).containsExactly(1, 1);
        assertThat(result.get("steps").get(0).get("people")).hasSize(1);
        assertThat(result.get("steps").get(0).get("people").get(0).asText()).isEqualTo(server.person("cat").get("id").asText());
    }

    @Test
    void exclusionOutsideTheWindowDoesNotRemoveThePerson() {
        tracking.track("bob", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("bob", "Cancelled", "2024-01-10T11:00:00Z");
        tracking.track("bob", "Purchased", "2024-01-12T11:00:00Z");
        JsonNode result = funnel("[\"Signed Up\",\"Purchased\"]",
                ",\"window\":{\"value\":30,\"unit\":\"minute\"},\"exclusions\":[{\"event\":\"Cancelled\",\"between\":[0,1]}]");
        assertThat(Tracking.counts(result.get("steps"))).containsExactly(1, 0);
    }

    @Test
    void strictOrderStopsAtStepOneWhenAnotherEventComesBetween() {
        tracking.track("ann", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("ann", "Viewed Help", "2024-01-10T10:01:00Z");
        tracking.track("ann", "Purchased", "2024-01-10T10:02:00Z");
        tracking.track("bob", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("bob", "Purchased", "2024-01-10T10:02:00Z");
        String steps = "[\"Signed Up\",\"Purchased\"]";
        assertThat(Tracking.counts(funnel(steps, ",\"order\":\"strict\"").get("steps"))).containsExactly(2, 1);
        assertThat(Tracking.counts(funnel(steps, ",\"order\":\"sequential\"").get("steps"))).containsExactly(2, 2);
    }

    @Test
    void laterPartialAttemptsChangeNeitherTheCountNorTheTime() {
        tracking.track("ann", "Signed Up", "2024-01-10T10:00:00Z");
        tracking.track("ann", "Viewed Pricing", "2024-01-10T10:10:00Z");
        tracking.track("ann", "Purchased", "2024-01-10T10:30:00Z");
        tracking.track("ann", "Signed Up", "2024-01-12T10:00:00Z");
        tracking.track("ann", "Viewed Pricing", "2024-01-12T10:01:00Z");
        tracking.track("ann", "Signed Up", "2024-01-13T10:00:00Z");
        JsonNode steps = funnel("[\"Signed Up\",\"Viewed Pricing\",\"Purchased\"]", "").get("steps");
        assertThat(Tracking.counts(steps)).containsExactly(1, 1, 1);
        assertThat(steps.get(1).get("median_seconds_from_previous").asDouble()).isEqualTo(600.0);
        assertThat(steps.get(2).get("median_seconds_from_previous").asDouble()).isEqualTo(1200.0);
    }

    @Test
    void anonymousFirstStepMergedIntoTheUsersLaterStepsConverts() {
        tracking.track("anon-1", null, "Viewed Pricing", "2024-01-10T10:00:00Z", null);
        tracking.track(null, "user-1", "Purchased", "2024-01-10T11:00:00Z", null);
        String steps = "[\"Viewed Pricing\",\"Purchased\"]";
        assertThat(Tracking.counts(funnel(steps, "").get("steps"))).containsExactly(1, 0);
        tracking.identify("anon-1", "user-1", null);
        assertThat(Tracking.counts(funnel(steps, "").get("steps"))).containsExactly(1, 1);
    }

    @Test
    void theSameBehaviourCountedBySessionAndByPersonGivesDifferentRates() {
        // ann views pricing, leaves for two hours, comes back and buys: one person converts, her first session does not
        tracking.track("ann", "Viewed Pricing", "2024-01-10T10:00:00Z");
        tracking.track("ann", "Viewed Pricing", "2024-01-10T12:00:00Z");
        tracking.track("ann", "Purchased", "2024-01-10T12:05:00Z");
        // bob views and buys in one sitting
        tracking.track("bob", "Viewed Pricing", "2024-01-10T10:00:00Z");
        tracking.track("bob", "Purchased", "2024-01-10T10:20:00Z");
        // cat views twice in two sessions, never buys
        tracking.track("cat", "Viewed Pricing", "2024-01-10T10:00:00Z");
        tracking.track("cat", "Viewed Pricing", "2024-01-11T10:00:00Z");
        String steps = "[\"Viewed Pricing\",\"Purchased\"]";
        JsonNode people = funnel(steps, "").get("steps");
        JsonNode sessions = funnel(steps, ",\"aggregate\":\"sessions\"").get("steps");
        assertThat(Tracking.counts(people)).containsExactly(3, 2);
        assertThat(Tracking.counts(sessions)).containsExactly(5, 2);
        assertThat(people.get(1).get("conversion_from_first").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(sessions.get(1).get("conversion_from_first").asDouble()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void laterStepsMayFallAfterTheRangeWithinTheWindow() {
        tracking.track("ann", "Signed Up", "2024-01-31T23:00:00Z");
        tracking.track("ann", "Purchased", "2024-02-02T10:00:00Z");
        tracking.track("bob", "Signed Up", "2024-02-01T01:00:00Z");
        assertThat(Tracking.counts(funnel("[\"Signed Up\",\"Purchased\"]", "").get("steps"))).containsExactly(1, 1);
    }

    @Test
    void anyOrderCountsDistinctStepsWithinTheWindow() {
        tracking.track("ann", "Purchased", "2024-01-10T10:00:00Z");
        tracking.track("ann", "Signed Up", "2024-01-10T10:05:00Z");
        tracking.track("bob", "Signed Up", "2024-01-10T10:00:00Z");
        String steps = "[\"Signed Up\",\"Purchased\"]";
        assertThat(Tracking.counts(funnel(steps, ",\"order\":\"any\"").get("steps"))).containsExactly(2, 1);
        assertThat(Tracking.counts(funnel(steps, "").get("steps"))).containsExactly(2, 0);
    }

    @Test
    void breakdownByStepOnePropertySplitsThePeople() {
        tracking.track(null, "ann", "Signed Up", "2024-01-10T10:00:00Z", "{\"plan\":\"pro\"}");
        tracking.track(null, "ann", "Purchased", "2024-01-10T10:05:00Z", null);
        tracking.track(null, "bob", "Signed Up", "2024-01-10T10:00:00Z", "{\"plan\":\"free\"}");
        tracking.track(null, "cat", "Signed Up", "2024-01-10T10:00:00Z", "{\"plan\":\"pro\"}");
        JsonNode result = funnel("[\"Signed Up\",\"Purchased\"]", ",\"breakdown\":{\"event_property\":\"plan\"}");
        assertThat(Tracking.counts(result.get("steps"))).containsExactly(3, 1);
        JsonNode groups = result.get("breakdown");
        assertThat(groups).hasSize(2);
        assertThat(groups.get(0).get("value").asText()).isEqualTo("pro");
        assertThat(Tracking.counts(groups.get(0).get("steps"))).containsExactly(2, 1);
        assertThat(groups.get(1).get("value").asText()).isEqualTo("free");
        assertThat(Tracking.counts(groups.get(1).get("steps"))).containsExactly(1, 0);
    }

    @Test
    void stepFiltersAndPersonFiltersNarrowTheFunnel() {
        tracking.identify("a1", "ann", "{\"plan\":\"pro\"}");
        tracking.identify("b1", "bob", "{\"plan\":\"free\"}");
        tracking.track(null, "ann", "Signed Up", "2024-01-10T10:00:00Z", "{\"amount\":5}");
        tracking.track(null, "ann", "Purchased", "2024-01-10T10:05:00Z", "{\"amount\":50}");
        tracking.track(null, "bob", "Signed Up", "2024-01-10T10:00:00Z", null);
        tracking.track(null, "bob", "Purchased", "2024-01-10T10:05:00Z", "{\"amount\":5}");
        String steps = "[\"Signed Up\",{\"event\":\"Purchased\",\"where\":[{\"property\":\"amount\",\"op\":\"gt\",\"value\":10}]}]";
        assertThat(Tracking.counts(funnel(steps, "").get("steps"))).containsExactly(2, 1);
        assertThat(Tracking.counts(funnel("[\"Signed Up\",\"Purchased\"]",
                ",\"person_where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"free\"}]").get("steps"))).containsExactly(1, 1);
    }

    @Test
    void breakdownByAcquisitionChannelUsesEachPersonsFirstTouch() {
        tracking.track(null, "ann", "Landed", "2024-01-05T10:00:00Z", "{\"utm_medium\":\"CPC\",\"utm_source\":\"google\"}");
        tracking.track(null, "ann", "Signed Up", "2024-01-10T10:00:00Z", "{\"referrer\":\"https://news.ycombinator.com/item\"}");
        tracking.track(null, "ann", "Purchased", "2024-01-10T10:05:00Z", null);
        tracking.track(null, "bob", "Signed Up", "2024-01-10T10:00:00Z", "{\"referrer\":\"https://www.google.co.uk/search?q=x\"}");
        tracking.track(null, "cat", "Signed Up", "2024-01-10T10:00:00Z", null);
        tracking.track(null, "dan", "Signed Up", "2024-01-10T10:00:00Z", "{\"referrer\":\"https://blog.example.org/post\"}");
        JsonNode groups = funnel("[\"Signed Up\",\"Purchased\"]", ",\"breakdown\":{\"acquisition\":\"channel\"}").get("breakdown");
        java.util.Map<String, String> byValue = new java.util.TreeMap<>();
        groups.forEach(g -> byValue.put(g.get("value").asText(), g.get("steps").get(0).get("count").asLong() + "->"
                + g.get("steps").get(1).get("count").asLong()));
        assertThat(byValue).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                "Paid", "1->1", "Organic Search", "1->0", "Direct", "1->0", "Referral", "1->0"));
        JsonNode domains = funnel("[\"Signed Up\",\"Purchased\"]", ",\"breakdown\":{\"acquisition\":\"referring_domain\"}").get("breakdown");
        assertThat(domains).extracting(g -> g.get("value").isNull() ? "null" : g.get("value").asText())
                .containsExactlyInAnyOrder("google.co.uk", "blog.example.org", "null");
    }
}

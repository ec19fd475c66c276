package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retention (SPEC §6.3) on small hand-made histories with their expected matrices, through the HTTP API. */
class RetentionScenariosTest {
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

    @Test
    void weeklyCohortsMeasureFromEachPersonsOwnSignupAndListEmptyWeeks() {
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");   // Monday
        tracking.track("ann", "Viewed", "2024-01-09T10:00:00Z");      // 8 days later: week 1
        tracking.track("bob", "Signed Up", "2024-01-03T10:00:00Z");   // Wednesday, same cohort week
        tracking.track("bob", "Viewed", "2024-01-05T10:00:00Z");      // 2 days later: week 0
        tracking.track("bob", "Viewed", "2024-01-10T09:59:59Z");      // 6d23h59m59s later: still week 0
        tracking.track("cat", "Signed Up", "2024-01-17T10:00:00Z");   // third week
        JsonNode result = tracking.report("retention", "{\"cohort_event\":\"Signed Up\",\"period\":\"week\",\"periods\":3,"
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-21\"}");
        JsonNode cohorts = result.get("cohorts");
        assertThat(cohorts).extracting(c -> c.get("start").asText()).containsExactly("2024-01-01", "2024-01-08", "2024-01-15");
        assertThat(cohorts).extracting(c -> c.get("size").asLong()).containsExactly(2L, 0L, 1L);
        assertThat(Tracking.longs(cohorts.get(0).get("counts"))).containsExactly(1L, 1L, 0L);
        assertThat(cohorts.get(0).get("rates").get(0).asDouble()).isEqualTo(0.5);
        assertThat(cohorts.get(1).get("rates").get(0).isNull()).isTrue();
        assertThat(result.get("average").get(0).asDouble()).isEqualTo(1.0 / 3);
        assertThat(result.get("average").get(1).asDouble()).isEqualTo(1.0 / 3);
    }

    @Test
    void periodZeroCountsOnlyReturnsAfterTheCohortEvent() {
        tracking.track("ann", "Viewed", "2024-01-01T09:00:00Z");
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");
        JsonNode result = tracking.report("retention", "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":2,"
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-01\"}");
        assertThat(Tracking.longs(result.get("cohorts").get(0).get("counts"))).containsExactly(0L, 0L);
    }

    @Test
    void monthsAreAddedOnTheCalendarAndTheExactBoundaryStartsTheNextPeriod() {
        tracking.track("ann", "Signed Up", "2024-01-31T10:00:00Z");
        tracking.track("ann", "Paid", "2024-02-29T10:00:00Z");   // Jan 31 + 1 month = Feb 29: period 1
        tracking.track("bob", "Signed Up", "2024-01-31T10:00:00Z");
        tracking.track("bob", "Paid", "2024-02-29T09:59:59Z");   // one second earlier: period 0
        JsonNode result = tracking.report("retention", "{\"cohort_event\":\"Signed Up\",\"return_event\":\"Paid\",\"period\":\"month\","
                + "\"periods\":2,\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"people\":true}");
        JsonNode cohort = result.get("cohorts").get(0);
        assertThat(Tracking.longs(cohort.get("counts"))).containsExactly(1L, 1L);
        String ann = server.person("ann").get("id").asText();
        String bob = server.person("bob").get("id").asText();
        assertThat(cohort.get("people").get(0)).extracting(JsonNode::asText).containsExactly(bob);
        assertThat(cohort.get("people").get(1)).extracting(JsonNode::asText).containsExactly(ann);
        assertThat(cohort.get("members")).extracting(JsonNode::asText).containsExactlyInAnyOrder(ann, bob);
    }

    @Test
    void onOrAfterCountsEveryLaterPeriodAndReturnsAfterTheRangeCount() {
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Viewed", "2024-01-04T10:00:00Z");   // day 3, after "to"
        String body = "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":5,\"from\":\"2024-01-01\",\"to\":\"2024-01-01\",\"mode\":\"%s\"}";
        assertThat(Tracking.longs(tracking.report("retention", body.formatted("on")).get("cohorts").get(0).get("counts")))
                .containsExactly(0L, 0L, 0L, 1L, 0L);
        assertThat(Tracking.longs(tracking.report("retention", body.formatted("on_or_after")).get("cohorts").get(0).get("counts")))
                .containsExactly(1L, 1L, 1L, 1L, 0L);
    }

    @Test
    void recurringModePutsAPersonInEveryCohortWhereTheyDidTheEvent() {
        tracking.track("ann", "Opened", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Opened", "2024-01-01T18:00:00Z");
        tracking.track("ann", "Opened", "2024-01-02T09:00:00Z");
        String body = "{\"cohort_event\":\"Opened\",\"period\":\"day\",\"periods\":2,\"from\":\"2024-01-01\",\"to\":\"2024-01-02\",\"first_time\":%s}";
        JsonNode firstTime = tracking.report("retention", body.formatted("true")).get("cohorts");
        assertThat(firstTime).extracting(c -> c.get("size").asLong()).containsExactly(1L, 0L);
        assertThat(Tracking.longs(firstTime.get(0).get("counts"))).containsExactly(1L, 0L);
        JsonNode recurring = tracking.report("retention", body.formatted("false")).get("cohorts");
        assertThat(recurring).extracting(c -> c.get("size").asLong()).containsExactly(1L, 1L);
        // the Jan 1 cohort's A is 10:00, so the Jan 2 09:00 event is within its first day
        assertThat(Tracking.longs(recurring.get(0).get("counts"))).containsExactly(1L, 0L);
        assertThat(Tracking.longs(recurring.get(1).get("counts"))).containsExactly(0L, 0L);
    }

    @Test
    void mergedIdentitiesRetainAsOnePerson() {
        tracking.track("phone-1", null, "Signed Up", "2024-01-01T10:00:00Z", null);
        tracking.track(null, "ann", "Viewed", "2024-01-02T11:00:00Z", null);
        String body = "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":2,\"from\":\"2024-01-01\",\"to\":\"2024-01-01\"}";
        assertThat(Tracking.longs(tracking.report("retention", body).get("cohorts").get(0).get("counts"))).containsExactly(0L, 0L);
        tracking.identify("phone-1", "ann", null);
        assertThat(Tracking.longs(tracking.report("retention", body).get("cohorts").get(0).get("counts"))).containsExactly(0L, 1L);
    }

    @Test
    void breakdownByPersonPropertySplitsTheCohorts() {
        tracking.identify("a", "ann", "{\"plan\":\"pro\"}");
        tracking.identify("b", "bob", "{\"plan\":\"free\"}");
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Viewed", "2024-01-01T11:00:00Z");
        tracking.track("bob", "Signed Up", "2024-01-01T10:00:00Z");
        JsonNode result = tracking.report("retention", "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":1,"
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-01\",\"breakdown\":{\"person_property\":\"plan\"}}");
        assertThat(result.get("cohorts").get(0).get("size").asLong()).isEqualTo(2);
        JsonNode groups = result.get("breakdown");
        assertThat(groups).hasSize(2);
        for (JsonNode group : groups) {
            long expected = group.get("value").asText().equals("pro") ? 1 : 0;
            assertThat(group.get("cohorts").get(0).get("size").asLong()).isEqualTo(1);
            assertThat(group.get("cohorts").get(0).get("counts").get(0).asLong()).as(group.toString()).isEqualTo(expected);
        }
    }
}

package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-made histories whose answers must not change when compaction moves the events into the
 * projections the reports then read ({@code event_occurrences}, {@code person_days}): the same
 * expected numbers from the uncompacted tail, after compaction, with a merge of compacted persons
 * still unfolded, and folded.
 */
class ProjectionScenariosTest {
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

    /**
     * Day periods measured from each sign-up: a UTC day holding events of two periods (its first and
     * last event), a day that starts before the sign-up and ends after it, and a sign-up with no return.
     */
    @Test
    void dailyRetentionFromPersonDaysCountsTheFirstAndLastEventOfEachDay() {
        tracking.track("ann", "Viewed", "2024-01-01T09:00:00Z");     // before the cohort event: not a return
        tracking.track("ann", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Viewed", "2024-01-01T11:00:00Z");     // period 0
        tracking.track("ann", "Viewed", "2024-01-03T09:00:00Z");     // period 1 (47 h after)
        tracking.track("ann", "Viewed", "2024-01-03T10:00:00Z");     // exactly 48 h: period 2
        tracking.track("ann", "Viewed", "2024-01-03T12:00:00Z");     // period 2
        tracking.track("bob", "Viewed", "2024-01-01T08:00:00Z");     // bob's day starts before his sign-up...
        tracking.track("bob", "Signed Up", "2024-01-01T12:00:00Z");
        tracking.track("bob", "Viewed", "2024-01-01T23:59:59Z");     // ...and ends after it: period 0
        tracking.track("bob", "Viewed", "2024-01-05T00:00:00Z");     // period 3
        tracking.track("cat", "Viewed", "2024-01-02T01:00:00Z");
        tracking.track("cat", "Signed Up", "2024-01-02T05:00:00Z");  // nothing after it that day or later
        String body = "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":5,\"from\":\"2024-01-01\",\"to\":\"2024-01-02\"}";
        String after = "{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":5,\"mode\":\"on_or_after\","
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-02\"}";
        for (String when : List.of("uncompacted", "compacted")) {
            if (when.equals("compacted")) {
                server.roster().writeBuffer().compactNow();
            }
            JsonNode cohorts = tracking.report("retention", body).get("cohorts");
            assertThat(cohorts).as(when).extracting(c -> c.get("size").asLong()).containsExactly(2L, 1L);
            assertThat(Tracking.longs(cohorts.get(0).get("counts"))).as(when).containsExactly(2L, 1L, 1L, 1L, 0L);
            assertThat(Tracking.longs(cohorts.get(1).get("counts"))).as(when).containsExactly(0L, 0L, 0L, 0L, 0L);
            JsonNode onOrAfter = tracking.report("retention", after).get("cohorts");
            assertThat(Tracking.longs(onOrAfter.get(0).get("counts"))).as(when).containsExactly(2L, 2L, 2L, 1L, 0L);
        }
    }

    @Test
    void aFunnelMixingNamedStepsAndAFilteredStepGivesTheSameAnswerFromTheTailAndTheProjection() {
        // dan's anonymous first step is merged into his user's later steps; eve's middle step has the wrong plan
        tracking.track("anon-dan", null, "Viewed Pricing", "2024-02-01T10:00:00Z", null);
        tracking.track(null, "dan", "Started Trial", "2024-02-01T10:05:00Z", "{\"plan\":\"pro\"}");
        tracking.track(null, "dan", "Purchased", "2024-02-02T10:00:00Z", null);
        tracking.track("eve", "Viewed Pricing", "2024-02-01T11:00:00Z");
        tracking.track(null, "eve", "Started Trial", "2024-02-01T11:01:00Z", "{\"plan\":\"basic\"}");
        tracking.track("eve", "Purchased", "2024-02-01T12:00:00Z");
        tracking.track("fay", "Viewed Pricing", "2024-02-03T09:00:00Z");
        tracking.track(null, "fay", "Started Trial", "2024-02-03T09:30:00Z", "{\"plan\":\"pro\"}");
        String body = "{\"steps\":[\"Viewed Pricing\",{\"event\":\"Started Trial\",\"where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"}]},"
                + "\"Purchased\"],\"window\":{\"value\":2,\"unit\":\"day\"},\"from\":\"2024-02-01\",\"to\":\"2024-02-05\"}";
        // dan is not linked yet: his first step belongs to an anonymous person
        assertThat(Tracking.counts(tracking.report("funnel", body).get("steps"))).as("tail").containsExactly(3, 1, 0);
        server.roster().writeBuffer().compactNow();
        assertThat(Tracking.counts(tracking.report("funnel", body).get("steps"))).as("compacted").containsExactly(3, 1, 0);
        tracking.identify("anon-dan", "dan", null);
        for (String when : List.of("compacted, merge unfolded", "merge folded")) {
            if (when.equals("merge folded")) {
                server.roster().writeBuffer().compactNow();
            }
            JsonNode steps = tracking.report("funnel", body).get("steps");
            assertThat(Tracking.counts(steps)).as(when).containsExactly(3, 2, 1);
            assertThat(steps.get(1).get("median_seconds_from_previous").asDouble()).as(when).isEqualTo(1050.0);   // 300 and 1800
            assertThat(steps.get(2).get("median_seconds_from_previous").asDouble()).as(when).isEqualTo(86_100.0);
        }
    }
}

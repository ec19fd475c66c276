package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Trends and people vs sessions (SPEC §6.1) through the HTTP API, with a fixed clock. */
class TrendsScenariosTest {
    private TestServer server;
    private Tracking tracking;

    @BeforeEach
    void start() {
        server = TestServer.start(Clock.fixed(Instant.parse("2024-01-10T12:00:00Z"), ZoneOffset.UTC));
        tracking = new Tracking(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void dailyEventsPeopleSessionsAndEventsPerPersonWithEmptyDaysAsZero() {
        tracking.track("ann", "Viewed", "2024-01-01T10:00:00Z");
        tracking.track("ann", "Viewed", "2024-01-01T10:10:00Z");
        tracking.track("ann", "Viewed", "2024-01-01T15:00:00Z");   // a second session
        tracking.track("bob", "Viewed", "2024-01-01T11:00:00Z");
        tracking.track("bob", "Viewed", "2024-01-03T11:00:00Z");
        JsonNode result = tracking.report("trends", "{\"events\":[\"Viewed\"],\"interval\":\"day\",\"from\":\"2024-01-01\",\"to\":\"2024-01-03\"}");
        JsonNode points = result.get("series").get(0).get("points");
        assertThat(points).extracting(p -> p.get("start").asText()).containsExactly("2024-01-01", "2024-01-02", "2024-01-03");
        assertThat(points).extracting(p -> p.get("events").asLong()).containsExactly(4L, 0L, 1L);
        assertThat(points).extracting(p -> p.get("people").asLong()).containsExactly(2L, 0L, 1L);
        assertThat(points).extracting(p -> p.get("sessions").asLong()).containsExactly(3L, 0L, 1L);
        assertThat(points.get(0).get("events_per_person").asDouble()).isEqualTo(2.0);
        JsonNode total = result.get("series").get(0).get("total");
        assertThat(total.get("events").asLong()).isEqualTo(5);
        assertThat(total.get("people").asLong()).isEqualTo(2);
        assertThat(total.get("sessions").asLong()).isEqualTo(4);
    }

    @Test
    void aWeekBoundaryFallsDifferentlyInNewYorkAndUtc() {
        // Monday 2024-01-08 03:00 UTC is Sunday 22:00 in New York: still the week of Monday 2024-01-01 there
        tracking.track("ann", "Viewed", "2024-01-08T03:00:00Z");
        String body = "{\"events\":[\"Viewed\"],\"interval\":\"week\",\"from\":\"2024-01-01\",\"to\":\"2024-01-14\",\"time_zone\":\"%s\"}";
        JsonNode utc = tracking.report("trends", body.formatted("UTC")).get("series").get(0).get("points");
        JsonNode newYork = tracking.report("trends", body.formatted("America/New_York")).get("series").get(0).get("points");
        assertThat(utc).extracting(p -> p.get("start").asText() + "=" + p.get("people").asLong())
                .containsExactly("2024-01-01=0", "2024-01-08=1");
        assertThat(newYork).extracting(p -> p.get("start").asText() + "=" + p.get("people").asLong())
                .containsExactly("2024-01-01=1", "2024-01-08=0");
    }

    @Test
    void relativeRangesUseTheInjectedClockAndTheReportTimeZone() {
        tracking.track("ann", "Viewed", "2024-01-04T01:00:00Z");   // Jan 3 in New York: outside the last 7 days there
        tracking.track("bob", "Viewed", "2024-01-10T11:00:00Z");
        JsonNode utc = tracking.report("trends", "{\"events\":[\"Viewed\"],\"range\":{\"last\":7,\"unit\":\"day\"}}");
        assertThat(utc.get("from").asText()).isEqualTo("2024-01-04");
        assertThat(utc.get("to").asText()).isEqualTo("2024-01-10");
        assertThat(utc.get("series").get(0).get("points")).hasSize(7);
        assertThat(utc.get("series").get(0).get("total").get("people").asLong()).isEqualTo(2);
        JsonNode newYork = tracking.report("trends", "{\"events\":[\"Viewed\"],\"range\":{\"last\":7,\"unit\":\"day\"},"
                + "\"time_zone\":\"America/New_York\"}");
        assertThat(newYork.get("from").asText()).isEqualTo("2024-01-04");
        assertThat(newYork.get("series").get(0).get("total").get("people").asLong()).isEqualTo(1);
        JsonNode weeks = tracking.report("trends", "{\"events\":[\"Viewed\"],\"interval\":\"week\",\"range\":{\"last\":2,\"unit\":\"week\"}}");
        assertThat(weeks.get("from").asText()).isEqualTo("2024-01-01");
        assertThat(weeks.get("series").get(0).get("points")).extracting(p -> p.get("start").asText())
                .containsExactly("2024-01-01", "2024-01-08");
    }

    @Test
    void peopleVsSessionsShowsHowSessionsUndercountReturningBuyers() {
        tracking.track("ann", "Viewed Pricing", "2024-01-02T10:00:00Z");
        tracking.track("ann", "Purchased", "2024-01-02T12:00:00Z");      // came back later: converts as a person only
        tracking.track("bob", "Viewed Pricing", "2024-01-02T10:00:00Z");
        tracking.track("bob", "Purchased", "2024-01-02T10:20:00Z");      // same session
        tracking.track("cat", "Viewed Pricing", "2024-01-02T10:00:00Z");
        JsonNode result = tracking.report("trends", "{\"conversion\":{\"from\":\"Viewed Pricing\",\"to\":\"Purchased\"},"
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-07\"}").get("people_vs_sessions");
        assertThat(result.get("people").get("started").asLong()).isEqualTo(3);
        assertThat(result.get("people").get("converted").asLong()).isEqualTo(2);
        assertThat(result.get("sessions").get("started").asLong()).isEqualTo(3);
        assertThat(result.get("sessions").get("converted").asLong()).isEqualTo(1);
        assertThat(result.get("ratio").asDouble()).isEqualTo(2.0);
    }

    @Test
    void breakdownByEventPropertyAndPeopleIds() {
        tracking.track(null, "ann", "Viewed", "2024-01-02T10:00:00Z", "{\"page\":\"home\"}");
        tracking.track(null, "bob", "Viewed", "2024-01-02T10:00:00Z", "{\"page\":\"docs\"}");
        tracking.track(null, "cat", "Viewed", "2024-01-02T10:00:00Z", "{\"page\":\"home\"}");
        JsonNode series = tracking.report("trends", "{\"events\":[\"Viewed\"],\"from\":\"2024-01-02\",\"to\":\"2024-01-02\","
                + "\"breakdown\":{\"event_property\":\"page\"},\"people\":true,\"metrics\":[\"people\"]}").get("series");
        assertThat(series).extracting(s -> s.get("breakdown_value").asText() + "=" + s.get("total").get("people").asLong())
                .containsExactly("home=2", "docs=1");
        assertThat(series.get(1).get("points").get(0).get("person_ids")).extracting(JsonNode::asText)
                .containsExactly(server.person("bob").get("id").asText());
        assertThat(series.get(0).get("points").get(0).has("events")).isFalse();
    }

    @Test
    void hourlyBucketsFollowTheTimeZone() {
        tracking.track("ann", "Viewed", "2024-01-02T15:30:00Z");
        JsonNode points = tracking.report("trends", "{\"events\":[\"Viewed\"],\"interval\":\"hour\",\"from\":\"2024-01-02\","
                + "\"to\":\"2024-01-02\",\"time_zone\":\"America/New_York\"}").get("series").get(0).get("points");
        assertThat(points).hasSize(24);
        assertThat(points.get(10).get("start").asText()).isEqualTo("2024-01-02T10:00");
        assertThat(points.get(10).get("events").asLong()).isEqualTo(1);
    }
}

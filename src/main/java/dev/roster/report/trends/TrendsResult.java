package dev.roster.report.trends;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer to a trends report. Metrics not asked for are omitted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrendsResult(String interval, String from, String to, @JsonProperty("time_zone") String timeZone,
                           List<Series> series, @JsonProperty("people_vs_sessions") PeopleVsSessions peopleVsSessions) {

    /** One event (and breakdown value): a point per bucket and the totals over the range. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Series(String event, @JsonProperty("breakdown_value") String breakdownValue, List<Point> points, Point total) {
    }

    /**
     * One bucket. {@code start} is the bucket's local start in the report's time zone
     * ({@code 2024-01-01} or {@code 2024-01-01T13:00} for hours). The total has no start.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Point(String start, Long events, Long people, Long sessions,
                        @JsonProperty("events_per_person") Double eventsPerPerson,
                        @JsonProperty("person_ids") List<String> personIds) {
    }

    /** Conversion from one event to another, per person and per session, and person rate over session rate. */
    public record PeopleVsSessions(@JsonProperty("from_event") String fromEvent, @JsonProperty("to_event") String toEvent,
                                   Rate people, Rate sessions, Double ratio) {
    }

    /** Units that did the first event, those that went on to the second, and the rate. */
    public record Rate(long started, long converted, Double rate) {
    }
}

package dev.roster.report.funnel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer to a funnel (SPEC §10). Conversions are fractions (0.5 is 50%). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunnelResult(List<Step> steps, List<Group> breakdown, String order, String aggregate,
                           @JsonProperty("window_seconds") long windowSeconds, String from, String to,
                           @JsonProperty("time_zone") String timeZone) {
    public FunnelResult {
        steps = List.copyOf(steps);
        breakdown = List.copyOf(breakdown);
    }

    /**
     * One step. Times are seconds from the previous step (null for step 1 or when nobody got
     * there). {@code people} lists who reached the step, {@code dropped_people} who reached the
     * previous step but not this one (only with {@code "people": true}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String event, long count,
                       @JsonProperty("conversion_from_first") Double conversionFromFirst,
                       @JsonProperty("conversion_from_previous") Double conversionFromPrevious,
                       @JsonProperty("median_seconds_from_previous") Double medianSecondsFromPrevious,
                       @JsonProperty("average_seconds_from_previous") Double averageSecondsFromPrevious,
                       List<String> people,
                       @JsonProperty("dropped_people") List<String> droppedPeople) {
    }

    /** The steps for one breakdown value (null when the value is absent). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Group(String value, List<Step> steps) {
    }
}

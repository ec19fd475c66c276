package dev.roster.report.retention;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The answer to a retention report (SPEC §10). {@code rates[n] = counts[n] / size} (null for an
 * empty cohort); {@code average[n]} is the size-weighted average rate (sum of counts over sum of
 * sizes). With {@code "people": true} each cohort carries {@code people[n]}, the ids counted in
 * {@code counts[n]}, and {@code members}, everyone in the cohort.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionResult(List<Cohort> cohorts, List<Double> average, List<Group> breakdown, String period, int periods,
                              String mode, String from, String to, @com.fasterxml.jackson.annotation.JsonProperty("time_zone") String timeZone) {

    /** One cohort row: its first day (in the report's time zone), size and per-period counts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cohort(String start, long size, List<Long> counts, List<Double> rates, List<String> members, List<List<String>> people) {
    }

    /** The cohorts and average for one breakdown value. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Group(String value, List<Cohort> cohorts, List<Double> average) {
    }
}

package dev.roster.report.retention;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.Project;
import dev.roster.report.EventSpec;
import dev.roster.report.Fields;
import dev.roster.report.ReportScope;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A retention report (SPEC §6.3), parsed and validated. An absent return event means any event. */
public record RetentionRequest(EventSpec cohortEvent, Optional<EventSpec> returnEvent, boolean firstTime,
                               Period period, int periods, Mode mode, ReportScope scope) {
    public static final int MAX_PERIODS = 52;
    /** At most this many cohorts (e.g. days of the range). */
    public static final int MAX_COHORTS = 400;

    /** The period length. */
    public enum Period { DAY, WEEK, MONTH }

    /** "on": returned in period N; "on_or_after": returned in period N or any later one. */
    public enum Mode { ON, ON_OR_AFTER }

    public RetentionRequest {
        requireNonNull(cohortEvent, "cohortEvent is null");
        requireNonNull(returnEvent, "returnEvent is null");
        requireNonNull(period, "period is null");
        requireNonNull(mode, "mode is null");
        requireNonNull(scope, "scope is null");
    }

    public static RetentionRequest parse(JsonNode body, Project project, Clock clock) {
        ReportScope scope = ReportScope.parse(body, project, clock, false);
        JsonNode cohort = body.get("cohort_event");
        if (cohort == null || cohort.isNull()) {
            throw Fields.invalid("cohort_event", "is required");
        }
        EventSpec cohortEvent = EventSpec.parse(cohort, "cohort_event");
        JsonNode ret = body.get("return_event");
        Optional<EventSpec> returnEvent = ret == null || ret.isNull() ? Optional.empty() : Optional.of(EventSpec.parse(ret, "return_event"));
        boolean firstTime = Fields.optionalBoolean(body, "first_time", "first_time", true);
        Period period = Fields.optionalEnum(body, "period", "period", Period.class, Period.WEEK);
        int periods = Fields.optionalInt(body, "periods", "periods", 8, 1, MAX_PERIODS);
        Mode mode = Fields.optionalEnum(body, "mode", "mode", Mode.class, Mode.ON);
        RetentionRequest request = new RetentionRequest(cohortEvent, returnEvent, firstTime, period, periods, mode, scope);
        if (Cohorts.starts(request).size() > MAX_COHORTS) {
            throw Fields.invalid("to", "the range holds more than " + MAX_COHORTS + " " + period.name().toLowerCase(java.util.Locale.ROOT)
                    + " cohorts; use a shorter range or a longer period");
        }
        return request;
    }

    /** Every event name the report names, with its field. */
    public Map<String, String> eventNames() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(cohortEvent.event(), "cohort_event");
        returnEvent.ifPresent(e -> names.putIfAbsent(e.event(), "return_event"));
        return names;
    }
}

package dev.roster.report.trends;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.Project;
import dev.roster.report.EventSpec;
import dev.roster.report.Fields;
import dev.roster.report.ReportScope;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A trends report (SPEC §6.1), parsed and validated. */
public record TrendsRequest(List<EventSpec> events, Interval interval, Set<Metric> metrics,
                            Optional<Conversion> conversion, ReportScope scope) {
    public static final int MAX_EVENTS = 10;
    public static final int MAX_BUCKETS = 5_000;

    /** Bucket size, in the report's time zone; weeks start on Monday. */
    public enum Interval { HOUR, DAY, WEEK, MONTH }

    /** What is counted per bucket. */
    public enum Metric { EVENTS, PEOPLE, SESSIONS, EVENTS_PER_PERSON }

    /** People vs sessions: the conversion from one event to another, per person and per session. */
    public record Conversion(EventSpec from, EventSpec to) {
        public Conversion {
            requireNonNull(from, "from is null");
            requireNonNull(to, "to is null");
        }
    }

    public TrendsRequest {
        events = List.copyOf(events);
        requireNonNull(interval, "interval is null");
        metrics = Set.copyOf(metrics);
        requireNonNull(conversion, "conversion is null");
        requireNonNull(scope, "scope is null");
    }

    public static TrendsRequest parse(JsonNode body, Project project, Clock clock) {
        ReportScope scope = ReportScope.parse(body, project, clock, true);
        JsonNode eventNodes = Fields.optionalArray(body, "events", "events");
        Optional<Conversion> conversion = Optional.empty();
        JsonNode conversionNode = body.get("conversion");
        if (conversionNode != null && !conversionNode.isNull()) {
            Fields.requireObject(conversionNode, "conversion");
            if (!conversionNode.has("from") || !conversionNode.has("to")) {
                throw Fields.invalid("conversion", "needs \"from\" and \"to\" events");
            }
            conversion = Optional.of(new Conversion(EventSpec.parse(conversionNode.get("from"), "conversion.from"),
                    EventSpec.parse(conversionNode.get("to"), "conversion.to")));
        }
        if ((eventNodes.isEmpty() && conversion.isEmpty()) || eventNodes.size() > MAX_EVENTS) {
            throw Fields.invalid("events", "a trend needs 1 to " + MAX_EVENTS + " events (or a conversion)");
        }
        List<EventSpec> events = new ArrayList<>();
        for (int i = 0; i < eventNodes.size(); i++) {
            events.add(EventSpec.parse(eventNodes.get(i), "events[" + i + "]"));
        }
        Interval interval = Fields.optionalEnum(body, "interval", "interval", Interval.class, Interval.DAY);
        Set<Metric> metrics = EnumSet.allOf(Metric.class);
        JsonNode metricNodes = body.get("metrics");
        if (metricNodes != null && !metricNodes.isNull()) {
            if (!metricNodes.isArray() || metricNodes.isEmpty()) {
                throw Fields.invalid("metrics", "must be a non-empty array of events, people, sessions, events_per_person");
            }
            metrics = EnumSet.noneOf(Metric.class);
            for (int i = 0; i < metricNodes.size(); i++) {
                JsonNode holder = Fields.object().set("m", metricNodes.get(i));
                metrics.add(Fields.optionalEnum(holder, "m", "metrics[" + i + "]", Metric.class, null));
            }
        }
        TrendsRequest request = new TrendsRequest(events, interval, metrics, conversion, scope);
        if (request.buckets().size() > MAX_BUCKETS) {
            throw Fields.invalid("interval", "the range holds more than " + MAX_BUCKETS + " "
                    + interval.name().toLowerCase(Locale.ROOT) + "s; use a longer interval or a shorter range");
        }
        return request;
    }

    /** The local start of every bucket touching the range, in order. */
    public List<LocalDateTime> buckets() {
        List<LocalDateTime> buckets = new ArrayList<>();
        LocalDateTime end = scope.range().to().plusDays(1).atStartOfDay();
        LocalDateTime start = scope.range().from().atStartOfDay();
        if (interval == Interval.WEEK) {
            start = start.with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
        } else if (interval == Interval.MONTH) {
            start = start.withDayOfMonth(1);
        }
        for (LocalDateTime bucket = start; bucket.isBefore(end); bucket = next(bucket)) {
            buckets.add(bucket);
            if (buckets.size() > MAX_BUCKETS) {
                break;
            }
        }
        return buckets;
    }

    private LocalDateTime next(LocalDateTime bucket) {
        switch (interval) {
            case HOUR:
                return bucket.plusHours(1);
            case DAY:
                return bucket.plusDays(1);
            case WEEK:
                return bucket.plusWeeks(1);
            default:
                return bucket.plusMonths(1);
        }
    }

    /** Every event name the report names, with its field. */
    public Map<String, String> eventNames() {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            names.putIfAbsent(events.get(i).event(), "events[" + i + "].event");
        }
        conversion.ifPresent(c -> {
            names.putIfAbsent(c.from().event(), "conversion.from");
            names.putIfAbsent(c.to().event(), "conversion.to");
        });
        return names;
    }
}

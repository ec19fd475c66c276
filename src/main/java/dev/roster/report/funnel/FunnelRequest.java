package dev.roster.report.funnel;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.Project;
import dev.roster.report.EventSpec;
import dev.roster.report.Fields;
import dev.roster.report.ReportScope;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A funnel (SPEC §6.2), parsed and validated. */
public record FunnelRequest(List<EventSpec> steps, Order order, Duration window, List<Exclusion> exclusions,
                            Aggregate aggregate, ReportScope scope) {
    public static final int MIN_STEPS = 2;
    public static final int MAX_STEPS = 20;
    public static final Duration MAX_WINDOW = Duration.ofDays(366);

    /** Step order. */
    public enum Order { SEQUENTIAL, STRICT, ANY }

    /** What is counted. */
    public enum Aggregate { PEOPLE, SESSIONS }

    /** Window units. */
    public enum WindowUnit {
        MINUTE(Duration.ofMinutes(1)), HOUR(Duration.ofHours(1)), DAY(Duration.ofDays(1)), WEEK(Duration.ofDays(7));

        private final Duration length;

        WindowUnit(Duration length) {
            this.length = length;
        }
    }

    /** Event E between steps {@code from} and {@code to} (numbered from 0) discards an attempt. */
    public record Exclusion(EventSpec event, int from, int to) {
        public Exclusion {
            requireNonNull(event, "event is null");
        }
    }

    public FunnelRequest {
        steps = List.copyOf(steps);
        requireNonNull(order, "order is null");
        requireNonNull(window, "window is null");
        exclusions = List.copyOf(exclusions);
        requireNonNull(aggregate, "aggregate is null");
        requireNonNull(scope, "scope is null");
    }

    public static FunnelRequest parse(JsonNode body, Project project, Clock clock) {
        ReportScope scope = ReportScope.parse(body, project, clock, true);
        JsonNode stepsNode = Fields.optionalArray(body, "steps", "steps");
        if (stepsNode.size() < MIN_STEPS || stepsNode.size() > MAX_STEPS) {
            throw Fields.invalid("steps", "a funnel needs " + MIN_STEPS + " to " + MAX_STEPS + " steps, not " + stepsNode.size());
        }
        List<EventSpec> steps = new ArrayList<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            steps.add(EventSpec.parse(stepsNode.get(i), "steps[" + i + "]"));
        }
        Order order = Fields.optionalEnum(body, "order", "order", Order.class, Order.SEQUENTIAL);
        Duration window = window(body);
        List<Exclusion> exclusions = new ArrayList<>();
        JsonNode exclusionNodes = Fields.optionalArray(body, "exclusions", "exclusions");
        for (int i = 0; i < exclusionNodes.size(); i++) {
            String path = "exclusions[" + i + "]";
            JsonNode node = Fields.requireObject(exclusionNodes.get(i), path);
            EventSpec event = EventSpec.parse(node, path);
            JsonNode between = node.get("between");
            int from = 0;
            int to = steps.size() - 1;
            if (between != null && !between.isNull()) {
                if (!between.isArray() || between.size() != 2 || !between.get(0).canConvertToInt() || !between.get(1).canConvertToInt()
                        || !between.get(0).isIntegralNumber() || !between.get(1).isIntegralNumber()) {
                    throw Fields.invalid(path + ".between", "must be two step numbers [i, j], counted from 0");
                }
                from = between.get(0).asInt();
                to = between.get(1).asInt();
            }
            if (from < 0 || to >= steps.size() || from >= to) {
                throw Fields.invalid(path + ".between", "must satisfy 0 <= i < j <= " + (steps.size() - 1) + ", not [" + from + ", " + to + "]");
            }
            exclusions.add(new Exclusion(event, from, to));
        }
        if (order == Order.ANY) {
            if (!exclusions.isEmpty()) {
                throw Fields.invalid("exclusions", "exclusions need an ordered funnel (sequential or strict); steps in any order have no 'between'");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < steps.size(); i++) {
                if (!names.add(steps.get(i).event())) {
                    throw Fields.invalid("steps[" + i + "].event", "in any order every step needs a different event; '"
                            + steps.get(i).event() + "' is used twice");
                }
            }
        }
        Aggregate aggregate = Fields.optionalEnum(body, "aggregate", "aggregate", Aggregate.class, Aggregate.PEOPLE);
        return new FunnelRequest(steps, order, window, exclusions, aggregate, scope);
    }

    private static Duration window(JsonNode body) {
        JsonNode node = body.get("window");
        if (node == null || node.isNull()) {
            return Duration.ofDays(14);
        }
        Fields.requireObject(node, "window");
        if (!node.has("value")) {
            throw Fields.invalid("window.value", "is required");
        }
        int value = Fields.optionalInt(node, "value", "window.value", 14, 1, 1_000_000);
        WindowUnit unit = Fields.optionalEnum(node, "unit", "window.unit", WindowUnit.class, null);
        if (unit == null) {
            throw Fields.invalid("window.unit", "is required (minute, hour, day, week)");
        }
        Duration window = unit.length.multipliedBy(value);
        if (window.compareTo(MAX_WINDOW) > 0) {
            throw Fields.invalid("window", "may be at most 366 days");
        }
        return window;
    }

    /** Every event name the funnel names, with the field that named it. */
    public Map<String, String> eventNames() {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            names.putIfAbsent(steps.get(i).event(), "steps[" + i + "].event");
        }
        for (int i = 0; i < exclusions.size(); i++) {
            names.putIfAbsent(exclusions.get(i).event().event(), "exclusions[" + i + "].event");
        }
        return names;
    }
}

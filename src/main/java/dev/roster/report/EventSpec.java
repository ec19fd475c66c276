package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** An event name with optional event-property filters: {@code {"event": "Viewed Pricing", "where": [...]}}. */
public record EventSpec(String event, List<PropertyFilter> where) {
    public EventSpec {
        requireNonNull(event, "event is null");
        where = List.copyOf(where);
    }

    /** Accepts an object, or a bare string for an event without filters. */
    public static EventSpec parse(JsonNode node, String path) {
        if (node != null && node.isTextual()) {
            return new EventSpec(Fields.name(node.asText(), path), List.of());
        }
        Fields.requireObject(node, path);
        String event = Fields.name(Fields.requireText(node, "event", path + ".event"), path + ".event");
        return new EventSpec(event, PropertyFilter.parseList(node, "where", path + ".where"));
    }

    /** The condition on an event row aliased so that {@code name} and {@code properties} are its columns. */
    public Fragment condition() {
        List<Fragment> parts = new ArrayList<>();
        parts.add(Fragment.of("name = ?", event));
        for (PropertyFilter filter : where) {
            parts.add(filter.onEvent("properties"));
        }
        return Fragment.and(parts);
    }
}

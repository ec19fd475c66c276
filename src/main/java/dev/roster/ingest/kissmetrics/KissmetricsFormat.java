package dev.roster.ingest.kissmetrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.EventIds;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Messages;
import dev.roster.ingest.ParsedRequest;
import dev.roster.ingest.PropertyOperation;
import dev.roster.ingest.RejectReason;
import dev.roster.ingest.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The KISSmetrics tracking API: {@code GET /e} (record an event), {@code /s} (set properties) and
 * {@code /a} (alias). Reserved parameters: {@code _k} key, {@code _p} person, {@code _n} event name
 * or alias, {@code _t} Unix time in seconds, {@code _d=1} "use {@code _t} as the event time".
 * Every other parameter not starting with {@code _} is a property; as in KISSmetrics, properties
 * sent with an event are also set on the person.
 *
 * <p>A hit that cannot be used throws {@link InvalidEventException}; the caller answers with the
 * GIF anyway and counts the drop.
 */
public final class KissmetricsFormat {
    private final Consumer<Instant> onClamped;

    public KissmetricsFormat(Consumer<Instant> onClamped) {
        this.onClamped = requireNonNull(onClamped, "onClamped is null");
    }

    /** The three endpoints. */
    public enum Endpoint { EVENT, SET, ALIAS }

    /** Parses one hit from its query parameters. */
    public ParsedRequest parse(Endpoint endpoint, Map<String, List<String>> query, Instant receivedAt) {
        Optional<String> key = first(query, "_k");
        if (key.isEmpty()) {
            throw new InvalidEventException(RejectReason.MISSING_KEY, "the hit has no _k (API key)");
        }
        String person = Messages.identity(first(query, "_p").map(TextNode::valueOf).orElse(null), "_p")
                .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "the hit has no _p (person)"));
        Optional<Instant> clientTime = clientTime(query);
        boolean useTime = first(query, "_d").map("1"::equals).orElse(false);
        Timestamps.Resolved resolved = Timestamps.resolve(useTime ? clientTime : Optional.empty(), Optional.empty(), receivedAt);
        if (resolved.clamped()) {
            onClamped.accept(clientTime.orElse(receivedAt));
        }
        Instant timestamp = resolved.instant();
        ObjectNode properties = properties(query);
        List<PropertyOperation> operations = Messages.operations(properties, PropertyOperation.Kind.SET);

        Command command;
        switch (endpoint) {
            case EVENT -> {
                String name = Messages.eventName(first(query, "_n").map(TextNode::valueOf).orElse(null), "_n");
                String eventId = clientTime.map(t -> EventIds.derived(person, name, t)).orElseGet(EventIds::random);
                command = new Command.Track(eventId, person, Optional.empty(), false, name, timestamp, receivedAt,
                        Optional.empty(), properties, operations);
            }
            case SET -> command = new Command.UpdateProfile(person, false, operations, timestamp);
            case ALIAS -> {
                String other = Messages.identity(first(query, "_n").map(TextNode::valueOf).orElse(null), "_n")
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY,
                                "an alias hit needs _n (the other identity)"));
                command = new Command.Link(person, false, other, Command.Strength.NORMAL, timestamp);
            }
            default -> throw new IllegalStateException("unknown endpoint " + endpoint);
        }
        return new ParsedRequest(key, List.of(command), List.of(), 1);
    }

    private static Optional<Instant> clientTime(Map<String, List<String>> query) {
        Optional<String> t = first(query, "_t");
        if (t.isEmpty()) {
            return Optional.empty();
        }
        if (!t.get().matches("\\d{1,13}(\\.\\d+)?")) {
            throw new InvalidEventException(RejectReason.INVALID_TIMESTAMP, "_t '" + shorten(t.get()) + "' is not Unix seconds");
        }
        return Timestamps.parse(TextNode.valueOf(t.get()), "_t");
    }

    private static ObjectNode properties(Map<String, List<String>> query) {
        ObjectNode properties = Json.object();
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            String name = parameter.getKey().trim();
            if (name.isEmpty() || name.startsWith("_") || parameter.getValue().isEmpty()) {
                continue;
            }
            if (name.length() > Messages.MAX_NAME_LENGTH) {
                throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "a property name is longer than 255 characters");
            }
            properties.put(name, parameter.getValue().get(0));
        }
        return properties;
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(values.get(0).trim());
    }

    private static String shorten(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }

    /** The endpoint of a path segment ({@code e}, {@code s}, {@code a}). */
    public static Endpoint endpoint(String segment) {
        return switch (segment.toLowerCase(Locale.ROOT)) {
            case "e" -> Endpoint.EVENT;
            case "s" -> Endpoint.SET;
            case "a" -> Endpoint.ALIAS;
            default -> throw new IllegalArgumentException("not a KISSmetrics endpoint: " + segment);
        };
    }
}

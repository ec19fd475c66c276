package dev.roster.ingest.mixpanel;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.ingest.EventIds;
import dev.roster.ingest.GroupUpdate;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Messages;
import dev.roster.ingest.ParsedRequest;
import dev.roster.ingest.ParsedWithGroups;
import dev.roster.ingest.PropertyOperation;
import dev.roster.ingest.RejectReason;
import dev.roster.ingest.Rejection;
import dev.roster.ingest.RequestBody;
import dev.roster.ingest.Timestamps;
import dev.roster.ingest.WirePayloads;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Mixpanel's ingestion API: {@code /track}, {@code /engage}, {@code /groups} and {@code /import},
 * mapped onto {@link Command}s.
 *
 * <p>Transport: {@code data} as a query parameter or form field, base64 or plain JSON (a raw
 * {@code +} that a form decoder turned into a space is restored), or a JSON body (the modern
 * {@code /import}); gzip declared or sniffed, around the whole body.
 *
 * <p>Identity: {@code $identify} links {@code $anon_distinct_id} to the identified
 * {@code $identified_id}; {@code $create_alias} links {@code distinct_id} to the identified
 * {@code alias}; {@code $merge} joins the two {@code $distinct_ids} with admin strength. These
 * three change persons and are not stored as events. The write key is the Mixpanel project token
 * ({@code token} in event properties, {@code $token} in profile updates).
 */
public final class MixpanelFormat {
    private static final Map<String, String> PAGE_FIELDS = Map.of(
            "$current_url", "url", "$referrer", "referrer", "$pathname", "path");
    private static final List<String> DROPPED = List.of("token", "distinct_id", "time", "$insert_id");

    private final Consumer<Instant> onClamped;

    public MixpanelFormat(Consumer<Instant> onClamped) {
        this.onClamped = requireNonNull(onClamped, "onClamped is null");
    }

    /** The four endpoints. */
    public enum Endpoint { TRACK, ENGAGE, GROUPS, IMPORT }

    /** One HTTP request as the handler saw it; {@code body} is already gunzipped. */
    public record Request(Endpoint endpoint, byte[] body, String contentType, Map<String, String> query,
                          Optional<String> basicUser, Instant receivedAt) {
        public Request {
            requireNonNull(endpoint, "endpoint is null");
            requireNonNull(body, "body is null");
            query = Map.copyOf(query);
            requireNonNull(basicUser, "basicUser is null");
            requireNonNull(receivedAt, "receivedAt is null");
        }
    }

    public ParsedWithGroups parse(Request request) {
        JsonNode root = Json.parse(payload(request));
        List<JsonNode> messages = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(messages::add);
        } else if (root.isObject()) {
            messages.add(root);
        } else {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "data must be a JSON object or an array of them");
        }
        if (messages.isEmpty()) {
            throw new RosterException(ErrorCode.EMPTY_BATCH, "the request holds no events");
        }
        Optional<String> key = messages.stream().map(MixpanelFormat::token).flatMap(Optional::stream).findFirst()
                .or(() -> WirePayloads.nonBlank(request.query().get("token")))
                .or(request::basicUser);
        List<Command> commands = new ArrayList<>();
        List<GroupUpdate> groups = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            try {
                JsonNode message = messages.get(i);
                if (!message.isObject()) {
                    throw new InvalidEventException(RejectReason.INVALID_EVENT, "each message must be a JSON object");
                }
                Messages.checkSize(message, request.body().length);
                switch (request.endpoint()) {
                    case TRACK, IMPORT -> event((ObjectNode) message, request.receivedAt(), commands::add);
                    case ENGAGE -> profile((ObjectNode) message, request.receivedAt(), commands::add);
                    case GROUPS -> groups.add(group((ObjectNode) message, request.receivedAt()));
                    default -> throw new IllegalStateException("unknown endpoint " + request.endpoint());
                }
            } catch (InvalidEventException e) {
                rejections.add(new Rejection(i, e.reason(), e.getMessage()));
            }
        }
        return new ParsedWithGroups(new ParsedRequest(key, commands, rejections, messages.size()), groups);
    }

    /** Undoes the transport: query or form {@code data}, base64, gzip. */
    static byte[] payload(Request request) {
        byte[] body = request.body();
        String data;
        if (WirePayloads.looksLikeForm(request.contentType(), body) && !WirePayloads.isBlank(body)) {
            data = WirePayloads.parseForm(body).get("data");
            if (data == null || data.isBlank()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the form body has no data field");
            }
        } else if (!WirePayloads.isBlank(body)) {
            byte[] json = WirePayloads.jsonOrBase64(body, "the body");
            return RequestBody.isGzip(json) ? RequestBody.gunzip(json) : json;
        } else {
            data = request.query().get("data");
            if (data == null || data.isBlank()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "no data: send it as the data query parameter or form field");
            }
        }
        byte[] json = WirePayloads.jsonOrBase64(data.getBytes(StandardCharsets.UTF_8), "data");
        return RequestBody.isGzip(json) ? RequestBody.gunzip(json) : json;
    }

    private static Optional<String> token(JsonNode message) {
        if (!message.isObject()) {
            return Optional.empty();
        }
        JsonNode properties = message.get("properties");
        return WirePayloads.nonBlank(Messages.text(message.get("$token")))
                .or(() -> properties == null ? Optional.empty() : WirePayloads.nonBlank(Messages.text(properties.get("token"))));
    }

    private Instant time(JsonNode node, String field, Instant receivedAt) {
        Optional<Instant> clientTime = Timestamps.parse(node, field);
        Timestamps.Resolved resolved = Timestamps.resolve(clientTime, Optional.empty(), receivedAt);
        if (resolved.clamped()) {
            onClamped.accept(clientTime.orElse(receivedAt));
        }
        return resolved.instant();
    }

    private void event(ObjectNode message, Instant receivedAt, Consumer<Command> out) {
        String sentName = Messages.eventName(message.get("event"), "event");
        // mixpanel-browser's automatic page view is Roster's (and Segment's, PostHog's) $pageview
        String name = sentName.equals("$mp_web_page_view") ? "$pageview" : sentName;
        ObjectNode properties = Messages.properties(message.get("properties"), "properties");
        Optional<Instant> clientTime = Timestamps.parse(properties.get("time"), "time");
        Instant timestamp = time(properties.get("time"), "time", receivedAt);
        switch (name) {
            case "$identify" -> {
                String user = Messages.identity(properties.get("$identified_id"), "$identified_id")
                        .or(() -> Messages.identity(properties.get("distinct_id"), "distinct_id"))
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "$identify needs $identified_id"));
                Optional<String> anonymous = Messages.identity(properties.get("$anon_distinct_id"), "$anon_distinct_id");
                if (anonymous.isPresent() && !anonymous.get().equals(user)) {
                    out.accept(new Command.Link(user, true, anonymous.get(), Command.Strength.NORMAL, timestamp));
                } else {
                    out.accept(new Command.UpdateProfile(user, true, List.of(), timestamp));
                }
                return;
            }
            case "$create_alias" -> {
                String alias = Messages.identity(properties.get("alias"), "alias")
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "$create_alias needs alias"));
                String distinctId = distinctId(properties);
                out.accept(new Command.Link(alias, true, distinctId, Command.Strength.NORMAL, timestamp));
                return;
            }
            case "$merge" -> {
                JsonNode ids = properties.get("$distinct_ids");
                if (ids == null || !ids.isArray() || ids.size() != 2) {
                    throw new InvalidEventException(RejectReason.MISSING_IDENTITY, "$merge needs $distinct_ids with two ids");
                }
                String first = Messages.identity(ids.get(0), "$distinct_ids[0]")
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "$distinct_ids[0] is empty"));
                String second = Messages.identity(ids.get(1), "$distinct_ids[1]")
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "$distinct_ids[1] is empty"));
                out.accept(new Command.Link(first, false, second, Command.Strength.ADMIN, timestamp));
                return;
            }
            default -> {
                // an ordinary event
            }
        }
        String distinctId = distinctId(properties);
        String insertId = Messages.text(properties.get("$insert_id"));
        String eventId;
        if (insertId != null && !insertId.isBlank() && insertId.length() <= 255) {
            eventId = insertId.trim();
        } else if (clientTime.isPresent()) {
            eventId = EventIds.derived(distinctId, name, clientTime.get());
        } else {
            eventId = EventIds.random();
        }
        properties.remove(DROPPED);
        WirePayloads.copyFields(properties, PAGE_FIELDS);
        Optional<String> sessionId = WirePayloads.nonBlank(Messages.text(properties.get("$session_id")));
        out.accept(new Command.Track(eventId, distinctId, Optional.empty(), false, name, timestamp, receivedAt,
                sessionId, properties, List.of()));
    }

    private static String distinctId(ObjectNode properties) {
        return Messages.identity(properties.get("distinct_id"), "distinct_id")
                .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "the event has no distinct_id"));
    }

    private void profile(ObjectNode message, Instant receivedAt, Consumer<Command> out) {
        String distinctId = Messages.identity(message.get("$distinct_id"), "$distinct_id")
                .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "the profile update has no $distinct_id"));
        Instant timestamp = time(message.get("$time"), "$time", receivedAt);
        if (message.has("$delete")) {
            out.accept(new Command.DeleteProfile(distinctId, timestamp));
            return;
        }
        List<PropertyOperation> operations = operations(message);
        if (operations.isEmpty()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES,
                    "the profile update has no operation ($set, $set_once, $add, $append, $union, $remove, $unset, $delete)");
        }
        out.accept(new Command.UpdateProfile(distinctId, false, operations, timestamp));
    }

    private GroupUpdate group(ObjectNode message, Instant receivedAt) {
        String type = Messages.text(message.get("$group_key"));
        String key = Messages.text(message.get("$group_id"));
        if (type == null || type.isBlank() || key == null || key.isBlank()) {
            throw new InvalidEventException(RejectReason.INVALID_EVENT, "a group update needs $group_key and $group_id");
        }
        return new GroupUpdate(type.trim(), key.trim(), operations(message), time(message.get("$time"), "$time", receivedAt));
    }

    /** The profile operations of an engage or groups message, in Mixpanel's documented order. */
    private static List<PropertyOperation> operations(ObjectNode message) {
        List<PropertyOperation> operations = new ArrayList<>();
        add(operations, message, "$set", PropertyOperation.Kind.SET);
        add(operations, message, "$set_once", PropertyOperation.Kind.SET_ONCE);
        add(operations, message, "$add", PropertyOperation.Kind.ADD);
        add(operations, message, "$append", PropertyOperation.Kind.APPEND);
        add(operations, message, "$union", PropertyOperation.Kind.UNION);
        add(operations, message, "$remove", PropertyOperation.Kind.REMOVE);
        JsonNode unset = message.get("$unset");
        if (unset != null && unset.isArray()) {
            unset.forEach(name -> operations.add(new PropertyOperation(PropertyOperation.Kind.UNSET, name.asText(), Json.object())));
        } else if (unset != null && !unset.isNull()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "$unset must be an array of property names");
        }
        return operations;
    }

    private static void add(List<PropertyOperation> operations, ObjectNode message, String field, PropertyOperation.Kind kind) {
        JsonNode values = message.get(field);
        if (values == null || values.isNull()) {
            return;
        }
        if (!values.isObject()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, field + " must be a JSON object");
        }
        if (kind == PropertyOperation.Kind.ADD) {
            values.fields().forEachRemaining(entry -> {
                if (!entry.getValue().isNumber()) {
                    throw new InvalidEventException(RejectReason.INVALID_PROPERTIES,
                            "$add needs numbers; '" + entry.getKey() + "' is " + entry.getValue().getNodeType().name().toLowerCase(Locale.ROOT));
                }
            });
        }
        operations.addAll(Messages.operations(values, kind));
    }

    /** The endpoint of a path segment. */
    public static Endpoint endpoint(String segment) {
        return Endpoint.valueOf(segment.toUpperCase(Locale.ROOT));
    }
}

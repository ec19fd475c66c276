package dev.roster.ingest.posthog;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * PostHog's capture API ({@code /capture/}, {@code /batch/}, {@code /e/}, {@code /i/v0/e/} and
 * posthog-node's v1 {@code /i/v1/analytics/events}), mapped onto {@link Command}s.
 *
 * <p>Transport: JSON, a form with {@code data=} (base64 or JSON), a {@code data} query parameter,
 * gzip (declared, sniffed, or {@code compression=gzip-js}), base64 of JSON or of gzip.
 * {@code compression=lz64} is refused with a clear 400 (no maintained Java lz-string library).
 *
 * <p>Identity: a {@code distinct_id} is an identified user id when it is the {@code distinct_id}
 * of an {@code $identify}, or when the event says {@code $is_identified: true}. Everything else is
 * an anonymous id until identified. {@code $identify} links {@code $anon_distinct_id};
 * {@code $create_alias} links {@code alias}; {@code $merge_dangerously} links {@code alias} with
 * admin strength (it may join two identified persons, as in PostHog). These identity events and
 * {@code $set} are not stored as events: they change persons, like Segment's identify and alias.
 * {@code $groupidentify} updates group properties ({@code $group_set}) and never creates a person.
 */
public final class PosthogFormat {
    private static final Map<String, String> PAGE_FIELDS = Map.of(
            "$current_url", "url", "$pathname", "path", "$referrer", "referrer", "$title", "title");

    private final Consumer<Instant> onClamped;

    public PosthogFormat(Consumer<Instant> onClamped) {
        this.onClamped = requireNonNull(onClamped, "onClamped is null");
    }

    /** One HTTP request as the handler saw it. {@code body} is already gunzipped when gzip was declared or sniffed. */
    public record Request(byte[] body, String contentType, Map<String, String> query, Optional<String> bearer, Instant receivedAt) {
        public Request {
            requireNonNull(body, "body is null");
            query = Map.copyOf(query);
            requireNonNull(bearer, "bearer is null");
            requireNonNull(receivedAt, "receivedAt is null");
        }
    }

    public ParsedWithGroups parse(Request request) {
        JsonNode root = Json.parse(payload(request));
        List<JsonNode> messages = new ArrayList<>();
        Optional<Instant> sentAt = Optional.empty();
        if (root.isArray()) {
            root.forEach(messages::add);
        } else if (root.isObject() && root.has("batch")) {
            JsonNode batch = root.get("batch");
            if (!batch.isArray()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "\"batch\" must be a JSON array");
            }
            batch.forEach(messages::add);
            sentAt = safeTime(root.get("sent_at")).or(() -> safeTime(root.get("created_at")));
        } else if (root.isObject()) {
            messages.add(root);
        } else {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the body must be a JSON object or array of events");
        }
        if (messages.isEmpty()) {
            throw new RosterException(ErrorCode.EMPTY_BATCH, "the batch is empty");
        }
        Optional<String> key = WirePayloads.nonBlank(request.query().get("api_key"))
                .or(() -> WirePayloads.nonBlank(request.query().get("token")))
                .or(() -> WirePayloads.nonBlank(Messages.text(root.get("api_key"))))
                .or(() -> WirePayloads.nonBlank(Messages.text(root.get("token"))))
                .or(request::bearer)
                .or(() -> messages.stream().map(PosthogFormat::eventKey).flatMap(Optional::stream).findFirst());

        List<Command> commands = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        List<GroupUpdate> groups = new ArrayList<>();
        int bodyBytes = request.body().length;
        for (int i = 0; i < messages.size(); i++) {
            try {
                JsonNode message = messages.get(i);
                if (!message.isObject()) {
                    throw new InvalidEventException(RejectReason.INVALID_EVENT, "each event must be a JSON object");
                }
                Messages.checkSize(message, bodyBytes);
                toCommands((ObjectNode) message, sentAt, request.receivedAt(), commands::add, groups::add);
            } catch (InvalidEventException e) {
                rejections.add(new Rejection(i, e.reason(), e.getMessage()));
            }
        }
        return new ParsedWithGroups(new ParsedRequest(key, commands, rejections, messages.size()), groups);
    }

    /** Undoes the transport encodings and returns JSON bytes. */
    static byte[] payload(Request request) {
        String compression = request.query().getOrDefault("compression", "");
        byte[] body = request.body();
        byte[] payload;
        if (WirePayloads.isBlank(body)) {
            String data = request.query().get("data");
            if (data == null || data.isBlank()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "no events: the body is empty and there is no data parameter");
            }
            payload = data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (WirePayloads.looksLikeForm(request.contentType(), body)) {
            Map<String, String> form = WirePayloads.parseForm(body);
            String data = form.get("data");
            if (data == null || data.isBlank()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the form body has no data field");
            }
            compression = form.getOrDefault("compression", compression);
            payload = data.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else {
            payload = body;
        }
        String mode = compression.toLowerCase(Locale.ROOT);
        if (mode.equals("lz64") || mode.equals("lz-string")) {
            throw new RosterException(ErrorCode.INVALID_ENCODING,
                    "compression=lz64 is not supported; use gzip-js (posthog-js's default) or base64");
        }
        if (mode.equals("gzip-js") || mode.equals("gzip")) {
            return RequestBody.isGzip(payload) ? RequestBody.gunzip(payload) : decodeText(payload);
        }
        if (RequestBody.isGzip(payload)) {
            return RequestBody.gunzip(payload);
        }
        return decodeText(payload);
    }

    private static byte[] decodeText(byte[] payload) {
        byte[] json = WirePayloads.jsonOrBase64(payload, "the PostHog payload");
        return RequestBody.isGzip(json) ? RequestBody.gunzip(json) : json;
    }

    private static Optional<String> eventKey(JsonNode message) {
        if (!message.isObject()) {
            return Optional.empty();
        }
        JsonNode properties = message.get("properties");
        return WirePayloads.nonBlank(Messages.text(message.get("api_key")))
                .or(() -> WirePayloads.nonBlank(Messages.text(message.get("token"))))
                .or(() -> properties == null ? Optional.empty() : WirePayloads.nonBlank(Messages.text(properties.get("token"))));
    }

    private static Optional<Instant> safeTime(JsonNode node) {
        try {
            return Timestamps.parse(node, "sent_at");
        } catch (InvalidEventException e) {
            return Optional.empty();
        }
    }

    private void toCommands(ObjectNode message, Optional<Instant> batchSentAt, Instant receivedAt, Consumer<Command> out,
                            Consumer<GroupUpdate> groupsOut) {
        String name = Messages.eventName(message.get("event"), "event");
        ObjectNode properties = Messages.properties(message.get("properties"), "properties");
        JsonNode distinct = message.get("distinct_id");
        if (distinct == null || distinct.isNull()) {
            distinct = properties.get("distinct_id");
        }
        if (distinct == null || distinct.isNull()) {
            distinct = message.get("$distinct_id");
        }
        String distinctId = Messages.identity(distinct, "distinct_id")
                .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY, "the event has no distinct_id"));

        Optional<Instant> clientTime = Timestamps.parse(message.get("timestamp"), "timestamp");
        if (clientTime.isEmpty() && message.get("offset") != null && message.get("offset").canConvertToLong()) {
            clientTime = Optional.of(receivedAt.minusMillis(Math.max(0, message.get("offset").asLong())));
        }
        Optional<Instant> sentAt = safeTime(message.get("sent_at")).or(() -> batchSentAt);
        Timestamps.Resolved resolved = Timestamps.resolve(clientTime, clientTime.isPresent() ? sentAt : Optional.empty(), receivedAt);
        if (resolved.clamped()) {
            onClamped.accept(clientTime.orElse(receivedAt));
        }
        Instant timestamp = resolved.instant();

        List<PropertyOperation> operations = new ArrayList<>();
        collectOperations(message, operations);
        collectOperations(properties, operations);
        properties.remove(List.of("$set", "$set_once", "$unset", "distinct_id", "token", "api_key"));

        switch (name) {
            case "$identify" -> {
                Optional<String> anonymous = Messages.identity(properties.get("$anon_distinct_id"), "$anon_distinct_id");
                anonymous.filter(a -> !a.equals(distinctId)).ifPresent(a ->
                        out.accept(new Command.Link(distinctId, true, a, Command.Strength.NORMAL, timestamp)));
                out.accept(new Command.UpdateProfile(distinctId, true, operations, timestamp));
                return;
            }
            case "$create_alias", "$merge_dangerously" -> {
                String alias = Messages.identity(properties.get("alias"), "alias")
                        .orElseThrow(() -> new InvalidEventException(RejectReason.MISSING_IDENTITY,
                                name + " needs an alias property"));
                Command.Strength strength = name.equals("$merge_dangerously") ? Command.Strength.ADMIN : Command.Strength.NORMAL;
                out.accept(new Command.Link(distinctId, false, alias, strength, timestamp));
                if (!operations.isEmpty()) {
                    out.accept(new Command.UpdateProfile(distinctId, false, operations, timestamp));
                }
                return;
            }
            case "$groupidentify" -> {
                String type = Messages.text(properties.get("$group_type"));
                String key = Messages.text(properties.get("$group_key"));
                if (type == null || key == null || type.isBlank() || key.isBlank()) {
                    throw new InvalidEventException(RejectReason.INVALID_EVENT, "$groupidentify needs $group_type and $group_key");
                }
                JsonNode groupSet = properties.get("$group_set");
                if (groupSet != null && !groupSet.isNull() && !groupSet.isObject()) {
                    throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "$group_set must be a JSON object");
                }
                groupsOut.accept(new GroupUpdate(type.trim(), key.trim(),
                        Messages.operations(groupSet, PropertyOperation.Kind.SET), timestamp));
                return;
            }
            case "$set" -> {
                out.accept(new Command.UpdateProfile(distinctId, identified(properties), operations, timestamp));
                return;
            }
            default -> {
                // an ordinary event, stored below
            }
        }
        WirePayloads.copyFields(properties, PAGE_FIELDS);
        String uuid = Messages.text(message.get("uuid"));
        String eventId;
        if (uuid != null && !uuid.isBlank() && uuid.length() <= 255) {
            eventId = uuid.trim();
        } else if (clientTime.isPresent()) {
            eventId = EventIds.derived(distinctId, name, clientTime.get());
        } else {
            eventId = EventIds.random();
        }
        Optional<String> sessionId = WirePayloads.nonBlank(Messages.text(properties.get("$session_id")));
        out.accept(new Command.Track(eventId, distinctId, Optional.empty(), identified(properties), name,
                timestamp, receivedAt, sessionId, properties, operations));
    }

    private static boolean identified(ObjectNode properties) {
        JsonNode flag = properties.get("$is_identified");
        return flag != null && flag.asBoolean(false);
    }

    private static void collectOperations(JsonNode source, List<PropertyOperation> operations) {
        JsonNode set = source.get("$set");
        JsonNode setOnce = source.get("$set_once");
        JsonNode unset = source.get("$unset");
        if (set != null && !set.isNull() && !set.isObject()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "$set must be a JSON object");
        }
        if (setOnce != null && !setOnce.isNull() && !setOnce.isObject()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "$set_once must be a JSON object");
        }
        operations.addAll(Messages.operations(set, PropertyOperation.Kind.SET));
        operations.addAll(Messages.operations(setOnce, PropertyOperation.Kind.SET_ONCE));
        if (unset != null && unset.isArray()) {
            unset.forEach(key -> operations.add(new PropertyOperation(PropertyOperation.Kind.UNSET, key.asText(), Json.object())));
        } else if (unset != null && unset.isObject()) {
            unset.fieldNames().forEachRemaining(key -> operations.add(new PropertyOperation(PropertyOperation.Kind.UNSET, key, Json.object())));
        } else if (unset != null && !unset.isNull()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "$unset must be an array of property names");
        }
    }
}

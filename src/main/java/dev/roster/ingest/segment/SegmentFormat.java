package dev.roster.ingest.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.ingest.EventIds;
import dev.roster.ingest.IngestWarning;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Messages;
import dev.roster.ingest.ParsedRequest;
import dev.roster.ingest.PropertyOperation;
import dev.roster.ingest.RejectReason;
import dev.roster.ingest.Rejection;
import dev.roster.ingest.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Segment HTTP tracking API, Roster's native format: {@code /v1/track}, {@code identify},
 * {@code alias}, {@code page}, {@code screen}, {@code group}, {@code batch} and {@code import}.
 * RudderStack speaks the same format.
 */
public final class SegmentFormat {
    /** Campaign fields of {@code context.campaign}, mapped to the utm property names. */
    private static final Map<String, String> CAMPAIGN = Map.of(
            "source", "utm_source", "medium", "utm_medium", "name", "utm_campaign",
            "term", "utm_term", "content", "utm_content");
    private static final List<String> PAGE_FIELDS = List.of("url", "path", "referrer", "title", "search");

    private final Consumer<Instant> onClamped;

    /** @param onClamped told of every event time clamped from the future */
    public SegmentFormat(Consumer<Instant> onClamped) {
        this.onClamped = onClamped;
    }

    /**
     * Parses one request. {@code endpoint} is the last path segment ({@code batch}, {@code import},
     * {@code track}, ...); {@code basicUser} the Basic-auth user name, if any.
     */
    public ParsedRequest parse(String endpoint, byte[] body, Optional<String> basicUser, Instant receivedAt) {
        JsonNode root = Json.parse(body);
        if (!root.isObject()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the body must be a JSON object");
        }
        String type = endpoint.toLowerCase(Locale.ROOT);
        boolean batched = type.equals("batch") || type.equals("import");
        List<JsonNode> messages = new ArrayList<>();
        if (batched) {
            JsonNode batch = root.get("batch");
            if (batch == null || !batch.isArray()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "a batch request needs a \"batch\" array");
            }
            if (batch.isEmpty()) {
                throw new RosterException(ErrorCode.EMPTY_BATCH, "the batch is empty");
            }
            batch.forEach(messages::add);
        } else {
            messages.add(root);
        }
        Optional<String> writeKey = basicUser.filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(Messages.text(root.get("writeKey"))))
                .or(() -> messages.stream().map(m -> Messages.text(m.get("writeKey"))).filter(k -> k != null).findFirst());
        Optional<Instant> batchSentAt = safeTime(root.get("sentAt"));
        ObjectNode batchContext = root.get("context") instanceof ObjectNode context ? context : Json.object();

        List<Command> commands = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        List<IngestWarning> warnings = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            try {
                if (!message.isObject()) {
                    throw new InvalidEventException(RejectReason.INVALID_EVENT, "each message must be a JSON object");
                }
                Messages.checkSize(message, body.length);
                String messageType = batched ? Messages.text(message.get("type")) : type;
                List<Command> parsed = new ArrayList<>();
                List<Clamp> clamps = new ArrayList<>();
                toCommands(messageType, (ObjectNode) message, batchContext, batchSentAt, receivedAt, parsed::add, clamps::add);
                // only a message that is stored counts as clamped
                commands.addAll(parsed);
                for (Clamp clamp : clamps) {
                    onClamped.accept(clamp.from());
                    warnings.add(new IngestWarning(i, clamp.message()));
                }
            } catch (InvalidEventException e) {
                rejections.add(new Rejection(i, e.reason(), e.getMessage()));
            }
        }
        return new ParsedRequest(writeKey, commands, rejections, messages.size(), warnings);
    }

    /** An event time clamped from the future, and the warning that says so. */
    private record Clamp(Instant from, String message) {
    }

    /**
     * Turns one self-describing Segment message (with its own {@code type}, as in a batch) into
     * commands. File import (JSONL) uses this per line; it throws {@link InvalidEventException}
     * for a bad message.
     */
    public void message(JsonNode message, Instant receivedAt, Consumer<Command> out) {
        if (message == null || !message.isObject()) {
            throw new InvalidEventException(RejectReason.INVALID_EVENT, "each message must be a JSON object");
        }
        toCommands(Messages.text(message.get("type")), (ObjectNode) message, Json.object(), Optional.empty(), receivedAt, out,
                clamp -> onClamped.accept(clamp.from()));
    }

    private static Optional<Instant> safeTime(JsonNode node) {
        try {
            return Timestamps.parse(node, "sentAt");
        } catch (InvalidEventException e) {
            return Optional.empty();
        }
    }

    private void toCommands(String type, ObjectNode message, ObjectNode batchContext, Optional<Instant> batchSentAt,
                            Instant receivedAt, Consumer<Command> out, Consumer<Clamp> clamped) {
        if (type == null) {
            throw new InvalidEventException(RejectReason.UNKNOWN_TYPE, "the message has no type");
        }
        Optional<String> userId = Messages.identity(message.get("userId"), "userId");
        Optional<String> anonymousId = Messages.identity(message.get("anonymousId"), "anonymousId");
        if (userId.isEmpty() && anonymousId.isEmpty()) {
            throw new InvalidEventException(RejectReason.MISSING_IDENTITY, "the message has neither userId nor anonymousId");
        }
        Optional<Instant> clientTime = Timestamps.parse(message.get("timestamp"), "timestamp")
                .or(() -> Timestamps.parse(message.get("originalTimestamp"), "originalTimestamp"));
        // sentAt only serves skew correction: a broken one is ignored rather than losing the event
        Optional<Instant> sentAt = safeTime(message.get("sentAt")).or(() -> batchSentAt);
        Timestamps.Resolved time = Timestamps.resolve(clientTime, sentAt, receivedAt);
        if (time.clamped()) {
            Instant sent = clientTime.orElse(receivedAt);
            clamped.accept(new Clamp(sent, "the event time " + sent + (sentAt.isPresent() ? " (after skew correction)" : "")
                    + " is more than 23 hours in the future; stored at the receive time " + receivedAt));
        }
        Instant timestamp = time.instant();
        String identity = userId.or(() -> anonymousId).orElseThrow();
        boolean identified = userId.isPresent();
        JsonNode context = message.get("context") instanceof ObjectNode c ? c : batchContext;
        List<PropertyOperation> contextTraits = Messages.operations(context.get("traits"), PropertyOperation.Kind.SET);

        switch (type.toLowerCase(Locale.ROOT)) {
            case "track" -> {
                String name = Messages.eventName(message.get("event"), "event");
                out.accept(track(message, name, Messages.properties(message.get("properties"), "properties"), context,
                        identity, anonymousId, identified, clientTime, timestamp, receivedAt, contextTraits));
            }
            case "page", "screen" -> {
                ObjectNode properties = Messages.properties(message.get("properties"), "properties");
                String pageName = Messages.text(message.get("name"));
                if (pageName != null && !properties.has("name")) {
                    properties.put("name", pageName);
                }
                String name = type.equalsIgnoreCase("page") ? "$pageview" : "$screen";
                out.accept(track(message, name, properties, context, identity, anonymousId, identified,
                        clientTime, timestamp, receivedAt, contextTraits));
            }
            case "identify" -> {
                if (userId.isPresent() && anonymousId.isPresent()) {
                    out.accept(new Command.Link(userId.get(), true, anonymousId.get(), Command.Strength.NORMAL, timestamp));
                }
                List<PropertyOperation> operations = new ArrayList<>(contextTraits);
                JsonNode traits = message.get("traits");
                if (traits != null && !traits.isNull() && !traits.isObject()) {
                    throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, "traits must be a JSON object");
                }
                operations.addAll(Messages.operations(traits, PropertyOperation.Kind.SET));
                out.accept(new Command.UpdateProfile(identity, identified, operations, timestamp));
            }
            case "alias" -> {
                Optional<String> previousId = Messages.identity(message.get("previousId"), "previousId");
                if (previousId.isEmpty()) {
                    throw new InvalidEventException(RejectReason.MISSING_IDENTITY, "an alias needs a previousId");
                }
                out.accept(new Command.Link(identity, identified, previousId.get(), Command.Strength.NORMAL, timestamp));
            }
            case "group" -> {
                Optional<String> groupId = Messages.identity(message.get("groupId"), "groupId");
                if (groupId.isEmpty()) {
                    throw new InvalidEventException(RejectReason.INVALID_EVENT, "a group call needs a groupId");
                }
                ObjectNode properties = Json.object();
                properties.put("group_id", groupId.get());
                properties.set("group_traits", Messages.properties(message.get("traits"), "traits"));
                out.accept(track(message, "$group", properties, context, identity, anonymousId, identified,
                        clientTime, timestamp, receivedAt, contextTraits));
            }
            default -> throw new InvalidEventException(RejectReason.UNKNOWN_TYPE, "unknown message type '" + type + "'");
        }
    }

    private static Command.Track track(ObjectNode message, String name, ObjectNode properties, JsonNode context,
                                       String identity, Optional<String> anonymousId, boolean identified,
                                       Optional<Instant> clientTime, Instant timestamp, Instant receivedAt,
                                       List<PropertyOperation> personOperations) {
        addContext(properties, context);
        String messageId = Messages.text(message.get("messageId"));
        String eventId;
        if (messageId != null && !messageId.isBlank()) {
            eventId = messageId.length() > 255 ? EventIds.derived(identity, name, timestamp) + ":" + messageId.hashCode() : messageId;
        } else if (clientTime.isPresent()) {
            eventId = EventIds.derived(identity, name, clientTime.get());
        } else {
            eventId = EventIds.random();
        }
        Optional<String> sessionId = Optional.ofNullable(Messages.text(context.get("sessionId")))
                .or(() -> Optional.ofNullable(Messages.text(properties.get("session_id"))));
        Optional<String> anonymous = anonymousId.filter(a -> !a.equals(identity));
        return new Command.Track(eventId, identity, anonymous, identified, name, timestamp, receivedAt, sessionId,
                properties, personOperations);
    }

    /** Copies page and campaign context into the properties, where attribution looks for them. */
    private static void addContext(ObjectNode properties, JsonNode context) {
        JsonNode page = context.get("page");
        if (page != null && page.isObject()) {
            for (String field : PAGE_FIELDS) {
                JsonNode value = page.get(field);
                if (value != null && value.isValueNode() && !properties.has(field)) {
                    properties.set(field, value);
                }
            }
        }
        JsonNode campaign = context.get("campaign");
        if (campaign != null && campaign.isObject()) {
            CAMPAIGN.forEach((field, utm) -> {
                JsonNode value = campaign.get(field);
                if (value != null && value.isValueNode() && !properties.has(utm)) {
                    properties.set(utm, value);
                }
            });
        }
    }
}

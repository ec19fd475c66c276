package dev.roster.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.identity.Identities;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Validation helpers shared by every wire-format parser. */
public final class Messages {
    public static final int MAX_NAME_LENGTH = 255;

    private Messages() {
    }

    /** A trimmed identity, or empty; too long an id rejects the message. */
    public static Optional<String> identity(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            throw new InvalidEventException(RejectReason.MISSING_IDENTITY, field + " must be a string or number");
        }
        Optional<String> cleaned = Identities.clean(node.asText());
        if (cleaned.isPresent() && cleaned.get().length() > Identities.MAX_LENGTH) {
            throw new InvalidEventException(RejectReason.IDENTITY_TOO_LONG,
                    field + " is " + cleaned.get().length() + " characters; the limit is " + Identities.MAX_LENGTH);
        }
        return cleaned;
    }

    /** A required event name, at most 255 characters. */
    public static String eventName(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode() || !node.isValueNode() || node.asText().isBlank()) {
            throw new InvalidEventException(RejectReason.MISSING_EVENT_NAME, "the event has no name (" + field + ")");
        }
        String name = node.asText().trim();
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidEventException(RejectReason.EVENT_NAME_TOO_LONG,
                    "the event name is " + name.length() + " characters; the limit is " + MAX_NAME_LENGTH);
        }
        return name;
    }

    /** The properties object of a message: a JSON object, or empty when absent. */
    public static ObjectNode properties(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Json.object();
        }
        if (!node.isObject()) {
            throw new InvalidEventException(RejectReason.INVALID_PROPERTIES, field + " must be a JSON object");
        }
        return ((ObjectNode) node).deepCopy();
    }

    /** Turns an object of traits into SET operations (or another kind). */
    public static List<PropertyOperation> operations(JsonNode traits, PropertyOperation.Kind kind) {
        List<PropertyOperation> operations = new ArrayList<>();
        if (traits != null && traits.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = traits.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                operations.add(new PropertyOperation(kind, field.getKey(), field.getValue()));
            }
        }
        return operations;
    }

    /** Checks the 1 MB per-event limit; only needed when the whole body is larger than that. */
    public static void checkSize(JsonNode message, int bodyBytes) {
        if (bodyBytes > RequestBody.MAX_EVENT_BYTES && Json.write(message).length() > RequestBody.MAX_EVENT_BYTES) {
            throw new InvalidEventException(RejectReason.EVENT_TOO_LARGE, "the event exceeds the limit of 1 MB");
        }
    }

    public static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }
}

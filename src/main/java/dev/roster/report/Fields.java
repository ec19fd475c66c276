package dev.roster.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading report request fields from JSON. Every problem becomes a 400 ({@code invalid_report})
 * that names the field, e.g. {@code steps[2].event}.
 */
public final class Fields {
    public static final int MAX_NAME_LENGTH = 255;

    private Fields() {
    }

    public static com.fasterxml.jackson.databind.node.ObjectNode object() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }

    public static RosterException invalid(String field, String message) {
        return new RosterException(ErrorCode.INVALID_REPORT, field + ": " + message);
    }

    public static JsonNode requireObject(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            throw invalid(field, "must be a JSON object");
        }
        return body;
    }

    public static Optional<JsonNode> optional(JsonNode parent, String name) {
        JsonNode value = parent.get(name);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    public static String requireText(JsonNode parent, String name, String path) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            throw invalid(path, "is required");
        }
        if (!value.isTextual()) {
            throw invalid(path, "must be a string");
        }
        return value.asText();
    }

    public static Optional<String> optionalText(JsonNode parent, String name, String path) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid(path, "must be a string");
        }
        return Optional.of(value.asText());
    }

    public static int optionalInt(JsonNode parent, String name, String path, int fallback, int min, int max) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw invalid(path, "must be an integer");
        }
        int number = value.asInt();
        if (number < min || number > max) {
            throw invalid(path, "must be between " + min + " and " + max + ", not " + number);
        }
        return number;
    }

    public static boolean optionalBoolean(JsonNode parent, String name, String path, boolean fallback) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(path, "must be true or false");
        }
        return value.asBoolean();
    }

    /** A lower-case keyword out of a fixed set. */
    public static <E extends Enum<E>> E optionalEnum(JsonNode parent, String name, String path, Class<E> type, E fallback) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return fallback;
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String keyword = constant.name().toLowerCase(Locale.ROOT);
            allowed.add(keyword);
            if (value.isTextual() && value.asText().equals(keyword)) {
                return constant;
            }
        }
        throw invalid(path, "must be one of " + String.join(", ", allowed) + ", not " + value);
    }

    public static JsonNode optionalArray(JsonNode parent, String name, String path) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        }
        if (!value.isArray()) {
            throw invalid(path, "must be an array");
        }
        return value;
    }

    /** An event or property name: non-blank, at most 255 characters. */
    public static String name(String value, String path) {
        if (value.isBlank()) {
            throw invalid(path, "must not be empty");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw invalid(path, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        return value;
    }

    /** A property name; it becomes a JSON path, so quotes, backslashes and control characters are refused. */
    public static String propertyName(String value, String path) {
        name(value, path);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || Character.isISOControl(c)) {
                throw invalid(path, "property names may not contain quotes, backslashes or control characters");
            }
        }
        return value;
    }
}

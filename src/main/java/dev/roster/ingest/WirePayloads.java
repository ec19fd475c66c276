package dev.roster.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decoding shared by the form-and-base64 wire formats (PostHog, Mixpanel): form bodies, base64
 * payloads whose {@code +} was turned into a space on the way, and sniffing JSON from base64.
 */
public final class WirePayloads {
    private WirePayloads() {
    }

    /** True when a body is an HTML form ({@code a=b&c=d}) rather than JSON or base64. */
    public static boolean looksLikeForm(String contentType, byte[] body) {
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return true;
        }
        int i = firstNonSpace(body);
        if (i < 0 || body[i] == '{' || body[i] == '[') {
            return false;
        }
        for (int j = i; j < body.length && j < i + 40; j++) {
            if (body[j] == '=') {
                return j > i;
            }
            if (!Character.isLetterOrDigit(body[j]) && body[j] != '_') {
                return false;
            }
        }
        return false;
    }

    /**
     * Parses an {@code application/x-www-form-urlencoded} body. Values are percent-decoded; callers
     * that expect base64 restore spaces with {@link #decodeBase64}.
     */
    public static Map<String, String> parseForm(byte[] body) {
        Map<String, String> fields = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return fields;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                fields.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new RosterException(ErrorCode.INVALID_ENCODING, "the form field '" + key + "' has a bad percent-escape");
            }
        }
        return fields;
    }

    /**
     * Decodes a base64 payload (standard or URL-safe, padded or not). Spaces become {@code +}
     * again first: mixpanel-node sends raw base64 in form bodies, where a form decoder reads a
     * literal {@code +} as a space.
     */
    public static byte[] decodeBase64(String value, String what) {
        String cleaned = value.trim().replace(' ', '+').replace("\n", "").replace("\r", "");
        if (cleaned.isEmpty()) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, what + " is empty");
        }
        try {
            if (cleaned.indexOf('-') >= 0 || cleaned.indexOf('_') >= 0) {
                return Base64.getUrlDecoder().decode(cleaned);
            }
            return Base64.getDecoder().decode(cleaned);
        } catch (IllegalArgumentException e) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, what + " is neither JSON nor valid base64: " + e.getMessage());
        }
    }

    /** The bytes as they are when they already hold JSON, else base64-decoded. */
    public static byte[] jsonOrBase64(byte[] bytes, String what) {
        int i = firstNonSpace(bytes);
        if (i < 0) {
            throw new RosterException(ErrorCode.INVALID_JSON, what + " is empty");
        }
        if (bytes[i] == '{' || bytes[i] == '[') {
            return bytes;
        }
        return decodeBase64(new String(bytes, StandardCharsets.UTF_8), what);
    }

    /** True when the bytes are empty or only whitespace. */
    public static boolean isBlank(byte[] bytes) {
        return firstNonSpace(bytes) < 0;
    }

    /**
     * Copies SDK-specific page fields ({@code $current_url}, ...) to the names attribution reads
     * ({@code url}, ...) when those are absent; the originals stay.
     */
    public static void copyFields(ObjectNode properties, Map<String, String> fromTo) {
        fromTo.forEach((from, to) -> {
            JsonNode value = properties.get(from);
            if (value != null && value.isValueNode() && !properties.has(to)) {
                properties.set(to, value);
            }
        });
    }

    /** An optional non-blank string. */
    public static Optional<String> nonBlank(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static int firstNonSpace(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (!Character.isWhitespace(bytes[i])) {
                return i;
            }
        }
        return -1;
    }
}

package dev.roster.identity;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Identity string rules (SPEC §1, §2.4): trimmed, at most 255 characters, placeholders never link. */
public final class Identities {
    public static final int MAX_LENGTH = 255;

    private static final Set<String> PLACEHOLDERS = Set.of(
            "", "anonymous", "guest", "null", "undefined", "none", "nan", "0", "[object object]",
            "true", "false", "id", "distinct_id", "user_id", "email");

    private Identities() {
    }

    /**
     * The lower-cased values {@link #isPlaceholder} recognises (after trimming and removing one
     * pair of surrounding quotes), for set-based checks in SQL.
     */
    public static Set<String> placeholders() {
        return PLACEHOLDERS;
    }

    /** Trims an identity; empty for null or blank. Does not check the length. */
    public static Optional<String> clean(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String trimmed = raw.trim();
        return trimmed.isEmpty() ? Optional.empty() : Optional.of(trimmed);
    }

    /** True for ids that clients send when they have no real id: they are stored but never linked. */
    public static boolean isPlaceholder(String identity) {
        String value = identity.trim();
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1).trim();
        }
        return PLACEHOLDERS.contains(value.toLowerCase(Locale.ROOT));
    }
}

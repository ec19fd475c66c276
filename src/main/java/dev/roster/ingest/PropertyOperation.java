package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/** One change to one person property. {@code value} is ignored by {@link Kind#UNSET}. */
public record PropertyOperation(Kind kind, String key, JsonNode value) {
    public PropertyOperation {
        requireNonNull(kind, "kind is null");
        requireNonNull(key, "key is null");
        requireNonNull(value, "value is null");
    }

    public enum Kind {
        /** Overwrite. */
        SET,
        /** Set only if the person has no value for the key. */
        SET_ONCE,
        /** Remove the key. */
        UNSET,
        /** Numeric increment. */
        ADD,
        /** Append to a list (duplicates allowed). */
        APPEND,
        /** Add to a list unless already present. */
        UNION,
        /** Remove every occurrence from a list. */
        REMOVE
    }
}

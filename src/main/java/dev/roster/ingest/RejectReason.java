package dev.roster.ingest;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why one event was dropped. Every reason is counted in the metrics. */
public enum RejectReason {
    INVALID_EVENT,
    MISSING_EVENT_NAME,
    EVENT_NAME_TOO_LONG,
    MISSING_IDENTITY,
    IDENTITY_TOO_LONG,
    INVALID_TIMESTAMP,
    EVENT_TOO_LARGE,
    INVALID_PROPERTIES,
    UNKNOWN_TYPE,
    INVALID_KEY,
    MISSING_KEY;

    /** The snake_case name used in responses ({@code "reason"}) and as the metrics label. */
    @JsonValue
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

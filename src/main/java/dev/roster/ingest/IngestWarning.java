package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

/**
 * Something about an event that was stored, but not quite as sent (e.g. a future timestamp clamped
 * to the receive time), by its index in the request. Reported in the response.
 */
public record IngestWarning(int index, String message) {
    public IngestWarning {
        requireNonNull(message, "message is null");
    }
}

package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

/** One event of a request that was not stored, by its index in the request. */
public record Rejection(int index, RejectReason reason, String message) {
    public Rejection {
        requireNonNull(reason, "reason is null");
        requireNonNull(message, "message is null");
    }
}

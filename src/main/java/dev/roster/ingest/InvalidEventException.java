package dev.roster.ingest;

/** Thrown by parsers for one bad message; the pipeline turns it into a {@link Rejection}. */
public final class InvalidEventException extends RuntimeException {
    private final RejectReason reason;

    public InvalidEventException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}

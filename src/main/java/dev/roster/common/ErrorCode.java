package dev.roster.common;

/**
 * Every error Roster reports to a client. The kind decides the HTTP status; the code is the stable
 * machine-readable name in the JSON body.
 */
public enum ErrorCode {
    INVALID_JSON(Kind.USER),
    INVALID_REQUEST(Kind.USER),
    INVALID_EVENT(Kind.USER),
    INVALID_TIMESTAMP(Kind.USER),
    INVALID_ENCODING(Kind.USER),
    EMPTY_BATCH(Kind.USER),
    UNKNOWN_EVENT(Kind.USER),
    INVALID_POPULATION(Kind.USER),
    INVALID_REPORT(Kind.USER),
    NOT_FOUND(Kind.NOT_FOUND),
    MISSING_KEY(Kind.UNAUTHENTICATED),
    INVALID_KEY(Kind.UNAUTHENTICATED),
    FORBIDDEN(Kind.FORBIDDEN),
    CSRF(Kind.FORBIDDEN),
    PAYLOAD_TOO_LARGE(Kind.TOO_LARGE),
    RATE_LIMITED(Kind.RATE_LIMITED),
    CONFLICT(Kind.CONFLICT),
    DATA_DIRECTORY_LOCKED(Kind.CONFLICT),
    INTERNAL(Kind.INTERNAL);

    public enum Kind {
        USER(400), NOT_FOUND(404), UNAUTHENTICATED(401), FORBIDDEN(403), CONFLICT(409),
        TOO_LARGE(413), RATE_LIMITED(429), INTERNAL(500);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;

    ErrorCode(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

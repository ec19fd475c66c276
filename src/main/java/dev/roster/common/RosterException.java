package dev.roster.common;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** The one exception type Roster throws for anything a client can be told about. */
public class RosterException extends RuntimeException {
    private final ErrorCode code;
    private final String path;

    public RosterException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public RosterException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    private RosterException(ErrorCode code, String message, String path, Throwable cause) {
        super(requireNonNull(message, "message is null"), cause);
        this.code = requireNonNull(code, "code is null");
        this.path = path;
    }

    /** An error about one node of a JSON document, e.g. a population condition. */
    public static RosterException at(ErrorCode code, String path, String message) {
        return new RosterException(code, message, requireNonNull(path, "path is null"), null);
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<String> path() {
        return Optional.ofNullable(path);
    }
}

package dev.roster.ingest;

import java.util.List;
import java.util.Optional;

/**
 * A wire-format request after parsing: the write key it carried, the commands of its valid
 * messages and the rejections of its invalid ones. {@code messages} is how many there were;
 * {@code warnings} name stored events that were changed (e.g. clamped timestamps).
 */
public record ParsedRequest(Optional<String> writeKey, List<Command> commands, List<Rejection> rejections, int messages,
                            List<IngestWarning> warnings) {
    public ParsedRequest {
        commands = List.copyOf(commands);
        rejections = List.copyOf(rejections);
        warnings = List.copyOf(warnings);
    }

    /** A request without warnings. */
    public ParsedRequest(Optional<String> writeKey, List<Command> commands, List<Rejection> rejections, int messages) {
        this(writeKey, commands, rejections, messages, List.of());
    }
}

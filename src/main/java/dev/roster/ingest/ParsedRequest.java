package dev.roster.ingest;

import java.util.List;
import java.util.Optional;

/**
 * A wire-format request after parsing: the write key it carried, the commands of its valid
 * messages and the rejections of its invalid ones. {@code messages} is how many there were.
 */
public record ParsedRequest(Optional<String> writeKey, List<Command> commands, List<Rejection> rejections, int messages) {
    public ParsedRequest {
        commands = List.copyOf(commands);
        rejections = List.copyOf(rejections);
    }
}

package dev.roster.transfer.importing;

import dev.roster.ingest.Command;
import java.util.List;

/**
 * One row of a file after parsing: either the commands it becomes (with how many of them are
 * events) or the reason it was rejected.
 */
record ParsedRow(long line, List<Command> commands, int events, String rejection) {
    static ParsedRow of(long line, List<Command> commands) {
        int events = 0;
        for (Command command : commands) {
            if (command instanceof Command.Track) {
                events++;
            }
        }
        return new ParsedRow(line, List.copyOf(commands), events, null);
    }

    static ParsedRow rejected(long line, String reason) {
        return new ParsedRow(line, List.of(), 0, reason);
    }

    boolean isRejected() {
        return rejection != null;
    }
}

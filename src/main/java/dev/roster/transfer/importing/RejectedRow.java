package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

/** A row that was not imported: its line number in the file (1-based) and why. */
public record RejectedRow(long line, String reason) {
    public RejectedRow {
        requireNonNull(reason, "reason is null");
    }
}

package dev.roster.transfer.importing;

import java.time.Instant;

/**
 * One row of a generic CSV as the bulk import stages it: a flat event, or the reason the row is
 * rejected. Mutable and reused from row to row by one reading thread.
 */
final class StagedEvent {
    long line;
    /** Null for a good row. */
    String rejection;
    String eventId;
    String identity;
    String name;
    /** The stored event time (future times clamped to the time of receipt). */
    Instant timestamp;
    String propertiesJson;
}

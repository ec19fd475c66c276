package dev.roster.ingest;

/** What happened to one request's commands once committed. */
public record IngestOutcome(int stored, int duplicates) {
}

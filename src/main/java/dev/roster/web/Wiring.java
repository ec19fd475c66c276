package dev.roster.web;

import dev.roster.Roster;
import dev.roster.ingest.segment.SegmentFormat;

/** Builds the HTTP handlers from the application's services. */
public final class Wiring {
    private Wiring() {
    }

    public static WebServer.Handlers handlers(Roster roster) {
        SegmentFormat segment = new SegmentFormat(at -> roster.metrics().clampedTimestamps.inc());
        return new WebServer.Handlers(
                roster.metrics(),
                new Auth(roster.projects()),
                new SegmentHandler(segment, roster.ingestion(), roster.clock()),
                new PeopleHandler(roster.people(), roster.peopleSearch(), roster.identityWarnings(), roster.adminMerge()),
                new TransferHandler(roster.importJobs(), roster.peopleExport(), roster.eventsExport(), roster.privacy(),
                        roster.backup(), roster.projects(), roster.config().dataDirectory().resolve("tmp")));
    }
}

package dev.roster.web;

import dev.roster.Roster;
import dev.roster.auth.DashboardSessions;
import dev.roster.auth.LoginRateLimiter;
import dev.roster.ingest.segment.SegmentFormat;
import dev.roster.report.activity.ActivityFeed;
import dev.roster.report.activity.EventNames;
import dev.roster.report.activity.IngestionHealth;

/** Builds the HTTP handlers from the application's services. */
public final class Wiring {
    private Wiring() {
    }

    public static WebServer.Handlers handlers(Roster roster) {
        SegmentFormat segment = new SegmentFormat(at -> roster.metrics().clampedTimestamps.inc());
        DashboardSessions sessions = new DashboardSessions(roster.clock());
        Auth auth = new Auth(roster.projects(), sessions);
        return new WebServer.Handlers(
                roster.metrics(),
                auth,
                new SegmentHandler(segment, roster.ingestion(), roster.clock()),
                new PeopleHandler(roster.people(), roster.peopleSearch(), roster.identityWarnings(), roster.adminMerge()),
                new DashboardHandler(roster.admins(), sessions, new LoginRateLimiter(roster.clock()), roster.projects(), auth),
                new ProjectsHandler(roster.projects()),
                new ActivityHandler(new ActivityFeed(roster.database()),
                        new IngestionHealth(roster.database(), roster.metrics(), roster.clock()),
                        new EventNames(roster.database())));
    }
}

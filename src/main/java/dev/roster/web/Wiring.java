package dev.roster.web;

import dev.roster.Roster;
import dev.roster.auth.DashboardSessions;
import dev.roster.auth.LoginRateLimiter;
import dev.roster.ingest.kissmetrics.KissmetricsFormat;
import dev.roster.ingest.mixpanel.MixpanelFormat;
import dev.roster.ingest.posthog.PosthogFormat;
import dev.roster.ingest.segment.SegmentFormat;
import dev.roster.population.PersonMemberships;
import dev.roster.population.PopulationCsvExport;
import dev.roster.report.activity.ActivityFeed;
import dev.roster.report.activity.EventNames;
import dev.roster.report.activity.IngestionHealth;
import dev.roster.store.DuckDbGroupStore;

/** Builds the HTTP handlers from the application's services. */
public final class Wiring {
    private Wiring() {
    }

    public static WebServer.Handlers handlers(Roster roster) {
        SegmentFormat segment = new SegmentFormat(at -> roster.metrics().clampedTimestamps.inc());
        DuckDbGroupStore groups = new DuckDbGroupStore(roster.database());
        DashboardSessions sessions = new DashboardSessions(roster.clock());
        Auth auth = new Auth(roster.projects(), sessions);
        return new WebServer.Handlers(
                roster.metrics(),
                auth,
                new SegmentHandler(segment, roster.ingestion(), roster.clock()),
                new PeopleHandler(roster.people(), roster.peopleSearch(), roster.identityWarnings(), roster.adminMerge(),
                        roster.populationResolver(), new PersonMemberships(roster.database(), roster.populations())),
                new KissmetricsHandler(new KissmetricsFormat(at -> roster.metrics().clampedTimestamps.inc()),
                        roster.ingestion(), roster.metrics(), roster.clock()),
                new PosthogHandler(new PosthogFormat(at -> roster.metrics().clampedTimestamps.inc()),
                        roster.ingestion(), groups, roster.clock()),
                new MixpanelHandler(new MixpanelFormat(at -> roster.metrics().clampedTimestamps.inc()),
                        roster.ingestion(), groups, roster.clock()),
                new TrackerHandler(),
                new ReportsHandler(roster.reports()),
                new RevenueHandler(roster.revenueSettings(), roster.revenueReport()),
                new GroupsHandler(groups),
                new PopulationHandler(roster.populations(), new PopulationCsvExport(roster.database())),
                new TransferHandler(roster.importJobs(), roster.peopleExport(), roster.eventsExport(), roster.privacy(),
                        roster.backup(), roster.projects(), roster.config().dataDirectory().resolve("tmp")),
                new DashboardHandler(roster.admins(), sessions, new LoginRateLimiter(roster.clock()), roster.projects(), auth),
                new ProjectsHandler(roster.projects()),
                new ActivityHandler(new ActivityFeed(roster.database(), roster.populationResolver()),
                        new IngestionHealth(roster.database(), roster.metrics(), roster.clock()),
                        new EventNames(roster.database())));
    }
}

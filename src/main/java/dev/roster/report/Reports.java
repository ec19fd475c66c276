package dev.roster.report;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.report.funnel.FunnelReport;
import dev.roster.report.retention.RetentionReport;
import dev.roster.report.trends.TrendsReport;
import dev.roster.store.Database;
import java.time.Clock;

/** The reports that count people (SPEC §6.1–6.3), wired together. Thread-safe: each run is independent. */
public final class Reports {
    private final FunnelReport funnel;
    private final RetentionReport retention;
    private final TrendsReport trends;

    public Reports(Database database, PopulationResolver populations, Clock clock) {
        requireNonNull(database, "database is null");
        this.funnel = new FunnelReport(database, populations, clock);
        this.retention = new RetentionReport(database, populations, clock);
        this.trends = new TrendsReport(database, populations, clock);
    }

    public FunnelReport funnel() {
        return funnel;
    }

    public RetentionReport retention() {
        return retention;
    }

    public TrendsReport trends() {
        return trends;
    }
}

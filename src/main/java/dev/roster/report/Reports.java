package dev.roster.report;

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
        ReportContext context = new ReportContext(database, populations, clock);
        this.funnel = new FunnelReport(context);
        this.retention = new RetentionReport(context);
        this.trends = new TrendsReport(context);
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

package dev.roster.report;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What every report that counts people needs (funnel, retention, trends): the database, the event
 * catalog, the population resolver and the clock, plus the population breakdown they share.
 * Immutable and thread-safe.
 */
public final class ReportContext {
    /** The label prefix of the complement group of a single-population breakdown. */
    public static final String NOT_IN = "Not in ";

    private final Database database;
    private final EventCatalog catalog;
    private final PopulationResolver populations;
    private final Clock clock;

    public ReportContext(Database database, PopulationResolver populations, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.catalog = new EventCatalog(database);
        this.populations = requireNonNull(populations, "populations is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Database database() {
        return database;
    }

    public EventCatalog catalog() {
        return catalog;
    }

    public PopulationResolver populations() {
        return populations;
    }

    public Clock clock() {
        return clock;
    }

    /** One group of a population breakdown: its label and the membership condition that selects it. */
    public record PopulationGroup(String label, Population membership) {
        public PopulationGroup {
            requireNonNull(label, "label is null");
            requireNonNull(membership, "membership is null");
        }
    }

    /**
     * The groups of {@code "breakdown": {"populations": [...]}}, in request order: one per
     * population, labelled with its name. A single population is split into members vs
     * non-members, so it also gets the group {@code "Not in <name>"} (everyone else the report
     * counts). Several populations may overlap, so they get no complement. Empty without a
     * population breakdown.
     */
    public List<PopulationGroup> populationGroups(Project project, ReportScope scope) {
        List<String> ids = scope.breakdownPopulations();
        List<PopulationGroup> groups = new ArrayList<>();
        for (String id : ids) {
            groups.add(new PopulationGroup(populations.name(project, id), new Population(id, false)));
        }
        if (ids.size() == 1) {
            groups.add(new PopulationGroup(NOT_IN + groups.get(0).label(), new Population(ids.get(0), true)));
        }
        return groups;
    }

    /** Runs {@code report} once per population group (see {@link #populationGroups}), in order. */
    public <T> List<T> perPopulationGroup(Project project, ReportScope scope, Function<PopulationGroup, T> report) {
        List<T> results = new ArrayList<>();
        for (PopulationGroup group : populationGroups(project, scope)) {
            results.add(report.apply(group));
        }
        return results;
    }
}

package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What every report shares (SPEC §6): the date range in a time zone, person-property filters
 * ({@code "person_where"}), the population filter, the breakdown and whether to list people.
 */
public record ReportScope(DateRange range, List<PropertyFilter> personWhere, Optional<Population> population,
                          Optional<Breakdown> breakdown, boolean people) {
    /** With {@code people}: at most this many person ids per list, in every report. */
    public static final int MAX_PEOPLE = 10_000;

    public ReportScope {
        requireNonNull(range, "range is null");
        personWhere = List.copyOf(personWhere);
        requireNonNull(population, "population is null");
        requireNonNull(breakdown, "breakdown is null");
    }

    public static ReportScope parse(JsonNode body, Project project, Clock clock, boolean eventBreakdownAllowed) {
        Fields.requireObject(body, "body");
        DateRange range = DateRange.parse(body, DateRange.zone(body, project.timeZone()), clock);
        return new ReportScope(range,
                PropertyFilter.parseList(body, "person_where", "person_where"),
                Population.parse(body),
                Breakdown.parse(body, eventBreakdownAllowed),
                Fields.optionalBoolean(body, "people", "people", false));
    }

    /**
     * The person-level conditions on a person key column: person filters, the population and,
     * for a population breakdown group, membership of that population.
     */
    public Fragment personCondition(String personKeyColumn, Project project, PopulationResolver populations,
                                    Optional<Population> group) {
        List<Fragment> parts = new ArrayList<>();
        for (PropertyFilter filter : personWhere) {
            parts.add(filter.onPerson(personKeyColumn, project.key()));
        }
        population.ifPresent(p -> parts.add(p.condition(personKeyColumn, project, populations)));
        group.ifPresent(p -> parts.add(p.condition(personKeyColumn, project, populations)));
        return Fragment.and(parts);
    }

    /** The breakdown other than populations, if any. */
    public Optional<Breakdown> valueBreakdown() {
        return breakdown.filter(b -> !(b instanceof Breakdown.Populations));
    }

    /** The population ids of a population breakdown, else empty. */
    public List<String> breakdownPopulations() {
        return breakdown.filter(b -> b instanceof Breakdown.Populations)
                .map(b -> ((Breakdown.Populations) b).ids()).orElse(List.of());
    }
}

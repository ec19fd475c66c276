package dev.roster.report;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;

/** The resolver used until saved populations exist: every population id is unknown. */
public final class NoPopulations implements PopulationResolver {
    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        throw new RosterException(ErrorCode.NOT_FOUND, "unknown population '" + populationId + "'");
    }

    @Override
    public String name(Project project, String populationId) {
        throw new RosterException(ErrorCode.NOT_FOUND, "unknown population '" + populationId + "'");
    }
}

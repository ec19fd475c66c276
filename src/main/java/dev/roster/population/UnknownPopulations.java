package dev.roster.population;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;

/** The resolver while no population store is wired: every population id is unknown (404). */
public final class UnknownPopulations implements PopulationResolver {
    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        throw new RosterException(ErrorCode.NOT_FOUND, "no population with id '" + populationId + "'");
    }

    @Override
    public String name(Project project, String populationId) {
        throw new RosterException(ErrorCode.NOT_FOUND, "no population with id '" + populationId + "'");
    }
}

package dev.roster.population;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;

/**
 * The resolver used until saved populations exist: every population id is unknown, so a report
 * filtered by one answers 404 naming the id.
 */
public final class UnavailablePopulations implements PopulationResolver {
    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        throw notFound(populationId);
    }

    @Override
    public String name(Project project, String populationId) {
        throw notFound(populationId);
    }

    private static RosterException notFound(String populationId) {
        return new RosterException(ErrorCode.NOT_FOUND, "no population with id '" + populationId + "' in this project");
    }
}

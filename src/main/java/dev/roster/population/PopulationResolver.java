package dev.roster.population;

import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;

/**
 * Turns a saved population into the SQL that selects its members. Reports, people search and
 * exports use this to filter ("in" / "not in") and to break down by membership.
 */
public interface PopulationResolver {

    /**
     * The members of a population of this project, evaluated against current data.
     *
     * @throws dev.roster.common.RosterException NOT_FOUND when the project has no such population
     */
    PersonKeyQuery members(Project project, String populationId);

    /** The display name of a population (for breakdown labels). */
    String name(Project project, String populationId);
}

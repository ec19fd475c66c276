package dev.roster.population;

import static java.util.Objects.requireNonNull;

import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import java.util.HashMap;
import java.util.Map;

/**
 * A resolver for one report run: each population's members are evaluated once, however many
 * queries of the run use them (a breakdown's total and per-value queries, each group of a
 * population breakdown, the people list). {@link PopulationService#members} runs the definition
 * every time it is asked, and one run asking for the same population twice must not pay for it
 * twice, nor see two evaluations taken at different instants.
 *
 * <p>Not thread-safe: one per report run, used by the thread that runs it.
 */
public final class OncePerReport implements PopulationResolver {
    private final PopulationResolver resolver;
    private final Map<String, PersonKeyQuery> members = new HashMap<>();

    public OncePerReport(PopulationResolver resolver) {
        this.resolver = requireNonNull(resolver, "resolver is null");
    }

    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        String key = project.key() + "/" + populationId;
        PersonKeyQuery found = members.get(key);
        if (found == null) {
            found = resolver.members(project, populationId);
            members.put(key, found);
        }
        return found;
    }

    @Override
    public String name(Project project, String populationId) {
        return resolver.name(project, populationId);
    }
}

package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import java.util.Optional;

/**
 * The population filter of a report: {@code "population": "ID"} keeps the members,
 * {@code {"id": "ID", "not": true}} keeps everyone else.
 */
public record Population(String id, boolean not) {
    public Population {
        requireNonNull(id, "id is null");
    }

    public static Optional<Population> parse(JsonNode body) {
        JsonNode node = body.get("population");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(new Population(Fields.name(node.asText(), "population"), false));
        }
        if (node.isObject()) {
            String id = Fields.name(Fields.requireText(node, "id", "population.id"), "population.id");
            return Optional.of(new Population(id, Fields.optionalBoolean(node, "not", "population.not", false)));
        }
        throw Fields.invalid("population", "must be a population id or {\"id\": \"...\", \"not\": true}");
    }

    /** The predicate on a person key column. */
    public Fragment condition(String personKeyColumn, Project project, PopulationResolver resolver) {
        PersonKeyQuery members = resolver.members(project, id);
        return new Fragment(personKeyColumn + (not ? " NOT IN (" : " IN (") + members.sql() + ")", members.parameters());
    }
}

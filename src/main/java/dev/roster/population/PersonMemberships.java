package dev.roster.population;

import static java.util.Objects.requireNonNull;

import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Which saved populations one person belongs to (the person page, SPEC §6.5). Every population
 * is evaluated against current data, like everywhere else, but only for this one person: each
 * membership is an {@code EXISTS} over the population's SQL with the person key as a filter,
 * which DuckDB pushes down into the population's scans. All of them run as one query.
 *
 * <p>Thread safety: stateless.
 */
public final class PersonMemberships {
    private final Database database;
    private final PopulationService populations;

    public PersonMemberships(Database database, PopulationService populations) {
        this.database = requireNonNull(database, "database is null");
        this.populations = requireNonNull(populations, "populations is null");
    }

    /** One population the person is in. */
    public record Membership(String id, String name, String type) {
        public Membership {
            requireNonNull(id, "id is null");
            requireNonNull(name, "name is null");
            requireNonNull(type, "type is null");
        }
    }

    /** The populations a person is in, by name; {@code checked} is how many saved populations there are. */
    public record Memberships(List<Membership> populations, int checked) {
        public Memberships {
            populations = List.copyOf(populations);
        }
    }

    /** {@code personKey} is the surviving key of the person (merged-away keys are already folded by the views). */
    public Memberships find(Project project, long personKey) {
        List<Population> all = populations.list(project, false);
        if (all.isEmpty()) {
            return new Memberships(List.of(), 0);
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        List<Object> parameters = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            PersonKeyQuery members = populations.members(project, all.get(i));
            if (i > 0) {
                sql.append(", ");
            }
            sql.append("EXISTS (SELECT 1 FROM (").append(members.sql()).append(") m WHERE m.person_key = ?)");
            parameters.addAll(members.parameters());
            parameters.add(personKey);
        }
        return database.read(connection -> {
            List<Membership> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    for (int i = 0; i < all.size(); i++) {
                        if (rows.getBoolean(i + 1)) {
                            Population population = all.get(i);
                            found.add(new Membership(population.id(), population.name(), population.type()));
                        }
                    }
                }
            }
            return new Memberships(found, all.size());
        });
    }
}

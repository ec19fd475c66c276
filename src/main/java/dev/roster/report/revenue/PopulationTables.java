package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The populations of one revenue run, each evaluated once into a temporary table of its member
 * keys on the run's connection, and handed to {@link RevenueSql} as {@code SELECT person_key FROM
 * <table>}. A run uses its population in every section and several times within one (the periods
 * query filters the people, the partial months and the payments), and the resolver's answer is a
 * JSON list of up to 250,000 keys bound as a parameter: parsing it cost more than the member query
 * itself (40-60 ms against 10 ms at 90K members on the 1M demo), once per use (BENCHMARKS.md,
 * "Revenue page"). Here the resolver is asked once per population and the list parsed once.
 *
 * <p>Thread safety: confined to the thread that holds the connection; {@link #close} drops the
 * tables (temporary tables are per connection, so runs on other connections never see them).
 */
final class PopulationTables implements PopulationResolver, AutoCloseable {
    private final Connection connection;
    private final PopulationResolver resolver;
    private final Map<String, String> tables = new LinkedHashMap<>();

    private PopulationTables(Connection connection, PopulationResolver resolver) {
        this.connection = requireNonNull(connection, "connection is null");
        this.resolver = requireNonNull(resolver, "resolver is null");
    }

    /**
     * Writes each population's members (as the resolver answered them, before the connection was
     * taken: the resolver may need a connection of its own) into its table.
     */
    static PopulationTables create(Connection connection, Map<String, PersonKeyQuery> members, PopulationResolver resolver)
            throws SQLException {
        PopulationTables result = new PopulationTables(connection, resolver);
        try {
            for (Map.Entry<String, PersonKeyQuery> population : members.entrySet()) {
                String table = "revenue_members_" + result.tables.size();
                result.tables.put(population.getKey(), table);
                try (PreparedStatement statement = connection.prepareStatement("CREATE OR REPLACE TEMPORARY TABLE " + table
                        + " AS SELECT DISTINCT person_key FROM (" + population.getValue().sql() + ")")) {
                    Sql.bind(statement, 1, population.getValue().parameters());
                    statement.execute();
                }
            }
        } catch (SQLException | RuntimeException e) {
            result.close();
            throw e;
        }
        return result;
    }

    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        String table = tables.get(populationId);
        return table == null ? resolver.members(project, populationId) : new PersonKeyQuery("SELECT person_key FROM " + table, List.of());
    }

    @Override
    public String name(Project project, String populationId) {
        return resolver.name(project, populationId);
    }

    /** Drops the tables; a failure to drop one is ignored (the next run on the connection replaces it). */
    @Override
    public void close() {
        for (String table : new ArrayList<>(tables.values())) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS temp." + table);
            } catch (SQLException ignored) {
                // replaced by the next run on this connection
            }
        }
        tables.clear();
    }
}

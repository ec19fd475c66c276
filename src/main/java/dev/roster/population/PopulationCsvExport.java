package dev.roster.population;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueExpression;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Streams a population's members as CSV: id, display name, identities, first/last seen, event
 * count, LTV (the sum of the project's revenue expression, as in the revenue report), then one column per profile property (the {@value #MAX_PROPERTY_COLUMNS} most
 * common among the members). Cells that a spreadsheet would run as a formula (starting with
 * {@code = + - @}, tab or carriage return) are prefixed with {@code '}.
 */
public final class PopulationCsvExport {
    public static final int MAX_PROPERTY_COLUMNS = 50;
    private static final List<String> FIXED = List.of("person_id", "display_name", "identities", "first_seen", "last_seen",
            "event_count", "ltv");

    private final Database database;

    public PopulationCsvExport(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** Writes the members of {@code members}; {@code revenue} is the project's amount expression (LTV sums it). */
    public void write(Project project, PersonKeyQuery members, RevenueExpression revenue, Writer out) {
        database.read(connection -> {
            List<String> properties = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT key FROM person_properties WHERE project_key = ? AND person_key IN (" + members.sql() + ") "
                            + "GROUP BY key ORDER BY count(*) DESC, key LIMIT ?")) {
                List<Object> parameters = new ArrayList<>();
                parameters.add(project.key());
                parameters.addAll(members.parameters());
                parameters.add(MAX_PROPERTY_COLUMNS);
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        properties.add(rows.getString(1));
                    }
                }
            }
            String sql = "WITH m AS (" + members.sql() + "), "
                    + "stats AS (SELECT person_key, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS event_count, "
                    + "coalesce(sum(" + revenue.sql() + "), 0) AS ltv FROM resolved_events "
                    + "WHERE project_key = ? AND person_key IN (SELECT person_key FROM m) GROUP BY person_key), "
                    + "ids AS (SELECT person_key, string_agg(identity, '; ' ORDER BY is_user DESC, created_at, identity) AS identities, "
                    + "arg_max(identity, (is_user, created_at)) AS best, bool_or(is_user) AS identified FROM identities "
                    + "WHERE project_key = ? AND person_key IN (SELECT person_key FROM m) GROUP BY person_key), "
                    + "props AS (SELECT person_key, json_group_object(key, value) AS properties FROM person_properties "
                    + "WHERE project_key = ? AND person_key IN (SELECT person_key FROM m) GROUP BY person_key) "
                    + "SELECT p.person_id, CASE WHEN i.identified THEN i.best "
                    + "ELSE coalesce(json_extract_string(pr.properties, '$.email'), i.best) END, i.identities, "
                    + "s.first_seen, s.last_seen, coalesce(s.event_count, 0), coalesce(s.ltv, 0), pr.properties "
                    + "FROM m JOIN persons p ON p.project_key = ? AND p.person_key = m.person_key "
                    + "LEFT JOIN ids i ON i.person_key = m.person_key LEFT JOIN stats s ON s.person_key = m.person_key "
                    + "LEFT JOIN props pr ON pr.person_key = m.person_key ORDER BY s.last_seen DESC NULLS LAST, m.person_key";
            List<Object> parameters = new ArrayList<>(members.parameters());
            parameters.addAll(revenue.parameters());
            parameters.add(project.key());
            parameters.add(project.key());
            parameters.add(project.key());
            parameters.add(project.key());
            List<String> header = new ArrayList<>(FIXED);
            properties.forEach(property -> header.add(safe(property)));
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery();
                        CSVPrinter csv = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get())) {
                    List<Object> record = new ArrayList<>(header.size());
                    while (rows.next()) {
                        record.clear();
                        record.add(rows.getString(1));
                        record.add(safe(rows.getString(2)));
                        record.add(safe(rows.getString(3)));
                        record.add(iso(Sql.instant(rows, 4)));
                        record.add(iso(Sql.instant(rows, 5)));
                        record.add(rows.getLong(6));
                        record.add(rows.getDouble(7));
                        String json = rows.getString(8);
                        JsonNode values = json == null ? null : Json.parse(json);
                        for (String property : properties) {
                            JsonNode value = values == null ? null : values.get(property);
                            record.add(value == null || value.isNull() ? "" : safe(value.isValueNode() ? value.asText() : value.toString()));
                        }
                        csv.printRecord(record);
                    }
                    csv.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return null;
        });
    }

    /** Neutralises spreadsheet formulas (OWASP "CSV injection"). */
    static String safe(String cell) {
        if (cell == null || cell.isEmpty()) {
            return cell;
        }
        char first = cell.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            return "'" + cell;
        }
        return cell;
    }

    private static String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }
}

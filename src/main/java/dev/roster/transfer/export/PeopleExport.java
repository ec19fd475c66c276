package dev.roster.transfer.export;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.people.PeopleService;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The CRM hand-off (SPEC §7): every person of a project (or of one population) with identities,
 * properties, first/last seen, event and session counts, LTV, acquisition and population
 * memberships, as CSV, JSON or JSONL. One SQL query computes every person's figures at once
 * (first touch with {@code arg_min(properties, ts)}); rows are written as they are read, so the
 * JVM holds one person at a time. The figures are the ones {@link PeopleService#document} gives.
 */
public final class PeopleExport {
    /** Acquisition fields, in output order. */
    public static final List<String> ACQUISITION = List.of("channel", "referrer", "referring_domain", "landing_page",
            "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content");
    /** Every selectable column (plus {@code properties.<key>}). */
    public static final List<String> COLUMNS;
    private static final List<String> JSON_DEFAULT = List.of("id", "display_name", "identities", "properties",
            "first_seen", "last_seen", "event_count", "session_count", "ltv", "acquisition");
    private static final List<String> CSV_DEFAULT = List.of("id", "display_name", "identities", "first_seen", "last_seen",
            "event_count", "session_count", "ltv", "channel", "referrer", "referring_domain", "landing_page",
            "utm_source", "utm_medium", "utm_campaign");
    private static final Set<String> NUMERIC = Set.of("event_count", "session_count", "ltv");
    private static final int MAX_PROPERTY_COLUMNS = 200;

    static {
        List<String> columns = new ArrayList<>(JSON_DEFAULT);
        columns.addAll(ACQUISITION);
        columns.add("populations");
        COLUMNS = List.copyOf(columns);
    }

    private final Database database;
    private final PopulationResolver populations;
    private final RevenueSettings revenue;

    public PeopleExport(Database database, PopulationResolver populations, RevenueSettings revenue) {
        this.database = requireNonNull(database, "database is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.revenue = requireNonNull(revenue, "revenue is null");
    }

    /**
     * What to export. {@code population} keeps only its members; {@code memberships} lists, per
     * person, which of these populations they belong to (column {@code populations}). Empty
     * {@code columns} means the format's default set.
     */
    public record Request(ExportFormat format, Optional<String> population, List<String> memberships,
                          List<String> columns, boolean bom) {
        public Request {
            requireNonNull(format, "format is null");
            requireNonNull(population, "population is null");
            memberships = List.copyOf(memberships);
            columns = List.copyOf(columns);
            if (format == ExportFormat.PARQUET) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "people export formats are csv, json and jsonl");
            }
            for (String column : columns) {
                if (!COLUMNS.contains(column) && !(column.startsWith("properties.") && column.length() > 11)) {
                    throw new RosterException(ErrorCode.INVALID_REQUEST, "unknown column '" + column + "'; columns are "
                            + String.join(", ", COLUMNS) + " and properties.<name>");
                }
            }
        }
    }

    /** One exported person, before formatting. */
    private record Person(String id, String displayName, List<String> identities, ObjectNode properties,
                          Instant firstSeen, Instant lastSeen, long events, long sessions, double ltv,
                          Map<String, String> acquisition, List<String> populations) {
    }

    /** Streams the export to {@code out}; returns how many people were written. */
    public long write(Project project, Request request, OutputStream out) {
        Optional<PersonKeyQuery> filter = request.population().map(id -> populations.members(project, id));
        List<PersonKeyQuery> memberships = new ArrayList<>();
        for (String id : request.memberships()) {
            memberships.add(populations.members(project, id));
        }
        List<String> columns = new ArrayList<>(request.columns());
        if (columns.isEmpty()) {
            columns.addAll(request.format() == ExportFormat.CSV ? CSV_DEFAULT : JSON_DEFAULT);
            if (request.format() == ExportFormat.CSV) {
                propertyKeys(project).forEach(key -> columns.add("properties." + key));
            }
            if (!memberships.isEmpty()) {
                columns.add("populations");
            }
        }
        RowWriter writer = request.format() == ExportFormat.CSV ? new CsvRowWriter(out, columns, request.bom())
                : new JsonRowWriter(out, columns, request.format() == ExportFormat.JSON);
        long[] written = {0};
        RevenueExpression amount = revenue.expression(project);
        database.read(connection -> {
            query(connection, project, amount, filter, memberships, request.memberships(), person -> {
                writer.write(person);
                written[0]++;
            });
            return null;
        });
        writer.finish();
        return written[0];
    }

    private List<String> propertyKeys(Project project) {
        return database.read(connection -> {
            List<String> keys = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT DISTINCT key FROM person_properties WHERE project_key = ? ORDER BY key LIMIT " + MAX_PROPERTY_COLUMNS)) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        keys.add(rows.getString(1));
                    }
                }
            }
            return keys;
        });
    }

    private void query(Connection connection, Project project, RevenueExpression amount, Optional<PersonKeyQuery> filter,
                       List<PersonKeyQuery> memberships, List<String> membershipIds, PersonSink sink) throws SQLException {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        sql.append("WITH people AS (SELECT DISTINCT person_key FROM identities WHERE project_key = ?");
        parameters.add(project.key());
        if (filter.isPresent()) {
            sql.append(" AND person_key IN (").append(filter.get().sql()).append(')');
            parameters.addAll(filter.get().parameters());
        }
        sql.append("), events AS (SELECT person_key, identity, event_id, name, ts, session_id, properties FROM resolved_events "
                + "WHERE project_key = ? AND person_key IN (SELECT person_key FROM people)), ");
        parameters.add(project.key());
        sql.append("identity_stats AS (SELECT person_key, identity, min(ts) AS first_seen, max(ts) AS last_seen "
                + "FROM events GROUP BY person_key, identity), ");
        sql.append("idents AS (SELECT i.person_key, to_json(list({'id': i.identity, 'user': i.is_user, "
                + "'last': strftime(s.last_seen, '%Y-%m-%dT%H:%M:%S.%f')} "
                + "ORDER BY s.first_seen NULLS LAST, i.created_at, i.identity)) AS identities "
                + "FROM identities i LEFT JOIN identity_stats s ON s.person_key = i.person_key AND s.identity = i.identity "
                + "WHERE i.project_key = ? AND i.person_key IN (SELECT person_key FROM people) GROUP BY i.person_key), ");
        parameters.add(project.key());
        sql.append("stats AS (SELECT person_key, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS events, "
                + "count(*) FILTER (WHERE session_start) AS sessions, coalesce(sum(revenue), 0) AS ltv, "
                + "arg_min(properties, ts) AS first_touch FROM (SELECT person_key, ts, properties, ")
                .append(amount.sql()).append(" AS revenue, ").append(Sql.SESSION_START).append(" AS session_start ")
                .append("FROM events WINDOW w AS (PARTITION BY person_key ORDER BY ts, event_id)) GROUP BY person_key), ");
        parameters.addAll(amount.parameters());
        sql.append("props AS (SELECT person_key, '{' || string_agg(to_json(key) || ':' || value, ',' ORDER BY key) || '}' AS properties "
                + "FROM person_properties WHERE project_key = ? AND person_key IN (SELECT person_key FROM people) GROUP BY person_key) ");
        parameters.add(project.key());
        sql.append("SELECT p.person_id, d.identities, r.properties, s.first_seen, s.last_seen, coalesce(s.events, 0), "
                + "coalesce(s.sessions, 0), coalesce(s.ltv, 0), s.first_touch");
        for (PersonKeyQuery membership : memberships) {
            sql.append(", people.person_key IN (").append(membership.sql()).append(')');
            parameters.addAll(membership.parameters());
        }
        sql.append(" FROM people JOIN persons p ON p.project_key = ? AND p.person_key = people.person_key "
                + "LEFT JOIN idents d ON d.person_key = people.person_key "
                + "LEFT JOIN stats s ON s.person_key = people.person_key "
                + "LEFT JOIN props r ON r.person_key = people.person_key "
                + "ORDER BY s.first_seen NULLS LAST, p.person_id");
        parameters.add(project.key());
        try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            Sql.bind(statement, 1, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    sink.accept(person(rows, membershipIds));
                }
            }
        }
    }

    private static Person person(ResultSet rows, List<String> membershipIds) throws SQLException {
        List<String> identities = new ArrayList<>();
        List<String[]> users = new ArrayList<>();
        String identitiesJson = rows.getString(2);
        if (identitiesJson != null) {
            for (JsonNode identity : Json.parse(identitiesJson)) {
                String id = identity.get("id").asText();
                identities.add(id);
                if (identity.get("user").asBoolean()) {
                    JsonNode last = identity.get("last");
                    users.add(new String[] {id, last == null || last.isNull() ? "" : last.asText()});
                }
            }
        }
        String propertiesJson = rows.getString(3);
        ObjectNode properties = propertiesJson == null ? Json.object() : (ObjectNode) Json.parse(propertiesJson);
        String firstTouch = rows.getString(9);
        Map<String, String> acquisition = firstTouch == null ? new LinkedHashMap<>() : PeopleService.acquisition(Json.parse(firstTouch));
        List<String> member = new ArrayList<>();
        for (int i = 0; i < membershipIds.size(); i++) {
            if (rows.getBoolean(10 + i)) {
                member.add(membershipIds.get(i));
            }
        }
        return new Person(rows.getString(1), displayName(identities, users, properties), identities, properties,
                Sql.instant(rows, 4), Sql.instant(rows, 5), rows.getLong(6), rows.getLong(7), rows.getDouble(8),
                acquisition, member);
    }

    /** Latest user id (by last seen), else an email trait, else the first identity: as the person API. */
    private static String displayName(List<String> identities, List<String[]> users, ObjectNode properties) {
        String[] latest = null;
        for (String[] user : users) {
            if (latest == null || user[1].compareTo(latest[1]) > 0) {
                latest = user;
            }
        }
        if (latest != null) {
            return latest[0];
        }
        JsonNode email = properties.get("email");
        if (email != null && email.isTextual() && !email.asText().isBlank()) {
            return email.asText();
        }
        return identities.isEmpty() ? "" : identities.get(0);
    }

    @FunctionalInterface
    private interface PersonSink {
        void accept(Person person) throws SQLException;
    }

    private interface RowWriter {
        void write(Person person);

        void finish();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** The value of one column for CSV: text, or a number. */
    private static Object cell(Person person, String column) {
        switch (column) {
            case "id":
                return person.id();
            case "display_name":
                return person.displayName();
            case "identities":
                return String.join(" ", person.identities());
            case "properties":
                return Json.write(person.properties());
            case "first_seen":
                return iso(person.firstSeen());
            case "last_seen":
                return iso(person.lastSeen());
            case "event_count":
                return person.events();
            case "session_count":
                return person.sessions();
            case "ltv":
                return person.ltv();
            case "acquisition":
                return Json.write(person.acquisition());
            case "populations":
                return String.join(" ", person.populations());
            default:
                if (column.startsWith("properties.")) {
                    JsonNode value = person.properties().get(column.substring(11));
                    return value == null || value.isNull() ? null : value.isValueNode() ? value.asText() : Json.write(value);
                }
                return person.acquisition().get(column);
        }
    }

    private static final class CsvRowWriter implements RowWriter {
        private final Writer writer;
        private final CSVPrinter printer;
        private final List<String> columns;
        private final Object[] values;

        CsvRowWriter(OutputStream out, List<String> columns, boolean bom) {
            this.columns = columns;
            this.values = new Object[columns.size()];
            try {
                writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                if (bom) {
                    writer.write('\uFEFF');
                }
                printer = new CSVPrinter(writer, CSVFormat.DEFAULT);
                List<String> header = new ArrayList<>();
                for (String column : columns) {
                    header.add(CsvCells.text(column));
                }
                printer.printRecord(header);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(Person person) {
            for (int i = 0; i < values.length; i++) {
                Object value = cell(person, columns.get(i));
                values[i] = value instanceof String text && !NUMERIC.contains(columns.get(i)) ? CsvCells.text(text) : value;
            }
            try {
                printer.printRecord(values);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void finish() {
            try {
                printer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class JsonRowWriter implements RowWriter {
        private final JsonGenerator generator;
        private final List<String> columns;
        private final boolean array;

        JsonRowWriter(OutputStream out, List<String> columns, boolean array) {
            this.columns = columns;
            this.array = array;
            try {
                generator = Json.MAPPER.getFactory().createGenerator(out);
                generator.setRootValueSeparator(null);
                if (array) {
                    generator.writeStartArray();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(Person person) {
            ObjectNode row = Json.object();
            Map<String, String> acquisitionFields = new LinkedHashMap<>();
            for (String column : columns) {
                switch (column) {
                    case "identities":
                        person.identities().forEach(row.putArray("identities")::add);
                        break;
                    case "properties":
                        row.set("properties", person.properties());
                        break;
                    case "event_count":
                        row.put(column, person.events());
                        break;
                    case "session_count":
                        row.put(column, person.sessions());
                        break;
                    case "ltv":
                        row.put(column, person.ltv());
                        break;
                    case "acquisition":
                        row.set("acquisition", Json.MAPPER.valueToTree(person.acquisition()));
                        break;
                    case "populations":
                        person.populations().forEach(row.putArray("populations")::add);
                        break;
                    default:
                        if (ACQUISITION.contains(column)) {
                            acquisitionFields.put(column, person.acquisition().get(column));
                        } else if (column.startsWith("properties.")) {
                            JsonNode value = person.properties().get(column.substring(11));
                            row.set(column, value);
                        } else {
                            Object value = cell(person, column);
                            row.put(column, value == null ? null : value.toString());
                        }
                }
            }
            if (!acquisitionFields.isEmpty() && !row.has("acquisition")) {
                row.set("acquisition", Json.MAPPER.valueToTree(acquisitionFields));
            }
            try {
                Json.MAPPER.writeTree(generator, row);
                if (!array) {
                    generator.writeRaw('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void finish() {
            try {
                if (array) {
                    generator.writeEndArray();
                }
                generator.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

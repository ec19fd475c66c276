package dev.roster.transfer.export;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.people.PeopleService;
import dev.roster.people.PersonStats;
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
import java.sql.Statement;
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
 * memberships, as CSV, JSON or JSONL. One SQL query per slice of person keys gives every person
 * in it; the figures (first/last seen, counts, LTV per the project's {@link RevenueSettings revenue
 * settings}, first touch) come from {@link PersonStats}, the person summary plus the uncompacted
 * tail. Rows are written as they are read, so the JVM holds one person at a time. People come in person-key order, which is the order they were
 * first seen by Roster. The figures are the ones {@link PeopleService#document} gives.
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
    /** Person keys per query (see {@link #query}). */
    static final int SLICE_PERSONS = 100_000;

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

    /**
     * Runs the export in slices of {@link #SLICE_PERSONS} consecutive person keys, in key order
     * (the order persons were created). Each slice's query reads only its persons' rows:
     * {@code events_compacted} and {@code person_summary} are sorted by person, so the key range
     * prunes almost every row group, and each slice's aggregates and sorts stay bounded whatever
     * the project's size.
     * Populations are evaluated once into temp tables of this connection.
     */
    private void query(Connection connection, Project project, RevenueExpression amount, Optional<PersonKeyQuery> filter,
                       List<PersonKeyQuery> memberships, List<String> membershipIds, PersonSink sink) throws SQLException {
        List<String> temp = new ArrayList<>();
        try {
            if (filter.isPresent()) {
                temp.add(materialise(connection, "export_filter", filter.get()));
            }
            for (int i = 0; i < memberships.size(); i++) {
                temp.add(materialise(connection, "export_member_" + i, memberships.get(i)));
            }
            long first;
            long last;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT min(person_key), max(person_key) FROM identities WHERE project_key = ?")) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    first = rows.getLong(1);
                    last = rows.getLong(2);
                    if (rows.wasNull()) {
                        return;
                    }
                }
            }
            PersonStats.Options figures = PersonStats.Options.FIGURES.withSessions().withFirstProperties();
            String sql = sliceSql(PersonStats.query(project.key(), amount, figures.between(first, last)).sql(),
                    filter.isPresent(), memberships.size());
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (long from = first; from <= last; from += SLICE_PERSONS) {
                    long to = Math.min(last, from + SLICE_PERSONS - 1);
                    List<Object> parameters = new ArrayList<>();
                    // people
                    parameters.addAll(List.of(project.key(), from, to));
                    // events: stored under a key of the slice, or merged into one (not yet folded)
                    parameters.addAll(List.of(project.key(), from, to, from, to));
                    parameters.addAll(List.of(project.key(), from, to, from, to));
                    // stats (summary + tail), idents, props, persons
                    parameters.addAll(PersonStats.query(project.key(), amount, figures.between(from, to)).parameters());
                    parameters.addAll(List.of(project.key(), from, to));
                    parameters.addAll(List.of(project.key(), from, to));
                    parameters.addAll(List.of(project.key(), from, to));
                    Sql.bind(statement, 1, parameters);
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            sink.accept(person(rows, membershipIds));
                        }
                    }
                }
            }
        } finally {
            for (String table : temp) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE IF EXISTS " + table);
                }
            }
        }
    }

    /** Evaluates a population once into a temp table of person keys; returns its name. */
    private static String materialise(Connection connection, String table, PersonKeyQuery members) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "CREATE OR REPLACE TEMP TABLE " + table + " AS SELECT DISTINCT person_key FROM (" + members.sql() + ") m(person_key)")) {
            Sql.bind(statement, 1, members.parameters());
            statement.execute();
        }
        return table;
    }

    /**
     * The query of one slice of person keys; parameters in the order {@link #query} binds them.
     * The figures come from {@link PersonStats} ({@code stats}, the person summary plus the tail);
     * only the identities' own first and last seen (their order, and the display name) read the
     * events, as narrow rows without JSON.
     */
    private static String sliceSql(String stats, boolean filtered, int memberships) {
        StringBuilder sql = new StringBuilder();
        sql.append("WITH people AS (SELECT DISTINCT person_key FROM identities WHERE project_key = ? AND person_key BETWEEN ? AND ?");
        if (filtered) {
            sql.append(" AND person_key IN (SELECT person_key FROM export_filter)");
        }
        sql.append("), ");
        // Events keep the key they were stored with; unfolded_merges redirects merged-away keys (as
        // resolved_events does). The range filter on the stored key is what prunes the scan.
        sql.append("events AS NOT MATERIALIZED ("
                + "SELECT coalesce(m.to_key, e.person_key) AS person_key, e.identity, e.ts "
                + "FROM all_events e LEFT JOIN unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key "
                + "WHERE e.project_key = ? AND e.person_key BETWEEN ? AND ? AND coalesce(m.to_key, e.person_key) BETWEEN ? AND ? "
                + "UNION ALL "
                + "SELECT m.to_key, e.identity, e.ts "
                + "FROM all_events e JOIN unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key "
                + "WHERE e.project_key = ? AND m.to_key BETWEEN ? AND ? AND NOT (e.person_key BETWEEN ? AND ?)), ");
        sql.append("identity_stats AS (SELECT person_key, identity, min(ts) AS first_seen, max(ts) AS last_seen "
                + "FROM events GROUP BY person_key, identity), ");
        sql.append("stats AS (").append(stats).append("), ");
        // Ordered aggregates (list(... ORDER BY ...)) sort per group and were most of a slice's time;
        // list_sort of structs whose first fields are the sort keys gives the same order.
        sql.append("idents AS (SELECT person_key, to_json(list_transform(list_sort(list({'first_seen': s_first, "
                + "'created_at': created_at, 'id': identity, 'user': is_user, 'last': s_last}), 'ASC', 'NULLS LAST'), "
                + "lambda x: {'id': x.id, 'user': x.user, 'last': strftime(x.last, '%Y-%m-%dT%H:%M:%S.%f')})) AS identities "
                + "FROM (SELECT i.person_key, i.identity, i.is_user, i.created_at, s.first_seen AS s_first, s.last_seen AS s_last "
                + "FROM identities i LEFT JOIN identity_stats s ON s.person_key = i.person_key AND s.identity = i.identity "
                + "WHERE i.project_key = ? AND i.person_key BETWEEN ? AND ?) GROUP BY person_key), ");
        sql.append("props AS (SELECT person_key, '{' || array_to_string(list_transform(list_sort(list({'k': key, 'v': value})), "
                + "lambda x: to_json(x.k) || ':' || CAST(x.v AS VARCHAR)), ',') || '}' AS properties "
                + "FROM person_properties WHERE project_key = ? AND person_key BETWEEN ? AND ? GROUP BY person_key) ");
        sql.append("SELECT p.person_id, d.identities, r.properties, s.first_seen, s.last_seen, coalesce(s.event_count, 0), "
                + "coalesce(s.session_count, 0), coalesce(s.ltv, 0), s.first_properties");
        for (int i = 0; i < memberships; i++) {
            sql.append(", people.person_key IN (SELECT person_key FROM export_member_").append(i).append(')');
        }
        sql.append(" FROM people JOIN persons p ON p.project_key = ? AND p.person_key = people.person_key "
                + "AND p.person_key BETWEEN ? AND ? "
                + "LEFT JOIN idents d ON d.person_key = people.person_key "
                + "LEFT JOIN stats s ON s.person_key = people.person_key "
                + "LEFT JOIN props r ON r.person_key = people.person_key "
                + "ORDER BY people.person_key");
        return sql.toString();
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

package dev.roster.revenue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.PersonSummaryWriter;
import dev.roster.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loads, validates and stores a project's {@link RevenueConfig} in {@code projects.settings}
 * under the key {@code revenue}. Nothing is cached, so every instance sees the latest save.
 *
 * <p>Thread safety: safe for concurrent use; saves are serialised on the writer connection.
 */
public final class RevenueSettings {
    static final Set<String> FIELDS = Set.of("property", "billing_events", "churn_days", "currency");
    private static final int MAX_BILLING_EVENTS = 100;

    private final Database database;

    public RevenueSettings(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    /** The project's configuration, or the defaults when none was saved. */
    public RevenueConfig load(Project project) {
        String settings = database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT json_extract(settings, '$.revenue') FROM projects WHERE project_key = ?")) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getString(1) : null;
                }
            }
        });
        if (settings == null) {
            return RevenueConfig.DEFAULT;
        }
        return parse(Json.parse(settings));
    }

    /**
     * The revenue amounts of {@code person_summary}, read on the writer's connection inside its
     * transaction (compaction, first-start build), so they are the settings committed with it.
     */
    public static PersonSummaryWriter.Amounts summaryAmounts() {
        return (connection, projectKey) -> {
            RevenueConfig config = RevenueConfig.DEFAULT;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT json_extract(settings, '$.revenue') FROM projects WHERE project_key = ?")) {
                statement.setInt(1, projectKey);
                try (ResultSet rows = statement.executeQuery()) {
                    if (rows.next() && rows.getString(1) != null) {
                        config = parse(Json.parse(rows.getString(1)));
                    }
                }
            }
            RevenueExpression expression = RevenueExpression.of(config);
            return new PersonSummaryWriter.Amount(expression.sql(), expression.parameters());
        };
    }

    /** The SQL amount expression of the project's configuration. */
    public RevenueExpression expression(Project project) {
        return RevenueExpression.of(load(project));
    }

    /**
     * Validates a configuration sent by a client against the project's data and stores it. Fields
     * left out take their defaults.
     *
     * @throws RosterException INVALID_REQUEST naming the problem
     */
    public RevenueConfig save(Project project, JsonNode body) {
        RevenueConfig config = parse(body);
        checkNumeric(project, config);
        database.inWriteTransaction("saving revenue settings", connection -> {
            String current;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT CAST(settings AS VARCHAR) FROM projects WHERE project_key = ?")) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        throw new RosterException(ErrorCode.NOT_FOUND, "project '" + project.id() + "' does not exist");
                    }
                    current = rows.getString(1);
                }
            }
            JsonNode parsed = current == null ? Json.object() : Json.parse(current);
            ObjectNode settings = parsed instanceof ObjectNode object ? object : Json.object();
            settings.set("revenue", toJson(config));
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE projects SET settings = ? WHERE project_key = ?")) {
                update.setString(1, Json.write(settings));
                update.setInt(2, project.key());
                update.executeUpdate();
            }
            // The ledger follows the new rule before the save returns (a rebuild when it changed),
            // and person_summary, which stores revenue per these settings, has the project's rows
            // rebuilt in the same transaction, under the writer's monitor (compactions hold it too)
            database.paymentLedger().sync(connection, project.key());
            new PersonSummaryWriter(summaryAmounts()).rebuildRevenue(connection, project.key());
            return null;
        });
        return config;
    }

    static ObjectNode toJson(RevenueConfig config) {
        ObjectNode node = Json.object();
        node.put("property", config.property());
        ArrayNode events = node.putArray("billing_events");
        config.billingEvents().forEach(events::add);
        node.put("churn_days", config.churnDays());
        config.currency().ifPresentOrElse(c -> node.put("currency", c), () -> node.putNull("currency"));
        return node;
    }

    /** Parses and validates the shape of a configuration (not the data). */
    public static RevenueConfig parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw invalid("revenue settings must be a JSON object with \"property\", \"billing_events\", \"churn_days\" and \"currency\"");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw invalid("unknown revenue setting \"" + name + "\"; the settings are " + List.of("property", "billing_events", "churn_days", "currency"));
            }
        }
        String property = RevenueConfig.DEFAULT_PROPERTY;
        JsonNode propertyNode = body.get("property");
        if (propertyNode != null && !propertyNode.isNull()) {
            if (!propertyNode.isTextual()) {
                throw invalid("\"property\" must be the name of an event property, e.g. \"revenue\"");
            }
            property = checkName(propertyNode.asText().trim(), "property");
        }
        List<String> billingEvents = new ArrayList<>();
        JsonNode eventsNode = body.get("billing_events");
        if (eventsNode != null && !eventsNode.isNull()) {
            if (!eventsNode.isArray()) {
                throw invalid("\"billing_events\" must be a list of event names, e.g. [\"Order Completed\"]");
            }
            if (eventsNode.size() > MAX_BILLING_EVENTS) {
                throw invalid("\"billing_events\" may list at most " + MAX_BILLING_EVENTS + " events");
            }
            Set<String> unique = new LinkedHashSet<>();
            for (JsonNode event : eventsNode) {
                if (!event.isTextual() || event.asText().isBlank() || event.asText().length() > 255) {
                    throw invalid("every billing event must be an event name of 1 to 255 characters");
                }
                unique.add(event.asText());
            }
            billingEvents.addAll(unique);
        }
        int churnDays = RevenueConfig.DEFAULT_CHURN_DAYS;
        JsonNode churnNode = body.get("churn_days");
        if (churnNode != null && !churnNode.isNull()) {
            churnDays = churnDays(churnNode);
        }
        Optional<String> currency = Optional.empty();
        JsonNode currencyNode = body.get("currency");
        if (currencyNode != null && !currencyNode.isNull()) {
            if (!currencyNode.isTextual() || !currencyNode.asText().matches("[A-Z]{3}")) {
                throw invalid("\"currency\" must be a three-letter ISO 4217 code such as \"USD\" (a project has one currency)");
            }
            currency = Optional.of(currencyNode.asText());
        }
        return new RevenueConfig(property, billingEvents, churnDays, currency);
    }

    /** A churn period in days: a whole number from 1 to 3650. */
    public static int churnDays(JsonNode node) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw invalid("\"churn_days\" must be a whole number of days, e.g. 30");
        }
        int days = node.asInt();
        if (days <= 0) {
            throw invalid("\"churn_days\" must be at least 1 day (got " + days + "): a customer churns after that many days without a payment");
        }
        if (days > 3650) {
            throw invalid("\"churn_days\" must be at most 3650 days (got " + days + ")");
        }
        return days;
    }

    private static String checkName(String name, String field) {
        if (name.isEmpty() || name.length() > 255) {
            throw invalid("\"" + field + "\" must be 1 to 255 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c == '\\' || Character.isISOControl(c)) {
                throw invalid("\"" + field + "\" may not contain quotes, backslashes or control characters");
            }
        }
        return name;
    }

    /**
     * Refuses a property that the project's (billing) events carry with values that are not
     * numbers. Numeric strings such as "12.50" (KISSmetrics sends every value as text) count as
     * numbers. A property no event carries yet is accepted.
     */
    private void checkNumeric(Project project, RevenueConfig config) {
        List<Object> parameters = new ArrayList<>();
        parameters.add(RevenueExpression.jsonPath(config.property()));
        parameters.add(project.key());
        String names = "";
        if (!config.billingEvents().isEmpty()) {
            names = " AND name IN (" + Sql.placeholders(config.billingEvents().size()) + ")";
            parameters.addAll(config.billingEvents());
        }
        String sql = "SELECT count(*) FILTER (WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL), "
                + "count(*) FILTER (WHERE TRY_CAST(v AS DOUBLE) IS NOT NULL), "
                + "any_value(v) FILTER (WHERE v IS NOT NULL AND TRY_CAST(v AS DOUBLE) IS NULL) "
                + "FROM (SELECT json_extract_string(properties, ?) AS v FROM all_events WHERE project_key = ?" + names + ")";
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    long nonNumeric = rows.getLong(1);
                    long numeric = rows.getLong(2);
                    String example = rows.getString(3);
                    if (nonNumeric > 0) {
                        String shown = example.length() > 60 ? example.substring(0, 60) + "…" : example;
                        throw invalid("the revenue property \"" + config.property() + "\" is not numeric: " + nonNumeric
                                + " of " + (nonNumeric + numeric) + " events carry a value that is not a number, such as \""
                                + shown + "\". Choose a property holding amounts (negative for refunds).");
                    }
                }
            }
            return null;
        });
    }

    private static RosterException invalid(String message) {
        return new RosterException(ErrorCode.INVALID_REQUEST, message);
    }
}

package dev.roster.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Which events of a project carry a revenue amount, and how it is read: the first of
 * {@code properties} whose value casts to a number, on any event or only on {@code billingEvents}.
 * The one definition of an event's amount: the revenue ledger is filled with {@link #amountSql}, and
 * {@code revenue.RevenueExpression} is built from it.
 *
 * @param properties the event properties read, first numeric one wins
 * @param billingEvents when not empty, only these event names carry revenue
 */
public record PaymentRule(List<String> properties, List<String> billingEvents) {
    public static final String DEFAULT_PROPERTY = "revenue";
    /** Read after {@code revenue} when the default property is configured: Segment, then KISSmetrics. */
    public static final List<String> RECOGNISED_ALIASES = List.of("total", "Billing Amount");
    public static final PaymentRule DEFAULT = of(DEFAULT_PROPERTY, List.of());

    public PaymentRule {
        properties = List.copyOf(properties);
        billingEvents = List.copyOf(billingEvents);
        if (properties.isEmpty()) {
            throw new IllegalArgumentException("a payment rule reads at least one property");
        }
    }

    /** The rule of a configured property: the default one also reads the recognised aliases. */
    public static PaymentRule of(String property, List<String> billingEvents) {
        requireNonNull(property, "property is null");
        List<String> read = new ArrayList<>();
        read.add(property);
        if (property.equals(DEFAULT_PROPERTY)) {
            read.addAll(RECOGNISED_ALIASES);
        }
        return new PaymentRule(read, billingEvents);
    }

    /**
     * The rule of a project's stored settings JSON (the whole {@code projects.settings} document;
     * null or without {@code revenue} is the default). The settings were validated when saved.
     */
    static PaymentRule fromSettings(String settings) {
        if (settings == null) {
            return DEFAULT;
        }
        JsonNode revenue = Json.parse(settings).path("revenue");
        if (!revenue.isObject()) {
            return DEFAULT;
        }
        JsonNode property = revenue.path("property");
        List<String> events = new ArrayList<>();
        revenue.path("billing_events").forEach(event -> events.add(event.asText()));
        return of(property.isTextual() ? property.asText() : DEFAULT_PROPERTY, events);
    }

    /** A canonical text of the rule, stored with the ledger it built. */
    String key() {
        ObjectNode node = Json.object();
        ArrayNode read = node.putArray("properties");
        properties.forEach(read::add);
        ArrayNode events = node.putArray("billing_events");
        billingEvents.forEach(events::add);
        return Json.write(node);
    }

    /**
     * Whether an event may carry an amount: a billing event (when those are configured) whose
     * properties text contains one of the quoted property names. Exact for stored properties:
     * Jackson writes them and never escapes the characters a valid property name may hold. The
     * same test as {@link #amountSql}'s guard, so only the events it keeps need their JSON parsed.
     */
    boolean mayPay(String name, String propertiesJson) {
        if (propertiesJson == null || (!billingEvents.isEmpty() && !billingEvents.contains(name))) {
            return false;
        }
        for (String property : properties) {
            if (propertiesJson.contains("\"" + property + "\"")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The SQL amount of the row it is evaluated on (columns {@code properties} and {@code name}):
     * NULL for events that carry no revenue. Property names travel as JSON path parameters
     * ({@link #amountParameters}, in order), never spliced into the SQL. Parsing JSON is the
     * expensive part, so it is only parsed when its text contains one of the quoted names.
     */
    public String amountSql() {
        String guard = String.join(" OR ", Collections.nCopies(properties.size(), "contains(CAST(properties AS VARCHAR), ?)"));
        if (!billingEvents.isEmpty()) {
            guard = "name IN (" + Sql.placeholders(billingEvents.size()) + ") AND (" + guard + ")";
        }
        List<String> reads = Collections.nCopies(properties.size(), "TRY_CAST(json_extract_string(properties, ?) AS DOUBLE)");
        String amount = reads.size() == 1 ? reads.get(0) : "coalesce(" + String.join(", ", reads) + ")";
        return "CASE WHEN " + guard + " THEN " + amount + " END";
    }

    /** The bind parameters of {@link #amountSql}, in order. */
    public List<Object> amountParameters() {
        List<Object> parameters = new ArrayList<>(billingEvents);
        for (String property : properties) {
            parameters.add("\"" + property + "\"");
        }
        for (String property : properties) {
            parameters.add(jsonPath(property));
        }
        return parameters;
    }

    /**
     * The JSON path of a top-level property, quoted so that spaces and dots are part of the name.
     * Names are validated when saved to contain no double quote, backslash or control character.
     */
    public static String jsonPath(String property) {
        return "$.\"" + property + "\"";
    }
}

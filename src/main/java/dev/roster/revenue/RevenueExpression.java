package dev.roster.revenue;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL expression of an event's amount for one project, with its bind parameters in order.
 * It reads the columns {@code properties} and {@code name} of the row it is evaluated on and is
 * NULL for events that carry no revenue. Property names travel as JSON path parameters, never
 * spliced into the SQL.
 */
public record RevenueExpression(String sql, List<Object> parameters) {
    public RevenueExpression {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    /**
     * Builds the expression of a configuration. Parsing JSON is the expensive part of every
     * revenue query, and most events carry no amount, so the JSON is only parsed when its text
     * contains one of the quoted property names. That test is exact for stored properties: they
     * are written by Jackson, which never escapes the characters a valid property name may hold
     * (names with quotes, backslashes or control characters are refused).
     */
    public static RevenueExpression of(RevenueConfig config) {
        List<Object> parameters = new ArrayList<>();
        List<String> guards = new ArrayList<>();
        for (String property : config.readProperties()) {
            guards.add("contains(CAST(properties AS VARCHAR), ?)");
            parameters.add("\"" + property + "\"");
        }
        String guard = String.join(" OR ", guards);
        if (!config.billingEvents().isEmpty()) {
            List<Object> names = new ArrayList<>(config.billingEvents());
            names.addAll(parameters);
            parameters = names;
            guard = "name IN (" + String.join(", ", java.util.Collections.nCopies(config.billingEvents().size(), "?")) + ") AND (" + guard + ")";
        }
        List<String> reads = new ArrayList<>();
        for (String property : config.readProperties()) {
            reads.add("TRY_CAST(json_extract_string(properties, ?) AS DOUBLE)");
            parameters.add(jsonPath(property));
        }
        String amount = reads.size() == 1 ? reads.get(0) : "coalesce(" + String.join(", ", reads) + ")";
        return new RevenueExpression("CASE WHEN " + guard + " THEN " + amount + " END", parameters);
    }

    /**
     * The JSON path of a top-level property, quoted so that spaces and dots are part of the name.
     * Names are validated by {@link RevenueSettings} to contain no double quote or control character.
     */
    public static String jsonPath(String property) {
        return "$.\"" + property + "\"";
    }
}

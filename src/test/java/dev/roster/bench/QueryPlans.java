package dev.roster.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Prints a DuckDB {@code EXPLAIN (ANALYZE, FORMAT JSON)} plan as one line per operator: its time,
 * rows and main details, indented by depth. Operators under {@code minMs} are left out unless they
 * are near the root. Used by the measuring tools under bench/.
 */
public final class QueryPlans {
    private static final String[] DETAILS = {"Table", "Projections", "Aggregates", "Groups", "Conditions", "CTE Name", "Filters",
        "Join Type", "Expression", "Function"};

    private QueryPlans() {
    }

    public static void print(JsonNode plan, double minMs) {
        print(plan, 0, minMs);
    }

    private static void print(JsonNode node, int depth, double minMs) {
        if (node.isArray()) {
            node.forEach(n -> print(n, depth, minMs));
            return;
        }
        if (node.has("operator")) {
            System.out.println("---- plan, bytes read " + node.path("io").path("total_bytes_read"));
            print(node.get("operator"), 0, minMs);
            return;
        }
        String name = node.path("type").asText("");
        double millis = node.path("timing").asDouble() * 1000;
        StringBuilder info = new StringBuilder();
        JsonNode extra = node.path("extra_info");
        for (String key : DETAILS) {
            if (extra.has(key)) {
                String value = extra.get(key).toString();
                info.append(' ').append(key).append('=').append(value.length() > 120 ? value.substring(0, 120) + "…" : value);
            }
        }
        if (!name.isEmpty() && (millis >= minMs || depth < 3)) {
            System.out.printf("%s%-24s %7.1f ms %,12d rows%s%n", "  ".repeat(Math.min(depth, 30)), name, millis,
                    node.path("intermediate_rows").asLong(), info);
        }
        node.path("children").forEach(child -> print(child, depth + 1, minMs));
    }
}

package dev.roster.population;

import java.util.List;

/**
 * SQL for one property comparison (SPEC §6.6) on the text form of a JSON value: strings compare
 * as themselves, numbers and booleans by their JSON text; a number value compares numerically.
 * An absent property is SQL NULL: it satisfies only {@code neq} and {@code is_not_set}.
 */
final class FilterSql {
    private FilterSql() {
    }

    /** A predicate on an event's {@code properties}; the property name travels as a JSON pointer parameter. */
    static void eventProperty(Condition.Filter filter, StringBuilder sql, List<Object> parameters) {
        parameters.add(jsonPointer(filter.property()));
        predicate("json_extract_string(properties, ?)", filter, sql, parameters);
    }

    /**
     * Appends a predicate on {@code text} (an SQL expression whose parameters, if any, were
     * already added to {@code parameters}).
     */
    static void predicate(String text, Condition.Filter filter, StringBuilder sql, List<Object> parameters) {
        Condition.Value value = filter.value().orElse(null);
        switch (filter.op()) {
            case EQ:
                equals(text, value, sql, parameters);
                return;
            case NEQ:
                sql.append("NOT coalesce(");
                equals(text, value, sql, parameters);
                sql.append(", false)");
                return;
            case CONTAINS:
                sql.append("contains(").append(text).append(", ?)");
                parameters.add(value.text());
                return;
            case STARTS_WITH:
                sql.append("starts_with(").append(text).append(", ?)");
                parameters.add(value.text());
                return;
            case ENDS_WITH:
                sql.append("suffix(").append(text).append(", ?)");
                parameters.add(value.text());
                return;
            case GT:
            case LT:
                String op = filter.op() == Condition.FilterOp.GT ? " > ?" : " < ?";
                if (value.isNumber()) {
                    sql.append("TRY_CAST(").append(text).append(" AS DOUBLE)").append(op);
                    parameters.add(value.number());
                } else {
                    sql.append(text).append(op);
                    parameters.add(value.text());
                }
                return;
            case IS_SET:
                sql.append(text).append(" IS NOT NULL");
                return;
            case IS_NOT_SET:
                sql.append(text).append(" IS NULL");
                return;
            default:
                throw new IllegalArgumentException("unknown operator " + filter.op());
        }
    }

    private static void equals(String text, Condition.Value value, StringBuilder sql, List<Object> parameters) {
        if (value.isNumber()) {
            sql.append("TRY_CAST(").append(text).append(" AS DOUBLE) = ?");
            parameters.add(value.number());
        } else {
            sql.append(text).append(" = ?");
            parameters.add(value.isText() ? value.text() : String.valueOf(value.bool()));
        }
    }

    /** RFC 6901: the whole name is one key, whatever characters it holds. */
    static String jsonPointer(String property) {
        return "/" + property.replace("~", "~0").replace("/", "~1");
    }
}

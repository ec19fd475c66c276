package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One condition on a property: {@code {"property": "plan", "op": "eq", "value": "pro"}}. Used for
 * event properties ({@code where}) and person properties ({@code person_where}).
 *
 * <p>Semantics: values are compared as text, except that a numeric {@code value} compares
 * numerically for eq/neq and always for gt/lt. {@code contains} is case-insensitive. {@code neq}
 * and {@code is_not_set} also match when the property is absent. {@code in} takes an array.
 */
public record PropertyFilter(String property, Op op, Optional<JsonNode> value) {
    public static final int MAX_FILTERS = 20;
    public static final int MAX_IN_VALUES = 1_000;

    /** The operators. */
    public enum Op { EQ, NEQ, CONTAINS, GT, LT, IS_SET, IS_NOT_SET, IN }

    public PropertyFilter {
        requireNonNull(property, "property is null");
        requireNonNull(op, "op is null");
        requireNonNull(value, "value is null");
    }

    /** Parses a {@code where} array at {@code path}. */
    public static List<PropertyFilter> parseList(JsonNode parent, String name, String path) {
        JsonNode array = Fields.optionalArray(parent, name, path);
        if (array.size() > MAX_FILTERS) {
            throw Fields.invalid(path, "at most " + MAX_FILTERS + " filters");
        }
        List<PropertyFilter> filters = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            filters.add(parse(array.get(i), path + "[" + i + "]"));
        }
        return List.copyOf(filters);
    }

    static PropertyFilter parse(JsonNode node, String path) {
        Fields.requireObject(node, path);
        String property = Fields.propertyName(Fields.requireText(node, "property", path + ".property"), path + ".property");
        Op op = Fields.optionalEnum(node, "op", path + ".op", Op.class, null);
        if (op == null) {
            throw Fields.invalid(path + ".op", "is required (eq, neq, contains, gt, lt, is_set, is_not_set, in)");
        }
        JsonNode value = node.get("value");
        String valuePath = path + ".value";
        if (op == Op.IS_SET || op == Op.IS_NOT_SET) {
            return new PropertyFilter(property, op, Optional.empty());
        }
        if (value == null || value.isNull()) {
            throw Fields.invalid(valuePath, "is required for op " + op.name().toLowerCase(Locale.ROOT));
        }
        if (op == Op.GT || op == Op.LT) {
            if (!value.isNumber()) {
                throw Fields.invalid(valuePath, "must be a number for op " + op.name().toLowerCase(Locale.ROOT));
            }
        } else if (op == Op.IN) {
            if (!value.isArray() || value.isEmpty()) {
                throw Fields.invalid(valuePath, "must be a non-empty array for op in");
            }
            if (value.size() > MAX_IN_VALUES) {
                throw Fields.invalid(valuePath, "at most " + MAX_IN_VALUES + " values");
            }
            for (JsonNode element : value) {
                if (!element.isValueNode() || element.isNull()) {
                    throw Fields.invalid(valuePath, "must hold strings, numbers or booleans");
                }
            }
        } else if (!value.isValueNode()) {
            throw Fields.invalid(valuePath, "must be a string, number or boolean");
        }
        return new PropertyFilter(property, op, Optional.of(value));
    }

    /** The JSON path of the property, passed as a bind parameter. */
    public String jsonPath() {
        return jsonPath(property);
    }

    public static String jsonPath(String property) {
        return "$.\"" + property + "\"";
    }

    /**
     * The condition on a text expression holding the property's value (NULL when absent), e.g.
     * {@code json_extract_string(properties, ?)} with the path parameter already bound by the caller.
     */
    public Fragment condition(Fragment text) {
        Fragment.Builder b = new Fragment.Builder();
        JsonNode v = value.orElse(null);
        switch (op) {
            case IS_SET:
                return b.add(text).sql(" IS NOT NULL").build();
            case IS_NOT_SET:
                return b.add(text).sql(" IS NULL").build();
            case GT:
                return b.sql("TRY_CAST(").add(text).param(" AS DOUBLE) > ?", v.asDouble()).build();
            case LT:
                return b.sql("TRY_CAST(").add(text).param(" AS DOUBLE) < ?", v.asDouble()).build();
            case CONTAINS:
                return b.sql("strpos(lower(").add(text).param("), lower(?)) > 0", v.asText()).build();
            case EQ:
                return equality(text, v);
            case NEQ:
                return b.sql("NOT coalesce(").add(equality(text, v)).sql(", FALSE)").build();
            case IN:
                b.sql("(");
                for (int i = 0; i < v.size(); i++) {
                    if (i > 0) {
                        b.sql(" OR ");
                    }
                    b.add(equality(text, v.get(i)));
                }
                return b.sql(")").build();
            default:
                throw new IllegalStateException("unknown op " + op);
        }
    }

    private static Fragment equality(Fragment text, JsonNode v) {
        Fragment.Builder b = new Fragment.Builder();
        if (v.isNumber()) {
            return b.sql("TRY_CAST(").add(text).param(" AS DOUBLE) = ?", v.asDouble()).build();
        }
        return b.add(text).param(" = ?", v.asText()).build();
    }

    /** The condition on an event's {@code properties} JSON column ({@code alias.properties}). */
    public Fragment onEvent(String column) {
        return condition(Fragment.of("json_extract_string(" + column + ", ?)", jsonPath()));
    }

    /**
     * The condition on the person, as a predicate on a person key column: a semi-join against
     * {@code person_properties}. Negative operators (neq, is_not_set) also match persons without
     * the property.
     */
    public Fragment onPerson(String personKeyColumn, int projectKey) {
        Fragment text = Fragment.of("json_extract_string(pp.value, '$')");
        boolean negative = op == Op.NEQ || op == Op.IS_NOT_SET;
        Fragment positive;
        if (op == Op.NEQ) {
            positive = new PropertyFilter(property, Op.EQ, value).condition(text);
        } else if (op == Op.IS_NOT_SET) {
            positive = new PropertyFilter(property, Op.IS_SET, value).condition(text);
        } else {
            positive = condition(text);
        }
        return new Fragment.Builder()
                .sql(personKeyColumn).sql(negative ? " NOT IN " : " IN ")
                .param("(SELECT pp.person_key FROM person_properties pp WHERE pp.project_key = ? AND pp.key = ? AND ",
                        projectKey, property)
                .add(positive).sql(")")
                .build();
    }
}

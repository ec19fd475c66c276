package dev.roster.population;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses and validates a population definition (SPEC §10). Every error is a 400
 * {@code invalid_population} whose {@code path} is the JSON path of the offending node, e.g.
 * {@code $.all[1].any[0]} or {@code $.all[0].count.value} for a field of a condition.
 *
 * <p>Checks, in document order: the shape of every node (known keys only), known operators and
 * units, counts ≥ 0, windows that make sense, size limits; then the rules of SPEC §6.6 (see
 * {@link PopulationRules}).
 */
public final class DefinitionParser {
    /** Nesting of AND/OR groups, the root group included. */
    public static final int MAX_DEPTH = 5;
    /** Conditions (leaves) in one definition. */
    public static final int MAX_CONDITIONS = 50;
    /** Event-property filters on one condition. */
    public static final int MAX_FILTERS = 10;
    public static final int MAX_NAME_LENGTH = 255;
    private static final long MAX_COUNT = 1_000_000_000L;
    private static final long MAX_WINDOW_DAYS = 36_600;

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "did", Set.of("did", "where", "count", "within", "before_first"),
            "did_not", Set.of("did_not", "where", "count", "within"),
            "first_did", Set.of("first_did", "where", "within"),
            "property", Set.of("property", "op", "value"),
            "ltv", Set.of("ltv"),
            "identity", Set.of("identity"));
    private static final List<String> KINDS = List.of("all", "any", "did", "did_not", "first_did", "property", "ltv", "identity");
    private static final Map<String, ChronoUnit> UNITS = Map.of("hour", ChronoUnit.HOURS, "day", ChronoUnit.DAYS, "week", ChronoUnit.WEEKS);

    private final ZoneId zone;
    private int conditions;

    private DefinitionParser(ZoneId zone) {
        this.zone = requireNonNull(zone, "zone is null");
    }

    /**
     * Parses {@code definition} and applies every validation rule.
     *
     * @param zone the project's time zone: dates in {@code within.from/to} are its calendar days
     */
    public static Condition parse(JsonNode definition, ZoneId zone) {
        Condition condition = parseStructure(definition, zone);
        PopulationRules.check(condition);
        return condition;
    }

    /** Parses the shape only, without the positive-condition rules (tests build any tree). */
    static Condition parseStructure(JsonNode definition, ZoneId zone) {
        if (definition == null || definition.isNull() || definition.isMissingNode()) {
            throw RosterException.at(ErrorCode.INVALID_POPULATION, "$", "the definition is missing: send {\"all\": [conditions]}");
        }
        return new DefinitionParser(zone).node(definition, "$", 1);
    }

    private Condition node(JsonNode node, String path, int depth) {
        if (!node.isObject()) {
            throw error(path, "a condition must be a JSON object like {\"did\": \"Signed Up\"} or a group {\"all\": [...]}");
        }
        List<String> present = new ArrayList<>();
        for (String kind : KINDS) {
            if (node.has(kind)) {
                present.add(kind);
            }
        }
        if (present.isEmpty()) {
            throw error(path, "unknown condition with fields " + fieldNames(node) + "; a condition has one of " + KINDS);
        }
        if (present.size() > 1) {
            throw error(path, "a condition has exactly one of " + KINDS + ", this one has " + present
                    + "; combine conditions with {\"all\": [...]} or {\"any\": [...]}");
        }
        String kind = present.get(0);
        if (kind.equals("all") || kind.equals("any")) {
            return group(node, kind, path, depth);
        }
        checkFields(node, kind, path);
        if (++conditions > MAX_CONDITIONS) {
            throw error(path, "a population may have at most " + MAX_CONDITIONS + " conditions");
        }
        switch (kind) {
            case "did":
            case "did_not":
                return event(node, kind, path);
            case "first_did":
                return new Condition.FirstDid(name(node.get(kind), path + "." + kind, "event name"),
                        filters(node, path), window(node, path));
            case "property":
                return new Condition.PersonProperty(filter(node, path));
            case "ltv":
                return ltv(node.get("ltv"), path + ".ltv");
            default:
                return new Condition.IdentityIs(name(node.get("identity"), path + ".identity", "identity"));
        }
    }

    private Condition group(JsonNode node, String kind, String path, int depth) {
        if (node.size() != 1) {
            throw error(path, "a group has only \"" + kind + "\", found " + fieldNames(node));
        }
        if (depth > MAX_DEPTH) {
            throw error(path, "groups may be nested at most " + MAX_DEPTH + " deep");
        }
        JsonNode children = node.get(kind);
        String childrenPath = path + "." + kind;
        if (!children.isArray()) {
            throw error(childrenPath, "\"" + kind + "\" must be a list of conditions");
        }
        if (children.isEmpty()) {
            throw error(childrenPath, "\"" + kind + "\" needs at least one condition");
        }
        List<Condition> parsed = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            parsed.add(node(children.get(i), childrenPath + "[" + i + "]", depth + 1));
        }
        return new Condition.Group(kind.equals("all"), parsed);
    }

    private Condition event(JsonNode node, String kind, String path) {
        String event = name(node.get(kind), path + "." + kind, "event name");
        List<Condition.Filter> where = filters(node, path);
        Condition.Count count = count(node, path);
        if (node.has("before_first")) {
            if (node.has("within")) {
                throw error(path + ".within", "a before_first sequence counts every event before the first \""
                        + node.get("before_first").asText() + "\"; it takes no \"within\"");
            }
            return new Condition.Sequence(event, where, count,
                    name(node.get("before_first"), path + ".before_first", "event name"));
        }
        return new Condition.Did(kind.equals("did_not"), event, where, count, window(node, path));
    }

    private Condition.Count count(JsonNode node, String path) {
        JsonNode count = node.get("count");
        if (count == null || count.isNull()) {
            return Condition.Count.AT_LEAST_ONCE;
        }
        String countPath = path + ".count";
        if (!count.isObject()) {
            throw error(countPath, "count must be {\"op\": \"gte|lte|eq\", \"value\": N}");
        }
        onlyFields(count, Set.of("op", "value"), countPath);
        String op = text(count.get("op"), countPath + ".op", "gte|lte|eq");
        Condition.CountOp countOp;
        switch (op) {
            case "gte":
                countOp = Condition.CountOp.GTE;
                break;
            case "lte":
                countOp = Condition.CountOp.LTE;
                break;
            case "eq":
                countOp = Condition.CountOp.EQ;
                break;
            default:
                throw error(countPath + ".op", "unknown count operator '" + op + "'; use gte, lte or eq");
        }
        JsonNode value = count.get("value");
        if (value == null || !value.isNumber()) {
            throw error(countPath + ".value", "count value must be a whole number ≥ 0");
        }
        if (!value.isIntegralNumber() && value.doubleValue() != Math.rint(value.doubleValue())) {
            throw error(countPath + ".value", "count value must be a whole number, not " + value.asText());
        }
        if (value.doubleValue() < 0) {
            throw error(countPath + ".value", "count value must be ≥ 0, not " + value.asText());
        }
        if (value.doubleValue() > MAX_COUNT) {
            throw error(countPath + ".value", "count value must be at most " + MAX_COUNT);
        }
        return new Condition.Count(countOp, value.longValue());
    }

    private Optional<Condition.Window> window(JsonNode node, String path) {
        JsonNode within = node.get("within");
        if (within == null || within.isNull()) {
            return Optional.empty();
        }
        String windowPath = path + ".within";
        if (!within.isObject()) {
            throw error(windowPath, "within must be {\"last\": N, \"unit\": \"day\"} or {\"from\": date, \"to\": date}");
        }
        if (within.has("last")) {
            onlyFields(within, Set.of("last", "unit"), windowPath);
            JsonNode last = within.get("last");
            if (!last.isIntegralNumber() || last.longValue() < 1) {
                throw error(windowPath + ".last", "last must be a whole number ≥ 1");
            }
            String unitName = within.has("unit") ? text(within.get("unit"), windowPath + ".unit", "hour|day|week") : "day";
            ChronoUnit unit = UNITS.get(unitName);
            if (unit == null) {
                throw error(windowPath + ".unit", "unknown unit '" + unitName + "'; use hour, day or week");
            }
            if (last.longValue() > MAX_WINDOW_DAYS * 24 / unit.getDuration().toHours()) {
                throw error(windowPath + ".last", "the window may be at most " + MAX_WINDOW_DAYS + " days");
            }
            return Optional.of(new Condition.Last(last.longValue(), unit));
        }
        if (within.has("from") || within.has("to")) {
            onlyFields(within, Set.of("from", "to"), windowPath);
            if (!within.has("from") || !within.has("to")) {
                throw error(windowPath, "a date window needs both \"from\" and \"to\"");
            }
            Instant start = instant(within.get("from"), windowPath + ".from", false);
            Instant end = instant(within.get("to"), windowPath + ".to", true);
            if (!start.isBefore(end)) {
                throw error(windowPath, "\"from\" must be before \"to\"");
            }
            return Optional.of(new Condition.Between(start, end));
        }
        throw error(windowPath, "within must be {\"last\": N, \"unit\": \"day\"} or {\"from\": date, \"to\": date}, found "
                + fieldNames(within));
    }

    /**
     * A date is a calendar day of the project's zone ({@code to} includes the whole day); a
     * timestamp is exact ({@code to} inclusive). Returns the half-open bound.
     */
    private Instant instant(JsonNode node, String path, boolean end) {
        String text = text(node, path, "a date like 2024-01-31 or a timestamp like 2024-01-31T12:00:00Z");
        try {
            if (text.length() == 10) {
                LocalDate date = LocalDate.parse(text);
                return (end ? date.plusDays(1) : date).atStartOfDay(zone).toInstant();
            }
            Instant instant = OffsetDateTime.parse(text).toInstant();
            return end ? instant.plus(1, ChronoUnit.MICROS) : instant;
        } catch (DateTimeParseException e) {
            throw error(path, "'" + text + "' is not a date (2024-01-31) or an ISO-8601 timestamp with offset");
        }
    }

    private List<Condition.Filter> filters(JsonNode node, String path) {
        JsonNode where = node.get("where");
        if (where == null || where.isNull()) {
            return List.of();
        }
        String wherePath = path + ".where";
        if (!where.isArray()) {
            throw error(wherePath, "where must be a list of {\"property\", \"op\", \"value\"} filters");
        }
        if (where.size() > MAX_FILTERS) {
            throw error(wherePath, "at most " + MAX_FILTERS + " filters per condition");
        }
        List<Condition.Filter> filters = new ArrayList<>();
        for (int i = 0; i < where.size(); i++) {
            String filterPath = wherePath + "[" + i + "]";
            JsonNode filter = where.get(i);
            if (!filter.isObject()) {
                throw error(filterPath, "a filter must be {\"property\", \"op\", \"value\"}");
            }
            onlyFields(filter, Set.of("property", "op", "value"), filterPath);
            filters.add(filter(filter, filterPath));
        }
        return filters;
    }

    private Condition.Filter filter(JsonNode node, String path) {
        String property = name(node.get("property"), path + ".property", "property name");
        String opName = text(node.get("op"), path + ".op", "an operator");
        Condition.FilterOp op;
        try {
            op = Condition.FilterOp.valueOf(opName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            op = null;
        }
        if (op == null || !op.jsonName().equals(opName)) {
            throw error(path + ".op", "unknown operator '" + opName
                    + "'; use eq, neq, contains, starts_with, ends_with, gt, lt, is_set or is_not_set");
        }
        JsonNode value = node.get("value");
        String valuePath = path + ".value";
        if (!op.needsValue()) {
            if (value != null && !value.isNull()) {
                throw error(valuePath, op.jsonName() + " takes no value");
            }
            return new Condition.Filter(property, op, Optional.empty());
        }
        if (value == null || value.isNull()) {
            throw error(valuePath, op.jsonName() + " needs a value");
        }
        Condition.Value parsed;
        if (value.isTextual()) {
            if (value.asText().length() > 1000) {
                throw error(valuePath, "a value may be at most 1000 characters");
            }
            parsed = Condition.Value.of(value.asText());
        } else if (value.isNumber()) {
            if (!Double.isFinite(value.doubleValue())) {
                throw error(valuePath, "the value must be a finite number");
            }
            parsed = Condition.Value.of(value.doubleValue());
        } else if (value.isBoolean()) {
            parsed = Condition.Value.of(value.booleanValue());
        } else {
            throw error(valuePath, "the value must be a string, a number or a boolean");
        }
        switch (op) {
            case CONTAINS:
            case STARTS_WITH:
            case ENDS_WITH:
                if (!parsed.isText() || parsed.text().isEmpty()) {
                    throw error(valuePath, op.jsonName() + " needs a non-empty string value");
                }
                break;
            case GT:
            case LT:
                if (!parsed.isText() && !parsed.isNumber()) {
                    throw error(valuePath, op.jsonName() + " needs a number (or a string, compared as text)");
                }
                break;
            default:
                break;
        }
        return new Condition.Filter(property, op, Optional.of(parsed));
    }

    private Condition ltv(JsonNode node, String path) {
        if (!node.isObject()) {
            throw error(path, "ltv must be {\"op\": \"gt|lt\", \"value\": X}");
        }
        onlyFields(node, Set.of("op", "value"), path);
        String op = text(node.get("op"), path + ".op", "gt|lt");
        if (!op.equals("gt") && !op.equals("lt")) {
            throw error(path + ".op", "unknown ltv operator '" + op + "'; use gt or lt");
        }
        JsonNode value = node.get("value");
        if (value == null || !value.isNumber() || !Double.isFinite(value.doubleValue())) {
            throw error(path + ".value", "ltv value must be a number");
        }
        return new Condition.Ltv(op.equals("gt"), value.doubleValue());
    }

    private static String name(JsonNode node, String path, String what) {
        String text = text(node, path, "a " + what);
        if (text.isBlank()) {
            throw error(path, "the " + what + " is empty");
        }
        if (text.length() > MAX_NAME_LENGTH) {
            throw error(path, "the " + what + " may be at most " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw error(path, "the " + what + " contains a control character");
            }
        }
        return text;
    }

    private static String text(JsonNode node, String path, String expected) {
        if (node == null || node.isNull()) {
            throw error(path, "missing: expected " + expected);
        }
        if (!node.isTextual()) {
            throw error(path, "expected " + expected + ", found " + node.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        return node.asText();
    }

    private static void checkFields(JsonNode node, String kind, String path) {
        onlyFields(node, FIELDS.get(kind), path);
    }

    private static void onlyFields(JsonNode node, Set<String> allowed, String path) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw error(path + "." + name, "unknown field \"" + name + "\"; allowed here: " + allowed.stream().sorted().toList());
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static RosterException error(String path, String message) {
        return RosterException.at(ErrorCode.INVALID_POPULATION, path, message);
    }
}

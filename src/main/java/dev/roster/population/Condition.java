package dev.roster.population;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A node of a population definition (SPEC §6.6, §10): an AND/OR group or one condition about a
 * person. Parsed from JSON by {@link DefinitionParser}; compiled to SQL by {@link PopulationCompiler}.
 */
public sealed interface Condition permits Condition.Group, Condition.Did, Condition.Sequence, Condition.FirstDid,
        Condition.PersonProperty, Condition.Ltv, Condition.IdentityIs {

    /** {@code {"all": [...]}} (every child holds) or {@code {"any": [...]}} (at least one holds). */
    record Group(boolean all, List<Condition> children) implements Condition {
        public Group {
            children = List.copyOf(children);
        }

        public String key() {
            return all ? "all" : "any";
        }
    }

    /**
     * {@code {"did": E, ...}}, or with {@code negated} {@code {"did_not": E, ...}}: the number of E
     * events matching {@code where} inside {@code within} satisfies {@code count}.
     */
    record Did(boolean negated, String event, List<Filter> where, Count count, Optional<Window> within) implements Condition {
        public Did {
            requireNonNull(event, "event is null");
            where = List.copyOf(where);
            requireNonNull(count, "count is null");
            requireNonNull(within, "within is null");
        }
    }

    /**
     * {@code {"did": E, "count": ..., "before_first": F}}: the person did F, and the number of E
     * events (matching {@code where}) strictly before their first F satisfies {@code count}.
     */
    record Sequence(String event, List<Filter> where, Count count, String beforeFirst) implements Condition {
        public Sequence {
            requireNonNull(event, "event is null");
            where = List.copyOf(where);
            requireNonNull(count, "count is null");
            requireNonNull(beforeFirst, "beforeFirst is null");
        }
    }

    /** {@code {"first_did": E, "within": ...}}: the person's first E (matching {@code where}) falls in the window. */
    record FirstDid(String event, List<Filter> where, Optional<Window> within) implements Condition {
        public FirstDid {
            requireNonNull(event, "event is null");
            where = List.copyOf(where);
            requireNonNull(within, "within is null");
        }
    }

    /** {@code {"property": P, "op": ..., "value": ...}} on the person's current profile. */
    record PersonProperty(Filter filter) implements Condition {
        public PersonProperty {
            requireNonNull(filter, "filter is null");
        }
    }

    /** {@code {"ltv": {"op": "gt|lt", "value": X}}}: the sum of the person's revenue (0 without any). */
    record Ltv(boolean greater, double value) implements Condition {
    }

    /** {@code {"identity": "ann@example.com"}}: one of the person's identities is exactly this. */
    record IdentityIs(String identity) implements Condition {
        public IdentityIs {
            requireNonNull(identity, "identity is null");
        }
    }

    /** {@code {"op": "gte|lte|eq", "value": N}}; absent means at least once. */
    record Count(CountOp op, long value) {
        public static final Count AT_LEAST_ONCE = new Count(CountOp.GTE, 1);

        public Count {
            requireNonNull(op, "op is null");
        }

        public boolean test(long actual) {
            switch (op) {
                case GTE:
                    return actual >= value;
                case LTE:
                    return actual <= value;
                default:
                    return actual == value;
            }
        }

        /** Whether a person with no matching event at all satisfies this count. */
        public boolean matchesZero() {
            return test(0);
        }
    }

    enum CountOp {
        GTE, LTE, EQ
    }

    /** A property comparison: on an event's properties ({@code where}) or on the profile. */
    record Filter(String property, FilterOp op, Optional<Value> value) {
        public Filter {
            requireNonNull(property, "property is null");
            requireNonNull(op, "op is null");
            requireNonNull(value, "value is null");
        }
    }

    /** A comparison value: text, number or boolean (JSON scalars). */
    record Value(String text, Double number, Boolean bool) {
        public static Value of(String text) {
            return new Value(requireNonNull(text, "text is null"), null, null);
        }

        public static Value of(double number) {
            return new Value(null, number, null);
        }

        public static Value of(boolean bool) {
            return new Value(null, null, bool);
        }

        public boolean isText() {
            return text != null;
        }

        public boolean isNumber() {
            return number != null;
        }
    }

    enum FilterOp {
        EQ, NEQ, CONTAINS, STARTS_WITH, ENDS_WITH, GT, LT, IS_SET, IS_NOT_SET;

        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public boolean needsValue() {
            return this != IS_SET && this != IS_NOT_SET;
        }
    }

    /** When events count: the last N units before now, or between two instants (half-open). */
    sealed interface Window permits Last, Between {
    }

    /** {@code {"last": N, "unit": "hour|day|week"}}: from now − N units to now, both inclusive. */
    record Last(long amount, java.time.temporal.ChronoUnit unit) implements Window {
        public Last {
            requireNonNull(unit, "unit is null");
        }

        public java.time.Duration duration() {
            return unit.getDuration().multipliedBy(amount);
        }
    }

    /** {@code {"from": ..., "to": ...}} resolved to {@code [start, end)}. */
    record Between(java.time.Instant start, java.time.Instant end) implements Window {
        public Between {
            requireNonNull(start, "start is null");
            requireNonNull(end, "end is null");
        }
    }
}

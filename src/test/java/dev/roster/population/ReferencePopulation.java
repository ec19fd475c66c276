package dev.roster.population;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The obviously-correct population evaluator: plain Java over an in-memory history, one person
 * at a time, straight from the definitions in docs/populations.md. The SQL compiler is checked
 * against it.
 */
final class ReferencePopulation {
    /** One event as sent; {@code properties} may be empty. */
    record Event(String identity, String name, Instant ts, ObjectNode properties) {
    }

    /**
     * What the test sent: events, which identities make up each person (after every merge), and
     * each person's final profile.
     */
    record History(List<Event> events, Map<String, String> personOfIdentity, Map<String, Map<String, JsonNode>> profiles) {
        Set<String> persons() {
            return new TreeSet<>(personOfIdentity.values());
        }

        Set<String> identitiesOf(String person) {
            Set<String> identities = new LinkedHashSet<>();
            personOfIdentity.forEach((identity, owner) -> {
                if (owner.equals(person)) {
                    identities.add(identity);
                }
            });
            return identities;
        }
    }

    private final History history;
    private final Instant now;
    private final Optional<Instant> cutoff;
    private final Map<String, List<Event>> eventsByPerson = new LinkedHashMap<>();

    ReferencePopulation(History history, Instant now, Optional<Instant> cutoff) {
        this.history = history;
        this.now = now;
        this.cutoff = cutoff;
        for (String person : history.persons()) {
            eventsByPerson.put(person, new ArrayList<>());
        }
        for (Event event : history.events()) {
            if (cutoff.isPresent() && !event.ts().isBefore(cutoff.get())) {
                continue;
            }
            eventsByPerson.get(history.personOfIdentity().get(event.identity())).add(event);
        }
    }

    /** The members: every person satisfying the condition (as of the cutoff: who had an event before it). */
    Set<String> members(Condition condition) {
        Set<String> members = new TreeSet<>();
        for (String person : history.persons()) {
            if (cutoff.isPresent() && eventsByPerson.get(person).isEmpty()) {
                continue;
            }
            if (holds(condition, person)) {
                members.add(person);
            }
        }
        return members;
    }

    boolean holds(Condition condition, String person) {
        List<Event> events = eventsByPerson.get(person);
        if (condition instanceof Condition.Group group) {
            return group.all()
                    ? group.children().stream().allMatch(c -> holds(c, person))
                    : group.children().stream().anyMatch(c -> holds(c, person));
        }
        if (condition instanceof Condition.Did did) {
            long count = events.stream()
                    .filter(e -> e.name().equals(did.event()) && matchesAll(did.where(), e) && inWindow(did.within(), e.ts()))
                    .count();
            return did.count().test(count) != did.negated();
        }
        if (condition instanceof Condition.Sequence sequence) {
            Optional<Instant> first = events.stream().filter(e -> e.name().equals(sequence.beforeFirst()))
                    .map(Event::ts).min(Instant::compareTo);
            if (first.isEmpty()) {
                return false;
            }
            long count = events.stream()
                    .filter(e -> e.name().equals(sequence.event()) && matchesAll(sequence.where(), e) && e.ts().isBefore(first.get()))
                    .count();
            return sequence.count().test(count);
        }
        if (condition instanceof Condition.FirstDid firstDid) {
            Optional<Instant> first = events.stream().filter(e -> e.name().equals(firstDid.event()) && matchesAll(firstDid.where(), e))
                    .map(Event::ts).min(Instant::compareTo);
            return first.isPresent() && inWindow(firstDid.within(), first.get());
        }
        if (condition instanceof Condition.PersonProperty property) {
            JsonNode value = history.profiles().getOrDefault(person, Map.of()).get(property.filter().property());
            return matches(property.filter(), text(value));
        }
        if (condition instanceof Condition.Ltv ltv) {
            double sum = 0;
            for (Event event : events) {
                Double revenue = number(text(event.properties().get("revenue")));
                if (revenue != null) {
                    sum += revenue;
                }
            }
            return ltv.greater() ? sum > ltv.value() : sum < ltv.value();
        }
        if (condition instanceof Condition.IdentityIs identity) {
            return history.identitiesOf(person).contains(identity.identity());
        }
        throw new IllegalArgumentException(condition.toString());
    }

    private boolean inWindow(Optional<Condition.Window> window, Instant ts) {
        if (window.isEmpty()) {
            return true;
        }
        if (window.get() instanceof Condition.Last last) {
            Instant start = now.minus(last.unit().getDuration().multipliedBy(last.amount()));
            return !ts.isBefore(start) && !ts.isAfter(now);
        }
        Condition.Between between = (Condition.Between) window.get();
        return !ts.isBefore(between.start()) && ts.isBefore(between.end());
    }

    private static boolean matchesAll(List<Condition.Filter> filters, Event event) {
        return filters.stream().allMatch(f -> matches(f, text(event.properties().get(f.property()))));
    }

    /** The filter on a value's text form; {@code null} is an absent property. */
    static boolean matches(Condition.Filter filter, String text) {
        Condition.Value value = filter.value().orElse(null);
        switch (filter.op()) {
            case EQ:
                return equal(text, value);
            case NEQ:
                return !equal(text, value);
            case CONTAINS:
                return text != null && text.contains(value.text());
            case STARTS_WITH:
                return text != null && text.startsWith(value.text());
            case ENDS_WITH:
                return text != null && text.endsWith(value.text());
            case GT:
            case LT:
                int sign = filter.op() == Condition.FilterOp.GT ? 1 : -1;
                if (value.isNumber()) {
                    Double number = number(text);
                    return number != null && Double.compare(number, value.number()) * sign > 0 && !number.equals(value.number());
                }
                return text != null && Integer.signum(text.compareTo(value.text())) == sign;
            case IS_SET:
                return text != null;
            case IS_NOT_SET:
                return text == null;
            default:
                throw new IllegalArgumentException(filter.toString());
        }
    }

    private static boolean equal(String text, Condition.Value value) {
        if (text == null) {
            return false;
        }
        if (value.isNumber()) {
            Double number = number(text);
            return number != null && number.doubleValue() == value.number();
        }
        return text.equals(value.isText() ? value.text() : String.valueOf(value.bool()));
    }

    /** A JSON value as text, the way a JSON scalar reads as a string; null for absent or JSON null. */
    static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value.isNumber()) {
            return Double.toString(value.doubleValue());
        }
        if (value.isBoolean()) {
            return String.valueOf(value.booleanValue());
        }
        return value.toString();
    }

    static Double number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }
}

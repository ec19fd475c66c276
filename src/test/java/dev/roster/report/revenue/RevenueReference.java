package dev.roster.report.revenue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.attribution.ChannelRules;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An obviously correct, in-memory revenue report over events whose person is already known. It
 * follows docs/revenue.md line by line, with loops instead of SQL.
 *
 * <p>Filters and breakdowns: {@link #only} keeps or drops whole persons (person filters,
 * populations, person-level breakdown groups); {@link #view} restricts the events that
 * <em>count</em> (event filters, one value of an event-level breakdown). First seen and first
 * touch always come from all of a person's events; amounts and activity from the counted ones; a
 * person takes part in the lifetime figures when at least one of their events counts.
 */
final class RevenueReference {
    /** One stored event, with the person it belongs to after every merge. */
    record Event(String person, Instant ts, String name, ObjectNode properties) {
        /** Default configuration: revenue, else total, else Billing Amount; first numeric wins. */
        Double amount() {
            for (String property : List.of("revenue", "total", "Billing Amount")) {
                JsonNode value = properties.get(property);
                if (value == null || value.isNull() || value.isContainerNode()) {
                    continue;
                }
                try {
                    return Double.parseDouble(value.asText().trim());
                } catch (NumberFormatException e) {
                    // not a number: try the next property
                }
            }
            return null;
        }

        String text(String property) {
            JsonNode value = properties.get(property);
            return value == null || value.isNull() ? null : value.asText();
        }
    }

    record Totals(double revenue, double refunds, Set<String> paying, Set<String> active) {
    }

    record Group(String value, Set<String> people, Set<String> paying, double revenue) {
    }

    record Curve(String cohort, Set<String> people, Map<Integer, Double> ltvAt) {
    }

    private final List<Event> events;
    private final ZoneId zone;
    private final Instant now;

    RevenueReference(List<Event> events, ZoneId zone, Instant now) {
        this.events = List.copyOf(events);
        this.zone = zone;
        this.now = now;
    }

    /** The report over the given persons only (or everyone else). */
    RevenueReference only(Set<String> persons, boolean negated) {
        return new RevenueReference(events.stream().filter(e -> persons.contains(e.person()) != negated).toList(), zone, now);
    }

    /** The report where only events passing {@code counts} count. */
    View view(Predicate<Event> counts) {
        return new View(counts);
    }

    /** Everything counts. */
    View all() {
        return new View(e -> true);
    }

    /**
     * One view per value of {@code value} over the events passing {@code keep}: the breakdown. For a
     * person-level value, {@code value} gives every event of a person the person's value.
     */
    Map<String, View> split(Predicate<Event> keep, Function<Event, String> value) {
        Set<String> values = new HashSet<>();
        events.stream().filter(keep).forEach(e -> values.add(value.apply(e)));
        Map<String, View> views = new HashMap<>();
        for (String v : values) {
            views.put(v, new View(e -> keep.test(e) && Objects.equals(value.apply(e), v)));
        }
        return views;
    }

    Instant start(LocalDate from) {
        return from.atStartOfDay(zone).toInstant();
    }

    Instant end(LocalDate to) {
        return to.plusDays(1).atStartOfDay(zone).toInstant();
    }

    private Map<String, List<Event>> byPerson() {
        Map<String, List<Event>> byPerson = new HashMap<>();
        for (Event event : events) {
            byPerson.computeIfAbsent(event.person(), k -> new ArrayList<>()).add(event);
        }
        byPerson.values().forEach(list -> list.sort(Comparator.comparing(Event::ts)));
        return byPerson;
    }

    static double ltv(List<Event> events) {
        return events.stream().map(Event::amount).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    }

    static boolean paying(List<Event> events) {
        return events.stream().map(Event::amount).anyMatch(a -> a != null && a > 0);
    }

    /** A person's first-touch value: the earliest of all their events. */
    String groupValue(RevenueRequest.GroupBy groupBy, Event first) {
        switch (groupBy) {
            case CHANNEL:
                return channel(first);
            case REFERRING_DOMAIN:
                return ChannelRules.referringDomain(Optional.ofNullable(first.text("referrer"))).orElse(null);
            case COHORT_MONTH:
                return YearMonth.from(first.ts().atZone(zone)).toString();
            case UTM_SOURCE:
            case UTM_CAMPAIGN:
                String value = first.text(groupBy == RevenueRequest.GroupBy.UTM_SOURCE ? "utm_source" : "utm_campaign");
                return value == null || value.isBlank() ? null : value;
            default:
                throw new IllegalArgumentException(groupBy.toString());
        }
    }

    static String channel(Event first) {
        Optional<String> medium = Optional.ofNullable(first.text("utm_medium")).filter(v -> !v.isBlank());
        Optional<String> referrer = Optional.ofNullable(first.text("referrer")).filter(v -> !v.isBlank());
        boolean clickId = List.of("gclid", "fbclid", "msclkid").stream()
                .anyMatch(p -> first.text(p) != null && !first.text(p).isBlank());
        return ChannelRules.classify(new ChannelRules.Touch(medium, referrer, clickId)).label();
    }

    /** Person -> their first event over all of their events. */
    Map<String, Event> firstEvents() {
        Map<String, Event> first = new HashMap<>();
        byPerson().forEach((person, list) -> first.put(person, list.get(0)));
        return first;
    }

    /** The figures when only some events count. */
    final class View {
        private final Predicate<Event> counts;

        View(Predicate<Event> counts) {
            this.counts = counts;
        }

        private List<Event> inRange(LocalDate from, LocalDate to) {
            return events.stream().filter(counts)
                    .filter(e -> !e.ts().isBefore(start(from)) && e.ts().isBefore(end(to))).toList();
        }

        Totals totals(LocalDate from, LocalDate to) {
            return totalsOf(inRange(from, to));
        }

        private Totals totalsOf(List<Event> list) {
            double revenue = 0;
            double refunds = 0;
            Set<String> paying = new TreeSet<>();
            Set<String> active = new TreeSet<>();
            for (Event event : list) {
                active.add(event.person());
                Double amount = event.amount();
                if (amount == null) {
                    continue;
                }
                revenue += amount;
                if (amount < 0) {
                    refunds -= amount;
                }
                if (amount > 0) {
                    paying.add(event.person());
                }
            }
            return new Totals(revenue, refunds, paying, active);
        }

        /** Period start day -> totals of that period, for the periods that have counted events. */
        Map<String, Totals> periods(LocalDate from, LocalDate to, RevenueRequest.Interval interval) {
            Map<String, List<Event>> byPeriod = new TreeMap<>();
            for (Event event : inRange(from, to)) {
                LocalDate day = LocalDate.ofInstant(event.ts(), zone);
                byPeriod.computeIfAbsent(interval.start(day).toString(), k -> new ArrayList<>()).add(event);
            }
            Map<String, Totals> result = new TreeMap<>();
            byPeriod.forEach((start, list) -> result.put(start, totalsOf(list)));
            return result;
        }

        /**
         * The people first seen (over all their events) in the range who have at least one
         * counted event, each with their counted events in time order.
         */
        Map<String, List<Event>> acquired(LocalDate from, LocalDate to) {
            Map<String, List<Event>> acquired = new HashMap<>();
            byPerson().forEach((person, list) -> {
                Instant first = list.get(0).ts();
                List<Event> counted = list.stream().filter(counts).toList();
                if (!first.isBefore(start(from)) && first.isBefore(end(to)) && !counted.isEmpty()) {
                    acquired.put(person, counted);
                }
            });
            return acquired;
        }

        Map<String, Group> groups(LocalDate from, LocalDate to, RevenueRequest.GroupBy groupBy) {
            Map<String, Event> first = firstEvents();
            Map<String, Group> groups = new HashMap<>();
            acquired(from, to).forEach((person, list) -> {
                String value = groupValue(groupBy, first.get(person));
                Group old = groups.getOrDefault(value, new Group(value, new TreeSet<>(), new TreeSet<>(), 0));
                old.people().add(person);
                if (paying(list)) {
                    old.paying().add(person);
                }
                groups.put(value, new Group(value, old.people(), old.paying(), old.revenue() + ltv(list)));
            });
            return groups;
        }

        Set<String> churned(LocalDate from, LocalDate to, int churnDays) {
            Instant cutoff = now.minus(Duration.ofDays(churnDays));
            Set<String> churned = new TreeSet<>();
            acquired(from, to).forEach((person, list) -> {
                Optional<Instant> last = list.stream().filter(e -> e.amount() != null && e.amount() > 0).map(Event::ts)
                        .max(Comparator.naturalOrder());
                if (last.isPresent() && last.get().isBefore(cutoff)) {
                    churned.add(person);
                }
            });
            return churned;
        }

        double lifetimeRevenue(LocalDate from, LocalDate to) {
            return acquired(from, to).values().stream().mapToDouble(RevenueReference::ltv).sum();
        }

        Map<String, Curve> curves(LocalDate from, LocalDate to) {
            Map<String, Event> first = firstEvents();
            Map<String, List<String>> cohorts = acquired(from, to).keySet().stream()
                    .collect(Collectors.groupingBy(person -> YearMonth.from(first.get(person).ts().atZone(zone)).toString()));
            Map<String, List<Event>> acquired = acquired(from, to);
            Map<String, Curve> curves = new TreeMap<>();
            cohorts.forEach((cohort, people) -> {
                Map<Integer, Double> at = new LinkedHashMap<>();
                for (int months : List.of(1, 3, 6, 12)) {
                    double sum = 0;
                    int matured = 0;
                    for (String person : people) {
                        // months are added on the UTC calendar, as DuckDB adds an interval to a timestamp
                        Instant horizon = LocalDateTime.ofInstant(first.get(person).ts(), ZoneOffset.UTC).plusMonths(months)
                                .toInstant(ZoneOffset.UTC);
                        if (horizon.isAfter(now)) {
                            continue;
                        }
                        matured++;
                        sum += acquired.get(person).stream().filter(e -> e.ts().isBefore(horizon)).map(Event::amount)
                                .filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
                    }
                    at.put(months, matured == 0 ? null : sum / matured);
                }
                curves.put(cohort, new Curve(cohort, new TreeSet<>(people), at));
            });
            return curves;
        }

        /** Person -> LTV of the acquired people with a positive LTV, highest first. */
        List<Map.Entry<String, Double>> top(LocalDate from, LocalDate to, int limit) {
            return acquired(from, to).entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), ltv(e.getValue())))
                    .filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(limit)
                    .toList();
        }

        /** Whether the report shows this view at all: activity in the range or people acquired in it. */
        boolean present(LocalDate from, LocalDate to) {
            return !inRange(from, to).isEmpty() || !acquired(from, to).isEmpty();
        }
    }
}

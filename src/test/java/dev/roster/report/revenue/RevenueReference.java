package dev.roster.report.revenue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.attribution.ChannelRules;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An obviously correct, in-memory revenue report over events whose person is already known. It
 * follows docs/revenue.md line by line, with loops instead of SQL.
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

    record Totals(double revenue, double refunds, long paying, long active) {
    }

    record Group(String value, long people, long paying, double revenue) {
    }

    record Curve(String cohort, long people, Map<Integer, Double> ltvAt) {
    }

    private final List<Event> events;
    private final ZoneId zone;
    private final Instant now;

    RevenueReference(List<Event> events, ZoneId zone, Instant now) {
        this.events = List.copyOf(events);
        this.zone = zone;
        this.now = now;
    }

    RevenueReference only(Set<String> persons, boolean negated) {
        return new RevenueReference(events.stream().filter(e -> persons.contains(e.person()) != negated).toList(), zone, now);
    }

    Instant start(LocalDate from) {
        return from.atStartOfDay(zone).toInstant();
    }

    Instant end(LocalDate to) {
        return to.plusDays(1).atStartOfDay(zone).toInstant();
    }

    private List<Event> inRange(LocalDate from, LocalDate to) {
        return events.stream().filter(e -> !e.ts().isBefore(start(from)) && e.ts().isBefore(end(to))).toList();
    }

    Totals totals(LocalDate from, LocalDate to) {
        return totals(inRange(from, to));
    }

    private static Totals totals(List<Event> events) {
        double revenue = 0;
        double refunds = 0;
        java.util.Set<String> paying = new java.util.HashSet<>();
        java.util.Set<String> active = new java.util.HashSet<>();
        for (Event event : events) {
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
        return new Totals(revenue, refunds, paying.size(), active.size());
    }

    /** Period start day -> totals of that period, for the periods that have events. */
    Map<String, Totals> periods(LocalDate from, LocalDate to, RevenueRequest.Interval interval) {
        Map<String, List<Event>> byPeriod = new TreeMap<>();
        for (Event event : inRange(from, to)) {
            LocalDate day = LocalDate.ofInstant(event.ts(), zone);
            byPeriod.computeIfAbsent(interval.start(day).toString(), k -> new ArrayList<>()).add(event);
        }
        Map<String, Totals> result = new TreeMap<>();
        byPeriod.forEach((start, list) -> result.put(start, totals(list)));
        return result;
    }

    private Map<String, List<Event>> byPerson() {
        Map<String, List<Event>> byPerson = new HashMap<>();
        for (Event event : events) {
            byPerson.computeIfAbsent(event.person(), k -> new ArrayList<>()).add(event);
        }
        byPerson.values().forEach(list -> list.sort(Comparator.comparing(Event::ts)));
        return byPerson;
    }

    /** The people first seen in the range, each with their events in time order. */
    Map<String, List<Event>> acquired(LocalDate from, LocalDate to) {
        Map<String, List<Event>> acquired = new HashMap<>();
        byPerson().forEach((person, list) -> {
            Instant first = list.get(0).ts();
            if (!first.isBefore(start(from)) && first.isBefore(end(to))) {
                acquired.put(person, list);
            }
        });
        return acquired;
    }

    static double ltv(List<Event> events) {
        return events.stream().map(Event::amount).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    }

    static boolean paying(List<Event> events) {
        return events.stream().map(Event::amount).anyMatch(a -> a != null && a > 0);
    }

    String groupValue(RevenueRequest.GroupBy groupBy, List<Event> events) {
        Event first = events.get(0);
        switch (groupBy) {
            case CHANNEL:
                Optional<String> medium = Optional.ofNullable(first.text("utm_medium")).filter(v -> !v.isBlank());
                Optional<String> referrer = Optional.ofNullable(first.text("referrer")).filter(v -> !v.isBlank());
                boolean clickId = List.of("gclid", "fbclid", "msclkid").stream()
                        .anyMatch(p -> first.text(p) != null && !first.text(p).isBlank());
                return ChannelRules.classify(new ChannelRules.Touch(medium, referrer, clickId)).label();
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

    Map<String, Group> groups(LocalDate from, LocalDate to, RevenueRequest.GroupBy groupBy) {
        Map<String, Group> groups = new HashMap<>();
        acquired(from, to).forEach((person, list) -> {
            String value = groupValue(groupBy, list);
            Group old = groups.getOrDefault(value, new Group(value, 0, 0, 0));
            groups.put(value, new Group(value, old.people() + 1, old.paying() + (paying(list) ? 1 : 0), old.revenue() + ltv(list)));
        });
        return groups;
    }

    long churned(LocalDate from, LocalDate to, int churnDays) {
        Instant cutoff = now.minus(java.time.Duration.ofDays(churnDays));
        return acquired(from, to).values().stream().filter(list -> {
            Optional<Instant> last = list.stream().filter(e -> e.amount() != null && e.amount() > 0).map(Event::ts).max(Comparator.naturalOrder());
            return last.isPresent() && last.get().isBefore(cutoff);
        }).count();
    }

    double lifetimeRevenue(LocalDate from, LocalDate to) {
        return acquired(from, to).values().stream().mapToDouble(RevenueReference::ltv).sum();
    }

    Map<String, Curve> curves(LocalDate from, LocalDate to) {
        Map<String, List<List<Event>>> cohorts = acquired(from, to).values().stream()
                .collect(Collectors.groupingBy(list -> YearMonth.from(list.get(0).ts().atZone(zone)).toString()));
        Map<String, Curve> curves = new TreeMap<>();
        cohorts.forEach((cohort, people) -> {
            Map<Integer, Double> at = new LinkedHashMap<>();
            for (int months : List.of(1, 3, 6, 12)) {
                double sum = 0;
                int matured = 0;
                for (List<Event> list : people) {
                    // months are added on the UTC calendar, as DuckDB adds an interval to a timestamp
                    Instant horizon = LocalDateTime.ofInstant(list.get(0).ts(), ZoneOffset.UTC).plusMonths(months).toInstant(ZoneOffset.UTC);
                    if (horizon.isAfter(now)) {
                        continue;
                    }
                    matured++;
                    sum += list.stream().filter(e -> e.ts().isBefore(horizon)).map(Event::amount).filter(Objects::nonNull)
                            .mapToDouble(Double::doubleValue).sum();
                }
                at.put(months, matured == 0 ? null : sum / matured);
            }
            curves.put(cohort, new Curve(cohort, people.size(), at));
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

    static <K, V> Map<K, V> index(List<V> values, Function<V, K> key) {
        Map<K, V> map = new HashMap<>();
        values.forEach(v -> map.put(key.apply(v), v));
        return map;
    }
}

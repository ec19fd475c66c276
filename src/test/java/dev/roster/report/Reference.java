package dev.roster.report;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.DayOfWeek;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reports, written the obvious way: person by person, event by event, in plain Java. The
 * property tests compare the SQL answers with these on random histories.
 */
final class Reference {
    private Reference() {
    }

    /** One event: its id, identity, name, time and the integer property {@code p}. */
    record Event(String id, String identity, String name, Instant ts, int p) {
    }

    /** A step or exclusion: an event name and optionally {@code p = value}. */
    record Spec(String name, Integer p) {
        boolean matches(Event event) {
            return event.name().equals(name) && (p == null || event.p() == p);
        }
    }

    record Exclusion(Spec event, int from, int to) {
    }

    enum Order { SEQUENTIAL, STRICT, ANY }

    record Funnel(List<Spec> steps, Order order, Duration window, List<Exclusion> exclusions, boolean sessions,
                  Instant start, Instant end) {
    }

    record FunnelAnswer(List<Long> counts, List<Double> medians, List<Double> averages) {
    }

    static final Comparator<Event> ORDER = Comparator.comparing(Event::ts).thenComparing(Event::id);

    /** Events per person, each list sorted by (ts, id), persons from the union of all links. */
    static Map<String, List<Event>> persons(List<Event> events, List<String[]> links) {
        Map<String, String> parent = new HashMap<>();
        for (String[] link : links) {
            union(parent, link[0], link[1]);
        }
        Map<String, List<Event>> persons = new LinkedHashMap<>();
        for (Event event : events) {
            persons.computeIfAbsent(find(parent, event.identity()), k -> new ArrayList<>()).add(event);
        }
        persons.values().forEach(list -> list.sort(ORDER));
        return persons;
    }

    private static String find(Map<String, String> parent, String x) {
        String root = x;
        while (parent.containsKey(root)) {
            root = parent.get(root);
        }
        return root;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
        }
    }

    /** A person's sessions: a new one after more than 30 idle minutes. */
    static List<List<Event>> sessions(List<Event> events) {
        List<List<Event>> sessions = new ArrayList<>();
        Event previous = null;
        for (Event event : events) {
            if (previous == null || Duration.between(previous.ts(), event.ts()).compareTo(Duration.ofMinutes(30)) > 0) {
                sessions.add(new ArrayList<>());
            }
            sessions.get(sessions.size() - 1).add(event);
            previous = event;
        }
        return sessions;
    }

    /** One attempt: the events chosen per step (nulls after the last reached) and whether it was discarded. */
    private record Attempt(Event[] chosen, Instant[] times, int reach, boolean discarded) {
    }

    static FunnelAnswer funnel(Funnel funnel, Map<String, List<Event>> persons) {
        int n = funnel.steps().size();
        long[] counts = new long[n];
        List<List<Double>> deltas = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            deltas.add(new ArrayList<>());
        }
        for (List<Event> person : persons.values()) {
            List<List<Event>> units = funnel.sessions() ? sessions(person) : List.of(person);
            for (List<Event> unit : units) {
                List<Attempt> attempts = funnel.order() == Order.ANY ? anyOrder(funnel, unit) : ordered(funnel, unit, person);
                int furthest = 0;
                for (Attempt attempt : attempts) {
                    if (!attempt.discarded()) {
                        furthest = Math.max(furthest, attempt.reach());
                    }
                }
                for (int k = 0; k < furthest; k++) {
                    counts[k]++;
                }
                for (int k = 1; k < furthest; k++) {
                    // the earliest surviving attempt (by start time, then start event id) reaching step k
                    Attempt earliest = null;
                    for (Attempt attempt : attempts) {
                        if (attempt.discarded() || attempt.reach() <= k) {
                            continue;
                        }
                        if (earliest == null || ORDER.compare(attempt.chosen()[0], earliest.chosen()[0]) < 0) {
                            earliest = attempt;
                        }
                    }
                    deltas.get(k).add(Duration.between(earliest.times()[k - 1], earliest.times()[k]).toNanos() / 1e9);
                }
            }
        }
        List<Long> countList = new ArrayList<>();
        List<Double> medians = new ArrayList<>();
        List<Double> averages = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            countList.add(counts[k]);
            List<Double> d = deltas.get(k);
            if (k == 0 || d.isEmpty()) {
                medians.add(null);
                averages.add(null);
                continue;
            }
            d.sort(Double::compare);
            int size = d.size();
            medians.add(size % 2 == 1 ? d.get(size / 2) : (d.get(size / 2 - 1) + d.get(size / 2)) / 2);
            averages.add(d.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
        }
        return new FunnelAnswer(countList, medians, averages);
    }

    private static boolean inRange(Funnel funnel, Event event) {
        return !event.ts().isBefore(funnel.start()) && event.ts().isBefore(funnel.end());
    }

    /** Sequential and strict: every step-1 event in the range starts an attempt; each step takes the earliest unused qualifying event. */
    private static List<Attempt> ordered(Funnel funnel, List<Event> unit, List<Event> person) {
        int n = funnel.steps().size();
        List<Attempt> attempts = new ArrayList<>();
        for (Event first : unit) {
            if (!funnel.steps().get(0).matches(first) || !inRange(funnel, first)) {
                continue;
            }
            Instant deadline = first.ts().plus(funnel.window());
            Event[] chosen = new Event[n];
            Instant[] times = new Instant[n];
            chosen[0] = first;
            times[0] = first.ts();
            Set<String> used = new HashSet<>(Set.of(first.id()));
            int reach = 1;
            for (int k = 1; k < n; k++) {
                Event previous = chosen[k - 1];
                Event next = null;
                for (Event candidate : unit) {
                    if (!funnel.steps().get(k).matches(candidate) || used.contains(candidate.id())
                            || candidate.ts().isBefore(previous.ts()) || candidate.ts().isAfter(deadline)) {
                        continue;
                    }
                    if (funnel.order() == Order.STRICT && somethingBetween(person, previous.ts(), candidate.ts())) {
                        continue;
                    }
                    if (next == null || ORDER.compare(candidate, next) < 0) {
                        next = candidate;
                    }
                }
                if (next == null) {
                    break;
                }
                chosen[k] = next;
                times[k] = next.ts();
                used.add(next.id());
                reach++;
            }
            boolean discarded = false;
            for (Exclusion exclusion : funnel.exclusions()) {
                if (exclusion.from() >= reach) {
                    continue;
                }
                Instant after = times[exclusion.from()];
                for (Event event : unit) {
                    if (!exclusion.event().matches(event) || !event.ts().isAfter(after)) {
                        continue;
                    }
                    boolean before = times[exclusion.to()] != null ? event.ts().isBefore(times[exclusion.to()]) : !event.ts().isAfter(deadline);
                    if (before) {
                        discarded = true;
                    }
                }
            }
            attempts.add(new Attempt(chosen, times, reach, discarded));
        }
        return attempts;
    }

    /** Whether the person has any event strictly between two instants. */
    private static boolean somethingBetween(List<Event> person, Instant from, Instant to) {
        for (Event event : person) {
            if (event.ts().isAfter(from) && event.ts().isBefore(to)) {
                return true;
            }
        }
        return false;
    }

    /** Any order: every step event in the range starts an attempt; it reaches k with k distinct steps within the window. */
    private static List<Attempt> anyOrder(Funnel funnel, List<Event> unit) {
        int n = funnel.steps().size();
        List<Attempt> attempts = new ArrayList<>();
        for (Event first : unit) {
            boolean isStep = funnel.steps().stream().anyMatch(s -> s.matches(first));
            if (!isStep || !inRange(funnel, first)) {
                continue;
            }
            Instant deadline = first.ts().plus(funnel.window());
            List<Instant> firsts = new ArrayList<>();
            for (Spec step : funnel.steps()) {
                unit.stream().filter(step::matches)
                        .filter(e -> !e.ts().isBefore(first.ts()) && !e.ts().isAfter(deadline))
                        .map(Event::ts).min(Comparator.naturalOrder()).ifPresent(firsts::add);
            }
            firsts.sort(Comparator.naturalOrder());
            Event[] chosen = new Event[n];
            chosen[0] = first;
            Instant[] times = new Instant[n];
            for (int k = 0; k < firsts.size(); k++) {
                times[k] = firsts.get(k);
            }
            attempts.add(new Attempt(chosen, times, firsts.size(), false));
        }
        return attempts;
    }

    // ---------------------------------------------------------------- retention

    enum Period { DAY, WEEK, MONTH }

    record Retention(Spec cohort, Spec returning, boolean firstTime, Period period, int periods, boolean onOrAfter,
                     LocalDate from, LocalDate to, ZoneId zone) {
    }

    /** Cohort start to {size, count per period}. */
    static Map<LocalDate, long[]> retention(Retention r, Map<String, List<Event>> persons) {
        Map<LocalDate, long[]> matrix = new LinkedHashMap<>();
        for (LocalDate start = trunc(r.from(), r.period()); !start.isAfter(r.to()); start = next(start, r.period())) {
            matrix.put(start, new long[r.periods() + 1]);
        }
        Instant start = r.from().atStartOfDay(r.zone()).toInstant();
        Instant end = r.to().plusDays(1).atStartOfDay(r.zone()).toInstant();
        for (List<Event> person : persons.values()) {
            Map<LocalDate, Event> cohortEvents = new LinkedHashMap<>();
            if (r.firstTime()) {
                person.stream().filter(r.cohort()::matches).findFirst().ifPresent(first -> {
                    if (!first.ts().isBefore(start) && first.ts().isBefore(end)) {
                        cohortEvents.put(trunc(local(first.ts(), r.zone()).toLocalDate(), r.period()), first);
                    }
                });
            } else {
                for (Event event : person) {
                    if (r.cohort().matches(event) && !event.ts().isBefore(start) && event.ts().isBefore(end)) {
                        cohortEvents.putIfAbsent(trunc(local(event.ts(), r.zone()).toLocalDate(), r.period()), event);
                    }
                }
            }
            for (Map.Entry<LocalDate, Event> entry : cohortEvents.entrySet()) {
                long[] row = matrix.get(entry.getKey());
                row[0]++;
                LocalDateTime a = local(entry.getValue().ts(), r.zone());
                boolean[] returned = new boolean[r.periods()];
                long furthest = -1;
                for (Event event : person) {
                    if (!event.ts().isAfter(entry.getValue().ts()) || (r.returning() != null && !r.returning().matches(event))) {
                        continue;
                    }
                    long period = period(a, local(event.ts(), r.zone()), r.period());
                    if (period < 0) {
                        continue;
                    }
                    furthest = Math.max(furthest, period);
                    if (period < r.periods()) {
                        returned[(int) period] = true;
                    }
                }
                for (int p = 0; p < r.periods(); p++) {
                    if (r.onOrAfter() ? furthest >= p : returned[p]) {
                        row[p + 1]++;
                    }
                }
            }
        }
        return matrix;
    }

    static LocalDateTime local(Instant instant, ZoneId zone) {
        return LocalDateTime.ofInstant(instant, zone);
    }

    static LocalDate trunc(LocalDate day, Period period) {
        return period == Period.DAY ? day : period == Period.WEEK
                ? day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : day.withDayOfMonth(1);
    }

    static LocalDate next(LocalDate start, Period period) {
        return period == Period.DAY ? start.plusDays(1) : period == Period.WEEK ? start.plusWeeks(1) : start.plusMonths(1);
    }

    /** The period N with a + N periods <= b < a + (N+1) periods, on the wall clock; months on the calendar. */
    static long period(LocalDateTime a, LocalDateTime b, Period period) {
        if (period == Period.MONTH) {
            long months = (b.getYear() - a.getYear()) * 12L + b.getMonthValue() - a.getMonthValue();
            return a.plusMonths(months).isAfter(b) ? months - 1 : months;
        }
        Duration length = period == Period.DAY ? Duration.ofDays(1) : Duration.ofDays(7);
        Duration difference = Duration.between(a.toInstant(ZoneOffset.UTC), b.toInstant(ZoneOffset.UTC));
        if (difference.isNegative()) {
            return -1;
        }
        return difference.toNanos() / length.toNanos();
    }
}

package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.project.Project;
import dev.roster.report.trends.TrendsResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Sessions in trends (the per-bucket and total session counts and the people-vs-sessions
 * conversion) against a plain Java sessioniser on random histories: merged identities, client
 * session ids that change (or are missing) between events, many equal timestamps on a 5-minute
 * grid (so ties are ordered by event id) or fewer on a 1-minute grid, 30-minute gaps exactly at the limit, and events before
 * and after the report's range (a session is cut at the range's start). Histories are compacted
 * before, between or after the two halves of their events (or not at all), so sessions come from
 * {@code event_sessions}, the query-time window, or both in one answer.
 */
class TrendsSessionsMatchReferenceTest {
    private static final List<String> NAMES = List.of("A", "B", "C");
    private static final Instant RANGE_START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant RANGE_END = Instant.parse("2024-01-03T00:00:00Z");
    private static final AtomicInteger PROJECTS = new AtomicInteger();
    private static Path directory;
    private static Roster roster;

    private record Event(String id, String identity, String name, Instant ts, int p, String session) {
    }

    @BeforeContainer
    static void open() throws IOException {
        directory = Files.createTempDirectory("roster-trend-sessions");
        roster = Roster.open(Roster.Config.of(directory, 0).withClock(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC)));
    }

    @AfterContainer
    static void close() throws IOException {
        roster.close();
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Property(tries = 40)
    void sessionCountsAndPeopleVsSessionsMatchTheReference(@ForAll long seed) {
        Random random = new Random(seed);
        Project project = roster.projects().create("t" + PROJECTS.incrementAndGet()).project();
        List<Event> events = new ArrayList<>();
        List<String[]> links = new ArrayList<>();
        List<Command> commands = new ArrayList<>();
        int people = 2 + random.nextInt(5);
        // Half of the tries on a 1-minute grid: equal timestamps are then rare, so the report's
        // sessions ordered by ts alone are used, while the 5-minute grid's ties make it fall back
        // to the (ts, event id) order (TrendsQuery.withTiesByEventId).
        int minutes = random.nextBoolean() ? 5 : 1;
        int number = 0;
        for (int c = 0; c < people; c++) {
            int identities = 1 + random.nextInt(2);
            // Around the range's start or end, so sessions are cut by it; 5-minute grid, 0..40 steps apart.
            Instant base = (random.nextBoolean() ? RANGE_START : RANGE_END).minus(Duration.ofMinutes(minutes * random.nextInt(200 / minutes)));
            int count = 3 + random.nextInt(12);
            for (int i = 0; i < count; i++) {
                String identity = "c" + c + "i" + random.nextInt(identities);
                String name = NAMES.get(random.nextInt(NAMES.size()));
                Instant ts = base.plus(Duration.ofMinutes(minutes * random.nextInt(250 / minutes)));
                int p = random.nextInt(2);
                String session = random.nextInt(3) == 0 ? null : "s" + random.nextInt(3);
                String id = String.format(Locale.ROOT, "e%03d", number++);
                events.add(new Event(id, identity, name, ts, p, session));
                ObjectNode properties = Json.object();
                properties.put("p", p);
                commands.add(new Command.Track(id, identity, Optional.empty(), false, name, ts, ts, Optional.ofNullable(session),
                        properties, List.of()));
            }
            if (identities > 1) {
                links.add(new String[] {"c" + c + "i0", "c" + c + "i1"});
                commands.add(new Command.Link("c" + c + "i0", false, "c" + c + "i1", Command.Strength.NORMAL, base));
            }
        }
        for (String name : NAMES) { // every name exists in the project (outside the range)
            commands.add(new Command.Track("z" + name, "z", Optional.empty(), false, name, Instant.parse("2023-06-01T00:00:00Z"),
                    Instant.parse("2023-06-01T00:00:00Z"), Optional.empty(), Json.object(), List.of()));
        }
        Collections.shuffle(commands, random);
        int cut = random.nextInt(commands.size() + 1);
        roster.writeBuffer().submit(project, commands.subList(0, cut));
        if (random.nextBoolean()) {
            roster.writeBuffer().compactNow();
        }
        roster.writeBuffer().submit(project, commands.subList(cut, commands.size()));
        if (random.nextInt(3) == 0) {
            // everything compacted: sessions (without property filters) come from event_sessions,
            // renumbered for the persons with late events and folded merges
            roster.writeBuffer().compactNow();
        }

        Reference.Spec first = new Reference.Spec(NAMES.get(random.nextInt(3)), random.nextInt(3) == 0 ? random.nextInt(2) : null);
        Reference.Spec second = new Reference.Spec(NAMES.get((NAMES.indexOf(first.name()) + 1 + random.nextInt(2)) % 3), null);
        Reference.Spec from = new Reference.Spec(NAMES.get(random.nextInt(3)), random.nextInt(3) == 0 ? random.nextInt(2) : null);
        Reference.Spec to = new Reference.Spec(NAMES.get(random.nextInt(3)), null);
        ObjectNode body = Json.object();
        body.putArray("events").add(spec(first)).add(spec(second));
        body.put("interval", "day");
        body.put("from", "2024-01-01");
        body.put("to", "2024-01-02");
        body.putArray("metrics").add("events").add("people").add("sessions");
        if (random.nextInt(4) > 0) {
            body.putObject("conversion").set("from", spec(from));
            ((ObjectNode) body.get("conversion")).set("to", spec(to));
        }
        TrendsResult result = roster.reports().trends().run(project, body);

        // The reference: in-range events per person by (ts, id), cut into sessions.
        Map<String, List<Event>> persons = new HashMap<>();
        Map<String, String> root = new HashMap<>();
        links.forEach(l -> root.put(l[1], l[0]));
        for (Event e : events) {
            if (!e.ts().isBefore(RANGE_START) && e.ts().isBefore(RANGE_END)) {
                persons.computeIfAbsent(root.getOrDefault(e.identity(), e.identity()), k -> new ArrayList<>()).add(e);
            }
        }
        Map<Event, String> unit = new HashMap<>();
        for (Map.Entry<String, List<Event>> person : persons.entrySet()) {
            List<Event> list = person.getValue();
            list.sort(Comparator.comparing(Event::ts).thenComparing(Event::id));
            int session = 0;
            for (int i = 0; i < list.size(); i++) {
                Event e = list.get(i);
                Event previous = i == 0 ? null : list.get(i - 1);
                if (previous != null && (Duration.between(previous.ts(), e.ts()).compareTo(Duration.ofMinutes(30)) > 0
                        || (e.session() != null && previous.session() != null && !e.session().equals(previous.session())))) {
                    session++;
                }
                unit.put(e, person.getKey() + "#" + session);
            }
        }
        String description = events.stream().sorted(Comparator.comparing(Event::ts).thenComparing(Event::id)).map(Event::toString)
                .reduce("", (a, b) -> a + b + "\n") + links.stream().map(l -> l[0] + "~" + l[1]).toList() + "\n" + body;
        List<Reference.Spec> series = List.of(first, second);
        for (int s = 0; s < 2; s++) {
            Reference.Spec spec = series.get(s);
            // A series with no event at all is left out of the answer when another has events.
            Optional<TrendsResult.Series> found = result.series().stream().filter(r -> r.event().equals(spec.name())).findFirst();
            if (found.isEmpty()) {
                assertThat(unit.keySet().stream().filter(e -> matches(spec, e))).as("series %s missing in\n%s", spec, description).isEmpty();
                continue;
            }
            TrendsResult.Series actual = found.get();
            for (TrendsResult.Point point : actual.points()) {
                LocalDate day = LocalDate.parse(point.start());
                Set<String> sessions = new HashSet<>();
                Set<String> who = new HashSet<>();
                long count = 0;
                for (Map.Entry<Event, String> e : unit.entrySet()) {
                    if (matches(spec, e.getKey()) && LocalDate.ofInstant(e.getKey().ts(), ZoneOffset.UTC).equals(day)) {
                        sessions.add(e.getValue());
                        who.add(e.getValue().substring(0, e.getValue().indexOf('#')));
                        count++;
                    }
                }
                assertThat(point.sessions()).as("sessions of %s on %s in\n%s", spec, day, description).isEqualTo(sessions.size());
                assertThat(point.people()).as("people of %s on %s", spec, day).isEqualTo(who.size());
                assertThat(point.events()).as("events of %s on %s", spec, day).isEqualTo(count);
            }
            long total = unit.entrySet().stream().filter(e -> matches(spec, e.getKey())).map(Map.Entry::getValue).distinct().count();
            assertThat(actual.total().sessions()).as("total sessions of %s in\n%s", spec, description).isEqualTo(total);
        }
        if (body.has("conversion")) {
            long[] expected = new long[4];
            Set<String> startedPeople = new HashSet<>();
            Set<String> convertedPeople = new HashSet<>();
            Set<String> startedSessions = new HashSet<>();
            Set<String> convertedSessions = new HashSet<>();
            for (Map.Entry<Event, String> a : unit.entrySet()) {
                if (!matches(from, a.getKey())) {
                    continue;
                }
                String person = a.getValue().substring(0, a.getValue().indexOf('#'));
                startedPeople.add(person);
                startedSessions.add(a.getValue());
                for (Map.Entry<Event, String> z : unit.entrySet()) {
                    if (z.getKey() != a.getKey() && matches(to, z.getKey()) && !z.getKey().ts().isBefore(a.getKey().ts())
                            && z.getValue().startsWith(person + "#")) {
                        convertedPeople.add(person);
                        if (z.getValue().equals(a.getValue())) {
                            convertedSessions.add(a.getValue());
                        }
                    }
                }
            }
            expected[0] = startedPeople.size();
            expected[1] = convertedPeople.size();
            expected[2] = startedSessions.size();
            expected[3] = convertedSessions.size();
            TrendsResult.PeopleVsSessions pvs = result.peopleVsSessions();
            assertThat(new long[] {pvs.people().started(), pvs.people().converted(), pvs.sessions().started(), pvs.sessions().converted()})
                    .as("people vs sessions in\n%s", description).containsExactly(expected);
        }
    }

    private static boolean matches(Reference.Spec spec, Event event) {
        return event.name().equals(spec.name()) && (spec.p() == null || event.p() == spec.p());
    }

    private static ObjectNode spec(Reference.Spec spec) {
        ObjectNode node = Json.object();
        node.put("event", spec.name());
        if (spec.p() != null) {
            ObjectNode filter = node.putArray("where").addObject();
            filter.put("property", "p");
            filter.put("op", "eq");
            filter.put("value", spec.p());
        }
        return node;
    }
}

package dev.roster.report.trends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.PropertyOperation;
import dev.roster.project.Project;
import dev.roster.report.ReportScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A trend whose series have no event-property filter and no event-property breakdown reads the
 * narrow projection {@code resolved_occurrences}; the same trend with a filter that every event
 * passes reads the wide {@code resolved_events}. On random histories the two answers must be equal
 * point by point (events, people, people ids), and the unique people per local day must equal a
 * person-by-person count in plain Java. The histories have merged identities (folded by a
 * compaction, and merged after it over compacted events, i.e. still in {@code unfolded_merges}),
 * events both compacted and still in {@code events_recent}, events on both sides of local midnight
 * and of the range in {@code America/New_York} across the start of daylight saving time, and
 * person-property filters and breakdowns.
 */
class TrendsOccurrencesMatchWideTableTest {
    private static final List<String> NAMES = List.of("A", "B", "C");
    private static final ZoneId ZONE = ZoneId.of("America/New_York");
    /** Local dates of the report: DST starts on 2024-03-10 in New York. */
    private static final LocalDate FROM = LocalDate.parse("2024-03-08");
    private static final LocalDate TO = LocalDate.parse("2024-03-11");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final AtomicInteger PROJECTS = new AtomicInteger();
    private static Path directory;
    private static Roster roster;

    private record Event(String identity, String name, Instant ts) {
    }

    @BeforeContainer
    static void open() throws IOException {
        directory = Files.createTempDirectory("roster-trend-occurrences");
        roster = Roster.open(Roster.Config.of(directory, 0).withClock(CLOCK));
    }

    @AfterContainer
    static void close() throws IOException {
        roster.close();
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    @Property(tries = 30)
    void theProjectionAnswersExactlyLikeTheWideTable(@ForAll long seed) {
        Random random = new Random(seed);
        Project project = roster.projects().create("o" + PROJECTS.incrementAndGet()).project();
        List<Event> events = new ArrayList<>();
        List<Command> before = new ArrayList<>();
        List<Command> after = new ArrayList<>();
        Instant start = FROM.atStartOfDay(ZONE).toInstant();
        int people = 3 + random.nextInt(6);
        for (int c = 0; c < people; c++) {
            int identities = 1 + random.nextInt(3);
            int count = 2 + random.nextInt(10);
            for (int i = 0; i < count; i++) {
                String identity = "c" + c + "i" + random.nextInt(identities);
                String name = NAMES.get(random.nextInt(NAMES.size()));
                // From a day before the range to a day after it; whole hours, so many events sit
                // exactly on local (and UTC) midnight.
                Instant ts = start.minus(Duration.ofDays(1)).plus(Duration.ofHours(random.nextInt(24 * 6)));
                events.add(new Event(identity, name, ts));
                ObjectNode properties = Json.object();
                properties.put("p", random.nextInt(2));
                Command track = new Command.Track("e" + events.size(), identity, Optional.empty(), false, name, ts, ts,
                        Optional.empty(), properties, List.of());
                (random.nextBoolean() ? before : after).add(track);
            }
            String value = random.nextBoolean() ? "pro" : "free";
            after.add(new Command.UpdateProfile("c" + c + "i0", false,
                    List.of(new PropertyOperation(PropertyOperation.Kind.SET, "plan", Json.MAPPER.getNodeFactory().textNode(value))), start));
            for (int i = 1; i < identities; i++) {
                // Before the compaction (folded into the events) or after it (a redirect of compacted events).
                (random.nextBoolean() ? before : after).add(new Command.Link("c" + c + "i0", false, "c" + c + "i" + i,
                        Command.Strength.NORMAL, start));
            }
        }
        for (String name : NAMES) { // every name exists in the project, outside the range
            before.add(new Command.Track("z" + name, "z", Optional.empty(), false, name, Instant.parse("2023-06-01T00:00:00Z"),
                    Instant.parse("2023-06-01T00:00:00Z"), Optional.empty(), Json.object(), List.of()));
        }
        Collections.shuffle(before, random);
        Collections.shuffle(after, random);
        roster.writeBuffer().submit(project, before);
        roster.writeBuffer().compactNow();
        roster.writeBuffer().submit(project, after);

        ObjectNode narrow = Json.object();
        ArrayNode series = narrow.putArray("events");
        List<String> named = new ArrayList<>(NAMES);
        Collections.shuffle(named, random);
        named.subList(0, 1 + random.nextInt(2)).forEach(series::add);
        String interval = List.of("day", "day", "hour", "week").get(random.nextInt(4));
        narrow.put("interval", interval);
        narrow.put("from", FROM.toString());
        narrow.put("to", TO.toString());
        narrow.put("time_zone", ZONE.getId());
        narrow.putArray("metrics").add("events").add("people").add("events_per_person");
        narrow.put("people", random.nextBoolean());
        int personSide = random.nextInt(3);
        if (personSide == 1) {
            narrow.putArray("person_where").addObject().put("property", "plan").put("op", "eq").put("value", "pro");
        } else if (personSide == 2) {
            narrow.putObject("breakdown").put("person_property", "plan");
        }
        ObjectNode wide = narrow.deepCopy();
        ArrayNode filtered = wide.putArray("events");
        for (var name : series) {
            // Every event passes: the same answer, but an event-property filter needs resolved_events.
            ObjectNode spec = filtered.addObject().put("event", name.asText());
            spec.putArray("where").addObject().put("property", "absent").put("op", "is_not_set");
        }

        assertThat(sql(project, narrow)).contains("resolved_occurrences").doesNotContain("resolved_events");
        assertThat(sql(project, wide)).contains("resolved_events").doesNotContain("resolved_occurrences");
        TrendsResult fromOccurrences = roster.reports().trends().run(project, narrow);
        TrendsResult fromEvents = roster.reports().trends().run(project, wide);
        // Breakdown values with equal totals have no defined order between them, so the series are
        // compared as a set (each with all its points, totals and people lists).
        assertThat(fromOccurrences.series()).as("%s", narrow).containsExactlyInAnyOrderElementsOf(fromEvents.series());
        assertThat(fromOccurrences.series()).as("%s", narrow).hasSameSizeAs(fromEvents.series()).isNotEmpty();
        if (narrow.get("people").asBoolean()) {
            // the people lists are keyed by the bucket as read back, so they must line up with the counts
            for (TrendsResult.Series actual : fromOccurrences.series()) {
                for (TrendsResult.Point point : actual.points()) {
                    assertThat(point.personIds()).as("people of %s at %s", actual.event(), point.start())
                            .hasSize((int) Math.min(point.people(), ReportScope.MAX_PEOPLE));
                }
            }
        }

        if (interval.equals("day") && personSide == 0) {
            Map<String, String> person = new HashMap<>();
            for (Event e : events) {
                person.put(e.identity(), e.identity().substring(0, e.identity().indexOf('i')));
            }
            for (TrendsResult.Series actual : fromOccurrences.series()) {
                Map<String, Long> expected = new TreeMap<>();
                Set<String> total = new HashSet<>();
                Map<LocalDate, Set<String>> byDay = new HashMap<>();
                for (Event e : events) {
                    LocalDate day = LocalDate.ofInstant(e.ts(), ZONE);
                    if (e.name().equals(actual.event()) && !day.isBefore(FROM) && !day.isAfter(TO)) {
                        byDay.computeIfAbsent(day, d -> new HashSet<>()).add(person.get(e.identity()));
                        total.add(person.get(e.identity()));
                    }
                }
                for (LocalDate day = FROM; !day.isAfter(TO); day = day.plusDays(1)) {
                    expected.put(day.toString(), (long) byDay.getOrDefault(day, Set.of()).size());
                }
                Map<String, Long> answered = new TreeMap<>();
                actual.points().forEach(point -> answered.put(point.start(), point.people()));
                assertThat(answered).as("people per day of %s", actual.event()).isEqualTo(expected);
                assertThat(actual.total().people()).as("people of %s over the range", actual.event()).isEqualTo(total.size());
            }
        }
    }

    private static String sql(Project project, ObjectNode body) {
        TrendsRequest request = TrendsRequest.parse(body, project, CLOCK);
        return new TrendsQuery(request, project, roster.populationResolver(), true, Optional.empty()).series(false).sql()
                + new TrendsQuery(request, project, roster.populationResolver(), true, Optional.empty()).people().sql();
    }
}

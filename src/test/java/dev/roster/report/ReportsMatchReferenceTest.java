package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.project.Project;
import dev.roster.report.funnel.FunnelRequest;
import dev.roster.report.funnel.FunnelResult;
import dev.roster.report.retention.RetentionRequest;
import dev.roster.report.retention.RetentionResult;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random histories (several identities per person linked before and after their events, merges
 * folded by compaction or not, many equal timestamps on a 5-minute grid, events exactly at the
 * window boundary) and random funnels and retention reports: the SQL answer must equal the plain
 * Java reference ({@link Reference}) on every case.
 */
class ReportsMatchReferenceTest {
    private static final List<String> NAMES = List.of("A", "B", "C", "X");
    private static final AtomicInteger PROJECTS = new AtomicInteger();
    private static Path directory;
    private static Roster roster;

    @BeforeContainer
    static void open() throws IOException {
        directory = Files.createTempDirectory("roster-properties");
        roster = Roster.open(Roster.Config.of(directory, 0).withClock(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC)));
    }

    @AfterContainer
    static void close() throws IOException {
        roster.close();
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A generated history and the project it was ingested into. */
    private record History(Project project, List<Reference.Event> events, List<String[]> links, String description) {
        Map<String, List<Reference.Event>> persons() {
            return Reference.persons(events, links);
        }
    }

    /**
     * Generates and ingests a history: clusters of identities, events around a per-cluster base
     * time at {@code step} resolution, links in random order among the events.
     */
    private static History history(Random random, Instant base, Duration spread, Duration step) {
        Project project = roster.projects().create("p" + PROJECTS.incrementAndGet()).project();
        List<Reference.Event> events = new ArrayList<>();
        List<String[]> links = new ArrayList<>();
        List<Command> commands = new ArrayList<>();
        int clusters = 2 + random.nextInt(5);
        int eventNumber = 0;
        long steps = spread.dividedBy(step);
        for (int c = 0; c < clusters; c++) {
            int identities = 1 + random.nextInt(3);
            long clusterBase = random.nextInt((int) Math.max(1, steps / 2));
            int count = 3 + random.nextInt(12);
            for (int i = 0; i < count; i++) {
                String identity = "c" + c + "i" + random.nextInt(identities);
                String name = NAMES.get(random.nextInt(random.nextInt(4) == 0 ? 4 : 3));
                long offset = Math.min(steps - 1, clusterBase + random.nextInt((int) Math.max(1, Math.min(steps / 2, 40))));
                Instant ts = base.plus(step.multipliedBy(offset));
                int p = random.nextInt(2);
                String id = String.format(Locale.ROOT, "e%03d", eventNumber++);
                events.add(new Reference.Event(id, identity, name, ts, p));
                ObjectNode properties = Json.object();
                properties.put("p", p);
                commands.add(new Command.Track(id, identity, Optional.empty(), false, name, ts, ts, Optional.empty(), properties, List.of()));
            }
            for (int j = 1; j < identities; j++) {
                String[] link = {"c" + c + "i0", "c" + c + "i" + j};
                links.add(link);
                commands.add(new Command.Link(link[0], false, link[1], Command.Strength.NORMAL, base));
            }
            if (c > 0 && random.nextInt(5) == 0) {
                String[] link = {"c" + c + "i0", "c" + (c - 1) + "i0"};
                links.add(link);
                commands.add(new Command.Link(link[0], false, link[1], Command.Strength.NORMAL, base));
            }
        }
        Collections.shuffle(commands, random);
        int cut = random.nextInt(commands.size() + 1);
        roster.writeBuffer().submit(project, commands.subList(0, cut));
        if (random.nextBoolean()) {
            roster.writeBuffer().compactNow();
        }
        roster.writeBuffer().submit(project, commands.subList(cut, commands.size()));
        StringBuilder description = new StringBuilder();
        events.stream().sorted(Reference.ORDER).forEach(e -> description.append(e).append('\n'));
        links.forEach(l -> description.append("link ").append(l[0]).append(" ~ ").append(l[1]).append('\n'));
        return new History(project, events, links, description.toString());
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

    private static Reference.Spec randomSpec(Random random, String name) {
        return new Reference.Spec(name, random.nextInt(4) == 0 ? random.nextInt(2) : null);
    }

    @Property(tries = 30)
    void funnelMatchesTheReference(@ForAll long seed) {
        Random random = new Random(seed);
        Instant base = Instant.parse("2024-03-01T00:00:00Z");
        History history = history(random, base, Duration.ofDays(3), Duration.ofMinutes(5));

        Reference.Order order = Reference.Order.values()[random.nextInt(3)];
        int stepCount = 2 + random.nextInt(order == Reference.Order.ANY ? 2 : 3);
        List<Reference.Spec> steps = new ArrayList<>();
        List<String> pool = new ArrayList<>(List.of("A", "B", "C"));
        Collections.shuffle(pool, random);
        for (int k = 0; k < stepCount; k++) {
            String name = order == Reference.Order.ANY ? pool.get(k) : pool.get(random.nextInt(3));
            steps.add(randomSpec(random, name));
        }
        List<Reference.Exclusion> exclusions = new ArrayList<>();
        if (order != Reference.Order.ANY && random.nextInt(5) < 2) {
            int from = random.nextInt(stepCount - 1);
            int to = random.nextInt(3) == 0 ? stepCount - 1 : from + 1;
            exclusions.add(new Reference.Exclusion(randomSpec(random, "X"), from, to));
        }
        int[] windows = {30, 60, 120, 1440};
        int windowMinutes = windows[random.nextInt(windows.length)];
        boolean sessions = random.nextInt(3) == 0;
        Reference.Funnel funnel = new Reference.Funnel(steps, order, Duration.ofMinutes(windowMinutes), exclusions, sessions,
                Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-03T00:00:00Z"));

        ObjectNode body = Json.object();
        ArrayNode stepNodes = body.putArray("steps");
        steps.forEach(s -> stepNodes.add(spec(s)));
        body.put("from", "2024-03-01");
        body.put("to", "2024-03-02");
        body.put("order", order.name().toLowerCase(Locale.ROOT));
        body.putObject("window").put("value", windowMinutes).put("unit", "minute");
        body.put("aggregate", sessions ? "sessions" : "people");
        ArrayNode exclusionNodes = body.putArray("exclusions");
        for (Reference.Exclusion exclusion : exclusions) {
            ObjectNode node = spec(exclusion.event());
            node.putArray("between").add(exclusion.from()).add(exclusion.to());
            exclusionNodes.add(node);
        }

        Reference.FunnelAnswer expected = Reference.funnel(funnel, history.persons());
        FunnelResult actual = roster.reports().funnel().run(history.project(),
                FunnelRequest.parse(body, history.project(), roster.clock()));
        String context = body + "\n" + history.description();
        assertThat(actual.steps()).extracting(FunnelResult.Step::count).as(context).containsExactlyElementsOf(expected.counts());
        for (int k = 0; k < stepCount; k++) {
            assertClose(actual.steps().get(k).medianSecondsFromPrevious(), expected.medians().get(k), "median " + k + "\n" + context);
            assertClose(actual.steps().get(k).averageSecondsFromPrevious(), expected.averages().get(k), "average " + k + "\n" + context);
        }
    }

    private static void assertClose(Double actual, Double expected, String context) {
        if (expected == null) {
            assertThat(actual).as(context).isNull();
        } else {
            assertThat(actual).as(context).isNotNull();
            assertThat(actual).as(context).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Property(tries = 30)
    void retentionMatchesTheReference(@ForAll long seed) {
        Random random = new Random(seed);
        Reference.Period period = Reference.Period.values()[random.nextInt(3)];
        ZoneId zone = ZoneId.of(List.of("UTC", "America/New_York", "Asia/Kolkata").get(random.nextInt(3)));
        Instant base;
        Duration spread;
        Duration step;
        LocalDate from;
        LocalDate to;
        if (period == Reference.Period.DAY) {
            // around the DST changes of New York, spring and autumn
            boolean spring = random.nextBoolean();
            base = Instant.parse(spring ? "2024-03-08T00:00:00Z" : "2024-11-01T00:00:00Z");
            spread = Duration.ofDays(6);
            step = Duration.ofMinutes(30);
            from = LocalDate.parse(spring ? "2024-03-08" : "2024-11-01");
            to = from.plusDays(2);
        } else if (period == Reference.Period.WEEK) {
            base = Instant.parse("2024-03-01T00:00:00Z");
            spread = Duration.ofDays(40);
            step = Duration.ofHours(6);
            from = LocalDate.parse("2024-03-01");
            to = LocalDate.parse("2024-03-20");
        } else {
            base = Instant.parse("2024-01-20T00:00:00Z");
            spread = Duration.ofDays(150);
            step = Duration.ofHours(12);
            from = LocalDate.parse("2024-01-31");
            to = LocalDate.parse("2024-03-05");
        }
        History history = history(random, base, spread, step);
        Reference.Spec cohort = randomSpec(random, random.nextBoolean() ? "A" : "B");
        Reference.Spec returning = random.nextBoolean() ? null : randomSpec(random, NAMES.get(random.nextInt(3)));
        boolean firstTime = random.nextBoolean();
        boolean onOrAfter = random.nextBoolean();
        int periods = 1 + random.nextInt(5);
        Reference.Retention retention = new Reference.Retention(cohort, returning, firstTime, period, periods, onOrAfter, from, to, zone);

        ObjectNode body = Json.object();
        body.set("cohort_event", spec(cohort));
        if (returning != null) {
            body.set("return_event", spec(returning));
        }
        body.put("first_time", firstTime);
        body.put("period", period.name().toLowerCase(Locale.ROOT));
        body.put("periods", periods);
        body.put("mode", onOrAfter ? "on_or_after" : "on");
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("time_zone", zone.getId());

        Map<LocalDate, long[]> expected = Reference.retention(retention, history.persons());
        RetentionResult actual = roster.reports().retention().run(history.project(),
                RetentionRequest.parse(body, history.project(), roster.clock()));
        String context = body + "\n" + history.description();
        assertThat(actual.cohorts()).extracting(RetentionResult.Cohort::start).as(context)
                .containsExactlyElementsOf(expected.keySet().stream().map(LocalDate::toString).toList());
        for (RetentionResult.Cohort row : actual.cohorts()) {
            long[] want = expected.get(LocalDate.parse(row.start()));
            assertThat(row.size()).as("size of " + row.start() + "\n" + context).isEqualTo(want[0]);
            List<Long> counts = new ArrayList<>();
            for (int n = 0; n < periods; n++) {
                counts.add(want[n + 1]);
            }
            assertThat(row.counts()).as("counts of " + row.start() + "\n" + context).containsExactlyElementsOf(counts);
        }
    }
}

package dev.roster.report.revenue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.PropertyOperation;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random small histories (several identities per person linked before or after their events,
 * compaction half-way or not, payments, refunds, a {@code plan} on some events, a {@code tier}
 * trait on some people) and random revenue requests (range, grouping, interval, churn period,
 * event filter, population in / not in, every kind of value breakdown, people lists): the SQL
 * answer must equal {@link RevenueReference} on every case.
 */
class RevenuePropertiesTest {
    private static final Instant NOW = Instant.parse("2024-07-01T00:00:00Z");
    private static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final List<String> NAMES = List.of("$pageview", "Order Completed", "Order Refunded", "Viewed Pricing");
    private static final AtomicInteger PROJECTS = new AtomicInteger();
    private static Path directory;
    private static Roster roster;

    @BeforeContainer
    static void open() throws IOException {
        directory = Files.createTempDirectory("roster-revenue-properties");
        roster = Roster.open(Roster.Config.of(directory, 0).withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    @AfterContainer
    static void close() throws IOException {
        roster.close();
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Populations by id: the persons owning the given identities. */
    private record IdentityPopulations(Map<String, Set<String>> identities) implements PopulationResolver {
        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            Set<String> members = identities.getOrDefault(populationId, Set.of("none"));
            List<Object> parameters = new ArrayList<>();
            parameters.add(project.key());
            parameters.addAll(members.isEmpty() ? Set.of("none") : members);
            return new PersonKeyQuery("SELECT person_key FROM identities WHERE project_key = ? AND identity IN ("
                    + Sql.placeholders(Math.max(1, members.size())) + ")", parameters);
        }

        @Override
        public String name(Project project, String populationId) {
            return populationId;
        }
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    @Property(tries = 20)
    void theSqlAnswerEqualsTheReference(@ForAll long seed) {
        Random random = new Random(seed);
        Project project = roster.projects().create("r" + PROJECTS.incrementAndGet()).project();
        List<RevenueReference.Event> events = new ArrayList<>();
        List<Command> commands = new ArrayList<>();
        List<Command> profiles = new ArrayList<>();
        Map<String, String> tier = new HashMap<>();
        int persons = 3 + random.nextInt(6);
        long unique = 0;
        for (int p = 0; p < persons; p++) {
            String person = "p" + p;
            int identities = 1 + random.nextInt(3);
            Instant base = START.plus(Duration.ofHours(random.nextInt(24 * 150)));
            int count = 2 + random.nextInt(9);
            for (int i = 0; i < count; i++) {
                String identity = person + "i" + random.nextInt(identities);
                Instant ts = base.plus(Duration.ofHours(random.nextInt(24 * 60))).plusMillis(unique++);
                String name = pick(random, NAMES);
                ObjectNode properties = Json.object();
                if (random.nextInt(3) == 0) {
                    properties.put("utm_source", pick(random, List.of("google", "newsletter", "partner")));
                }
                if (random.nextBoolean()) {
                    properties.put("plan", pick(random, List.of("pro", "team")));
                }
                if (name.equals("Order Completed")) {
                    properties.put("revenue", Math.round(random.nextDouble() * 20_000) / 100.0);
                } else if (name.equals("Order Refunded")) {
                    properties.put("revenue", -Math.round(random.nextDouble() * 5_000) / 100.0);
                }
                events.add(new RevenueReference.Event(person, ts, name, properties));
                commands.add(new Command.Track("e" + unique, identity, Optional.empty(), false, name, ts, ts, Optional.empty(),
                        properties, List.of()));
            }
            for (int j = 1; j < identities; j++) {
                commands.add(new Command.Link(person + "i0", false, person + "i" + j, Command.Strength.NORMAL, base));
            }
            if (random.nextBoolean()) {
                String value = pick(random, List.of("gold", "silver"));
                tier.put(person, value);
                profiles.add(new Command.UpdateProfile(person + "i0", false,
                        List.of(new PropertyOperation(PropertyOperation.Kind.SET, "tier", TextNode.valueOf(value))), NOW.minusSeconds(1)));
            }
        }
        Collections.shuffle(commands, random);
        int cut = random.nextInt(commands.size() + 1);
        roster.writeBuffer().submit(project, commands.subList(0, cut));
        if (random.nextBoolean()) {
            roster.writeBuffer().compactNow();
        }
        roster.writeBuffer().submit(project, commands.subList(cut, commands.size()));
        roster.writeBuffer().submit(project, profiles);
        roster.flush();

        Map<String, String> publicIds = new HashMap<>();
        for (int p = 0; p < persons; p++) {
            publicIds.put("p" + p, publicId(project, "p" + p + "i0"));
        }

        // the request
        LocalDate from = LocalDate.of(2024, 1, 1).plusDays(random.nextInt(120));
        LocalDate to = from.plusDays(random.nextInt(120));
        RevenueRequest.GroupBy groupBy = pick(random, List.of(RevenueRequest.GroupBy.values()));
        RevenueRequest.Interval interval = pick(random, List.of(RevenueRequest.Interval.values()));
        StringBuilder body = new StringBuilder("{\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"group_by\":\"" + groupBy.wireName()
                + "\",\"interval\":\"" + interval.wireName() + "\",\"churn_days\":" + (1 + random.nextInt(60))
                + ",\"top\":20,\"people\":true");
        Predicate<RevenueReference.Event> keep = e -> true;
        if (random.nextInt(3) == 0) {
            body.append(",\"where\":[{\"property\":\"plan\",\"op\":\"neq\",\"value\":\"team\"}]");
            keep = e -> !"team".equals(e.text("plan"));
        }
        RevenueReference reference = new RevenueReference(events, ZoneId.of("UTC"), NOW);
        Set<String> members = new HashSet<>();
        Set<String> memberIdentities = new HashSet<>();
        for (int p = 0; p < persons; p++) {
            if (random.nextBoolean()) {
                members.add("p" + p);
                memberIdentities.add("p" + p + "i0");
            }
        }
        int population = random.nextInt(3);
        if (population == 1) {
            body.append(",\"population\":\"m\"");
            reference = reference.only(members, false);
        } else if (population == 2) {
            body.append(",\"population\":{\"id\":\"m\",\"not\":true}");
            reference = reference.only(members, true);
        }
        Function<RevenueReference.Event, String> split = null;
        Map<String, RevenueReference.Event> first = reference.firstEvents();
        switch (random.nextInt(4)) {
            case 1 -> {
                body.append(",\"breakdown\":{\"event_property\":\"plan\"}");
                split = e -> e.text("plan");
            }
            case 2 -> {
                body.append(",\"breakdown\":{\"person_property\":\"tier\"}");
                split = e -> tier.get(e.person());
            }
            case 3 -> {
                body.append(",\"breakdown\":{\"acquisition\":\"utm_source\"}");
                split = e -> first.get(e.person()).text("utm_source");
            }
            default -> {
            }
        }
        body.append('}');

        PopulationResolver populations = new IdentityPopulations(Map.of("m", memberIdentities));
        RevenueReport report = new RevenueReport(roster.database(), roster.revenueSettings(), populations, Clock.fixed(NOW, ZoneOffset.UTC));
        RevenueRequest request = RevenueRequestParser.parse(Json.parse(body.toString()), project, Clock.fixed(NOW, ZoneOffset.UTC));
        RevenueResult result = report.run(project, request);
        RevenueAssertions.assertReport(publicIds, result, reference.view(keep), split == null ? null : reference.split(keep, split), request);
    }

    private static String publicId(Project project, String identity) {
        return roster.database().read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT p.person_id FROM identities i JOIN persons p "
                    + "ON p.project_key = i.project_key AND p.person_key = i.person_key WHERE i.project_key = ? AND i.identity = ?")) {
                statement.setInt(1, project.key());
                statement.setString(2, identity);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getString(1);
                }
            }
        });
    }
}

package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.project.Project;
import dev.roster.project.ProjectKeys;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: on generated histories (anonymous browsing, identified users, merges made after the
 * events, events right on window edges, refunds), stored uncompacted, compacted, or compacted
 * before the merges (which the read side then applies, or a second compaction folds), the SQL of
 * every condition type and of random AND/OR trees selects exactly the people the plain-Java
 * reference selects, now and as of a past instant (the size history).
 */
class PopulationSqlMatchesReferenceTest {
    static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    private static final String[] EVENTS = {"Viewed Pricing", "Purchased", "Read Article", "Started Trial"};
    private static final Instant[] EDGES = {
        NOW, NOW.minusSeconds(1), NOW.plusSeconds(1), NOW.minus(Duration.ofDays(1)), NOW.minus(Duration.ofDays(7)),
        NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(30)).minusSeconds(1), NOW.minus(Duration.ofHours(24)).plusSeconds(1),
        Instant.parse("2024-06-01T00:00:00Z"), Instant.parse("2024-05-31T23:59:59Z"), Instant.parse("2024-06-15T00:00:00Z"),
        Instant.parse("2024-06-29T00:00:00Z")};
    private static final String[] TEXTS = {"pro", "Pro", "free", "p", "ro", "10", "3", "enterprise"};
    private static final double[] NUMBERS = {1, 3, 10, 12, -5};
    /** The default revenue settings: the reference sums the property {@code revenue}, the only one generated. */
    private static final dev.roster.revenue.RevenueExpression REVENUE =
            dev.roster.revenue.RevenueExpression.of(dev.roster.revenue.RevenueConfig.DEFAULT);

    private static TestServer server;
    private static final AtomicInteger PROJECTS = new AtomicInteger();

    @BeforeContainer
    static void start() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    @Property(tries = 12, shrinking = ShrinkingMode.OFF)
    void sqlSelectsTheSamePeopleAsTheReference(@ForAll long seed) {
        Random random = new Random(seed);
        ProjectKeys keys = server.roster().projects().create("p" + PROJECTS.incrementAndGet());
        Project project = keys.project();
        Histories histories = generate(random);
        // Where the events are: all uncompacted; all compacted (merges folded); compacted before the
        // links (merges unfolded over compacted rows); or that, then compacted again (folded by update).
        int layout = random.nextInt(4);
        histories.send(server, project.writeKey(), () -> {
            if (layout >= 2) {
                server.roster().writeBuffer().compactNow();
            }
        });
        if (layout == 1 || layout == 3) {
            server.roster().writeBuffer().compactNow();
        }
        ReferencePopulation.History history = histories.history();
        ReferencePopulation current = new ReferencePopulation(history, NOW, Optional.empty());
        List<Condition> conditions = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            conditions.add(leaf(random, history));
        }
        for (int i = 0; i < 6; i++) {
            conditions.add(tree(random, history, 0));
        }
        for (int i = 0; i < 4; i++) {
            // conjunctions: when every part is positive, the history counts them as one interval per person
            List<Condition> parts = new ArrayList<>();
            int size = 2 + random.nextInt(2);
            for (int k = 0; k < size; k++) {
                parts.add(leaf(random, history));
            }
            conditions.add(new Condition.Group(true, parts));
        }
        for (Condition condition : conditions) {
            Set<String> expected = current.members(condition);
            assertThat(sqlMembers(project, PopulationCompiler.compile(condition, project.key(), NOW, REVENUE), history))
                    .as("seed %d, condition %s", seed, condition).isEqualTo(expected);
        }
        Instant asOf = random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : NOW.minus(Duration.ofHours(random.nextInt(24 * 40)));
        List<Instant> cutoffs = new ArrayList<>(List.of(asOf, EDGES[random.nextInt(EDGES.length)]));
        if (!history.events().isEmpty()) {
            // right on an event: that event must not count yet
            cutoffs.add(history.events().get(random.nextInt(history.events().size())).ts());
        }
        // out of order and repeated, as the counts query must allow
        cutoffs.add(NOW.minus(Duration.ofHours(random.nextInt(24 * 40))));
        cutoffs.add(asOf);
        checkHistory(seed, project, history, conditions, cutoffs);
        ReferencePopulation past = new ReferencePopulation(history, asOf, Optional.of(asOf));
        for (Condition condition : conditions.subList(0, 8)) {
            assertThat(sqlMembers(project, PopulationCompiler.compileAsOf(condition, project.key(), asOf, REVENUE), history))
                    .as("seed %d, as of %s, condition %s", seed, asOf, condition).isEqualTo(past.members(condition));
        }
    }

    /** The one-query size history selects, for each instant, the people the reference selects as of it. */
    private static void checkHistory(long seed, Project project, ReferencePopulation.History history, List<Condition> conditions,
                                     List<Instant> cutoffs) {
        String firstSeen = "(SELECT person_key, min(ts) AS first_ts FROM resolved_events WHERE project_key = " + project.key()
                + " GROUP BY person_key)";
        for (Condition condition : conditions) {
            PersonKeyQuery query = HistoryCompiler.members(condition, project.key(), cutoffs, REVENUE, "resolved_events",
                    "resolved_occurrences", firstSeen);
            // the counts query: pairs counted, or intervals summed (AND of positive conditions)
            PersonKeyQuery countQuery = HistoryCompiler.counts(condition, project.key(), cutoffs, REVENUE, "resolved_events",
                    "resolved_occurrences", firstSeen);
            Map<Integer, Long> counts = server.roster().database().read(connection -> {
                Map<Integer, Long> result = new HashMap<>();
                try (PreparedStatement statement = connection.prepareStatement(countQuery.sql())) {
                    Sql.bind(statement, 1, countQuery.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            result.put(rows.getInt(1), rows.getLong(2));
                        }
                    }
                }
                return result;
            });
            Map<Integer, Set<Long>> keysByDay = server.roster().database().read(connection -> {
                Map<Integer, Set<Long>> result = new HashMap<>();
                try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
                    Sql.bind(statement, 1, query.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            result.computeIfAbsent(rows.getInt(1), k -> new TreeSet<>()).add(rows.getLong(2));
                        }
                    }
                }
                return result;
            });
            for (int d = 0; d < cutoffs.size(); d++) {
                Set<Long> keys = keysByDay.getOrDefault(d, Set.of());
                PersonKeyQuery exactly = new PersonKeyQuery("SELECT unnest(from_json(?, '[\"BIGINT\"]'))",
                        List.of(dev.roster.common.Json.write(keys)));
                ReferencePopulation past = new ReferencePopulation(history, cutoffs.get(d), Optional.of(cutoffs.get(d)));
                assertThat(sqlMembers(project, exactly, history)).as("seed %d, history as of %s, condition %s", seed, cutoffs.get(d), condition)
                        .isEqualTo(past.members(condition));
                assertThat(counts.getOrDefault(d, 0L)).as("seed %d, history count as of %s, condition %s", seed, cutoffs.get(d), condition)
                        .isEqualTo(past.members(condition).size());
            }
        }
    }

    private static Set<String> sqlMembers(Project project, PersonKeyQuery members, ReferencePopulation.History history) {
        Map<Long, Set<String>> personsByKey = server.roster().database().read(connection -> {
            Map<Long, Set<String>> result = new HashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT person_key, identity FROM identities WHERE project_key = ? AND person_key IN (" + members.sql() + ")")) {
                List<Object> parameters = new ArrayList<>();
                parameters.add(project.key());
                parameters.addAll(members.parameters());
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        result.computeIfAbsent(rows.getLong(1), k -> new TreeSet<>())
                                .add(history.personOfIdentity().get(rows.getString(2)));
                    }
                }
            }
            return result;
        });
        Set<String> persons = new TreeSet<>();
        personsByKey.values().forEach(labels -> {
            assertThat(labels).as("one person key is one reference person").hasSize(1);
            persons.addAll(labels);
        });
        assertThat(persons).as("no two person keys are the same reference person").hasSize(personsByKey.size());
        return persons;
    }

    // ---- histories ----

    private static Histories generate(Random random) {
        Histories histories = new Histories();
        int people = 6 + random.nextInt(12);
        for (int p = 0; p < people; p++) {
            String person = "P" + p;
            boolean user = random.nextInt(3) > 0;
            List<String> anonymous = new ArrayList<>();
            int devices = user ? random.nextInt(3) : 1;
            for (int d = 0; d < devices; d++) {
                anonymous.add("a" + p + "x" + d);
            }
            String userId = "u" + p;
            anonymous.forEach(a -> histories.identity(person, a));
            if (user) {
                histories.identity(person, userId);
            }
            List<String> identities = new ArrayList<>(anonymous);
            if (user) {
                identities.add(userId);
            }
            int events = random.nextInt(10);
            for (int e = 0; e < events; e++) {
                String identity = identities.get(random.nextInt(identities.size()));
                boolean isUser = identity.equals(userId);
                String name = EVENTS[random.nextInt(EVENTS.length)];
                Instant ts = random.nextInt(4) == 0 ? EDGES[random.nextInt(EDGES.length)]
                        : NOW.minusSeconds(random.nextInt(60 * 86_400));
                ObjectNode properties = eventProperties(random, name);
                if (random.nextInt(5) == 0) {
                    histories.trackLater(identity, isUser, name, ts, properties);
                } else {
                    histories.track(identity, isUser, name, ts, properties);
                }
            }
            if (user) {
                ObjectNode traits = JsonNodeFactory.instance.objectNode();
                if (random.nextInt(4) > 0) {
                    putValue(random, traits, "plan");
                }
                if (random.nextBoolean()) {
                    traits.put("age", 18 + random.nextInt(50));
                }
                traits.put("email", userId + "@example.com");
                if (anonymous.isEmpty()) {
                    histories.identify(person, null, userId, traits);
                }
                for (String a : anonymous) {
                    histories.identify(person, a, userId, traits);
                }
            }
        }
        return histories;
    }

    private static ObjectNode eventProperties(Random random, String name) {
        ObjectNode properties = JsonNodeFactory.instance.objectNode();
        if (random.nextBoolean()) {
            putValue(random, properties, "plan");
        }
        if (random.nextInt(3) == 0) {
            properties.put("amount", random.nextInt(20));
        }
        if (name.equals("Purchased") && random.nextInt(4) > 0) {
            properties.put("revenue", random.nextInt(5) == 0 ? -10 : random.nextInt(120));
        }
        return properties;
    }

    private static void putValue(Random random, ObjectNode node, String key) {
        switch (random.nextInt(4)) {
            case 0:
                node.put(key, (int) NUMBERS[random.nextInt(NUMBERS.length)]);
                break;
            case 1:
                node.put(key, random.nextBoolean());
                break;
            default:
                node.put(key, TEXTS[random.nextInt(TEXTS.length)]);
        }
    }

    // ---- conditions ----

    static Condition tree(Random random, ReferencePopulation.History history, int depth) {
        if (depth >= 2 || random.nextInt(3) == 0) {
            return leaf(random, history);
        }
        List<Condition> children = new ArrayList<>();
        int size = 1 + random.nextInt(3);
        for (int i = 0; i < size; i++) {
            children.add(tree(random, history, depth + 1));
        }
        return new Condition.Group(random.nextBoolean(), children);
    }

    static Condition leaf(Random random, ReferencePopulation.History history) {
        String event = EVENTS[random.nextInt(EVENTS.length)];
        switch (random.nextInt(7)) {
            case 0:
            case 1:
                return new Condition.Did(random.nextInt(3) == 0, event, filters(random), count(random), window(random));
            case 2:
                return new Condition.Sequence(event, filters(random), count(random), EVENTS[random.nextInt(EVENTS.length)]);
            case 3:
                return new Condition.FirstDid(event, filters(random), window(random));
            case 4:
                return new Condition.PersonProperty(filter(random, random.nextInt(4) == 0 ? "age" : "plan"));
            case 5:
                return new Condition.Ltv(random.nextBoolean(), new double[] {-10, 0, 5, 50, 100, 130}[random.nextInt(6)]);
            default:
                List<String> identities = new ArrayList<>(history.personOfIdentity().keySet());
                return new Condition.IdentityIs(random.nextInt(5) == 0 || identities.isEmpty()
                        ? "nobody" : identities.get(random.nextInt(identities.size())));
        }
    }

    private static List<Condition.Filter> filters(Random random) {
        List<Condition.Filter> filters = new ArrayList<>();
        int size = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0;
        for (int i = 0; i < size; i++) {
            filters.add(filter(random, new String[] {"plan", "amount", "missing"}[random.nextInt(3)]));
        }
        return filters;
    }

    private static Condition.Filter filter(Random random, String property) {
        Condition.FilterOp op = Condition.FilterOp.values()[random.nextInt(Condition.FilterOp.values().length)];
        if (!op.needsValue()) {
            return new Condition.Filter(property, op, Optional.empty());
        }
        Condition.Value value;
        boolean textOnly = op == Condition.FilterOp.CONTAINS || op == Condition.FilterOp.STARTS_WITH || op == Condition.FilterOp.ENDS_WITH;
        int kind = textOnly ? 0 : random.nextInt(op == Condition.FilterOp.GT || op == Condition.FilterOp.LT ? 2 : 3);
        if (kind == 0) {
            value = Condition.Value.of(TEXTS[random.nextInt(TEXTS.length)]);
        } else if (kind == 1) {
            value = Condition.Value.of(NUMBERS[random.nextInt(NUMBERS.length)]);
        } else {
            value = Condition.Value.of(random.nextBoolean());
        }
        return new Condition.Filter(property, op, Optional.of(value));
    }

    private static Condition.Count count(Random random) {
        if (random.nextInt(3) == 0) {
            return Condition.Count.AT_LEAST_ONCE;
        }
        return new Condition.Count(Condition.CountOp.values()[random.nextInt(3)], random.nextInt(4));
    }

    private static Optional<Condition.Window> window(Random random) {
        switch (random.nextInt(4)) {
            case 0:
                return Optional.empty();
            case 1:
                return Optional.of(new Condition.Last(new long[] {1, 7, 30}[random.nextInt(3)], ChronoUnit.DAYS));
            case 2:
                return Optional.of(random.nextBoolean() ? new Condition.Last(24, ChronoUnit.HOURS) : new Condition.Last(1, ChronoUnit.WEEKS));
            default:
                Instant a = EDGES[random.nextInt(EDGES.length)];
                Instant b = EDGES[random.nextInt(EDGES.length)];
                if (a.equals(b)) {
                    b = a.plusSeconds(1);
                }
                return Optional.of(new Condition.Between(a.isBefore(b) ? a : b, a.isBefore(b) ? b : a));
        }
    }
}

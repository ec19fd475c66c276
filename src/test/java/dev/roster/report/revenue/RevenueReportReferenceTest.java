package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
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
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL revenue report against {@link RevenueReference} on generated data, sent through the real
 * write path (write buffer, identity graph, compaction). The data has refunds, persons whose
 * revenue sits under an anonymous id that is identified later, persons whose first touch changes
 * when an earlier anonymous history is merged in, all three revenue properties, and a compaction
 * half-way so that merges apply to both compacted and recent events.
 */
class RevenueReportReferenceTest {
    private static final Instant NOW = Instant.parse("2024-07-01T00:00:00Z");
    private static final Instant FIRST = Instant.parse("2023-10-01T00:00:00Z");
    private static final List<String> SOURCES = Arrays.asList("google", "facebook", "newsletter", "partner", null);
    private static final List<String> MEDIUMS = Arrays.asList("cpc", "email", "social", "organic", "referral", null, null);
    private static final List<String> CAMPAIGNS = Arrays.asList("spring", "summer", "launch", null);
    private static final List<String> REFERRERS = Arrays.asList("https://www.google.com/search?q=x", "https://news.ycombinator.com/item?id=1",
            "https://blog.example.com/post", "https://www.partner.io/deal", "", null, null);

    private static TestServer server;
    private static Project project;
    private static final List<RevenueReference.Event> EVENTS = new ArrayList<>();
    private static final Map<String, Set<String>> IDENTITIES = new HashMap<>();
    private static long uniqueMillis;

    /** Arrays.asList keeps the nulls that List.of refuses. */
    private static final class Arrays {
        @SafeVarargs
        static <T> List<T> asList(T... values) {
            return Collections.unmodifiableList(java.util.Arrays.asList(values));
        }
    }

    @BeforeAll
    static void generate() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        project = server.keys().project();
        Random random = new Random(20240701);
        List<Command> early = new ArrayList<>();
        List<Command> late = new ArrayList<>();
        List<Command> links = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            int kind = i % 4;
            String user = "user-" + i;
            String anon = "anon-" + i;
            Instant firstTouch = FIRST.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 270)));
            String person = kind == 1 ? anon : user;
            IDENTITIES.put(person, kind == 0 ? Set.of(user) : kind == 1 ? Set.of(anon) : Set.of(user, anon));
            List<Command> target = random.nextBoolean() ? early : late;
            if (kind == 3) {
                // the user id shows up first with one touch; an earlier anonymous history with another
                // touch is merged in later, so the first touch changes with the merge
                Instant userStart = firstTouch.plus(Duration.ofDays(5 + random.nextInt(20)));
                track(early, person, user, true, "$pageview", userStart, touch(random));
                track(late, person, anon, false, "$pageview", firstTouch, touch(random));
                payments(random, late, person, anon, false, firstTouch, userStart);
                payments(random, target, person, user, true, userStart, NOW.minus(Duration.ofHours(1)));
                links.add(new Command.Link(user, true, anon, Command.Strength.NORMAL, userStart));
            } else if (kind == 2) {
                // revenue under the anonymous id before identification
                Instant identifiedAt = firstTouch.plus(Duration.ofDays(random.nextInt(40)));
                track(target, person, anon, false, "$pageview", firstTouch, touch(random));
                payments(random, early, person, anon, false, firstTouch, identifiedAt);
                payments(random, late, person, user, true, identifiedAt, NOW.minus(Duration.ofHours(1)));
                links.add(new Command.Link(user, true, anon, Command.Strength.NORMAL, identifiedAt));
            } else {
                String identity = kind == 0 ? user : anon;
                track(target, person, identity, kind == 0, "$pageview", firstTouch, touch(random));
                payments(random, target, person, identity, kind == 0, firstTouch, NOW.minus(Duration.ofHours(1)));
            }
        }
        server.roster().writeBuffer().submit(project, early);
        server.roster().writeBuffer().compactNow();
        server.roster().writeBuffer().submit(project, late);
        server.roster().writeBuffer().submit(project, links);
        server.roster().flush();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode touch(Random random) {
        ObjectNode properties = Json.object();
        properties.put("url", "https://shop.example.com/");
        put(properties, "utm_source", pick(random, SOURCES));
        put(properties, "utm_medium", pick(random, MEDIUMS));
        put(properties, "utm_campaign", pick(random, CAMPAIGNS));
        put(properties, "referrer", pick(random, REFERRERS));
        if (random.nextInt(10) == 0) {
            properties.put("gclid", "abc" + random.nextInt(1000));
        }
        return properties;
    }

    private static void put(ObjectNode properties, String key, String value) {
        if (value != null) {
            properties.put(key, value);
        }
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** 0 to 5 events between two instants: payments in each revenue property, refunds, views. */
    private static void payments(Random random, List<Command> commands, String person, String identity, boolean identified,
                                 Instant after, Instant before) {
        long span = Duration.between(after, before).toMinutes();
        if (span < 2) {
            return;
        }
        int count = random.nextInt(6);
        for (int i = 0; i < count; i++) {
            Instant ts = after.plus(Duration.ofMinutes(1 + random.nextInt((int) Math.min(span - 1, Integer.MAX_VALUE))));
            ObjectNode properties = Json.object();
            double amount = Math.round((5 + random.nextDouble() * 200) * 100) / 100.0;
            String name;
            switch (random.nextInt(6)) {
                case 0 -> {
                    name = "Order Completed";
                    properties.put("revenue", amount);
                }
                case 1 -> {
                    name = "Order Completed";
                    properties.put("total", amount);
                }
                case 2 -> {
                    name = "Billed";
                    properties.put("Billing Amount", String.valueOf(amount));
                }
                case 3 -> {
                    name = "Order Refunded";
                    properties.put("revenue", -Math.round(amount * 40) / 100.0);
                }
                case 4 -> {
                    name = "Viewed Pricing";
                    properties.put("utm_source", "ignored-not-first");
                }
                default -> {
                    name = "Order Completed";
                    properties.put("revenue", "not a number");
                    properties.put("total", amount);
                }
            }
            track(commands, person, identity, identified, name, ts, properties);
        }
    }

    private static void track(List<Command> commands, String person, String identity, boolean identified, String name,
                              Instant ts, ObjectNode properties) {
        Instant unique = ts.truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusMillis(uniqueMillis++);
        commands.add(new Command.Track(UUID.randomUUID().toString(), identity, Optional.empty(), identified, name, unique, NOW,
                Optional.empty(), properties, List.of()));
        EVENTS.add(new RevenueReference.Event(person, unique, name, properties));
    }

    /** A tiny population: the persons owning the given identities. */
    private record IdentityPopulation(Set<String> identities) implements PopulationResolver {
        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            List<Object> parameters = new ArrayList<>();
            parameters.add(project.key());
            parameters.addAll(identities);
            return new PersonKeyQuery("SELECT person_key FROM identities WHERE project_key = ? AND identity IN ("
                    + Sql.placeholders(identities.size()) + ")", parameters);
        }

        @Override
        public String name(Project project, String populationId) {
            return populationId;
        }
    }

    private static RevenueResult run(Project project, PopulationResolver populations, RevenueRequest request) {
        RevenueReport report = new RevenueReport(server.roster().database(), server.roster().revenueSettings(), populations,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return report.run(project, request);
    }

    private static RevenueRequest request(String from, String to, RevenueRequest.GroupBy groupBy, RevenueRequest.Interval interval,
                                          int churnDays, Optional<RevenueRequest.PopulationFilter> population) {
        return new RevenueRequest(LocalDate.parse(from), LocalDate.parse(to), groupBy, OptionalInt.of(churnDays), population, interval, 15);
    }

    private static void assertMatches(RevenueResult result, RevenueReference reference, RevenueRequest request) {
        LocalDate from = request.from();
        LocalDate to = request.to();
        RevenueReference.Totals totals = reference.totals(from, to);
        assertThat(result.totalRevenue()).isCloseTo(totals.revenue(), within(1e-6));
        assertThat(result.refunds()).isCloseTo(totals.refunds(), within(1e-6));
        assertThat(result.payingPeople()).isEqualTo(totals.paying());
        assertThat(result.activePeople()).isEqualTo(totals.active());

        Map<String, RevenueReference.Totals> periods = reference.periods(from, to, request.interval());
        long nonEmpty = result.periods().stream().filter(p -> p.activePeople() > 0).count();
        assertThat(nonEmpty).isEqualTo(periods.size());
        for (RevenueResult.Period period : result.periods()) {
            RevenueReference.Totals expected = periods.getOrDefault(period.start(), new RevenueReference.Totals(0, 0, 0, 0));
            assertThat(period.revenue()).as(period.toString()).isCloseTo(expected.revenue(), within(1e-6));
            assertThat(period.refunds()).as(period.toString()).isCloseTo(expected.refunds(), within(1e-6));
            assertThat(period.payingPeople()).as(period.toString()).isEqualTo(expected.paying());
            assertThat(period.activePeople()).as(period.toString()).isEqualTo(expected.active());
        }

        Map<String, RevenueReference.Group> groups = reference.groups(from, to, request.groupBy());
        assertThat(result.groups()).hasSize(groups.size());
        for (RevenueResult.Group group : result.groups()) {
            RevenueReference.Group expected = groups.get(group.value());
            assertThat(expected).as("group " + group.value()).isNotNull();
            assertThat(group.people()).as(group.toString()).isEqualTo(expected.people());
            assertThat(group.payingPeople()).as(group.toString()).isEqualTo(expected.paying());
            assertThat(group.revenue()).as(group.toString()).isCloseTo(expected.revenue(), within(1e-6));
            assertThat(group.ltvAverage()).as(group.toString()).isCloseTo(expected.revenue() / expected.people(), within(1e-6));
        }

        long churned = reference.churned(from, to, request.churnDays().getAsInt());
        assertThat(result.churnedCustomers()).isEqualTo(churned);
        if (churned == 0) {
            assertThat(result.churnLtv()).isNull();
        } else {
            assertThat(result.churnLtv()).isCloseTo(reference.lifetimeRevenue(from, to) / churned, within(1e-6));
        }

        Map<String, RevenueReference.Curve> curves = reference.curves(from, to);
        for (RevenueResult.CohortCurve curve : result.cohortCurves()) {
            RevenueReference.Curve expected = curves.get(curve.cohort());
            if (expected == null) {
                assertThat(curve.people()).isZero();
                assertThat(curve.ltvAtMonths().values()).containsOnlyNulls();
                continue;
            }
            assertThat(curve.people()).as(curve.toString()).isEqualTo(expected.people());
            for (int months : List.of(1, 3, 6, 12)) {
                Double value = curve.ltvAtMonths().get(String.valueOf(months));
                Double want = expected.ltvAt().get(months);
                if (want == null) {
                    assertThat(value).as(curve + " at " + months).isNull();
                } else {
                    assertThat(value).as(curve + " at " + months).isCloseTo(want, within(1e-6));
                }
            }
        }
        assertThat(result.cohortCurves().stream().mapToLong(RevenueResult.CohortCurve::people).sum())
                .isEqualTo(reference.acquired(from, to).size());

        List<Map.Entry<String, Double>> top = reference.top(from, to, request.top());
        assertThat(result.topCustomers()).extracting(RevenueResult.Customer::displayName)
                .containsExactlyElementsOf(top.stream().map(Map.Entry::getKey).toList());
        for (int i = 0; i < top.size(); i++) {
            assertThat(result.topCustomers().get(i).ltv()).isCloseTo(top.get(i).getValue(), within(1e-6));
        }
    }

    @Test
    void everyGroupingMatchesTheReferenceOverTheWholeHistory() {
        RevenueReference reference = new RevenueReference(EVENTS, ZoneId.of("UTC"), NOW);
        for (RevenueRequest.GroupBy groupBy : RevenueRequest.GroupBy.values()) {
            RevenueRequest request = request("2023-10-01", "2024-06-30", groupBy, RevenueRequest.Interval.MONTH, 30, Optional.empty());
            assertMatches(run(project, new IdentityPopulation(Set.of("none")), request), reference, request);
        }
    }

    @Test
    void aNarrowerRangeWeeklyPeriodsAndAnotherChurnPeriodMatchTheReference() {
        RevenueReference reference = new RevenueReference(EVENTS, ZoneId.of("UTC"), NOW);
        RevenueRequest request = request("2024-01-15", "2024-04-10", RevenueRequest.GroupBy.UTM_SOURCE,
                RevenueRequest.Interval.WEEK, 75, Optional.empty());
        assertMatches(run(project, new IdentityPopulation(Set.of("none")), request), reference, request);
        RevenueRequest daily = request("2024-03-01", "2024-03-31", RevenueRequest.GroupBy.CHANNEL,
                RevenueRequest.Interval.DAY, 7, Optional.empty());
        assertMatches(run(project, new IdentityPopulation(Set.of("none")), daily), reference, daily);
    }

    @Test
    void projectTimeZoneShiftsPeriodsRangeAndCohorts() {
        ZoneId zone = ZoneId.of("America/Los_Angeles");
        Project local = new Project(project.key(), project.id(), project.name(), project.writeKey(), zone);
        RevenueReference reference = new RevenueReference(EVENTS, zone, NOW);
        RevenueRequest request = request("2023-11-01", "2024-05-31", RevenueRequest.GroupBy.COHORT_MONTH,
                RevenueRequest.Interval.WEEK, 30, Optional.empty());
        assertMatches(run(local, new IdentityPopulation(Set.of("none")), request), reference, request);
    }

    @Test
    void populationFilterInAndNotInMatchesTheReference() {
        Set<String> persons = new HashSet<>();
        Set<String> identities = new HashSet<>();
        List<String> all = new ArrayList<>(IDENTITIES.keySet());
        Collections.sort(all);
        for (int i = 0; i < all.size(); i += 3) {
            persons.add(all.get(i));
            // name the person by one of its identities only: the anonymous one when it has one
            identities.add(IDENTITIES.get(all.get(i)).stream().sorted().findFirst().orElseThrow());
        }
        RevenueReference reference = new RevenueReference(EVENTS, ZoneId.of("UTC"), NOW);
        PopulationResolver population = new IdentityPopulation(identities);
        for (boolean negated : List.of(false, true)) {
            RevenueRequest request = request("2023-10-01", "2024-06-30", RevenueRequest.GroupBy.CHANNEL, RevenueRequest.Interval.MONTH,
                    30, Optional.of(new RevenueRequest.PopulationFilter("third", negated)));
            assertMatches(run(project, population, request), reference.only(persons, negated), request);
        }
    }

    @Test
    void personLtvOnThePersonApiIsTheSumOfTheirRevenueAcrossIdentities() {
        RevenueReference reference = new RevenueReference(EVENTS, ZoneId.of("UTC"), NOW);
        Map<String, List<RevenueReference.Event>> acquired = reference.acquired(LocalDate.parse("2023-01-01"), LocalDate.parse("2024-07-01"));
        for (String person : List.of("anon-1", "user-2", "user-3", "user-6", "user-7")) {
            double expected = RevenueReference.ltv(acquired.get(person));
            String lookup = person.startsWith("user-") ? "anon-" + person.substring(5) : person;
            if (IDENTITIES.get(person).contains(lookup)) {
                assertThat(server.person(lookup).get("ltv").asDouble()).as(person).isCloseTo(expected, within(1e-6));
            }
            assertThat(server.person(person).get("ltv").asDouble()).as(person).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void theHttpApiAnswersTheSameAsTheReport() {
        RevenueRequest request = request("2023-10-01", "2024-06-30", RevenueRequest.GroupBy.UTM_CAMPAIGN, RevenueRequest.Interval.MONTH,
                30, Optional.empty());
        RevenueResult direct = run(project, new IdentityPopulation(Set.of("none")), request);
        TestServer.Response response = server.api("/api/reports/revenue",
                "{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_campaign\",\"churn_days\":30,\"top\":15}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(rounded(response.json())).isEqualTo(rounded(Json.parse(Json.write(direct))));
        assertThat(response.json().get("groups")).hasSize(direct.groups().size());
    }

    /** The JSON text with every number rounded to 6 decimals (sums of doubles may differ in the last bit). */
    private static String rounded(com.fasterxml.jackson.databind.JsonNode node) {
        if (node.isNumber()) {
            return String.format(java.util.Locale.ROOT, "%.6f", node.asDouble());
        }
        if (node.isArray()) {
            List<String> items = new ArrayList<>();
            node.forEach(item -> items.add(rounded(item)));
            return items.toString();
        }
        if (node.isObject()) {
            java.util.TreeMap<String, String> fields = new java.util.TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), rounded(e.getValue())));
            return fields.toString();
        }
        return node.toString();
    }
}

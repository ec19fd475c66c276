package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.PropertyOperation;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL revenue report against {@link RevenueReference} on generated data, sent through the real
 * write path (write buffer, identity graph, compaction). The data has refunds, persons whose
 * revenue sits under an anonymous id that is identified later, persons whose first touch changes
 * when an earlier anonymous history is merged in, all three revenue properties, a {@code plan} on
 * some payments, a {@code tier} person property, and a compaction half-way so that merges apply
 * to both compacted and recent events, late events older than a person's compacted first event
 * (the first touch moves to the tail), first touches with blank, numeric, object and null values
 * and click ids, and two erased persons. Every comparison includes the person ids behind each
 * number ({@code "people": true}).
 */
class RevenueReportReferenceTest {
    private static final Instant NOW = Instant.parse("2024-07-01T00:00:00Z");
    private static final Instant FIRST = Instant.parse("2023-10-01T00:00:00Z");
    private static final List<String> SOURCES = Arrays.asList("google", "facebook", "newsletter", "partner", null);
    private static final List<String> MEDIUMS = Arrays.asList("cpc", "email", "social", "organic", "referral", null, null);
    private static final List<String> CAMPAIGNS = Arrays.asList("spring", "summer", "launch", null);
    private static final List<String> REFERRERS = Arrays.asList("https://www.google.com/search?q=x", "https://news.ycombinator.com/item?id=1",
            "https://blog.example.com/post", "https://www.partner.io/deal", "", null, null);
    private static final List<String> PLANS = Arrays.asList("pro", "team", null);
    private static final List<String> TIERS = Arrays.asList("gold", "silver", null);

    private static TestServer server;
    private static Project project;
    private static final List<RevenueReference.Event> EVENTS = new ArrayList<>();
    private static final Map<String, Set<String>> IDENTITIES = new HashMap<>();
    private static final Map<String, String> TIER = new HashMap<>();
    private static final Map<String, String> PUBLIC_IDS = new HashMap<>();
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
        List<Command> profiles = new ArrayList<>();
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
                boolean lateOlder = kind == 0 && i % 8 == 0;
                List<Command> main = lateOlder ? early : target;
                track(main, person, identity, kind == 0, "$pageview", firstTouch, touch(random));
                payments(random, main, person, identity, kind == 0, firstTouch, NOW.minus(Duration.ofHours(1)));
                if (lateOlder) {
                    // a late event, older than the compacted first event, arrives after compaction with
                    // another touch: the first touch moves to the uncompacted tail
                    track(late, person, identity, true, "$pageview", firstTouch.minus(Duration.ofHours(2)), touch(random));
                }
            }
            String tier = pick(random, TIERS);
            if (tier != null) {
                TIER.put(person, tier);
                profiles.add(new Command.UpdateProfile(person, kind != 1,
                        List.of(new PropertyOperation(PropertyOperation.Kind.SET, "tier", TextNode.valueOf(tier))), NOW.minusSeconds(60)));
            }
        }
        server.roster().writeBuffer().submit(project, early);
        server.roster().writeBuffer().compactNow();
        server.roster().writeBuffer().submit(project, late);
        server.roster().writeBuffer().submit(project, links);
        server.roster().writeBuffer().submit(project, profiles);
        server.roster().flush();
        // two persons erased (one compacted with a late tail event, one merged): their summary rows,
        // payments and events go, and the reference forgets them
        for (String erased : List.of("user-8", "user-10")) {
            String id = server.person(erased).get("id").asText();
            server.erase(id);
            EVENTS.removeIf(e -> e.person().equals(erased));
            IDENTITIES.remove(erased);
            TIER.remove(erased);
        }
        for (String person : IDENTITIES.keySet()) {
            PUBLIC_IDS.put(person, server.person(person).get("id").asText());
        }
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
        switch (random.nextInt(12)) {
            case 0 -> properties.put("gclid", "abc" + random.nextInt(1000));
            case 1 -> properties.put("fbclid", "fb" + random.nextInt(1000));
            case 2 -> properties.put("gclid", " ");   // blank: no click
            case 3 -> properties.put("utm_source", 42);   // a number: its text
            case 4 -> properties.putObject("utm_campaign").put("name", "nested");   // an object: no value
            case 5 -> properties.put("utm_source", "  ");   // blank: no source
            case 6 -> properties.putNull("utm_medium");
            default -> {
            }
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
            put(properties, "plan", pick(random, PLANS));
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

    /** Populations by id: the persons owning the given identities. */
    private record IdentityPopulations(Map<String, Set<String>> identities) implements PopulationResolver {
        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            Set<String> members = identities.getOrDefault(populationId, Set.of("none"));
            List<Object> parameters = new ArrayList<>();
            parameters.add(project.key());
            parameters.addAll(members);
            return new PersonKeyQuery("SELECT person_key FROM identities WHERE project_key = ? AND identity IN ("
                    + Sql.placeholders(members.size()) + ")", parameters);
        }

        @Override
        public String name(Project project, String populationId) {
            return "population " + populationId;
        }
    }

    private static final PopulationResolver NO_POPULATIONS = new IdentityPopulations(Map.of());

    private static RevenueResult run(Project project, PopulationResolver populations, String body) {
        RevenueReport report = new RevenueReport(server.roster().database(), server.roster().revenueSettings(), populations,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return report.run(project, Json.parse(body));
    }

    private static RevenueRequest parse(Project project, String body) {
        return RevenueRequestParser.parse(Json.parse(body), project, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static void assertFigures(String label, RevenueResult.Figures figures, RevenueReference.View view,
                                      RevenueRequest request, int churnDays) {
        RevenueAssertions.assertFigures(PUBLIC_IDS, label, figures, view, request, churnDays);
    }

    private static void assertReport(RevenueResult result, RevenueReference.View overall, Map<String, RevenueReference.View> split,
                                     RevenueRequest request) {
        RevenueAssertions.assertReport(PUBLIC_IDS, result, overall, split, request);
    }

    private static RevenueReference reference() {
        return new RevenueReference(EVENTS, ZoneId.of("UTC"), NOW);
    }

    private static void check(String body, RevenueReference reference, Predicate<RevenueReference.Event> keep,
                              Function<RevenueReference.Event, String> value, PopulationResolver populations) {
        RevenueRequest request = parse(project, body);
        RevenueResult result = run(project, populations, body);
        assertReport(result, reference.view(keep), value == null ? null : reference.split(keep, value), request);
    }

    @Test
    void everyGroupingMatchesTheReferenceOverTheWholeHistory() {
        for (RevenueRequest.GroupBy groupBy : RevenueRequest.GroupBy.values()) {
            check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"" + groupBy.wireName()
                    + "\",\"churn_days\":30,\"top\":15,\"people\":true}", reference(), e -> true, null, NO_POPULATIONS);
        }
    }

    @Test
    void aNarrowerRangeWeeklyPeriodsAndAnotherChurnPeriodMatchTheReference() {
        check("{\"from\":\"2024-01-15\",\"to\":\"2024-04-10\",\"group_by\":\"utm_source\",\"interval\":\"week\",\"churn_days\":75,"
                + "\"top\":15,\"people\":true}", reference(), e -> true, null, NO_POPULATIONS);
        check("{\"from\":\"2024-03-01\",\"to\":\"2024-03-31\",\"group_by\":\"channel\",\"interval\":\"day\",\"churn_days\":7,"
                + "\"top\":15,\"people\":true}", reference(), e -> true, null, NO_POPULATIONS);
    }

    @Test
    void projectTimeZoneShiftsPeriodsRangeAndCohorts() {
        ZoneId zone = ZoneId.of("America/Los_Angeles");
        Project local = new Project(project.key(), project.id(), project.name(), project.writeKey(), zone);
        RevenueReference reference = new RevenueReference(EVENTS, zone, NOW);
        String body = "{\"from\":\"2023-11-01\",\"to\":\"2024-05-31\",\"group_by\":\"cohort_month\",\"interval\":\"week\","
                + "\"top\":15,\"people\":true}";
        assertReport(run(local, NO_POPULATIONS, body), reference.all(), null, parse(local, body));
    }

    @Test
    void aRequestTimeZoneOverridesTheProjects() {
        RevenueReference reference = new RevenueReference(EVENTS, ZoneId.of("Asia/Tokyo"), NOW);
        String body = "{\"from\":\"2023-12-01\",\"to\":\"2024-04-30\",\"time_zone\":\"Asia/Tokyo\",\"interval\":\"day\","
                + "\"group_by\":\"cohort_month\",\"top\":15,\"people\":true}";
        RevenueResult result = run(project, NO_POPULATIONS, body);
        assertThat(result.timeZone()).isEqualTo("Asia/Tokyo");
        assertReport(result, reference.all(), null, parse(project, body));
    }

    /** Every third person, named by one identity only (the anonymous one when it has one). */
    private static Set<String> everyThird(int offset, Set<String> identities) {
        Set<String> persons = new HashSet<>();
        List<String> all = new ArrayList<>(IDENTITIES.keySet());
        Collections.sort(all);
        for (int i = offset; i < all.size(); i += 3) {
            persons.add(all.get(i));
            identities.add(IDENTITIES.get(all.get(i)).stream().sorted().findFirst().orElseThrow());
        }
        return persons;
    }

    @Test
    void populationFilterInAndNotInMatchesTheReference() {
        Set<String> identities = new HashSet<>();
        Set<String> persons = everyThird(0, identities);
        PopulationResolver population = new IdentityPopulations(Map.of("third", identities));
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"population\":\"third\",\"top\":15,\"people\":true}",
                reference().only(persons, false), e -> true, null, population);
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"population\":{\"id\":\"third\",\"not\":true},\"top\":15,\"people\":true}",
                reference().only(persons, true), e -> true, null, population);
    }

    @Test
    void eventFiltersCountOnlyMatchingEvents() {
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\",\"top\":15,\"people\":true,"
                        + "\"where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"}]}",
                reference(), e -> "pro".equals(e.text("plan")), null, NO_POPULATIONS);
        check("{\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\",\"interval\":\"week\",\"top\":15,\"people\":true,"
                        + "\"where\":[{\"property\":\"plan\",\"op\":\"neq\",\"value\":\"team\"},"
                        + "{\"property\":\"utm_source\",\"op\":\"is_not_set\"}]}",
                reference(), e -> !"team".equals(e.text("plan")) && e.text("utm_source") == null, null, NO_POPULATIONS);
    }

    @Test
    void personFiltersKeepMatchingPeople() {
        Set<String> gold = new HashSet<>();
        TIER.forEach((person, tier) -> {
            if (tier.equals("gold")) {
                gold.add(person);
            }
        });
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"top\":15,\"people\":true,"
                + "\"person_where\":[{\"property\":\"tier\",\"op\":\"eq\",\"value\":\"gold\"}]}",
                reference().only(gold, false), e -> true, null, NO_POPULATIONS);
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"top\":15,\"people\":true,"
                + "\"person_where\":[{\"property\":\"tier\",\"op\":\"neq\",\"value\":\"gold\"}]}",
                reference().only(gold, true), e -> true, null, NO_POPULATIONS);
    }

    @Test
    void anEventPropertyBreakdownSplitsPaymentsByTheirOwnValue() {
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\",\"top\":15,\"people\":true,"
                + "\"breakdown\":{\"event_property\":\"plan\"}}", reference(), e -> true, e -> e.text("plan"), NO_POPULATIONS);
        // with an event filter, only matching events are split
        check("{\"from\":\"2024-02-01\",\"to\":\"2024-05-31\",\"interval\":\"week\",\"top\":15,\"people\":true,"
                        + "\"breakdown\":{\"event_property\":\"plan\"},\"where\":[{\"property\":\"plan\",\"op\":\"is_set\"}]}",
                reference(), e -> e.text("plan") != null, e -> e.text("plan"), NO_POPULATIONS);
    }

    @Test
    void aPersonPropertyBreakdownSplitsPeople() {
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"channel\",\"top\":15,\"people\":true,"
                + "\"breakdown\":{\"person_property\":\"tier\"}}", reference(), e -> true, e -> TIER.get(e.person()), NO_POPULATIONS);
    }

    @Test
    void anAcquisitionBreakdownSplitsPeopleByTheirFirstTouch() {
        RevenueReference reference = reference();
        Map<String, RevenueReference.Event> first = reference.firstEvents();
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_campaign\",\"top\":15,\"people\":true,"
                        + "\"breakdown\":{\"acquisition\":\"utm_source\"}}", reference, e -> true,
                e -> Optional.ofNullable(first.get(e.person()).text("utm_source")).filter(v -> !v.isBlank()).orElse(null), NO_POPULATIONS);
        check("{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\",\"top\":15,\"people\":true,"
                        + "\"breakdown\":{\"acquisition\":\"channel\"}}", reference, e -> true,
                e -> RevenueReference.channel(first.get(e.person())), NO_POPULATIONS);
    }

    @Test
    void aPopulationBreakdownEqualsTheFilteredReportsAndCombinesWithAFilter() {
        Set<String> firstIdentities = new HashSet<>();
        Set<String> firstThird = everyThird(0, firstIdentities);
        Set<String> secondIdentities = new HashSet<>();
        Set<String> secondThird = everyThird(1, secondIdentities);
        Set<String> gold = new HashSet<>();
        TIER.forEach((person, tier) -> {
            if (tier.equals("gold")) {
                gold.add(person);
            }
        });
        PopulationResolver populations = new IdentityPopulations(Map.of("a", firstIdentities, "b", secondIdentities));
        String body = "{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"top\":15,\"people\":true,"
                + "\"person_where\":[{\"property\":\"tier\",\"op\":\"eq\",\"value\":\"gold\"}],"
                + "\"population\":{\"id\":\"b\",\"not\":true},\"breakdown\":{\"populations\":[\"a\",\"b\"]}}";
        RevenueRequest request = parse(project, body);
        RevenueResult result = run(project, populations, body);
        RevenueReference base = reference().only(gold, false).only(secondThird, true);
        assertFigures("overall", result.figures(), base.all(), request, result.churnDays());
        assertThat(result.breakdown()).extracting(RevenueResult.Slice::value).containsExactly("population a", "population b");
        assertFigures("a", result.breakdown().get(0).figures(), base.only(firstThird, false).all(), request, result.churnDays());
        assertFigures("b", result.breakdown().get(1).figures(), base.only(secondThird, false).all(), request, result.churnDays());
        assertThat(result.breakdown().get(1).figures().activity().activePeople()).isZero();
    }

    @Test
    void sectionsLeaveOutWhatWasNotAskedFor() {
        String body = "{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\",\"sections\":[\"ltv\"]}";
        RevenueResult result = run(project, NO_POPULATIONS, body);
        assertThat(result.sections()).containsExactly("ltv");
        assertThat(result.figures().activity()).isNull();
        assertThat(result.figures().cohortCurves()).isNull();
        RevenueResult full = run(project, NO_POPULATIONS, "{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_source\"}");
        assertThat(result.figures().lifetime()).isEqualTo(full.figures().lifetime());
        JsonNode json = Json.parse(Json.write(result));
        assertThat(json.has("groups")).isTrue();
        assertThat(json.has("periods")).isFalse();
        assertThat(json.has("total_revenue")).isFalse();
        assertThat(json.has("cohort_curves")).isFalse();
        assertThat(json.has("acquired_person_ids")).isFalse();
    }

    @Test
    void personLtvOnThePersonApiIsTheSumOfTheirRevenueAcrossIdentities() {
        Map<String, List<RevenueReference.Event>> byPerson = new HashMap<>();
        EVENTS.forEach(e -> byPerson.computeIfAbsent(e.person(), k -> new ArrayList<>()).add(e));
        for (String person : List.of("anon-1", "user-2", "user-3", "user-6", "user-7")) {
            double expected = RevenueReference.ltv(byPerson.get(person));
            for (String identity : IDENTITIES.get(person)) {
                assertThat(server.person(identity).get("ltv").asDouble()).as(identity).isCloseTo(expected, within(1e-6));
            }
        }
    }

    @Test
    void theHttpApiAnswersTheSameAsTheReport() {
        String body = "{\"from\":\"2023-10-01\",\"to\":\"2024-06-30\",\"group_by\":\"utm_campaign\",\"churn_days\":30,\"top\":15,"
                + "\"people\":true,\"breakdown\":{\"event_property\":\"plan\"},\"where\":[{\"property\":\"plan\",\"op\":\"neq\",\"value\":\"x\"}]}";
        RevenueResult direct = run(project, NO_POPULATIONS, body);
        TestServer.Response response = server.api("/api/reports/revenue", body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertClose("$", response.json(), Json.parse(Json.write(direct)));
        assertThat(response.json().get("groups")).hasSize(direct.figures().lifetime().groups().size());
        assertThat(response.json().get("breakdown")).hasSize(direct.breakdown().size());
        assertThat(response.json().get("breakdown").get(0).has("periods")).isTrue();
        assertThat(Objects.requireNonNull(response.json().get("top_customers").get(0).get("url")).asText()).startsWith("/api/people/");
    }

    /** Equal JSON, numbers within 1e-6 (sums of doubles may differ in the last bits between runs). */
    static void assertClose(String path, JsonNode actual, JsonNode expected) {
        if (expected.isNumber()) {
            assertThat(actual.isNumber()).as(path).isTrue();
            assertThat(actual.asDouble()).as(path).isCloseTo(expected.asDouble(), within(1e-6));
        } else if (expected.isArray()) {
            assertThat(actual.isArray()).as(path).isTrue();
            assertThat(actual.size()).as(path).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertClose(path + "[" + i + "]", actual.get(i), expected.get(i));
            }
        } else if (expected.isObject()) {
            assertThat(actual.isObject()).as(path).isTrue();
            List<String> names = new ArrayList<>();
            actual.fieldNames().forEachRemaining(names::add);
            List<String> wanted = new ArrayList<>();
            expected.fieldNames().forEachRemaining(wanted::add);
            assertThat(names).as(path).containsExactlyElementsOf(wanted);
            for (String name : wanted) {
                assertClose(path + "." + name, actual.get(name), expected.get(name));
            }
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }
}

package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.demo.DemoGenerator;
import dev.roster.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Populations and reports together, on the demo dataset (merged identities, a year of a SaaS),
 * everything through the HTTP API: the seed's "readers retain better" example as a retention
 * breakdown, a population as a funnel filter against the same members saved statically, report
 * people saved as a population, and populations as a trends breakdown.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PopulationsInReportsTest {
    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final int PEOPLE = 3000;
    /** The same split as the generator's effect: {@code READER_THRESHOLD}+ reads before the first trial. */
    private static final String READERS = "{\"did\": \"Read Article\", \"count\": {\"op\": \"gte\", \"value\": "
            + DemoGenerator.READER_THRESHOLD + "}, \"before_first\": \"Started Trial\"}";
    /** Three conditions, AND over an OR: viewed pricing, and (read 2+ articles or is on the pro plan). */
    private static final String PRICING_AND_READ_OR_PRO = "{\"all\": [{\"did\": \"Viewed Pricing\"}, {\"any\": ["
            + "{\"did\": \"Read Article\", \"count\": {\"op\": \"gte\", \"value\": 2}}, "
            + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}]}]}";
    private static final String FUNNEL = "\"steps\": [\"Signed Up\", \"Started Trial\", \"Purchased\"], "
            + "\"window\": {\"value\": 30, \"unit\": \"day\"}, \"from\": \"2025-06-01\", \"to\": \"2026-06-15\"";

    private TestServer server;

    @BeforeAll
    void generate() {
        server = TestServer.start(CLOCK);
        DemoGenerator.Result result = new DemoGenerator(server.roster().writeBuffer(), CLOCK)
                .generate(server.keys().project(), DemoGenerator.Options.of(PEOPLE, 42), DemoGenerator.Progress.NONE);
        System.out.println("populations-in-reports dataset: " + result);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    // ---- 1. the seed's SaaS example ----

    @Test
    void readersOfThreeArticlesBeforeTheirTrialRetainBetterInARetentionBreakdownByTheirPopulation() {
        String readers = create("3+ Read Article before Started Trial", READERS);
        // Cohorts whose fourth month after the trial is complete by now (trial + 4 months <= now).
        String retention = "\"cohort_event\": \"Started Trial\", \"return_event\": \"Billing\", \"period\": \"month\", "
                + "\"periods\": 4, \"from\": \"2025-06-15\", \"to\": \"2026-01-31\"";
        JsonNode all = post("/api/reports/retention", "{" + retention + ", \"breakdown\": {\"populations\": [\"" + readers + "\"]}}");
        assertThat(all.get("breakdown")).hasSize(2);
        JsonNode group = all.get("breakdown").get(0);
        assertThat(group.get("value").asText()).isEqualTo("3+ Read Article before Started Trial");
        JsonNode rest = all.get("breakdown").get(1);
        assertThat(rest.get("value").asText()).isEqualTo("Not in 3+ Read Article before Started Trial");

        long[] total = sizeAndCount(all.get("cohorts"), 3);
        long[] members = sizeAndCount(group.get("cohorts"), 3);
        // The complement, as a report of its own, is everyone else in the same cohorts.
        JsonNode others = post("/api/reports/retention", "{" + retention + ", \"population\": {\"id\": \"" + readers + "\", \"not\": true}}");
        long[] nonMembers = sizeAndCount(others.get("cohorts"), 3);
        // the breakdown's "Not in" group is that complement, cohort by cohort
        assertThat(rest.get("cohorts")).isEqualTo(others.get("cohorts"));
        assertThat(rest.get("average")).isEqualTo(others.get("average"));
        assertThat(members[0] + nonMembers[0]).isEqualTo(total[0]);
        assertThat(members[1] + nonMembers[1]).isEqualTo(total[1]);
        assertThat(group.get("average").get(3).asDouble()).isCloseTo((double) members[1] / members[0], org.assertj.core.data.Offset.offset(1e-9));

        double membersRate = (double) members[1] / members[0];
        double othersRate = (double) nonMembers[1] / nonMembers[0];
        double expectedMembers = DemoGenerator.expectedStillPaying(true, 3);
        double expectedOthers = DemoGenerator.expectedStillPaying(false, 3);
        System.out.printf("retention period 3 (Billing): readers n=%d rate=%.3f (expected %.3f), others n=%d rate=%.3f (expected %.3f)%n",
                members[0], membersRate, expectedMembers, nonMembers[0], othersRate, expectedOthers);
        assertThat(members[0]).as("readers among trial starters").isGreaterThan(40);
        assertThat(nonMembers[0]).isGreaterThan(4 * members[0] / 2);
        assertThat(membersRate - othersRate).as("readers' period-3 retention minus the others'")
                .isGreaterThanOrEqualTo((expectedMembers - expectedOthers) / 2);
        // and the others are near their own expectation (the report is not just inflating the members)
        assertThat(othersRate).isBetween(expectedOthers - 0.07, expectedOthers + 0.07);

        // Every period, not only the third: once paying starts (period 1), readers stay ahead.
        for (int n = 1; n < 4; n++) {
            long[] m = sizeAndCount(group.get("cohorts"), n);
            long[] o = sizeAndCount(others.get("cohorts"), n);
            assertThat((double) m[1] / m[0]).as("period " + n).isGreaterThan((double) o[1] / o[0]);
        }
    }

    /** The summed cohort sizes and the summed counts of period {@code n}. */
    private static long[] sizeAndCount(JsonNode cohorts, int n) {
        long size = 0;
        long count = 0;
        for (JsonNode cohort : cohorts) {
            size += cohort.get("size").asLong();
            count += cohort.get("counts").get(n).asLong();
        }
        return new long[] {size, count};
    }

    // ---- 2. a population as a funnel filter = a funnel over exactly its members ----

    @Test
    void aPopulationAsAFunnelFilterGivesTheSameNumbersAsAFunnelOverExactlyItsMembers() {
        String dynamic = create("Pricing and (reader or pro)", PRICING_AND_READ_OR_PRO);
        List<String> ids = allMembers(dynamic);
        long count = server.get("/api/populations/" + dynamic).json().get("count").asLong();
        assertThat(ids).hasSize((int) count).doesNotHaveDuplicates();
        assertThat(count).as("a population of some but not all people").isGreaterThan(50).isLessThan(PEOPLE);
        String saved = createStatic("Pricing and (reader or pro), frozen", ids);

        List<Long> unfiltered = stepCounts(post("/api/reports/funnel", "{" + FUNNEL + "}"));
        List<Long> inDynamic = stepCounts(post("/api/reports/funnel", "{" + FUNNEL + ", \"population\": \"" + dynamic + "\"}"));
        List<Long> inStatic = stepCounts(post("/api/reports/funnel", "{" + FUNNEL + ", \"population\": \"" + saved + "\"}"));
        List<Long> notInDynamic = stepCounts(post("/api/reports/funnel",
                "{" + FUNNEL + ", \"population\": {\"id\": \"" + dynamic + "\", \"not\": true}}"));
        List<Long> notInStatic = stepCounts(post("/api/reports/funnel",
                "{" + FUNNEL + ", \"population\": {\"id\": \"" + saved + "\", \"not\": true}}"));
        System.out.println("funnel: all " + unfiltered + ", in " + inDynamic + ", not in " + notInDynamic);

        assertThat(inStatic).isEqualTo(inDynamic);
        assertThat(notInStatic).isEqualTo(notInDynamic);
        assertThat(inDynamic.get(0)).isPositive().isLessThan(unfiltered.get(0));
        assertThat(inDynamic.get(2)).isPositive();
        for (int step = 0; step < unfiltered.size(); step++) {
            assertThat(inDynamic.get(step) + notInDynamic.get(step)).as("step " + (step + 1) + ": in + not in = all")
                    .isEqualTo(unfiltered.get(step));
        }
        // As a breakdown, each population's group is its filtered funnel; with the complement as the
        // filter the members' group is empty (filter and breakdown combine, neither replaces the other).
        JsonNode split = post("/api/reports/funnel", "{" + FUNNEL + ", \"breakdown\": {\"populations\": [\"" + dynamic + "\", \"" + saved + "\"]}}");
        assertThat(stepCounts(split)).isEqualTo(unfiltered);
        assertThat(split.get("breakdown")).hasSize(2);
        assertThat(stepCounts(split.get("breakdown").get(0))).isEqualTo(inDynamic);
        assertThat(stepCounts(split.get("breakdown").get(1))).isEqualTo(inDynamic);
        JsonNode disjoint = post("/api/reports/funnel", "{" + FUNNEL + ", \"population\": {\"id\": \"" + dynamic
                + "\", \"not\": true}, \"breakdown\": {\"populations\": [\"" + saved + "\"]}}");
        assertThat(stepCounts(disjoint)).isEqualTo(notInDynamic);
        assertThat(stepCounts(disjoint.get("breakdown").get(0))).containsOnly(0L);

        // The members' funnel is the funnel of exactly those people: its step-1 people are members.
        JsonNode withPeople = post("/api/reports/funnel", "{" + FUNNEL + ", \"population\": \"" + dynamic + "\", \"people\": true}");
        assertThat(new HashSet<>(ids)).containsAll(texts(withPeople.get("steps").get(0).get("people")));
    }

    // ---- 3. report people saved as a population ----

    @Test
    void theConvertedPeopleOfAFunnelStepSavedAsAPopulationAreExactlyThem() {
        JsonNode funnel = post("/api/reports/funnel", "{" + FUNNEL + ", \"people\": true}");
        JsonNode step2 = funnel.get("steps").get(1);
        List<String> converted = texts(step2.get("people"));
        assertThat(converted).hasSize((int) step2.get("count").asLong()).doesNotHaveDuplicates();
        assertThat(converted.size()).isGreaterThan(100);

        TestServer.Response created = server.api("/api/populations/static",
                "{\"name\": \"Started a trial after signing up\", \"people\": " + array(converted) + "}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("count").asLong()).isEqualTo(step2.get("count").asLong());
        String id = created.json().get("id").asText();

        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = server.get("/api/people?limit=200&population=" + id
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))).json();
            page.get("people").forEach(p -> listed.add(p.get("id").asText()));
            cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(converted);

        // The same population as a funnel filter gives everyone at step 2 (they all started a trial).
        List<Long> inSaved = stepCounts(post("/api/reports/funnel", "{" + FUNNEL + ", \"population\": \"" + id + "\"}"));
        assertThat(inSaved.get(1)).isEqualTo(step2.get("count").asLong());
    }

    // ---- 4. populations as a breakdown of trends ----

    @Test
    void trendsBrokenDownByPopulationsGiveEachPopulationTheNumbersOfItsOwnFilter() {
        String readers = create("Readers before trial", READERS);
        String pricing = create("Pricing viewers reading or pro", PRICING_AND_READ_OR_PRO);
        String trends = "\"events\": [\"Started Trial\", \"Purchased\"], \"interval\": \"month\", "
                + "\"from\": \"2025-06-01\", \"to\": \"2026-06-15\"";
        JsonNode broken = post("/api/reports/trends", "{" + trends + ", \"breakdown\": {\"populations\": [\""
                + readers + "\", \"" + pricing + "\"]}}");
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        for (JsonNode series : broken.get("series")) {
            byKey.put(series.get("breakdown_value").asText() + "|" + series.get("event").asText(), series.get("total"));
        }
        assertThat(byKey).containsOnlyKeys("Readers before trial|Started Trial", "Readers before trial|Purchased",
                "Pricing viewers reading or pro|Started Trial", "Pricing viewers reading or pro|Purchased");
        for (String[] population : new String[][] {{readers, "Readers before trial"}, {pricing, "Pricing viewers reading or pro"}}) {
            JsonNode filtered = post("/api/reports/trends", "{" + trends + ", \"population\": \"" + population[0] + "\"}");
            for (JsonNode series : filtered.get("series")) {
                JsonNode group = byKey.get(population[1] + "|" + series.get("event").asText());
                assertThat(group.get("events").asLong()).isEqualTo(series.get("total").get("events").asLong()).isPositive();
                assertThat(group.get("people").asLong()).isEqualTo(series.get("total").get("people").asLong());
            }
        }
        // Every reader started a trial (that is in the definition), all within the year.
        long readerCount = server.get("/api/populations/" + readers).json().get("count").asLong();
        assertThat(byKey.get("Readers before trial|Started Trial").get("people").asLong()).isEqualTo(readerCount);
    }

    // ---- revenue: the filter splits it, and the population breakdown equals the filtered report ----

    @Test
    void revenueFilteredByAPopulationAndItsComplementAddsUpAndReadersPayMorePerPerson() {
        String readers = create("Readers (revenue)", READERS);
        String body = "\"from\": \"2025-06-01\", \"to\": \"2026-06-15\", \"group_by\": \"channel\"";
        JsonNode all = post("/api/reports/revenue", "{" + body + "}");
        JsonNode in = post("/api/reports/revenue", "{" + body + ", \"population\": \"" + readers + "\"}");
        JsonNode out = post("/api/reports/revenue", "{" + body + ", \"population\": {\"id\": \"" + readers + "\", \"not\": true}}");
        assertThat(in.get("total_revenue").asDouble() + out.get("total_revenue").asDouble())
                .isCloseTo(all.get("total_revenue").asDouble(), org.assertj.core.data.Offset.offset(0.01));
        assertThat(in.get("paying_people").asLong() + out.get("paying_people").asLong()).isEqualTo(all.get("paying_people").asLong());
        assertThat(in.get("paying_people").asLong()).isPositive();
        // readers convert more and churn less: more revenue per paying person
        double readerArppu = in.get("total_revenue").asDouble() / in.get("paying_people").asLong();
        double otherArppu = out.get("total_revenue").asDouble() / out.get("paying_people").asLong();
        assertThat(readerArppu).isGreaterThan(otherArppu);
        JsonNode breakdown = post("/api/reports/revenue", "{" + body + ", \"breakdown\": {\"populations\": [\"" + readers + "\"]}}");
        JsonNode slice = breakdown.get("breakdown").get(0);
        assertThat(slice.get("value").asText()).isEqualTo("Readers (revenue)");
        assertThat(slice.get("total_revenue").asDouble()).isEqualTo(in.get("total_revenue").asDouble());
        assertThat(slice.get("paying_people").asLong()).isEqualTo(in.get("paying_people").asLong());
        assertThat(slice.get("acquired_people").asLong()).isEqualTo(in.get("acquired_people").asLong());
    }

    // ---- helpers ----

    private JsonNode post(String path, String json) {
        long started = System.nanoTime();
        TestServer.Response response = server.api(path, json);
        System.out.printf("%s %d ms: %s%n", path, (System.nanoTime() - started) / 1_000_000, json);
        assertThat(response.status()).as(path + " " + json + " -> " + response.text()).isEqualTo(200);
        return response.json();
    }

    private String create(String name, String definition) {
        TestServer.Response response = server.api("/api/populations",
                "{\"name\": \"" + name + "\", \"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private String createStatic(String name, List<String> people) {
        TestServer.Response response = server.api("/api/populations/static",
                "{\"name\": \"" + name + "\", \"people\": " + array(people) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        assertThat(response.json().get("count").asLong()).isEqualTo(people.size());
        return response.json().get("id").asText();
    }

    /** Every member id, following the cursor through all pages. */
    private List<String> allMembers(String id) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = server.get("/api/populations/" + id + "/people?limit=100"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))).json();
            page.get("people").forEach(p -> ids.add(p.get("id").asText()));
            cursor = page.hasNonNull("next_cursor") ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        return ids;
    }

    private static List<Long> stepCounts(JsonNode funnel) {
        List<Long> counts = new ArrayList<>();
        funnel.get("steps").forEach(s -> counts.add(s.get("count").asLong()));
        return counts;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String array(List<String> values) {
        return dev.roster.common.Json.MAPPER.valueToTree(values).toString();
    }
}

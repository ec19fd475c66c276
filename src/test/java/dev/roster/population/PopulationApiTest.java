package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.testing.TestServer;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The populations API end to end over HTTP, on a small history with a merge and known answers. */
class PopulationApiTest {
    static final Instant NOW = Instant.parse("2024-06-30T12:00:00Z");
    static final String PRICING_NOT_PURCHASED = "{\"all\": ["
            + "{\"did\": \"Viewed Pricing\", \"count\": {\"op\": \"gte\", \"value\": 3}, \"within\": {\"last\": 30, \"unit\": \"day\"}},"
            + "{\"did_not\": \"Purchased\"}]}";

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        Histories h = new Histories();
        ObjectNode none = JsonNodeFactory.instance.objectNode();
        // ann: 3 views inside 30 days, never purchased -> member
        for (int days : new int[] {1, 5, 10}) {
            h.track("ann", true, "Viewed Pricing", ago(days), none);
        }
        // bob: 3 views, but purchased 60 days ago -> not a member ("never" means ever)
        for (int days : new int[] {2, 3, 4}) {
            h.track("bob", true, "Viewed Pricing", ago(days), none);
        }
        h.track("bob", true, "Purchased", ago(60), props("revenue", 50));
        // cat: only 2 views inside the window (the third is 40 days ago) -> not a member
        for (int days : new int[] {2, 3, 40}) {
            h.track("cat", true, "Viewed Pricing", ago(days), none);
        }
        // dan: 2 views anonymously + 1 as a user, merged afterwards -> member
        h.track("d-anon", false, "Viewed Pricing", ago(6), none);
        h.track("d-anon", false, "Viewed Pricing", ago(7), none);
        h.track("dan", true, "Viewed Pricing", ago(8), none);
        // eve: 3 anonymous views, purchase as a user 3 days ago; the merge makes it hers -> not a member
        for (int days : new int[] {4, 5, 6}) {
            h.track("e-anon", false, "Viewed Pricing", ago(days), none);
        }
        h.track("eve", true, "Purchased", Instant.parse("2024-06-27T10:00:00Z"), props("revenue", 20));
        ObjectNode danTraits = JsonNodeFactory.instance.objectNode().put("email", "dan@example.com").put("plan", "pro");
        h.identify("dan", "d-anon", "dan", danTraits);
        h.identify("eve", "e-anon", "eve", JsonNodeFactory.instance.objectNode().put("email", "eve@example.com"));
        ObjectNode annTraits = JsonNodeFactory.instance.objectNode().put("email", "ann@example.com")
                .put("company", "=HYPERLINK(\"http://evil\")");
        h.identify("ann", null, "ann", annTraits);
        h.send(server, server.writeKey());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Instant ago(int days) {
        return NOW.minus(Duration.ofDays(days));
    }

    private static ObjectNode props(String key, int value) {
        return JsonNodeFactory.instance.objectNode().put(key, value);
    }

    private String personId(String identity) {
        return server.person(identity).get("id").asText();
    }

    private JsonNode create(String name, String definition) {
        TestServer.Response response = server.api("/api/populations", "{\"name\": \"" + name + "\", \"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        return response.json();
    }

    private TestServer.Response send(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url(path)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + server.secretKey()).header("Content-Type", "application/json").build();
        return TestServer.send(request);
    }

    private static List<String> ids(JsonNode people) {
        List<String> ids = new ArrayList<>();
        people.forEach(p -> ids.add(p.get("id").asText()));
        return ids;
    }

    @Test
    void viewedPricingThreeTimesAndNeverPurchasedCountsMergedHistoryAndExcludesMergedPurchases() {
        JsonNode created = create("Pricing, no purchase", PRICING_NOT_PURCHASED);
        assertThat(created.get("id").asText()).isNotBlank();
        assertThat(created.get("name").asText()).isEqualTo("Pricing, no purchase");
        assertThat(created.get("definition")).isEqualTo(dev.roster.common.Json.parse(PRICING_NOT_PURCHASED));
        assertThat(created.get("count").asLong()).isEqualTo(2);

        JsonNode page = server.get("/api/populations/" + created.get("id").asText() + "/people?limit=10").json();
        assertThat(page.get("count").asLong()).isEqualTo(2);
        assertThat(ids(page.get("people"))).containsExactlyInAnyOrder(personId("ann"), personId("dan"));
        assertThat(page.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void membersArePagedWithACursor() {
        String id = create("Viewers", "{\"did\": \"Viewed Pricing\"}").get("id").asText();
        JsonNode first = server.get("/api/populations/" + id + "/people?limit=3").json();
        assertThat(first.get("count").asLong()).isEqualTo(5);
        assertThat(first.get("people")).hasSize(3);
        JsonNode second = server.get("/api/populations/" + id + "/people?limit=3&cursor=" + first.get("next_cursor").asText()).json();
        assertThat(second.get("people")).hasSize(2);
        List<String> all = new ArrayList<>(ids(first.get("people")));
        all.addAll(ids(second.get("people")));
        assertThat(all).containsExactlyInAnyOrder(personId("ann"), personId("bob"), personId("cat"), personId("dan"), personId("eve"));
    }

    @Test
    void memberPagesInEverySortOrderMatchThePeopleSearchOverThePopulation() {
        String id = create("Viewers", "{\"did\": \"Viewed Pricing\"}").get("id").asText();
        for (String sort : List.of("last_seen", "first_seen", "events", "event_count", "ltv")) {
            List<JsonNode> paged = new ArrayList<>();
            String cursor = "";
            do {
                JsonNode page = server.get("/api/populations/" + id + "/people?limit=2&sort=" + sort + cursor).json();
                assertThat(page.get("count").asLong()).isEqualTo(5);
                page.get("people").forEach(paged::add);
                cursor = page.get("next_cursor").isNull() ? null : "&cursor=" + page.get("next_cursor").asText();
            } while (cursor != null);
            List<JsonNode> searched = new ArrayList<>();
            server.get("/api/people?limit=100&population=" + id + "&sort=" + sort).json().get("people").forEach(searched::add);
            // the same people in the same order, with the same summaries (name, first/last seen, count, LTV)
            assertThat(paged).as(sort).hasSize(5).isEqualTo(searched);
        }
        assertThat(server.get("/api/populations/" + id + "/people?sort=name").status()).isEqualTo(400);
        assertThat(server.get("/api/populations/" + id + "/people?cursor=o-4").status()).isEqualTo(400);
        JsonNode beyond = server.get("/api/populations/" + id + "/people?cursor=o10").json();
        assertThat(beyond.get("count").asLong()).isEqualTo(5);
        assertThat(beyond.get("people")).isEmpty();
    }

    @Test
    void peopleSearchFiltersByPopulation() {
        String id = create("Pricing, no purchase", PRICING_NOT_PURCHASED).get("id").asText();
        JsonNode page = server.get("/api/people?population=" + id).json();
        assertThat(ids(page.get("people"))).containsExactlyInAnyOrder(personId("ann"), personId("dan"));
        assertThat(server.get("/api/people?population=pop_missing").status()).isEqualTo(404);
    }

    @Test
    void previewCountsAnUnsavedDefinition() {
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"did\": \"Purchased\"}}").json().get("count").asLong())
                .isEqualTo(2);
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"ltv\": {\"op\": \"gt\", \"value\": 30}}}")
                .json().get("count").asLong()).isEqualTo(1);
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"all\": [{\"property\": \"plan\", \"op\": \"eq\", "
                + "\"value\": \"pro\"}, {\"identity\": \"d-anon\"}]}}").json().get("count").asLong()).isEqualTo(1);
    }

    @Test
    void dateWindowsAreWholeCalendarDaysAndTimestampWindowsIncludeBothEnds() {
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"did\": \"Viewed Pricing\", "
                + "\"within\": {\"from\": \"2024-06-29\", \"to\": \"2024-06-29\"}}}").json().get("count").asLong()).isEqualTo(1);
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"did\": \"Viewed Pricing\", "
                + "\"within\": {\"from\": \"2024-06-29T12:00:00Z\", \"to\": \"2024-06-29T12:00:00Z\"}}}").json().get("count").asLong())
                .as("an instant window holds the event at that instant").isEqualTo(1);
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"did\": \"Viewed Pricing\", "
                + "\"within\": {\"from\": \"2024-06-28T12:00:00Z\", \"to\": \"2024-06-29T12:00:00Z\"}}}").json().get("count").asLong())
                .as("ann at the 'to' instant, bob and cat at the 'from' instant").isEqualTo(3);
        assertThat(server.api("/api/populations/preview", "{\"definition\": {\"did\": \"Viewed Pricing\", "
                + "\"within\": {\"from\": \"2024-06-28T12:00:01Z\", \"to\": \"2024-06-29T11:59:59Z\"}}}").json().get("count").asLong())
                .isZero();
    }

    @Test
    void createListGetUpdateAndDelete() {
        String id = create("Buyers", "{\"did\": \"Purchased\"}").get("id").asText();
        JsonNode list = server.get("/api/populations").json().get("populations");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("id").asText()).isEqualTo(id);
        assertThat(list.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(list.get(0).get("type").asText()).isEqualTo("dynamic");

        JsonNode got = server.get("/api/populations/" + id).json();
        assertThat(got.get("name").asText()).isEqualTo("Buyers");
        assertThat(got.get("definition").get("did").asText()).isEqualTo("Purchased");

        TestServer.Response updated = send("PUT", "/api/populations/" + id,
                "{\"name\": \"Big buyers\", \"definition\": {\"ltv\": {\"op\": \"gt\", \"value\": 30}}}");
        assertThat(updated.status()).as(updated.text()).isEqualTo(200);
        assertThat(updated.json().get("name").asText()).isEqualTo("Big buyers");
        assertThat(updated.json().get("count").asLong()).isEqualTo(1);

        assertThat(server.api("/api/populations", "{\"name\": \"Big buyers\", \"definition\": {\"did\": \"Purchased\"}}").status())
                .as("names are unique in a project").isEqualTo(409);

        assertThat(send("DELETE", "/api/populations/" + id, null).status()).isEqualTo(200);
        assertThat(server.get("/api/populations/" + id).status()).isEqualTo(404);
        assertThat(server.get("/api/populations").json().get("populations")).isEmpty();
    }

    @Test
    void historyRecomputesDailyMembershipFromTheEventsOfEachDay() {
        String id = create("Buyers", "{\"did\": \"Purchased\"}").get("id").asText();
        JsonNode days = server.get("/api/populations/" + id + "/history?days=7").json().get("days");
        List<String> seen = new ArrayList<>();
        days.forEach(d -> seen.add(d.get("date").asText() + "=" + d.get("count").asLong()));
        // bob bought 60 days ago; eve on 2024-06-27 (as a user; her earlier anonymous history merged in)
        assertThat(seen).containsExactly("2024-06-24=1", "2024-06-25=1", "2024-06-26=1", "2024-06-27=2", "2024-06-28=2",
                "2024-06-29=2", "2024-06-30=2");

        String window = create("Recent viewers", "{\"did\": \"Viewed Pricing\", \"within\": {\"last\": 1, \"unit\": \"day\"}}")
                .get("id").asText();
        JsonNode recent = server.get("/api/populations/" + window + "/history?days=3").json().get("days");
        // as of the end of 06-28: views in [06-27 24:00-1d, 06-29 00:00): bob (2 days ago = 06-28 12:00)
        // and cat (06-28 12:00); as of now (06-30 12:00): ann (06-29 12:00).
        assertThat(recent.get(1).get("date").asText()).isEqualTo("2024-06-29");
        assertThat(recent.get(2).get("count").asLong()).isEqualTo(1);
        assertThat(recent.get(1).get("count").asLong()).isEqualTo(1);
        assertThat(recent.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(server.get("/api/populations/" + id + "/history?days=0").status()).isEqualTo(400);
    }

    @Test
    void staticPopulationKeepsTheSavedPeopleAndFollowsLaterMerges() {
        Histories h = new Histories();
        h.track("z-anon", false, "Viewed Pricing", ago(1), JsonNodeFactory.instance.objectNode());
        h.send(server, server.writeKey());
        String anonymous = personId("z-anon");

        TestServer.Response created = server.api("/api/populations/static",
                "{\"name\": \"From a report\", \"people\": [\"" + personId("ann") + "\", \"" + anonymous + "\"]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        assertThat(created.json().get("type").asText()).isEqualTo("static");
        assertThat(created.json().get("count").asLong()).isEqualTo(2);
        String id = created.json().get("id").asText();

        // z-anon turns out to be cat: cat's (older) person survives and is now the member
        Histories merge = new Histories();
        merge.identify("cat", "z-anon", "cat", JsonNodeFactory.instance.objectNode());
        merge.send(server, server.writeKey());
        JsonNode page = server.get("/api/populations/" + id + "/people").json();
        assertThat(ids(page.get("people"))).containsExactlyInAnyOrder(personId("ann"), personId("cat"));

        TestServer.Response unknown = server.api("/api/populations/static",
                "{\"name\": \"Bad\", \"people\": [\"" + personId("ann") + "\", \"no-such-person\"]}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("path").asText()).isEqualTo("$.people[1]");
    }

    @Test
    void csvExportListsMembersWithIdentitiesAndPropertiesAndDefusesFormulas() throws Exception {
        String id = create("Pricing, no purchase", PRICING_NOT_PURCHASED).get("id").asText();
        TestServer.Response response = server.get("/api/populations/" + id + "/export.csv");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/csv");
        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(response.text())).getRecords();
        assertThat(rows).hasSize(2);
        Map<String, CSVRecord> byId = new java.util.HashMap<>();
        rows.forEach(r -> byId.put(r.get("person_id"), r));
        CSVRecord dan = byId.get(personId("dan"));
        assertThat(dan.get("identities").split("; ")).containsExactlyInAnyOrder("dan", "d-anon");
        assertThat(dan.get("email")).isEqualTo("dan@example.com");
        assertThat(dan.get("plan")).isEqualTo("pro");
        assertThat(dan.get("event_count")).isEqualTo("3");
        CSVRecord ann = byId.get(personId("ann"));
        assertThat(ann.get("display_name")).isEqualTo("ann");
        assertThat(ann.get("company")).isEqualTo("'=HYPERLINK(\"http://evil\")");
    }
}

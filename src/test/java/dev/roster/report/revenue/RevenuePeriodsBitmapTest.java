package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Without people lists, filters or a value breakdown, the periods come from one activity bitmap
 * per person and the ledger ({@code RevenueSql.periodsByBitmap}), or, monthly in UTC, from the
 * summary's active months ({@code RevenueSql.periodsByMonths}); with people lists they come from
 * (person, period) rows, the shape the reference tests check. Both must give the same figures for
 * every interval, in UTC and in a time zone with daylight saving, with person conditions, on
 * random traffic with refunds and merges.
 */
class RevenuePeriodsBitmapTest {
    private static TestServer server;

    @BeforeAll
    static void seed() {
        server = TestServer.start();
        SplittableRandom random = new SplittableRandom(7);
        Instant first = Instant.parse("2023-12-20T00:00:00Z");
        StringBuilder batch = new StringBuilder();
        List<String> messages = new ArrayList<>();
        for (int person = 0; person < 60; person++) {
            String anonymous = "anon-" + person;
            String user = "user-" + person;
            int events = 1 + random.nextInt(12);
            for (int i = 0; i < events; i++) {
                Instant at = first.plusSeconds(random.nextLong(200L * 86_400));
                String id = random.nextInt(3) == 0 ? "\"anonymousId\":\"" + anonymous + "\"" : "\"userId\":\"" + user + "\"";
                String properties = switch (random.nextInt(5)) {
                    case 0 -> String.format(Locale.ROOT, "{\"revenue\":%.2f}", 5 + random.nextInt(9000) / 100.0);
                    case 1 -> String.format(Locale.ROOT, "{\"revenue\":%.2f}", -(1 + random.nextInt(2000) / 100.0));
                    default -> "{\"plan\":\"" + (person % 2 == 0 ? "pro" : "free") + "\"}";
                };
                messages.add("{\"type\":\"track\"," + id + ",\"event\":\"E" + random.nextInt(3) + "\",\"timestamp\":\"" + at
                        + "\",\"properties\":" + properties + "}");
            }
            if (person % 3 == 0) {
                messages.add("{\"type\":\"identify\",\"anonymousId\":\"" + anonymous + "\",\"userId\":\"" + user
                        + "\",\"traits\":{\"tier\":\"" + (person % 2 == 0 ? "gold" : "basic") + "\"}}");
            } else {
                messages.add("{\"type\":\"identify\",\"userId\":\"" + user + "\",\"traits\":{\"tier\":\""
                        + (person % 2 == 0 ? "gold" : "basic") + "\"}}");
            }
        }
        batch.append("{\"batch\":[").append(String.join(",", messages)).append("]}");
        assertThat(server.segment("batch", batch.toString()).status()).isEqualTo(200);
        server.roster().writeBuffer().compactNow();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode report(String body) {
        TestServer.Response response = server.api("/api/reports/revenue", body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    /** The answer without people lists equals the one with them, the lists left out. */
    private static void sameFigures(String request) {
        JsonNode fast = report("{" + request + ",\"sections\":[\"periods\"]}");
        JsonNode listed = report("{" + request + ",\"sections\":[\"periods\"],\"people\":true}");
        assertThat(fast.get("active_people").asLong()).as(request).isPositive();
        assertThat(fast.get("periods").size()).as(request).isPositive();
        assertSame(request, fast, listed);
    }

    private static void assertSame(String path, JsonNode fast, JsonNode listed) {
        if (listed.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = listed.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().endsWith("ids")) {
                    continue;
                }
                assertThat(fast.has(field.getKey())).as(path + "/" + field.getKey()).isTrue();
                assertSame(path + "/" + field.getKey(), fast.get(field.getKey()), field.getValue());
            }
        } else if (listed.isArray()) {
            assertThat(fast.size()).as(path).isEqualTo(listed.size());
            for (int i = 0; i < listed.size(); i++) {
                assertSame(path + "/" + i, fast.get(i), listed.get(i));
            }
        } else if (listed.isNumber()) {
            assertThat(fast.asDouble()).as(path).isCloseTo(listed.asDouble(), within(1e-6));
        } else {
            assertThat(fast).as(path).isEqualTo(listed);
        }
    }

    @Test
    void monthlyWeeklyAndDailyPeriodsEqualThePeopleListShape() {
        sameFigures("\"from\":\"2023-12-01\",\"to\":\"2024-07-31\",\"interval\":\"month\"");
        sameFigures("\"from\":\"2024-01-10\",\"to\":\"2024-05-20\",\"interval\":\"week\"");
        sameFigures("\"from\":\"2024-02-01\",\"to\":\"2024-03-15\",\"interval\":\"day\"");
    }

    @Test
    void aTimeZoneWithDaylightSavingShiftsTheSameWayInBothShapes() {
        sameFigures("\"from\":\"2024-01-01\",\"to\":\"2024-06-30\",\"interval\":\"month\",\"time_zone\":\"America/Los_Angeles\"");
        sameFigures("\"from\":\"2024-02-26\",\"to\":\"2024-04-14\",\"interval\":\"week\",\"time_zone\":\"Europe/Berlin\"");
        sameFigures("\"from\":\"2024-03-05\",\"to\":\"2024-04-02\",\"interval\":\"day\",\"time_zone\":\"Asia/Kolkata\"");
    }

    /**
     * Monthly periods in UTC come from the summary's active months, with events read only for the
     * partial months at the ends: whole months, partial ends, a range inside one month and one
     * over two partial months, before and after uncompacted events (earlier and later than the
     * compacted ones) and merges of compacted persons.
     */
    @Test
    void monthlyPeriodsFromTheSummaryAgreeWithPartialEndsATailAndMerges() {
        List<String> ranges = List.of("\"from\":\"2023-12-01\",\"to\":\"2024-07-31\"", "\"from\":\"2024-01-17\",\"to\":\"2024-05-09\"",
                "\"from\":\"2024-02-03\",\"to\":\"2024-02-20\"", "\"from\":\"2024-02-20\",\"to\":\"2024-03-10\"",
                "\"from\":\"2023-12-01\",\"to\":\"2024-03-31\",\"person_where\":[{\"property\":\"tier\",\"op\":\"eq\",\"value\":\"gold\"}]");
        for (String range : ranges) {
            sameFigures(range + ",\"interval\":\"month\"");
        }
        List<String> messages = new ArrayList<>();
        for (int person = 0; person < 12; person++) {
            // a tail event before everything compacted, and one in a month the person had no event in
            messages.add("{\"type\":\"track\",\"userId\":\"user-" + person + "\",\"event\":\"Late\",\"timestamp\":\""
                    + Instant.parse("2023-12-02T10:00:00Z").plusSeconds(person * 86_400L * 3) + "\",\"properties\":{\"revenue\":3}}");
            messages.add("{\"type\":\"track\",\"userId\":\"user-" + person + "\",\"event\":\"Late\",\"timestamp\":\""
                    + Instant.parse("2024-06-25T10:00:00Z").plusSeconds(person * 3600L) + "\",\"properties\":{}}");
        }
        // compacted anonymous visitors merged into compacted users: unfolded merges
        for (int person = 1; person < 30; person += 3) {
            messages.add("{\"type\":\"identify\",\"anonymousId\":\"anon-" + person + "\",\"userId\":\"user-" + (person + 1) + "\"}");
        }
        assertThat(server.segment("batch", "{\"batch\":[" + String.join(",", messages) + "]}").status()).isEqualTo(200);
        server.roster().writeBuffer().flush();
        for (String range : ranges) {
            sameFigures(range + ",\"interval\":\"month\"");
        }
    }

    @Test
    void personConditionsAndMoreDaysThanBitsAgree() {
        sameFigures("\"from\":\"2023-12-01\",\"to\":\"2024-07-31\",\"interval\":\"month\","
                + "\"person_where\":[{\"property\":\"tier\",\"op\":\"eq\",\"value\":\"gold\"}]");
        // 120 days: more periods than a bitmap holds, so the (person, period) rows serve both.
        sameFigures("\"from\":\"2024-01-01\",\"to\":\"2024-04-29\",\"interval\":\"day\"");
    }
}

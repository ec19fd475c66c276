package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.report.Fragment;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whether a cohort member has "matured" N months ({@code first_seen + N months <= now}) is decided
 * by comparing first seen with two dates around now minus N months, and only near them by adding
 * the months ({@code RevenueSql.matured}). Adding months clamps the day to the month's length, so
 * around month ends a later first seen can mature before an earlier one. The clock stands at
 * 2024-04-30 12:00 UTC (April has 30 days); every person pays once, an hour after first seen:
 *
 * <pre>
 * 2024-01 cohort: j1 first 01-30 12:00 pays 10 (+3 months = 04-30 12:00, equal to now: matured 3)
 *                 j2 first 01-31 13:00 pays 20 (+1 month = 02-29 13:00; +3 months = 04-30 13:00: not matured 3)
 *                 at 1 month (10 + 20) / 2 = 15, at 3 months 10 / 1 (j1 only), at 6 months nobody
 * 2024-03 cohort: m1 03-30 11:59 pays 4 (+1 = 04-30 11:59: matured), m2 03-30 12:01 pays 8 (not),
 *                 m3 03-31 01:00 pays 16 (+1 = 04-30 01:00, clamped: matured), m4 03-31 13:00 pays 32 (not)
 *                 at 1 month (4 + 16) / 2 = 10
 * 2024-04 cohort: a1 04-10 pays 5, nobody matured
 * </pre>
 */
class RevenueCohortHorizonTest {
    private static final Instant NOW = Instant.parse("2024-04-30T12:00:00Z");
    private static TestServer server;

    @BeforeAll
    static void ingest() {
        server = TestServer.start(Clock.fixed(NOW, ZoneOffset.UTC));
        List<ObjectNode> messages = new ArrayList<>();
        Map<String, Object[]> people = Map.of(
                "j1", new Object[] {"2024-01-30T12:00:00Z", 10},
                "j2", new Object[] {"2024-01-31T13:00:00Z", 20},
                "m1", new Object[] {"2024-03-30T11:59:00Z", 4},
                "m2", new Object[] {"2024-03-30T12:01:00Z", 8},
                "m3", new Object[] {"2024-03-31T01:00:00Z", 16},
                "m4", new Object[] {"2024-03-31T13:00:00Z", 32},
                "a1", new Object[] {"2024-04-10T09:00:00Z", 5});
        people.forEach((user, seen) -> {
            Instant first = Instant.parse((String) seen[0]);
            ObjectNode page = Json.object();
            page.put("type", "page").put("userId", user).put("timestamp", first.toString());
            messages.add(page);
            ObjectNode payment = Json.object();
            payment.put("type", "track").put("userId", user).put("event", "Order Completed")
                    .put("timestamp", first.plus(Duration.ofHours(1)).toString());
            payment.putObject("properties").put("revenue", (Integer) seen[1]);
            messages.add(payment);
        });
        assertThat(server.segmentBatch(messages).status()).isEqualTo(200);
        server.roster().flush();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode curves() {
        TestServer.Response response = server.api("/api/reports/revenue",
                "{\"from\":\"2024-01-01\",\"to\":\"2024-04-30\",\"sections\":[\"cohorts\"]}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("cohort_curves");
    }

    private static void assertAt(JsonNode curve, String months, Double expected) {
        JsonNode value = curve.get("ltv_at_months").get(months);
        if (expected == null) {
            assertThat(value.isNull()).as(curve + " at " + months).isTrue();
        } else {
            assertThat(value.asDouble()).as(curve + " at " + months).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void membersMatureOnTheClampedCalendarAroundMonthEnds() {
        JsonNode curves = curves();
        assertThat(curves).extracting(c -> c.get("cohort").asText()).containsExactly("2024-01", "2024-02", "2024-03", "2024-04");
        assertThat(curves).extracting(c -> c.get("people").asLong()).containsExactly(2L, 0L, 4L, 1L);
        assertAt(curves.get(0), "1", 15.0);
        assertAt(curves.get(0), "3", 10.0);
        assertAt(curves.get(0), "6", null);
        assertAt(curves.get(2), "1", 10.0);
        assertAt(curves.get(2), "3", null);
        assertAt(curves.get(3), "1", null);
    }

    /** Every hour over two months around each boundary: the shortcut equals adding the months. */
    @Test
    void theShortcutAgreesWithAddingTheMonthsAtEveryHourAroundTheBoundary() {
        for (Instant now : List.of(NOW, Instant.parse("2024-03-31T00:30:00Z"), Instant.parse("2024-02-29T23:00:00Z"),
                Instant.parse("2023-12-31T12:00:00Z"))) {
            for (int months : RevenueSql.CURVE_MONTHS) {
                Instant boundary = LocalDateTime.ofInstant(now, ZoneOffset.UTC).minusMonths(months).toInstant(ZoneOffset.UTC);
                Fragment matured = RevenueSql.matured("t", months, now);
                List<Object> parameters = new ArrayList<>(matured.parameters());
                parameters.add(now);
                parameters.addAll(matured.parameters());
                parameters.add(boundary.minus(Duration.ofDays(31)));
                parameters.add(boundary.plus(Duration.ofDays(31)));
                String sql = "SELECT count(*) FILTER (WHERE (" + matured.sql() + ") IS DISTINCT FROM (t + INTERVAL " + months
                        + " MONTH <= ?)), count(*) FILTER (WHERE " + matured.sql() + ") "
                        + "FROM (SELECT unnest(range(?::TIMESTAMP, ?::TIMESTAMP, INTERVAL 37 MINUTE)) AS t)";
                long[] disagreements = server.roster().database().read(connection -> {
                    try (PreparedStatement statement = connection.prepareStatement(sql)) {
                        Sql.bind(statement, 1, parameters);
                        try (ResultSet rows = statement.executeQuery()) {
                            rows.next();
                            return new long[] {rows.getLong(1), rows.getLong(2)};
                        }
                    }
                });
                assertThat(disagreements[0]).as(now + " minus " + months + " months").isZero();
                assertThat(disagreements[1]).as("some matured").isPositive();
            }
        }
    }
}

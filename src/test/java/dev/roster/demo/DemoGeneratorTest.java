package dev.roster.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.store.Sql;
import dev.roster.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The demo dataset, written through the real write path and read back through SQL and the API. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoGeneratorTest {
    /** The demo project keeps the default revenue settings: `revenue`, else `total`, else `Billing Amount`. */
    private static final String DEFAULT_REVENUE =
            "coalesce(TRY_CAST(json_extract_string(properties, '$.revenue') AS DOUBLE), "
                    + "TRY_CAST(json_extract_string(properties, '$.total') AS DOUBLE), "
                    + "TRY_CAST(json_extract_string(properties, '$.\"Billing Amount\"') AS DOUBLE))";

    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final int PEOPLE = 1500;

    private TestServer server;
    private DemoGenerator.Result result;

    @BeforeAll
    void generate() {
        server = TestServer.start(CLOCK);
        result = new DemoGenerator(server.roster().writeBuffer(), CLOCK)
                .generate(server.keys().project(), DemoGenerator.Options.of(PEOPLE, 42), DemoGenerator.Progress.NONE);
        System.out.println("demo test dataset: " + result);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void sameSeedGivesTheSameDatasetAndAnotherSeedDoesNot() {
        Fingerprint first = fingerprintOf(300, 7);
        Fingerprint second = fingerprintOf(300, 7);
        Fingerprint other = fingerprintOf(300, 8);
        assertThat(second).isEqualTo(first);
        assertThat(first.events()).isGreaterThan(1000);
        assertThat(other.hash()).isNotEqualTo(first.hash());
    }

    private record Fingerprint(long events, long persons, long identities, String hash) {
    }

    private static Fingerprint fingerprintOf(int people, long seed) {
        try (TestServer fresh = TestServer.start(CLOCK)) {
            new DemoGenerator(fresh.roster().writeBuffer(), CLOCK)
                    .generate(fresh.keys().project(), new DemoGenerator.Options(people, seed, 3, 2_000), DemoGenerator.Progress.NONE);
            return fresh.roster().database().read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(
                        "SELECT (SELECT count(*) FROM resolved_events), "
                                + "(SELECT count(DISTINCT person_key) FROM resolved_events), "
                                + "(SELECT count(*) FROM identities), "
                                + "(SELECT sum(hash(event_id, identity, name, ts, properties))::VARCHAR FROM resolved_events)");
                        ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return new Fingerprint(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getString(4));
                }
            });
        }
    }

    @Test
    void aboutTenEventsPerPersonWithinTheLastYear() {
        assertThat(result.events()).isEqualTo(scalar("SELECT count(*) FROM resolved_events"));
        assertThat(result.duplicates()).isZero();
        double perPerson = result.events() / (double) PEOPLE;
        assertThat(perPerson).isBetween(8.0, 12.0);
        assertThat(instant("SELECT min(ts) FROM resolved_events")).isAfterOrEqualTo(NOW.minus(Duration.ofDays(366)));
        assertThat(instant("SELECT max(ts) FROM resolved_events")).isBeforeOrEqualTo(NOW).isAfter(NOW.minus(Duration.ofDays(2)));
        // Everything was compacted into the person-sorted table.
        assertThat(scalar("SELECT count(*) FROM events_recent")).isZero();
    }

    @Test
    void devicesAndIdentifiesMergeIntoFewerPersonsThanIdentities() {
        long identities = scalar("SELECT count(*) FROM identities");
        long persons = scalar("SELECT count(DISTINCT person_key) FROM identities");
        assertThat(persons).isLessThan(identities);
        assertThat(scalar("SELECT count(*) FROM person_merges")).isGreaterThan(PEOPLE / 20);
        // A user seen on two devices: one person holding the user id and two anonymous ids.
        long twoDevices = scalar("SELECT count(*) FROM (SELECT person_key FROM identities "
                + "GROUP BY person_key HAVING count(*) FILTER (WHERE NOT is_user AND identity NOT LIKE '+%') >= 2 "
                + "AND count(*) FILTER (WHERE is_user) = 1)");
        assertThat(twoDevices).isGreaterThan(PEOPLE / 50);
        // Signed-up people came back over several sessions before signing up.
        String user = text("SELECT identity FROM identities WHERE is_user AND identity LIKE 'user-%' ORDER BY identity LIMIT 1");
        JsonNode person = server.person(user);
        assertThat(person.get("session_count").asLong()).isGreaterThan(1);
        assertThat(person.get("properties").get("email").asText()).contains("@");
    }

    @Test
    void everyChannelAppearsInAcquisitionThroughThePersonApi() {
        List<String> anonymous = texts("SELECT identity FROM identities WHERE NOT is_user AND identity LIKE '%-%-%-%' "
                + "AND identity NOT LIKE '+%' ORDER BY identity LIMIT 400");
        Map<String, Integer> channels = new LinkedHashMap<>();
        Set<String> mediums = new HashSet<>();
        Set<String> referrers = new HashSet<>();
        for (String identity : anonymous) {
            JsonNode acquisition = server.person(identity).get("acquisition");
            channels.merge(acquisition.get("channel").asText(), 1, Integer::sum);
            if (acquisition.hasNonNull("utm_medium")) {
                mediums.add(acquisition.get("utm_medium").asText());
            }
            if (acquisition.hasNonNull("referring_domain")) {
                referrers.add(acquisition.get("referring_domain").asText());
            }
        }
        assertThat(channels).containsOnlyKeys("Paid", "Email", "Social", "Organic Search", "Referral", "Direct");
        assertThat(mediums).contains("cpc", "email", "social", "display");
        assertThat(referrers).contains("google.com", "facebook.com", "t.co", "linkedin.com");
        // The first page view carries the campaign and page fields.
        long firstTouches = scalar("SELECT count(*) FROM resolved_events WHERE name = '$pageview' "
                + "AND json_extract_string(properties, '$.utm_campaign') IS NOT NULL "
                + "AND json_extract_string(properties, '$.url') LIKE '%utm_source=%' "
                + "AND json_extract_string(properties, '$.title') IS NOT NULL");
        assertThat(firstTouches).isGreaterThan(PEOPLE / 10);
    }

    @Test
    void phoneCallsAppearInTheTimelineOfTheIdentifiedPerson() {
        String phone = text("SELECT identity FROM resolved_events WHERE name = 'Phone Call' ORDER BY identity LIMIT 1");
        assertThat(phone).startsWith("+1-555-");
        JsonNode person = server.person(phone);
        assertThat(person.get("identities")).extracting(i -> i.get("id").asText())
                .contains(phone).anyMatch(id -> id.startsWith("user-"));
        assertThat(person.get("properties").get("phone").asText()).isEqualTo(phone);
        JsonNode timeline = server.get("/api/people/" + person.get("id").asText() + "/timeline?limit=1000").json();
        List<String> names = new ArrayList<>();
        timeline.get("events").forEach(e -> names.add(e.get("name").asText()));
        assertThat(names).contains("Phone Call", "Signed Up", "Started Trial", "$pageview");
        assertThat(timeline.get("events")).filteredOn(e -> e.get("name").asText().equals("Phone Call"))
                .allMatch(e -> e.get("identity").asText().equals(phone));
    }

    @Test
    void revenueIncludesPurchasesRenewalsAndRefunds() {
        assertThat(scalar("SELECT count(*) FROM resolved_events WHERE name = 'Purchased' AND " + DEFAULT_REVENUE + " > 0")).isPositive();
        assertThat(scalar("SELECT count(*) FROM resolved_events WHERE name = 'Billing' AND " + DEFAULT_REVENUE + " > 0")).isPositive();
        assertThat(scalar("SELECT count(*) FROM resolved_events WHERE name = 'Refunded' AND " + DEFAULT_REVENUE + " < 0")).isPositive();
        assertThat(scalar("SELECT count(*) FROM resolved_events WHERE name = 'Cancelled Subscription'")).isPositive();
        assertThat(scalar("SELECT count(*) FROM resolved_events WHERE name = 'Contacted Support'")).isPositive();
        // Revenue belongs to identified users, and a paying user's person document shows it as LTV.
        String payer = text("SELECT identity FROM resolved_events WHERE name = 'Billing' ORDER BY identity LIMIT 1");
        assertThat(server.person(payer).get("ltv").asDouble()).isPositive();
    }

    @Test
    void placeholderIdsAndSharedComputersRaiseIdentityWarnings() {
        assertThat(scalar("SELECT count(*) FROM identity_warnings WHERE kind = 'refused_merge'")).isPositive();
        assertThat(scalar("SELECT count(*) FROM identity_warnings WHERE kind = 'placeholder_id'")).isPositive();
        // On a shared computer the colleague stays a separate person from the first user.
        String first = server.person("user-7").get("id").asText();
        assertThat(server.person("user-7-b").get("id").asText()).isNotEqualTo(first);
    }

    /**
     * The built-in effect (see {@link DemoGenerator}): trial starters who read 3+ articles before
     * the trial are still paying 90 days later far more often than the others.
     */
    @Test
    void readersOfThreeArticlesBeforeTrialRetainBetter() {
        Map<Boolean, double[]> groups = server.roster().database().read(connection -> {
            Map<Boolean, double[]> out = new LinkedHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "WITH trial AS (SELECT person_key, min(ts) AS started FROM resolved_events "
                            + "  WHERE name = 'Started Trial' GROUP BY person_key), "
                            + "per_person AS (SELECT t.person_key, "
                            + "  count(*) FILTER (WHERE e.name = 'Read Article' AND e.ts < t.started) AS reads, "
                            + "  count(*) FILTER (WHERE e.name = 'Billing' AND e.ts >= t.started + INTERVAL 90 DAY) > 0 AS paying "
                            + "  FROM trial t JOIN resolved_events e ON e.person_key = t.person_key "
                            + "  WHERE t.started <= ? GROUP BY t.person_key) "
                            + "SELECT reads >= 3, count(*), avg(paying::INTEGER) FROM per_person GROUP BY 1")) {
                statement.setObject(1, LocalDateTime.ofInstant(NOW.minus(Duration.ofDays(120)), ZoneOffset.UTC));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        out.put(rows.getBoolean(1), new double[] {rows.getLong(2), rows.getDouble(3)});
                    }
                }
            }
            return out;
        });
        double[] readers = groups.get(true);
        double[] others = groups.get(false);
        System.out.printf("retention effect: readers n=%.0f paying@90d=%.3f, others n=%.0f paying@90d=%.3f%n",
                readers[0], readers[1], others[0], others[1]);
        assertThat(readers[0]).isGreaterThan(30);
        assertThat(others[0]).isGreaterThan(30);
        assertThat(readers[1]).isGreaterThan(others[1] * 1.6).isGreaterThan(others[1] + 0.12);
    }

    private long scalar(String sql) {
        return server.roster().database().read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private Instant instant(String sql) {
        return server.roster().database().read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
                rows.next();
                return Sql.instant(rows, 1);
            }
        });
    }

    private String text(String sql) {
        List<String> values = texts(sql);
        assertThat(values).as(sql).isNotEmpty();
        return values.get(0);
    }

    private List<String> texts(String sql) {
        return server.roster().database().read(connection -> {
            List<String> values = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        });
    }
}

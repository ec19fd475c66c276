package dev.roster.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.store.Database;
import dev.roster.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Import, export and privacy requests through the real HTTP API. */
class TransferTest {
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode importFile(String query, byte[] body) {
        TestServer.Response response = server.post("/api/import?wait=true&" + query, body, "text/csv", "Bearer " + server.secretKey());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    private List<String> timeline(String personId) {
        List<String> names = new ArrayList<>();
        server.get("/api/people/" + personId + "/timeline?limit=1000").json().get("events")
                .forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Test
    void csvImportReportsFiveKindsOfBadRowsByLineAndImportsTheRestOnce() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(("Email,Action,When,plan\n"                                      // line 1
                + "ann@example.com,Called Sales,2024-03-01T10:00:00Z,pro\n"              // 2 good
                + "ann@example.com,Called Sales,not-a-date,pro\n"                        // 3 bad timestamp
                + ",Visited Store,2024-03-02T10:00:00Z,free\n"                           // 4 missing identity
                + "bob@example.com,Visited Store,2024-03-02T11:00:00Z\n"                 // 5 wrong column count
                + "bob@example.com,Visited Store,2024-03-02T12:00:00Z,").getBytes(StandardCharsets.UTF_8));
        file.write(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});                         // 6 invalid UTF-8
        file.writeBytes(("bob@example.com,Visited Store,2024-03-02T13:00:00Z," + "x".repeat(70_000) + "\n" // 7 oversized
                + "\"bob@example.com\",\"Signed Contract\",1709380800,\"multi\nline\"\n"  // 8-9 good, quoted newline
                + "bob@example.com,Visited Store,2024-03-03T10:00:00Z,free\n").getBytes(StandardCharsets.UTF_8)); // 10 good
        String query = "format=csv&map=" + URLEncoder.encode("identity=Email", StandardCharsets.UTF_8)
                + "&map=" + URLEncoder.encode("event=Action", StandardCharsets.UTF_8)
                + "&map=" + URLEncoder.encode("timestamp=When", StandardCharsets.UTF_8);

        JsonNode job = importFile(query, file.toByteArray());

        assertThat(job.get("status").asText()).isEqualTo("done");
        assertThat(job.get("rows").asLong()).isEqualTo(8);
        assertThat(job.get("imported").asLong()).isEqualTo(3);
        assertThat(job.get("duplicates").asLong()).isZero();
        Map<Long, String> rejected = new HashMap<>();
        job.get("rejected").forEach(r -> rejected.put(r.get("line").asLong(), r.get("reason").asText()));
        assertThat(rejected).containsOnlyKeys(3L, 4L, 5L, 6L, 7L);
        assertThat(rejected.get(3L)).contains("not-a-date");
        assertThat(rejected.get(4L)).contains("no identity");
        assertThat(rejected.get(5L)).contains("3 columns").contains("header has 4");
        assertThat(rejected.get(6L)).contains("invalid UTF-8");
        assertThat(rejected.get(7L)).contains("70000 characters");

        JsonNode bob = server.person("bob@example.com");
        assertThat(timeline(bob.get("id").asText())).containsExactly("Visited Store", "Signed Contract");
        assertThat(server.get("/api/import/" + job.get("id").asText()).json().get("imported").asLong()).isEqualTo(3);

        JsonNode again = importFile(query, file.toByteArray());
        assertThat(again.get("imported").asLong()).isZero();
        assertThat(again.get("duplicates").asLong()).isEqualTo(3);
        assertThat(server.person("ann@example.com").get("event_count").asLong()).isEqualTo(1);
    }

    @Test
    void kissmetricsAliasesMergeOfflineEventsIntoTheWebPerson() {
        // Earlier web data: an anonymous visitor identified as user-7.
        assertThat(server.segment("track", "{\"anonymousId\":\"anon-7\",\"event\":\"Viewed Pricing\","
                + "\"timestamp\":\"2024-02-01T09:00:00Z\",\"properties\":{\"referrer\":\"https://news.ycombinator.com/\"}}").status()).isEqualTo(200);
        assertThat(server.segment("identify", "{\"anonymousId\":\"anon-7\",\"userId\":\"user-7\"}").status()).isEqualTo(200);
        String km = "Identity,Timestamp,Event,Prop:Plan,Prop:Billing Amount,Alias\n"
                + "user-7,1706778000,,,,carol@example.com\n"               // links the email to user-7
                + "carol@example.com,1706864400,Called Sales,pro,,\n"       // offline event by email
                + "+15551234,1706950800,Visited Store,,,\n"                  // phone first, aliased below
                + "dave@example.com,1706950000,,,,+15551234\n"
                + "dave@example.com,1707037200,Billed,,49.5,\n"
                + "dave@example.com,,,enterprise,,\n";                        // properties only
        JsonNode job = importFile("format=kissmetrics", km.getBytes(StandardCharsets.UTF_8));
        assertThat(job.get("rejected")).isEmpty();
        assertThat(job.get("imported").asLong()).isEqualTo(6);

        JsonNode carol = server.person("carol@example.com");
        assertThat(server.person("user-7").get("id")).isEqualTo(carol.get("id"));
        assertThat(timeline(carol.get("id").asText())).containsExactly("Called Sales", "Viewed Pricing");
        assertThat(carol.get("properties").get("Plan").asText()).isEqualTo("pro");

        JsonNode dave = server.person("+15551234");
        assertThat(server.person("dave@example.com").get("id")).isEqualTo(dave.get("id"));
        assertThat(timeline(dave.get("id").asText())).containsExactly("Billed", "Visited Store");
        assertThat(dave.get("properties").get("Plan").asText()).isEqualTo("enterprise");
        assertThat(dave.get("ltv").asDouble()).isEqualTo(49.5);
        assertThat(dave.get("id")).isNotEqualTo(carol.get("id"));
    }

    @Test
    void jsonlImportUsesSegmentMessagesAndIsIdempotent() {
        String jsonl = "{\"type\":\"track\",\"anonymousId\":\"a1\",\"event\":\"Opened App\",\"timestamp\":\"2024-01-01T00:00:00Z\"}\n"
                + "{\"type\":\"identify\",\"anonymousId\":\"a1\",\"userId\":\"u1\",\"traits\":{\"email\":\"u1@example.com\"}}\n"
                + "\n"
                + "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"No Time\"}\n"
                + "{not json\n"
                + "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Paid\",\"messageId\":\"m-1\",\"properties\":{\"revenue\":10}}\n";
        JsonNode job = importFile("format=jsonl", jsonl.getBytes(StandardCharsets.UTF_8));
        assertThat(job.get("imported").asLong()).isEqualTo(3);
        assertThat(job.get("rejected")).extracting(r -> r.get("line").asLong()).containsExactly(4L, 5L);
        JsonNode person = server.person("a1");
        assertThat(person.get("event_count").asLong()).isEqualTo(2);
        assertThat(importFile("format=jsonl", jsonl.getBytes(StandardCharsets.UTF_8)).get("duplicates").asLong()).isEqualTo(2);
    }

    @Test
    void aGzipUploadWithoutWaitIsAJobToPollUntilDone() throws Exception {
        StringBuilder csv = new StringBuilder("identity,event,timestamp\n");
        for (int i = 0; i < 30_000; i++) {
            csv.append("caller-").append(i % 300).append(",Called,").append(1_700_000_000L + i).append('\n');
        }
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(gzipped)) {
            gzip.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        TestServer.Response accepted = server.post("/api/import?format=csv", gzipped.toByteArray(), "text/csv",
                "Bearer " + server.secretKey(), "Content-Encoding", "gzip");
        assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        JsonNode job = accepted.json();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!job.get("status").asText().equals("done") && System.nanoTime() < deadline) {
            assertThat(job.get("status").asText()).isIn("queued", "running");
            Thread.sleep(100);
            job = server.get("/api/import/" + id).json();
        }
        assertThat(job.get("status").asText()).isEqualTo("done");
        assertThat(job.get("rows").asLong()).isEqualTo(30_000);
        assertThat(job.get("imported").asLong()).isEqualTo(30_000);
        assertThat(server.person("caller-7").get("event_count").asLong()).isEqualTo(100);
        assertThat(server.get("/api/import/imp_unknown").status()).isEqualTo(404);
        assertThat(server.post("/api/import?format=xml", new byte[0], "text/csv", "Bearer " + server.secretKey()).status()).isEqualTo(400);
        assertThat(server.post("/api/import?format=csv", new byte[0], "text/csv", "Bearer " + server.writeKey()).status()).isEqualTo(403);
    }

    private void seedPeople() {
        server.segment("batch", "{\"batch\":["
                + "{\"type\":\"page\",\"anonymousId\":\"v1\",\"timestamp\":\"2024-01-01T10:00:00Z\",\"properties\":{\"url\":\"https://shop.example/landing\",\"referrer\":\"https://www.google.com/\"}},"
                + "{\"type\":\"track\",\"anonymousId\":\"v1\",\"event\":\"Signed Up\",\"timestamp\":\"2024-01-01T10:05:00Z\"},"
                + "{\"type\":\"identify\",\"anonymousId\":\"v1\",\"userId\":\"=HYPERLINK(\\\"evil\\\")\",\"traits\":{\"name\":\"@SUM(A1)\",\"email\":\"x@example.com\"}},"
                + "{\"type\":\"track\",\"userId\":\"=HYPERLINK(\\\"evil\\\")\",\"event\":\"Order\",\"timestamp\":\"2024-01-03T10:00:00Z\",\"properties\":{\"revenue\":25}},"
                + "{\"type\":\"track\",\"anonymousId\":\"v2\",\"event\":\"Viewed\",\"timestamp\":\"2024-01-05T10:00:00Z\",\"properties\":{\"utm_medium\":\"cpc\",\"utm_source\":\"ads\"}},"
                + "{\"type\":\"track\",\"anonymousId\":\"v2\",\"event\":\"Viewed\",\"timestamp\":\"2024-01-05T12:00:00Z\"}"
                + "]}");
    }

    @Test
    void peopleJsonlCarriesTheCountsAndAcquisitionOfThePersonApi() {
        seedPeople();
        TestServer.Response export = server.get("/api/export/people?format=jsonl");
        assertThat(export.status()).isEqualTo(200);
        String[] lines = export.text().split("\n");
        assertThat(lines).hasSize(2);
        for (String line : lines) {
            JsonNode row = Json.parse(line);
            JsonNode person = server.get("/api/people/" + row.get("id").asText()).json();
            for (String field : List.of("display_name", "first_seen", "last_seen", "event_count", "session_count", "ltv", "properties")) {
                assertThat(row.get(field)).as(field).isEqualTo(person.get(field));
            }
            for (String field : List.of("channel", "referrer", "referring_domain", "landing_page", "utm_source", "utm_medium", "utm_campaign")) {
                assertThat(row.get("acquisition").get(field)).as(field).isEqualTo(person.get("acquisition").get(field));
            }
            List<String> identities = new ArrayList<>();
            person.get("identities").forEach(i -> identities.add(i.get("id").asText()));
            assertThat(row.get("identities")).extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(identities);
        }
        JsonNode first = Json.parse(lines[0]);
        assertThat(first.get("acquisition").get("channel").asText()).isEqualTo("Organic Search");
        assertThat(first.get("ltv").asDouble()).isEqualTo(25.0);
        assertThat(Json.parse(lines[1]).get("acquisition").get("channel").asText()).isEqualTo("Paid");
        assertThat(Json.parse(lines[1]).get("session_count").asLong()).isEqualTo(2);
    }

    @Test
    void peopleExportLtvFollowsTheProjectsRevenueSettingsNotTheDefaultProperty() {
        server.segment("batch", "{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"payer\",\"event\":\"Order\",\"timestamp\":\"2024-01-01T10:00:00Z\",\"properties\":{\"amount\":\"30.5\",\"revenue\":1000}},"
                + "{\"type\":\"track\",\"userId\":\"payer\",\"event\":\"Order\",\"timestamp\":\"2024-01-02T10:00:00Z\",\"properties\":{\"amount\":12}},"
                + "{\"type\":\"track\",\"userId\":\"payer\",\"event\":\"Quote\",\"timestamp\":\"2024-01-03T10:00:00Z\",\"properties\":{\"amount\":500}},"
                + "{\"type\":\"track\",\"userId\":\"browser\",\"event\":\"Viewed\",\"timestamp\":\"2024-01-03T10:00:00Z\",\"properties\":{\"revenue\":70}}"
                + "]}");
        assertThat(Json.parse(server.get("/api/export/people?format=jsonl&columns=display_name,ltv").text().split("\n")[0])
                .get("ltv").asDouble()).as("default settings: the revenue property").isEqualTo(1000.0);

        server.roster().revenueSettings().save(server.keys().project(),
                Json.parse("{\"property\":\"amount\",\"billing_events\":[\"Order\"]}"));

        Map<String, Double> ltv = new HashMap<>();
        for (String line : server.get("/api/export/people?format=jsonl&columns=display_name,ltv").text().split("\n")) {
            JsonNode row = Json.parse(line);
            ltv.put(row.get("display_name").asText(), row.get("ltv").asDouble());
        }
        assertThat(ltv).containsOnly(Map.entry("payer", 42.5), Map.entry("browser", 0.0));
        assertThat(server.person("payer").get("ltv").asDouble()).as("the person API agrees").isEqualTo(42.5);
    }

    @Test
    void peopleCsvNeutralisesFormulasAndHonoursColumnsAndBom() throws Exception {
        seedPeople();
        TestServer.Response export = server.get("/api/export/people?format=csv&bom=true&columns=display_name,properties.name,ltv");
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.body()[0] & 0xff).isEqualTo(0xEF);
        String text = export.text().substring(1);
        try (CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(new java.io.StringReader(text))) {
            assertThat(parser.getHeaderNames()).containsExactly("display_name", "properties.name", "ltv");
            List<CSVRecord> records = parser.getRecords();
            assertThat(records.get(0).get("display_name")).isEqualTo("'=HYPERLINK(\"evil\")");
            assertThat(records.get(0).get("properties.name")).isEqualTo("'@SUM(A1)");
            assertThat(records.get(0).get("ltv")).isEqualTo("25.0");
            assertThat(records.get(1).get("display_name")).isEqualTo("v2");
        }
        assertThat(server.get("/api/export/people?population=nope").status()).isEqualTo(404);
        assertThat(server.get("/api/export/people?columns=bogus").status()).isEqualTo(400);
    }

    @Test
    void eventsParquetReReadByDuckDbGivesTheSameCountsPerPerson(@TempDir Path directory) throws Exception {
        seedPeople();
        TestServer.Response export = server.get("/api/export/events?format=parquet&from=2024-01-01&to=2024-02-01");
        assertThat(export.status()).as(export.text()).isEqualTo(200);
        Path parquet = directory.resolve("events.parquet");
        Files.write(parquet, export.body());
        Map<String, Long> counts = new HashMap<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT person_id, count(*) FROM read_parquet('"
                        + parquet.toString().replace("'", "''") + "') GROUP BY person_id")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        assertThat(counts).hasSize(2);
        counts.forEach((id, count) -> assertThat(server.get("/api/people/" + id).json().get("event_count").asLong()).isEqualTo(count));
        String jsonl = server.get("/api/export/events?format=jsonl&from=2024-01-04&to=2024-02-01").text();
        assertThat(jsonl.split("\n")).hasSize(2).allSatisfy(line -> assertThat(Json.parse(line).get("person_id").asText())
                .isEqualTo(server.person("v2").get("id").asText()));
    }

    @Test
    void erasingAPersonRemovesThemFromApiExportsReportsAndTheDatabaseFile() throws Exception {
        String marker = "ZQX-ERASE-ME-7f3a9c";
        seedPeople();
        assertThat(server.segment("track", "{\"userId\":\"" + marker + "@example.com\",\"anonymousId\":\"" + marker + "-device\","
                + "\"event\":\"Secret Event\",\"timestamp\":\"2024-01-02T10:00:00Z\",\"properties\":{\"note\":\"" + marker + "\"}}").status()).isEqualTo(200);
        assertThat(server.segment("identify", "{\"userId\":\"" + marker + "@example.com\",\"traits\":{\"phone\":\"" + marker + "-phone\"}}").status()).isEqualTo(200);
        server.roster().writeBuffer().compactNow();
        String id = server.person(marker + "@example.com").get("id").asText();
        Path file = server.roster().database().directory().resolve(Database.FILE_NAME);
        server.roster().database().checkpoint();
        assertThat(contains(file, marker)).as("the marker is in the file before erasure").isTrue();

        TestServer.Response access = server.get("/api/people/" + id + "/export");
        assertThat(access.json().get("events")).hasSize(1);
        assertThat(access.json().get("person").get("properties").get("phone").asText()).isEqualTo(marker + "-phone");

        TestServer.Response erased = server.erase(id);
        assertThat(erased.json().get("erased").asBoolean()).isTrue();

        assertThat(server.get("/api/people/" + id + "/timeline").status()).isEqualTo(404);
        assertThat(server.get("/api/people?identity=" + marker + "@example.com").status()).isEqualTo(404);
        assertThat(server.get("/api/export/people?format=jsonl").text()).doesNotContain(marker).doesNotContain(id);
        assertThat(server.get("/api/export/events?format=jsonl").text()).doesNotContain(marker);
        long resolved = server.roster().database().read(connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT count(DISTINCT person_key), count(*) FILTER (WHERE name = 'Secret Event') FROM resolved_events")) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(2);
                return rows.getLong(2);
            }
        });
        assertThat(resolved).isZero();
        assertThat(contains(file, marker)).as("the marker is gone from the database file").isFalse();
        Path wal = file.resolveSibling(Database.FILE_NAME + ".wal");
        assertThat(Files.exists(wal) && contains(wal, marker)).isFalse();
        long audits = server.roster().database().read(connection -> {
            try (Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT count(*), min(person_id_sha256) FROM erasure_audit")) {
                rows.next();
                assertThat(rows.getString(2)).hasSize(64).doesNotContain(marker);
                return rows.getLong(1);
            }
        });
        assertThat(audits).isEqualTo(1);

        // The same identity sending again is a new person, not the erased one.
        assertThat(server.segment("track", "{\"anonymousId\":\"" + marker + "-device\",\"event\":\"Back\",\"timestamp\":\"2024-03-01T00:00:00Z\"}").status()).isEqualTo(200);
        JsonNode again = server.person(marker + "-device");
        assertThat(again.get("id").asText()).isNotEqualTo(id);
        assertThat(again.get("event_count").asLong()).isEqualTo(1);
        assertThat(again.get("properties")).isEmpty();
    }

    static boolean contains(Path file, String marker) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}

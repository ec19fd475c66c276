package dev.roster.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed input on every PostHog and Mixpanel endpoint gets a clear 4xx naming the problem,
 * never a 500 (KISSmetrics, which always answers with its GIF, is covered in KissmetricsApiTest).
 */
class MalformedWireInputTest {
    private static final List<String> POSTHOG = List.of("/capture/", "/capture", "/batch/", "/batch", "/e/", "/e",
            "/i/v0/e/", "/i/v0/e", "/i/v1/analytics/events");
    private static final List<String> MIXPANEL = List.of("/track", "/engage", "/groups", "/import");

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Response post(String path, byte[] body, String contentType, String... headers) {
        return server.post(path, body, contentType, null, headers);
    }

    private static TestServer.Response post(String path, String body, String contentType) {
        return post(path, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    private static void assertClear(TestServer.Response response, int status, String messagePart) {
        assertThat(response.status()).as(response.text()).isEqualTo(status);
        JsonNode json = response.json();
        assertThat(json.get("error").asText()).isNotBlank();
        assertThat(json.get("message").asText()).containsIgnoringCase(messagePart);
    }

    private static String posthogEvent(String timestamp) {
        return "{\"api_key\":\"" + server.writeKey() + "\",\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":" + timestamp + "}";
    }

    @Test
    void posthogRefusesBadJsonBadBase64WrongGzipAndAbsurdTimestampsClearly() {
        for (String path : POSTHOG) {
            assertClear(post(path, "{\"api_key\":", "application/json"), 400, "JSON");
            assertClear(post(path, "data=%%%not-base64!!", "application/x-www-form-urlencoded"), 400, "percent");
            assertClear(post(path, "data=not*base64*at*all", "application/x-www-form-urlencoded"), 400, "base64");
            assertClear(post(path, "{not json".getBytes(StandardCharsets.UTF_8), "application/json", "Content-Encoding", "gzip"), 400, "gzip");
            assertClear(post(path, WireCapture.gzip("[1,2".getBytes(StandardCharsets.UTF_8)), "application/json"), 400, "JSON");
            byte[] truncated = WireCapture.gzip(posthogEvent("1").getBytes(StandardCharsets.UTF_8));
            assertClear(post(path, java.util.Arrays.copyOf(truncated, truncated.length - 6), "application/json"), 400, "gzip");
            TestServer.Response absurd = post(path, posthogEvent("\"the day after tomorrow\""), "application/json");
            assertClear(absurd, 400, "timestamp");
            assertThat(absurd.json().get("rejected").get(0).get("reason").asText()).isEqualTo("invalid_timestamp");
            assertClear(post(path, posthogEvent("1e300"), "application/json"), 400, "timestamp");
            assertClear(post(path, posthogEvent("\"1899-01-01T00:00:00Z\""), "application/json"), 400, "timestamp");
            assertClear(post(path, "{\"api_key\":\"nope\",\"event\":\"x\",\"distinct_id\":\"u1\"}", "application/json"), 401, "write key");
            assertClear(post(path, "{\"api_key\":\"" + server.writeKey() + "\",\"batch\":[]}", "application/json"), 400, "empty");
            assertClear(post(path + "?compression=lz64", "data=N4IgLgpg", "application/x-www-form-urlencoded"), 400, "lz64");
        }
    }

    @Test
    void posthogKeepsTheGoodEventsOfABatchAndListsTheBadOne() {
        String batch = "{\"api_key\":\"" + server.writeKey() + "\",\"batch\":["
                + "{\"event\":\"good\",\"distinct_id\":\"partial-1\",\"uuid\":\"p-1\"},"
                + "{\"event\":\"bad\",\"distinct_id\":\"partial-1\",\"timestamp\":\"garbage\"},"
                + "{\"event\":\"no id\"}]}";
        TestServer.Response response = post("/batch/", batch, "application/json");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("status").asInt()).isEqualTo(1);
        assertThat(response.json().get("rejected")).hasSize(2);
        assertThat(response.json().get("rejected").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(response.json().get("rejected").get(1).get("reason").asText()).isEqualTo("missing_identity");
        assertThat(server.person("partial-1").get("event_count").asInt()).isEqualTo(1);
    }

    @Test
    void posthogGetWithBase64DataWorksOnEveryCaptureEndpointIncludingE() {
        String event = "{\"token\":\"" + server.writeKey() + "\",\"event\":\"from get\",\"properties\":{\"distinct_id\":\"get-1\"}}";
        for (String path : List.of("/e/", "/capture/", "/i/v0/e/", "/batch")) {
            TestServer.Response response = TestServer.send(HttpRequest.newBuilder(URI.create(server.url(path + "?data="
                    + URLEncoder.encode(base64(event), StandardCharsets.UTF_8)))).GET().build());
            assertThat(response.status()).as(path).isEqualTo(200);
            assertThat(response.text()).isEqualTo("{\"status\":1}");
        }
        assertThat(server.person("get-1").get("event_count").asInt()).isEqualTo(4);
    }

    private static TestServer.Response mixpanelGet(String path, String data, String extra) {
        return TestServer.send(HttpRequest.newBuilder(URI.create(server.url(path + "?data="
                + URLEncoder.encode(data, StandardCharsets.UTF_8) + extra))).GET().build());
    }

    private static String base64(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mixpanelAnswersZeroWithAClearErrorForEveryKindOfBadInput() {
        String absurd = "{\"event\":\"x\",\"properties\":{\"token\":\"" + server.writeKey() + "\",\"distinct_id\":\"u\",\"time\":-5}}";
        for (String path : MIXPANEL) {
            for (TestServer.Response response : List.of(
                    mixpanelGet(path, "not*base64", ""),
                    mixpanelGet(path, base64("{\"event\":"), ""),
                    post(path, "data=" + base64("[1,"), "application/x-www-form-urlencoded"),
                    post(path, "{\"x\":1}".getBytes(StandardCharsets.UTF_8), "application/x-www-form-urlencoded", "Content-Encoding", "gzip"))) {
                assertThat(response.status()).as(path + " " + response.text()).isEqualTo(400);
                if (!response.contentType().startsWith("application/json")) {
                    assertThat(response.text()).isEqualTo("0");
                }
            }
            TestServer.Response verbose = mixpanelGet(path, "%%%", "&verbose=1");
            assertThat(verbose.status()).isEqualTo(400);
            assertThat(verbose.json().get("status").asInt()).isZero();
            assertThat(verbose.json().get("error").asText()).contains("base64");
        }
        TestServer.Response time = mixpanelGet("/track", base64(absurd), "&verbose=1");
        assertThat(time.status()).isEqualTo(400);
        assertThat(time.json().get("error").asText()).contains("time");
        TestServer.Response key = mixpanelGet("/track", base64(absurd.replace(server.writeKey(), "nope").replace("-5", "1700000000")), "&verbose=1");
        assertThat(key.status()).isEqualTo(401);
        assertThat(key.json().get("error").asText()).contains("unknown write key");
        TestServer.Response engage = mixpanelGet("/engage", base64("{\"$token\":\"" + server.writeKey() + "\",\"$distinct_id\":\"u\",\"$add\":{\"n\":\"x\"}}"), "&verbose=1");
        assertThat(engage.status()).isEqualTo(400);
        assertThat(engage.json().get("error").asText()).contains("$add needs numbers");
    }

    @Test
    void aBrokenPercentEscapeInTheQueryIsAClientError() {
        for (String path : List.of("/track", "/engage", "/capture/", "/batch/", "/i/v0/e/", "/e", "/s")) {
            String statusLine = rawGet(path + "?data=%zz&_k=%&x=%");
            assertThat(statusLine).as(path).matches("HTTP/1\\.1 (4\\d\\d|200) .*");
            if (path.equals("/e") || path.equals("/s")) {
                assertThat(statusLine).as("KISSmetrics always answers with its GIF").startsWith("HTTP/1.1 200");
            } else {
                assertThat(statusLine).startsWith("HTTP/1.1 4");
            }
        }
    }

    /** Sends a request line that java.net.URI would refuse to build; returns the status line. */
    private static String rawGet(String target) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.roster().port())) {
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return response.substring(0, response.indexOf("\r\n"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void mixpanelJsonImportAnswersLikeMixpanelOnFailure() {
        String events = "[{\"event\":\"ok\",\"properties\":{\"token\":\"" + server.writeKey() + "\",\"distinct_id\":\"imp\",\"time\":1700000000,\"$insert_id\":\"a\"}},"
                + "{\"event\":\"bad\",\"properties\":{\"token\":\"" + server.writeKey() + "\",\"time\":1700000000}}]";
        TestServer.Response response = post("/import?strict=1", events, "application/json");
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("code").asInt()).isEqualTo(400);
        assertThat(response.json().get("num_records_imported").asInt()).isEqualTo(1);
        assertThat(response.json().get("failed_records").get(0).get("index").asInt()).isEqualTo(1);
        TestServer.Response broken = post("/import", "[{", "application/json");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().get("code").asInt()).isEqualTo(400);
        assertThat(broken.json().get("error").asText()).contains("JSON");
    }
}

package dev.roster.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /roster.js is served small and cacheable, and every ingestion endpoint is open to any origin. */
class TrackerServingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theScriptIsJavascriptCacheableAndUnderTenKilobytesGzipped() throws Exception {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(server.url("/roster.js"))).GET().build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/javascript");
        assertThat(response.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age=");
        String etag = response.headers().firstValue("ETag").orElseThrow();
        String script = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(script).contains("roster_aid", "sendBeacon", "pushState", "data-write-key", "/v1/batch");
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(gzipped)) {
            gzip.write(response.body());
        }
        assertThat(gzipped.size()).isLessThan(10 * 1024);

        HttpResponse<byte[]> cached = send(HttpRequest.newBuilder(URI.create(server.url("/roster.js")))
                .header("If-None-Match", etag).GET().build());
        assertThat(cached.statusCode()).isEqualTo(304);
    }

    @Test
    void everyIngestionEndpointAnswersPreflightAndAllowsTheCallingOrigin() throws Exception {
        for (String path : List.of("/v1/batch", "/e", "/s", "/a", "/capture/", "/batch/", "/e/", "/i/v0/e/",
                "/i/v1/analytics/events", "/track", "/engage", "/groups", "/import")) {
            HttpResponse<byte[]> preflight = send(HttpRequest.newBuilder(URI.create(server.url(path)))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://shop.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type").build());
            assertThat(preflight.statusCode()).as(path).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(path).contains("https://shop.example");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("")).as(path).contains("POST");
        }
        HttpResponse<byte[]> posthog = send(HttpRequest.newBuilder(URI.create(server.url("/capture/")))
                .header("Origin", "https://shop.example").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"api_key\":\"" + server.writeKey()
                        + "\",\"event\":\"x\",\"distinct_id\":\"cors-1\"}")).build());
        assertThat(posthog.statusCode()).isEqualTo(200);
        assertThat(posthog.headers().firstValue("Access-Control-Allow-Origin")).contains("https://shop.example");
        HttpResponse<byte[]> gif = send(HttpRequest.newBuilder(URI.create(server.url("/e?_k=" + server.writeKey() + "&_p=cors-2&_n=x")))
                .header("Origin", "https://shop.example").GET().build());
        assertThat(gif.headers().firstValue("Access-Control-Allow-Origin")).contains("https://shop.example");
    }

    @Test
    void aBeaconWithTextPlainAndTheKeyInTheBodyIsAccepted() throws Exception {
        // what navigator.sendBeacon(url, new Blob([json], {type: "text/plain"})) sends: no auth header, no preflight
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(URI.create(server.url("/v1/batch")))
                .header("Origin", "https://shop.example").header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString("{\"writeKey\":\"" + server.writeKey() + "\",\"batch\":[{\"type\":\"track\","
                        + "\"event\":\"Left Page\",\"anonymousId\":\"beacon-1\",\"messageId\":\"b-1\"}]}")).build());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("https://shop.example");
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
        assertThat(server.person("beacon-1").get("event_count").asInt()).isEqualTo(1);
    }
}

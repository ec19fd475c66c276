package dev.roster.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A test server with a known admin password and a small, realistic dataset ingested through the
 * Segment API: Ann browses anonymously before signing up (so her early events belong to her
 * anonymous id), Bob only looks at pricing, Carol signs up but never buys (so a funnel
 * Viewed Pricing → Signed Up → Purchased counts 3, 2, 1), and Mallory's identities, events and properties
 * are XSS payloads that must be displayed as text.
 */
final class DashboardFixture {
    static final String PASSWORD = "correct horse battery staple";
    static final String ANN_ANONYMOUS = "anon-7f3a9c";
    static final String ANN = "ann@example.com";
    static final String BOB = "bob@example.com";
    static final String CAROL = "carol@example.com";
    /** Every payload sets window.__xss (or alerts), so a test can tell whether any of them ran. */
    static final String SCRIPT = "<script>window.__xss=1;alert(1)</script>";
    static final String IMG = "\"><img src=x onerror=\"window.__xss=2;alert(2)\">";
    static final String JS_URL = "javascript:window.__xss=3;alert(3)";
    static final String MALLORY = "mallory" + SCRIPT;

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private DashboardFixture() {
    }

    static TestServer start() {
        TestServer server = TestServer.start();
        server.roster().admins().ensureAdmin(Optional.of(PASSWORD));
        return server;
    }

    static void seed(TestServer server) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String day3 = now.minus(3, ChronoUnit.DAYS).toString();
        String day3b = now.minus(3, ChronoUnit.DAYS).plus(4, ChronoUnit.MINUTES).toString();
        String day1 = now.minus(1, ChronoUnit.DAYS).toString();
        String day1b = now.minus(1, ChronoUnit.DAYS).plus(2, ChronoUnit.MINUTES).toString();
        String hourAgo = now.minus(1, ChronoUnit.HOURS).toString();
        String batch = """
                {"batch": [
                  {"type": "page", "anonymousId": "%1$s", "name": "Home", "messageId": "m1", "timestamp": "%3$s",
                   "properties": {"url": "https://shop.example/?utm_source=newsletter&utm_medium=email", "path": "/",
                                  "referrer": "https://mail.example/", "utm_source": "newsletter", "utm_medium": "email"}},
                  {"type": "track", "anonymousId": "%1$s", "event": "Viewed Pricing", "messageId": "m2", "timestamp": "%4$s",
                   "properties": {"plan": "pro"}},
                  {"type": "identify", "anonymousId": "%1$s", "userId": "%2$s", "messageId": "m3", "timestamp": "%5$s",
                   "traits": {"email": "%2$s", "name": "Ann Example", "plan": "pro"}},
                  {"type": "track", "userId": "%2$s", "event": "Signed Up", "messageId": "m4", "timestamp": "%5$s"},
                  {"type": "track", "userId": "%2$s", "event": "Purchased", "messageId": "m5", "timestamp": "%6$s",
                   "properties": {"revenue": 49.5, "plan": "pro"}},
                  {"type": "identify", "userId": "%7$s", "messageId": "m6", "timestamp": "%5$s",
                   "traits": {"email": "%7$s", "name": "Bob Builder"}},
                  {"type": "track", "userId": "%7$s", "event": "Viewed Pricing", "messageId": "m7", "timestamp": "%8$s"},
                  {"type": "track", "userId": "%9$s", "event": "Viewed Pricing", "messageId": "m8", "timestamp": "%5$s"},
                  {"type": "track", "userId": "%9$s", "event": "Signed Up", "messageId": "m9", "timestamp": "%6$s",
                   "properties": {"plan": "free"}}
                ]}
                """.formatted(ANN_ANONYMOUS, ANN, day3, day3b, day1, day1b, BOB, hourAgo, CAROL);
        TestServer.Response response = server.segment("batch", batch);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        server.roster().flush();
    }

    /** Mallory: every string the dashboard shows is a payload. */
    static void seedXss(TestServer server) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        com.fasterxml.jackson.databind.node.ObjectNode properties = Json.object();
        properties.put("url", JS_URL);
        properties.put("note", IMG);
        properties.put(SCRIPT, SCRIPT);
        com.fasterxml.jackson.databind.node.ObjectNode traits = Json.object();
        traits.put("name", IMG);
        traits.put("website", JS_URL);
        traits.put("bio", SCRIPT);
        String identify = "{\"type\": \"identify\", \"userId\": " + Json.MAPPER.valueToTree(MALLORY) + ", \"messageId\": \"x1\", "
                + "\"timestamp\": \"" + now + "\", \"traits\": " + traits + "}";
        String track = "{\"type\": \"track\", \"userId\": " + Json.MAPPER.valueToTree(MALLORY) + ", \"event\": "
                + Json.MAPPER.valueToTree(IMG) + ", \"messageId\": \"x2\", \"timestamp\": \"" + now + "\", \"properties\": " + properties + "}";
        String track2 = "{\"type\": \"track\", \"userId\": " + Json.MAPPER.valueToTree(MALLORY) + ", \"event\": "
                + Json.MAPPER.valueToTree(SCRIPT) + ", \"messageId\": \"x3\", \"timestamp\": \"" + now + "\", \"properties\": {\"link\": "
                + Json.MAPPER.valueToTree(JS_URL) + "}}";
        TestServer.Response response = server.segment("batch", "{\"batch\": [" + identify + "," + track + "," + track2 + "]}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        server.roster().flush();
    }

    /** A logged-in HTTP client: the session cookie and the CSRF token. */
    record Login(String cookie, String csrf) {
    }

    static Login login(TestServer server) {
        HttpResponse<String> response = post(server, "/auth/login", "{\"password\": \"" + PASSWORD + "\"}", null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        JsonNode body = Json.parse(response.body().getBytes(StandardCharsets.UTF_8));
        return new Login(cookie, body.get("csrf_token").asText());
    }

    static HttpResponse<String> get(TestServer server, String path, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path))).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return send(request.build());
    }

    static HttpResponse<String> post(TestServer server, String path, String json, String cookie, String csrf, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url(path)))
                .POST(HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (csrf != null) {
            request.header("X-CSRF-Token", csrf);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return Json.parse(response.body().getBytes(StandardCharsets.UTF_8));
    }
}

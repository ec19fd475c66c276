package dev.roster.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.project.ProjectKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Roster server on port 0 with a fresh data directory and one project, plus small HTTP
 * helpers. Close it after the test.
 */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path directory;
    private final Roster roster;
    private final ProjectKeys keys;

    private TestServer(Path directory, Roster roster, ProjectKeys keys) {
        this.directory = directory;
        this.roster = roster;
        this.keys = keys;
    }

    public static TestServer start() {
        return start(Clock.systemUTC());
    }

    public static TestServer start(Clock clock) {
        try {
            Path directory = Files.createTempDirectory("roster-test");
            Roster roster = Roster.serve(Roster.Config.of(directory, 0).withClock(clock));
            ProjectKeys keys = roster.projects().create("Test");
            return new TestServer(directory, roster, keys);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Roster roster() {
        return roster;
    }

    public String writeKey() {
        return keys.project().writeKey();
    }

    public String secretKey() {
        return keys.secretKey();
    }

    public ProjectKeys keys() {
        return keys;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + roster.port() + path;
    }

    /** POSTs a Segment request with the write key as Basic auth. */
    public Response segment(String endpoint, String json) {
        return post("/v1/" + endpoint, json.getBytes(StandardCharsets.UTF_8), "application/json",
                "Basic " + Base64.getEncoder().encodeToString((writeKey() + ":").getBytes(StandardCharsets.UTF_8)));
    }

    /** POSTs Segment messages as one {@code /v1/batch} request with the write key. */
    public Response segmentBatch(List<? extends JsonNode> messages) {
        ObjectNode body = Json.object();
        ArrayNode batch = body.putArray("batch");
        messages.forEach(batch::add);
        return segment("batch", Json.write(body));
    }

    public Response post(String path, byte[] body, String contentType, String authorization, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", contentType);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    /** GETs a read API path with the secret key. */
    public Response get(String path) {
        return get(path, "Bearer " + secretKey());
    }

    public Response get(String path, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.build());
    }

    /** POSTs JSON to a read API path with the secret key. */
    public Response api(String path, String json) {
        return post(path, json.getBytes(StandardCharsets.UTF_8), "application/json", "Bearer " + secretKey());
    }

    public static Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.body(), response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The person document of an identity (asserting 200). */
    public JsonNode person(String identity) {
        Response response = get("/api/people?identity=" + java.net.URLEncoder.encode(identity, StandardCharsets.UTF_8));
        if (response.status() != 200) {
            throw new AssertionError("person " + identity + ": " + response.status() + " " + response.text());
        }
        return response.json();
    }

    /** Erases a person through the API with the secret key (asserting 200); the answer. */
    public Response erase(String personId) {
        Response response = send(HttpRequest.newBuilder(URI.create(url("/api/people/" + personId)))
                .DELETE().header("Authorization", "Bearer " + secretKey()).build());
        if (response.status() != 200) {
            throw new AssertionError("erase " + personId + ": " + response.status() + " " + response.text());
        }
        return response;
    }

    @Override
    public void close() {
        roster.close();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // temp files; best effort
        }
    }

    /** An HTTP response. */
    public record Response(int status, byte[] body, String contentType) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public JsonNode json() {
            return Json.parse(body);
        }
    }
}

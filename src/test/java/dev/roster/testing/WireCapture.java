package dev.roster.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * One request captured from a real SDK in ../shared/wire/ (see its README), and how to send it
 * again to a test server with the test project's write key in place of the captured one.
 */
public record WireCapture(String file, String method, String path, String queryString, List<String[]> headers,
                          String contentEncoding, JsonNode body) {
    /** Where the captures live: {@code ROSTER_WIRE_DIR}, else ../shared/wire next to the worktree. */
    public static Path directory() {
        String configured = System.getenv("ROSTER_WIRE_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path candidate : List.of(Path.of("../shared/wire"), Path.of("/work/shared/wire"))) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return Path.of("../shared/wire");
    }

    /** Every capture whose file name starts with one of the prefixes, sorted by name. */
    public static List<WireCapture> load(String... prefixes) {
        Path directory = directory();
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".json") && Stream.of(prefixes).anyMatch(name::startsWith);
            }).sorted().map(WireCapture::read).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory.toAbsolutePath(), e);
        }
    }

    static WireCapture read(Path file) {
        try {
            JsonNode root = Json.parse(Files.readAllBytes(file));
            List<String[]> headers = new ArrayList<>();
            root.get("headers").forEach(h -> headers.add(new String[] {h.get(0).asText(), h.get(1).asText()}));
            JsonNode encoding = root.get("content_encoding");
            JsonNode query = root.get("query_string");
            return new WireCapture(file.getFileName().toString(), root.get("method").asText(), root.get("path").asText(),
                    query == null || query.isNull() ? "" : query.asText(), headers,
                    encoding == null || encoding.isNull() ? null : encoding.asText(), root.get("body"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String call() {
        return file.substring(file.indexOf("__") + 2, file.length() - ".json".length());
    }

    public boolean gzipped() {
        return contentEncoding != null && contentEncoding.toLowerCase(Locale.ROOT).contains("gzip");
    }

    /** The messages of the body: its batch, or the body itself. */
    public List<JsonNode> messages() {
        List<JsonNode> messages = new ArrayList<>();
        if (body.has("batch")) {
            body.get("batch").forEach(messages::add);
        } else {
            messages.add(body);
        }
        return messages;
    }

    /** The body with every captured write key replaced. */
    public byte[] bodyBytes(String writeKey) {
        JsonNode copy = body.deepCopy();
        if (copy instanceof ObjectNode object && object.has("writeKey")) {
            object.put("writeKey", writeKey);
        }
        byte[] json = Json.write(copy).getBytes(StandardCharsets.UTF_8);
        return gzipped() ? gzip(json) : json;
    }

    /** The captured request, re-sent to {@code baseUrl} with the given write key. */
    public HttpRequest request(String baseUrl, String writeKey) {
        String url = baseUrl + path + (queryString.isEmpty() ? "" : "?" + queryString);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(bodyBytes(writeKey)));
        for (String[] header : headers) {
            String name = header[0].toLowerCase(Locale.ROOT);
            if (RESTRICTED.contains(name)) {
                continue;
            }
            String value = header[1];
            if (name.equals("authorization") && value.regionMatches(true, 0, "Basic ", 0, 6)) {
                value = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
            }
            request.header(header[0], value);
        }
        return request.build();
    }

    /** Headers java.net.http sets itself. */
    private static final Set<String> RESTRICTED = Set.of("content-length", "host", "connection", "expect", "upgrade");

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return file;
    }
}

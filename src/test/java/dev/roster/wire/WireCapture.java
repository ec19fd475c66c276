package dev.roster.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * One request captured from a real SDK (../shared/wire, copied to test resources), rebuilt
 * byte for byte with the captured project keys replaced by a test project's write key.
 */
record WireCapture(String file, JsonNode capture) {
    /** The tokens the SDKs were configured with when captured. */
    static final List<String> CAPTURED_KEYS = List.of("phc_test_project_key", "mp_project_token");
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    static WireCapture load(String file) {
        try (InputStream in = WireCapture.class.getResourceAsStream("/wire/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /wire/" + file);
            }
            return new WireCapture(file, Json.parse(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String sdk() {
        return file.substring(0, file.indexOf("__"));
    }

    String call() {
        return file.substring(file.indexOf("__") + 2, file.length() - ".json".length());
    }

    String method() {
        return capture.get("method").asText();
    }

    String path() {
        return capture.get("path").asText();
    }

    /** What the receiver that captured it answered (the SDK accepted it). */
    JsonNode capturedResponse() {
        return capture.get("response_sent_by_receiver");
    }

    HttpRequest request(TestServer server, String writeKey) {
        String query = rewriteQuery(capture.get("query_string").asText(""), writeKey);
        URI uri = URI.create(server.url(path() + (query.isEmpty() ? "" : "?" + query)));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        for (JsonNode header : capture.get("headers")) {
            String name = header.get(0).asText();
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            builder.header(name, rewrite(header.get(1).asText(), writeKey));
        }
        if (method().equals("GET")) {
            return builder.GET().build();
        }
        return builder.POST(HttpRequest.BodyPublishers.ofByteArray(body(writeKey))).build();
    }

    /** The body bytes as the SDK sent them: raw form text or JSON, gzipped when it was. */
    byte[] body(String writeKey) {
        byte[] bytes;
        if (capture.hasNonNull("raw_body_text")) {
            bytes = rewriteForm(capture.get("raw_body_text").asText(), writeKey).getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = rewrite(Json.write(capture.get("body")), writeKey).getBytes(StandardCharsets.UTF_8);
        }
        String encoding = capture.path("content_encoding").asText("");
        return encoding.contains("gzip") ? gzip(bytes) : bytes;
    }

    static String rewrite(String text, String writeKey) {
        String result = text;
        for (String key : CAPTURED_KEYS) {
            result = result.replace(key, writeKey);
        }
        return result;
    }

    /** Re-encodes base64 {@code data} with the key replaced, keeping its (non-)URL-encoding. */
    private static String rewriteForm(String form, String writeKey) {
        List<String> out = new ArrayList<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("data")) {
                String value = pair.substring(eq + 1);
                boolean urlEncoded = value.contains("%");
                String raw = urlEncoded ? URLDecoder.decode(value, StandardCharsets.UTF_8) : value;
                String rewritten = rewriteBase64(raw, writeKey);
                out.add("data=" + (urlEncoded ? URLEncoder.encode(rewritten, StandardCharsets.UTF_8) : rewritten));
            } else {
                out.add(pair);
            }
        }
        return String.join("&", out);
    }

    private static String rewriteQuery(String query, String writeKey) {
        if (query.isEmpty()) {
            return query;
        }
        List<String> out = new ArrayList<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("data")) {
                String raw = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.add("data=" + URLEncoder.encode(rewriteBase64(raw, writeKey), StandardCharsets.UTF_8));
            } else {
                out.add(rewrite(pair, writeKey));
            }
        }
        return String.join("&", out);
    }

    private static String rewriteBase64(String base64, String writeKey) {
        String json = new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(rewrite(json, writeKey).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

package dev.roster.web;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /roster.js}: the browser tracker (SPEC §4), served from the jar with an ETag and an
 * hour of caching, so a new Roster version reaches browsers within the hour.
 */
final class TrackerHandler {
    private static final String RESOURCE = "/web/roster.js";

    private final byte[] script;
    private final String etag;

    TrackerHandler() {
        try (InputStream in = TrackerHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            script = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(script), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void script(Context ctx) {
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.header("ETag", etag);
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/javascript; charset=utf-8").result(script);
    }
}

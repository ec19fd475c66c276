package dev.roster.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

/** Event ids: the client's id when sent, else one derived from (identity, name, timestamp). */
public final class EventIds {
    private EventIds() {
    }

    /**
     * KISSmetrics-style deterministic id: the same identity, name and client timestamp always give
     * the same id, so retries and re-imports deduplicate.
     */
    public static String derived(String identity, String name, Instant timestamp) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(identity.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(timestamp.toString().getBytes(StandardCharsets.UTF_8));
            return "h:" + HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An id for an event that carries neither an id nor a client timestamp: it cannot be deduplicated. */
    public static String random() {
        return UUID.randomUUID().toString();
    }
}

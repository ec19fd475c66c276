package dev.roster.transfer.importing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * {@link dev.roster.ingest.EventIds#derived} with one reused digest: the same ids (a test proves
 * it, so files imported by the server and by the CLI deduplicate against each other) without
 * looking up a {@link MessageDigest} per row.
 *
 * <p>Thread safety: not thread-safe; one per reading thread.
 */
final class DerivedEventIds {
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();
    private final MessageDigest digest;
    private final StringBuilder time = new StringBuilder(32);

    DerivedEventIds() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String derive(String identity, String name, Instant timestamp) {
        digest.update(identity.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        time.setLength(0);
        digest.update(IsoTimestamps.appendIso(timestamp, time).toString().getBytes(StandardCharsets.US_ASCII));
        byte[] hash = digest.digest();
        char[] id = new char[34];
        id[0] = 'h';
        id[1] = ':';
        for (int i = 0; i < 16; i++) {
            id[2 + 2 * i] = HEX_DIGITS[(hash[i] >> 4) & 0xf];
            id[3 + 2 * i] = HEX_DIGITS[hash[i] & 0xf];
        }
        return new String(id);
    }
}

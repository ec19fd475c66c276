package dev.roster.ingest;

import it.unimi.dsi.fastutil.longs.LongOpenHashSet;

/**
 * An in-memory set of 64-bit hashes of every stored event id, per project: the fast path of
 * deduplication. A hit is only a candidate; the caller confirms it against the store, so a hash
 * collision can never drop a valid event.
 *
 * <p>Thread safety: not thread-safe; confined to the write buffer's thread.
 */
final class EventIdIndex {
    private final LongOpenHashSet hashes;

    EventIdIndex() {
        this(0);
    }

    /**
     * Sized for {@code expected} ids, so that loading a store never rehashes on the way (a rehash
     * holds the old and the new table at once: 200 MB at 10M ids). No extra headroom: the table is a
     * power of two of at least expected / 0.75 slots, and a quarter more ids would double it.
     */
    EventIdIndex(long expected) {
        hashes = expected < 16 ? new LongOpenHashSet() : new LongOpenHashSet((int) Math.min(expected, 1L << 29));
    }

    boolean mightContain(int projectKey, String eventId) {
        return hashes.contains(hash(projectKey, eventId));
    }

    void add(int projectKey, String eventId) {
        hashes.add(hash(projectKey, eventId));
    }

    int size() {
        return hashes.size();
    }

    /** FNV-1a over the project key and the id's UTF-16 code units. */
    static long hash(int projectKey, String eventId) {
        long hash = 0xcbf29ce484222325L ^ projectKey;
        hash *= 0x100000001b3L;
        for (int i = 0; i < eventId.length(); i++) {
            hash ^= eventId.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash ^ (hash >>> 29);
    }
}

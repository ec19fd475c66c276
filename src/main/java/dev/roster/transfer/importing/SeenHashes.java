package dev.roster.transfer.importing;

/**
 * The 64-bit hashes of the event ids an import has read so far: an open-addressing set of longs
 * whose table may not grow past {@code maxBytes}. Once it would, it gives up ({@link #full}) and
 * frees its table; from then on nothing is known about repeats, and the import checks every chunk
 * in SQL, as it does without this set.
 *
 * <p>Used by the reading thread only (not thread-safe).
 */
final class SeenHashes {
    private final long maxBytes;
    private long[] table;
    private int size;
    private boolean zero;
    private boolean full;

    SeenHashes(long maxBytes) {
        this.maxBytes = maxBytes;
        this.table = new long[1 << 16];
    }

    /** A set that may use an eighth of the maximum heap. */
    static SeenHashes forHeap() {
        return new SeenHashes(Runtime.getRuntime().maxMemory() / 8);
    }

    /** Whether the set gave up (see the class comment). */
    boolean full() {
        return full;
    }

    /**
     * Adds a hash. Returns true when it was there already (the id may repeat one read earlier), or
     * when the set is {@link #full}; false when it is new for certain.
     */
    boolean add(long hash) {
        if (full) {
            return true;
        }
        if (hash == 0) {
            boolean seen = zero;
            zero = true;
            return seen;
        }
        int mask = table.length - 1;
        int at = (int) (hash ^ (hash >>> 32)) & mask;
        while (true) {
            long slot = table[at];
            if (slot == hash) {
                return true;
            }
            if (slot == 0) {
                break;
            }
            at = (at + 1) & mask;
        }
        table[at] = hash;
        if (++size > table.length / 4 * 3) {
            grow();
        }
        return false;
    }

    private void grow() {
        if ((long) table.length * 2 * Long.BYTES > maxBytes) {
            full = true;
            table = null;
            return;
        }
        long[] old = table;
        table = new long[old.length * 2];
        int mask = table.length - 1;
        for (long hash : old) {
            if (hash != 0) {
                int at = (int) (hash ^ (hash >>> 32)) & mask;
                while (table[at] != 0) {
                    at = (at + 1) & mask;
                }
                table[at] = hash;
            }
        }
    }
}

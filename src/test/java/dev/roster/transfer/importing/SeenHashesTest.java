package dev.roster.transfer.importing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reader's set of id hashes: exact while it fits, and never claims "new" once it gave up. */
class SeenHashesTest {
    @Test
    void reportsEveryRepeatAndNoFirstSightingAcrossGrowth() {
        SeenHashes seen = new SeenHashes(64L << 20);
        SplittableRandom random = new SplittableRandom(7);
        long[] values = new long[300_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextLong();
        }
        values[1234] = 0; // zero is a value like any other
        for (long value : values) {
            assertThat(seen.add(value)).isFalse();
        }
        for (long value : values) {
            assertThat(seen.add(value)).isTrue();
        }
        assertThat(seen.full()).isFalse();
    }

    @Test
    void givesUpAtItsMemoryBoundAndThenTreatsEveryIdAsARepeat() {
        SeenHashes seen = new SeenHashes(1 << 20); // room for 128K slots, 96K hashes
        int added = 0;
        while (!seen.full()) {
            assertThat(seen.add(added + 1L)).isFalse();
            added++;
        }
        assertThat(added).isEqualTo(98_305);
        assertThat(seen.add(Long.MAX_VALUE)).as("unknown once full").isTrue();
    }

    @Test
    void hashesEqualIdsEquallyAndDifferentIdsDifferently() {
        byte[] id = "h:0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        byte[] padded = ("x" + "h:0123456789abcdef0123456789abcdef" + "y").getBytes(StandardCharsets.UTF_8);
        assertThat(CsvScanner.hash64(padded, 1, padded.length - 1)).isEqualTo(CsvScanner.hash64(id, 0, id.length));
        byte[] other = "h:0123456789abcdef0123456789abcdee".getBytes(StandardCharsets.UTF_8);
        assertThat(CsvScanner.hash64(other, 0, other.length)).isNotEqualTo(CsvScanner.hash64(id, 0, id.length));
    }
}

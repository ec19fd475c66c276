package dev.roster.transfer.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.ingest.EventIds;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Timestamps;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The import's fast paths give exactly what the shared slow paths give. */
class IsoTimestampsTest {
    private static final List<String> SHAPES = List.of(
            "2024-01-31T10:00:00Z", "2024-01-31T10:00:00.5Z", "2024-01-31T10:00:00.123Z", "2024-01-31T10:00:00.123456Z",
            "2024-01-31T10:00:00.123456789Z", "2024-01-31T10:00:00+02:00", "2024-01-31T10:00:00.25-05:30",
            "2024-02-29T23:59:59Z", "1999-12-31T23:59:59.999999999+14:00", "0001-01-01T00:00:00Z",
            // shapes left to the slow path, which must still accept or reject them the same way
            "2024-01-31 10:00:00Z", "2024-01-31T10:00:00", "2024-01-31T10:00Z", "2024-01-31", "2024-01-31t10:00:00z",
            "2024-01-31T10:00:00+0200", "2024-01-31T10:00:00+02", " 2024-01-31T10:00:00Z ", "1706695200", "1706695200123",
            "1706695200.5",
            // invalid
            "2023-02-29T10:00:00Z", "2024-13-01T10:00:00Z", "2024-01-31T24:00:00Z", "2024-01-31T10:60:00Z",
            "2024-01-31T10:00:00.Z", "2024-01-31T10:00:00.1234567890Z", "2024-01-31T10:00:00+19:00", "2024-01-31T10:00:00+02:60",
            "2024-01-31T10:00:00ZZ", "2024-01-31T1a:00:00Z", "not-a-date", "");

    @Test
    void parsesEveryShapeAsTimestampsParseDoes() {
        for (String text : SHAPES) {
            Instant expected;
            try {
                expected = Timestamps.parse(text, "when");
            } catch (InvalidEventException e) {
                assertThatThrownBy(() -> IsoTimestamps.parse(text, "when")).as(text)
                        .isInstanceOf(InvalidEventException.class).hasMessage(e.getMessage());
                continue;
            }
            assertThat(IsoTimestamps.parse(text, "when")).as(text).isEqualTo(expected);
        }
        assertThat(dev.roster.ingest.Timestamps.fastParse("2024-01-31T10:00:00.25-05:30")).isEqualTo(Instant.parse("2024-01-31T15:30:00.25Z"));
        assertThat(dev.roster.ingest.Timestamps.fastParse("2024-01-31 10:00:00Z")).as("left to the slow path").isNull();
    }

    @Test
    void writesInstantsAsInstantToStringDoes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-62_167_219_200L - 1000, 253_402_300_799L + 1000);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(IsoTimestamps.appendIso(instant, new StringBuilder()).toString()).isEqualTo(instant.toString());
        }
    }

    @Test
    void derivedIdsAreTheWriteBuffersDerivedIds() {
        DerivedEventIds ids = new DerivedEventIds();
        for (String identity : List.of("ann@example.com", "caf\u00e9 \u2603", "+15550001", "a".repeat(255))) {
            for (Instant time : List.of(Instant.parse("2024-01-31T10:00:00Z"), Instant.parse("2024-01-31T10:00:00.5Z"),
                    Instant.parse("2024-01-31T10:00:00.000001Z"), Instant.parse("+12024-01-31T10:00:00Z"))) {
                assertThat(ids.derive(identity, "Called Sales", time)).isEqualTo(EventIds.derived(identity, "Called Sales", time));
            }
        }
    }
}

package dev.roster.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {
    private static final Instant RECEIVED = Instant.parse("2026-11-28T12:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "2024-01-15T10:30:00Z|2024-01-15T10:30:00Z",
        "2024-01-15T10:30Z|2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00.1Z|2024-01-15T10:30:00.100Z",
        "2024-01-15T10:30:00.12Z|2024-01-15T10:30:00.120Z",
        "2024-01-15T10:30:00.123Z|2024-01-15T10:30:00.123Z",
        "2024-01-15T10:30:00.1234Z|2024-01-15T10:30:00.123400Z",
        "2024-01-15T10:30:00.123456Z|2024-01-15T10:30:00.123456Z",
        "2024-01-15T10:30:00.1234567Z|2024-01-15T10:30:00.123456700Z",
        "2024-01-15T10:30:00.123456789Z|2024-01-15T10:30:00.123456789Z",
        "2024-01-15T12:30:00+02:00|2024-01-15T10:30:00Z",
        "2024-01-15T12:30:00.5+0200|2024-01-15T10:30:00.500Z",
        "2024-01-15T05:30:00-05|2024-01-15T10:30:00Z",
        "2024-01-15T05:30:00.000-05:00|2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00+00:00|2024-01-15T10:30:00Z",
        "2024-01-15 10:30:00|2024-01-15T10:30:00Z",
        "2024-01-15 12:30:00.25+02:00|2024-01-15T10:30:00.250Z",
        "2024-01-15t10:30:00z|2024-01-15T10:30:00Z",
        "2024-01-15T10:30:00|2024-01-15T10:30:00Z",
        "2024-01-15|2024-01-15T00:00:00Z",
        "1705314600|2024-01-15T10:30:00Z",
        "1705314600.25|2024-01-15T10:30:00.250Z",
        "1705314600000|2024-01-15T10:30:00Z",
        "1705314600123|2024-01-15T10:30:00.123Z",
        "' 2024-01-15T10:30:00Z '|2024-01-15T10:30:00Z",
    })
    void parsesIsoAndEpochText(String text, String expected) {
        assertThat(Timestamps.parse(text, "timestamp")).isEqualTo(Instant.parse(expected));
    }

    @Test
    void theFastUtcPathAgreesWithTheJdkOnRandomInstantsAndLeavesOtherShapesToTheFormatter() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant instant = Instant.ofEpochSecond(631_152_000L + random.nextInt(1_500_000_000), random.nextInt(4) == 0 ? 0
                    : random.nextInt(1_000_000_000) / (int) Math.pow(10, random.nextInt(9)) * (int) Math.pow(10, random.nextInt(3)) % 1_000_000_000);
            String text = instant.toString();
            assertThat(Timestamps.fastParse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        assertThat(Timestamps.fastParse("2024-01-15T10:30:00+02:00")).isEqualTo(Instant.parse("2024-01-15T08:30:00Z"));
        for (String other : new String[] {"2024-01-15t10:30:00z", "2024-01-15T10:30Z",
                "2024-01-15 10:30:00Z", "2024-01-15T10:30:00.Z", "2024-01-15T1a:30:00Z", "2024-01-15T10:30:00.1234567890Z"}) {
            assertThat(Timestamps.fastParse(other)).as(other).isNull();
        }
        assertThat(Timestamps.fastParse("2024-02-30T10:30:00Z")).isNull();
        assertThatThrownBy(() -> Timestamps.parse("2024-02-30T10:30:00Z", "timestamp"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("2024-02-30T10:30:00Z");
        assertThatThrownBy(() -> Timestamps.parse("2024-01-15T24:00:00Z", "timestamp"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void parsesEpochNumbersInSecondsAndMilliseconds() {
        JsonNodeFactory json = JsonNodeFactory.instance;
        assertThat(Timestamps.parse(json.numberNode(1705314600L), "t")).contains(Instant.parse("2024-01-15T10:30:00Z"));
        assertThat(Timestamps.parse(json.numberNode(1705314600000L), "t")).contains(Instant.parse("2024-01-15T10:30:00Z"));
        assertThat(Timestamps.parse(json.numberNode(1705314600.5), "t")).contains(Instant.parse("2024-01-15T10:30:00.500Z"));
        assertThat(Timestamps.parse(json.numberNode(1705314600123L), "t")).contains(Instant.parse("2024-01-15T10:30:00.123Z"));
    }

    @Test
    void absentOrNullIsEmpty() {
        assertThat(Timestamps.parse((com.fasterxml.jackson.databind.JsonNode) null, "t")).isEmpty();
        assertThat(Timestamps.parse(JsonNodeFactory.instance.nullNode(), "t")).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @ValueSource(strings = {"yesterday", "2024-13-01T00:00:00Z", "2024-02-30T10:00:00Z", "2024-01-15T25:00:00Z",
        "2024-01-15T10:30:00+25:00", "15/01/2024", "2024-01-15T10:30:00.1234567890Z", "-1705314600", "1e400", "",
        "1969-07-20T20:17:00Z", "0"})
    void rejectsGarbageNamingTheFieldAndValue(String text) {
        assertThatThrownBy(() -> Timestamps.parse(JsonNodeFactory.instance.textNode(text), "originalTimestamp"))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TIMESTAMP);
                    assertThat(e.getMessage()).contains("originalTimestamp");
                });
    }

    @Test
    void rejectsNonScalarTimestamps() {
        assertThatThrownBy(() -> Timestamps.parse(JsonNodeFactory.instance.objectNode(), "timestamp"))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> Timestamps.parse(JsonNodeFactory.instance.booleanNode(true), "timestamp"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void longGarbageIsShortenedInTheMessage() {
        assertThatThrownBy(() -> Timestamps.parse("x".repeat(5000), "timestamp"))
                .isInstanceOf(InvalidEventException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @Test
    void withoutClientTimeTheEventHappenedWhenReceived() {
        Timestamps.Resolved resolved = Timestamps.resolve(Optional.empty(), Optional.of(RECEIVED.minusSeconds(30)), RECEIVED);
        assertThat(resolved.instant()).isEqualTo(RECEIVED);
        assertThat(resolved.clamped()).isFalse();
    }

    @Test
    void withoutSentAtTheClientTimeIsKeptAsIs() {
        Instant time = Instant.parse("2026-11-28T11:00:00Z");
        assertThat(Timestamps.resolve(Optional.of(time), Optional.empty(), RECEIVED).instant()).isEqualTo(time);
    }

    @Test
    void clockRunningBehindIsCorrectedWithSentAt() {
        // the device clock is 3 minutes slow: it says the event happened at 11:52 and was sent at 11:57
        Timestamps.Resolved resolved = Timestamps.resolve(Optional.of(Instant.parse("2026-11-28T11:52:00Z")),
                Optional.of(Instant.parse("2026-11-28T11:57:00Z")), RECEIVED);
        assertThat(resolved.instant()).isEqualTo(Instant.parse("2026-11-28T11:55:00Z"));
        assertThat(resolved.clamped()).isFalse();
    }

    @Test
    void clockRunningAheadIsCorrectedWithSentAt() {
        // the device clock is a day and an hour fast: neither clamped nor left in the future
        Instant sentAt = RECEIVED.plus(Duration.ofHours(25));
        Timestamps.Resolved resolved = Timestamps.resolve(Optional.of(sentAt.minusSeconds(10)), Optional.of(sentAt), RECEIVED);
        assertThat(resolved.instant()).isEqualTo(RECEIVED.minusSeconds(10));
        assertThat(resolved.clamped()).isFalse();
    }

    @Test
    void moreThanTwentyThreeHoursInTheFutureIsClampedToReceiveTime() {
        Timestamps.Resolved clamped = Timestamps.resolve(Optional.of(RECEIVED.plus(Duration.ofHours(23)).plusSeconds(1)),
                Optional.empty(), RECEIVED);
        assertThat(clamped.instant()).isEqualTo(RECEIVED);
        assertThat(clamped.clamped()).isTrue();

        Timestamps.Resolved allowed = Timestamps.resolve(Optional.of(RECEIVED.plus(Duration.ofHours(23))), Optional.empty(), RECEIVED);
        assertThat(allowed.instant()).isEqualTo(RECEIVED.plus(Duration.ofHours(23)));
        assertThat(allowed.clamped()).isFalse();
    }

    @Test
    void backfilledHistoryIsAccepted() {
        Instant old = Instant.parse("2012-06-01T08:00:00Z");
        Timestamps.Resolved resolved = Timestamps.resolve(Optional.of(old), Optional.empty(), RECEIVED);
        assertThat(resolved.instant()).isEqualTo(old);
        assertThat(resolved.clamped()).isFalse();
    }
}

package dev.roster.transfer.importing;

import dev.roster.ingest.Timestamps;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Timestamps of import files: parsing is {@link Timestamps#parse} (whose fixed-width fast path
 * exists because {@code DateTimeFormatter.parseBest} was 60% of the CPU time of a bulk CSV import),
 * and {@link #appendIso} writes the canonical form that derived event ids hash.
 */
final class IsoTimestamps {
    private IsoTimestamps() {
    }

    /** As {@link Timestamps#parse(String, String)}, which tries {@link Timestamps#fastParse} first. */
    static Instant parse(String text, String field) {
        return Timestamps.parse(text, field);
    }

    /** Appends exactly what {@link Instant#toString} gives (ISO-8601 in UTC, fraction in groups of three digits). */
    static StringBuilder appendIso(Instant instant, StringBuilder out) {
        long seconds = instant.getEpochSecond();
        // years 0000 to 9999 only; Instant.toString adds signs and extra digits outside them
        if (seconds < -62_167_219_200L || seconds > 253_402_300_799L) {
            return out.append(instant);
        }
        LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        pad(out, time.getYear(), 4).append('-');
        pad(out, time.getMonthValue(), 2).append('-');
        pad(out, time.getDayOfMonth(), 2).append('T');
        pad(out, time.getHour(), 2).append(':');
        pad(out, time.getMinute(), 2).append(':');
        pad(out, time.getSecond(), 2);
        int nano = instant.getNano();
        if (nano != 0) {
            out.append('.');
            if (nano % 1_000_000 == 0) {
                pad(out, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                pad(out, nano / 1000, 6);
            } else {
                pad(out, nano, 9);
            }
        }
        return out.append('Z');
    }

    /** {@code value} (non-negative, below 10^width) in exactly {@code width} digits. */
    private static StringBuilder pad(StringBuilder out, int value, int width) {
        int divisor = 1;
        for (int i = 1; i < width; i++) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
        return out;
    }
}

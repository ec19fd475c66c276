package dev.roster.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.chrono.IsoChronology;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Event time rules (SPEC §3): ISO-8601 with any number of fraction digits, or epoch seconds or
 * milliseconds; clock-skew correction from {@code sentAt}; future events clamped.
 */
public final class Timestamps {
    /** Events more than this far in the future are clamped to the receive time. */
    public static final Duration MAX_FUTURE = Duration.ofHours(23);
    /** Anything before this is treated as a broken clock rather than history. */
    private static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");
    /** Epoch values at or above this are milliseconds (1e11 seconds is the year 5138). */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;
    /**
     * ISO-8601 date-time, {@code T} or space separated, 0 to 9 fraction digits, with an offset as
     * {@code Z}, {@code +02:00}, {@code +0200} or {@code +02}, or without one (then UTC); or a date.
     */
    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart()
            .appendLiteral('T')
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMMss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .optionalEnd()
            .toFormatter(Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT)
            .withChronology(IsoChronology.INSTANCE);
    private static final java.util.regex.Pattern EPOCH = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?");

    private Timestamps() {
    }

    /** Parses an optional time field; absent or null gives empty, garbage throws. */
    public static Optional<Instant> parse(JsonNode node, String field) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        Instant instant;
        if (node.isNumber()) {
            instant = fromEpoch(node.asDouble(), field);
        } else if (node.isTextual()) {
            instant = parse(node.asText(), field);
        } else {
            throw new InvalidEventException(RejectReason.INVALID_TIMESTAMP, field + " must be an ISO-8601 string or epoch number");
        }
        if (instant.isBefore(EARLIEST)) {
            throw new InvalidEventException(RejectReason.INVALID_TIMESTAMP, field + " '" + node.asText() + "' is before 1990");
        }
        return Optional.of(instant);
    }

    /** Parses ISO-8601 (with or without offset, any fraction digits) or a numeric epoch string. */
    public static Instant parse(String text, String field) {
        String value = text.trim();
        if (value.isEmpty()) {
            throw new InvalidEventException(RejectReason.INVALID_TIMESTAMP, field + " is empty");
        }
        Instant utc = fastParse(value);
        if (utc != null) {
            return utc;
        }
        if (EPOCH.matcher(value).matches()) {
            try {
                return fromEpoch(Double.parseDouble(value), field);
            } catch (NumberFormatException e) {
                throw invalid(field, text);
            }
        }
        if (value.length() > 10 && value.charAt(10) == ' ') {
            value = value.substring(0, 10) + 'T' + value.substring(11);
        }
        try {
            TemporalAccessor parsed = DATE_TIME.parseBest(value, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
            if (parsed instanceof OffsetDateTime offset) {
                return offset.toInstant();
            }
            if (parsed instanceof LocalDateTime local) {
                return local.toInstant(ZoneOffset.UTC);
            }
            return ((LocalDate) parsed).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw invalid(field, text);
        }
    }

    /**
     * The fast path for what SDKs and import files send almost always:
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, read as fixed-width digits with the calendar
     * checked by {@link LocalDateTime#of}. Returns null for any other shape, and for an impossible
     * date or time in this shape, so that the general formatter decides (and names the error).
     */
    public static Instant fastParse(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int position = 19;
        int nano = 0;
        if (text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && position - start < 9 && isDigit(text.charAt(position))) {
                nano = nano * 10 + (text.charAt(position) - '0');
                position++;
            }
            int fractionDigits = position - start;
            if (fractionDigits == 0 || position < length && isDigit(text.charAt(position))) {
                return null;
            }
            for (int i = fractionDigits; i < 9; i++) {
                nano *= 10;
            }
        }
        int offsetSeconds;
        if (position == length - 1 && text.charAt(position) == 'Z') {
            offsetSeconds = 0;
        } else if (position == length - 6 && (text.charAt(position) == '+' || text.charAt(position) == '-')
                && text.charAt(position + 3) == ':') {
            int offsetHours = digits(text, position + 1, 2);
            int offsetMinutes = digits(text, position + 4, 2);
            if ((offsetHours | offsetMinutes) < 0 || offsetHours > 18 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(position) == '-' ? -1 : 1);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nano)
                    .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant fromEpoch(double value, String field) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value < 0 || value > 1e16) {
            throw invalid(field, String.valueOf(value));
        }
        if (value >= MILLIS_THRESHOLD) {
            long millis = (long) value;
            return Instant.ofEpochMilli(millis);
        }
        long seconds = (long) value;
        long nanos = Math.round((value - seconds) * 1_000_000) * 1000L;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private static InvalidEventException invalid(String field, String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        return new InvalidEventException(RejectReason.INVALID_TIMESTAMP,
                field + " '" + shown + "' is not ISO-8601 or epoch seconds/milliseconds");
    }

    /**
     * The event time to store. With both {@code sentAt} and a client timestamp the client's clock
     * skew is removed (timestamp + (receivedAt - sentAt)). Without a timestamp the event happened
     * when it was received. A result more than {@link #MAX_FUTURE} ahead is clamped to receivedAt.
     */
    public static Resolved resolve(Optional<Instant> timestamp, Optional<Instant> sentAt, Instant receivedAt) {
        Instant result = timestamp.orElse(receivedAt);
        if (timestamp.isPresent() && sentAt.isPresent()) {
            result = timestamp.get().plus(Duration.between(sentAt.get(), receivedAt));
        }
        if (result.isAfter(receivedAt.plus(MAX_FUTURE))) {
            return new Resolved(receivedAt, true);
        }
        return new Resolved(result, false);
    }

    /** A resolved event time; {@code clamped} when it was in the future and got replaced. */
    public record Resolved(Instant instant, boolean clamped) {
    }
}

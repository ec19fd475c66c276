package dev.roster.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * The days a report covers: {@code from} to {@code to}, both inclusive, as calendar days in
 * {@code zone}. Events count when {@code start() <= ts < end()}.
 *
 * <p>In a request it is either absolute, {@code "from": "2024-01-01", "to": "2024-01-31"}, or
 * relative to the injected clock, {@code "range": {"last": 30, "unit": "day|week|month"}}: the
 * last N days including today; the last N weeks from the Monday N-1 weeks before this week's
 * Monday through today; the last N months from the first day of the month N-1 months ago through
 * today. The time zone is the project's unless the request sends {@code "time_zone"}.
 */
public record DateRange(LocalDate from, LocalDate to, ZoneId zone) {
    /** The longest range a report may cover. */
    public static final int MAX_DAYS = 3_700;

    public DateRange {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(zone, "zone is null");
    }

    public Instant start() {
        return from.atStartOfDay(zone).toInstant();
    }

    /** The first instant after the range: midnight at the end of {@code to}. */
    public Instant end() {
        return to.plusDays(1).atStartOfDay(zone).toInstant();
    }

    public String zoneId() {
        return zone.getId();
    }

    /** The zone of a request: {@code "time_zone"} when sent, else the project's. */
    public static ZoneId zone(JsonNode body, ZoneId projectZone) {
        Optional<String> name = Fields.optionalText(body, "time_zone", "time_zone");
        if (name.isEmpty()) {
            return projectZone;
        }
        try {
            return ZoneId.of(name.get());
        } catch (DateTimeException e) {
            throw Fields.invalid("time_zone", "'" + name.get() + "' is not a time zone id such as UTC or America/New_York");
        }
    }

    /** Parses the absolute or relative range of a request. */
    public static DateRange parse(JsonNode body, ZoneId zone, Clock clock) {
        JsonNode relative = body.get("range");
        boolean absolute = body.has("from") || body.has("to");
        if (relative != null && !relative.isNull()) {
            if (absolute) {
                throw Fields.invalid("range", "send either \"range\" or \"from\" and \"to\", not both");
            }
            return relative(relative, zone, clock);
        }
        if (!absolute) {
            throw Fields.invalid("from", "a date range is required: \"from\" and \"to\" (YYYY-MM-DD) or \"range\": {\"last\": 30, \"unit\": \"day\"}");
        }
        LocalDate from = date(body, "from");
        LocalDate to = date(body, "to");
        if (from.isAfter(to)) {
            throw Fields.invalid("from", "'" + from + "' is after to '" + to + "'");
        }
        return checked(new DateRange(from, to, zone));
    }

    private static LocalDate date(JsonNode body, String field) {
        String text = Fields.requireText(body, field, field);
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw Fields.invalid(field, "'" + text + "' is not a date in the form YYYY-MM-DD");
        }
    }

    /** The relative units. */
    public enum Unit { DAY, WEEK, MONTH }

    private static DateRange relative(JsonNode range, ZoneId zone, Clock clock) {
        Fields.requireObject(range, "range");
        if (!range.has("last")) {
            throw Fields.invalid("range.last", "is required");
        }
        int last = Fields.optionalInt(range, "last", "range.last", 1, 1, MAX_DAYS);
        Unit unit = Fields.optionalEnum(range, "unit", "range.unit", Unit.class, Unit.DAY);
        LocalDate today = LocalDate.ofInstant(clock.instant(), zone);
        LocalDate from;
        if (unit == Unit.DAY) {
            from = today.minusDays(last - 1L);
        } else if (unit == Unit.WEEK) {
            from = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(last - 1L);
        } else {
            from = today.withDayOfMonth(1).minusMonths(last - 1L);
        }
        return checked(new DateRange(from, today, zone));
    }

    private static DateRange checked(DateRange range) {
        if (range.to().toEpochDay() - range.from().toEpochDay() + 1 > MAX_DAYS) {
            throw Fields.invalid("to", "a range may cover at most " + MAX_DAYS + " days");
        }
        return range;
    }
}

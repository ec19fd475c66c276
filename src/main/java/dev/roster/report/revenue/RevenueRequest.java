package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A revenue report, as data (SPEC §6.4, §10): the date range in the project's time zone (both
 * days inclusive), the acquisition attribute to group lifetime value by, the churn period (empty:
 * the project's), an optional population filter, the interval of the per-period figures and how
 * many top customers to list.
 */
public record RevenueRequest(LocalDate from, LocalDate to, GroupBy groupBy, OptionalInt churnDays,
                             Optional<PopulationFilter> population, Interval interval, int top) {
    public RevenueRequest {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        requireNonNull(groupBy, "groupBy is null");
        requireNonNull(churnDays, "churnDays is null");
        requireNonNull(population, "population is null");
        requireNonNull(interval, "interval is null");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to is before from");
        }
    }

    /** Acquisition attributes (first touch across merged identities) and the acquisition cohort. */
    public enum GroupBy {
        CHANNEL, UTM_SOURCE, UTM_CAMPAIGN, REFERRING_DOMAIN, COHORT_MONTH;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Period length of the per-period figures. The SQL unit is a fixed keyword per constant. */
    public enum Interval {
        DAY("day"), WEEK("week"), MONTH("month");

        private final String sqlUnit;

        Interval(String sqlUnit) {
            this.sqlUnit = sqlUnit;
        }

        public String sqlUnit() {
            return sqlUnit;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public LocalDate start(LocalDate day) {
            if (this == WEEK) {
                return day.minusDays(day.getDayOfWeek().getValue() - 1L);
            }
            return this == MONTH ? day.withDayOfMonth(1) : day;
        }

        public LocalDate next(LocalDate start) {
            if (this == WEEK) {
                return start.plusWeeks(1);
            }
            return this == MONTH ? start.plusMonths(1) : start.plusDays(1);
        }
    }

    /** {@code "population": "ID"} keeps the members; {@code {"id": "ID", "not": true}} everyone else. */
    public record PopulationFilter(String id, boolean negated) {
        public PopulationFilter {
            requireNonNull(id, "id is null");
        }
    }
}

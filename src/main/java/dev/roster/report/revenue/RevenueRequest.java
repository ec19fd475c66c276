package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.report.PropertyFilter;
import dev.roster.report.ReportScope;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A revenue report, as data (SPEC §6.4, §10). What every report shares is in {@link ReportScope}:
 * the date range in a time zone, person filters ({@code person_where}), the population filter, the
 * breakdown and {@code people}. On top of it: the acquisition attribute to group lifetime value by,
 * the churn period (empty: the project's), the interval of the per-period figures, how many top
 * customers to list, the event filters ({@code where}: only matching events count) and which
 * sections to compute.
 */
public record RevenueRequest(GroupBy groupBy, OptionalInt churnDays, Interval interval, int top,
                             List<PropertyFilter> where, Set<Section> sections, ReportScope scope) {
    public RevenueRequest {
        requireNonNull(groupBy, "groupBy is null");
        requireNonNull(churnDays, "churnDays is null");
        requireNonNull(interval, "interval is null");
        where = List.copyOf(where);
        sections = sections.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(sections));
        requireNonNull(scope, "scope is null");
    }

    public LocalDate from() {
        return scope.range().from();
    }

    public LocalDate to() {
        return scope.range().to();
    }

    public boolean wants(Section section) {
        return sections.contains(section);
    }

    /** Acquisition attributes (first touch across merged identities) and the acquisition cohort. */
    public enum GroupBy {
        CHANNEL, UTM_SOURCE, UTM_CAMPAIGN, REFERRING_DOMAIN, COHORT_MONTH;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The parts of the answer, each computed by its own query so that a caller pays only for what
     * it shows: {@code periods} (range totals and per-period figures), {@code ltv} (lifetime value
     * by acquisition, churn-based LTV, top customers) and {@code cohorts} (cumulative LTV curves).
     */
    public enum Section {
        PERIODS, LTV, COHORTS;

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
}

package dev.roster.report.revenue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.project.Project;
import dev.roster.report.Fields;
import dev.roster.report.PropertyFilter;
import dev.roster.report.ReportScope;
import java.time.Clock;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Parses the JSON body of {@code POST /api/reports/revenue} into a {@link RevenueRequest}. The
 * fields every report shares (range, time zone, person filters, population, breakdown, people) are
 * read by {@link ReportScope}; every problem is a 400 ({@code invalid_report}) naming the field.
 * Pure apart from the clock of relative ranges.
 */
public final class RevenueRequestParser {
    static final List<String> FIELDS = List.of("from", "to", "range", "time_zone", "group_by", "churn_days", "interval", "top",
            "where", "person_where", "population", "breakdown", "people", "sections");
    static final int MAX_TOP = 100;
    static final int MAX_PERIODS = 3660;
    static final int MAX_CHURN_DAYS = 3650;

    private RevenueRequestParser() {
    }

    public static RevenueRequest parse(JsonNode body, Project project, Clock clock) {
        if (body == null || !body.isObject()) {
            throw Fields.invalid("body", "the revenue report needs a JSON object such as "
                    + "{\"from\": \"2024-01-01\", \"to\": \"2024-03-31\", \"group_by\": \"channel\"}");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw Fields.invalid(name, "unknown field in the revenue report; the fields are " + String.join(", ", FIELDS));
            }
        }
        ReportScope scope = ReportScope.parse(body, project, clock, true);
        RevenueRequest.GroupBy groupBy = Fields.optionalEnum(body, "group_by", "group_by", RevenueRequest.GroupBy.class,
                RevenueRequest.GroupBy.CHANNEL);
        RevenueRequest.Interval interval = Fields.optionalEnum(body, "interval", "interval", RevenueRequest.Interval.class,
                RevenueRequest.Interval.MONTH);
        LocalDate from = scope.range().from();
        LocalDate to = scope.range().to();
        long periods = switch (interval) {
            case DAY -> ChronoUnit.DAYS.between(from, to) + 1;
            case WEEK -> ChronoUnit.WEEKS.between(from, to) + 1;
            case MONTH -> ChronoUnit.MONTHS.between(from, to) + 1;
        };
        if (periods > MAX_PERIODS) {
            throw Fields.invalid("interval", "the range " + from + " to " + to + " has " + periods + " " + interval.wireName()
                    + "s; at most " + MAX_PERIODS + " periods are allowed, choose a longer interval");
        }
        int top = Fields.optionalInt(body, "top", "top", 10, 0, MAX_TOP);
        List<PropertyFilter> where = PropertyFilter.parseList(body, "where", "where");
        return new RevenueRequest(groupBy, churnDays(body), interval, top, where, sections(body), scope);
    }

    /** A churn period in whole days, 1 to 3650; absent means the project's setting. */
    static OptionalInt churnDays(JsonNode body) {
        JsonNode node = body.get("churn_days");
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw Fields.invalid("churn_days", "must be a whole number of days, e.g. 30, not " + node);
        }
        int days = node.asInt();
        if (days < 1) {
            throw Fields.invalid("churn_days", "must be at least 1 day (got " + days
                    + "): a customer churns after that many days without a payment");
        }
        if (days > MAX_CHURN_DAYS) {
            throw Fields.invalid("churn_days", "must be at most " + MAX_CHURN_DAYS + " days (got " + days + ")");
        }
        return OptionalInt.of(days);
    }

    private static Set<RevenueRequest.Section> sections(JsonNode body) {
        JsonNode node = body.get("sections");
        if (node == null || node.isNull()) {
            return EnumSet.allOf(RevenueRequest.Section.class);
        }
        if (!node.isArray() || node.isEmpty()) {
            throw Fields.invalid("sections", "must be a non-empty array of periods, ltv, cohorts");
        }
        Set<RevenueRequest.Section> sections = EnumSet.noneOf(RevenueRequest.Section.class);
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw Fields.invalid("sections[" + i + "]", "must be one of periods, ltv, cohorts, not " + node.get(i));
            }
            JsonNode holder = Fields.object().set("s", node.get(i));
            sections.add(Fields.optionalEnum(holder, "s", "sections[" + i + "]", RevenueRequest.Section.class, null));
        }
        return sections;
    }
}

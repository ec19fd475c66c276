package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.revenue.RevenueExpression;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of the revenue report, built from parameterised pieces. Pure: it only builds strings
 * and parameter lists. Every user value is a bind parameter; the only spliced text is fixed
 * keywords chosen by enum constants.
 *
 * <p>Three queries do the work, each one scan of {@code resolved_events}, each kept lean so that
 * a dashboard tab pays only for what it shows:
 * <ul>
 *   <li>{@link #periods}: revenue, refunds, paying and active people per period of the range, and
 *   the same over the whole range;</li>
 *   <li>{@link #groups}: one row per person acquired in the range (first event in the range,
 *   across all merged identities) with first touch as {@code arg_min_null(source, ts)} (the
 *   earliest event's value even when that value is missing: plain {@code arg_min} skips NULLs),
 *   lifetime revenue and last payment, summed per first-touch value and overall;</li>
 *   <li>{@link #cohorts}: the cumulative LTV curve per acquisition month.</li>
 * </ul>
 */
public final class RevenueSql {
    /** Months since acquisition of the cumulative LTV curve. */
    public static final List<Integer> CURVE_MONTHS = List.of(1, 3, 6, 12);

    private RevenueSql() {
    }

    /** A statement and its parameters in order. */
    public record Query(String sql, List<Object> parameters) {
        public Query {
            requireNonNull(sql, "sql is null");
            parameters = List.copyOf(parameters);
        }
    }

    /** What both queries need: the project, its time zone, the amount and the person filter. */
    public record Scope(int projectKey, String timeZone, RevenueExpression amount,
                        Optional<PersonKeyQuery> population, boolean populationNegated) {
        public Scope {
            requireNonNull(timeZone, "timeZone is null");
            requireNonNull(amount, "amount is null");
            requireNonNull(population, "population is null");
        }
    }

    /**
     * Columns: {@code bucket} (the local start day, 'YYYY-MM-DD', NULL on the total row),
     * {@code is_total}, {@code revenue} (net), {@code refunds} (positive), {@code paying_people},
     * {@code active_people}. First one row per person and period, then per period and, from the
     * same rows, per person over the whole range (distinct people cannot be summed over periods).
     * A project in UTC skips the time zone conversion, which costs as much as the rest per event.
     */
    public static Query periods(Scope scope, RevenueRequest.Interval interval, Instant start, Instant end) {
        List<Object> parameters = new ArrayList<>();
        String local = "ts";
        if (!isUtc(scope.timeZone())) {
            local = "timezone(?, timezone('UTC', ts))";
            parameters.add(scope.timeZone());
        }
        parameters.addAll(scope.amount().parameters());
        parameters.add(scope.projectKey());
        parameters.add(start);
        parameters.add(end);
        String sql = "WITH x AS (SELECT person_key, date_trunc('" + interval.sqlUnit() + "', " + local + ") AS bucket, "
                + "coalesce(sum(amount), 0) AS revenue, coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS refunds, "
                + "coalesce(bool_or(amount > 0), false) AS paid "
                + "FROM (SELECT person_key, ts, " + scope.amount().sql() + " AS amount "
                + "FROM resolved_events WHERE project_key = ? AND ts >= ? AND ts < ?"
                + populationFilter(scope, parameters) + ") GROUP BY ALL) "
                + "SELECT strftime(bucket, '%Y-%m-%d') AS bucket, false AS is_total, sum(revenue) AS revenue, sum(refunds) AS refunds, "
                + "count(*) FILTER (WHERE paid) AS paying_people, count(*) AS active_people FROM x GROUP BY bucket "
                + "UNION ALL SELECT NULL, true, coalesce(sum(revenue), 0), coalesce(sum(refunds), 0), count(*) FILTER (WHERE paid), count(*) "
                + "FROM (SELECT person_key, sum(revenue) AS revenue, sum(refunds) AS refunds, bool_or(paid) AS paid FROM x GROUP BY person_key)";
        return new Query(sql, parameters);
    }

    /**
     * LTV by first touch, the churn count and the top customers, over the people acquired in the
     * range. This is the hand-written shape ({@code arg_min} of the source per person, then a
     * group by) plus a few cheap aggregates. Columns: {@code is_total} (the overall row),
     * {@code s1}, {@code s2}, {@code s3} (the group's raw first-touch values, see {@link #source}),
     * {@code people}, {@code paying_people}, {@code revenue}, {@code churned}, {@code top} and
     * {@code top_ltv} (person keys and their LTV, highest first; ties go to the older person).
     */
    public static Query groups(Scope scope, RevenueRequest.GroupBy groupBy, Instant start, Instant end, Instant churnedBefore, int top) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        sql.append("WITH p AS (SELECT person_key, ");
        if (groupBy == RevenueRequest.GroupBy.COHORT_MONTH) {
            sql.append(cohort(scope, "min(ts)", parameters)).append(" AS source, ");
        } else {
            sql.append("arg_min_null(").append(source(groupBy)).append(", ts) AS source, ");
        }
        sql.append("coalesce(sum(amount), 0) AS ltv, max(ts) FILTER (WHERE amount > 0) AS last_payment FROM (")
                .append(events(scope, parameters)).append(") GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?), ");
        parameters.add(start);
        parameters.add(end);
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            sql.append("q AS (SELECT person_key, ltv, last_payment, struct_extract(source, 'medium') AS s1, "
                    + "struct_extract(source, 'referrer') AS s2, struct_extract(source, 'click_id') AS s3 FROM p) ");
        } else {
            sql.append("q AS (SELECT person_key, ltv, last_payment, source AS s1, NULL::VARCHAR AS s2, NULL::BOOLEAN AS s3 FROM p) ");
        }
        sql.append("SELECT grouping(s1, s2, s3) <> 0 AS is_total, s1, s2, s3, count(*) AS people, ")
                .append("count(*) FILTER (WHERE last_payment IS NOT NULL) AS paying_people, coalesce(sum(ltv), 0) AS revenue, ")
                .append("count(*) FILTER (WHERE last_payment < ?) AS churned, ")
                .append("max_by(person_key, {'ltv': ltv, 'k': -person_key}, ?) FILTER (WHERE ltv > 0) AS top, ")
                .append("max_by(ltv, {'ltv': ltv, 'k': -person_key}, ?) FILTER (WHERE ltv > 0) AS top_ltv ")
                .append("FROM q GROUP BY GROUPING SETS ((s1, s2, s3), ())");
        parameters.add(churnedBefore);
        parameters.add(Math.max(top, 1));
        parameters.add(Math.max(top, 1));
        return new Query(sql.toString(), parameters);
    }

    /**
     * The cumulative LTV curve per acquisition month. One row per person acquired in the range
     * with the list of their non-zero amounts (payments are few, so the list is short), then the
     * revenue within N calendar months of the person's own first event. Columns: {@code cohort}
     * ('YYYY-MM'), {@code people}, {@code ltv_1} .. {@code ltv_12} (averages over the people first
     * seen at least that many months before {@code now}; NULL when none is).
     */
    public static Query cohorts(Scope scope, Instant start, Instant end, Instant now) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("WITH p AS (SELECT person_key, min(ts) AS first_seen, ")
                .append("list({'ts': ts, 'amount': amount}) FILTER (WHERE amount <> 0) AS payments FROM (")
                .append(events(scope, parameters)).append(") GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?) ");
        parameters.add(start);
        parameters.add(end);
        sql.append("SELECT ").append(cohort(scope, "first_seen", parameters)).append(" AS cohort, count(*) AS people");
        for (int months : CURVE_MONTHS) {
            String horizon = "first_seen + INTERVAL " + months + " MONTH";
            sql.append(", avg(CASE WHEN ").append(horizon).append(" <= ? THEN coalesce(list_sum(list_transform(")
                    .append("list_filter(payments, lambda x: x.ts < ").append(horizon)
                    .append("), lambda x: x.amount)), 0) END) AS ltv_").append(months);
            parameters.add(now);
        }
        sql.append(" FROM p GROUP BY cohort");
        return new Query(sql.toString(), parameters);
    }

    /** Every event of the scope with its amount: {@code person_key, ts, properties, name, amount}. */
    private static String events(Scope scope, List<Object> parameters) {
        parameters.addAll(scope.amount().parameters());
        parameters.add(scope.projectKey());
        return "SELECT person_key, ts, properties, " + scope.amount().sql() + " AS amount FROM resolved_events WHERE project_key = ?"
                + populationFilter(scope, parameters);
    }

    /** 'YYYY-MM' of a timestamp expression in the project's time zone. */
    private static String cohort(Scope scope, String timestamp, List<Object> parameters) {
        if (isUtc(scope.timeZone())) {
            return "strftime(" + timestamp + ", '%Y-%m')";
        }
        parameters.add(scope.timeZone());
        return "strftime(timezone(?, timezone('UTC', " + timestamp + ")), '%Y-%m')";
    }

    private static boolean isUtc(String zone) {
        return zone.equals("UTC") || zone.equals("Z") || zone.equals("Etc/UTC") || zone.equals("GMT");
    }

    /**
     * The first-touch value of an event, per grouping: a property of the earliest event (the
     * referrer is mapped to its domain by the caller, the channel is classified by
     * {@link dev.roster.attribution.ChannelRules} from medium, referrer and click id).
     */
    static String source(RevenueRequest.GroupBy groupBy) {
        if (groupBy == RevenueRequest.GroupBy.UTM_SOURCE) {
            return "json_extract_string(properties, '$.utm_source')";
        }
        if (groupBy == RevenueRequest.GroupBy.UTM_CAMPAIGN) {
            return "json_extract_string(properties, '$.utm_campaign')";
        }
        if (groupBy == RevenueRequest.GroupBy.REFERRING_DOMAIN) {
            return "json_extract_string(properties, '$.referrer')";
        }
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            return "{'medium': json_extract_string(properties, '$.utm_medium'), "
                    + "'referrer': json_extract_string(properties, '$.referrer'), "
                    + "'click_id': coalesce(json_extract_string(properties, '$.gclid'), json_extract_string(properties, '$.fbclid'), "
                    + "json_extract_string(properties, '$.msclkid'), '') <> ''}";
        }
        throw new IllegalArgumentException("no event source for " + groupBy);
    }

    /** Display data of persons: key, public id, latest user id, email trait, first identity. */
    public static Query persons(int projectKey, List<Long> personKeys) {
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        parameters.add(projectKey);
        parameters.add(projectKey);
        parameters.add(projectKey);
        parameters.addAll(personKeys);
        String sql = "SELECT p.person_key, p.person_id, "
                + "(SELECT arg_max(identity, created_at) FROM identities i WHERE i.project_key = ? AND i.person_key = p.person_key AND i.is_user), "
                + "(SELECT json_extract_string(value, '$') FROM person_properties pp WHERE pp.project_key = ? AND pp.person_key = p.person_key AND pp.key = 'email'), "
                + "(SELECT arg_min(identity, created_at) FROM identities i WHERE i.project_key = ? AND i.person_key = p.person_key) "
                + "FROM persons p WHERE p.project_key = ? AND p.person_key IN (" + Sql.placeholders(personKeys.size()) + ")";
        return new Query(sql, parameters);
    }

    private static String populationFilter(Scope scope, List<Object> parameters) {
        if (scope.population().isEmpty()) {
            return "";
        }
        PersonKeyQuery members = scope.population().get();
        parameters.addAll(members.parameters());
        return " AND person_key " + (scope.populationNegated() ? "NOT IN" : "IN") + " (" + members.sql() + ")";
    }
}

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
 * <p>Two queries do the work, each one scan of {@code resolved_events}:
 * <ul>
 *   <li>{@link #periods}: revenue, refunds, paying and active people per period of the range, and
 *   the same over the whole range (one GROUPING SETS query);</li>
 *   <li>{@link #lifetime}: one row per person acquired in the range (first event in the range,
 *   across all merged identities), with first touch as {@code arg_min_null(source, ts)} (the
 *   earliest event's value even when that value is missing), lifetime revenue, last payment and
 *   the revenue within 1, 3, 6 and 12 months of acquisition, then summed per acquisition group,
 *   per cohort month and overall (one GROUPING SETS query).</li>
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
     * {@code active_people}.
     */
    public static Query periods(Scope scope, RevenueRequest.Interval interval, Instant start, Instant end) {
        List<Object> parameters = new ArrayList<>();
        parameters.addAll(scope.amount().parameters());
        parameters.add(scope.timeZone());
        parameters.add(scope.projectKey());
        parameters.add(start);
        parameters.add(end);
        String sql = "SELECT strftime(bucket, '%Y-%m-%d') AS bucket, grouping(bucket) <> 0 AS is_total, "
                + "coalesce(sum(amount), 0) AS revenue, "
                + "coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS refunds, "
                + "count(DISTINCT person_key) FILTER (WHERE amount > 0) AS paying_people, "
                + "count(DISTINCT person_key) AS active_people "
                + "FROM (SELECT person_key, " + scope.amount().sql() + " AS amount, "
                + "date_trunc('" + interval.sqlUnit() + "', timezone(?, timezone('UTC', ts))) AS bucket "
                + "FROM resolved_events WHERE project_key = ? AND ts >= ? AND ts < ?"
                + populationFilter(scope, parameters) + ") "
                + "GROUP BY GROUPING SETS ((bucket), ())";
        return new Query(sql, parameters);
    }

    /**
     * Columns: {@code g_source}, {@code g_cohort} (non-zero when the row is not grouped by it; both
     * non-zero on the overall row), {@code s1}, {@code s2}, {@code s3} (the group's first-touch
     * values, see {@link #source}), {@code cohort} ('YYYY-MM'), {@code people},
     * {@code paying_people}, {@code revenue}, {@code churned}, {@code ltv_1} .. {@code ltv_12}
     * (averages over the people acquired at least that many months before {@code now}; NULL when
     * none is), {@code top} and {@code top_ltv} (person keys and their LTV, highest first; ties by key).
     */
    public static Query lifetime(Scope scope, RevenueRequest.GroupBy groupBy, Instant start, Instant end,
                                 Instant now, Instant churnedBefore, int top) {
        List<Object> parameters = new ArrayList<>();
        parameters.addAll(scope.amount().parameters());
        parameters.add(scope.projectKey());
        StringBuilder sql = new StringBuilder();
        sql.append("WITH e AS (SELECT person_key, ts, ").append(scope.amount().sql()).append(" AS amount");
        if (groupBy != RevenueRequest.GroupBy.COHORT_MONTH) {
            sql.append(", ").append(source(groupBy)).append(" AS source");
        }
        sql.append(" FROM resolved_events WHERE project_key = ?").append(populationFilter(scope, parameters)).append("), ");
        sql.append("p AS (SELECT person_key, min(ts) AS first_seen, ");
        if (groupBy != RevenueRequest.GroupBy.COHORT_MONTH) {
            sql.append("arg_min_null(source, ts) AS source, ");
        }
        sql.append("coalesce(sum(amount), 0) AS ltv, max(ts) FILTER (WHERE amount > 0) AS last_payment, ")
                .append("list({'ts': ts, 'amount': amount}) FILTER (WHERE amount <> 0) AS payments ")
                .append("FROM e GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?), ");
        parameters.add(start);
        parameters.add(end);
        sql.append("q AS (SELECT person_key, ltv, last_payment, ")
                .append("strftime(timezone(?, timezone('UTC', first_seen)), '%Y-%m') AS cohort");
        parameters.add(scope.timeZone());
        for (int months : CURVE_MONTHS) {
            String horizon = "first_seen + INTERVAL " + months + " MONTH";
            sql.append(", CASE WHEN ").append(horizon).append(" <= ? THEN coalesce(list_sum(list_transform(")
                    .append("list_filter(payments, lambda x: x.ts < ").append(horizon)
                    .append("), lambda x: x.amount)), 0) END AS ltv_").append(months);
            parameters.add(now);
        }
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            sql.append(", struct_extract(source, 'medium') AS s1, struct_extract(source, 'referrer') AS s2, struct_extract(source, 'click_id') AS s3");
        } else if (groupBy == RevenueRequest.GroupBy.COHORT_MONTH) {
            sql.append(", strftime(timezone(?, timezone('UTC', first_seen)), '%Y-%m') AS s1, NULL::VARCHAR AS s2, NULL::BOOLEAN AS s3");
            parameters.add(scope.timeZone());
        } else {
            sql.append(", source AS s1, NULL::VARCHAR AS s2, NULL::BOOLEAN AS s3");
        }
        sql.append(" FROM p) ");
        sql.append("SELECT grouping(s1, s2, s3) AS g_source, grouping(cohort) AS g_cohort, s1, s2, s3, cohort, ")
                .append("count(*) AS people, count(*) FILTER (WHERE last_payment IS NOT NULL) AS paying_people, ")
                .append("coalesce(sum(ltv), 0) AS revenue, count(*) FILTER (WHERE last_payment < ?) AS churned");
        parameters.add(churnedBefore);
        for (int months : CURVE_MONTHS) {
            sql.append(", avg(ltv_").append(months).append(") AS ltv_").append(months);
        }
        sql.append(", max_by(person_key, {'ltv': ltv, 'k': -person_key}, ?) FILTER (WHERE ltv > 0) AS top")
                .append(", max_by(ltv, {'ltv': ltv, 'k': -person_key}, ?) FILTER (WHERE ltv > 0) AS top_ltv ");
        parameters.add(Math.max(top, 1));
        parameters.add(Math.max(top, 1));
        sql.append("FROM q GROUP BY GROUPING SETS ((s1, s2, s3), (cohort), ())");
        return new Query(sql.toString(), parameters);
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

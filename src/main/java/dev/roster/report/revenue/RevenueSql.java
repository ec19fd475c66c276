package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.people.PersonStats;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.Breakdown;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.PropertyFilter;
import dev.roster.revenue.RevenueExpression;
import dev.roster.store.FirstTouch;
import dev.roster.store.PersonSummaryWriter;
import dev.roster.store.Sql;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of one revenue report run, built from parameterised pieces ({@link Fragment}). Pure: it
 * only builds strings and parameter lists. Every user value is a bind parameter; the only spliced
 * text is fixed keywords chosen by enum constants and numbers from code.
 *
 * <p>Three queries, one per section, each kept to the shape of the best hand-written query for its
 * question (one scan of {@code resolved_events}, or of the per-person figures when they suffice):
 * <ul>
 *   <li>{@link #periods}: revenue, refunds, paying and active people per period of the range, and
 *   the same over the whole range;</li>
 *   <li>{@link #lifetime}: one row per person acquired in the range (first event in the range,
 *   across all merged identities) with first touch (the earliest event's value even when that
 *   value is missing), lifetime revenue and last payment, summed per first-touch value and
 *   overall. Without event filters or a value breakdown every event counts, so the per-person
 *   figures come from {@link PersonStats} (the person summary plus the tail: first touch from the
 *   earliest event's properties); otherwise from the events, with {@code arg_min_null(source, ts)};</li>
 *   <li>{@link #cohorts}: the cumulative LTV curve per acquisition month.</li>
 * </ul>
 *
 * <p>Filters and breakdowns. Person filters, the population filter and a population-breakdown
 * group are conditions on the person key. Event filters ({@code where}) and an event-property
 * breakdown restrict the events that count: a person's amounts and activity come from the matching
 * events only, and a person takes part in the lifetime figures of a value when at least one of
 * their events matches. First seen and first touch always come from all of the person's events.
 * A person-level breakdown (person property, acquisition) gives every event of a person the
 * person's value, so the same rule splits people. With a value breakdown every query carries the
 * value as column {@code bv}, and the per-person aggregation is split in two: the person's first
 * seen and first touch over all events ({@code p0}), their amounts per value ({@code pv}).
 */
final class RevenueSql {
    /** Months since acquisition of the cumulative LTV curve. */
    static final List<Integer> CURVE_MONTHS = List.of(1, 3, 6, 12);

    private final RevenueRequest request;
    private final Project project;
    private final RevenueExpression amount;
    private final PopulationResolver populations;
    private final Optional<Population> group;
    private final Optional<Breakdown> breakdown;
    private final int maxPeople;

    /**
     * @param group the population of one population-breakdown group, else empty
     * @param withBreakdown whether to split by the request's value breakdown (column {@code bv})
     */
    RevenueSql(RevenueRequest request, Project project, RevenueExpression amount, PopulationResolver populations,
               Optional<Population> group, boolean withBreakdown, int maxPeople) {
        this.request = requireNonNull(request, "request is null");
        this.project = requireNonNull(project, "project is null");
        this.amount = requireNonNull(amount, "amount is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.group = requireNonNull(group, "group is null");
        this.breakdown = withBreakdown ? request.scope().valueBreakdown() : Optional.empty();
        this.maxPeople = maxPeople;
    }

    private boolean split() {
        return breakdown.isPresent();
    }

    private boolean filtered() {
        return !request.where().isEmpty();
    }

    private boolean people() {
        return request.scope().people();
    }

    private boolean utc() {
        return request.scope().range().zone().normalized().equals(ZoneOffset.UTC);
    }

    private Instant start() {
        return request.scope().range().start();
    }

    private Instant end() {
        return request.scope().range().end();
    }

    /** The event filters as one condition on {@code e.properties}. */
    private Fragment keep() {
        List<Fragment> parts = new ArrayList<>();
        for (PropertyFilter filter : request.where()) {
            parts.add(filter.onEvent("e.properties"));
        }
        return Fragment.and(parts);
    }

    /**
     * {@code SELECT pk, ts, properties, amount[, keep][, bv] FROM resolved_events e ...} for the
     * project and the person conditions. With {@code inRange}, only events in the range that match
     * the event filters (no {@code keep} column); otherwise every event of the persons, the amount
     * NULL on events that do not match and {@code keep} telling which match.
     */
    private Fragment events(boolean inRange) {
        Fragment.Builder b = new Fragment.Builder().sql("SELECT e.person_key AS pk, e.ts, e.properties, ");
        boolean keepColumn = filtered() && !inRange;
        if (keepColumn) {
            b.sql("CASE WHEN ").add(keep()).sql(" THEN ");
        }
        b.sql("l.amount");
        b.sql(keepColumn ? " END AS amount" : " AS amount");
        if (keepColumn) {
            b.sql(", ").add(keep()).sql(" AS keep");
        }
        Fragment joins = Fragment.of("");
        if (split()) {
            Breakdown.ValueSql value = Breakdown.valueSql(breakdown.get(), project);
            b.sql(", ").add(value.value()).sql(" AS bv");
            joins = value.joins();
        }
        b.sql(" FROM resolved_events e").add(LEDGER).add(joins).param(" WHERE e.project_key = ?", project.key());
        if (inRange) {
            b.param(" AND e.ts >= ? AND e.ts < ?", start(), end());
            if (filtered()) {
                b.sql(" AND ").add(keep());
            }
        }
        Fragment persons = request.scope().personCondition("e.person_key", project, populations, group);
        if (!persons.equals(Fragment.TRUE)) {
            b.sql(" AND ").add(persons);
        }
        return b.build();
    }

    /**
     * The amount of each event from the revenue ledger (payments are few: the ledger is the small
     * side of the hash join), instead of parsing every event's JSON; NULL on events without one.
     */
    private static final Fragment LEDGER = Fragment.of(
            " LEFT JOIN payments l ON l.project_key = e.project_key AND l.event_id = e.event_id AND l.ts = e.ts");

    /**
     * Whether a section can read amounts from the ledger alone and people from the events' person
     * key and time (no event filter, no value breakdown: nothing needs an event's properties).
     */
    private boolean ledgerOnly() {
        return !filtered() && !split();
    }

    /** {@code " AND <person conditions>"} on a person key column, or nothing when there are none. */
    private Fragment andPersons(String column) {
        Fragment persons = request.scope().personCondition(column, project, populations, group);
        return persons.equals(Fragment.TRUE) ? Fragment.of("") : new Fragment.Builder().sql(" AND ").add(persons).build();
    }

    /** {@code bv} when splitting, else a NULL text column. */
    private String bv() {
        return split() ? "bv" : "NULL::VARCHAR";
    }

    /** The sorted, capped list of public person ids of the rows aggregated, optionally filtered. */
    private String ids(String filter) {
        return "list_slice(list(pe.person_id ORDER BY pe.person_id)" + (filter == null ? "" : " FILTER (WHERE " + filter + ")")
                + ", 1, " + maxPeople + ")";
    }

    /** Joins the public person id as {@code pe.person_id} onto a row source with column {@code pk}. */
    private Fragment personIds(String alias) {
        return Fragment.of(" JOIN persons pe ON pe.project_key = ? AND pe.person_key = " + alias + ".pk", project.key());
    }

    /** The local time of {@code ts} in the report's time zone (UTC skips the conversion, which costs as much as the rest). */
    private Fragment local(String timestamp) {
        if (utc()) {
            return Fragment.of(timestamp);
        }
        return Fragment.of("timezone(?, timezone('UTC', " + timestamp + "))", request.scope().range().zoneId());
    }

    /** 'YYYY-MM' of a timestamp expression in the report's time zone. */
    private Fragment month(String timestamp) {
        return new Fragment.Builder().sql("strftime(").add(local(timestamp)).sql(", '%Y-%m')").build();
    }

    /**
     * Columns: {@code bv}, {@code bucket} (the local start day, 'YYYY-MM-DD', NULL on the total
     * rows), {@code is_total}, {@code revenue} (net), {@code refunds} (positive),
     * {@code paying_people}, {@code active_people} and, with people, {@code paying_ids} and
     * {@code active_ids}. First one row per person (and value) and period, then per period and,
     * from the same rows, per person over the whole range (distinct people cannot be summed over
     * periods).
     */
    Fragment periods() {
        if (ledgerOnly() && !people() && utc() && request.interval() == RevenueRequest.Interval.MONTH) {
            return periodsByMonths();
        }
        if (ledgerOnly() && !people() && bucketCount() <= MAX_BITMAP_BUCKETS) {
            return periodsByBitmap();
        }
        String by = split() ? "pk, bv" : "pk";
        String sums = "coalesce(sum(amount), 0) AS revenue, coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS refunds, "
                + "coalesce(bool_or(amount > 0), false) AS paid";
        Fragment bucket = new Fragment.Builder().sql("date_trunc('" + request.interval().sqlUnit() + "', ").add(local("ts")).sql(")").build();
        Fragment.Builder b = new Fragment.Builder();
        if (ledgerOnly()) {
            // Active (person, period) pairs from the events' key and time only; the money per pair
            // from the ledger. Every payment is an event, so its pair is among the active ones.
            Fragment andPeople = andPersons("person_key");
            b.sql("WITH act AS (SELECT DISTINCT person_key AS pk, ").add(bucket).sql(" AS bucket FROM resolved_events")
                    .param(" WHERE project_key = ? AND ts >= ? AND ts < ?", project.key(), start(), end())
                    .add(andPeople).sql("), ")
                    .sql("pay AS (SELECT person_key AS pk, ").add(bucket).sql(" AS bucket, " + sums + " FROM resolved_payments")
                    .param(" WHERE project_key = ? AND ts >= ? AND ts < ?", project.key(), start(), end())
                    .add(andPeople).sql(" GROUP BY ALL), ")
                    .sql("x AS (SELECT act.pk, act.bucket, coalesce(pay.revenue, 0) AS revenue, coalesce(pay.refunds, 0) AS refunds, "
                            + "coalesce(pay.paid, false) AS paid FROM act LEFT JOIN pay ON pay.pk = act.pk AND pay.bucket = act.bucket) ");
        } else {
            b.sql("WITH x AS (SELECT " + by + ", ").add(bucket).sql(" AS bucket, " + sums + " FROM (")
                    .add(events(true)).sql(") GROUP BY ALL) ");
        }
        String figures = "sum(revenue) AS revenue, sum(refunds) AS refunds, count(*) FILTER (WHERE paid) AS paying_people, "
                + "count(*) AS active_people" + (people() ? ", " + ids("paid") + " AS paying_ids, " + ids(null) + " AS active_ids" : "");
        b.sql("SELECT " + bv() + " AS bv, strftime(bucket, '%Y-%m-%d') AS bucket, false AS is_total, " + figures + " FROM x");
        if (people()) {
            b.add(personIds("x"));
        }
        b.sql(" GROUP BY " + (split() ? "bv, " : "") + "bucket");
        b.sql(" UNION ALL SELECT " + bv() + ", NULL, true, " + figures + " FROM (SELECT " + by
                + ", sum(revenue) AS revenue, sum(refunds) AS refunds, bool_or(paid) AS paid FROM x GROUP BY " + by + ") t");
        if (people()) {
            b.add(personIds("t"));
        }
        if (split()) {
            b.sql(" GROUP BY bv");
        }
        return b.build();
    }

    /** Periods of the range that fit one BIGINT bitmap per person (bit 63 is the sign). */
    static final int MAX_BITMAP_BUCKETS = 62;

    /** The first period's start day (local). */
    private LocalDate firstBucket() {
        return request.interval().start(request.from());
    }

    /** How many periods the range has, as the report lists them. */
    private int bucketCount() {
        int count = 0;
        for (LocalDate day = firstBucket(); !day.isAfter(request.to()); day = request.interval().next(day)) {
            count++;
        }
        return count;
    }

    /** The index of the period of {@code ts} (0 = the first period), in the report's time zone. */
    private Fragment bucketIndex() {
        Fragment day = new Fragment.Builder().sql("CAST(").add(local("ts")).sql(" AS DATE)").build();
        if (request.interval() == RevenueRequest.Interval.MONTH) {
            Fragment local = local("ts");
            return new Fragment.Builder().sql("(year(").add(local).sql(") * 12 + month(").add(local)
                    .param(") - ?)", firstBucket().getYear() * 12 + firstBucket().getMonthValue()).build();
        }
        Fragment days = new Fragment.Builder().sql("(").add(day).param(" - ?::DATE)", firstBucket()).build();
        if (request.interval() == RevenueRequest.Interval.WEEK) {
            return new Fragment.Builder().sql("(").add(days).sql(" // 7)").build();
        }
        return days;
    }

    /**
     * Monthly periods in UTC without people lists, no event filter and no value breakdown: the
     * active people of every month that the range covers whole come from the per-person figures
     * ({@link PersonStats}: {@code active_months}, the UTC months with events of each person, from
     * the summary plus the tail), one row per active (person, month), counted without grouping by
     * person; only the partial months at the ends of the range (from a day other than the 1st, to
     * a day other than the last) read activity, from {@code all_person_days}: every row holds events
     * of one UTC day and the partial ranges are whole UTC days, so a person has an event in a
     * partial range exactly when one of their rows starts in it (4.1M rows of two columns at 10.7M
     * events instead of the events' person and time; BENCHMARKS.md, "Revenue page"). The people
     * active in the range: those with a whole month in it, plus those active only in the partial
     * ends. The money per period and person from the ledger. Same columns as {@link #periods}.
     */
    private Fragment periodsByMonths() {
        YearMonth firstFull = YearMonth.from(request.from());
        if (request.from().getDayOfMonth() != 1) {
            firstFull = firstFull.plusMonths(1);
        }
        YearMonth endMonth = YearMonth.from(request.to().plusDays(1));   // the month of the range's end (exclusive)
        Instant fullStart = firstFull.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant fullEnd = endMonth.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Instant[]> edges = new ArrayList<>();
        if (!fullStart.isBefore(fullEnd)) {
            edges.add(new Instant[] {start(), end()});   // no whole month: the range is one or two partial months
            fullEnd = fullStart;
        } else {
            if (start().isBefore(fullStart)) {
                edges.add(new Instant[] {start(), fullStart});
            }
            if (fullEnd.isBefore(end())) {
                edges.add(new Instant[] {fullEnd, end()});
            }
        }
        int firstMonth = PersonSummaryWriter.monthIndex(YearMonth.from(firstBucket()));
        int fromMonth = PersonSummaryWriter.monthIndex(firstFull);
        int toMonth = fromMonth + (int) java.time.temporal.ChronoUnit.MONTHS.between(firstFull, YearMonth.from(fullEnd.atZone(ZoneOffset.UTC)));
        Fragment andPeople = andPersons("person_key");
        PersonStats.Query stats = PersonStats.query(project.key(), amount, PersonStats.Options.FIGURES.withMonths());
        Fragment.Builder b = new Fragment.Builder()
                .param("WITH s AS MATERIALIZED (SELECT person_key AS pk, list_filter(active_months, lambda m: m >= ? AND m < ?) AS ms FROM (",
                        fromMonth, toMonth)
                .add(new Fragment(stats.sql(), stats.parameters())).sql(") WHERE TRUE").add(andPeople).sql("), ")
                .param("full_months AS (SELECT m - ? AS b, count(*) AS active FROM (SELECT unnest(ms) AS m FROM s) GROUP BY m), ", firstMonth)
                // the partial ends from the person-days (a row's events share its UTC day, and the
                // ends are whole UTC days): a third of the rows of the events, and no other column
                .sql("edge AS MATERIALIZED (SELECT DISTINCT person_key AS pk, ").add(bucketIndex()).sql(" AS b FROM (")
                .sql("SELECT coalesce(m.to_key, d.person_key) AS person_key, d.first_ts AS ts FROM all_person_days d ")
                .sql("LEFT JOIN unfolded_merges m ON m.project_key = d.project_key AND m.from_key = d.person_key")
                .param(" WHERE d.project_key = ? AND (", project.key());
        if (edges.isEmpty()) {
            b.sql("FALSE");
        }
        for (int i = 0; i < edges.size(); i++) {
            b.sql(i == 0 ? "" : " OR ").param("(d.first_ts >= ? AND d.first_ts < ?)", edges.get(i)[0], edges.get(i)[1]);
        }
        b.sql(")) WHERE TRUE").add(andPeople).sql("), ")
                .sql("actives AS (SELECT b, active FROM full_months UNION ALL SELECT b, count(*) FROM edge GROUP BY b), ")
                .sql("pay AS (SELECT person_key AS pk, ").add(bucketIndex()).sql(" AS b, sum(amount) AS revenue, "
                        + "coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS refunds, bool_or(amount > 0) AS paid FROM resolved_payments")
                .param(" WHERE project_key = ? AND ts >= ? AND ts < ?", project.key(), start(), end()).add(andPeople)
                .sql(" GROUP BY ALL), ")
                .sql("per AS (SELECT b, sum(revenue) AS revenue, sum(refunds) AS refunds, count(*) FILTER (WHERE paid) AS paying FROM pay GROUP BY b) ")
                .sql("SELECT NULL::VARCHAR AS bv, ").add(bucketStart("a.b")).sql(" AS bucket, false AS is_total, "
                        + "coalesce(per.revenue, 0) AS revenue, coalesce(per.refunds, 0) AS refunds, coalesce(per.paying, 0) AS paying_people, "
                        + "a.active AS active_people FROM actives a LEFT JOIN per ON per.b = a.b WHERE a.active > 0 ")
                .sql("UNION ALL SELECT NULL::VARCHAR, NULL, true, coalesce(sum(revenue), 0), coalesce(sum(refunds), 0), "
                        + "count(*) FILTER (WHERE paid), (SELECT count(*) FROM s WHERE len(ms) > 0) "
                        + "+ (SELECT count(DISTINCT e.pk) FROM edge e JOIN s ON s.pk = e.pk WHERE len(s.ms) = 0) FROM (SELECT pk, "
                        + "sum(revenue) AS revenue, sum(refunds) AS refunds, bool_or(paid) AS paid FROM pay GROUP BY pk) t");
        return b.build();
    }

    /** The start day ('YYYY-MM-DD') of period index {@code b}. */
    private Fragment bucketStart(String b) {
        String step = request.interval() == RevenueRequest.Interval.MONTH ? "to_months(" + b + "::INTEGER)"
                : request.interval() == RevenueRequest.Interval.WEEK ? "to_days(7 * " + b + "::INTEGER)" : "to_days(" + b + "::INTEGER)";
        return Fragment.of("strftime(?::DATE + " + step + ", '%Y-%m-%d')", firstBucket());
    }

    /**
     * The periods without people lists, no event filter and no value breakdown: one row per active
     * person with the bitmap of their active periods ({@code bit_or(1 << period)}, the fastest
     * measured shape for "distinct people per period", against a DISTINCT of (person, period)
     * pairs), then the active people per period from the bits; the money per period and person from
     * the ledger. Same columns as {@link #periods}.
     */
    private Fragment periodsByBitmap() {
        Fragment index = bucketIndex();
        Fragment andPeople = andPersons("person_key");
        return new Fragment.Builder()
                .sql("WITH act AS (SELECT person_key AS pk, bit_or(1::BIGINT << ").add(index).sql(") AS m FROM resolved_events")
                .param(" WHERE project_key = ? AND ts >= ? AND ts < ?", project.key(), start(), end()).add(andPeople)
                .sql(" GROUP BY person_key), ")
                .sql("pay AS (SELECT person_key AS pk, ").add(index).sql(" AS b, sum(amount) AS revenue, "
                        + "coalesce(-sum(amount) FILTER (WHERE amount < 0), 0) AS refunds, bool_or(amount > 0) AS paid FROM resolved_payments")
                .param(" WHERE project_key = ? AND ts >= ? AND ts < ?", project.key(), start(), end()).add(andPeople)
                .sql(" GROUP BY ALL), ")
                .sql("per AS (SELECT b, sum(revenue) AS revenue, sum(refunds) AS refunds, count(*) FILTER (WHERE paid) AS paying FROM pay GROUP BY b), ")
                .param("actives AS (SELECT t.b, count(*) FILTER (WHERE act.m & (1::BIGINT << t.b) <> 0) AS active FROM act, range(0, ?) t(b) "
                        + "GROUP BY t.b) ", bucketCount())
                .sql("SELECT NULL::VARCHAR AS bv, ").add(bucketStart("a.b")).sql(" AS bucket, false AS is_total, "
                        + "coalesce(per.revenue, 0) AS revenue, coalesce(per.refunds, 0) AS refunds, coalesce(per.paying, 0) AS paying_people, "
                        + "a.active AS active_people FROM actives a LEFT JOIN per ON per.b = a.b WHERE a.active > 0 ")
                .sql("UNION ALL SELECT NULL::VARCHAR, NULL, true, coalesce(sum(revenue), 0), coalesce(sum(refunds), 0), "
                        + "count(*) FILTER (WHERE paid), (SELECT count(*) FROM act) FROM (SELECT pk, sum(revenue) AS revenue, "
                        + "sum(refunds) AS refunds, bool_or(paid) AS paid FROM pay GROUP BY pk) t")
                .build();
    }

    /**
     * LTV by first touch, the churn count and the top customers, over the people acquired in the
     * range. This is the hand-written shape ({@code arg_min} of the source per person, then a
     * group by) plus a few cheap aggregates, one row per group: the totals of a value are summed
     * from its groups by the caller (every person is in exactly one group), which costs nothing,
     * where {@code GROUPING SETS} materialized every person's row first (half the section's CPU).
     * Columns: {@code bv}, {@code s1}, {@code s2}, {@code s3} (the group's raw first-touch values,
     * see {@link #source}), {@code people}, {@code paying_people}, {@code revenue},
     * {@code churned}, {@code top} and {@code top_ltv} (the group's person keys and their LTV,
     * highest first; ties go to the older person) and, with people, {@code ids},
     * {@code paying_ids}, {@code churned_ids} (each sorted and capped).
     */
    Fragment lifetime(Instant churnedBefore) {
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        Fragment source;
        if (request.groupBy() == RevenueRequest.GroupBy.COHORT_MONTH) {
            source = month("min(ts)");
        } else {
            source = Fragment.of("arg_min_null(" + source(request.groupBy()) + ", ts)");
        }
        String sums = "round(coalesce(fsum(amount), 0), 6) AS ltv, max(ts) FILTER (WHERE amount > 0) AS last_payment";
        if (!split() && !filtered()) {
            // every event counts: the per-person figures of the person summary (plus the tail)
            boolean cohort = request.groupBy() == RevenueRequest.GroupBy.COHORT_MONTH;
            // and the first touch from its typed columns (no JSON)
            PersonStats.Options options = cohort ? PersonStats.Options.FIGURES : PersonStats.Options.FIGURES.withAcquisition();
            PersonStats.Query stats = PersonStats.query(project.key(), amount, options);
            Fragment personSource = cohort ? month("first_seen") : Fragment.of(summarySource(request.groupBy()));
            b.sql("p AS (SELECT person_key AS pk, ").add(personSource).sql(" AS source, ltv, last_payment FROM (")
                    .add(new Fragment(stats.sql(), stats.parameters()))
                    .param(") WHERE first_seen >= ? AND first_seen < ?", start(), end());
            Fragment persons = request.scope().personCondition("person_key", project, populations, group);
            if (!persons.equals(Fragment.TRUE)) {
                b.sql(" AND ").add(persons);
            }
            b.sql("), ");
        } else if (split()) {
            b.sql("ev AS (").add(events(false)).sql("), ")
                    .sql("p0 AS (SELECT pk, ").add(source).param(" AS source FROM ev GROUP BY pk HAVING min(ts) >= ? AND min(ts) < ?), ",
                            start(), end())
                    .sql("pv AS (SELECT pk, bv, " + sums + " FROM ev" + (filtered() ? " WHERE keep" : "") + " GROUP BY pk, bv), ")
                    .sql("p AS (SELECT pv.pk, pv.bv, p0.source, pv.ltv, pv.last_payment FROM p0 JOIN pv ON pv.pk = p0.pk), ");
        } else {
            b.sql("p AS (SELECT pk, ").add(source).sql(" AS source, " + sums + " FROM (").add(events(false))
                    .param(") GROUP BY pk HAVING min(ts) >= ? AND min(ts) < ?" + (filtered() ? " AND bool_or(keep)" : "") + "), ",
                            start(), end());
        }
        String value = split() ? "bv, " : "";
        if (request.groupBy() == RevenueRequest.GroupBy.CHANNEL) {
            b.sql("q AS (SELECT pk, " + value + "ltv, last_payment, struct_extract(source, 'medium') AS s1, "
                    + "struct_extract(source, 'referrer') AS s2, struct_extract(source, 'click_id') AS s3 FROM p) ");
        } else {
            b.sql("q AS (SELECT pk, " + value + "ltv, last_payment, source AS s1, NULL::VARCHAR AS s2, NULL::BOOLEAN AS s3 FROM p) ");
        }
        // compensated sums rounded to 6 decimals: the same answer whatever order parallel threads add the doubles in
        int top = Math.max(request.top(), 1);
        b.sql("SELECT " + bv() + " AS bv, s1, s2, s3, count(*) AS people, ")
                .sql("count(*) FILTER (WHERE last_payment IS NOT NULL) AS paying_people, round(coalesce(fsum(ltv), 0), 6) AS revenue, ")
                .param("count(*) FILTER (WHERE last_payment < ?) AS churned, ", churnedBefore)
                .param("max_by(pk, {'ltv': ltv, 'k': -pk}, ?) FILTER (WHERE ltv > 0) AS top, ", top)
                .param("max_by(ltv, {'ltv': ltv, 'k': -pk}, ?) FILTER (WHERE ltv > 0) AS top_ltv", top);
        if (people()) {
            b.sql(", " + ids(null) + " AS ids, " + ids("last_payment IS NOT NULL") + " AS paying_ids, ")
                    .param(ids("last_payment < ?") + " AS churned_ids", churnedBefore)
                    .sql(" FROM q").add(personIds("q"));
        } else {
            b.sql(" FROM q");
        }
        b.sql(" GROUP BY " + value + "s1, s2, s3");
        return b.build();
    }

    /**
     * The cumulative LTV curve per acquisition month. One row per person acquired in the range
     * with the list of their non-zero amounts (payments are few, so the list is short), then the
     * revenue within N calendar months of the person's own first event. Columns: {@code bv},
     * {@code cohort} ('YYYY-MM'), {@code people}, {@code ltv_1} .. {@code ltv_12} (averages over
     * the people first seen at least that many months before {@code now}; NULL when none is) and,
     * with people, {@code ids}.
     */
    Fragment cohorts(Instant now) {
        Fragment.Builder b = new Fragment.Builder().sql("WITH ");
        String payments = "list({'ts': ts, 'amount': amount}) FILTER (WHERE amount <> 0) AS payments";
        if (split()) {
            b.sql("ev AS (").add(events(false)).sql("), ")
                    .param("p0 AS (SELECT pk, min(ts) AS first_seen FROM ev GROUP BY pk HAVING min(ts) >= ? AND min(ts) < ?), ",
                            start(), end())
                    .sql("pv AS (SELECT pk, bv, " + payments + " FROM ev" + (filtered() ? " WHERE keep" : "") + " GROUP BY pk, bv), ")
                    .sql("p AS (SELECT pv.pk, pv.bv, p0.first_seen, pv.payments FROM p0 JOIN pv ON pv.pk = p0.pk) ");
        } else if (ledgerOnly()) {
            return cohortsFromSummary(now);
        } else {
            b.sql("p AS (SELECT pk, min(ts) AS first_seen, " + payments + " FROM (").add(events(false))
                    .param(") GROUP BY pk HAVING min(ts) >= ? AND min(ts) < ?" + (filtered() ? " AND bool_or(keep)" : "") + ") ",
                            start(), end());
        }
        b.sql("SELECT " + bv() + " AS bv, ").add(month("first_seen")).sql(" AS cohort, count(*) AS people");
        for (int months : CURVE_MONTHS) {
            String horizon = "first_seen + INTERVAL " + months + " MONTH";
            b.param(", avg(CASE WHEN " + horizon + " <= ? THEN coalesce(list_sum(list_transform("
                    + "list_filter(payments, lambda x: x.ts < " + horizon + "), lambda x: x.amount)), 0) END) AS ltv_" + months, now);
        }
        if (people()) {
            b.sql(", " + ids(null) + " AS ids FROM p").add(personIds("p"));
        } else {
            b.sql(" FROM p");
        }
        b.sql(" GROUP BY " + (split() ? "bv, " : "") + "cohort");
        return b.build();
    }

    /**
     * {@link #cohorts} without event filter or value breakdown: each person's first seen from the
     * per-person figures ({@link PersonStats}: the summary plus the tail, no scan of the events),
     * the payments from the ledger. Per cohort, the people and how many of them were first seen at
     * least N months before {@code now} ({@code n_N}); per cohort, the payments of those people
     * made within N months of their first event ({@code r_N}); the curve is {@code r_N / n_N}, the
     * average over those people of their revenue within N months (people without payments count
     * as 0). The payments are joined to the payers only ({@link #PAYER}: a tenth of the people, so
     * the join's build side shrinks tenfold; 250 → 160 ms of CPU at 1M people). Same columns as
     * {@link #cohorts}.
     */
    private Fragment cohortsFromSummary(Instant now) {
        PersonStats.Query stats = PersonStats.query(project.key(), amount, PersonStats.Options.FIGURES);
        // the month as a timestamp per person, formatted per cohort (strftime per person cost a fifth of the query)
        Fragment.Builder b = new Fragment.Builder().sql("WITH f AS MATERIALIZED (SELECT person_key AS pk, first_seen, date_trunc('month', ")
                .add(local("first_seen")).sql(") AS cohort, " + PAYER + " AS payer FROM (").add(new Fragment(stats.sql(), stats.parameters()))
                .param(") WHERE first_seen >= ? AND first_seen < ?", start(), end()).add(andPersons("person_key")).sql("), ");
        b.sql("pc AS (SELECT f.cohort");
        for (int months : CURVE_MONTHS) {
            b.sql(", fsum(l.amount) FILTER (WHERE ").add(matured("f.first_seen", months, now))
                    .sql(" AND l.ts < f.first_seen + INTERVAL " + months + " MONTH) AS r_" + months);
        }
        b.param(" FROM resolved_payments l JOIN (SELECT * FROM f WHERE payer) f ON f.pk = l.person_key WHERE l.project_key = ? GROUP BY f.cohort), ",
                project.key());
        b.sql("pp AS (SELECT f.cohort, count(*) AS people");
        for (int months : CURVE_MONTHS) {
            b.sql(", count(*) FILTER (WHERE ").add(matured("f.first_seen", months, now)).sql(") AS n_" + months);
        }
        if (people()) {
            b.sql(", " + ids(null) + " AS ids FROM f").add(personIds("f"));
        } else {
            b.sql(" FROM f");
        }
        b.sql(" GROUP BY f.cohort) SELECT NULL::VARCHAR AS bv, strftime(pp.cohort, '%Y-%m') AS cohort, pp.people");
        for (int months : CURVE_MONTHS) {
            b.sql(", CASE WHEN pp.n_" + months + " > 0 THEN coalesce(pc.r_" + months + ", 0) / pp.n_" + months + " END AS ltv_" + months);
        }
        b.sql((people() ? ", pp.ids" : "") + " FROM pp LEFT JOIN pc ON pc.cohort = pp.cohort");
        return b.build();
    }

    /**
     * Whether a row of the per-person figures ({@link PersonStats}) has payments: a positive one
     * ({@code last_payment}) or a non-zero sum. Only a person whose payments are all refunds that
     * add up to less than a millionth is left out, whose LTV is 0 at the 6 decimals revenue is
     * reported in.
     */
    private static final String PAYER = "(last_payment IS NOT NULL OR ltv <> 0)";

    /**
     * {@code first + INTERVAL months MONTH <= now} for a UTC timestamp column, with the interval
     * added only near the boundary: adding months to a million timestamps was a third of the cohort
     * query. Adding months keeps the time of day and clamps the day to the target month's length,
     * so by calendar date it never decreases and moves a date by whole months less at most 3 days.
     * With {@code B} = the UTC date of now minus the months (clamped the same way), a first seen a
     * week or more before {@code B} has matured and one a week or more after it has not; only
     * first-seen times within that fortnight are computed exactly (there, clamping can mature a
     * later time of the 31st before an earlier one of the 30th).
     */
    static Fragment matured(String first, int months, Instant now) {
        LocalDate boundary = LocalDateTime.ofInstant(now, ZoneOffset.UTC).minusMonths(months).toLocalDate();
        Instant before = boundary.minusDays(7).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant after = boundary.plusDays(8).atStartOfDay(ZoneOffset.UTC).toInstant();
        return new Fragment.Builder().param("CASE WHEN " + first + " < ? THEN true ", before)
                .param("WHEN " + first + " >= ? THEN false ", after)
                .param("ELSE " + first + " + INTERVAL " + months + " MONTH <= ? END", now).build();
    }

    /**
     * The first-touch value of an event, per grouping: a property of the earliest event (the
     * referrer is mapped to its domain by the caller, the channel is classified by
     * {@link dev.roster.attribution.ChannelRules} from medium, referrer and click id). The same
     * definitions as the summary's typed columns ({@link FirstTouch}, {@link #summarySource}).
     */
    static String source(RevenueRequest.GroupBy groupBy) {
        if (groupBy == RevenueRequest.GroupBy.UTM_SOURCE) {
            return FirstTouch.field("properties", "utm_source");
        }
        if (groupBy == RevenueRequest.GroupBy.UTM_CAMPAIGN) {
            return FirstTouch.field("properties", "utm_campaign");
        }
        if (groupBy == RevenueRequest.GroupBy.REFERRING_DOMAIN) {
            return FirstTouch.field("properties", "referrer");
        }
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            return "{'medium': " + FirstTouch.field("properties", "utm_medium") + ", 'referrer': " + FirstTouch.field("properties", "referrer")
                    + ", 'click_id': " + FirstTouch.clickId("properties") + "}";
        }
        throw new IllegalArgumentException("no event source for " + groupBy);
    }

    /** {@link #source} from the typed first-touch columns of the per-person figures. */
    static String summarySource(RevenueRequest.GroupBy groupBy) {
        if (groupBy == RevenueRequest.GroupBy.UTM_SOURCE) {
            return "first_utm_source";
        }
        if (groupBy == RevenueRequest.GroupBy.UTM_CAMPAIGN) {
            return "first_utm_campaign";
        }
        if (groupBy == RevenueRequest.GroupBy.REFERRING_DOMAIN) {
            return "first_referrer";
        }
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            return "{'medium': first_utm_medium, 'referrer': first_referrer, 'click_id': first_click_id}";
        }
        throw new IllegalArgumentException("no summary source for " + groupBy);
    }

    /**
     * Display data of persons: key, public id, latest user id, email trait, first identity. Each
     * lookup is restricted to the keys first (no correlated subqueries over the whole tables).
     */
    static Fragment persons(int projectKey, List<Long> personKeys) {
        String keys = Sql.placeholders(personKeys.size());
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        parameters.addAll(personKeys);
        parameters.add(projectKey);
        parameters.addAll(personKeys);
        parameters.add(projectKey);
        parameters.addAll(personKeys);
        String sql = "SELECT p.person_key, p.person_id, i.user_id, pp.email, i.first_identity FROM persons p "
                + "LEFT JOIN (SELECT person_key, arg_max(identity, created_at) FILTER (WHERE is_user) AS user_id, "
                + "arg_min(identity, created_at) AS first_identity FROM identities WHERE project_key = ? AND person_key IN (" + keys + ") "
                + "GROUP BY person_key) i ON i.person_key = p.person_key "
                + "LEFT JOIN (SELECT person_key, json_extract_string(value, '$') AS email FROM person_properties "
                + "WHERE project_key = ? AND key = 'email' AND person_key IN (" + keys + ")) pp ON pp.person_key = p.person_key "
                + "WHERE p.project_key = ? AND p.person_key IN (" + keys + ")";
        return new Fragment(sql, parameters);
    }
}

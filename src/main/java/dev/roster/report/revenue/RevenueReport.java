package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import dev.roster.attribution.ChannelRules;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs a {@link RevenueRequest}: resolves the population, builds the SQL with {@link RevenueSql},
 * runs it on a reader connection and shapes the {@link RevenueResult}.
 *
 * <p>Definitions (documented in docs/revenue.md):
 * <ul>
 *   <li>per period and over the range: net revenue (refunds are negative amounts), refunds, paying
 *   people (at least one positive amount in the period), active people (any event), ARPU =
 *   revenue / active people, ARPPU = revenue / paying people;</li>
 *   <li>lifetime figures cover the people <em>acquired</em> in the range (first event, across all
 *   merged identities, within it) and all their revenue up to now: groups by first touch,
 *   cohort curves, top customers and the churn-based LTV = their revenue / those of them whose
 *   last payment is more than {@code churn_days} before now.</li>
 * </ul>
 *
 * <p>Thread safety: stateless; safe for concurrent use.
 */
public final class RevenueReport {
    private final Database database;
    private final RevenueSettings settings;
    private final PopulationResolver populations;
    private final Clock clock;

    public RevenueReport(Database database, RevenueSettings settings, PopulationResolver populations, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public RevenueResult run(Project project, RevenueRequest request) {
        RevenueConfig config = settings.load(project);
        int churnDays = request.churnDays().orElse(config.churnDays());
        Optional<PersonKeyQuery> members = request.population().map(p -> populations.members(project, p.id()));
        RevenueSql.Scope scope = new RevenueSql.Scope(project.key(), project.timeZone().getId(), RevenueExpression.of(config),
                members, request.population().map(RevenueRequest.PopulationFilter::negated).orElse(false));
        Instant start = request.from().atStartOfDay(project.timeZone()).toInstant();
        Instant end = request.to().plusDays(1).atStartOfDay(project.timeZone()).toInstant();
        Instant now = clock.instant();
        Instant churnedBefore = now.minus(Duration.ofDays(churnDays));

        RevenueSql.Query periodsQuery = RevenueSql.periods(scope, request.interval(), start, end);
        RevenueSql.Query groupsQuery = RevenueSql.groups(scope, request.groupBy(), start, end, churnedBefore, request.top());
        RevenueSql.Query cohortsQuery = RevenueSql.cohorts(scope, start, end, now);
        return database.read(connection -> {
            PeriodRows periodRows = periods(connection, periodsQuery);
            LifetimeRows lifetime = groups(connection, groupsQuery, request.groupBy());
            cohorts(connection, cohortsQuery, lifetime.cohorts);
            List<Long> topKeys = lifetime.top.subList(0, Math.min(request.top(), lifetime.top.size()));
            List<RevenueResult.Customer> customers = customers(connection, project, topKeys, lifetime.ltvByKey);

            List<RevenueResult.Period> periods = new ArrayList<>();
            for (LocalDate day = request.interval().start(request.from()); !day.isAfter(request.to()); day = request.interval().next(day)) {
                RevenueResult.Period period = periodRows.byStart.get(day.toString());
                periods.add(period != null ? period : new RevenueResult.Period(day.toString(), 0, 0, 0, 0, null, null));
            }
            List<RevenueResult.CohortCurve> curves = new ArrayList<>();
            for (YearMonth month = YearMonth.from(request.from()); !month.isAfter(YearMonth.from(request.to())); month = month.plusMonths(1)) {
                RevenueResult.CohortCurve curve = lifetime.cohorts.get(month.toString());
                Map<String, Double> empty = new LinkedHashMap<>();
                RevenueSql.CURVE_MONTHS.forEach(m -> empty.put(String.valueOf(m), null));
                curves.add(curve != null ? curve : new RevenueResult.CohortCurve(month.toString(), 0, empty));
            }
            RevenueResult.Period total = periodRows.total;
            Double churnLtv = lifetime.churned == 0 ? null : lifetime.revenue / lifetime.churned;
            return new RevenueResult(request.from().toString(), request.to().toString(), request.groupBy().wireName(),
                    request.interval().wireName(), churnDays, config.currency().orElse(null),
                    total.revenue(), total.refunds(), total.payingPeople(), total.activePeople(), total.arpu(), total.arppu(),
                    lifetime.people, lifetime.churned, churnLtv, lifetime.groups, curves, customers, periods);
        });
    }

    private record PeriodRows(Map<String, RevenueResult.Period> byStart, RevenueResult.Period total) {
    }

    private static PeriodRows periods(Connection connection, RevenueSql.Query query) throws SQLException {
        Map<String, RevenueResult.Period> byStart = new HashMap<>();
        RevenueResult.Period total = new RevenueResult.Period(null, 0, 0, 0, 0, null, null);
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    double revenue = rows.getDouble("revenue");
                    long paying = rows.getLong("paying_people");
                    long active = rows.getLong("active_people");
                    RevenueResult.Period period = new RevenueResult.Period(rows.getString("bucket"), revenue,
                            rows.getDouble("refunds"), paying, active, ratio(revenue, active), ratio(revenue, paying));
                    if (rows.getBoolean("is_total")) {
                        total = period;
                    } else {
                        byStart.put(period.start(), period);
                    }
                }
            }
        }
        return new PeriodRows(byStart, total);
    }

    /** Sums of one acquisition group while rows that map to the same value are merged. */
    private static final class GroupSums {
        long people;
        long paying;
        double revenue;
    }

    private static final class LifetimeRows {
        final List<RevenueResult.Group> groups = new ArrayList<>();
        final Map<String, RevenueResult.CohortCurve> cohorts = new HashMap<>();
        final Map<Long, Double> ltvByKey = new HashMap<>();
        List<Long> top = List.of();
        long people;
        long churned;
        double revenue;
    }

    private static LifetimeRows groups(Connection connection, RevenueSql.Query query, RevenueRequest.GroupBy groupBy)
            throws SQLException {
        LifetimeRows result = new LifetimeRows();
        Map<String, GroupSums> groups = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    long people = rows.getLong("people");
                    if (!rows.getBoolean("is_total")) {
                        String value = groupValue(groupBy, rows.getString("s1"), rows.getString("s2"), rows.getBoolean("s3"));
                        GroupSums sums = groups.computeIfAbsent(value, v -> new GroupSums());
                        sums.people += people;
                        sums.paying += rows.getLong("paying_people");
                        sums.revenue += rows.getDouble("revenue");
                    } else {
                        result.people = people;
                        result.churned = rows.getLong("churned");
                        result.revenue = rows.getDouble("revenue");
                        result.top = keys(rows.getArray("top"));
                        List<Double> ltvs = amounts(rows.getArray("top_ltv"));
                        for (int i = 0; i < result.top.size(); i++) {
                            result.ltvByKey.put(result.top.get(i), ltvs.get(i));
                        }
                    }
                }
            }
        }
        groups.forEach((value, sums) -> result.groups.add(new RevenueResult.Group(value, sums.people, sums.paying,
                sums.revenue, ratio(sums.revenue, sums.people))));
        result.groups.sort(Comparator.comparing((RevenueResult.Group g) -> g.ltvAverage() == null ? Double.NEGATIVE_INFINITY : g.ltvAverage())
                .reversed().thenComparing(g -> Objects.requireNonNullElse(g.value(), "")));
        return result;
    }

    private static void cohorts(Connection connection, RevenueSql.Query query, Map<String, RevenueResult.CohortCurve> cohorts)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Map<String, Double> curve = new LinkedHashMap<>();
                    for (int months : RevenueSql.CURVE_MONTHS) {
                        double value = rows.getDouble("ltv_" + months);
                        curve.put(String.valueOf(months), rows.wasNull() ? null : value);
                    }
                    String cohort = rows.getString("cohort");
                    cohorts.put(cohort, new RevenueResult.CohortCurve(cohort, rows.getLong("people"), curve));
                }
            }
        }
    }

    /** Maps the raw first-touch values of a SQL group to the reported value. */
    static String groupValue(RevenueRequest.GroupBy groupBy, String s1, String s2, boolean clickId) {
        Optional<String> first = Optional.ofNullable(s1).filter(v -> !v.isBlank());
        if (groupBy == RevenueRequest.GroupBy.CHANNEL) {
            Optional<String> referrer = Optional.ofNullable(s2).filter(v -> !v.isBlank());
            return ChannelRules.classify(new ChannelRules.Touch(first, referrer, clickId)).label();
        }
        if (groupBy == RevenueRequest.GroupBy.REFERRING_DOMAIN) {
            return ChannelRules.referringDomain(first).orElse(null);
        }
        return first.orElse(null);
    }

    private static List<Long> keys(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<Long> keys = new ArrayList<>();
        for (Object key : (Object[]) array.getArray()) {
            keys.add(((Number) key).longValue());
        }
        return keys;
    }

    private static List<Double> amounts(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<Double> amounts = new ArrayList<>();
        for (Object amount : (Object[]) array.getArray()) {
            amounts.add(((Number) amount).doubleValue());
        }
        return amounts;
    }

    /**
     * Public ids and display names of the top customers. The display name follows SPEC §1: the
     * user id, else the email trait, else the first identity.
     */
    private static List<RevenueResult.Customer> customers(Connection connection, Project project, List<Long> keys,
                                                          Map<Long, Double> ltvByKey) throws SQLException {
        if (keys.isEmpty()) {
            return List.of();
        }
        RevenueSql.Query query = RevenueSql.persons(project.key(), keys);
        Map<Long, RevenueResult.Customer> byKey = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    long key = rows.getLong(1);
                    String name = rows.getString(3);
                    if (name == null || name.isBlank()) {
                        name = rows.getString(4);
                    }
                    if (name == null || name.isBlank()) {
                        name = rows.getString(5);
                    }
                    byKey.put(key, new RevenueResult.Customer(rows.getString(2), name, ltvByKey.get(key)));
                }
            }
        }
        List<RevenueResult.Customer> customers = new ArrayList<>();
        for (long key : keys) {
            RevenueResult.Customer customer = byKey.get(key);
            if (customer != null) {
                customers.add(customer);
            }
        }
        return customers;
    }

    private static Double ratio(double amount, long people) {
        return people == 0 ? null : amount / people;
    }
}

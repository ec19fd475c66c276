package dev.roster.report.revenue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.attribution.ChannelRules;
import dev.roster.population.OncePerReport;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.ReportScope;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link RevenueRequest}: builds the SQL with {@link RevenueSql}, runs it on a reader
 * connection and shapes the {@link RevenueResult}.
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
 * Event filters and an event-property breakdown restrict the events that count; person filters,
 * the population and a person-level breakdown restrict (or split) the people (see {@link RevenueSql}).
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

    /** Parses and runs a request body of {@code POST /api/reports/revenue}. */
    public RevenueResult run(Project project, JsonNode body) {
        return run(project, RevenueRequestParser.parse(body, project, clock));
    }

    public RevenueResult run(Project project, RevenueRequest request) {
        RevenueConfig config = settings.load(project);
        int churnDays = request.churnDays().orElse(config.churnDays());
        RevenueExpression amount = RevenueExpression.of(config);
        Instant now = clock.instant();
        Run run = new Run(project, request, amount, now, now.minus(Duration.ofDays(churnDays)));

        RevenueResult.Figures overall = run.figures(Optional.empty(), false).getOrDefault(null, run.empty());
        List<RevenueResult.Slice> breakdown = null;
        List<String> populationIds = request.scope().breakdownPopulations();
        if (!populationIds.isEmpty()) {
            breakdown = new ArrayList<>();
            for (String id : populationIds) {
                String name = populations.name(project, id);
                breakdown.add(new RevenueResult.Slice(name, run.figures(Optional.of(new Population(id, false)), false)
                        .getOrDefault(null, run.empty())));
            }
        } else if (request.scope().breakdown().isPresent()) {
            breakdown = new ArrayList<>();
            Map<String, RevenueResult.Figures> byValue = run.figures(Optional.empty(), true);
            for (Map.Entry<String, RevenueResult.Figures> entry : byValue.entrySet()) {
                breakdown.add(new RevenueResult.Slice(entry.getKey(), entry.getValue()));
            }
            breakdown.sort(Comparator.comparingDouble((RevenueResult.Slice s) -> -weight(s.figures()))
                    .thenComparing(s -> s.value() == null ? "\uffff" : s.value()));
        }
        List<String> sections = request.sections().stream().sorted().map(RevenueRequest.Section::wireName).toList();
        return new RevenueResult(request.from().toString(), request.to().toString(), request.scope().range().zoneId(),
                request.groupBy().wireName(), request.interval().wireName(), churnDays, config.currency().orElse(null), sections,
                overall, breakdown);
    }

    /** Breakdown values are listed by revenue in the range, else lifetime revenue, else people. */
    private static double weight(RevenueResult.Figures figures) {
        if (figures.activity() != null) {
            return figures.activity().totalRevenue() * 1e6 + figures.activity().activePeople() * 1e-6;
        }
        if (figures.lifetime() != null) {
            return figures.lifetime().groups().stream().mapToDouble(RevenueResult.Group::revenue).sum() * 1e6
                    + figures.lifetime().acquiredPeople() * 1e-6;
        }
        return figures.cohortCurves().stream().mapToLong(RevenueResult.CohortCurve::people).sum();
    }

    /**
     * One report run: the request, the instants it is evaluated at, and its populations, each
     * evaluated once however many groups use it ({@link OncePerReport}).
     */
    private final class Run {
        private final Project project;
        private final RevenueRequest request;
        private final RevenueExpression amount;
        private final Instant now;
        private final Instant churnedBefore;
        private final PopulationResolver populations = new OncePerReport(RevenueReport.this.populations);

        Run(Project project, RevenueRequest request, RevenueExpression amount, Instant now, Instant churnedBefore) {
            this.project = project;
            this.request = request;
            this.amount = amount;
            this.now = now;
            this.churnedBefore = churnedBefore;
        }

        private boolean people() {
            return request.scope().people();
        }

        /** The figures of a value with no data. */
        RevenueResult.Figures empty() {
            return assemble(null, new PeriodRows(), new LifetimeRows(), new HashMap<>(), new HashMap<>());
        }

        /**
         * The figures per breakdown value (key null: no value, or everything without a split),
         * for the people of {@code group} when given. The sections run on one connection, with
         * the population filter and the group evaluated once for all of them ({@link PopulationTables}).
         */
        Map<String, RevenueResult.Figures> figures(Optional<Population> group, boolean split) {
            Map<String, PersonKeyQuery> members = new LinkedHashMap<>();
            request.scope().population().ifPresent(p -> members.put(p.id(), populations.members(project, p.id())));
            group.ifPresent(p -> members.computeIfAbsent(p.id(), id -> populations.members(project, id)));
            return database.read(connection -> {
                try (PopulationTables tables = PopulationTables.create(connection, members, populations)) {
                    return figures(connection, new RevenueSql(request, project, amount, tables, group, split, ReportScope.MAX_PEOPLE), split);
                }
            });
        }

        private Map<String, RevenueResult.Figures> figures(Connection connection, RevenueSql sql, boolean split) throws SQLException {
            Map<String, PeriodRows> periods = request.wants(RevenueRequest.Section.PERIODS)
                    ? periods(connection, sql.periods()) : new HashMap<>();
            Map<String, LifetimeRows> lifetime = request.wants(RevenueRequest.Section.LTV)
                    ? lifetime(connection, sql.lifetime(churnedBefore), request.groupBy()) : new HashMap<>();
            Map<String, Map<String, RevenueResult.CohortCurve>> cohorts = request.wants(RevenueRequest.Section.COHORTS)
                    ? cohorts(connection, sql.cohorts(now)) : new HashMap<>();
            Set<Long> topKeys = new LinkedHashSet<>();
            lifetime.values().forEach(rows -> topKeys.addAll(rows.top.subList(0, Math.min(request.top(), rows.top.size()))));
            Map<Long, String[]> names = names(connection, project.key(), new ArrayList<>(topKeys));

            Set<String> values = new LinkedHashSet<>();
            values.addAll(periods.keySet());
            values.addAll(lifetime.keySet());
            values.addAll(cohorts.keySet());
            if (!split) {
                values.add(null);
            }
            Map<String, RevenueResult.Figures> result = new LinkedHashMap<>();
            for (String value : values) {
                result.put(value, assemble(value, periods.getOrDefault(value, new PeriodRows()),
                        lifetime.getOrDefault(value, new LifetimeRows()), cohorts.getOrDefault(value, new HashMap<>()), names));
            }
            return result;
        }

        private RevenueResult.Figures assemble(String value, PeriodRows periodRows, LifetimeRows lifetime,
                                               Map<String, RevenueResult.CohortCurve> cohorts, Map<Long, String[]> names) {
            RevenueResult.Activity activity = null;
            if (request.wants(RevenueRequest.Section.PERIODS)) {
                List<RevenueResult.Period> periods = new ArrayList<>();
                for (LocalDate day = request.interval().start(request.from()); !day.isAfter(request.to());
                     day = request.interval().next(day)) {
                    RevenueResult.Period period = periodRows.byStart.get(day.toString());
                    periods.add(period != null ? period : new RevenueResult.Period(day.toString(), 0, 0, 0, 0, null, null,
                            people() ? List.of() : null, people() ? List.of() : null));
                }
                RevenueResult.Period total = periodRows.total;
                activity = total == null
                        ? new RevenueResult.Activity(0, 0, 0, 0, null, null, people() ? List.of() : null, people() ? List.of() : null, periods)
                        : new RevenueResult.Activity(total.revenue(), total.refunds(), total.payingPeople(), total.activePeople(),
                        total.arpu(), total.arppu(), total.payingPersonIds(), total.activePersonIds(), periods);
            }
            RevenueResult.Lifetime lifetimeFigures = null;
            if (request.wants(RevenueRequest.Section.LTV)) {
                List<RevenueResult.Customer> customers = new ArrayList<>();
                for (long key : lifetime.top.subList(0, Math.min(request.top(), lifetime.top.size()))) {
                    String[] name = names.get(key);
                    if (name != null) {
                        customers.add(new RevenueResult.Customer(name[0], name[1], lifetime.ltvByKey.get(key),
                                "/api/people/" + URLEncoder.encode(name[0], StandardCharsets.UTF_8)));
                    }
                }
                Double churnLtv = lifetime.churned == 0 ? null : lifetime.revenue / lifetime.churned;
                lifetimeFigures = new RevenueResult.Lifetime(lifetime.people, lifetime.churned, churnLtv,
                        people() ? capped(lifetime.ids) : null, people() ? capped(lifetime.churnedIds) : null,
                        lifetime.groups(people()), customers);
            }
            List<RevenueResult.CohortCurve> curves = null;
            if (request.wants(RevenueRequest.Section.COHORTS)) {
                curves = new ArrayList<>();
                for (YearMonth month = YearMonth.from(request.from()); !month.isAfter(YearMonth.from(request.to())); month = month.plusMonths(1)) {
                    RevenueResult.CohortCurve curve = cohorts.get(month.toString());
                    if (curve == null) {
                        Map<String, Double> empty = new LinkedHashMap<>();
                        RevenueSql.CURVE_MONTHS.forEach(m -> empty.put(String.valueOf(m), null));
                        curve = new RevenueResult.CohortCurve(month.toString(), 0, empty, people() ? List.of() : null);
                    }
                    curves.add(curve);
                }
            }
            return new RevenueResult.Figures(activity, lifetimeFigures, curves);
        }
    }

    /** The period rows of one value. */
    private static final class PeriodRows {
        final Map<String, RevenueResult.Period> byStart = new HashMap<>();
        RevenueResult.Period total;
    }

    private Map<String, PeriodRows> periods(Connection connection, Fragment query) throws SQLException {
        Map<String, PeriodRows> byValue = new LinkedHashMap<>();
        boolean people = query.sql().contains(" AS paying_ids");
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    double revenue = amount(rows, "revenue");
                    long paying = rows.getLong("paying_people");
                    long active = rows.getLong("active_people");
                    RevenueResult.Period period = new RevenueResult.Period(rows.getString("bucket"), revenue,
                            amount(rows, "refunds"), paying, active, ratio(revenue, active), ratio(revenue, paying),
                            people ? strings(rows.getArray("paying_ids")) : null, people ? strings(rows.getArray("active_ids")) : null);
                    PeriodRows target = byValue.computeIfAbsent(rows.getString("bv"), v -> new PeriodRows());
                    if (rows.getBoolean("is_total")) {
                        target.total = period;
                    } else {
                        target.byStart.put(period.start(), period);
                    }
                }
            }
        }
        return byValue;
    }

    /** Sums of one acquisition group while rows that map to the same value are merged. */
    private static final class GroupSums {
        long people;
        long paying;
        double revenue;
        final Set<String> ids = new TreeSet<>();
        final Set<String> payingIds = new TreeSet<>();
    }

    /** The lifetime rows of one value: its groups, and the totals summed from them. */
    private static final class LifetimeRows {
        final Map<String, GroupSums> groups = new LinkedHashMap<>();
        final Map<Long, Double> ltvByKey = new HashMap<>();
        List<Long> top = List.of();
        long people;
        long churned;
        double revenue;
        final Set<String> ids = new TreeSet<>();
        final Set<String> churnedIds = new TreeSet<>();

        /** Adds the top customers of one group. */
        void addTop(List<Long> keys, List<Double> ltvs) {
            for (int i = 0; i < keys.size(); i++) {
                ltvByKey.put(keys.get(i), ltvs.get(i));
            }
        }

        /**
         * After the last group: the value's top customers are the best of its groups' tops
         * (highest LTV first, ties to the older person, the smaller key, as within a group), and
         * its revenue is rounded to 6 decimals like the groups' sums it adds up.
         */
        void finish() {
            top = ltvByKey.keySet().stream()
                    .sorted(Comparator.comparingDouble((Long k) -> -ltvByKey.get(k)).thenComparing(Comparator.naturalOrder()))
                    .toList();
            revenue = BigDecimal.valueOf(revenue).setScale(6, RoundingMode.HALF_UP).doubleValue();
        }

        List<RevenueResult.Group> groups(boolean people) {
            List<RevenueResult.Group> result = new ArrayList<>();
            groups.forEach((value, sums) -> result.add(new RevenueResult.Group(value, sums.people, sums.paying, sums.revenue,
                    ratio(sums.revenue, sums.people), people ? capped(sums.ids) : null, people ? capped(sums.payingIds) : null)));
            result.sort(Comparator.comparing((RevenueResult.Group g) -> g.ltvAverage() == null ? Double.NEGATIVE_INFINITY : g.ltvAverage())
                    .reversed().thenComparing(g -> Objects.requireNonNullElse(g.value(), "")));
            return result;
        }
    }

    private Map<String, LifetimeRows> lifetime(Connection connection, Fragment query, RevenueRequest.GroupBy groupBy)
            throws SQLException {
        Map<String, LifetimeRows> byValue = new LinkedHashMap<>();
        boolean people = query.sql().contains(" AS churned_ids");
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    LifetimeRows result = byValue.computeIfAbsent(rows.getString("bv"), v -> new LifetimeRows());
                    long count = rows.getLong("people");
                    double revenue = amount(rows, "revenue");
                    String value = groupValue(groupBy, rows.getString("s1"), rows.getString("s2"), rows.getBoolean("s3"));
                    GroupSums sums = result.groups.computeIfAbsent(value, v -> new GroupSums());
                    sums.people += count;
                    sums.paying += rows.getLong("paying_people");
                    sums.revenue += revenue;
                    result.people += count;
                    result.churned += rows.getLong("churned");
                    result.revenue += revenue;
                    result.addTop(keys(rows.getArray("top")), amounts(rows.getArray("top_ltv")));
                    if (people) {
                        List<String> ids = strings(rows.getArray("ids"));
                        sums.ids.addAll(ids);
                        sums.payingIds.addAll(strings(rows.getArray("paying_ids")));
                        result.ids.addAll(ids);
                        result.churnedIds.addAll(strings(rows.getArray("churned_ids")));
                    }
                }
            }
        }
        byValue.values().forEach(LifetimeRows::finish);
        return byValue;
    }

    private Map<String, Map<String, RevenueResult.CohortCurve>> cohorts(Connection connection, Fragment query) throws SQLException {
        Map<String, Map<String, RevenueResult.CohortCurve>> byValue = new LinkedHashMap<>();
        boolean people = query.sql().contains(" AS ids");
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
                    byValue.computeIfAbsent(rows.getString("bv"), v -> new HashMap<>()).put(cohort,
                            new RevenueResult.CohortCurve(cohort, rows.getLong("people"), curve,
                                    people ? strings(rows.getArray("ids")) : null));
                }
            }
        }
        return byValue;
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

    private static List<String> capped(java.util.Collection<String> ids) {
        return ids.stream().sorted().limit(ReportScope.MAX_PEOPLE).toList();
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        return Arrays.stream((Object[]) array.getArray()).map(Objects::toString).toList();
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
     * Public id and display name of persons. The display name follows SPEC §1: the user id, else
     * the email trait, else the first identity.
     */
    private static Map<Long, String[]> names(Connection connection, int projectKey, List<Long> keys) throws SQLException {
        Map<Long, String[]> byKey = new HashMap<>();
        if (keys.isEmpty()) {
            return byKey;
        }
        Fragment query = RevenueSql.persons(projectKey, keys);
        try (PreparedStatement statement = connection.prepareStatement(query.sql())) {
            Sql.bind(statement, 1, query.parameters());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String name = rows.getString(3);
                    if (name == null || name.isBlank()) {
                        name = rows.getString(4);
                    }
                    if (name == null || name.isBlank()) {
                        name = rows.getString(5);
                    }
                    byKey.put(rows.getLong(1), new String[] {rows.getString(2), name});
                }
            }
        }
        return byKey;
    }

    /** A DOUBLE column, 0 when NULL (the driver answers NaN for a NULL double). */
    private static double amount(ResultSet rows, String column) throws SQLException {
        double value = rows.getDouble(column);
        return rows.wasNull() ? 0 : value;
    }

    private static Double ratio(double amount, long people) {
        return people == 0 ? null : amount / people;
    }
}

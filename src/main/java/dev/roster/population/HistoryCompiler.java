package dev.roster.population;

import dev.roster.revenue.RevenueExpression;
import dev.roster.store.PersonKeyQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The size history of a population in <em>one</em> query: membership as of each of several
 * instants ({@code days(d, cutoff)}), computed as sets of {@code (d, person_key)} pairs with the
 * same algebra as {@link PopulationCompiler} ({@link SetAlgebra}: INTERSECT, UNION, anti-joins on both
 * columns). Per condition:
 * <ul>
 *   <li>counts without a rolling window use the time of the person's N-th (and N+1-th) event: a
 *       person has at least N events before the cutoff exactly when the N-th is before it;</li>
 *   <li>rolling windows join events to the days whose window holds them;</li>
 *   <li>a sequence is fixed once its first F happened; a first time is one timestamp;</li>
 *   <li>LTV sums revenue events before each cutoff; profile and identity conditions are current
 *       and hold from the person's first event on.</li>
 * </ul>
 * Only events before each cutoff count, "last N" ends at the cutoff, and members had an event
 * before it: the same meaning as {@link PopulationCompiler#compileAsOf}, checked against the
 * reference evaluator in the tests.
 */
final class HistoryCompiler extends SetAlgebra {
    private final int projectKey;
    private final RevenueExpression revenue;
    private final String events;
    private final String firstSeen;

    /**
     * @param revenue the project's revenue expression (LTV conditions sum it)
     * @param events a code-chosen relation with the columns of {@code resolved_events}
     * @param firstSeen a code-chosen relation {@code (person_key, first_ts)} of every person
     */
    private HistoryCompiler(int projectKey, RevenueExpression revenue, String events, String firstSeen) {
        super(List.of("d", "person_key"));
        this.projectKey = projectKey;
        this.revenue = revenue;
        this.events = events;
        this.firstSeen = firstSeen;
    }

    /** {@code SELECT d, count} for each cutoff index {@code d} with members (missing d: 0). */
    static PersonKeyQuery counts(Condition definition, int projectKey, List<Instant> cutoffs, RevenueExpression revenue, String events,
                                 String firstSeen) {
        return build(definition, projectKey, cutoffs, revenue, events, firstSeen, "SELECT d, count(*) FROM (", ") GROUP BY d");
    }

    /** {@code SELECT d, person_key}: the members as of each cutoff index {@code d}. */
    static PersonKeyQuery members(Condition definition, int projectKey, List<Instant> cutoffs, RevenueExpression revenue, String events,
                                  String firstSeen) {
        return build(definition, projectKey, cutoffs, revenue, events, firstSeen, "SELECT d, person_key FROM (", ")");
    }

    private static PersonKeyQuery build(Condition definition, int projectKey, List<Instant> cutoffs, RevenueExpression revenue,
                                        String events, String firstSeen, String select, String end) {
        HistoryCompiler compiler = new HistoryCompiler(projectKey, revenue, events, firstSeen);
        StringBuilder days = new StringBuilder("WITH days AS (SELECT * FROM (VALUES ");
        List<Object> parameters = new ArrayList<>();
        for (int i = 0; i < cutoffs.size(); i++) {
            days.append(i == 0 ? "" : ", ").append("(").append(i).append(", CAST(? AS TIMESTAMP))");
            parameters.add(cutoffs.get(i));
        }
        days.append(") t(d, cutoff)) ");
        Fragment members = compiler.members(definition);
        parameters.addAll(members.parameters());
        return new PersonKeyQuery(days + select + members.sql() + end, parameters);
    }

    // ---- conditions ----

    /** The scope of one event name with filters, plus a date window if one is given. */
    private String scope(String event, List<Condition.Filter> where, Optional<Condition.Between> between, List<Object> parameters) {
        StringBuilder sql = new StringBuilder("project_key = ? AND name = ?");
        parameters.add(projectKey);
        parameters.add(event);
        for (Condition.Filter filter : where) {
            sql.append(" AND ");
            FilterSql.eventProperty(filter, sql, parameters);
        }
        between.ifPresent(b -> {
            sql.append(" AND ts >= ? AND ts < ?");
            parameters.add(b.start());
            parameters.add(b.end());
        });
        return sql.toString();
    }

    @Override
    Term did(Condition.Did did) {
        Condition.Count count = did.count();
        if (count.op() == Condition.CountOp.GTE && count.value() == 0) {
            return new Term(false, nobody());
        }
        // Positive form: gte N, eq N (N >= 1); lte N = not gte N+1; eq 0 = not gte 1.
        boolean complement = count.matchesZero();
        Condition.CountOp op = count.op() == Condition.CountOp.EQ && count.value() > 0 ? Condition.CountOp.EQ : Condition.CountOp.GTE;
        long n = count.op() == Condition.CountOp.LTE ? count.value() + 1 : Math.max(count.value(), 1);
        List<Object> parameters = new ArrayList<>();
        Optional<Condition.Window> within = did.within();
        if (within.isPresent() && within.get() instanceof Condition.Last last) {
            parameters.add(last.duration().toNanos() / 1000); // the JOIN's parameter comes first in the text
            String scope = scope(did.event(), did.where(), Optional.empty(), parameters);
            parameters.add(n);
            return new Term(!complement, new Fragment("SELECT days.d, e.person_key FROM " + events + " e JOIN days "
                    + "ON e.ts < days.cutoff AND e.ts >= days.cutoff - to_microseconds(?) WHERE " + scope
                    + " GROUP BY days.d, e.person_key HAVING count(*) " + (op == Condition.CountOp.EQ ? "=" : ">=") + " ?", parameters));
        }
        String scope = scope(did.event(), did.where(), within.map(w -> (Condition.Between) w), parameters);
        parameters.add(n);
        String nth = "SELECT person_key, list_sort(list(ts)) AS times FROM " + events + " WHERE " + scope
                + " GROUP BY person_key HAVING count(*) >= ?";
        String condition = "list_extract(times, CAST(? AS BIGINT)) < days.cutoff";
        parameters.add(n);
        if (op == Condition.CountOp.EQ) {
            condition += " AND (len(times) = ? OR list_extract(times, CAST(? AS BIGINT)) >= days.cutoff)";
            parameters.add(n);
            parameters.add(n + 1);
        }
        return new Term(!complement, new Fragment("SELECT days.d, x.person_key FROM (" + nth + ") x JOIN days ON " + condition,
                parameters));
    }

    @Override
    Fragment sequence(Condition.Sequence sequence) {
        List<Object> parameters = new ArrayList<>();
        String first = "SELECT person_key, min(ts) AS first_ts FROM " + events + " WHERE "
                + scope(sequence.beforeFirst(), List.of(), Optional.empty(), parameters) + " GROUP BY person_key";
        Condition.Count count = sequence.count();
        String eventScope = scope(sequence.event(), sequence.where(), Optional.empty(), parameters);
        parameters.add(count.value());
        String op = count.op() == Condition.CountOp.GTE ? ">=" : count.op() == Condition.CountOp.LTE ? "<=" : "=";
        String matched = "SELECT f.person_key, f.first_ts FROM (" + first + ") f LEFT JOIN (SELECT person_key, ts FROM " + events
                + " WHERE " + eventScope + ") e ON e.person_key = f.person_key AND e.ts < f.first_ts "
                + "GROUP BY f.person_key, f.first_ts HAVING count(e.ts) " + op + " ?";
        return new Fragment("SELECT days.d, s.person_key FROM (" + matched + ") s JOIN days ON s.first_ts < days.cutoff", parameters);
    }

    @Override
    Fragment firstDid(Condition.FirstDid first) {
        List<Object> parameters = new ArrayList<>();
        String firsts = "SELECT person_key, min(ts) AS first_ts FROM " + events + " WHERE "
                + scope(first.event(), first.where(), Optional.empty(), parameters) + " GROUP BY person_key";
        String condition = "f.first_ts < days.cutoff";
        if (first.within().isPresent() && first.within().get() instanceof Condition.Last last) {
            condition += " AND f.first_ts >= days.cutoff - to_microseconds(?)";
            parameters.add(last.duration().toNanos() / 1000);
        } else if (first.within().isPresent()) {
            Condition.Between between = (Condition.Between) first.within().get();
            condition += " AND f.first_ts >= ? AND f.first_ts < ?";
            parameters.add(between.start());
            parameters.add(between.end());
        }
        return new Fragment("SELECT days.d, f.person_key FROM (" + firsts + ") f JOIN days ON " + condition, parameters);
    }

    @Override
    Term ltv(Condition.Ltv ltv) {
        boolean zeroMatches = ltv.greater() ? 0 > ltv.value() : 0 < ltv.value();
        String having = ltv.greater() ? (zeroMatches ? "<= ?" : "> ?") : (zeroMatches ? ">= ?" : "< ?");
        List<Object> parameters = new ArrayList<>(revenue.parameters());
        parameters.add(projectKey);
        parameters.add(ltv.value());
        return new Term(!zeroMatches, new Fragment("SELECT days.d, e.person_key FROM (SELECT person_key, ts, " + revenue.sql()
                + " AS amount FROM " + events + " WHERE project_key = ?) e JOIN days ON e.ts < days.cutoff "
                + "WHERE e.amount IS NOT NULL GROUP BY days.d, e.person_key HAVING sum(e.amount) " + having, parameters));
    }

    @Override
    Fragment identity(Condition.IdentityIs identity) {
        return fromFirstSeen("SELECT person_key FROM identities WHERE project_key = ? AND identity = ?",
                List.of(projectKey, identity.identity()));
    }

    @Override
    Term property(Condition.Filter filter) {
        Condition.FilterOp op = filter.op();
        boolean complement = op == Condition.FilterOp.NEQ || op == Condition.FilterOp.IS_NOT_SET;
        Condition.Filter positive = !complement ? filter : new Condition.Filter(filter.property(),
                op == Condition.FilterOp.NEQ ? Condition.FilterOp.EQ : Condition.FilterOp.IS_SET, filter.value());
        StringBuilder sql = new StringBuilder("SELECT person_key FROM person_properties WHERE project_key = ? AND key = ? AND ");
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        parameters.add(filter.property());
        FilterSql.predicate("json_extract_string(value, '$')", positive, sql, parameters);
        return new Term(!complement, fromFirstSeen(sql.toString(), parameters));
    }

    /** The days on which the persons of {@code persons} (current) had had an event. */
    private Fragment fromFirstSeen(String persons, List<Object> parameters) {
        return new Fragment("SELECT days.d, s.person_key FROM " + firstSeen + " s JOIN days ON s.first_ts < days.cutoff "
                + "WHERE s.person_key IN (" + persons + ")", parameters);
    }

    @Override
    Fragment everyone() {
        return new Fragment("SELECT days.d, s.person_key FROM " + firstSeen + " s JOIN days ON s.first_ts < days.cutoff", List.of());
    }

    @Override
    Fragment nobody() {
        return new Fragment("SELECT CAST(NULL AS INTEGER) AS d, CAST(NULL AS BIGINT) AS person_key WHERE false", List.of());
    }
}

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
 *
 * <p><b>Counts without pairs.</b> Pairs are one row per member and day: "did Purchased" over 90
 * days is millions of rows. When a definition is one <em>interval</em> per person (an AND of
 * conditions that each hold from one instant on, optionally until another: did at least or
 * exactly N times ever or between dates, first did, sequences, profile and identity conditions),
 * {@link #counts} instead computes each person's {@code (enter, leave)}, a member as of cutoff
 * {@code c} exactly when {@code enter < c} and not {@code leave < c}; the daily count is then a
 * running sum over one time line of the enter (+1) and leave (-1) instants and the cutoffs, one
 * row per person. (An {@code ASOF JOIN} of the instants to the cutoffs was measured slower: with
 * 90 cutoffs DuckDB plans it as a nested loop, a row per member and day again.) Other definitions (negations, OR, rolling windows, LTV) count the pairs.
 */
final class HistoryCompiler extends SetAlgebra {
    private final int projectKey;
    private final RevenueExpression revenue;
    private final String events;
    private final String times;
    private final String firstSeen;

    /**
     * @param revenue the project's revenue expression (LTV conditions sum it)
     * @param events a code-chosen relation with the columns of {@code resolved_events}, for the
     *     conditions with event-property filters and LTV
     * @param times a code-chosen relation with {@code project_key, person_key, name, ts} of the
     *     same events, for the conditions without event-property filters
     * @param firstSeen a code-chosen relation {@code (person_key, first_ts)} of every person
     */
    private HistoryCompiler(int projectKey, RevenueExpression revenue, String events, String times, String firstSeen) {
        super(List.of("d", "person_key"));
        this.projectKey = projectKey;
        this.revenue = revenue;
        this.events = events;
        this.times = times;
        this.firstSeen = firstSeen;
    }

    /**
     * {@code SELECT d, count} for cutoff indexes {@code d} (a missing d: 0). The cutoffs may come
     * in any order and repeat.
     */
    static PersonKeyQuery counts(Condition definition, int projectKey, List<Instant> cutoffs, RevenueExpression revenue, String events,
                                 String times, String firstSeen) {
        HistoryCompiler compiler = new HistoryCompiler(projectKey, revenue, events, times, firstSeen);
        List<Object> parameters = new ArrayList<>();
        String days = days(cutoffs, parameters);
        Optional<Fragment> intervals = compiler.interval(definition);
        if (intervals.isEmpty()) {
            Fragment members = compiler.members(definition);
            parameters.addAll(members.parameters());
            return new PersonKeyQuery(days + "SELECT d, count(*) FROM (" + members.sql() + ") GROUP BY d", parameters);
        }
        parameters.addAll(intervals.get().parameters());
        // enter < c counts +1; greatest(enter, leave) < c counts -1 (an empty interval cancels out)
        return new PersonKeyQuery(days + ", intervals AS (" + intervals.get().sql() + "), "
                + "marks AS (SELECT enter AS t, 1 AS delta FROM intervals "
                + "UNION ALL SELECT greatest(enter, leave) AS t, -1 AS delta FROM intervals WHERE leave IS NOT NULL), "
                // one time line of cutoffs and marks; at equal times the cutoff first (a mark at c is not before c)
                + "timeline AS (SELECT DISTINCT cutoff AS t, 0 AS kind, 0 AS delta FROM days UNION ALL SELECT t, 1 AS kind, delta FROM marks), "
                + "running AS (SELECT t, kind, sum(delta) OVER (ORDER BY t, kind ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS members "
                + "FROM timeline) "
                + "SELECT days.d, CAST(running.members AS BIGINT) FROM days JOIN running ON running.kind = 0 AND running.t = days.cutoff",
                parameters);
    }

    /** {@code SELECT d, person_key}: the members as of each cutoff index {@code d}. */
    static PersonKeyQuery members(Condition definition, int projectKey, List<Instant> cutoffs, RevenueExpression revenue, String events,
                                  String times, String firstSeen) {
        HistoryCompiler compiler = new HistoryCompiler(projectKey, revenue, events, times, firstSeen);
        List<Object> parameters = new ArrayList<>();
        String days = days(cutoffs, parameters);
        Fragment members = compiler.members(definition);
        parameters.addAll(members.parameters());
        return new PersonKeyQuery(days + "SELECT d, person_key FROM (" + members.sql() + ")", parameters);
    }

    /** {@code WITH days AS (...)} of {@code (d, cutoff)}, ending with a space. */
    private static String days(List<Instant> cutoffs, List<Object> parameters) {
        StringBuilder days = new StringBuilder("WITH days AS (SELECT * FROM (VALUES ");
        for (int i = 0; i < cutoffs.size(); i++) {
            days.append(i == 0 ? "" : ", ").append("(").append(i).append(", CAST(? AS TIMESTAMP))");
            parameters.add(cutoffs.get(i));
        }
        return days.append(") t(d, cutoff)) ").toString();
    }

    // ---- conditions ----

    /** The relation to scan for events of one name with these property filters: the narrow one when there are none. */
    private String source(List<Condition.Filter> where) {
        return where.isEmpty() ? times : events;
    }

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
            return new Term(!complement, new Fragment("SELECT days.d, e.person_key FROM " + source(did.where()) + " e JOIN days "
                    + "ON e.ts < days.cutoff AND e.ts >= days.cutoff - to_microseconds(?) WHERE " + scope
                    + " GROUP BY days.d, e.person_key HAVING count(*) " + (op == Condition.CountOp.EQ ? "=" : ">=") + " ?", parameters));
        }
        String scope = scope(did.event(), did.where(), within.map(w -> (Condition.Between) w), parameters);
        parameters.add(n);
        String nth = "SELECT person_key, list_sort(list(ts)) AS times FROM " + source(did.where()) + " WHERE " + scope
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
        String matched = sequenceStart(sequence, parameters);
        return new Fragment("SELECT days.d, s.person_key FROM (" + matched + ") s JOIN days ON s.first_ts < days.cutoff", parameters);
    }

    /** {@code (person_key, first_ts)}: the persons matching a sequence and their first F, from which it holds. */
    private String sequenceStart(Condition.Sequence sequence, List<Object> parameters) {
        String first = "SELECT person_key, min(ts) AS first_ts FROM " + times + " WHERE "
                + scope(sequence.beforeFirst(), List.of(), Optional.empty(), parameters) + " GROUP BY person_key";
        Condition.Count count = sequence.count();
        String eventScope = scope(sequence.event(), sequence.where(), Optional.empty(), parameters);
        parameters.add(count.value());
        String op = count.op() == Condition.CountOp.GTE ? ">=" : count.op() == Condition.CountOp.LTE ? "<=" : "=";
        return "SELECT f.person_key, f.first_ts FROM (" + first + ") f LEFT JOIN (SELECT person_key, ts FROM " + source(sequence.where())
                + " WHERE " + eventScope + ") e ON e.person_key = f.person_key AND e.ts < f.first_ts "
                + "GROUP BY f.person_key, f.first_ts HAVING count(e.ts) " + op + " ?";
    }

    @Override
    Fragment firstDid(Condition.FirstDid first) {
        List<Object> parameters = new ArrayList<>();
        String firsts = "SELECT person_key, min(ts) AS first_ts FROM " + source(first.where()) + " WHERE "
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

    // ---- intervals (counts without pairs) ----

    /**
     * {@code (person_key, enter, leave)}: each member's one interval, member as of {@code c} when
     * {@code enter < c} and not {@code leave < c} ({@code leave} NULL: for good), or empty when the
     * definition is not one interval per person.
     */
    Optional<Fragment> interval(Condition condition) {
        if (condition instanceof Condition.Group group) {
            if (!group.all() && group.children().size() > 1) {
                return Optional.empty();
            }
            List<Fragment> parts = new ArrayList<>();
            for (Condition child : group.children()) {
                Optional<Fragment> part = interval(child);
                if (part.isEmpty()) {
                    return Optional.empty();
                }
                parts.add(part.get());
            }
            return parts.isEmpty() ? Optional.empty() : Optional.of(intersect(parts));
        }
        if (condition instanceof Condition.Did did) {
            return didInterval(did);
        }
        if (condition instanceof Condition.FirstDid first) {
            return Optional.of(firstInterval(first));
        }
        if (condition instanceof Condition.Sequence sequence) {
            List<Object> parameters = new ArrayList<>();
            String matched = sequenceStart(sequence, parameters);
            return Optional.of(new Fragment("SELECT person_key, first_ts AS enter, CAST(NULL AS TIMESTAMP) AS leave FROM ("
                    + matched + ")", parameters));
        }
        if (condition instanceof Condition.PersonProperty property) {
            Term term = property(property.filter());
            return term.include() ? Optional.of(fromFirstSeenInterval(property)) : Optional.empty();
        }
        if (condition instanceof Condition.IdentityIs identity) {
            return Optional.of(new Fragment("SELECT person_key, first_ts AS enter, CAST(NULL AS TIMESTAMP) AS leave FROM " + firstSeen
                    + " WHERE person_key IN (SELECT person_key FROM identities WHERE project_key = ? AND identity = ?)",
                    List.of(projectKey, identity.identity())));
        }
        return Optional.empty();
    }

    /** "did E at least / exactly N times (N >= 1), ever or between dates": from the N-th event (until the N+1-th). */
    private Optional<Fragment> didInterval(Condition.Did did) {
        Condition.Count count = did.count();
        boolean rolling = did.within().isPresent() && did.within().get() instanceof Condition.Last;
        if (did.negated() || rolling || count.matchesZero() || count.op() == Condition.CountOp.LTE) {
            return Optional.empty();
        }
        List<Object> scopeParameters = new ArrayList<>();
        String scope = scope(did.event(), did.where(), did.within().map(w -> (Condition.Between) w), scopeParameters);
        long n = count.value();
        if (n == 1 && count.op() == Condition.CountOp.GTE) {
            return Optional.of(new Fragment("SELECT person_key, min(ts) AS enter, CAST(NULL AS TIMESTAMP) AS leave FROM "
                    + source(did.where()) + " WHERE " + scope + " GROUP BY person_key", scopeParameters));
        }
        List<Object> parameters = new ArrayList<>();
        parameters.add(n);
        String leave = "CAST(NULL AS TIMESTAMP)";
        if (count.op() == Condition.CountOp.EQ) {
            leave = "list_extract(times, CAST(? AS BIGINT))"; // NULL when there is no N+1-th
            parameters.add(n + 1);
        }
        parameters.addAll(scopeParameters);
        parameters.add(n);
        return Optional.of(new Fragment("SELECT person_key, list_extract(times, CAST(? AS BIGINT)) AS enter, " + leave + " AS leave FROM "
                + "(SELECT person_key, list_sort(list(ts)) AS times FROM " + source(did.where()) + " WHERE " + scope
                + " GROUP BY person_key HAVING count(*) >= ?)", parameters));
    }

    /** "first did E (in a window)": from the first E; with "in the last D", until D after it. */
    private Fragment firstInterval(Condition.FirstDid first) {
        List<Object> parameters = new ArrayList<>();
        String firsts = "SELECT person_key, min(ts) AS first_ts FROM " + source(first.where()) + " WHERE "
                + scope(first.event(), first.where(), Optional.empty(), parameters) + " GROUP BY person_key";
        if (first.within().isPresent() && first.within().get() instanceof Condition.Last last) {
            // member while first_ts < c <= first_ts + D
            List<Object> ordered = new ArrayList<>();
            ordered.add(last.duration().toNanos() / 1000);
            ordered.addAll(parameters);
            return new Fragment("SELECT person_key, first_ts AS enter, first_ts + to_microseconds(?) AS leave FROM (" + firsts + ")",
                    ordered);
        }
        String where = "";
        if (first.within().isPresent()) {
            Condition.Between between = (Condition.Between) first.within().get();
            where = " WHERE first_ts >= ? AND first_ts < ?";
            parameters.add(between.start());
            parameters.add(between.end());
        }
        return new Fragment("SELECT person_key, first_ts AS enter, CAST(NULL AS TIMESTAMP) AS leave FROM (" + firsts + ")" + where,
                parameters);
    }

    /** A positive profile condition: from the person's first event on. */
    private Fragment fromFirstSeenInterval(Condition.PersonProperty property) {
        StringBuilder sql = new StringBuilder("SELECT person_key, first_ts AS enter, CAST(NULL AS TIMESTAMP) AS leave FROM " + firstSeen
                + " WHERE person_key IN (SELECT person_key FROM person_properties WHERE project_key = ? AND key = ? AND ");
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        parameters.add(property.filter().property());
        FilterSql.predicate("json_extract_string(value, '$')", property.filter(), sql, parameters);
        return new Fragment(sql.append(")").toString(), parameters);
    }

    /** AND of intervals: persons in all of them, from the latest enter until the earliest leave. */
    private static Fragment intersect(List<Fragment> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        StringBuilder from = new StringBuilder();
        List<String> enters = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        List<Object> parameters = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String alias = "i" + i;
            from.append(i == 0 ? "" : " JOIN ").append('(').append(parts.get(i).sql()).append(") ").append(alias);
            if (i > 0) {
                from.append(" ON ").append(alias).append(".person_key = i0.person_key");
            }
            enters.add(alias + ".enter");
            leaves.add(alias + ".leave");
            parameters.addAll(parts.get(i).parameters());
        }
        // least() skips NULLs: NULL only when every part holds for good
        return new Fragment("SELECT i0.person_key, greatest(" + String.join(", ", enters) + ") AS enter, least("
                + String.join(", ", leaves) + ") AS leave FROM " + from, parameters);
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

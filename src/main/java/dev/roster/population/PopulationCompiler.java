package dev.roster.population;

import static java.util.Objects.requireNonNull;

import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a population definition into one SQL query selecting the surviving person keys of
 * its members, read from {@code resolved_events} (so merges count immediately),
 * {@code person_properties} and {@code identities}. Every user value is a bind parameter;
 * event-property names are passed as JSON pointers in parameters.
 *
 * <p>Shape: every condition becomes a set of person keys, either <em>included</em> or
 * <em>excluded</em> (the complement of a set: did_not, counts that allow 0, neq, is_not_set, …).
 * AND is {@code INTERSECT} of the included sets {@code EXCEPT} the union of the excluded ones,
 * which DuckDB runs as a hash anti-join: "3+ Viewed Pricing in 30 days and never Purchased" is
 * the same plan as the hand-written anti-join. Only a definition that is negative as a whole
 * (never valid when saved) starts from the set of all persons.
 *
 * <p>Pure: no I/O. {@code now} anchors "last N days"; an optional {@code cutoff} evaluates the
 * population as it was then (events at or after it are ignored), for the size history.
 */
public final class PopulationCompiler {
    private static final String RESOLVED_EVENTS = "resolved_events";

    private final int projectKey;
    private final Instant now;
    private final Optional<Instant> cutoff;
    /** The events relation: {@code resolved_events}, or a pre-filtered copy of it (size history). */
    private final String events;
    /** A relation {@code (person_key, first_ts)} of every person's first event, if one was prepared. */
    private final Optional<String> firstSeen;

    private PopulationCompiler(int projectKey, Instant now, Optional<Instant> cutoff, String events, Optional<String> firstSeen) {
        this.projectKey = projectKey;
        this.now = requireNonNull(now, "now is null");
        this.cutoff = requireNonNull(cutoff, "cutoff is null");
        this.events = requireNonNull(events, "events is null");
        this.firstSeen = requireNonNull(firstSeen, "firstSeen is null");
    }

    /** The members now, against all current data. */
    public static PersonKeyQuery compile(Condition definition, int projectKey, Instant now) {
        return new PopulationCompiler(projectKey, now, Optional.empty(), RESOLVED_EVENTS, Optional.empty()).root(definition);
    }

    /**
     * The members as of {@code asOf}: only events before it count, "last N days" ends there, and
     * only persons who had an event before it are members. Profiles and identities are current
     * (their history is not kept).
     */
    public static PersonKeyQuery compileAsOf(Condition definition, int projectKey, Instant asOf) {
        return compileAsOf(definition, projectKey, asOf, RESOLVED_EVENTS, Optional.empty());
    }

    /**
     * As {@link #compileAsOf(Condition, int, Instant)}, reading {@code events} (a code-chosen
     * relation with the columns of {@code resolved_events}, holding at least the events the
     * definition looks at) and, when given, {@code firstSeen} {@code (person_key, first_ts)}.
     */
    static PersonKeyQuery compileAsOf(Condition definition, int projectKey, Instant asOf, String events, Optional<String> firstSeen) {
        PopulationCompiler compiler = new PopulationCompiler(projectKey, asOf, Optional.of(asOf), events, firstSeen);
        PersonKeyQuery members = compiler.root(definition);
        if (PopulationRules.isPositive(definition) && !readsProfile(definition)) {
            return members; // every included set needs an event before the cutoff: members existed then
        }
        Fragment existed = compiler.existed();
        List<Object> parameters = new ArrayList<>(members.parameters());
        parameters.addAll(existed.parameters);
        return new PersonKeyQuery("SELECT person_key FROM (" + members.sql() + ") INTERSECT SELECT person_key FROM ("
                + existed.sql + ")", parameters);
    }

    /** {@code SELECT count(*)} over the members. */
    public static PersonKeyQuery count(PersonKeyQuery members) {
        return new PersonKeyQuery("SELECT count(*) FROM (" + members.sql() + ")", members.parameters());
    }

    private PersonKeyQuery root(Condition definition) {
        Term term = term(definition);
        if (term.include) {
            return new PersonKeyQuery(term.fragment.sql, term.fragment.parameters);
        }
        Fragment everyone = everyone();
        return new PersonKeyQuery(everyone.sql + " EXCEPT SELECT person_key FROM ("
                + term.fragment.sql + ")", concat(everyone.parameters, term.fragment.parameters));
    }

    /** A set of person keys and whether the condition is that set or its complement. */
    private record Term(boolean include, Fragment fragment) {
        Term negate() {
            return new Term(!include, fragment);
        }
    }

    /** SQL selecting one column {@code person_key}, with its parameters in textual order. */
    private record Fragment(String sql, List<Object> parameters) {
    }

    private Term term(Condition condition) {
        if (condition instanceof Condition.Group group) {
            return group(group);
        }
        if (condition instanceof Condition.Did did) {
            Term term = did(did);
            return did.negated() ? term.negate() : term;
        }
        if (condition instanceof Condition.Sequence sequence) {
            return new Term(true, sequence(sequence));
        }
        if (condition instanceof Condition.FirstDid first) {
            return new Term(true, firstDid(first));
        }
        if (condition instanceof Condition.PersonProperty property) {
            return property(property.filter());
        }
        if (condition instanceof Condition.Ltv ltv) {
            return ltv(ltv);
        }
        if (condition instanceof Condition.IdentityIs identity) {
            return new Term(true, new Fragment("SELECT DISTINCT person_key FROM identities WHERE project_key = ? AND identity = ?",
                    List.of(projectKey, identity.identity())));
        }
        throw new IllegalArgumentException("unknown condition " + condition);
    }

    private Term group(Condition.Group group) {
        List<Fragment> included = new ArrayList<>();
        List<Fragment> excluded = new ArrayList<>();
        for (Condition child : group.children()) {
            Term term = term(child);
            (term.include ? included : excluded).add(term.fragment);
        }
        if (group.all()) {
            // A ∩ B ∩ ¬C ∩ ¬D = (A ∩ B) \ (C ∪ D); without A, B it is ¬(C ∪ D).
            if (included.isEmpty()) {
                return new Term(false, combine(excluded, "UNION"));
            }
            return new Term(true, minus(combine(included, "INTERSECT"), excluded));
        }
        // A ∪ B ∪ ¬C ∪ ¬D = ¬((C ∩ D) \ (A ∪ B)).
        if (excluded.isEmpty()) {
            return new Term(true, combine(included, "UNION"));
        }
        return new Term(false, minus(combine(excluded, "INTERSECT"), included));
    }

    /** {@code from} without anyone in {@code subtract}: one hash anti-join per subtracted set. */
    private static Fragment minus(Fragment from, List<Fragment> subtract) {
        if (subtract.isEmpty()) {
            return from;
        }
        StringBuilder sql = new StringBuilder("SELECT person_key FROM (" + from.sql + ") keep WHERE ");
        List<Object> parameters = new ArrayList<>(from.parameters);
        for (int i = 0; i < subtract.size(); i++) {
            if (i > 0) {
                sql.append(" AND ");
            }
            sql.append("NOT EXISTS (SELECT 1 FROM (").append(subtract.get(i).sql).append(") drop_").append(i)
                    .append(" WHERE drop_").append(i).append(".person_key = keep.person_key)");
            parameters.addAll(subtract.get(i).parameters);
        }
        return new Fragment(sql.toString(), parameters);
    }

    private static Fragment combine(List<Fragment> fragments, String operator) {
        if (fragments.size() == 1) {
            return fragments.get(0);
        }
        StringBuilder sql = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        for (Fragment fragment : fragments) {
            if (sql.length() > 0) {
                sql.append(' ').append(operator).append(' ');
            }
            sql.append("SELECT person_key FROM (").append(fragment.sql).append(')');
            parameters.addAll(fragment.parameters);
        }
        return new Fragment(sql.toString(), parameters);
    }

    // ---- events ----

    /** WHERE clause (without "WHERE") over the project's events of one name, before the cutoff. */
    private void eventScope(StringBuilder sql, List<Object> parameters, String event, List<Condition.Filter> where) {
        sql.append("project_key = ? AND name = ?");
        parameters.add(projectKey);
        parameters.add(event);
        cutoff.ifPresent(at -> {
            sql.append(" AND ts < ?");
            parameters.add(at);
        });
        for (Condition.Filter filter : where) {
            sql.append(" AND ");
            FilterSql.eventProperty(filter, sql, parameters);
        }
    }

    private void windowScope(StringBuilder sql, List<Object> parameters, Optional<Condition.Window> within) {
        if (within.isEmpty()) {
            return;
        }
        Instant[] bounds = bounds(within.get());
        sql.append(" AND ts >= ? AND ts < ?");
        parameters.add(bounds[0]);
        parameters.add(bounds[1]);
    }

    /** The half-open {@code [start, end)} of a window, relative to {@code now} for "last N". */
    Instant[] bounds(Condition.Window window) {
        if (window instanceof Condition.Last last) {
            return new Instant[] {now.minus(last.duration()), now.plus(1, ChronoUnit.MICROS)};
        }
        Condition.Between between = (Condition.Between) window;
        return new Instant[] {between.start(), between.end()};
    }

    private Term did(Condition.Did did) {
        StringBuilder scope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(scope, parameters, did.event(), did.where());
        windowScope(scope, parameters, did.within());
        Condition.Count count = did.count();
        if (count.matchesZero()) {
            // gte 0: everyone; lte N: not (more than N); eq 0: not (at least once).
            if (count.op() == Condition.CountOp.GTE) {
                return new Term(false, nobody());
            }
            if (count.op() == Condition.CountOp.EQ) {
                return new Term(false, new Fragment("SELECT " + (did.negated() ? "DISTINCT " : "") + "person_key FROM " + events
                        + " WHERE " + scope, parameters));
            }
            parameters.add(count.value());
            return new Term(false, new Fragment("SELECT person_key FROM " + events + " WHERE " + scope
                    + " GROUP BY person_key HAVING count(*) > ?", parameters));
        }
        if (count.op() == Condition.CountOp.GTE && count.value() == 1) {
            // Excluded sets only feed anti-joins and set operations, which need no DISTINCT.
            return new Term(true, new Fragment("SELECT " + (did.negated() ? "" : "DISTINCT ") + "person_key FROM " + events
                    + " WHERE " + scope, parameters));
        }
        parameters.add(count.value());
        return new Term(true, new Fragment("SELECT person_key FROM " + events + " WHERE " + scope
                + " GROUP BY person_key HAVING count(*) " + (count.op() == Condition.CountOp.GTE ? ">=" : "=") + " ?", parameters));
    }

    private Fragment sequence(Condition.Sequence sequence) {
        StringBuilder firstScope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(firstScope, parameters, sequence.beforeFirst(), List.of());
        String first = "SELECT person_key, min(ts) AS first_ts FROM " + events + " WHERE " + firstScope + " GROUP BY person_key";
        Condition.Count count = sequence.count();
        if (count.op() == Condition.CountOp.GTE && count.value() == 0) {
            return new Fragment("SELECT person_key FROM (" + first + ")", parameters);
        }
        StringBuilder eventScope = new StringBuilder();
        eventScope(eventScope, parameters, sequence.event(), sequence.where());
        String join = count.matchesZero() ? "LEFT JOIN" : "JOIN";
        parameters.add(count.value());
        String op = count.op() == Condition.CountOp.GTE ? ">=" : count.op() == Condition.CountOp.LTE ? "<=" : "=";
        return new Fragment("SELECT f.person_key FROM (" + first + ") f " + join + " (SELECT person_key, ts FROM " + events
                + " WHERE " + eventScope + ") e ON e.person_key = f.person_key AND e.ts < f.first_ts "
                + "GROUP BY f.person_key HAVING count(e.ts) " + op + " ?", parameters);
    }

    private Fragment firstDid(Condition.FirstDid first) {
        StringBuilder scope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(scope, parameters, first.event(), first.where());
        if (first.within().isEmpty()) {
            return new Fragment("SELECT DISTINCT person_key FROM " + events + " WHERE " + scope, parameters);
        }
        Instant[] bounds = bounds(first.within().get());
        parameters.add(bounds[0]);
        parameters.add(bounds[1]);
        return new Fragment("SELECT person_key FROM " + events + " WHERE " + scope
                + " GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?", parameters);
    }

    private Term ltv(Condition.Ltv ltv) {
        StringBuilder sql = new StringBuilder("SELECT person_key FROM " + events + " WHERE project_key = ?");
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        cutoff.ifPresent(at -> {
            sql.append(" AND ts < ?");
            parameters.add(at);
        });
        sql.append(" AND ").append(Sql.REVENUE).append(" IS NOT NULL GROUP BY person_key HAVING sum(")
                .append(Sql.REVENUE).append(") ");
        parameters.add(ltv.value());
        // A person without revenue has LTV 0: when 0 satisfies the condition it is a complement.
        boolean zeroMatches = ltv.greater() ? 0 > ltv.value() : 0 < ltv.value();
        if (ltv.greater()) {
            sql.append(zeroMatches ? "<= ?" : "> ?");
        } else {
            sql.append(zeroMatches ? ">= ?" : "< ?");
        }
        return new Term(!zeroMatches, new Fragment(sql.toString(), parameters));
    }

    // ---- profile ----

    private Term property(Condition.Filter filter) {
        Condition.FilterOp op = filter.op();
        boolean complement = op == Condition.FilterOp.NEQ || op == Condition.FilterOp.IS_NOT_SET;
        Condition.Filter positive = !complement ? filter : new Condition.Filter(filter.property(),
                op == Condition.FilterOp.NEQ ? Condition.FilterOp.EQ : Condition.FilterOp.IS_SET, filter.value());
        StringBuilder sql = new StringBuilder("SELECT DISTINCT person_key FROM person_properties WHERE project_key = ? AND key = ? AND ");
        List<Object> parameters = new ArrayList<>();
        parameters.add(projectKey);
        parameters.add(filter.property());
        FilterSql.predicate("json_extract_string(value, '$')", positive, sql, parameters);
        return new Term(!complement, new Fragment(sql.toString(), parameters));
    }

    private Fragment everyone() {
        return new Fragment("SELECT DISTINCT person_key FROM identities WHERE project_key = ?", List.of(projectKey));
    }

    private Fragment existed() {
        if (firstSeen.isPresent()) {
            return new Fragment("SELECT person_key FROM " + firstSeen.get() + " WHERE first_ts < ?", List.of(cutoff.orElseThrow()));
        }
        return new Fragment("SELECT DISTINCT person_key FROM " + RESOLVED_EVENTS + " WHERE project_key = ? AND ts < ?",
                List.of(projectKey, cutoff.orElseThrow()));
    }

    private static Fragment nobody() {
        return new Fragment("SELECT person_key FROM identities WHERE false", List.of());
    }

    /** Every event name a definition looks at. */
    static java.util.Set<String> eventNames(Condition condition) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        collect(condition, names);
        return names;
    }

    private static void collect(Condition condition, java.util.Set<String> names) {
        if (condition instanceof Condition.Group group) {
            group.children().forEach(child -> collect(child, names));
        } else if (condition instanceof Condition.Did did) {
            names.add(did.event());
        } else if (condition instanceof Condition.Sequence sequence) {
            names.add(sequence.event());
            names.add(sequence.beforeFirst());
        } else if (condition instanceof Condition.FirstDid first) {
            names.add(first.event());
        }
    }

    /** Whether a definition has a condition on the profile or identities (which have no history). */
    static boolean readsProfile(Condition condition) {
        if (condition instanceof Condition.Group group) {
            return group.children().stream().anyMatch(PopulationCompiler::readsProfile);
        }
        return condition instanceof Condition.PersonProperty || condition instanceof Condition.IdentityIs;
    }

    /** Whether a definition has an LTV condition (which reads every revenue event). */
    static boolean usesRevenue(Condition condition) {
        if (condition instanceof Condition.Group group) {
            return group.children().stream().anyMatch(PopulationCompiler::usesRevenue);
        }
        return condition instanceof Condition.Ltv;
    }

    private static List<Object> concat(List<Object> first, List<Object> second) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}

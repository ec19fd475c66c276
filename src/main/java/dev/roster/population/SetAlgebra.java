package dev.roster.population;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of population compilation that does not depend on what a "set" is: the dispatch over
 * the condition types and the AND/OR algebra. {@link PopulationCompiler} works on sets of
 * {@code person_key} (the members now, or as of one instant); {@link HistoryCompiler} on sets of
 * {@code (d, person_key)} (the members as of each of several instants). Each supplies the SQL of
 * the leaves.
 *
 * <p>Every condition becomes a set, either <em>included</em> or <em>excluded</em> (the complement
 * of a set: did_not, counts that allow 0, neq, is_not_set, …). AND is {@code INTERSECT} of the
 * included sets minus the union of the excluded ones, which DuckDB runs as hash anti-joins
 * ({@code NOT EXISTS}): "3+ Viewed Pricing in 30 days and never Purchased" is the plan of the
 * hand-written anti-join. OR is {@code UNION}, or the complement of "every excluded set minus the
 * included ones". Only a definition that is negative as a whole (never valid when saved) starts
 * from the set of all persons.
 */
abstract class SetAlgebra {
    /** The key columns of every set, e.g. {@code person_key}, or {@code d} and {@code person_key}. */
    private final List<String> keys;

    SetAlgebra(List<String> keys) {
        this.keys = List.copyOf(keys);
    }

    /** SQL selecting exactly the key columns, with its parameters in textual order. */
    record Fragment(String sql, List<Object> parameters) {
        Fragment {
            requireNonNull(sql, "sql is null");
            parameters = List.copyOf(parameters);
        }
    }

    /** A set and whether the condition is that set or its complement. */
    record Term(boolean include, Fragment fragment) {
        Term negate() {
            return new Term(!include, fragment);
        }
    }

    // ---- the leaves, supplied by each compiler ----

    /** "did E" with its count, read as if not negated (the negation is applied by {@link #term}). */
    abstract Term did(Condition.Did did);

    abstract Fragment sequence(Condition.Sequence sequence);

    abstract Fragment firstDid(Condition.FirstDid first);

    abstract Term property(Condition.Filter filter);

    abstract Term ltv(Condition.Ltv ltv);

    abstract Fragment identity(Condition.IdentityIs identity);

    /** Every person (the universe a complement is taken in). */
    abstract Fragment everyone();

    /** The empty set. */
    abstract Fragment nobody();

    // ---- the algebra ----

    /** The members of a whole definition: its set, or everyone without its set when it is a complement. */
    final Fragment members(Condition definition) {
        Term term = term(definition);
        return term.include() ? term.fragment() : minus(everyone(), List.of(term.fragment()));
    }

    final Term term(Condition condition) {
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
            return new Term(true, identity(identity));
        }
        throw new IllegalArgumentException("unknown condition " + condition);
    }

    private Term group(Condition.Group group) {
        List<Fragment> included = new ArrayList<>();
        List<Fragment> excluded = new ArrayList<>();
        for (Condition child : group.children()) {
            Term term = term(child);
            (term.include() ? included : excluded).add(term.fragment());
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

    private Fragment combine(List<Fragment> fragments, String operator) {
        if (fragments.size() == 1) {
            return fragments.get(0);
        }
        StringBuilder sql = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        for (Fragment fragment : fragments) {
            if (sql.length() > 0) {
                sql.append(' ').append(operator).append(' ');
            }
            sql.append("SELECT ").append(String.join(", ", keys)).append(" FROM (").append(fragment.sql()).append(')');
            parameters.addAll(fragment.parameters());
        }
        return new Fragment(sql.toString(), parameters);
    }

    /** {@code from} without the rows in any of {@code subtract}: one hash anti-join per subtracted set. */
    final Fragment minus(Fragment from, List<Fragment> subtract) {
        if (subtract.isEmpty()) {
            return from;
        }
        StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", keys)).append(" FROM (").append(from.sql())
                .append(") keep WHERE ");
        List<Object> parameters = new ArrayList<>(from.parameters());
        for (int i = 0; i < subtract.size(); i++) {
            String alias = "drop_" + i;
            sql.append(i > 0 ? " AND " : "").append("NOT EXISTS (SELECT 1 FROM (").append(subtract.get(i).sql()).append(") ")
                    .append(alias).append(" WHERE ");
            for (int k = 0; k < keys.size(); k++) {
                sql.append(k > 0 ? " AND " : "").append(alias).append('.').append(keys.get(k)).append(" = keep.").append(keys.get(k));
            }
            sql.append(')');
            parameters.addAll(subtract.get(i).parameters());
        }
        return new Fragment(sql.toString(), parameters);
    }

    static List<Object> concat(List<Object> first, List<Object> second) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}

package dev.roster.population;

import static java.util.Objects.requireNonNull;

import dev.roster.revenue.RevenueExpression;
import dev.roster.store.PersonKeyQuery;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a population definition into one SQL query selecting the surviving person keys of
 * its members, read from {@code resolved_events} (so merges count immediately),
 * {@code person_properties} and {@code identities}. Event conditions without property filters read
 * {@code resolved_occurrences} instead (the same events' project, name, person and time, stored
 * sorted by name): "3+ Viewed Pricing in 30 days" then reads the row groups of that event, not a
 * column of every event. Every user value is a bind parameter;
 * event-property names are passed as JSON pointers in parameters. The AND/OR algebra is
 * {@link SetAlgebra}'s; this class writes the leaves as sets of {@code person_key}.
 *
 * <p>Lifetime value is the sum of the project's revenue expression ({@link RevenueExpression}:
 * its configured property and billing events), as in the revenue report.
 *
 * <p>Pure: no I/O. {@code now} anchors "last N days"; an optional {@code cutoff} evaluates the
 * population as it was then (events at or after it are ignored), for the size history.
 */
public final class PopulationCompiler extends SetAlgebra {
    private static final String RESOLVED_EVENTS = "resolved_events";
    /** The events' (project_key, person_key, name, ts) only, sorted by name and time per run (V10). */
    private static final String RESOLVED_EVENT_TIMES = "resolved_occurrences";

    private final int projectKey;
    private final Instant now;
    private final Optional<Instant> cutoff;
    private final RevenueExpression revenue;
    /** The events relation: {@code resolved_events}, or a pre-filtered copy of it (size history). */
    private final String events;
    /**
     * A relation with the {@code project_key, person_key, name, ts} of the same events, read by the
     * scans that need no event property: {@code resolved_occurrences}, whose zone maps on name
     * skip the row groups of other events, or {@link #events} itself.
     */
    private final String times;
    /** A relation {@code (person_key, first_ts)} of every person's first event, if one was prepared. */
    private final Optional<String> firstSeen;

    private PopulationCompiler(int projectKey, Instant now, Optional<Instant> cutoff, RevenueExpression revenue, String events,
                               String times, Optional<String> firstSeen) {
        super(List.of("person_key"));
        this.projectKey = projectKey;
        this.now = requireNonNull(now, "now is null");
        this.cutoff = requireNonNull(cutoff, "cutoff is null");
        this.revenue = requireNonNull(revenue, "revenue is null");
        this.events = requireNonNull(events, "events is null");
        this.times = requireNonNull(times, "times is null");
        this.firstSeen = requireNonNull(firstSeen, "firstSeen is null");
    }

    /** The members now, against all current data; LTV sums {@code revenue}. */
    public static PersonKeyQuery compile(Condition definition, int projectKey, Instant now, RevenueExpression revenue) {
        Fragment members = new PopulationCompiler(projectKey, now, Optional.empty(), revenue, RESOLVED_EVENTS, RESOLVED_EVENT_TIMES,
                Optional.empty())
                .members(definition);
        return new PersonKeyQuery(members.sql(), members.parameters());
    }

    /**
     * The members as of {@code asOf}: only events before it count, "last N days" ends there, and
     * only persons who had an event before it are members. Profiles and identities are current
     * (their history is not kept).
     */
    public static PersonKeyQuery compileAsOf(Condition definition, int projectKey, Instant asOf, RevenueExpression revenue) {
        PopulationCompiler compiler = new PopulationCompiler(projectKey, asOf, Optional.of(asOf), revenue, RESOLVED_EVENTS,
                RESOLVED_EVENT_TIMES, Optional.empty());
        return compiler.asOf(definition);
    }

    /**
     * As {@link #compileAsOf(Condition, int, Instant, RevenueExpression)}, reading {@code events}
     * (a code-chosen relation with the columns of {@code resolved_events}, holding at least the
     * events the definition looks at) and, when given, {@code firstSeen} {@code (person_key, first_ts)}.
     */
    static PersonKeyQuery compileAsOf(Condition definition, int projectKey, Instant asOf, RevenueExpression revenue, String events,
                                      Optional<String> firstSeen) {
        return new PopulationCompiler(projectKey, asOf, Optional.of(asOf), revenue, events, events, firstSeen).asOf(definition);
    }

    private PersonKeyQuery asOf(Condition definition) {
        Fragment members = members(definition);
        if (PopulationRules.isPositive(definition) && !readsProfile(definition)) {
            // every included set needs an event before the cutoff: members existed then
            return new PersonKeyQuery(members.sql(), members.parameters());
        }
        Fragment existed = existed();
        return new PersonKeyQuery("SELECT person_key FROM (" + members.sql() + ") INTERSECT SELECT person_key FROM ("
                + existed.sql() + ")", concat(members.parameters(), existed.parameters()));
    }

    /** {@code SELECT count(*)} over the members. */
    public static PersonKeyQuery count(PersonKeyQuery members) {
        return new PersonKeyQuery("SELECT count(*) FROM (" + members.sql() + ")", members.parameters());
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

    /** The relation to scan for events of one name with these property filters: the narrow one when there are none. */
    private String source(List<Condition.Filter> where) {
        return where.isEmpty() ? times : events;
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

    @Override
    Term did(Condition.Did did) {
        StringBuilder scope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(scope, parameters, did.event(), did.where());
        windowScope(scope, parameters, did.within());
        String from = source(did.where());
        Condition.Count count = did.count();
        if (count.matchesZero()) {
            // gte 0: everyone; lte N: not (more than N); eq 0: not (at least once).
            if (count.op() == Condition.CountOp.GTE) {
                return new Term(false, nobody());
            }
            if (count.op() == Condition.CountOp.EQ) {
                return new Term(false, new Fragment("SELECT " + (did.negated() ? "DISTINCT " : "") + "person_key FROM " + from
                        + " WHERE " + scope, parameters));
            }
            parameters.add(count.value());
            return new Term(false, new Fragment("SELECT person_key FROM " + from + " WHERE " + scope
                    + " GROUP BY person_key HAVING count(*) > ?", parameters));
        }
        if (count.op() == Condition.CountOp.GTE && count.value() == 1) {
            // Excluded sets only feed anti-joins and set operations, which need no DISTINCT.
            return new Term(true, new Fragment("SELECT " + (did.negated() ? "" : "DISTINCT ") + "person_key FROM " + from
                    + " WHERE " + scope, parameters));
        }
        parameters.add(count.value());
        return new Term(true, new Fragment("SELECT person_key FROM " + from + " WHERE " + scope
                + " GROUP BY person_key HAVING count(*) " + (count.op() == Condition.CountOp.GTE ? ">=" : "=") + " ?", parameters));
    }

    @Override
    Fragment sequence(Condition.Sequence sequence) {
        StringBuilder firstScope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(firstScope, parameters, sequence.beforeFirst(), List.of());
        String first = "SELECT person_key, min(ts) AS first_ts FROM " + times + " WHERE " + firstScope + " GROUP BY person_key";
        Condition.Count count = sequence.count();
        if (count.op() == Condition.CountOp.GTE && count.value() == 0) {
            return new Fragment("SELECT person_key FROM (" + first + ")", parameters);
        }
        StringBuilder eventScope = new StringBuilder();
        eventScope(eventScope, parameters, sequence.event(), sequence.where());
        String join = count.matchesZero() ? "LEFT JOIN" : "JOIN";
        parameters.add(count.value());
        String op = count.op() == Condition.CountOp.GTE ? ">=" : count.op() == Condition.CountOp.LTE ? "<=" : "=";
        return new Fragment("SELECT f.person_key FROM (" + first + ") f " + join + " (SELECT person_key, ts FROM " + source(sequence.where())
                + " WHERE " + eventScope + ") e ON e.person_key = f.person_key AND e.ts < f.first_ts "
                + "GROUP BY f.person_key HAVING count(e.ts) " + op + " ?", parameters);
    }

    @Override
    Fragment firstDid(Condition.FirstDid first) {
        StringBuilder scope = new StringBuilder();
        List<Object> parameters = new ArrayList<>();
        eventScope(scope, parameters, first.event(), first.where());
        if (first.within().isEmpty()) {
            return new Fragment("SELECT DISTINCT person_key FROM " + source(first.where()) + " WHERE " + scope, parameters);
        }
        Instant[] bounds = bounds(first.within().get());
        parameters.add(bounds[0]);
        parameters.add(bounds[1]);
        return new Fragment("SELECT person_key FROM " + source(first.where()) + " WHERE " + scope
                + " GROUP BY person_key HAVING min(ts) >= ? AND min(ts) < ?", parameters);
    }

    @Override
    Term ltv(Condition.Ltv ltv) {
        List<Object> parameters = new ArrayList<>(revenue.parameters());
        StringBuilder sql = new StringBuilder("SELECT person_key FROM (SELECT person_key, " + revenue.sql() + " AS amount FROM "
                + events + " WHERE project_key = ?");
        parameters.add(projectKey);
        cutoff.ifPresent(at -> {
            sql.append(" AND ts < ?");
            parameters.add(at);
        });
        sql.append(") WHERE amount IS NOT NULL GROUP BY person_key HAVING sum(amount) ");
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

    // ---- profile and identities ----

    @Override
    Term property(Condition.Filter filter) {
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

    @Override
    Fragment identity(Condition.IdentityIs identity) {
        return new Fragment("SELECT DISTINCT person_key FROM identities WHERE project_key = ? AND identity = ?",
                List.of(projectKey, identity.identity()));
    }

    @Override
    Fragment everyone() {
        return new Fragment("SELECT DISTINCT person_key FROM identities WHERE project_key = ?", List.of(projectKey));
    }

    @Override
    Fragment nobody() {
        return new Fragment("SELECT person_key FROM identities WHERE false", List.of());
    }

    private Fragment existed() {
        if (firstSeen.isPresent()) {
            return new Fragment("SELECT person_key FROM " + firstSeen.get() + " WHERE first_ts < ?", List.of(cutoff.orElseThrow()));
        }
        return new Fragment("SELECT DISTINCT person_key FROM " + times + " WHERE project_key = ? AND ts < ?",
                List.of(projectKey, cutoff.orElseThrow()));
    }

    // ---- what a definition reads ----

    /** Every event name a definition looks at with event-property filters (the scans that read {@code properties}). */
    static java.util.Set<String> filteredEventNames(Condition condition) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        collect(condition, names);
        return names;
    }

    private static void collect(Condition condition, java.util.Set<String> names) {
        if (condition instanceof Condition.Group group) {
            group.children().forEach(child -> collect(child, names));
        } else if (condition instanceof Condition.Did did && !did.where().isEmpty()) {
            names.add(did.event());
        } else if (condition instanceof Condition.Sequence sequence && !sequence.where().isEmpty()) {
            names.add(sequence.event());
        } else if (condition instanceof Condition.FirstDid first && !first.where().isEmpty()) {
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
}

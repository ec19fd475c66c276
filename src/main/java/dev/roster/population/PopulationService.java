package dev.roster.population;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.people.PeopleSearch;
import dev.roster.people.PersonStats;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Saved populations: CRUD, counts, members, size over time, and the {@link PopulationResolver}
 * that reports, people search and exports use. Dynamic populations are compiled to SQL on every
 * use with the injected clock, so they are always current; static ones follow merges.
 *
 * <p>Thread safety: stateless apart from the database, whose writer connection it locks for writes.
 */
public final class PopulationService implements PopulationResolver {
    public static final int MAX_NAME_LENGTH = 200;
    public static final int MAX_HISTORY_DAYS = 366;
    public static final int MAX_STATIC_PEOPLE = 1_000_000;
    /** Up to this many members, {@link #members(Project, String)} hands reports the evaluated keys. */
    static final int MAX_EVALUATED_MEMBERS = 250_000;
    private static final String HISTORY_EVENTS = "temp.population_history_events";
    private static final String HISTORY_FIRST_SEEN = "temp.population_history_first_seen";
    /** The events' (project, person, name, time), sorted by name and time (V10): what unfiltered conditions read. */
    private static final String EVENT_TIMES = "resolved_occurrences";
    /** Passed to the compilers for definitions without an LTV condition, which never read it. */
    private static final RevenueExpression UNUSED_REVENUE = RevenueExpression.of(RevenueConfig.DEFAULT);

    private final Database database;
    private final PeopleSearch search;
    private final RevenueSettings revenue;
    private final Clock clock;

    public PopulationService(Database database, PeopleSearch search, RevenueSettings revenue, Clock clock) {
        this.database = requireNonNull(database, "database is null");
        this.search = requireNonNull(search, "search is null");
        this.revenue = requireNonNull(revenue, "revenue is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The project's revenue expression (its configured property and billing events): what LTV sums. */
    public RevenueExpression revenue(Project project) {
        return revenue.expression(project);
    }

    /** The revenue expression a definition needs: the project's when it has an LTV condition (read only then). */
    private RevenueExpression revenueFor(Project project, Condition definition) {
        return PopulationCompiler.usesRevenue(definition) ? revenue(project) : UNUSED_REVENUE;
    }

    // ---- PopulationResolver ----

    /**
     * The members, evaluated once now into a list of keys bound as one parameter: a report uses
     * its population in several places (every funnel step's scan, each breakdown group), and
     * DuckDB would evaluate an inlined definition at each of them. Above
     * {@value #MAX_EVALUATED_MEMBERS} members the definition's SQL itself is returned.
     */
    @Override
    public PersonKeyQuery members(Project project, String populationId) {
        PersonKeyQuery members = members(project, require(project, populationId));
        List<Long> keys = database.read(connection -> {
            List<Long> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT person_key FROM (" + members.sql() + ") LIMIT ?")) {
                Sql.bind(statement, 1, SetAlgebra.concat(members.parameters(), List.of(MAX_EVALUATED_MEMBERS + 1)));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        found.add(rows.getLong(1));
                    }
                }
            }
            return found;
        });
        if (keys.size() > MAX_EVALUATED_MEMBERS) {
            return members;
        }
        return new PersonKeyQuery("SELECT unnest(from_json(?, '[\"BIGINT\"]')) AS person_key", List.of(Json.write(keys)));
    }

    @Override
    public String name(Project project, String populationId) {
        return require(project, populationId).name();
    }

    // ---- definitions and counts ----

    /** Parses and validates a definition (400 with the offending path). */
    public Condition parse(Project project, JsonNode definition) {
        return DefinitionParser.parse(definition, project.timeZone());
    }

    /** The member count of an unsaved definition. */
    public long preview(Project project, JsonNode definition) {
        Condition condition = parse(project, definition);
        return count(PopulationCompiler.compile(condition, project.key(), clock.instant(), revenueFor(project, condition)));
    }

    public long count(Project project, Population population) {
        return count(members(project, population));
    }

    public long count(PersonKeyQuery members) {
        PersonKeyQuery count = PopulationCompiler.count(members);
        return database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(count.sql())) {
                Sql.bind(statement, 1, count.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    PersonKeyQuery members(Project project, Population population) {
        if (population.isStatic()) {
            return staticMembers(project, population.id());
        }
        Condition definition = parse(project, population.definition());
        return PopulationCompiler.compile(definition, project.key(), clock.instant(), revenueFor(project, definition));
    }

    private static PersonKeyQuery staticMembers(Project project, String id) {
        return new PersonKeyQuery("SELECT DISTINCT coalesce(m.to_key, s.person_key) AS person_key FROM population_members s "
                + "LEFT JOIN person_merges m ON m.project_key = s.project_key AND m.from_key = s.person_key "
                + "WHERE s.project_key = ? AND s.population_id = ? "
                + "AND coalesce(m.to_key, s.person_key) IN (SELECT person_key FROM identities WHERE project_key = ?)",
                List.of(project.key(), id, project.key()));
    }

    // ---- CRUD ----

    public Population create(Project project, String name, JsonNode definition) {
        String checkedName = checkName(project, name, Optional.empty());
        parse(project, definition);
        String id = newId();
        Instant now = clock.instant();
        write(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO populations VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                Sql.bind(insert, 1, List.of(project.key(), id, checkedName, Population.DYNAMIC, Json.write(definition), now, now));
                insert.execute();
            }
            return null;
        });
        Population population = require(project, id);
        return population.withCount(count(project, population));
    }

    /** "Save report people as a population": a fixed list of person ids (merged-away ids follow their survivor). */
    public Population createStatic(Project project, String name, List<String> personIds) {
        String checkedName = checkName(project, name, Optional.empty());
        Set<Long> keys = resolvePersons(project, personIds);
        String id = newId();
        Instant now = clock.instant();
        write(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO populations VALUES (?, ?, ?, ?, NULL, ?, ?)")) {
                Sql.bind(insert, 1, List.of(project.key(), id, checkedName, Population.STATIC, now, now));
                insert.execute();
            }
            try (DuckDBAppender appender = ((DuckDBConnection) connection).createAppender("population_members")) {
                for (long key : keys) {
                    appender.beginRow().append(project.key()).append(id).append(key).endRow();
                }
            }
            return null;
        });
        Population population = require(project, id);
        return population.withCount(count(project, population));
    }

    public List<Population> list(Project project, boolean withCounts) {
        List<Population> populations = database.read(connection -> {
            List<Population> found = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT id, name, kind, definition, created_at, updated_at FROM populations WHERE project_key = ? ORDER BY name, id")) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        found.add(population(rows));
                    }
                }
            }
            return found;
        });
        if (!withCounts) {
            return populations;
        }
        return populations.stream().map(p -> p.withCount(count(project, p))).toList();
    }

    public Optional<Population> find(Project project, String id) {
        return database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT id, name, kind, definition, created_at, updated_at FROM populations WHERE project_key = ? AND id = ?")) {
                statement.setInt(1, project.key());
                statement.setString(2, id);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(population(rows)) : Optional.<Population>empty();
                }
            }
        });
    }

    public Population require(Project project, String id) {
        return find(project, id).orElseThrow(() ->
                new RosterException(ErrorCode.NOT_FOUND, "no population with id '" + id + "'"));
    }

    /** Renames and/or redefines; a static population takes a new people list instead of a definition. */
    public Population update(Project project, String id, Optional<String> name, Optional<JsonNode> definition,
                             Optional<List<String>> people) {
        Population existing = require(project, id);
        String newName = name.isPresent() ? checkName(project, name.get(), Optional.of(id)) : existing.name();
        if (existing.isStatic() && definition.isPresent()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "population '" + id + "' is a static list of people; "
                    + "send \"people\" to replace it, or create a new population with a definition");
        }
        if (!existing.isStatic() && people.isPresent()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "population '" + id + "' is defined by conditions; "
                    + "send \"definition\" to change it");
        }
        definition.ifPresent(d -> parse(project, d));
        Optional<Set<Long>> keys = people.map(ids -> resolvePersons(project, ids));
        Instant now = clock.instant();
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE populations SET name = ?, definition = ?, updated_at = ? WHERE project_key = ? AND id = ?")) {
                Sql.bind(statement, 1, java.util.Arrays.asList(newName,
                        definition.map(Json::write).orElse(existing.definition() == null ? null : Json.write(existing.definition())),
                        now, project.key(), id));
                statement.execute();
            }
            if (keys.isPresent()) {
                deleteMembers(connection, project, id);
                try (DuckDBAppender appender = ((DuckDBConnection) connection).createAppender("population_members")) {
                    for (long key : keys.get()) {
                        appender.beginRow().append(project.key()).append(id).append(key).endRow();
                    }
                }
            }
            return null;
        });
        Population population = require(project, id);
        return population.withCount(count(project, population));
    }

    public void delete(Project project, String id) {
        require(project, id);
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "DELETE FROM populations WHERE project_key = ? AND id = ?")) {
                statement.setInt(1, project.key());
                statement.setString(2, id);
                statement.execute();
            }
            deleteMembers(connection, project, id);
            return null;
        });
    }

    private static void deleteMembers(Connection connection, Project project, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "DELETE FROM population_members WHERE project_key = ? AND population_id = ?")) {
            statement.setInt(1, project.key());
            statement.setString(2, id);
            statement.execute();
        }
    }

    // ---- members and history ----

    /** A page of members with the person summary, plus the total. */
    public record MembersPage(long count, List<PeopleSearch.Summary> people, @JsonProperty("next_cursor") String nextCursor) {
    }

    /**
     * One page of members in one query: the definition is evaluated once (a materialised CTE, which
     * also gives the count), the members' figures come from {@link PersonStats} (the person summary
     * plus the uncompacted tail), and only the page's people get display names (identities, email).
     * The order and the summary are those of {@link PeopleSearch} (its sort keys, then person key),
     * checked against it in the tests.
     */
    public MembersPage people(Project project, String id, String sort, int limit, Optional<String> cursor) {
        String order = ORDERS.get(sort.toLowerCase(java.util.Locale.ROOT));
        if (order == null) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "sort must be one of " + ORDERS.keySet());
        }
        if (limit < 1 || limit > 1000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 1000");
        }
        int offset = cursor.map(PopulationService::offset).orElse(0);
        PersonKeyQuery members = members(project, require(project, id));
        PersonStats.Query stats = PersonStats.query(project.key(), revenue(project), PersonStats.Options.FIGURES);
        String sql = "WITH m AS MATERIALIZED (" + members.sql() + "), "
                + "stats AS (SELECT person_key, first_seen, last_seen, event_count, ltv FROM (" + stats.sql() + ") "
                + "WHERE person_key IN (SELECT person_key FROM m)), "
                + "page AS (SELECT * FROM stats ORDER BY " + order + ", person_key LIMIT ? OFFSET ?), "
                + "names AS (SELECT person_key, arg_max(identity, (is_user, created_at)) AS best, bool_or(is_user) AS identified "
                + "FROM identities WHERE project_key = ? AND person_key IN (SELECT person_key FROM page) GROUP BY person_key), "
                + "shown AS (SELECT s.person_key, s.first_seen, s.last_seen, s.event_count, s.ltv, p.person_id, "
                + "CASE WHEN n.identified THEN n.best ELSE coalesce(json_extract_string(e.value, '$'), n.best) END AS display_name "
                + "FROM page s JOIN persons p ON p.project_key = ? AND p.person_key = s.person_key "
                + "LEFT JOIN names n ON n.person_key = s.person_key "
                + "LEFT JOIN person_properties e ON e.project_key = ? AND e.person_key = s.person_key AND e.key = 'email') "
                + "SELECT t.total, s.person_id, s.display_name, s.first_seen, s.last_seen, s.event_count, s.ltv "
                + "FROM (SELECT count(*) AS total FROM m) t LEFT JOIN shown s ON true ORDER BY " + order + ", s.person_key";
        List<Object> parameters = new ArrayList<>(members.parameters());
        parameters.addAll(stats.parameters());
        parameters.addAll(List.of(limit + 1, offset, project.key(), project.key(), project.key()));
        return database.read(connection -> {
            long total = 0;
            List<PeopleSearch.Summary> people = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        total = rows.getLong(1);
                        if (rows.getString(2) != null) {
                            people.add(new PeopleSearch.Summary(rows.getString(2), rows.getString(3),
                                    iso(Sql.instant(rows, 4)), iso(Sql.instant(rows, 5)), rows.getLong(6), rows.getDouble(7)));
                        }
                    }
                }
            }
            boolean more = people.size() > limit;
            return new MembersPage(total, more ? List.copyOf(people.subList(0, limit)) : people, more ? "o" + (offset + limit) : null);
        });
    }

    /** The sort orders of {@link PeopleSearch}, on the columns of the members' summaries. */
    private static final Map<String, String> ORDERS = Map.of("last_seen", "last_seen DESC", "first_seen", "first_seen ASC",
            "events", "event_count DESC", "event_count", "event_count DESC", "ltv", "ltv DESC");

    private static int offset(String cursor) {
        try {
            if (cursor.startsWith("o")) {
                int offset = Integer.parseInt(cursor.substring(1));
                if (offset >= 0) {
                    return offset;
                }
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new RosterException(ErrorCode.INVALID_REQUEST, "the cursor is not one this API returned");
    }

    public record DayCount(String date, long count) {
    }

    public record History(List<DayCount> days) {
    }

    /**
     * Daily size for the last {@code days} days of the project's calendar, today included:
     * membership as of the end of each day (or now, for today), recomputed from the events up to
     * then. Profile and identity conditions use current values.
     */
    public History history(Project project, String id, int days) {
        if (days < 1 || days > MAX_HISTORY_DAYS) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "days must be between 1 and " + MAX_HISTORY_DAYS);
        }
        Population population = require(project, id);
        Optional<Condition> definition = population.isStatic()
                ? Optional.empty() : Optional.of(parse(project, population.definition()));
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, project.timeZone());
        List<LocalDate> dates = new ArrayList<>();
        List<Instant> cutoffs = new ArrayList<>();
        for (int i = days - 1; i >= 0; i--) {
            LocalDate date = today.minusDays(i);
            Instant end = date.plusDays(1).atStartOfDay(project.timeZone()).toInstant();
            dates.add(date);
            cutoffs.add(end.isAfter(now) ? now : end);
        }
        List<Long> values;
        if (definition.isPresent()) {
            RevenueExpression amount = revenueFor(project, definition.get());
            values = countWithCopies(project, definition.get(), now, amount,
                    HistoryCompiler.counts(definition.get(), project.key(), cutoffs, amount,
                            copyEvents(definition.get()) ? HISTORY_EVENTS : "resolved_events", EVENT_TIMES, HISTORY_FIRST_SEEN), days);
        } else {
            values = countAll(cutoffs.stream().map(asOf -> PopulationCompiler.count(staticAsOf(project, id, asOf))).toList());
        }
        List<DayCount> result = new ArrayList<>();
        for (int i = 0; i < dates.size(); i++) {
            result.add(new DayCount(dates.get(i).toString(), values.get(i)));
        }
        return new History(result);
    }

    private static PersonKeyQuery staticAsOf(Project project, String id, Instant asOf) {
        PersonKeyQuery members = staticMembers(project, id);
        List<Object> parameters = new ArrayList<>(members.parameters());
        parameters.add(project.key());
        parameters.add(asOf);
        return new PersonKeyQuery("SELECT person_key FROM (" + members.sql() + ") INTERSECT "
                + "SELECT DISTINCT person_key FROM resolved_events WHERE project_key = ? AND ts < ?", parameters);
    }

    /** Runs several count queries on one connection. */
    private List<Long> countAll(List<PersonKeyQuery> counts) {
        return database.read(connection -> runCounts(connection, counts));
    }

    private static List<Long> runCounts(Connection connection, List<PersonKeyQuery> counts) throws SQLException {
        List<Long> values = new ArrayList<>();
        for (PersonKeyQuery count : counts) {
            try (PreparedStatement statement = connection.prepareStatement(count.sql())) {
                Sql.bind(statement, 1, count.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    values.add(rows.getLong(1));
                }
            }
        }
        return values;
    }

    /**
     * The daily counts of a dynamic population in one query ({@link HistoryCompiler}). Conditions
     * without event-property filters read {@code resolved_occurrences}, whose zone maps already
     * skip other events; the events that filtered conditions and LTV read (with their JSON
     * properties) are copied once into a connection-local table, as is every person's first event
     * when the definition needs it.
     */
    /** Whether a definition reads events' properties (filtered conditions, LTV), which the history copies. */
    private static boolean copyEvents(Condition definition) {
        return PopulationCompiler.usesRevenue(definition) || !PopulationCompiler.filteredEventNames(definition).isEmpty();
    }

    private List<Long> countWithCopies(Project project, Condition definition, Instant now, RevenueExpression amount,
                                       PersonKeyQuery counts, int days) {
        boolean ltv = PopulationCompiler.usesRevenue(definition);
        Set<String> filtered = PopulationCompiler.filteredEventNames(definition);
        return database.read(connection -> {
            try {
                // Only the columns the history reads (no event ids, identities or session ids).
                if (copyEvents(definition)) {
                    try (PreparedStatement copy = connection.prepareStatement("CREATE OR REPLACE TEMP TABLE " + HISTORY_EVENTS
                            + " AS SELECT project_key, person_key, name, ts, properties FROM resolved_events WHERE project_key = ? AND ts < ? AND (name IN "
                            + "(SELECT unnest(from_json(?, '[\"VARCHAR\"]')))" + (ltv ? " OR " + amount.sql() + " IS NOT NULL" : "") + ")")) {
                        List<Object> parameters = new ArrayList<>(List.of(project.key(), now, Json.write(filtered)));
                        if (ltv) {
                            parameters.addAll(amount.parameters());
                        }
                        Sql.bind(copy, 1, parameters);
                        copy.execute();
                    }
                }
                // Every person's first event: a pass over all events, so only for the definitions
                // that read it (profile and identity conditions, complements of the whole).
                if (counts.sql().contains(HISTORY_FIRST_SEEN)) {
                    try (PreparedStatement copy = connection.prepareStatement("CREATE OR REPLACE TEMP TABLE " + HISTORY_FIRST_SEEN
                            + " AS SELECT person_key, min(ts) AS first_ts FROM " + EVENT_TIMES + " WHERE project_key = ? AND ts < ? GROUP BY person_key")) {
                        Sql.bind(copy, 1, List.of(project.key(), now));
                        copy.execute();
                    }
                }
                Long[] values = new Long[days];
                java.util.Arrays.fill(values, 0L);
                try (PreparedStatement statement = connection.prepareStatement(counts.sql())) {
                    Sql.bind(statement, 1, counts.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            values[rows.getInt(1)] = rows.getLong(2);
                        }
                    }
                }
                return List.of(values);
            } finally {
                try (Statement drop = connection.createStatement()) {
                    drop.execute("DROP TABLE IF EXISTS " + HISTORY_EVENTS);
                    drop.execute("DROP TABLE IF EXISTS " + HISTORY_FIRST_SEEN);
                }
            }
        });
    }

    // ---- helpers ----

    private Set<Long> resolvePersons(Project project, List<String> personIds) {
        if (personIds.size() > MAX_STATIC_PEOPLE) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "a static population may hold at most " + MAX_STATIC_PEOPLE + " people");
        }
        Map<String, Long> found = database.read(connection -> {
            Map<String, Long> keys = new LinkedHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT p.person_id, coalesce(m.to_key, p.person_key) FROM persons p "
                            + "LEFT JOIN person_merges m ON m.project_key = p.project_key AND m.from_key = p.person_key "
                            + "WHERE p.project_key = ? AND p.person_id IN (SELECT unnest(from_json(?, '[\"VARCHAR\"]')))")) {
                statement.setInt(1, project.key());
                statement.setString(2, Json.write(personIds));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        keys.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            return keys;
        });
        Set<Long> keys = new LinkedHashSet<>();
        for (int i = 0; i < personIds.size(); i++) {
            Long key = found.get(personIds.get(i));
            if (key == null) {
                throw RosterException.at(ErrorCode.INVALID_REQUEST, "$.people[" + i + "]",
                        "no person with id '" + personIds.get(i) + "' in this project");
            }
            keys.add(key);
        }
        return keys;
    }

    private String checkName(Project project, String name, Optional<String> self) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty() || trimmed.length() > MAX_NAME_LENGTH) {
            throw RosterException.at(ErrorCode.INVALID_REQUEST, "$.name", "a population needs a name of 1 to " + MAX_NAME_LENGTH + " characters");
        }
        boolean taken = database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT count(*) FROM populations WHERE project_key = ? AND name = ? AND id <> ?")) {
                Sql.bind(statement, 1, List.of(project.key(), trimmed, self.orElse("")));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1) > 0;
                }
            }
        });
        if (taken) {
            throw new RosterException(ErrorCode.CONFLICT, "a population named '" + trimmed + "' already exists");
        }
        return trimmed;
    }

    private static String newId() {
        return "pop_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static Population population(ResultSet rows) throws SQLException {
        String definition = rows.getString(4);
        return new Population(rows.getString(1), rows.getString(2), rows.getString(3),
                definition == null ? null : Json.parse(definition), null,
                iso(Sql.instant(rows, 5)), iso(Sql.instant(rows, 6)));
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Runs {@code work} in one transaction on the writer connection. */
    private <T> T write(Database.SqlFunction<Connection, T> work) {
        return database.inWriteTransaction("population write", work::apply);
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}

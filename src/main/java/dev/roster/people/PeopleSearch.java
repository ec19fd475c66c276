package dev.roster.people;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonKeyQuery;
import dev.roster.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * People search (SPEC §6.5): by identity (exact or prefix) or property value, sorted by last seen,
 * first seen, event count or LTV, paged by an offset cursor.
 */
public final class PeopleSearch {
    private static final Map<String, String> SORTS = Map.of(
            "last_seen", "last_seen DESC", "first_seen", "first_seen ASC", "events", "event_count DESC",
            "event_count", "event_count DESC", "ltv", "ltv DESC");

    private final Database database;
    private final RevenueSettings revenue;

    public PeopleSearch(Database database) {
        this.database = requireNonNull(database, "database is null");
        this.revenue = new RevenueSettings(database);
    }

    public record Summary(String id, @JsonProperty("display_name") String displayName,
                          @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen,
                          @JsonProperty("event_count") long eventCount, double ltv) {
    }

    public record Page(List<Summary> people, @JsonProperty("next_cursor") String nextCursor) {
    }

    /**
     * Searches people. {@code personFilter} is an optional SQL fragment with its parameters that
     * yields the person keys to keep (a population); it is produced by code, never by users.
     */
    public Page search(Project project, Optional<String> query, String sort, int limit, Optional<String> cursor,
                       Optional<PersonKeyQuery> personFilter) {
        String order = SORTS.get(sort.toLowerCase(Locale.ROOT));
        if (order == null) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "sort must be one of " + SORTS.keySet());
        }
        if (limit < 1 || limit > 1000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 1000");
        }
        int offset = cursor.map(PeopleSearch::offset).orElse(0);
        List<Object> parameters = new ArrayList<>();
        StringBuilder filter = new StringBuilder();
        query.map(String::trim).filter(q -> !q.isEmpty()).ifPresent(q -> {
            String prefix = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            filter.append(" AND person_key IN (SELECT person_key FROM identities WHERE project_key = ? AND identity LIKE ? ESCAPE '\\' "
                    + "UNION SELECT person_key FROM person_properties WHERE project_key = ? AND CAST(value AS VARCHAR) ILIKE ? ESCAPE '\\')");
            parameters.add(project.key());
            parameters.add(prefix);
            parameters.add(project.key());
            parameters.add("%" + prefix);
        });
        personFilter.ifPresent(f -> {
            filter.append(" AND person_key IN (").append(f.sql()).append(")");
            parameters.addAll(f.parameters());
        });
        RevenueExpression amount = revenue.expression(project);
        PersonStats.Query stats = PersonStats.query(project.key(), amount, PersonStats.Options.FIGURES);
        String sql = "WITH stats AS (SELECT person_key, first_seen, last_seen, event_count, ltv FROM (" + stats.sql() + ") WHERE true"
                + filter + "), "
                + "page AS (SELECT * FROM stats ORDER BY " + order + ", person_key LIMIT ? OFFSET ?), "
                + "names AS (SELECT person_key, arg_max(identity, (is_user, created_at)) AS best, bool_or(is_user) AS identified "
                + "FROM identities WHERE project_key = ? AND person_key IN (SELECT person_key FROM page) GROUP BY person_key) "
                + "SELECT p.person_id, CASE WHEN n.identified THEN n.best ELSE coalesce(json_extract_string(e.value, '$'), n.best) END, "
                + "s.first_seen, s.last_seen, s.event_count, s.ltv FROM page s "
                + "JOIN persons p ON p.project_key = ? AND p.person_key = s.person_key "
                + "LEFT JOIN names n ON n.person_key = s.person_key "
                + "LEFT JOIN person_properties e ON e.project_key = ? AND e.person_key = s.person_key AND e.key = 'email' "
                + "ORDER BY " + order + ", s.person_key";
        List<Object> all = new ArrayList<>(stats.parameters());
        all.addAll(parameters);
        all.add(limit + 1);
        all.add(offset);
        all.add(project.key());
        all.add(project.key());
        all.add(project.key());
        return database.read(connection -> {
            List<Summary> people = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                Sql.bind(statement, 1, all);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        people.add(new Summary(rows.getString(1), rows.getString(2),
                                PeopleService.iso(Sql.instant(rows, 3)), PeopleService.iso(Sql.instant(rows, 4)),
                                rows.getLong(5), rows.getDouble(6)));
                    }
                }
            }
            String next = null;
            if (people.size() > limit) {
                people.remove(limit);
                next = "o" + (offset + limit);
            }
            return new Page(people, next);
        });
    }

    private static int offset(String cursor) {
        try {
            if (cursor.startsWith("o")) {
                return Integer.parseInt(cursor.substring(1));
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new RosterException(ErrorCode.INVALID_REQUEST, "the cursor is not one this API returned");
    }
}

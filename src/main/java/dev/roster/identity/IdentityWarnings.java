package dev.roster.identity;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the identity warnings (refused merges, placeholder ids) with counts and examples. */
public final class IdentityWarnings {
    private final Database database;

    public IdentityWarnings(Database database) {
        this.database = requireNonNull(database, "database is null");
    }

    public record Warning(String kind, String identity, String other, String detail, long count,
                          @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen) {
    }

    public record Summary(Map<String, Long> counts, List<Warning> warnings) {
    }

    public Summary list(Project project, int limit) {
        return database.read(connection -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT kind, count(*) FROM identity_warnings WHERE project_key = ? GROUP BY kind ORDER BY kind")) {
                statement.setInt(1, project.key());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        counts.put(rows.getString(1), rows.getLong(2));
                    }
                }
            }
            List<Warning> warnings = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT kind, identity, any_value(other_identity), arg_max(detail, created_at), count(*), min(created_at), max(created_at) "
                            + "FROM identity_warnings WHERE project_key = ? GROUP BY kind, identity "
                            + "ORDER BY max(created_at) DESC LIMIT ?")) {
                statement.setInt(1, project.key());
                statement.setInt(2, limit);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        warnings.add(new Warning(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                                rows.getLong(5), String.valueOf(Sql.instant(rows, 6)), String.valueOf(Sql.instant(rows, 7))));
                    }
                }
            }
            return new Summary(counts, warnings);
        });
    }
}

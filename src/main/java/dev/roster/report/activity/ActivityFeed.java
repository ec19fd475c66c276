package dev.roster.report.activity;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The activity report (SPEC §6.5): the newest events across all people of a project, in the order
 * the server received them, each with the person it resolves to now. Keyset-paged on
 * (received_at, event_id) both ways: {@code after} polls for what arrived since the last call,
 * {@code before} pages back into older activity.
 */
public final class ActivityFeed {
    public static final int MAX_LIMIT = 500;
    /** With a population, the first try reads the newest this many events per row asked for. */
    static final int LOOKBACK_PER_ROW = 100;

    private final Database database;
    private final PopulationResolver populations;

    public ActivityFeed(Database database, PopulationResolver populations) {
        this.database = requireNonNull(database, "database is null");
        this.populations = requireNonNull(populations, "populations is null");
    }

    /**
     * What to show: an optional event name, one optional event-property filter (set, or equal to
     * a value) and an optional population (its members, or everyone else with {@code not}).
     */
    public record Query(Optional<String> event, Optional<String> property, Optional<String> value,
                        Optional<Population> population, Optional<Cursor> after, Optional<Cursor> before, int limit) {
        public Query {
            requireNonNull(event, "event is null");
            requireNonNull(property, "property is null");
            requireNonNull(value, "value is null");
            requireNonNull(population, "population is null");
            requireNonNull(after, "after is null");
            requireNonNull(before, "before is null");
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
            }
            if (after.isPresent() && before.isPresent()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "give either after or before, not both");
            }
            property.ifPresent(ActivityFeed::validatePropertyName);
            if (value.isPresent() && property.isEmpty()) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "value needs a property to compare with");
            }
        }
    }

    public record Event(String id, String name, String timestamp, @JsonProperty("received_at") String receivedAt,
                        String identity, @JsonProperty("person_id") String personId, JsonNode properties) {
    }

    /**
     * One page, newest first. {@code latest} is the cursor to poll with next ({@code after});
     * {@code next_cursor} pages to older events ({@code before}), null at the end.
     */
    public record Page(List<Event> events, String latest, @JsonProperty("next_cursor") String nextCursor) {
        public Page {
            events = List.copyOf(events);
        }
    }

    public Page find(Project project, Query query) {
        List<Object> parameters = new ArrayList<>();
        // Conditions shared by both steps below, on resolved_events aliased e.
        StringBuilder where = new StringBuilder("e.project_key = ?");
        parameters.add(project.key());
        query.event().ifPresent(name -> {
            where.append(" AND e.name = ?");
            parameters.add(name);
        });
        query.property().ifPresent(property -> {
            String path = "$.\"" + property + "\"";
            if (query.value().isPresent()) {
                where.append(" AND json_extract_string(e.properties, ?) = ?");
                parameters.add(path);
                parameters.add(query.value().get());
            } else {
                where.append(" AND json_extract(e.properties, ?) IS NOT NULL");
                parameters.add(path);
            }
        });
        query.population().ifPresent(population -> {
            // Members are surviving person keys, as resolved_events.person_key is.
            Fragment members = population.condition("e.person_key", project, populations);
            where.append(" AND ").append(members.sql());
            parameters.addAll(members.parameters());
        });
        query.after().ifPresent(c -> {
            where.append(" AND (e.received_at > ? OR (e.received_at = ? AND e.event_id > ?))");
            parameters.add(c.receivedAt());
            parameters.add(c.receivedAt());
            parameters.add(c.eventId());
        });
        query.before().ifPresent(c -> {
            where.append(" AND (e.received_at < ? OR (e.received_at = ? AND e.event_id < ?))");
            parameters.add(c.receivedAt());
            parameters.add(c.receivedAt());
            parameters.add(c.eventId());
        });
        // Step 1: the receive time of the (limit+1)-th newest matching event, reading only the
        // receive-time column (plus what the filters need). Step 2 reads whole rows, properties
        // included, only at or after that time: a constant the scans filter on before fetching
        // the other columns. One top-N over whole rows would carry every row's properties
        // through the sort (seconds at 10M events).
        String cutoffSql = "SELECT e.received_at FROM resolved_events e WHERE " + where
                + " ORDER BY e.received_at DESC LIMIT 1 OFFSET ?";
        List<Object> cutoffParameters = new ArrayList<>(parameters);
        cutoffParameters.add(query.limit());
        // With a population, first try only the newest events of the project (the receive time of
        // the LOOKBACK-th newest, found on that one column): the population's semi-join then
        // probes those rows instead of every event. Exact whenever it finds limit+1 matches (all
        // rows newer than the bound are read); otherwise the unbounded query runs.
        String boundedCutoffSql = "SELECT e.received_at FROM resolved_events e WHERE " + where
                + " AND e.received_at >= (SELECT received_at FROM all_events WHERE project_key = ? ORDER BY received_at DESC LIMIT 1 OFFSET ?)"
                + " ORDER BY e.received_at DESC LIMIT 1 OFFSET ?";
        List<Object> boundedParameters = new ArrayList<>(parameters);
        boundedParameters.add(project.key());
        boundedParameters.add(LOOKBACK_PER_ROW * (query.limit() + 1));
        boundedParameters.add(query.limit());
        boolean bounded = query.population().isPresent();
        // Top-N first, then look up the person ids of those few rows: joining persons before the
        // limit would join every event (seconds at 10M events instead of milliseconds).
        String pageSql = "SELECT t.event_id, t.name, t.ts, t.received_at, t.identity, p.person_id, t.properties FROM ("
                + "SELECT e.event_id, e.name, e.ts, e.received_at, e.identity, e.person_key, e.properties "
                + "FROM resolved_events e WHERE " + where + " AND e.received_at >= ?"
                + " ORDER BY e.received_at DESC, e.event_id DESC LIMIT ?) t "
                + "JOIN persons p ON p.project_key = ? AND p.person_key = t.person_key "
                + "ORDER BY t.received_at DESC, t.event_id DESC";
        return database.read(connection -> {
            List<Event> events = new ArrayList<>();
            List<Cursor> cursors = new ArrayList<>();
            Instant cutoff = bounded ? cutoff(connection, boundedCutoffSql, boundedParameters) : null;
            if (cutoff == null) {
                cutoff = cutoff(connection, cutoffSql, cutoffParameters);
            }
            if (cutoff == null) {
                cutoff = Instant.EPOCH;
            }
            List<Object> pageParameters = new ArrayList<>(parameters);
            pageParameters.add(cutoff);
            pageParameters.add(query.limit() + 1);
            pageParameters.add(project.key());
            try (PreparedStatement statement = connection.prepareStatement(pageSql)) {
                Sql.bind(statement, 1, pageParameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        Instant ts = Sql.instant(rows, 3);
                        Instant received = Sql.instant(rows, 4);
                        String id = rows.getString(1);
                        cursors.add(new Cursor(received, id));
                        String properties = rows.getString(7);
                        events.add(new Event(id, rows.getString(2), ts.toString(), received.toString(), rows.getString(5),
                                rows.getString(6), properties == null ? Json.object() : Json.parse(properties)));
                    }
                }
            }
            String next = null;
            if (events.size() > query.limit()) {
                events.remove(query.limit());
                next = cursors.get(query.limit() - 1).encode();
            }
            String latest = events.isEmpty()
                    ? query.after().map(Cursor::encode).orElse(null)
                    : cursors.get(0).encode();
            if (query.before().isPresent() && !events.isEmpty()) {
                latest = null;
            }
            return new Page(events, latest, next);
        });
    }

    /** The receive time the cutoff query returns, or null when it returns no row. */
    private static Instant cutoff(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Sql.bind(statement, 1, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Sql.instant(rows, 1) : null;
            }
        }
    }

    static void validatePropertyName(String name) {
        if (name.isEmpty() || name.length() > 255 || name.indexOf('"') >= 0 || name.indexOf('\\') >= 0
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new RosterException(ErrorCode.INVALID_REQUEST,
                    "property must be 1 to 255 characters without quotes, backslashes or control characters");
        }
    }

    /** Keyset position: (received_at, event id). Opaque to clients. */
    public record Cursor(Instant receivedAt, String eventId) {
        public Cursor {
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(eventId, "eventId is null");
        }

        public String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (receivedAt.toString() + "|" + eventId).getBytes(StandardCharsets.UTF_8));
        }

        public static Cursor decode(String text) {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int bar = decoded.indexOf('|');
                return new Cursor(Instant.parse(decoded.substring(0, bar)), decoded.substring(bar + 1));
            } catch (RuntimeException e) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the cursor is not one this API returned");
            }
        }
    }
}

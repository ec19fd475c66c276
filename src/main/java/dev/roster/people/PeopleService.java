package dev.roster.people;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.attribution.ChannelRules;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonEvents;
import dev.roster.store.Sql;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is this person? Finds persons by identity or id, and builds their document and timeline.
 * Every query is scoped to one project and sees merges immediately: identities and profiles are
 * folded at commit, and events are found through every key that still points at the person.
 */
public final class PeopleService {
    /** Fields of the earliest event that make up a person's acquisition (SPEC §5). */
    private static final List<String> ACQUISITION_FIELDS = List.of(
            "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
            "gclid", "fbclid", "msclkid", "url", "path");

    private final Database database;
    private final RevenueSettings revenue;

    public PeopleService(Database database) {
        this.database = requireNonNull(database, "database is null");
        this.revenue = new RevenueSettings(database);
    }

    /**
     * The person owning an identity. Like every lookup here, the indexed column's scan is fenced by
     * {@code OFFSET 0} so that its equality is the scan's only filter: DuckDB then answers from the
     * ART index instead of scanning (see {@link PersonEvents}). Statements are prepared once per
     * reader connection ({@link Database#prepared}).
     */
    public Optional<PersonRef> findByIdentity(Project project, String identity) {
        return database.read(connection -> {
            Long key = null;
            PreparedStatement statement = database.prepared(connection,
                    "SELECT person_key FROM (SELECT project_key, person_key FROM identities WHERE identity = ? OFFSET 0) "
                            + "WHERE project_key = ?");
            statement.setString(1, identity.trim());
            statement.setInt(2, project.key());
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    key = rows.getLong(1);
                }
            }
            return key == null ? Optional.<PersonRef>empty() : Optional.of(ref(connection, project, key));
        });
    }

    /**
     * A person by public id; the id of a merged-away person leads to the survivor. One statement
     * finds the person by id (ART index), follows its merge and lists the survivor's unfolded keys;
     * only for a merged-away id does a second one fetch the survivor's id.
     */
    public Optional<PersonRef> findById(Project project, String personId) {
        return database.read(connection -> {
            PreparedStatement statement = database.prepared(connection, FIND_BY_ID);
            statement.setString(1, personId);
            statement.setInt(2, project.key());
            long key = -1;
            boolean merged = false;
            List<Long> keys = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (keys.isEmpty()) {
                        key = rows.getLong(1);
                        merged = rows.getBoolean(2);
                        keys.add(key);
                    }
                    long unfolded = rows.getLong(3);
                    if (!rows.wasNull()) {
                        keys.add(unfolded);
                    }
                }
            }
            if (keys.isEmpty()) {
                return Optional.<PersonRef>empty();
            }
            if (merged) {
                return Optional.of(ref(connection, project, key));
            }
            List<Long> sorted = new ArrayList<>(keys.subList(1, keys.size()));
            sorted.sort(null);
            sorted.add(0, key);
            return Optional.of(new PersonRef(personId, key, sorted));
        });
    }

    /**
     * Person by id → (survivor key, merged away?, one unfolded key of the survivor or NULL), one row
     * per unfolded key (at least one row). The persons scan is fenced so that it is an ART index scan.
     */
    private static final String FIND_BY_ID = "SELECT coalesce(m.to_key, p.person_key), m.to_key IS NOT NULL, u.from_key FROM "
            + "(SELECT project_key, person_key FROM persons WHERE person_id = ? OFFSET 0) p "
            + "LEFT JOIN person_merges m ON m.project_key = p.project_key AND m.from_key = p.person_key "
            + "LEFT JOIN unfolded_merges u ON u.project_key = p.project_key AND u.to_key = coalesce(m.to_key, p.person_key) "
            + "WHERE p.project_key = ?";

    public PersonRef require(Project project, String personId) {
        return findById(project, personId).orElseThrow(() ->
                new RosterException(ErrorCode.NOT_FOUND, "no person with id '" + personId + "'"));
    }

    /** The surviving person's id and every key its events may carry, in one query. */
    private PersonRef ref(Connection connection, Project project, long key) throws SQLException {
        PreparedStatement statement = database.prepared(connection,
                "SELECT person_id, (SELECT list(from_key ORDER BY from_key) FROM unfolded_merges WHERE project_key = ? AND to_key = ?) "
                        + "FROM persons WHERE project_key = ? AND person_key = ?");
        Sql.bind(statement, 1, List.of(project.key(), key, project.key(), key));
        try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
                throw new IllegalStateException("person key " + key + " has no row");
            }
            List<Long> keys = new ArrayList<>();
            keys.add(key);
            java.sql.Array unfolded = rows.getArray(2);
            if (unfolded != null) {
                for (Object from : (Object[]) unfolded.getArray()) {
                    keys.add(((Number) from).longValue());
                }
            }
            return new PersonRef(rows.getString(1), key, keys);
        }
    }

    /** The whole person document. */
    public PersonDocument document(Project project, PersonRef person) {
        RevenueExpression amount = revenue.expression(project);
        return database.read(connection -> {
            PersonEvents source = PersonEvents.of(project.key(), person.eventKeys(),
                    "event_id, identity, person_key, name, ts, received_at, session_id, properties");

            Map<String, PersonDocument.IdentityInfo> identities = new LinkedHashMap<>();
            Map<String, Boolean> users = new LinkedHashMap<>();
            PreparedStatement byIdentity = database.prepared(connection, "SELECT i.identity, i.is_user, s.first_seen, s.last_seen, coalesce(s.events, 0) FROM identities i "
                    + "LEFT JOIN (SELECT identity, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS events "
                    + "FROM " + source.sql() + " e GROUP BY identity) s "
                    + "ON s.identity = i.identity WHERE i.project_key = ? AND i.person_key = ? "
                    + "ORDER BY s.first_seen NULLS LAST, i.created_at, i.identity");
            int next = Sql.bind(byIdentity, 1, source.parameters());
            Sql.bind(byIdentity, next, List.of(project.key(), person.key()));
            try (ResultSet rows = byIdentity.executeQuery()) {
                while (rows.next()) {
                    String identity = rows.getString(1);
                    users.put(identity, rows.getBoolean(2));
                    identities.put(identity, new PersonDocument.IdentityInfo(identity, rows.getBoolean(2),
                            iso(Sql.instant(rows, 3)), iso(Sql.instant(rows, 4)), rows.getLong(5)));
                }
            }

            ObjectNode properties = Json.object();
            PreparedStatement byKey = database.prepared(connection, "SELECT key, value FROM person_properties WHERE project_key = ? AND person_key = ? ORDER BY key");
            Sql.bind(byKey, 1, List.of(project.key(), person.key()));
            try (ResultSet rows = byKey.executeQuery()) {
                while (rows.next()) {
                    properties.set(rows.getString(1), Json.parse(rows.getString(2)));
                }
            }

            Instant firstSeen = null;
            Instant lastSeen = null;
            long events = 0;
            long sessions = 0;
            double ltv = 0;
            Map<String, String> acquisition = new LinkedHashMap<>();
            PreparedStatement summary = database.prepared(connection, "SELECT min(ts), max(ts), count(*), count(*) FILTER (WHERE session_start), coalesce(sum(revenue), 0), "
                    + "arg_min(properties, ts) FROM ("
                    + "SELECT ts, properties, " + amount.sql() + " AS revenue, " + Sql.SESSION_START + " AS session_start "
                    + "FROM " + source.sql() + " e "
                    + "WINDOW w AS (ORDER BY ts, event_id))");
            int position = Sql.bind(summary, 1, amount.parameters());
            Sql.bind(summary, position, source.parameters());
            try (ResultSet rows = summary.executeQuery()) {
                rows.next();
                firstSeen = Sql.instant(rows, 1);
                lastSeen = Sql.instant(rows, 2);
                events = rows.getLong(3);
                sessions = rows.getLong(4);
                ltv = rows.getDouble(5);
                String first = rows.getString(6);
                if (first != null) {
                    acquisition.putAll(acquisition(Json.parse(first)));
                }
            }
            String displayName = displayName(identities.values(), users, properties);
            return new PersonDocument(person.id(), displayName, List.copyOf(identities.values()), properties,
                    iso(firstSeen), iso(lastSeen), events, sessions, ltv, acquisition);
        });
    }

    /** Latest user id, else an email trait, else the first anonymous id (SPEC §1). */
    private static String displayName(java.util.Collection<PersonDocument.IdentityInfo> identities,
                                      Map<String, Boolean> users, ObjectNode properties) {
        Optional<PersonDocument.IdentityInfo> latestUser = identities.stream()
                .filter(i -> users.getOrDefault(i.id(), false))
                .max(Comparator.comparing(i -> i.lastSeen() == null ? "" : i.lastSeen()));
        if (latestUser.isPresent()) {
            return latestUser.get().id();
        }
        JsonNode email = properties.get("email");
        if (email != null && email.isTextual() && !email.asText().isBlank()) {
            return email.asText();
        }
        return identities.stream().findFirst().map(PersonDocument.IdentityInfo::id).orElse("");
    }

    /** First-touch fields and channel from the properties of a person's earliest event. */
    public static Map<String, String> acquisition(JsonNode first) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String field : ACQUISITION_FIELDS) {
            JsonNode value = first.get(field);
            if (value != null && value.isValueNode() && !value.asText().isBlank()) {
                values.put(field, value.asText());
            }
        }
        Optional<String> referrer = Optional.ofNullable(values.get("referrer"));
        boolean clickId = values.containsKey("gclid") || values.containsKey("fbclid") || values.containsKey("msclkid");
        Map<String, String> result = new LinkedHashMap<>();
        result.put("channel", ChannelRules.classify(new ChannelRules.Touch(
                Optional.ofNullable(values.get("utm_medium")), referrer, clickId)).label());
        result.put("referrer", values.get("referrer"));
        result.put("referring_domain", ChannelRules.referringDomain(referrer).orElse(null));
        result.put("landing_page", values.getOrDefault("url", values.get("path")));
        for (String utm : List.of("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")) {
            result.put(utm, values.get(utm));
        }
        return result;
    }

    /** A page of the person's events, newest first, optionally of one event name. */
    public TimelinePage timeline(Project project, PersonRef person, int limit, Optional<String> cursor, Optional<String> event) {
        if (limit < 1 || limit > 1000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "limit must be between 1 and 1000");
        }
        Optional<Cursor> after = cursor.map(Cursor::decode);
        return database.read(connection -> {
            PersonEvents source = PersonEvents.of(project.key(), person.eventKeys(), "event_id, name, ts, identity, session_id, properties");
            List<Object> parameters = new ArrayList<>(source.parameters());
            StringBuilder sql = new StringBuilder("SELECT event_id, name, ts, identity, session_id, properties FROM "
                    + source.sql() + " e WHERE true");
            event.ifPresent(name -> {
                sql.append(" AND name = ?");
                parameters.add(name);
            });
            after.ifPresent(c -> {
                sql.append(" AND (ts < ? OR (ts = ? AND event_id < ?))");
                parameters.add(c.timestamp());
                parameters.add(c.timestamp());
                parameters.add(c.eventId());
            });
            sql.append(" ORDER BY ts DESC, event_id DESC LIMIT ?");
            parameters.add(limit + 1);
            List<TimelinePage.Event> events = new ArrayList<>();
            List<Instant> times = new ArrayList<>();
            PreparedStatement statement = database.prepared(connection, sql.toString());
            Sql.bind(statement, 1, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Instant ts = Sql.instant(rows, 3);
                    times.add(ts);
                    events.add(new TimelinePage.Event(rows.getString(1), rows.getString(2), iso(ts),
                            rows.getString(4), rows.getString(5), Json.parse(rows.getString(6))));
                }
            }
            String next = null;
            if (events.size() > limit) {
                events.remove(limit);
                TimelinePage.Event last = events.get(limit - 1);
                next = new Cursor(times.get(limit - 1), last.id()).encode();
            }
            return new TimelinePage(events, next);
        });
    }

    static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Keyset cursor for the timeline: the (ts, event id) of the last event returned. */
    private record Cursor(Instant timestamp, String eventId) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    (timestamp.toString() + "|" + eventId).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text) {
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

package dev.roster.privacy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.ingest.WriteBuffer;
import dev.roster.people.PeopleService;
import dev.roster.people.PersonDocument;
import dev.roster.people.PersonRef;
import dev.roster.project.Project;
import dev.roster.store.Database;
import dev.roster.store.EventStore;
import dev.roster.store.Sql;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

/**
 * GDPR/CCPA requests about one person: access (everything stored, as one JSON document) and
 * erasure (every identity, event and property removed from every table and from the database
 * file, with an audit row that holds no personal data).
 */
public final class PrivacyRequests {
    private final PeopleService people;
    private final Database database;
    private final WriteBuffer writeBuffer;
    private final Clock clock;

    public PrivacyRequests(PeopleService people, Database database, WriteBuffer writeBuffer, Clock clock) {
        this.people = requireNonNull(people, "people is null");
        this.database = requireNonNull(database, "database is null");
        this.writeBuffer = requireNonNull(writeBuffer, "writeBuffer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The result of an erasure. */
    public record Erasure(boolean erased, long events, int identities) {
    }

    /**
     * Everything about a person: the person document (identities, properties, figures,
     * acquisition) and every event of every identity, oldest first.
     */
    public ObjectNode access(Project project, String personId) {
        PersonRef person = people.require(project, personId);
        PersonDocument document = people.document(project, person);
        ObjectNode result = Json.object();
        result.put("exported_at", clock.instant().toString());
        result.put("project", project.id());
        result.set("person", Json.MAPPER.valueToTree(document));
        ArrayNode events = result.putArray("events");
        database.read(connection -> {
            List<Object> parameters = new java.util.ArrayList<>();
            parameters.add(project.key());
            parameters.addAll(person.eventKeys());
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT event_id, name, ts, received_at, identity, session_id, properties FROM all_events "
                            + "WHERE project_key = ? AND person_key IN (" + Sql.placeholders(person.eventKeys().size()) + ") "
                            + "ORDER BY ts, event_id")) {
                Sql.bind(statement, 1, parameters);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ObjectNode event = events.addObject();
                        event.put("id", rows.getString(1));
                        event.put("name", rows.getString(2));
                        event.put("timestamp", Sql.instant(rows, 3).toString());
                        event.put("received_at", Sql.instant(rows, 4).toString());
                        event.put("identity", rows.getString(5));
                        event.put("session_id", rows.getString(6));
                        event.set("properties", Json.parse(rows.getString(7)));
                    }
                }
            }
            return null;
        });
        return result;
    }

    /**
     * Erases a person, serialised with ingestion through the write buffer. {@code erasedBy} names
     * who asked (e.g. a key fingerprint or "cli"); it must not be personal data of the person.
     */
    public Erasure erase(Project project, String personId, String erasedBy) {
        PersonRef person = people.require(project, personId);
        EventStore.ErasedPerson erased = writeBuffer.erase(project, person.key(),
                new EventStore.Audit(sha256(person.id()), erasedBy, clock.instant()));
        return new Erasure(true, erased.events(), erased.identities().size());
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

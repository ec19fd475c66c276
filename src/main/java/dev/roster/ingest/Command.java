package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The internal command model. Every wire format (Segment, KISSmetrics, PostHog, Mixpanel, file
 * import) is parsed into these records; nothing past {@code ingest} knows which SDK sent them.
 */
public sealed interface Command permits Command.Track, Command.Link, Command.UpdateProfile, Command.DeleteProfile {

    /** The identity whose person this command affects. */
    String identity();

    /** When the command happened (event time), after skew correction. */
    Instant timestamp();

    /**
     * An event. {@code identity} is the id the event is stored under (the user id when there is
     * one, else the anonymous id). When both were sent, {@code anonymousId} is linked to it.
     */
    record Track(String eventId, String identity, Optional<String> anonymousId, boolean identified,
                 String name, Instant timestamp, Instant receivedAt, Optional<String> sessionId,
                 ObjectNode properties, List<PropertyOperation> personOperations) implements Command {
        public Track {
            requireNonNull(eventId, "eventId is null");
            requireNonNull(identity, "identity is null");
            requireNonNull(anonymousId, "anonymousId is null");
            requireNonNull(name, "name is null");
            requireNonNull(timestamp, "timestamp is null");
            requireNonNull(receivedAt, "receivedAt is null");
            requireNonNull(sessionId, "sessionId is null");
            requireNonNull(properties, "properties is null");
            personOperations = List.copyOf(personOperations);
        }
    }

    /**
     * Links two identities into one person. {@code identity} is the surviving (usually user) id;
     * {@code other} the one being linked to it (anonymous id, alias, previous id).
     */
    record Link(String identity, boolean identified, String other, Strength strength, Instant timestamp) implements Command {
        public Link {
            requireNonNull(identity, "identity is null");
            requireNonNull(other, "other is null");
            requireNonNull(strength, "strength is null");
            requireNonNull(timestamp, "timestamp is null");
        }
    }

    /** Changes a person's properties. */
    record UpdateProfile(String identity, boolean identified, List<PropertyOperation> operations, Instant timestamp) implements Command {
        public UpdateProfile {
            requireNonNull(identity, "identity is null");
            operations = List.copyOf(operations);
            requireNonNull(timestamp, "timestamp is null");
        }
    }

    /** Removes every property of a person (Mixpanel {@code $delete}); events and identities stay. */
    record DeleteProfile(String identity, Instant timestamp) implements Command {
        public DeleteProfile {
            requireNonNull(identity, "identity is null");
            requireNonNull(timestamp, "timestamp is null");
        }
    }

    /** How strong a link is: a normal link respects the guard; an admin merge overrides it. */
    enum Strength { NORMAL, ADMIN }
}

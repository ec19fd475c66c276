package dev.roster.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one group commit writes, all or nothing: events, new persons and identities, merges,
 * rewritten profiles and warnings. Built by the write buffer, written by {@link EventStore#commit}.
 */
public record CommitBatch(
        List<EventRow> events,
        List<PersonRow> persons,
        List<IdentityRow> identities,
        List<IdentityRef> markedUsers,
        List<MergeRow> merges,
        List<ProfileRow> profiles,
        List<WarningRow> warnings) {

    public CommitBatch {
        events = List.copyOf(events);
        persons = List.copyOf(persons);
        identities = List.copyOf(identities);
        markedUsers = List.copyOf(markedUsers);
        merges = List.copyOf(merges);
        profiles = List.copyOf(profiles);
        warnings = List.copyOf(warnings);
    }

    public boolean isEmpty() {
        return events.isEmpty() && persons.isEmpty() && identities.isEmpty() && markedUsers.isEmpty()
                && merges.isEmpty() && profiles.isEmpty() && warnings.isEmpty();
    }

    public record EventRow(int projectKey, String eventId, String identity, long personKey, String name,
                           Instant timestamp, Instant receivedAt, String sessionId, String propertiesJson) {
    }

    public record PersonRow(int projectKey, long personKey, String personId, Instant createdAt) {
    }

    public record IdentityRow(int projectKey, String identity, long personKey, boolean isUser, Instant createdAt) {
    }

    public record IdentityRef(int projectKey, String identity) {
    }

    /**
     * {@code fromKey} now belongs to {@code toKey}, which is a survivor after this batch.
     * {@code redirectsStored} is false when no stored merge row can point at {@code fromKey}
     * (nobody had been merged into it), so the store can skip redirecting them. {@code loserStored}
     * is false when {@code fromKey} was created in this batch: no stored identity belongs to it (the
     * batch's identity rows already carry the survivor), so there is nothing to move.
     */
    public record MergeRow(int projectKey, long fromKey, long toKey, Instant mergedAt, boolean redirectsStored,
                           boolean loserStored) {
        public MergeRow(int projectKey, long fromKey, long toKey, Instant mergedAt) {
            this(projectKey, fromKey, toKey, mergedAt, true, true);
        }
    }

    /**
     * The complete new property set of one person; empty deletes the profile. {@code replacesStored}
     * is false when the person is known to have no stored rows, so nothing needs deleting first.
     */
    public record ProfileRow(int projectKey, long personKey, Map<String, StoredProperty> properties, boolean replacesStored) {
    }

    public record StoredProperty(JsonNode value, Instant updatedAt) {
    }

    public record WarningRow(int projectKey, String kind, String identity, String other, String detail, Instant createdAt) {
    }
}

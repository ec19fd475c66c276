package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/** A change to a group's properties (PostHog {@code $groupidentify}, Mixpanel {@code /groups}). */
public record GroupUpdate(String groupType, String groupKey, List<PropertyOperation> operations, Instant timestamp) {
    public GroupUpdate {
        requireNonNull(groupType, "groupType is null");
        requireNonNull(groupKey, "groupKey is null");
        operations = List.copyOf(operations);
        requireNonNull(timestamp, "timestamp is null");
    }
}

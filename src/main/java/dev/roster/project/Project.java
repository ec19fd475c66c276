package dev.roster.project;

import static java.util.Objects.requireNonNull;

import java.time.ZoneId;

/** An isolated dataset. {@code key} is the internal integer used in every table. */
public record Project(int key, String id, String name, String writeKey, ZoneId timeZone) {
    public Project {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(writeKey, "writeKey is null");
        requireNonNull(timeZone, "timeZone is null");
    }
}

package dev.roster.people;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A surviving person: its public id, its key, and every key its events may still carry. */
public record PersonRef(String id, long key, List<Long> eventKeys) {
    public PersonRef {
        requireNonNull(id, "id is null");
        eventKeys = List.copyOf(eventKeys);
    }
}

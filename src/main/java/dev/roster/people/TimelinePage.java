package dev.roster.people;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One page of a person's timeline, newest first. */
public record TimelinePage(List<Event> events, @JsonProperty("next_cursor") String nextCursor) {
    public TimelinePage {
        events = List.copyOf(events);
    }

    public record Event(String id, String name, String timestamp, String identity,
                        @JsonProperty("session_id") String sessionId, JsonNode properties) {
    }
}

package dev.roster.people;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** The person API document (SPEC §10). */
public record PersonDocument(
        String id,
        @JsonProperty("display_name") String displayName,
        List<IdentityInfo> identities,
        ObjectNode properties,
        @JsonProperty("first_seen") String firstSeen,
        @JsonProperty("last_seen") String lastSeen,
        @JsonProperty("event_count") long eventCount,
        @JsonProperty("session_count") long sessionCount,
        double ltv,
        Map<String, String> acquisition) {

    public record IdentityInfo(String id, @JsonProperty("is_user") boolean isUser,
                               @JsonProperty("first_seen") String firstSeen,
                               @JsonProperty("last_seen") String lastSeen,
                               @JsonProperty("event_count") long eventCount) {
    }
}

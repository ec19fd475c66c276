package dev.roster.population;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A saved population as the API shows it. {@code type} is {@code dynamic} (a definition,
 * evaluated at query time) or {@code static} (a saved list of people); {@code count} is filled
 * when it was computed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Population(String id, String name, String type, JsonNode definition, Long count,
                         @JsonProperty("created_at") String createdAt, @JsonProperty("updated_at") String updatedAt) {
    public static final String DYNAMIC = "dynamic";
    public static final String STATIC = "static";

    public Population {
        requireNonNull(id, "id is null");
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }

    public boolean isStatic() {
        return STATIC.equals(type);
    }

    public Population withCount(long people) {
        return new Population(id, name, type, definition, people, createdAt, updatedAt);
    }
}

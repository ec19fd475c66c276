package dev.roster.population;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds Segment batches for a test history and remembers what they mean for the reference. */
final class Histories {
    private final List<ReferencePopulation.Event> events = new ArrayList<>();
    private final Map<String, String> personOfIdentity = new LinkedHashMap<>();
    private final Map<String, Map<String, JsonNode>> profiles = new LinkedHashMap<>();
    private final List<ObjectNode> tracks = new ArrayList<>();
    private final List<ObjectNode> links = new ArrayList<>();
    private final List<ObjectNode> later = new ArrayList<>();
    private final java.util.Set<String> sent = new java.util.HashSet<>();

    /** Declares that {@code identity} belongs to {@code person} once every message is in. */
    Histories identity(String person, String identity) {
        personOfIdentity.put(identity, person);
        return this;
    }

    /** An event sent with one identity (anonymous or user id), before any link is made. */
    Histories track(String identity, boolean user, String name, Instant ts, ObjectNode properties) {
        tracks.add(message("track", identity, user, name, ts, properties));
        sent.add(identity);
        events.add(new ReferencePopulation.Event(identity, name, ts, properties));
        return this;
    }

    /** An event sent after the links are made (so it gets the surviving person directly). */
    Histories trackLater(String identity, boolean user, String name, Instant ts, ObjectNode properties) {
        later.add(message("track", identity, user, name, ts, properties));
        sent.add(identity);
        events.add(new ReferencePopulation.Event(identity, name, ts, properties));
        return this;
    }

    /** An identify linking an anonymous id to a user id, with traits that become the person's profile. */
    Histories identify(String person, String anonymousId, String userId, ObjectNode traits) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("type", "identify");
        message.put("messageId", UUID.randomUUID().toString());
        if (anonymousId != null) {
            message.put("anonymousId", anonymousId);
        }
        message.put("userId", userId);
        message.set("traits", traits);
        message.put("timestamp", "2024-01-01T00:00:00Z");
        links.add(message);
        sent.add(userId);
        if (anonymousId != null) {
            sent.add(anonymousId);
        }
        Map<String, JsonNode> profile = profiles.computeIfAbsent(person, p -> new LinkedHashMap<>());
        traits.fields().forEachRemaining(e -> profile.put(e.getKey(), e.getValue()));
        return this;
    }

    private static ObjectNode message(String type, String identity, boolean user, String name, Instant ts, ObjectNode properties) {
        ObjectNode message = JsonNodeFactory.instance.objectNode();
        message.put("type", type);
        message.put("messageId", UUID.randomUUID().toString());
        message.put(user ? "userId" : "anonymousId", identity);
        message.put("event", name);
        message.put("timestamp", ts.toString());
        message.set("properties", properties);
        return message;
    }

    ReferencePopulation.History history() {
        // Only identities that reached the server exist there.
        Map<String, String> known = new LinkedHashMap<>(personOfIdentity);
        known.keySet().retainAll(sent);
        return new ReferencePopulation.History(List.copyOf(events), known, profiles);
    }

    /** Sends tracks, then links, then later tracks, each as one batch with this write key. */
    void send(TestServer server, String writeKey) {
        send(server, writeKey, () -> { });
    }

    /**
     * As {@link #send(TestServer, String)}, running {@code afterTracks} once the first tracks are
     * stored (e.g. a compaction, so that the links then merge persons whose events are compacted).
     */
    void send(TestServer server, String writeKey, Runnable afterTracks) {
        for (List<ObjectNode> batch : List.of(tracks, links, later)) {
            if (batch == links) {
                server.roster().flush();
                afterTracks.run();
            }
            if (batch.isEmpty()) {
                continue;
            }
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            ArrayNode array = body.putArray("batch");
            batch.forEach(array::add);
            TestServer.Response response = server.post("/v1/batch", Json.write(body).getBytes(StandardCharsets.UTF_8),
                    "application/json", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)));
            if (response.status() != 200) {
                throw new AssertionError("batch refused: " + response.status() + " " + response.text());
            }
        }
        server.roster().flush();
    }
}

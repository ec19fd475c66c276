package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Sends real Segment requests to a test server: the fixtures of the report scenarios. */
final class Tracking {
    private final TestServer server;
    private final AtomicInteger ids = new AtomicInteger();

    Tracking(TestServer server) {
        this.server = server;
    }

    /** A track call; {@code properties} is a JSON object text or null. */
    void track(String anonymousId, String userId, String event, String timestamp, String properties) {
        StringBuilder json = new StringBuilder("{\"event\":\"" + event + "\",\"timestamp\":\"" + timestamp
                + "\",\"messageId\":\"m-" + ids.incrementAndGet() + "\"");
        if (anonymousId != null) {
            json.append(",\"anonymousId\":\"").append(anonymousId).append('"');
        }
        if (userId != null) {
            json.append(",\"userId\":\"").append(userId).append('"');
        }
        if (properties != null) {
            json.append(",\"properties\":").append(properties);
        }
        json.append('}');
        TestServer.Response response = server.segment("track", json.toString());
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    /** The numbers of a JSON array, e.g. a retention row's counts. */
    static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asLong()));
        return values;
    }

    void track(String userId, String event, String timestamp) {
        track(null, userId, event, timestamp, null);
    }

    void identify(String anonymousId, String userId, String traits) {
        TestServer.Response response = server.segment("identify", "{\"anonymousId\":\"" + anonymousId + "\",\"userId\":\"" + userId
                + "\",\"traits\":" + (traits == null ? "{}" : traits) + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
    }

    JsonNode report(String kind, String body) {
        TestServer.Response response = server.api("/api/reports/" + kind, body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json();
    }

    TestServer.Response rawReport(String kind, String body) {
        return server.api("/api/reports/" + kind, body);
    }

    static long[] counts(JsonNode steps) {
        long[] counts = new long[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            counts[i] = steps.get(i).get("count").asLong();
        }
        return counts;
    }
}

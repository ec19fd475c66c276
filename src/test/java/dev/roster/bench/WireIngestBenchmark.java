package dev.roster.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Ingestion throughput of the wire formats at batch size 100: Segment /v1/batch (the reference),
 * PostHog /batch/ and Mixpanel /import, in interleaved rounds on one server. Run with
 * {@code ./mvnw -q -B test -Dtest=WireIngestBenchmark -Dbenchmark=true}; numbers go to BENCHMARKS.md.
 */
class WireIngestBenchmark {
    private static final int BATCH = 100;
    private static final int REQUESTS_PER_ROUND = Integer.getInteger("benchmark.requests", 200);
    private static final int ROUNDS = Integer.getInteger("benchmark.rounds", 3);
    private static final int THREADS = 4;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void posthogBatchAndMixpanelImportKeepUpWithSegment() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("benchmark"), "benchmark: run with -Dbenchmark=true");
        try (TestServer server = TestServer.start()) {
            AtomicInteger ids = new AtomicInteger();
            Map<String, IntFunction<HttpRequest>> formats = new LinkedHashMap<>();
            formats.put("segment /v1/batch", n -> segment(server, ids));
            formats.put("posthog /batch/", n -> posthog(server, ids));
            formats.put("mixpanel /import", n -> mixpanel(server, ids));
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            formats.keySet().forEach(name -> rates.put(name, new ArrayList<>()));
            for (Map.Entry<String, IntFunction<HttpRequest>> warm : formats.entrySet()) {
                run(warm.getValue(), 20);
            }
            for (int round = 0; round < ROUNDS; round++) {
                for (Map.Entry<String, IntFunction<HttpRequest>> format : formats.entrySet()) {
                    rates.get(format.getKey()).add(run(format.getValue(), REQUESTS_PER_ROUND));
                }
            }
            double segment = median(rates.get("segment /v1/batch"));
            System.out.printf("%n| format | events/s (median of %d rounds, %d requests x %d events, %d threads) | vs Segment |%n",
                    ROUNDS, REQUESTS_PER_ROUND, BATCH, THREADS);
            System.out.println("|---|---|---|");
            for (Map.Entry<String, List<Double>> rate : rates.entrySet()) {
                double median = median(rate.getValue());
                System.out.printf("| %s | %.0f | %.0f%% |%n", rate.getKey(), median, 100 * median / segment);
            }
            assertThat(median(rates.get("posthog /batch/"))).isGreaterThan(0);
        }
    }

    private static double run(IntFunction<HttpRequest> requests, int count) throws Exception {
        List<HttpRequest> prepared = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            prepared.add(requests.apply(i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < prepared.size()) {
                    HttpResponse<String> response = HTTP.send(prepared.get(i), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return count * BATCH / seconds;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }

    private static HttpRequest segment(TestServer server, AtomicInteger ids) {
        StringBuilder body = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < BATCH; i++) {
            int id = ids.incrementAndGet();
            body.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"event\":\"Viewed Pricing\",\"userId\":\"u").append(id % 5000)
                    .append("\",\"messageId\":\"s-").append(id).append("\",\"timestamp\":\"").append(Instant.ofEpochSecond(1_700_000_000L + id))
                    .append("\",\"properties\":{\"plan\":\"pro\",\"price\":49.99}}");
        }
        body.append("]}");
        return HttpRequest.newBuilder(URI.create(server.url("/v1/batch")))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((server.writeKey() + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private static HttpRequest posthog(TestServer server, AtomicInteger ids) {
        StringBuilder body = new StringBuilder("{\"api_key\":\"" + server.writeKey() + "\",\"batch\":[");
        for (int i = 0; i < BATCH; i++) {
            int id = ids.incrementAndGet();
            body.append(i == 0 ? "" : ",").append("{\"event\":\"Viewed Pricing\",\"distinct_id\":\"u").append(id % 5000)
                    .append("\",\"uuid\":\"p-").append(id).append("\",\"timestamp\":\"").append(Instant.ofEpochSecond(1_700_000_000L + id))
                    .append("\",\"properties\":{\"plan\":\"pro\",\"price\":49.99}}");
        }
        body.append("]}");
        return HttpRequest.newBuilder(URI.create(server.url("/batch/")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private static HttpRequest mixpanel(TestServer server, AtomicInteger ids) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < BATCH; i++) {
            int id = ids.incrementAndGet();
            body.append(i == 0 ? "" : ",").append("{\"event\":\"Viewed Pricing\",\"properties\":{\"token\":\"").append(server.writeKey())
                    .append("\",\"distinct_id\":\"u").append(id % 5000).append("\",\"$insert_id\":\"m-").append(id)
                    .append("\",\"time\":").append((1_700_000_000L + id) * 1000).append(",\"plan\":\"pro\",\"price\":49.99}}");
        }
        body.append("]");
        return HttpRequest.newBuilder(URI.create(server.url("/import?strict=1")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }
}

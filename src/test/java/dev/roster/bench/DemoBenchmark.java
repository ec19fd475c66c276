package dev.roster.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo dataset as a user meets it: {@code roster demo --people N} in a child JVM (generation
 * through the real write path, then compaction), then person timelines through the HTTP API, with
 * the child's RSS sampled throughout and its bytes on disk per event after a graceful stop.
 *
 * <p>Timeline: {@code GET /api/people/{id}/timeline?limit=100} (the newest 100 events) of random
 * signed-up people ({@code user-<i>} for random i; anonymous visitors are not addressable by index),
 * one client, after 200 warm-up calls.
 */
public final class DemoBenchmark {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        int people = Bench.intProperty("people", 20_000);
        int requests = Bench.intProperty("timelineRequests", 2_000);
        if (System.getProperty("url") != null) {
            againstRunningServer(System.getProperty("url"), people, requests);
            return;
        }
        Path directory = Path.of(System.getProperty("data", "target/bench/demo-" + people));
        if (!Boolean.getBoolean("reuse")) {
            Bench.deleteRecursively(directory);
        }
        int port = Bench.freePort();
        List<String[]> rows = new ArrayList<>();
        String load = Bench.loadAverage();
        long started = System.nanoTime();
        try (Bench.Child child = new Bench.Child("demo", "--people", String.valueOf(people), "--seed", "1",
                "--data", directory.toString(), "--port", String.valueOf(port))) {
            child.await("Roster is running at", 6 * 3600);
            double readySeconds = (System.nanoTime() - started) / 1e9;
            double generationCpu = Bench.cpuSeconds(child.pid());
            long rssAfterGeneration = Bench.rssBytes(child.pid());
            String secret = child.await("secret key:", 10).replaceAll(".*secret key:\\s*", "").trim();
            long events = 0;
            double eventsPerSecond = Double.NaN;
            for (String line : child.lines()) {
                Matcher m = Pattern.compile("Generated ([0-9,]+) events .* in ([0-9.]+) s \\(([0-9,]+) events/s\\)").matcher(line);
                if (m.find()) {
                    events = Long.parseLong(m.group(1).replace(",", ""));
                    eventsPerSecond = Double.parseDouble(m.group(3).replace(",", ""));
                }
                Matcher reused = Pattern.compile("Reusing .*: [0-9,]+ people, ([0-9,]+) events").matcher(line);
                if (reused.find()) {
                    events = Long.parseLong(reused.group(1).replace(",", ""));
                }
            }
            String base = "http://127.0.0.1:" + port;

            serverPid = child.pid();
            long[] sorted = timelines(base, secret, people, requests);
            long returned = lastReturned;
            long rssAfterQueries = Bench.rssBytes(child.pid());
            long maxRss = child.maxRssBytes();
            child.close();
            long bytes = Bench.directoryBytes(directory);

            rows.add(Bench.row("people / events", "%,d / %,d (%.1f events per person)", people, events, events / (double) people));
            rows.add(Bench.row("generation through the write path", "%,.0f events/s wall, %.1f s to ready (JVM start, generation, compaction); child CPU %.0f s, %,.0f events per CPU-second",
                    eventsPerSecond, readySeconds, generationCpu, events / generationCpu));
            rows.add(Bench.row("timeline, newest 100 events, p50 / p95 / p99", "%.2f / %.2f / %.2f ms (%,d requests over %,d people, avg %.0f events returned)",
                    Bench.percentile(sorted, 50), Bench.percentile(sorted, 95), Bench.percentile(sorted, 99),
                    requests, lastPersons, returned / (double) requests));
            rows.add(Bench.row("server CPU per timed timeline request", "%.2f ms (user + system of the whole server process)",
                    lastServerCpuSeconds * 1000 / requests));
            rows.add(Bench.row("server RSS: max / after generation / after queries", "%s / %s / %s",
                    Bench.mib(maxRss), Bench.mib(rssAfterGeneration), Bench.mib(rssAfterQueries)));
            rows.add(Bench.row("bytes on disk per event (after checkpoint)", "%.1f (%s in %s)", bytes / (double) events,
                    Bench.mib(bytes), directory));
            rows.add(Bench.row("machine load average at start", "%s (2 cores, shared)", load));
        }
        Bench.report("DemoBenchmark people=" + people, rows);
    }

    private static long lastReturned;
    private static int lastPersons;
    /** The server's process id when known: {@link #timelines} then measures its CPU during the timed requests. */
    private static long serverPid;
    private static double lastServerCpuSeconds = Double.NaN;

    /** Timeline latencies (sorted nanos) of random signed-up people. */
    static long[] timelines(String base, String secret, int people, int requests) throws IOException, InterruptedException {
        Random random = new Random(7);
        List<String> persons = new ArrayList<>();
        for (int attempt = 0; attempt < 20_000 && persons.size() < 1_000; attempt++) {
            HttpResponse<byte[]> response = get(base + "/api/people?identity=user-" + random.nextInt(people), secret);
            if (response.statusCode() == 200) {
                persons.add(Json.parse(response.body()).get("id").asText());
            }
        }
        if (persons.isEmpty()) {
            throw new IllegalStateException("no signed-up person found");
        }
        for (int i = 0; i < 200; i++) {
            timeline(base, secret, persons.get(random.nextInt(persons.size())));
        }
        List<Long> nanos = new ArrayList<>();
        long returned = 0;
        double cpuBefore = serverPid > 0 ? Bench.cpuSeconds(serverPid) : Double.NaN;
        for (int i = 0; i < requests; i++) {
            String person = persons.get(random.nextInt(persons.size()));
            long t0 = System.nanoTime();
            returned += timeline(base, secret, person);
            nanos.add(System.nanoTime() - t0);
        }
        long[] sorted = Bench.sorted(nanos);
        lastServerCpuSeconds = serverPid > 0 ? Bench.cpuSeconds(serverPid) - cpuBefore : Double.NaN;
        lastReturned = returned;
        lastPersons = persons.size();
        return Bench.sorted(nanos);
    }

    /** Timelines against a server that is already running: -Durl, -Dsecret, -Dpeople, optional -DserverPid. */
    private static void againstRunningServer(String url, int people, int requests) throws Exception {
        String secret = System.getProperty("secret");
        long pid = Long.parseLong(System.getProperty("serverPid", "0"));
        serverPid = pid;
        long[] sorted = timelines(url, secret, people, requests);
        List<String[]> rows = new ArrayList<>();
        rows.add(Bench.row("timeline, newest 100 events, p50 / p95 / p99", "%.2f / %.2f / %.2f ms (%,d requests over %,d people, avg %.0f events returned)",
                Bench.percentile(sorted, 50), Bench.percentile(sorted, 95), Bench.percentile(sorted, 99),
                requests, lastPersons, lastReturned / (double) requests));
        if (pid > 0) {
            rows.add(Bench.row("server CPU per timed timeline request", "%.2f ms (user + system of the whole server process)",
                    lastServerCpuSeconds * 1000 / requests));
            rows.add(Bench.row("server RSS now / peak (VmHWM)", "%s / %s", Bench.mib(Bench.rssBytes(pid)), Bench.mib(hwm(pid))));
        }
        rows.add(Bench.row("machine load average", "%s (2 cores, shared)", Bench.loadAverage()));
        Bench.report("DemoBenchmark (running server " + url + ") people=" + people, rows);
    }

    private static long hwm(long pid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static int timeline(String base, String secret, String person) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get(base + "/api/people/" + person + "/timeline?limit=100", secret);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("timeline answered " + response.statusCode());
        }
        JsonNode events = Json.parse(response.body()).get("events");
        return events.size();
    }

    private static HttpResponse<byte[]> get(String url, String secret) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + secret).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

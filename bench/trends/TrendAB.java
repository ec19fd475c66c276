import java.io.*;
import java.net.URI;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.sql.*;
import java.time.LocalDate;
import java.util.*;
import java.util.concurrent.*;

/**
 * Two Roster jars side by side against the same-answer SQL: serves a copy of the data directory with
 * each jar (java -Xmx1g -jar JAR serve), then alternates the 90-day daily unique-people trend over
 * HTTP on the old server, on the new one, and ReportBenchmark's same-answer SQL on its plain sorted
 * table (bench_events with the integer code), and prints medians and ratios. Every answer must match.
 *
 * java -cp target/roster.jar bench/trends/TrendAB.java OLD.jar DIR_A NEW.jar DIR_B BASELINE.duckdb SECRET ROUNDS [event] [zone]
 * (BASELINE.duckdb: a bench_events(person_id, name, ts, code) table as ReportBenchmark builds it.)
 */
public class TrendAB {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] a) throws Exception {
        String secret = a[5];
        int rounds = Integer.parseInt(a[6]);
        String event = a.length > 7 ? a[7] : "$pageview";
        String zone = a.length > 8 ? a[8] : "UTC";
        List<Process> servers = new ArrayList<>();
        try {
            int portA = start(a[0], a[1], 18701, servers);
            int portB = start(a[2], a[3], 18702, servers);
            Properties p = new Properties();
            p.setProperty("memory_limit", "512MB");
            p.setProperty("duckdb.read_only", "true");
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:" + Path.of(a[4]).toAbsolutePath(), p)) {
                LocalDate today;
                int code;
                try (Statement s = duck.createStatement(); ResultSet r = s.executeQuery(
                        "SELECT max(ts)::DATE, (SELECT code FROM bench_events WHERE name = '" + event.replace("'", "''") + "' LIMIT 1) FROM bench_events")) {
                    r.next();
                    today = r.getDate(1).toLocalDate();
                    code = r.getInt(2);
                }
                LocalDate from = today.minusDays(89);
                String body = "{\"events\":[\"" + event + "\"],\"interval\":\"day\",\"metrics\":[\"people\"],\"from\":\"" + from
                        + "\",\"to\":\"" + today + "\",\"time_zone\":\"" + zone + "\"}";
                String sql = "WITH p AS (SELECT date_trunc('day', ts)::DATE AS d, person_id FROM bench_events "
                        + "WHERE code = ? AND ts >= ? AND ts < ? GROUP BY ALL) "
                        + "SELECT d, count(*) FROM p GROUP BY d UNION ALL SELECT DATE '9999-12-31', count(DISTINCT person_id) FROM p ORDER BY 1";
                Object[] params = {code, Timestamp.valueOf(from.atStartOfDay()), Timestamp.valueOf(today.plusDays(1).atStartOfDay())};
                long[][] t = new long[3][rounds];
                String[] answers = new String[3];
                for (int i = -2; i < rounds; i++) {
                    long t0 = System.nanoTime();
                    answers[0] = trend(portA, secret, body);
                    long t1 = System.nanoTime();
                    answers[1] = trend(portB, secret, body);
                    long t2 = System.nanoTime();
                    answers[2] = query(duck, sql, params);
                    long t3 = System.nanoTime();
                    if (i >= 0) {
                        t[0][i] = t1 - t0;
                        t[1][i] = t2 - t1;
                        t[2][i] = t3 - t2;
                    }
                }
                if (!answers[0].equals(answers[1])) {
                    throw new IllegalStateException("old and new answers differ:\n" + answers[0] + "\n---\n" + answers[1]);
                }
                if (zone.equals("UTC") && !answers[1].equals(answers[2])) {
                    throw new IllegalStateException("Roster and the baseline differ:\n" + answers[1] + "\n---\n" + answers[2]);
                }
                double old = median(t[0]), neu = median(t[1]), base = median(t[2]);
                System.out.printf(Locale.ROOT, "%s, %s, 90 days, %d rounds (medians): old %.0f ms (%.2fx), new %.0f ms (%.2fx), same-answer SQL %.0f ms; load %s%n",
                        event, zone, rounds, old, old / base, neu, neu / base, base, Files.readString(Path.of("/proc/loadavg")).trim());
                System.out.println("old all: " + Arrays.toString(ms(t[0])) + "\nnew all: " + Arrays.toString(ms(t[1])) + "\nsql all: " + Arrays.toString(ms(t[2])));
            }
        } finally {
            for (Process s : servers) {
                s.destroy();
                s.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static long[] ms(long[] nanos) {
        return Arrays.stream(nanos).map(n -> n / 1_000_000).toArray();
    }

    static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    static int start(String jar, String dir, int port, List<Process> servers) throws Exception {
        Process p = new ProcessBuilder("java", "-Xmx1g", "-jar", jar, "serve", "--data", dir, "--port", String.valueOf(port))
                .redirectErrorStream(true).start();
        servers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains("Roster is running at")) {
                Thread drain = new Thread(() -> { try { while (out.readLine() != null) { } } catch (IOException ignored) { } });
                drain.setDaemon(true);
                drain.start();
                System.out.println(jar + " serving " + dir + " on " + port);
                return port;
            }
        }
        throw new IllegalStateException(jar + " exited before serving");
    }

    static String trend(int port, String secret, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/reports/trends"))
                .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + ": " + r.body());
        }
        var series = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("series").get(0);
        StringBuilder answer = new StringBuilder();
        for (var point : series.get("points")) {
            if (point.get("people").asLong() > 0) {
                answer.append(point.get("start").asText(), 0, 10).append(' ').append(point.get("people").asLong()).append('\n');
            }
        }
        return answer.append("9999-12-31 ").append(series.get("total").get("people").asLong()).append('\n').toString();
    }

    static String query(Connection c, String sql, Object[] params) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            StringBuilder answer = new StringBuilder();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    answer.append(r.getString(1), 0, 10).append(' ').append(r.getLong(2)).append('\n');
                }
            }
            return answer.toString();
        }
    }
}

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs SQL files against a copy of a Roster database, interleaved, and prints per file the median
 * wall and process CPU time (DuckDB's threads included) and a digest of the answer, so that
 * variants of one query can be compared for cost and equality. A file holds one statement and a
 * last line "-- params: [JSON array]" (ISO instants bind as UTC timestamps, dates as dates).
 *
 * <pre>
 * java -cp target/test-classes:$(cat target/cp.txt) bench/revenue/SqlVariants.java COPY/roster.duckdb ROUNDS a.sql b.sql ...
 * </pre>
 */
public class SqlVariants {
    public static void main(String[] a) throws Exception {
        Properties p = new Properties();
        p.setProperty("memory_limit", System.getProperty("mem", "512MB"));
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        p.setProperty("access_mode", "READ_ONLY");
        if (System.getProperty("threads") != null) {
            p.setProperty("threads", System.getProperty("threads"));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ObjectMapper mapper = new ObjectMapper();
        int rounds = Integer.parseInt(a[1]);
        Map<String, List<double[]>> times = new LinkedHashMap<>();
        Map<String, String> answers = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + a[0], p)) {
            for (int r = 0; r <= rounds; r++) {
                for (int i = 2; i < a.length; i++) {
                    String text = Files.readString(Path.of(a[i]));
                    int cut = text.lastIndexOf("-- params:");
                    String sql = cut < 0 ? text : text.substring(0, cut);
                    JsonNode params = cut < 0 ? mapper.createArrayNode() : mapper.readTree(text.substring(cut + 10));
                    long c0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    StringBuilder out = new StringBuilder();
                    boolean explain = Boolean.getBoolean("explain") && r == rounds;
                    try (PreparedStatement s = c.prepareStatement(explain ? "EXPLAIN (ANALYZE, FORMAT JSON) " + sql : sql)) {
                        for (int k = 0; k < params.size(); k++) {
                            JsonNode v = params.get(k);
                            if (v.isTextual() && v.asText().matches("\\d{4}-\\d{2}-\\d{2}T.*")) {
                                s.setObject(k + 1, OffsetDateTime.parse(v.asText()).toLocalDateTime());
                            } else if (v.isTextual() && v.asText().matches("\\d{4}-\\d{2}-\\d{2}")) {
                                s.setObject(k + 1, LocalDate.parse(v.asText()));
                            } else if (v.isTextual()) {
                                s.setString(k + 1, v.asText());
                            } else if (v.isIntegralNumber()) {
                                if (v.canConvertToInt()) {
                                    s.setInt(k + 1, v.asInt());
                                } else {
                                    s.setLong(k + 1, v.asLong());
                                }
                            } else if (v.isNumber()) {
                                s.setDouble(k + 1, v.asDouble());
                            } else if (v.isBoolean()) {
                                s.setBoolean(k + 1, v.asBoolean());
                            } else {
                                s.setObject(k + 1, null);
                            }
                        }
                        if (explain) {
                            try (ResultSet rs = s.executeQuery()) {
                                rs.next();
                                System.out.println("==== " + a[i]);
                                dev.roster.bench.QueryPlans.print(mapper.readTree(rs.getString(2)), Double.parseDouble(System.getProperty("minMs", "2")));
                            }
                            continue;
                        }
                        try (ResultSet rs = s.executeQuery()) {
                            int n = rs.getMetaData().getColumnCount();
                            List<String> rows = new ArrayList<>();
                            while (rs.next()) {
                                StringBuilder row = new StringBuilder();
                                for (int k = 1; k <= n; k++) {
                                    Object o = rs.getObject(k);
                                    if (o instanceof java.sql.Array arr) {
                                        o = java.util.Arrays.toString((Object[]) arr.getArray());
                                    }
                                    if (o instanceof Double d) {
                                        o = String.format("%.6f", d);
                                    }
                                    row.append(o).append('|');
                                }
                                rows.add(row.toString());
                            }
                            rows.sort(null);
                            rows.forEach(x -> out.append(x).append('\n'));
                        }
                    }
                    long t1 = System.nanoTime();
                    long c1 = os.getProcessCpuTime();
                    String key = a[i];
                    times.computeIfAbsent(key, k -> new ArrayList<>());
                    if (r > 0) {
                        times.get(key).add(new double[] {(t1 - t0) / 1e6, (c1 - c0) / 1e6});
                    }
                    answers.put(key, out.toString());
                    if (Boolean.getBoolean("verbose")) {
                        System.out.printf("round %d %-40s %7.0f ms %7.0f cpu%n", r, key, (t1 - t0) / 1e6, (c1 - c0) / 1e6);
                    }
                }
            }
        }
        for (var e : times.entrySet()) {
            double[] w = e.getValue().stream().mapToDouble(x -> x[0]).sorted().toArray();
            double[] cpu = e.getValue().stream().mapToDouble(x -> x[1]).sorted().toArray();
            String answer = answers.get(e.getKey());
            System.out.printf("%-44s wall %6.0f ms  cpu %6.0f ms  (min %5.0f / %5.0f)  answer %08x (%d rows)%n", e.getKey(),
                    w.length == 0 ? 0 : w[w.length / 2], cpu.length == 0 ? 0 : cpu[cpu.length / 2], w.length == 0 ? 0 : w[0],
                    cpu.length == 0 ? 0 : cpu[0], answer.hashCode(), answer.split("\n").length);
            if (Boolean.getBoolean("show")) {
                System.out.println(answer.length() > 3000 ? answer.substring(0, 3000) : answer);
            }
        }
    }
}

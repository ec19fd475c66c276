import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.*;
import java.util.*;

/**
 * Per-query wall and CPU time of person-lookup query variants on random signed-up persons, with
 * DuckDB's threads=1 (default) so that the whole query runs on the calling thread and its CPU time
 * is what an idle machine would take (BENCHMARKS.md, "Person timeline, second pass").
 * args: db rounds persons variants.tsv. A variant's parameters: k = person key, s = person id,
 * declared as "name<TAB>params<TAB>sql", e.g. "byid	s	SELECT …".
 */
public class QueryCosts {
    public static void main(String[] a) throws Exception {
        Properties p = new Properties();
        p.setProperty("memory_limit", System.getProperty("mem", "512MB"));
        p.setProperty("threads", System.getProperty("threads", "1"));
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        int rounds = Integer.parseInt(a[1]);
        int npersons = Integer.parseInt(a[2]);
        List<String[]> variants = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(a[3]))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            variants.add(line.split("\t", 3));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + a[0], p)) {
            try (Statement s = c.createStatement()) {
                for (String setting : System.getProperty("set", "").split(";")) if (!setting.isBlank()) s.execute(setting);
            }
            List<Long> keys = new ArrayList<>();
            Random random = new Random(7);
            try (PreparedStatement s = c.prepareStatement("SELECT person_key FROM identities WHERE identity = ?")) {
                while (keys.size() < npersons) {
                    s.setString(1, "user-" + random.nextInt(1_000_000));
                    try (ResultSet r = s.executeQuery()) { if (r.next()) keys.add(r.getLong(1)); }
                }
            }
            Map<Long, String> pid = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT person_id FROM persons WHERE person_key = ?")) {
                for (long k : keys) { s.setLong(1, k); try (ResultSet r = s.executeQuery()) { r.next(); pid.put(k, r.getString(1)); } }
            }
            Map<String, List<long[]>> times = new LinkedHashMap<>();
            Map<String, PreparedStatement> prepared = new HashMap<>();
            for (String[] v : variants) prepared.put(v[0], c.prepareStatement(v[2]));
            for (int round = 0; round < rounds + 1; round++) {
                Collections.shuffle(keys, random);
                for (long key : keys) {
                    for (String[] v : variants) {
                        PreparedStatement s = prepared.get(v[0]);
                        long w0 = System.nanoTime();
                        long c0 = mx.getCurrentThreadCpuTime();
                        for (int i = 0; i < v[1].length(); i++) {
                            if (v[1].charAt(i) == 's') s.setString(i + 1, pid.get(key)); else s.setLong(i + 1, key);
                        }
                        long n = 0;
                        try (ResultSet r = s.executeQuery()) {
                            int cols = r.getMetaData().getColumnCount();
                            while (r.next()) { n++; for (int i = 1; i <= cols; i++) r.getString(i); }
                        }
                        long cpu = mx.getCurrentThreadCpuTime() - c0;
                        long wall = System.nanoTime() - w0;
                        if (round > 0) times.computeIfAbsent(v[0], k -> new ArrayList<>()).add(new long[] {wall, cpu, n});
                    }
                }
            }
            System.out.printf("load %s%n", new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
            for (String[] v : variants) {
                List<long[]> t = times.get(v[0]);
                long[] wall = t.stream().mapToLong(x -> x[0]).sorted().toArray();
                long[] cpu = t.stream().mapToLong(x -> x[1]).sorted().toArray();
                double rows = t.stream().mapToLong(x -> x[2]).average().orElse(0);
                System.out.printf("%-16s wall p50 %6.2f p90 %6.2f | cpu p50 %6.2f p90 %6.2f ms | rows %.1f%n", v[0],
                        wall[wall.length / 2] / 1e6, wall[wall.length * 9 / 10] / 1e6, cpu[cpu.length / 2] / 1e6, cpu[cpu.length * 9 / 10] / 1e6, rows);
            }
        }
    }
}

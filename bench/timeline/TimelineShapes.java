import java.sql.*;
import java.util.*;

/** Interleaved timing of person-lookup query variants on random signed-up persons (BENCHMARKS.md, "Person timeline and memory"). args: db rounds persons variants.tsv; -Dset="SQL;SQL" runs statements first (e.g. ATTACH copies); a variant named s_* binds the person id instead of the key. */
public class TimelineShapes {
    public static void main(String[] a) throws Exception {
        Properties p = new Properties();
        p.setProperty("memory_limit", System.getProperty("mem", "512MB"));
        p.setProperty("autoinstall_known_extensions", "false");
        p.setProperty("autoload_known_extensions", "false");
        int rounds = Integer.parseInt(a[1]);
        int npersons = Integer.parseInt(a[2]);
        List<String[]> variants = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(a[3]))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] parts = line.split("\t", 2);
            variants.add(parts);
        }
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
            Map<String, List<Long>> times = new LinkedHashMap<>();
            Map<String, Long> rows = new HashMap<>();
            for (int round = 0; round < rounds + 1; round++) {
                for (String[] v : variants) {
                    try (PreparedStatement s = c.prepareStatement(v[1])) {
                        int params = (int) v[1].chars().filter(ch -> ch == '?').count();
                        for (long key : keys) {
                            for (int i = 1; i <= params; i++) { if (v[0].startsWith("s_")) s.setString(i, pid.get(key)); else s.setLong(i, key); }
                            long t0 = System.nanoTime();
                            long n = 0;
                            try (ResultSet r = s.executeQuery()) {
                                int cols = r.getMetaData().getColumnCount();
                                while (r.next()) { n++; for (int i = 1; i <= cols; i++) r.getString(i); }
                            }
                            long t = System.nanoTime() - t0;
                            if (round > 0) { times.computeIfAbsent(v[0], k -> new ArrayList<>()).add(t); rows.merge(v[0], n, Long::sum); }
                        }
                    }
                }
            }
            for (String[] v : variants) {
                long[] t = times.get(v[0]).stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("%-28s p50 %6.2f ms  p90 %6.2f  mean %6.2f  rows/q %.1f%n", v[0], t[t.length / 2] / 1e6, t[t.length * 9 / 10] / 1e6,
                        Arrays.stream(t).average().orElse(0) / 1e6, rows.get(v[0]) / (double) t.length);
            }
        }
    }
}

// Scratch harness (issue 4, branch uniques): the 90-day daily-uniques trend SQL that TrendsQuery generates, next to
// hand-written variants (a file of name<TAB>sql lines; $START/$END become the range, ? binds the trend's parameters), in one
// process on a copy of a data directory, alternating, medians of wall time and process CPU (10 ms ticks).
// The baseline file is built on the first run (bench_events sorted by person, with integer codes, as ReportBenchmark).
//   java -cp target/roster.jar bench/trends/TrendSql.java DIR target/bench/uq-baseline.duckdb ROUNDS ZONE variants.tsv
//   env: EXPLAIN=1 (JSON profiles instead of timing), REPORT=1 (also TrendsReport.run + JSON), NOROSTER=1, PREP=1 (prepare only)
import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import dev.roster.report.Fragment;
import dev.roster.report.trends.TrendsQuery;
import dev.roster.report.trends.TrendsRequest;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.nio.file.*;
import java.sql.*;
import java.time.*;
import java.util.*;

/** args: dataDir baselineFile rounds zone [variant-file...]; variants: name<TAB>sql (params of roster query reused when sql has ?) */
public class TrendSql {
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]); Path base = Path.of(a[1]); int rounds = Integer.parseInt(a[2]); String zone = a[3];
    LocalDate today = LocalDate.parse("2026-11-28");
    if (!Files.exists(base)) {
      Properties p = new Properties(); p.setProperty("memory_limit", "512MB");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + base.toAbsolutePath(), p); Statement s = c.createStatement()) {
        s.execute("ATTACH '" + dir.resolve("roster.duckdb").toAbsolutePath() + "' AS r (READ_ONLY)");
        s.execute("CREATE TABLE bench_events AS SELECT coalesce(m.to_key, e.person_key) AS person_id, e.name, e.ts "
          + "FROM (SELECT * FROM r.events_compacted UNION ALL SELECT * FROM r.events_recent) e "
          + "LEFT JOIN r.unfolded_merges m ON m.project_key = e.project_key AND m.from_key = e.person_key ORDER BY person_id, ts");
        s.execute("DETACH r");
        s.execute("CREATE TABLE event_codes AS SELECT name, (row_number() OVER (ORDER BY name))::USMALLINT AS code FROM (SELECT DISTINCT name FROM bench_events)");
        s.execute("CREATE TABLE sorted AS SELECT person_id, b.name, ts, c.code FROM bench_events b JOIN event_codes c USING (name) ORDER BY person_id, ts");
        s.execute("DROP TABLE bench_events"); s.execute("ALTER TABLE sorted RENAME TO bench_events"); s.execute("CHECKPOINT");
      }
      System.out.println("baseline built");
    }
    try (Database database = Database.open(dir, "512MB")) {
      Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
      PopulationService populations = new PopulationService(database, new PeopleSearch(database), new RevenueSettings(database), clock);
      Project project = new Project(1, "p", "p", "wk", ZoneId.of("UTC"));
      JsonNode body = Json.parse("{\"events\": [\"$pageview\"], \"interval\": \"day\", \"metrics\": [\"people\"], \"from\": \""
          + today.minusDays(89) + "\", \"to\": \"" + today + "\", \"time_zone\": \"" + zone + "\"}");
      TrendsRequest request = TrendsRequest.parse(body, project, clock);
      TrendsQuery query = new TrendsQuery(request, project, populations, true, Optional.empty());
      var m = TrendsQuery.class.getDeclaredMethod("series", boolean.class); m.setAccessible(true);
      Fragment f = (Fragment) m.invoke(query, false);
      System.out.println("ROSTER SQL: " + f.sql() + "\nPARAMS: " + f.parameters());
      List<String[]> variants = new ArrayList<>();
      if (System.getenv("NOROSTER") == null) variants.add(new String[] {"roster", f.sql()});
      for (int i = 4; i < a.length; i++) for (String line : Files.readAllLines(Path.of(a[i]))) if (line.contains("\t") && !line.startsWith("#")) variants.add(line.split("\t", 2));
      Instant start = request.scope().range().start(), end = request.scope().range().end();
      dev.roster.report.Reports reports = new dev.roster.report.Reports(database, populations, clock);
      if (System.getenv("REPORT") != null) variants.add(new String[] {"report", ""});
      database.read(c -> {
        try (Statement s = c.createStatement()) { s.execute("ATTACH '" + base.toAbsolutePath() + "' AS b (READ_ONLY)"); }
        if (System.getenv("EXPLAIN") != null) {
          for (String[] v : variants) {
            String sql = v[1].replace("$START", "TIMESTAMP '" + LocalDateTime.ofInstant(start, ZoneOffset.UTC) + "'").replace("$END", "TIMESTAMP '" + LocalDateTime.ofInstant(end, ZoneOffset.UTC) + "'");
            for (int k = 0; k < 2; k++) try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
              if (v[0].equals("roster") || sql.contains("?")) Sql.bind(ps, 1, f.parameters());
              try (ResultSet rs = ps.executeQuery()) { while (rs.next()) if (k == 1) System.out.println("=== " + v[0] + "\n" + rs.getString(2)); }
            }
          }
          return null;
        }
        Map<String, List<Long>> times = new LinkedHashMap<>();
        Map<String, String> answers = new LinkedHashMap<>(); Map<String, List<Long>> cpus = new LinkedHashMap<>();
        for (int r = 0; r < rounds + 2; r++) {
          for (String[] v : variants) {
            String sql = v[1].replace("$START", "TIMESTAMP '" + LocalDateTime.ofInstant(start, ZoneOffset.UTC) + "'").replace("$END", "TIMESTAMP '" + LocalDateTime.ofInstant(end, ZoneOffset.UTC) + "'");
            long c0 = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
            long t0 = System.nanoTime();
            StringBuilder ans = new StringBuilder(); long sum = 0; int rows = 0;
            if (v[0].equals("report")) {
              try { byte[] out = Json.MAPPER.writeValueAsBytes(reports.trends().run(project, body)); rows = out.length; } catch (Exception e) { throw new RuntimeException(e); }
            } else
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              if (v[0].equals("roster") || sql.contains("?")) Sql.bind(ps, 1, f.parameters());
              if (System.getenv("PREP") == null) try (ResultSet rs = ps.executeQuery()) { while (rs.next()) { rows++; sum += rs.getLong(v[0].startsWith("roster") ? 6 : rs.getMetaData().getColumnCount()); } }
            }
            long t = System.nanoTime() - t0; long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - c0;
            if (r >= 2) { times.computeIfAbsent(v[0], k -> new ArrayList<>()).add(t); cpus.computeIfAbsent(v[0], k -> new ArrayList<>()).add(cpu); }
            answers.put(v[0], rows + " rows, sum " + sum);
          }
        }
        for (var e : times.entrySet()) { List<Long> l = e.getValue(); Collections.sort(l);
          List<Long> cl = cpus.get(e.getKey()); Collections.sort(cl);
          System.out.printf("%-24s median %7.1f ms  min %7.1f ms  cpu median %7.1f min %7.1f  %s%n", e.getKey(), l.get(l.size()/2)/1e6, l.get(0)/1e6, cl.get(cl.size()/2)/1e6, cl.get(0)/1e6, answers.get(e.getKey())); }
        return null;
      });
    }
  }
}

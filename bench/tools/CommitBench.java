// Appends N event rows per transaction to events_recent and to a plain copy of it, in a copy of a
// Roster database, and reports CPU and wall time per commit. CKPT=<size> sets checkpoint_threshold.
// java -cp duckdb_jdbc.jar bench/tools/CommitBench.java DB ROWS ROUNDS [tables]
import java.sql.*;
import java.lang.management.*;
import org.duckdb.*;
public class CommitBench {
  public static void main(String[] a) throws Exception {
    int rows = Integer.parseInt(a[1]); int rounds = Integer.parseInt(a[2]);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (DuckDBConnection c = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + a[0]); Statement s = c.createStatement()) {
      if (System.getenv("CKPT") != null) s.execute("SET checkpoint_threshold='" + System.getenv("CKPT") + "'");
      s.execute("CREATE TABLE IF NOT EXISTS plain AS SELECT * FROM events_recent LIMIT 0");
      String[] tables = a.length > 3 ? a[3].split(",") : new String[]{"events_recent", "plain"};
      String props = "{\"url\":\"https://example.com/pricing?utm_source=google\",\"path\":\"/pricing\",\"title\":\"Pricing - Example\",\"referrer\":\"https://www.google.com/\",\"utm_source\":\"google\"}";
      long[] cpu = new long[tables.length]; long[] wall = new long[tables.length]; long[] commitWall = new long[tables.length];
      long id = System.nanoTime();
      for (int r = 0; r < rounds; r++) {
        for (int t = 0; t < tables.length; t++) {
          long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
          c.setAutoCommit(false);
          s.execute("SELECT 1");
          try (DuckDBAppender ap = c.createAppender(DuckDBConnection.DEFAULT_SCHEMA, tables[t])) {
            for (int i = 0; i < rows; i++) {
              id++;
              ap.beginRow().append(1).append("msg-" + id + "-0f3e2b1a-9c8d-4e7f").append("anon-" + (id % 5000)).append(id % 5000).append("$pageview")
                .appendEpochMicros(1_700_000_000_000_000L + id).appendEpochMicros(1_700_000_000_000_000L + id).append("sess-" + (id/10)).append(props).endRow();
            }
          }
          long w1 = System.nanoTime();
          c.commit(); c.setAutoCommit(true);
          if (r > 2) { cpu[t] += mx.getCurrentThreadCpuTime() - c0; wall[t] += System.nanoTime() - w0; commitWall[t] += System.nanoTime() - w1; }
        }
      }
      for (int t = 0; t < tables.length; t++)
        System.out.printf("%s: per commit of %d rows: thread cpu %.2f ms, wall %.2f ms (commit %.2f ms) => %.1f us wall/row%n", tables[t], rows, cpu[t]/1e6/(rounds-3), wall[t]/1e6/(rounds-3), commitWall[t]/1e6/(rounds-3), wall[t]/1e3/(rounds-3)/rows);
    }
  }
}

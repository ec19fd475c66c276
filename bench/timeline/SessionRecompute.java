import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.PersonSummaryWriter;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * What compaction's per-step recompute costs for N touched persons (random stored keys of the
 * compacted events), event_sessions (EventSessions.recomputeTouched) next to the person summary
 * (PersonSummaryWriter.recomputeTouched) it runs beside; each inside a transaction that is rolled
 * back, so the copy is unchanged. args: dataDir persons rounds
 */
public class SessionRecompute {
    public static void main(String[] a) throws Exception {
        int persons = Integer.parseInt(a[1]);
        int rounds = Integer.parseInt(a[2]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Class<?> sessions = Class.forName("dev.roster.store.EventSessions");
        Method sessionsRecompute = sessions.getDeclaredMethod("recomputeTouched", Connection.class);
        sessionsRecompute.setAccessible(true);
        Method summaryRecompute = PersonSummaryWriter.class.getDeclaredMethod("recomputeTouched", Connection.class);
        summaryRecompute.setAccessible(true);
        Method prepare = PersonSummaryWriter.class.getDeclaredMethod("prepare", Connection.class);
        prepare.setAccessible(true);
        PersonSummaryWriter summaries = new PersonSummaryWriter(RevenueSettings.summaryAmounts());
        try (Database database = Database.open(Path.of(a[0]), "512MB")) {
            Connection connection = database.writer();
            for (int round = 0; round < rounds; round++) {
                for (String what : new String[] {"event_sessions", "person_summary"}) {
                    connection.setAutoCommit(false);
                    try (Statement statement = connection.createStatement()) {
                        prepare.invoke(null, connection);
                        statement.execute("DELETE FROM summary_touched");
                        statement.execute("INSERT INTO summary_touched SELECT project_key, person_key FROM "
                                + "(SELECT DISTINCT project_key, person_key FROM events_compacted) USING SAMPLE " + persons + " ROWS");
                        long c0 = os.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        if (what.equals("event_sessions")) {
                            sessionsRecompute.invoke(null, connection);
                        } else {
                            summaryRecompute.invoke(summaries, connection);
                        }
                        System.out.printf("round %d %-15s %d persons: %.0f ms, process CPU %.0f ms  load %s%n", round, what, persons,
                                (System.nanoTime() - t0) / 1e6, (os.getProcessCpuTime() - c0) / 1e6,
                                new String(java.nio.file.Files.readAllBytes(Path.of("/proc/loadavg"))).trim());
                    } finally {
                        connection.rollback();
                        connection.setAutoCommit(true);
                    }
                }
            }
        }
    }
}

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import dev.roster.report.Reports;
import dev.roster.report.trends.TrendsResult;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.*;

/**
 * In-process cost of the dashboard's trends request (30 days by day, $pageview and Signed Up, every
 * metric, conversion Viewed Pricing → Signed Up) on a data directory (BENCHMARKS.md, "Trends page").
 * -Drare=true: "Purchased" alone (a rare event). args: dataDir rounds [today as yyyy-mm-dd, default: the day of the newest event].
 */
public class TrendsSteps {
    public static void main(String[] a) throws Exception {
        int rounds = Integer.parseInt(a[1]);
        try (Database database = Database.open(Path.of(a[0]), "512MB")) {
            LocalDate today = a.length > 2 ? LocalDate.parse(a[2]) : database.read(c -> {
                try (var s = c.createStatement(); var r = s.executeQuery("SELECT max(ts)::DATE FROM all_events")) {
                    r.next();
                    return r.getObject(1, LocalDate.class);
                }
            });
            Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
            PeopleSearch search = new PeopleSearch(database);
            RevenueSettings revenue = new RevenueSettings(database);
            PopulationService populations = new PopulationService(database, search, revenue, clock);
            Reports reports = new Reports(database, populations, clock);
            Project project = new Project(1, "p", "p", "wk", ZoneId.of("UTC"));
            JsonNode body = Json.parse(Boolean.getBoolean("rare")
                    ? "{\"events\": [{\"event\": \"Purchased\"}], \"interval\": \"day\", \"from\": \"" + today.minusDays(29) + "\", \"to\": \""
                            + today + "\", \"metrics\": [\"events\", \"people\", \"sessions\"]}"
                    : "{\"events\": [{\"event\": \"$pageview\"}, {\"event\": \"Signed Up\"}], \"interval\": \"day\", \"from\": \""
                    + today.minusDays(29) + "\", \"to\": \"" + today + "\", \"metrics\": [\"events\", \"people\", \"sessions\", \"events_per_person\"],"
                    + " \"conversion\": {\"from\": \"Viewed Pricing\", \"to\": \"Signed Up\"}}");
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            List<Long> cpus = new ArrayList<>();
            List<Long> wall = new ArrayList<>();
            String answer = null;
            for (int round = 0; round <= rounds; round++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                TrendsResult result = reports.trends().run(project, body);
                long t = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - c0;
                String json = Json.write(result);
                if (answer != null && !answer.equals(json)) {
                    System.out.println("ANSWER CHANGED");
                }
                answer = json;
                System.out.printf("round %d: %.0f ms, process CPU %.0f ms  load %s%n", round, t / 1e6, cpu / 1e6,
                        new String(java.nio.file.Files.readAllBytes(Path.of("/proc/loadavg"))).trim());
                if (round > 0) {
                    wall.add(t);
                    cpus.add(cpu);
                }
            }
            Collections.sort(wall);
            Collections.sort(cpus);
            System.out.printf("median %.0f ms, process CPU %.0f ms%n", wall.get(wall.size() / 2) / 1e6, cpus.get(cpus.size() / 2) / 1e6);
            System.out.printf("answer: %d characters, hash %08x%n", answer.length(), answer.hashCode());
            System.out.println(answer.length() > 600 ? answer.substring(answer.length() - 600) : answer);
        }
    }
}

import dev.roster.common.Json;
import dev.roster.people.PeopleService;
import dev.roster.people.PersonRef;
import dev.roster.people.TimelinePage;
import dev.roster.project.Project;
import dev.roster.store.Database;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.*;

/**
 * In-process cost of one timeline request, step by step (BENCHMARKS.md, "Person timeline, second pass"):
 * PeopleService.require (person by id), timeline (events query), JSON. args: dataDir persons rounds.
 */
public class TimelineSteps {
    public static void main(String[] a) throws Exception {
        int persons = Integer.parseInt(a[1]);
        int rounds = Integer.parseInt(a[2]);
        try (Database database = Database.open(Path.of(a[0]), "512MB")) {
            PeopleService people = new PeopleService(database);
            Project project = new Project(1, "p", "p", "wk", ZoneId.of("UTC"));
            Random random = new Random(7);
            List<String> ids = new ArrayList<>();
            while (ids.size() < persons) {
                people.findByIdentity(project, "user-" + random.nextInt(1_000_000)).ifPresent(p -> ids.add(p.id()));
            }
            Map<String, List<Long>> times = new LinkedHashMap<>();
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = 0;
            long measured = 0;
            for (int round = 0; round <= rounds; round++) {
                if (round == 1) {
                    cpuStart = os.getProcessCpuTime();
                }
                Collections.shuffle(ids, random);
                for (String id : ids) {
                    long t0 = System.nanoTime();
                    PersonRef person = people.require(project, id);
                    long t1 = System.nanoTime();
                    TimelinePage page = people.timeline(project, person, 100, Optional.empty(), Optional.empty());
                    long t2 = System.nanoTime();
                    byte[] json = Json.MAPPER.writeValueAsBytes(page);
                    long t3 = System.nanoTime();
                    if (round > 0) {
                        measured++;
                        times.computeIfAbsent("require", k -> new ArrayList<>()).add(t1 - t0);
                        times.computeIfAbsent("timeline", k -> new ArrayList<>()).add(t2 - t1);
                        times.computeIfAbsent("json", k -> new ArrayList<>()).add(t3 - t2);
                        times.computeIfAbsent("total", k -> new ArrayList<>()).add(t3 - t0);
                    }
                }
            }
            System.out.printf("process CPU per request %.2f ms (load %s)%n", (os.getProcessCpuTime() - cpuStart) / 1e6 / measured,
                    new String(java.nio.file.Files.readAllBytes(Path.of("/proc/loadavg"))).trim());
            for (Map.Entry<String, List<Long>> e : times.entrySet()) {
                long[] t = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("%-10s p50 %6.2f ms  p90 %6.2f  mean %6.2f%n", e.getKey(), t[t.length / 2] / 1e6, t[t.length * 9 / 10] / 1e6,
                        Arrays.stream(t).average().orElse(0) / 1e6);
            }
        }
    }
}

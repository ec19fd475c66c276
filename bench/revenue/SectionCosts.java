package dev.roster.report.revenue;

import dev.roster.common.Json;
import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import dev.roster.report.Fragment;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-process costs of the dashboard revenue page's request, whole and per section, with and without
 * the population filter: wall and process CPU (which includes DuckDB's threads), medians of rounds
 * after a warm-up, cases interleaved. Optionally EXPLAIN ANALYZE of each section's SQL.
 *
 * <pre>
 * javac -cp target/test-classes:target/classes:$(cat target/cp.txt) -d target/probe bench/revenue/SectionCosts.java
 * java -cp target/probe:target/test-classes:target/classes:$(cat target/cp.txt) dev.roster.report.revenue.SectionCosts COPY_DIR ROUNDS [explain]
 * </pre>
 */
public class SectionCosts {
    public static void main(String[] a) throws Exception {
        Database db = Database.open(Path.of(a[0]), System.getProperty("mem", "512MB"));
        int rounds = Integer.parseInt(a[1]);
        boolean explain = a.length > 2 && a[2].equals("explain");
        Clock clock = Clock.systemUTC();
        Projects projects = new Projects(db, clock);
        Project p = projects.findById("demo").orElseThrow();
        RevenueSettings settings = new RevenueSettings(db);
        PopulationService pops = new PopulationService(db, new PeopleSearch(db), settings, clock);
        String pop = pops.list(p, false).stream().filter(x -> x.name().equals("Benchmark: purchased")).findFirst().map(x -> x.id()).orElse("none");
        RevenueReport report = new RevenueReport(db, settings, pops, clock);
        LocalDate today = LocalDate.now(clock);
        String full = "{\"from\": \"" + today.minusDays(364) + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30, \"interval\": \"month\"";
        String popd = "{\"from\": \"" + today.minusDays(89) + "\", \"to\": \"" + today + "\", \"group_by\": \"channel\", \"churn_days\": 30, \"interval\": \"month\", \"population\": \"" + pop + "\"";
        Map<String, String> cases = new LinkedHashMap<>();
        String only = System.getProperty("cases", "");
        for (String[] c : new String[][] {{"page", full}, {"pop", popd}}) {
            cases.put(c[0] + " all", c[1] + "}");
            cases.put(c[0] + " par", c[1]);
            for (String s : List.of("periods", "ltv", "cohorts")) {
                cases.put(c[0] + " " + s, c[1] + ", \"sections\": [\"" + s + "\"]}");
            }
        }
        cases.keySet().removeIf(k -> !only.isBlank() && List.of(only.split(",")).stream().noneMatch(k::startsWith));
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, List<double[]>> times = new LinkedHashMap<>();
        cases.keySet().forEach(k -> times.put(k, new ArrayList<>()));
        Map<String, String> answers = new LinkedHashMap<>();
        for (int r = 0; r <= rounds; r++) {
            for (var e : cases.entrySet()) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Object result;
                if (e.getKey().endsWith(" par")) {
                    String prefix = e.getValue();
                    var futures = List.of("periods", "ltv", "cohorts").stream()
                            .map(sec -> java.util.concurrent.CompletableFuture.supplyAsync(() -> report.run(p, Json.parse((prefix + ", \"sections\": [\"" + sec + "\"]}").getBytes()))))
                            .toList();
                    result = futures.stream().map(java.util.concurrent.CompletableFuture::join).toList();
                } else {
                    result = report.run(p, Json.parse(e.getValue().getBytes()));
                }
                long t1 = System.nanoTime();
                long c1 = os.getProcessCpuTime();
                answers.put(e.getKey(), Json.write(result));
                if (r > 0) {
                    times.get(e.getKey()).add(new double[] {(t1 - t0) / 1e6, (c1 - c0) / 1e6});
                }
                System.out.printf("round %d %-14s %7.0f ms wall %7.0f ms cpu%n", r, e.getKey(), (t1 - t0) / 1e6, (c1 - c0) / 1e6);
            }
        }
        for (var e : times.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            double[] w = e.getValue().stream().mapToDouble(x -> x[0]).sorted().toArray();
            double[] c = e.getValue().stream().mapToDouble(x -> x[1]).sorted().toArray();
            System.out.printf("MEDIAN %-14s %7.0f ms wall %7.0f ms cpu (min %4.0f / %4.0f)%n", e.getKey(), w[w.length / 2], c[c.length / 2], w[0], c[0]);
        }
        if (System.getProperty("answers") != null) {
            java.nio.file.Files.writeString(Path.of(System.getProperty("answers")), Json.write(answers));
        }
        if (explain) {
            RevenueConfig config = settings.load(p);
            RevenueExpression amount = RevenueExpression.of(config);
            for (var e : cases.entrySet()) {
                if (!e.getKey().endsWith(" all") || e.getKey().endsWith(" par")) {
                    continue;
                }
                RevenueRequest req = RevenueRequestParser.parse(Json.parse(e.getValue().getBytes()), p, clock);
                RevenueSql sql = new RevenueSql(req, p, amount, pops, Optional.empty(), false, 1000);
                var now = clock.instant();
                int n = 0;
                for (var f : List.of(sql.periods(), sql.lifetime(now.minus(Duration.ofDays(30))), sql.cohorts(now))) {
                    if (System.getProperty("dump") != null) {
                        java.nio.file.Files.writeString(Path.of(System.getProperty("dump") + "-" + e.getKey().replace(' ', '-') + "-" + (n++) + ".sql"),
                                f.sql() + "\n-- params: " + Json.write(f.parameters().stream().map(x -> x instanceof java.time.Instant || x instanceof LocalDate ? x.toString() : x).toList()) + "\n");
                    }
                    db.read(c -> {
                        try (PreparedStatement s = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + f.sql())) {
                            Sql.bind(s, 1, f.parameters());
                            try (ResultSet rs = s.executeQuery()) {
                                while (rs.next()) {
                                    dev.roster.bench.QueryPlans.print(Json.parse(rs.getString(2).getBytes()), Double.parseDouble(System.getProperty("minMs", "2")));
                                }
                            }
                        }
                        return null;
                    });
                }
            }
        }
        System.exit(0);
    }
}

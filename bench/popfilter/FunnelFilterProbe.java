package dev.roster.report.funnel;

import dev.roster.common.Json;
import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import dev.roster.report.Fragment;
import dev.roster.report.Reports;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * In-process costs of a population-filtered funnel (BENCHMARKS.md, "Population as a funnel filter"):
 * the funnel with and without the filter, the population's count and its member evaluation alone,
 * interleaved rounds, medians; then EXPLAIN ANALYZE of the filtered funnel's SQL into a file.
 * args: data-dir rounds [plan-file]. Compile against target/classes and the test classpath.
 */
public class FunnelFilterProbe {
    static final String READERS = "{\"all\": [{\"did\": \"Read Article\", \"count\": {\"op\": \"gte\", \"value\": 2}}, "
            + "{\"any\": [{\"did\": \"Viewed Pricing\", \"within\": {\"last\": 90, \"unit\": \"day\"}}, "
            + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}]}]}";

    public static void main(String[] a) throws Exception {
        Database db = Database.open(Path.of(a[0]), "1GB");
        Clock clock = Clock.systemUTC();
        Project p = new Projects(db, clock).findById("demo").orElseThrow();
        PopulationService pops = new PopulationService(db, new PeopleSearch(db), new RevenueSettings(db), clock);
        Reports reports = new Reports(db, pops, clock);
        LocalDate today = db.read(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT max(ts)::DATE FROM resolved_occurrences")) {
                r.next();
                return r.getObject(1, LocalDate.class);
            }
        });
        String id = pops.list(p, false).stream().filter(x -> x.name().equals("probe readers")).map(x -> x.id()).findFirst()
                .orElseGet(() -> pops.create(p, "probe readers", Json.parse(READERS.getBytes())).id());
        String funnel = "{\"steps\":[{\"event\":\"Viewed Pricing\"},{\"event\":\"Started Trial\"},{\"event\":\"Purchased\"}],"
                + "\"window\":{\"value\":14,\"unit\":\"day\"},\"from\":\"" + today.minusDays(364) + "\",\"to\":\"" + today
                + "\",\"time_zone\":\"UTC\"";
        var plain = Json.parse((funnel + "}").getBytes());
        var filtered = Json.parse((funnel + ",\"population\":\"" + id + "\"}").getBytes());
        var notIn = Json.parse((funnel + ",\"population\":{\"id\":\"" + id + "\",\"not\":true}}").getBytes());
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("funnel", () -> reports.funnel().run(p, plain).steps().get(0).count());
        calls.put("filtered", () -> reports.funnel().run(p, filtered).steps().get(0).count());
        calls.put("not-in", () -> reports.funnel().run(p, notIn).steps().get(0).count());
        calls.put("count", () -> pops.count(p, pops.require(p, id)));
        calls.put("members()", () -> pops.members(p, id).sql().length());
        Fragment filteredSql = new FunnelQuery(FunnelRequest.parse(filtered, p, clock), p, pops, false, Optional.empty()).aggregate();
        Fragment plainSql = new FunnelQuery(FunnelRequest.parse(plain, p, clock), p, pops, false, Optional.empty()).aggregate();
        calls.put("sql:plain", () -> run(db, plainSql));
        calls.put("sql:filt", () -> run(db, filteredSql));
        calls.put("sql:sep", () -> run(db, separate(filteredSql)));
        for (int i = 3; i < a.length; i++) {
            String extra = Files.readString(Path.of(a[i]));
            Fragment f = new Fragment(extra, filteredSql.parameters().subList(0, (int) extra.chars().filter(ch -> ch == '?').count()));
            calls.put("x" + i, () -> run(db, f));
        }
        System.out.println("plain " + counts(reports.funnel().run(p, plain)) + " in " + counts(reports.funnel().run(p, filtered))
                + " not-in " + counts(reports.funnel().run(p, notIn)) + " members " + pops.count(p, pops.require(p, id)));
        int rounds = Integer.parseInt(a[1]);
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        for (int i = 0; i < rounds + 2; i++) {
            for (var call : calls.entrySet()) {
                long t = System.nanoTime();
                call.getValue().get();
                if (i >= 2) {
                    ms.computeIfAbsent(call.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - t) / 1e6);
                }
            }
        }
        ms.forEach((k, v) -> {
            Collections.sort(v);
            System.out.printf("%-10s median %.1f ms  %s%n", k, v.get(v.size() / 2), v);
        });
        if (a.length > 2) {
            FunnelRequest request = FunnelRequest.parse(filtered, p, clock);
            Fragment sql = new FunnelQuery(request, p, pops, false, Optional.empty()).aggregate();
            String plan = db.read(c -> {
                try (PreparedStatement s = c.prepareStatement("EXPLAIN ANALYZE " + sql.sql())) {
                    Sql.bind(s, 1, sql.parameters());
                    try (ResultSet r = s.executeQuery()) {
                        StringBuilder b = new StringBuilder();
                        while (r.next()) {
                            b.append(r.getString(2)).append('\n');
                        }
                        return b.toString();
                    }
                }
            });
            String shown = sql.sql();
            Files.writeString(Path.of(a[2]), shown + "\n" + sql.parameters().stream().map(o -> {
                String s = String.valueOf(o);
                return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
            }).toList() + "\n" + plan);
        }
        System.exit(0);
    }

    /** The filtered funnel with the first step's count from a second scan ({@code s0c}) instead of the materialised {@code s0}. */
    static Fragment separate(Fragment sql) {
        String text = sql.sql();
        int end = text.indexOf(", s1 AS (");
        String s0 = text.substring("WITH s0".length(), end);
        int n = (int) s0.chars().filter(ch -> ch == '?').count();
        List<Object> parameters = new ArrayList<>(sql.parameters().subList(0, n));
        parameters.addAll(sql.parameters());
        String rest = text.substring(end).replace("count(DISTINCT u) AS c FROM s0)", "count(DISTINCT u) AS c FROM s0c)");
        return new Fragment("WITH s0c" + s0 + ", s0" + s0 + rest, parameters);
    }

    static Object run(Database db, Fragment sql) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.sql())) {
                Sql.bind(s, 1, sql.parameters());
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return r.getLong(2);
                }
            }
        });
    }

    static List<Long> counts(FunnelResult r) {
        return r.steps().stream().map(FunnelResult.Step::count).toList();
    }
}

package dev.roster.report.funnel;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.population.OncePerReport;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.ReportScope;
import dev.roster.report.Fragment;
import dev.roster.report.Population;
import dev.roster.report.ReportContext;
import dev.roster.store.Database;
import dev.roster.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Runs funnels: parse, validate, compile ({@link FunnelQuery}), run, shape the answer. */
public final class FunnelReport {
    private final ReportContext context;
    private final Database database;

    public FunnelReport(ReportContext context) {
        this.context = requireNonNull(context, "context is null");
        this.database = context.database();
    }

    public FunnelResult run(Project project, JsonNode body) {
        FunnelRequest request = FunnelRequest.parse(body, project, context.clock());
        context.catalog().requireKnown(project, request.eventNames());
        return run(project, request);
    }

    public FunnelResult run(Project project, FunnelRequest request) {
        // every query of this run (total, breakdown, groups, people) shares one evaluation per population
        PopulationResolver populations = new OncePerReport(context.populations());
        List<FunnelResult.Step> total = steps(project, request, populations, false, Optional.empty()).getOrDefault(null, empty(request));
        List<FunnelResult.Group> groups = new ArrayList<>();
        if (!request.scope().breakdownPopulations().isEmpty()) {
            groups.addAll(context.perPopulationGroup(project, request.scope(), group -> new FunnelResult.Group(group.label(),
                    steps(project, request, populations, false, Optional.of(group.membership())).getOrDefault(null, empty(request)))));
        } else if (request.scope().breakdown().isPresent()) {
            steps(project, request, populations, true, Optional.empty()).forEach((value, steps) -> groups.add(new FunnelResult.Group(value, steps)));
        }
        return new FunnelResult(total, groups, request.order().name().toLowerCase(Locale.ROOT),
                request.aggregate().name().toLowerCase(Locale.ROOT), request.window().toSeconds(),
                request.scope().range().from().toString(), request.scope().range().to().toString(),
                request.scope().range().zoneId());
    }

    private List<FunnelResult.Step> empty(FunnelRequest request) {
        List<FunnelResult.Step> steps = new ArrayList<>();
        for (int k = 0; k < request.steps().size(); k++) {
            steps.add(new FunnelResult.Step(request.steps().get(k).event(), 0, null, null, null, null,
                    request.scope().people() ? List.of() : null, request.scope().people() ? List.of() : null));
        }
        return steps;
    }

    /** Steps per breakdown value (the key null holds the rows without a value, or everything without breakdown). */
    private Map<String, List<FunnelResult.Step>> steps(Project project, FunnelRequest request, PopulationResolver populations,
                                                       boolean breakdown, Optional<Population> group) {
        FunnelQuery query = new FunnelQuery(request, project, populations, breakdown, group);
        int n = request.steps().size();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, double[][]> times = new LinkedHashMap<>();
        Fragment aggregate = query.aggregate();
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(aggregate.sql())) {
                Sql.bind(statement, 1, aggregate.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String value = rows.getString(1);
                        long[] c = new long[n];
                        double[][] t = new double[n][];
                        int column = 2;
                        for (int k = 0; k < n; k++) {
                            c[k] = rows.getLong(column++);
                            if (k > 0) {
                                double median = rows.getDouble(column++);
                                boolean noMedian = rows.wasNull();
                                double average = rows.getDouble(column++);
                                t[k] = noMedian ? null : new double[] {median, average};
                            }
                        }
                        counts.put(value, c);
                        times.put(value, t);
                    }
                }
            }
            return null;
        });
        Map<String, List<List<String>>> people = new LinkedHashMap<>();
        if (request.scope().people()) {
            Fragment who = query.people();
            database.read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(who.sql())) {
                    Sql.bind(statement, 1, who.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            List<List<String>> lists = people.computeIfAbsent(rows.getString(1), v -> {
                                List<List<String>> l = new ArrayList<>();
                                for (int k = 0; k < n; k++) {
                                    l.add(new ArrayList<>());
                                }
                                return l;
                            });
                            String person = rows.getString(2);
                            int furthest = rows.getInt(3);
                            for (int k = 0; k < furthest && k < n; k++) {
                                if (lists.get(k).size() < ReportScope.MAX_PEOPLE) {
                                    lists.get(k).add(person);
                                }
                            }
                        }
                    }
                }
                return null;
            });
        }
        Map<String, List<FunnelResult.Step>> result = new LinkedHashMap<>();
        counts.forEach((value, c) -> {
            double[][] t = times.get(value);
            List<List<String>> lists = people.get(value);
            List<FunnelResult.Step> steps = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                Double fromFirst = c[0] == 0 ? null : (double) c[k] / c[0];
                Double fromPrevious = k == 0 ? fromFirst : c[k - 1] == 0 ? null : (double) c[k] / c[k - 1];
                List<String> reached = null;
                List<String> dropped = null;
                if (request.scope().people()) {
                    reached = lists == null ? List.of() : lists.get(k);
                    if (k == 0 || lists == null) {
                        dropped = List.of();
                    } else {
                        java.util.Set<String> now = new java.util.HashSet<>(lists.get(k));
                        dropped = lists.get(k - 1).stream().filter(p -> !now.contains(p)).toList();
                    }
                }
                steps.add(new FunnelResult.Step(request.steps().get(k).event(), c[k], fromFirst, fromPrevious,
                        k == 0 || t[k] == null ? null : t[k][0], k == 0 || t[k] == null ? null : t[k][1], reached, dropped));
            }
            result.put(value, steps);
        });
        return result;
    }
}

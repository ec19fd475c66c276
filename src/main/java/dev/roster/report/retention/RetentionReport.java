package dev.roster.report.retention;

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
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Runs retention reports: parse, validate, compile ({@link RetentionQuery}), run, shape. */
public final class RetentionReport {
    private final ReportContext context;
    private final Database database;

    public RetentionReport(ReportContext context) {
        this.context = requireNonNull(context, "context is null");
        this.database = context.database();
    }

    public RetentionResult run(Project project, JsonNode body) {
        RetentionRequest request = RetentionRequest.parse(body, project, context.clock());
        context.catalog().requireKnown(project, request.eventNames());
        return run(project, request);
    }

    public RetentionResult run(Project project, RetentionRequest request) {
        // every query of this run (total, breakdown, groups, people) shares one evaluation per population
        PopulationResolver populations = new OncePerReport(context.populations());
        Map<String, Matrix> total = matrices(project, request, populations, false, Optional.empty());
        Matrix all = total.getOrDefault(null, new Matrix(request));
        List<RetentionResult.Group> groups = new ArrayList<>();
        if (!request.scope().breakdownPopulations().isEmpty()) {
            groups.addAll(context.perPopulationGroup(project, request.scope(), group -> {
                Matrix matrix = matrices(project, request, populations, false, Optional.of(group.membership())).getOrDefault(null, new Matrix(request));
                return new RetentionResult.Group(group.label(), matrix.cohorts(), matrix.average());
            }));
        } else if (request.scope().breakdown().isPresent()) {
            matrices(project, request, populations, true, Optional.empty()).forEach((value, matrix) ->
                    groups.add(new RetentionResult.Group(value, matrix.cohorts(), matrix.average())));
        }
        return new RetentionResult(all.cohorts(), all.average(), request.scope().breakdown().isPresent() ? groups : null,
                request.period().name().toLowerCase(Locale.ROOT), request.periods(),
                request.mode().name().toLowerCase(Locale.ROOT), request.scope().range().from().toString(),
                request.scope().range().to().toString(), request.scope().range().zoneId());
    }

    /** Counts (and people) per cohort start for one breakdown value. */
    private static final class Matrix {
        private final RetentionRequest request;
        private final Map<LocalDate, long[]> rows = new LinkedHashMap<>();
        private final Map<LocalDate, List<String>> members = new LinkedHashMap<>();
        private final Map<LocalDate, List<List<String>>> people = new LinkedHashMap<>();

        Matrix(RetentionRequest request) {
            this.request = request;
            for (LocalDate start : Cohorts.starts(request)) {
                rows.put(start, new long[request.periods() + 1]);
                if (request.scope().people()) {
                    members.put(start, new ArrayList<>());
                    List<List<String>> lists = new ArrayList<>();
                    for (int n = 0; n < request.periods(); n++) {
                        lists.add(new ArrayList<>());
                    }
                    people.put(start, lists);
                }
            }
        }

        List<RetentionResult.Cohort> cohorts() {
            List<RetentionResult.Cohort> cohorts = new ArrayList<>();
            rows.forEach((start, row) -> {
                List<Long> counts = new ArrayList<>();
                List<Double> rates = new ArrayList<>();
                for (int n = 0; n < request.periods(); n++) {
                    counts.add(row[n + 1]);
                    rates.add(row[0] == 0 ? null : (double) row[n + 1] / row[0]);
                }
                cohorts.add(new RetentionResult.Cohort(start.toString(), row[0], counts, rates,
                        request.scope().people() ? members.get(start) : null, request.scope().people() ? people.get(start) : null));
            });
            return cohorts;
        }

        List<Double> average() {
            long size = rows.values().stream().mapToLong(r -> r[0]).sum();
            List<Double> average = new ArrayList<>();
            for (int n = 0; n < request.periods(); n++) {
                int column = n + 1;
                long count = rows.values().stream().mapToLong(r -> r[column]).sum();
                average.add(size == 0 ? null : (double) count / size);
            }
            return average;
        }
    }

    private Map<String, Matrix> matrices(Project project, RetentionRequest request, PopulationResolver populations, boolean breakdown,
                                         Optional<Population> group) {
        RetentionQuery query = new RetentionQuery(request, project, populations, breakdown, group);
        Map<String, Matrix> matrices = new LinkedHashMap<>();
        Fragment matrix = query.matrix();
        database.read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(matrix.sql())) {
                Sql.bind(statement, 1, matrix.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        LocalDate start = date(rows.getTimestamp(1));
                        Matrix m = matrices.computeIfAbsent(rows.getString(2), v -> new Matrix(request));
                        long[] row = m.rows.computeIfAbsent(start, s -> new long[request.periods() + 1]);
                        for (int i = 0; i <= request.periods(); i++) {
                            row[i] += rows.getLong(3 + i);
                        }
                    }
                }
            }
            return null;
        });
        if (request.scope().people()) {
            Fragment who = query.people();
            database.read(connection -> {
                try (PreparedStatement statement = connection.prepareStatement(who.sql())) {
                    Sql.bind(statement, 1, who.parameters());
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            LocalDate start = date(rows.getTimestamp(1));
                            Matrix m = matrices.computeIfAbsent(rows.getString(2), v -> new Matrix(request));
                            String person = rows.getString(3);
                            long bits = rows.getLong(4);
                            boolean noBits = rows.wasNull();
                            long furthest = rows.getLong(5);
                            boolean noReturn = rows.wasNull();
                            List<String> cohortMembers = m.members.computeIfAbsent(start, s -> new ArrayList<>());
                            if (cohortMembers.size() < ReportScope.MAX_PEOPLE) {
                                cohortMembers.add(person);
                            }
                            List<List<String>> lists = m.people.get(start);
                            if (lists == null || noReturn) {
                                continue;
                            }
                            for (int n = 0; n < request.periods(); n++) {
                                boolean counted = request.mode() == RetentionRequest.Mode.ON
                                        ? !noBits && (bits & (1L << n)) != 0 : furthest >= n;
                                if (counted && lists.get(n).size() < ReportScope.MAX_PEOPLE) {
                                    lists.get(n).add(person);
                                }
                            }
                        }
                    }
                }
                return null;
            });
        }
        return matrices;
    }

    private static LocalDate date(Timestamp timestamp) {
        return timestamp.toLocalDateTime().toLocalDate();
    }
}

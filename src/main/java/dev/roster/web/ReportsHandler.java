package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.Json;
import dev.roster.report.Reports;
import io.javalin.http.Context;

/** {@code POST /api/reports/{trends,funnel,retention}}: parse the body, run the report, answer JSON. */
final class ReportsHandler {
    private final Reports reports;

    ReportsHandler(Reports reports) {
        this.reports = requireNonNull(reports, "reports is null");
    }

    void funnel(Context ctx) {
        ctx.json(reports.funnel().run(Auth.project(ctx), Json.parse(ctx.bodyAsBytes())));
    }

    void retention(Context ctx) {
        ctx.json(reports.retention().run(Auth.project(ctx), Json.parse(ctx.bodyAsBytes())));
    }

    void trends(Context ctx) {
        ctx.json(reports.trends().run(Auth.project(ctx), Json.parse(ctx.bodyAsBytes())));
    }
}

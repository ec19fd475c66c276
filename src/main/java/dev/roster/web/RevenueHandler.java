package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.Json;
import dev.roster.project.Project;
import dev.roster.report.revenue.RevenueReport;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueSettings;
import io.javalin.http.Context;

/** Revenue settings and the revenue report (SPEC §6.4, §10). */
final class RevenueHandler {
    private final RevenueSettings settings;
    private final RevenueReport report;

    RevenueHandler(RevenueSettings settings, RevenueReport report) {
        this.settings = requireNonNull(settings, "settings is null");
        this.report = requireNonNull(report, "report is null");
    }

    /** {@code GET /api/settings/revenue}. */
    void getSettings(Context ctx) {
        ctx.json(describe(settings.load(Auth.project(ctx))));
    }

    /** {@code PUT /api/settings/revenue}: validated against the project's events, then stored. */
    void putSettings(Context ctx) {
        Project project = Auth.project(ctx);
        ctx.json(describe(settings.save(project, Json.parse(ctx.bodyAsBytes()))));
    }

    /** {@code POST /api/reports/revenue}. */
    void report(Context ctx) {
        Project project = Auth.project(ctx);
        ctx.json(report.run(project, Json.parse(ctx.bodyAsBytes())));
    }

    private static ObjectNode describe(RevenueConfig config) {
        ObjectNode node = Json.object();
        node.put("property", config.property());
        ArrayNode events = node.putArray("billing_events");
        config.billingEvents().forEach(events::add);
        node.put("churn_days", config.churnDays());
        config.currency().ifPresentOrElse(c -> node.put("currency", c), () -> node.putNull("currency"));
        ArrayNode reads = node.putArray("read_properties");
        config.readProperties().forEach(reads::add);
        return node;
    }
}

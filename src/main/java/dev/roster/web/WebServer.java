package dev.roster.web;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;
import static io.javalin.apibuilder.ApiBuilder.put;
import static java.util.Objects.requireNonNull;

import dev.roster.common.Json;
import dev.roster.ops.Metrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.handler.StatisticsHandler;

/**
 * The HTTP server and its one routing table. Handlers are short: parse, call one domain method,
 * map the result. Ingestion endpoints allow any origin (CORS); read endpoints do not.
 */
public final class WebServer implements AutoCloseable {
    private static final long STOP_TIMEOUT_MILLIS = 15_000;
    private final Javalin app;

    /** The handlers the routing table points at. */
    public record Handlers(Metrics metrics, Auth auth, SegmentHandler segment, PeopleHandler people,
                           KissmetricsHandler kissmetrics,
                           PosthogHandler posthog,
                           MixpanelHandler mixpanel,
                           TrackerHandler tracker,
                           ReportsHandler reports,
                           RevenueHandler revenue,
                           GroupsHandler groups,
                           PopulationHandler populations,
                           TransferHandler transfer,
                           DashboardHandler dashboard, ProjectsHandler projects, ActivityHandler activity) {
    }

    /** Ingestion endpoints of the other wire formats; like /v1/*, open to any origin. */
    private static final List<String> WIRE_PATHS = List.of(
            "/e", "/s", "/a", "/capture", "/batch", "/e/*", "/i/*", "/track", "/engage", "/groups", "/import", "/roster.js");

    private WebServer(Javalin app) {
        this.app = app;
    }

    public static WebServer start(Handlers handlers, int port) {
        requireNonNull(handlers, "handlers is null");
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            config.http.maxRequestSize = 21L * 1024 * 1024;
            config.router.ignoreTrailingSlashes = true;
            config.router.treatMultipleSlashesAsSingleSlash = true;
            config.router.apiBuilder(() -> routes(handlers));
            // graceful stop: stop accepting, let in-flight requests (waiting for their commit) finish
            config.jetty.modifyServer(server -> {
                server.setHandler(new StatisticsHandler());
                server.setStopTimeout(STOP_TIMEOUT_MILLIS);
            });
            // the shell's fingerprinted addresses: immutable, so a page load asks the server for none of them
            config.staticFiles.add(files -> {
                files.hostedPath = handlers.dashboard().assetsPath();
                files.directory = "/web/app";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "public, max-age=31536000, immutable", "X-Content-Type-Options", "nosniff");
            });
            config.staticFiles.add(files -> {
                files.hostedPath = Assets.HOSTED;
                files.directory = "/web/app";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
            });
            config.staticFiles.enableWebjars();
        });
        ErrorMapper.register(app);
        app.before("/v1/*", WebServer::allowAnyOrigin);
        app.addHttpHandler(HandlerType.OPTIONS, "/v1/*", WebServer::preflight);
        for (String path : WIRE_PATHS) {
            app.before(path, WebServer::allowAnyOrigin);
            app.addHttpHandler(HandlerType.OPTIONS, path, WebServer::preflight);
        }
        app.start(port);
        return new WebServer(app);
    }

    private static void routes(Handlers h) {
        get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(h.metrics().scrape()));

        post("/v1/{type}", h.segment()::handle);

        // GET /e is KISSmetrics; a GET /e with PostHog's data parameter and no _k is posthog-js
        get("/e", ctx -> {
            if (ctx.queryParam("_k") == null && ctx.queryParam("data") != null) {
                h.posthog().capture(ctx);
            } else {
                h.kissmetrics().event(ctx);
            }
        });
        get("/s", h.kissmetrics()::set);
        get("/a", h.kissmetrics()::alias);

        post("/capture", h.posthog()::capture);
        get("/capture", h.posthog()::capture);
        post("/batch", h.posthog()::capture);
        get("/batch", h.posthog()::capture);
        post("/e", h.posthog()::capture);
        post("/i/v0/e", h.posthog()::capture);
        get("/i/v0/e", h.posthog()::capture);
        post("/i/v1/analytics/events", h.posthog()::captureV1);

        get("/track", h.mixpanel()::track);
        post("/track", h.mixpanel()::track);
        get("/engage", h.mixpanel()::engage);
        post("/engage", h.mixpanel()::engage);
        get("/groups", h.mixpanel()::groups);
        post("/groups", h.mixpanel()::groups);
        get("/import", h.mixpanel()::importEvents);
        post("/import", h.mixpanel()::importEvents);

        get("/roster.js", h.tracker()::script);
        get("/login", h.dashboard()::loginPage);
        post("/auth/login", h.dashboard()::login);
        post("/auth/logout", h.dashboard()::logout);
        get("/auth/session", h.dashboard()::session);
        DashboardHandler.PAGES.forEach(page -> get(page, h.dashboard()::page));

        path("/api", () -> {
            before("/*", h.auth()::requireReader);
            get("/people", h.people()::list);
            get("/people/{id}", h.people()::get);
            get("/people/{id}/timeline", h.people()::timeline);
            get("/people/{id}/populations", h.people()::populations);
            post("/people/{id}/merge", h.people()::merge);
            get("/identity-warnings", h.people()::warnings);
            post("/reports/funnel", h.reports()::funnel);
            post("/reports/retention", h.reports()::retention);
            post("/reports/trends", h.reports()::trends);
            get("/settings/revenue", h.revenue()::getSettings);
            put("/settings/revenue", h.revenue()::putSettings);
            post("/reports/revenue", h.revenue()::report);
            get("/groups/{type}/{key}", h.groups()::get);
            get("/populations", h.populations()::list);
            post("/populations", h.populations()::create);
            post("/populations/preview", h.populations()::preview);
            post("/populations/static", h.populations()::createStatic);
            get("/populations/{id}", h.populations()::get);
            put("/populations/{id}", h.populations()::update);
            delete("/populations/{id}", h.populations()::delete);
            get("/populations/{id}/people", h.populations()::people);
            get("/populations/{id}/history", h.populations()::history);
            get("/populations/{id}/export.csv", h.populations()::exportCsv);
            post("/import", h.transfer()::upload);
            get("/import/{id}", h.transfer()::job);
            get("/export/people", h.transfer()::people);
            get("/export/events", h.transfer()::events);
            get("/people/{id}/export", h.transfer()::access);
            delete("/people/{id}", h.transfer()::erase);
            get("/admin/backup", h.transfer()::backup);
            get("/projects", h.projects()::list);
            post("/projects", h.projects()::create);
            get("/activity", h.activity()::activity);
            get("/ingestion/health", h.activity()::health);
            get("/event-names", h.activity()::eventNames);
        });
    }

    private static void allowAnyOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        ctx.header("Access-Control-Allow-Origin", origin == null ? "*" : origin);
        ctx.header("Access-Control-Allow-Credentials", "true");
        ctx.header("Vary", "Origin");
    }

    private static void preflight(Context ctx) {
        allowAnyOrigin(ctx);
        ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        String requested = ctx.header("Access-Control-Request-Headers");
        ctx.header("Access-Control-Allow-Headers", requested == null ? "Content-Type, Authorization, Content-Encoding" : requested);
        ctx.header("Access-Control-Max-Age", "86400");
        ctx.status(204);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}

package dev.roster.web;

import static io.javalin.apibuilder.ApiBuilder.before;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;
import static java.util.Objects.requireNonNull;

import dev.roster.common.Json;
import dev.roster.ops.Metrics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.Map;

/**
 * The HTTP server and its one routing table. Handlers are short: parse, call one domain method,
 * map the result. Ingestion endpoints allow any origin (CORS); read endpoints do not.
 */
public final class WebServer implements AutoCloseable {
    private final Javalin app;

    /** The handlers the routing table points at. */
    public record Handlers(Metrics metrics, Auth auth, SegmentHandler segment, PeopleHandler people,
                           DashboardHandler dashboard, ProjectsHandler projects, ActivityHandler activity) {
    }

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
            config.staticFiles.add(files -> {
                files.hostedPath = "/assets";
                files.directory = "/web/app";
                files.location = Location.CLASSPATH;
                files.headers = Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff");
            });
            config.staticFiles.enableWebjars();
        });
        ErrorMapper.register(app);
        app.before("/v1/*", WebServer::allowAnyOrigin);
        app.addHttpHandler(HandlerType.OPTIONS, "/v1/*", WebServer::preflight);
        app.start(port);
        return new WebServer(app);
    }

    private static void routes(Handlers h) {
        get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
        get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(h.metrics().scrape()));

        post("/v1/{type}", h.segment()::handle);

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
            post("/people/{id}/merge", h.people()::merge);
            get("/identity-warnings", h.people()::warnings);
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

package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.auth.AdminAccounts;
import dev.roster.auth.DashboardSessions;
import dev.roster.auth.LoginRateLimiter;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Projects;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's own endpoints: login, logout, the session document, and the HTML shells of the
 * pages. Every page needs a session; without one the browser is sent to the login page. The pages
 * are static shells; their data comes from the JSON API.
 */
final class DashboardHandler {
    /** Paths of the single-page dashboard; each serves the same shell, the script routes. */
    static final List<String> PAGES = List.of(
            "/", "/people", "/people/{id}", "/activity", "/health", "/projects",
            "/reports/trends", "/reports/funnel", "/reports/retention", "/reports/revenue",
            "/populations", "/populations/{id}", "/report-people", "/imports");

    private static final String SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    private final AdminAccounts admins;
    private final DashboardSessions sessions;
    private final LoginRateLimiter limiter;
    private final Projects projects;
    private final Auth auth;
    private final Assets assets;

    DashboardHandler(AdminAccounts admins, DashboardSessions sessions, LoginRateLimiter limiter, Projects projects, Auth auth) {
        this.admins = requireNonNull(admins, "admins is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.limiter = requireNonNull(limiter, "limiter is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.auth = requireNonNull(auth, "auth is null");
        this.assets = Assets.load();
    }

    /** A dashboard page: the shell for a session, else a redirect to the login page. */
    void page(Context ctx) {
        if (auth.session(ctx).isEmpty()) {
            String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.redirect("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            return;
        }
        html(ctx, assets.shell());
    }

    void loginPage(Context ctx) {
        html(ctx, assets.loginPage());
    }

    /**
     * {@code POST /auth/login} with JSON {@code {"username", "password"}}. JSON only: a cross-site
     * HTML form cannot send it, which keeps login CSRF out.
     */
    void login(Context ctx) {
        String contentType = String.valueOf(ctx.contentType());
        if (!contentType.startsWith("application/json")) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "send the login as application/json");
        }
        String address = ctx.ip();
        Optional<Duration> wait = limiter.retryAfter(address);
        if (wait.isPresent()) {
            ctx.header("Retry-After", String.valueOf(Math.max(1, wait.get().toSeconds())));
            throw new RosterException(ErrorCode.RATE_LIMITED,
                    "too many failed logins; try again in " + Math.max(1, wait.get().toSeconds()) + " seconds");
        }
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        String username = text(body, "username").orElse(AdminAccounts.ADMIN);
        String password = text(body, "password").orElseThrow(() ->
                new RosterException(ErrorCode.INVALID_REQUEST, "the body needs \"password\""));
        if (!admins.verify(username, password)) {
            limiter.recordFailure(address);
            throw new RosterException(ErrorCode.INVALID_KEY, "wrong user name or password");
        }
        limiter.recordSuccess(address);
        auth.session(ctx).ifPresent(old -> sessions.end(old.id()));
        DashboardSessions.Session session = sessions.create(username);
        Cookie cookie = new Cookie(Auth.SESSION_COOKIE, session.id());
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        cookie.setPath("/");
        cookie.setSecure(isHttps(ctx));
        ctx.cookie(cookie);
        ctx.json(sessionDocument(session));
    }

    /** {@code POST /auth/logout}: ends the session (CSRF-protected, so no one can log you out). */
    void logout(Context ctx) {
        DashboardSessions.Session session = auth.session(ctx).orElseThrow(() ->
                new RosterException(ErrorCode.MISSING_KEY, "not logged in"));
        Auth.requireCsrf(ctx, session);
        sessions.end(session.id());
        Cookie cookie = new Cookie(Auth.SESSION_COOKIE, "");
        cookie.setMaxAge(0);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSite(SameSite.STRICT);
        ctx.cookie(cookie);
        ctx.json(Map.of("logged_out", true));
    }

    /** {@code GET /auth/session}: who is logged in, the CSRF token and the projects. */
    void session(Context ctx) {
        DashboardSessions.Session session = auth.session(ctx).orElseThrow(() ->
                new RosterException(ErrorCode.MISSING_KEY, "not logged in"));
        ctx.header("Cache-Control", "no-store");
        ctx.json(sessionDocument(session));
    }

    private Map<String, Object> sessionDocument(DashboardSessions.Session session) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("user", session.username());
        document.put("csrf_token", session.csrfToken());
        document.put("projects", projects.all().stream().map(ProjectsHandler::summary).toList());
        return document;
    }

    static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
    }

    private static void html(Context ctx, byte[] page) {
        securityHeaders(ctx);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private static boolean isHttps(Context ctx) {
        return "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** Where the shell's fingerprinted assets are served. */
    String assetsPath() {
        return assets.hostedPath();
    }
}

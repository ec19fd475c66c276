package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.auth.DashboardSessions;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may read: a secret key as {@code Authorization: Bearer <key>} selects its project, or a
 * dashboard session cookie, where the project comes from the {@code X-Roster-Project} header or the
 * {@code project} query parameter and defaults to the first project. The write key is recognised
 * and refused with 403: it can only ingest. Session requests that change state must carry the
 * session's CSRF token in {@code X-CSRF-Token}; Bearer requests need none (a browser never adds
 * that header on its own).
 */
final class Auth {
    static final String PROJECT_ATTRIBUTE = "roster.project";
    static final String SESSION_ATTRIBUTE = "roster.session";
    static final String SESSION_COOKIE = "roster_session";
    static final String CSRF_HEADER = "X-CSRF-Token";
    static final String PROJECT_HEADER = "X-Roster-Project";

    private final Projects projects;
    private final DashboardSessions sessions;

    Auth(Projects projects, DashboardSessions sessions) {
        this.projects = requireNonNull(projects, "projects is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
    }

    /** Before-handler for read endpoints: resolves the project or refuses the request. */
    void requireReader(Context ctx) {
        Optional<String> bearer = bearer(ctx);
        if (bearer.isEmpty()) {
            requireSessionForApi(ctx);
            return;
        }
        Optional<Project> project = projects.findBySecretKey(bearer.get());
        if (project.isEmpty()) {
            if (projects.findByWriteKey(bearer.get()).isPresent()) {
                throw new RosterException(ErrorCode.FORBIDDEN, "the write key can only ingest; use a secret key to read");
            }
            throw new RosterException(ErrorCode.INVALID_KEY, "unknown secret key");
        }
        ctx.attribute(PROJECT_ATTRIBUTE, project.get());
    }

    private void requireSessionForApi(Context ctx) {
        DashboardSessions.Session session = session(ctx).orElseThrow(() -> new RosterException(ErrorCode.MISSING_KEY,
                "reading needs a dashboard login or a secret key: send Authorization: Bearer <secret key>"));
        requireCsrf(ctx, session);
        ctx.attribute(SESSION_ATTRIBUTE, session);
        String chosen = ctx.header(PROJECT_HEADER);
        if (chosen == null || chosen.isBlank()) {
            chosen = ctx.queryParam("project");
        }
        if (chosen != null && !chosen.isBlank()) {
            String id = chosen.trim();
            ctx.attribute(PROJECT_ATTRIBUTE, projects.findById(id).orElseThrow(() ->
                    new RosterException(ErrorCode.NOT_FOUND, "no project with id '" + id + "'")));
        } else {
            projects.all().stream().findFirst().ifPresent(p -> ctx.attribute(PROJECT_ATTRIBUTE, p));
        }
    }

    /** Refuses a state-changing session request without the session's CSRF token. */
    static void requireCsrf(Context ctx, DashboardSessions.Session session) {
        HandlerType method = ctx.method();
        boolean safe = method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS;
        if (!safe && !session.csrfMatches(ctx.header(CSRF_HEADER))) {
            throw new RosterException(ErrorCode.CSRF,
                    "missing or wrong CSRF token: send the token from GET /auth/session in the " + CSRF_HEADER + " header");
        }
    }

    /** The live dashboard session of this request, if its cookie names one. */
    Optional<DashboardSessions.Session> session(Context ctx) {
        return sessions.find(ctx.cookie(SESSION_COOKIE));
    }

    /** The session that {@link #requireReader} accepted, if the request came from the dashboard. */
    static Optional<DashboardSessions.Session> requestSession(Context ctx) {
        return Optional.ofNullable(ctx.attribute(SESSION_ATTRIBUTE));
    }

    static Project project(Context ctx) {
        Project project = ctx.attribute(PROJECT_ATTRIBUTE);
        if (project == null) {
            if (requestSession(ctx).isPresent()) {
                throw new RosterException(ErrorCode.NOT_FOUND, "there is no project yet: create one first");
            }
            throw new IllegalStateException("no project resolved for " + ctx.path());
        }
        return project;
    }

    static Optional<String> bearer(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        }
        return Optional.empty();
    }

    /** The user name of HTTP Basic authentication, which Segment SDKs use for the write key. */
    static Optional<String> basicUser(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new RosterException(ErrorCode.INVALID_KEY, "the Basic Authorization header is not valid base64");
        }
    }
}

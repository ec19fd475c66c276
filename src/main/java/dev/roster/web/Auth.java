package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may read: a secret key as {@code Authorization: Bearer <key>} selects its project. The write
 * key is recognised and refused with 403: it can only ingest.
 */
final class Auth {
    static final String PROJECT_ATTRIBUTE = "roster.project";

    private final Projects projects;

    Auth(Projects projects) {
        this.projects = requireNonNull(projects, "projects is null");
    }

    /** Before-handler for read endpoints: resolves the project or refuses the request. */
    void requireReader(Context ctx) {
        String bearer = bearer(ctx).orElseThrow(() -> new RosterException(ErrorCode.MISSING_KEY,
                "reading needs a secret key: send Authorization: Bearer <secret key>"));
        Optional<Project> project = projects.findBySecretKey(bearer);
        if (project.isEmpty()) {
            if (projects.findByWriteKey(bearer).isPresent()) {
                throw new RosterException(ErrorCode.FORBIDDEN, "the write key can only ingest; use a secret key to read");
            }
            throw new RosterException(ErrorCode.INVALID_KEY, "unknown secret key");
        }
        ctx.attribute(PROJECT_ATTRIBUTE, project.get());
    }

    static Project project(Context ctx) {
        Project project = ctx.attribute(PROJECT_ATTRIBUTE);
        if (project == null) {
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

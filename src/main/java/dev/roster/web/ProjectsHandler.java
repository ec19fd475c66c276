package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.project.ProjectKeys;
import dev.roster.project.Projects;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/projects}. Listing: a dashboard session sees every project with its keys; a secret
 * key sees only its own project. Creating a project is an administrator's act, so it needs a
 * dashboard session (with its CSRF token): a secret key belongs to one project and cannot create
 * others.
 */
final class ProjectsHandler {
    private final Projects projects;

    ProjectsHandler(Projects projects) {
        this.projects = requireNonNull(projects, "projects is null");
    }

    void list(Context ctx) {
        List<Map<String, Object>> list;
        if (Auth.requestSession(ctx).isPresent()) {
            list = projects.all().stream().map(this::withSecrets).toList();
        } else {
            list = List.of(summary(Auth.project(ctx)));
        }
        ctx.json(Map.of("projects", list));
    }

    void create(Context ctx) {
        if (Auth.requestSession(ctx).isEmpty()) {
            throw new RosterException(ErrorCode.FORBIDDEN, "creating a project needs a dashboard login; a secret key cannot create projects");
        }
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the body needs \"name\": the project's name");
        }
        ProjectKeys keys = projects.create(name.asText());
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("project", keys.project().id());
        created.put("name", keys.project().name());
        created.put("write_key", keys.project().writeKey());
        created.put("secret_key", keys.secretKey());
        ctx.status(201).json(created);
    }

    static Map<String, Object> summary(Project project) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("id", project.id());
        summary.put("name", project.name());
        summary.put("write_key", project.writeKey());
        summary.put("time_zone", project.timeZone().getId());
        return summary;
    }

    private Map<String, Object> withSecrets(Project project) {
        Map<String, Object> summary = summary(project);
        summary.put("secret_keys", projects.secretKeys(project));
        return summary;
    }
}

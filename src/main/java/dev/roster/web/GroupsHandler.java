package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.store.DuckDbGroupStore;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/groups/{type}/{key}}: a group's properties (PostHog groups, Mixpanel group profiles). */
final class GroupsHandler {
    private final DuckDbGroupStore groups;

    GroupsHandler(DuckDbGroupStore groups) {
        this.groups = requireNonNull(groups, "groups is null");
    }

    void get(Context ctx) {
        Project project = Auth.project(ctx);
        String type = ctx.pathParam("type");
        String key = ctx.pathParam("key");
        ObjectNode properties = groups.find(project.key(), type, key);
        if (properties.isEmpty()) {
            throw new RosterException(ErrorCode.NOT_FOUND, "no group '" + key + "' of type '" + type + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("key", key);
        body.put("properties", properties);
        ctx.json(body);
    }
}

package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.population.Population;
import dev.roster.population.PopulationCsvExport;
import dev.roster.population.PopulationService;
import dev.roster.project.Project;
import io.javalin.http.Context;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The populations API (SPEC §10, docs/populations.md). */
final class PopulationHandler {
    private final PopulationService populations;
    private final PopulationCsvExport export;

    PopulationHandler(PopulationService populations, PopulationCsvExport export) {
        this.populations = requireNonNull(populations, "populations is null");
        this.export = requireNonNull(export, "export is null");
    }

    /** {@code POST /api/populations} {@code {"name", "definition"}}. */
    void create(Context ctx) {
        JsonNode body = object(ctx);
        ctx.status(201).json(populations.create(Auth.project(ctx), name(body), body.get("definition")));
    }

    /** {@code POST /api/populations/static} {@code {"name", "people": [person ids]}}. */
    void createStatic(Context ctx) {
        JsonNode body = object(ctx);
        ctx.status(201).json(populations.createStatic(Auth.project(ctx), name(body), people(body.get("people"))
                .orElseThrow(() -> RosterException.at(ErrorCode.INVALID_REQUEST, "$.people", "\"people\" (a list of person ids) is missing"))));
    }

    /** {@code GET /api/populations?counts=true}. */
    void list(Context ctx) {
        boolean counts = !"false".equalsIgnoreCase(ctx.queryParam("counts"));
        ctx.json(Map.of("populations", populations.list(Auth.project(ctx), counts)));
    }

    void get(Context ctx) {
        Project project = Auth.project(ctx);
        Population population = populations.require(project, ctx.pathParam("id"));
        ctx.json(population.withCount(populations.count(project, population)));
    }

    /** {@code PUT /api/populations/{id}} with any of {@code name}, {@code definition} (dynamic), {@code people} (static). */
    void update(Context ctx) {
        JsonNode body = object(ctx);
        Optional<String> name = body.has("name") ? Optional.of(name(body)) : Optional.empty();
        Optional<JsonNode> definition = Optional.ofNullable(body.get("definition")).filter(d -> !d.isNull());
        ctx.json(populations.update(Auth.project(ctx), ctx.pathParam("id"), name, definition, people(body.get("people"))));
    }

    void delete(Context ctx) {
        populations.delete(Auth.project(ctx), ctx.pathParam("id"));
        ctx.json(Map.of("deleted", true));
    }

    /** {@code POST /api/populations/preview} {@code {"definition"}} → {@code {"count"}}. */
    void preview(Context ctx) {
        JsonNode body = object(ctx);
        ctx.json(Map.of("count", populations.preview(Auth.project(ctx), body.get("definition"))));
    }

    /** {@code GET /api/populations/{id}/people?limit=&cursor=&sort=}. */
    void people(Context ctx) {
        ctx.json(populations.people(Auth.project(ctx), ctx.pathParam("id"),
                Optional.ofNullable(ctx.queryParam("sort")).orElse("last_seen"), PeopleHandler.intParam(ctx, "limit", 50),
                Optional.ofNullable(ctx.queryParam("cursor"))));
    }

    /** {@code GET /api/populations/{id}/history?days=90}. */
    void history(Context ctx) {
        ctx.json(populations.history(Auth.project(ctx), ctx.pathParam("id"), PeopleHandler.intParam(ctx, "days", 90)));
    }

    /** {@code GET /api/populations/{id}/export.csv}: streamed. */
    void exportCsv(Context ctx) throws java.io.IOException {
        Project project = Auth.project(ctx);
        Population population = populations.require(project, ctx.pathParam("id"));
        String file = population.name().replaceAll("[^A-Za-z0-9._-]+", "-") + ".csv";
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
        try (Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8)) {
            export.write(project, populations.members(project, population.id()), populations.revenue(project), out);
        }
    }

    private static JsonNode object(Context ctx) {
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        if (!body.isObject()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the body must be a JSON object");
        }
        return body;
    }

    private static String name(JsonNode body) {
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw RosterException.at(ErrorCode.INVALID_REQUEST, "$.name", "\"name\" (a string) is missing");
        }
        return name.asText();
    }

    private static Optional<List<String>> people(JsonNode people) {
        if (people == null || people.isNull()) {
            return Optional.empty();
        }
        if (!people.isArray()) {
            throw RosterException.at(ErrorCode.INVALID_REQUEST, "$.people", "\"people\" must be a list of person ids");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < people.size(); i++) {
            if (!people.get(i).isTextual()) {
                throw RosterException.at(ErrorCode.INVALID_REQUEST, "$.people[" + i + "]", "a person id must be a string");
            }
            ids.add(people.get(i).asText());
        }
        return Optional.of(ids);
    }
}

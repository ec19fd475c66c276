package dev.roster.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.identity.IdentityWarnings;
import dev.roster.people.AdminMerge;
import dev.roster.people.PeopleSearch;
import dev.roster.people.PeopleService;
import dev.roster.people.PersonRef;
import dev.roster.population.PersonMemberships;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import io.javalin.http.Context;
import java.util.Optional;

/** The read API for people (SPEC §10). */
final class PeopleHandler {
    private final PeopleService people;
    private final PeopleSearch search;
    private final IdentityWarnings warnings;
    private final AdminMerge merge;
    private final PopulationResolver populations;
    private final PersonMemberships memberships;

    PeopleHandler(PeopleService people, PeopleSearch search, IdentityWarnings warnings, AdminMerge merge,
                  PopulationResolver populations, PersonMemberships memberships) {
        this.people = requireNonNull(people, "people is null");
        this.search = requireNonNull(search, "search is null");
        this.warnings = requireNonNull(warnings, "warnings is null");
        this.merge = requireNonNull(merge, "merge is null");
        this.populations = requireNonNull(populations, "populations is null");
        this.memberships = requireNonNull(memberships, "memberships is null");
    }

    /** {@code GET /api/people?identity=} or a search. */
    void list(Context ctx) {
        Project project = Auth.project(ctx);
        String identity = ctx.queryParam("identity");
        if (identity != null) {
            PersonRef person = people.findByIdentity(project, identity).orElseThrow(() ->
                    new RosterException(ErrorCode.NOT_FOUND, "no person has the identity '" + identity + "'"));
            ctx.json(people.document(project, person));
            return;
        }
        ctx.json(search.search(project, Optional.ofNullable(ctx.queryParam("q")),
                Optional.ofNullable(ctx.queryParam("sort")).orElse("last_seen"),
                intParam(ctx, "limit", 50), Optional.ofNullable(ctx.queryParam("cursor")),
                Optional.ofNullable(ctx.queryParam("population")).filter(id -> !id.isBlank())
                        .map(id -> populations.members(project, id))));
    }

    void get(Context ctx) {
        Project project = Auth.project(ctx);
        ctx.json(people.document(project, people.require(project, ctx.pathParam("id"))));
    }

    /**
     * {@code GET /api/people/{id}/populations}: the saved populations the person belongs to now,
     * {@code {"person_id", "populations": [{"id", "name", "type"}], "checked"}}.
     */
    void populations(Context ctx) {
        Project project = Auth.project(ctx);
        PersonRef person = people.require(project, ctx.pathParam("id"));
        PersonMemberships.Memberships found = memberships.find(project, person.key());
        ctx.json(java.util.Map.of("person_id", person.id(), "populations", found.populations(), "checked", found.checked()));
    }

    void timeline(Context ctx) {
        Project project = Auth.project(ctx);
        PersonRef person = people.require(project, ctx.pathParam("id"));
        ctx.json(people.timeline(project, person, intParam(ctx, "limit", 100),
                Optional.ofNullable(ctx.queryParam("cursor")), Optional.ofNullable(ctx.queryParam("event"))));
    }

    /** {@code POST /api/people/{id}/merge} with {@code {"other": "<person id>"}}: the admin merge. */
    void merge(Context ctx) {
        Project project = Auth.project(ctx);
        JsonNode body = Json.parse(ctx.bodyAsBytes());
        JsonNode other = body.get("other");
        if (other == null || !other.isTextual()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the body needs \"other\": the id of the person to merge");
        }
        PersonRef survivor = merge.merge(project, ctx.pathParam("id"), other.asText());
        ctx.json(people.document(project, survivor));
    }

    void warnings(Context ctx) {
        ctx.json(warnings.list(Auth.project(ctx), intParam(ctx, "limit", 100)));
    }

    static int intParam(Context ctx, String name, int fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, name + " must be an integer, not '" + value + "'");
        }
    }
}

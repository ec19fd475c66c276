package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.report.Population;
import dev.roster.report.activity.ActivityFeed;
import dev.roster.report.activity.EventNames;
import dev.roster.report.activity.IngestionHealth;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * {@code GET /api/activity} (the live stream), {@code GET /api/ingestion/health} and
 * {@code GET /api/event-names}.
 */
final class ActivityHandler {
    private final ActivityFeed feed;
    private final IngestionHealth health;
    private final EventNames names;

    ActivityHandler(ActivityFeed feed, IngestionHealth health, EventNames names) {
        this.feed = requireNonNull(feed, "feed is null");
        this.health = requireNonNull(health, "health is null");
        this.names = requireNonNull(names, "names is null");
    }

    /** {@code ?limit=200}: event names, most frequent first. */
    void eventNames(Context ctx) {
        ctx.json(names.find(Auth.project(ctx), PeopleHandler.intParam(ctx, "limit", 200)));
    }

    /**
     * {@code ?after=&before=&event=&property=&value=&population=&population_not=true&limit=},
     * newest first.
     */
    void activity(Context ctx) {
        Optional<Population> population = param(ctx, "population").map(id -> new Population(id,
                "true".equalsIgnoreCase(ctx.queryParam("population_not"))));
        ActivityFeed.Query query = new ActivityFeed.Query(
                param(ctx, "event"), param(ctx, "property"), param(ctx, "value"), population,
                param(ctx, "after").map(ActivityFeed.Cursor::decode),
                param(ctx, "before").map(ActivityFeed.Cursor::decode),
                PeopleHandler.intParam(ctx, "limit", 50));
        ctx.json(feed.find(Auth.project(ctx), query));
    }

    /** {@code ?minutes=60}. */
    void health(Context ctx) {
        ctx.json(health.compute(Auth.project(ctx), PeopleHandler.intParam(ctx, "minutes", 60)));
    }

    private static Optional<String> param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(v -> !v.isBlank());
    }
}

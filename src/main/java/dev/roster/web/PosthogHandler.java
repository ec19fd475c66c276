package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.ingest.Ingestion;
import dev.roster.ingest.ParsedWithGroups;
import dev.roster.ingest.RequestBody;
import dev.roster.ingest.posthog.PosthogFormat;
import dev.roster.store.DuckDbGroupStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PostHog capture: {@code /capture/}, {@code /batch/}, {@code /e/}, {@code /i/v0/e/} (answer
 * {@code {"status":1}}, what every PostHog SDK accepts) and posthog-node's v1
 * {@code /i/v1/analytics/events} (a result object with counts).
 */
final class PosthogHandler {
    private final PosthogFormat format;
    private final Ingestion ingestion;
    private final DuckDbGroupStore groups;
    private final Clock clock;

    PosthogHandler(PosthogFormat format, Ingestion ingestion, DuckDbGroupStore groups, Clock clock) {
        this.format = requireNonNull(format, "format is null");
        this.ingestion = requireNonNull(ingestion, "ingestion is null");
        this.groups = requireNonNull(groups, "groups is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The v0 endpoints. */
    void capture(Context ctx) throws IOException {
        Ingestion.Result result = ingest(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        if (!result.rejections().isEmpty()) {
            body.put("rejected", result.rejections());
        }
        ctx.json(body);
    }

    /** {@code POST /i/v1/analytics/events}. */
    void captureV1(Context ctx) throws IOException {
        Ingestion.Result result = ingest(ctx);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 1);
        body.put("accepted", result.stored());
        body.put("duplicates", result.duplicates());
        body.put("rejected", result.rejections());
        ctx.json(body);
    }

    private Ingestion.Result ingest(Context ctx) throws IOException {
        byte[] body = RequestBody.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), ctx.header("Content-Encoding"));
        ParsedWithGroups parsed = format.parse(new PosthogFormat.Request(body, ctx.contentType(), WireRequests.query(ctx),
                Auth.bearer(ctx), clock.instant()));
        return WireRequests.ingest(ingestion, groups, parsed.request(), parsed.groups(), "posthog");
    }
}

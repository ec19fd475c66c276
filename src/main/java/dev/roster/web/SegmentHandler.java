package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ingest.Ingestion;
import dev.roster.ingest.ParsedRequest;
import dev.roster.ingest.RequestBody;
import dev.roster.ingest.segment.SegmentFormat;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code POST /v1/<type>}: the Segment (and RudderStack) HTTP API. */
final class SegmentHandler {
    private static final Set<String> ENDPOINTS = Set.of(
            "track", "identify", "alias", "page", "screen", "group", "batch", "import");

    private final SegmentFormat format;
    private final Ingestion ingestion;
    private final Clock clock;

    SegmentHandler(SegmentFormat format, Ingestion ingestion, Clock clock) {
        this.format = requireNonNull(format, "format is null");
        this.ingestion = requireNonNull(ingestion, "ingestion is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void handle(Context ctx) throws IOException {
        String endpoint = ctx.pathParam("type");
        if (!ENDPOINTS.contains(endpoint)) {
            throw new RosterException(ErrorCode.NOT_FOUND, "unknown Segment endpoint /v1/" + endpoint);
        }
        byte[] body = RequestBody.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), ctx.header("Content-Encoding"));
        ParsedRequest request = format.parse(endpoint, body, Auth.basicUser(ctx), clock.instant());
        Ingestion.Result result = ingestion.ingest(request, "segment");
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("success", true);
        response.put("stored", result.stored());
        response.put("duplicates", result.duplicates());
        response.put("rejected", result.rejections());
        if (!request.warnings().isEmpty()) {
            response.put("warnings", request.warnings());
        }
        ctx.json(response);
    }
}

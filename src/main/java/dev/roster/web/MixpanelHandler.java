package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.RosterException;
import dev.roster.ingest.Ingestion;
import dev.roster.ingest.ParsedWithGroups;
import dev.roster.ingest.Rejection;
import dev.roster.ingest.RequestBody;
import dev.roster.ingest.WirePayloads;
import dev.roster.ingest.mixpanel.MixpanelFormat;
import dev.roster.store.DuckDbGroupStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Mixpanel: {@code /track}, {@code /engage}, {@code /groups} and {@code /import}, GET and POST.
 * The answer is what the SDKs check: the body {@code 1} (or {@code 0}), or with {@code verbose=1}
 * {@code {"status":1,"error":null}}. A modern {@code /import} with a JSON body answers like
 * Mixpanel's import API: {@code {"code":200,"num_records_imported":N,"status":"OK"}}.
 */
final class MixpanelHandler {
    private final MixpanelFormat format;
    private final Ingestion ingestion;
    private final DuckDbGroupStore groups;
    private final Clock clock;

    MixpanelHandler(MixpanelFormat format, Ingestion ingestion, DuckDbGroupStore groups, Clock clock) {
        this.format = requireNonNull(format, "format is null");
        this.ingestion = requireNonNull(ingestion, "ingestion is null");
        this.groups = requireNonNull(groups, "groups is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void track(Context ctx) throws IOException {
        handle(ctx, MixpanelFormat.Endpoint.TRACK);
    }

    void engage(Context ctx) throws IOException {
        handle(ctx, MixpanelFormat.Endpoint.ENGAGE);
    }

    void groups(Context ctx) throws IOException {
        handle(ctx, MixpanelFormat.Endpoint.GROUPS);
    }

    void importEvents(Context ctx) throws IOException {
        handle(ctx, MixpanelFormat.Endpoint.IMPORT);
    }

    private void handle(Context ctx, MixpanelFormat.Endpoint endpoint) throws IOException {
        Map<String, String> query = WireRequests.query(ctx);
        boolean verbose = "1".equals(query.get("verbose"));
        boolean jsonImport = false;
        try {
            byte[] body = RequestBody.read(ctx.req().getInputStream(), ctx.req().getContentLengthLong(), ctx.header("Content-Encoding"));
            jsonImport = endpoint == MixpanelFormat.Endpoint.IMPORT && body.length > 0
                    && !WirePayloads.looksLikeForm(ctx.contentType(), body) && !query.containsKey("data");
            ParsedWithGroups parsed = format.parse(new MixpanelFormat.Request(endpoint, body, ctx.contentType(), query,
                    basicUser(ctx), clock.instant()));
            Ingestion.Result result = WireRequests.ingest(ingestion, groups, parsed.request(), parsed.groups(), "mixpanel");
            if (jsonImport) {
                boolean strict = !"0".equals(query.get("strict"));
                if (strict && !result.rejections().isEmpty()) {
                    ctx.status(400).json(importBody(400, result.stored() + result.duplicates(), "Bad Request",
                            null, result.rejections()));
                } else {
                    ctx.json(importBody(200, result.stored() + result.duplicates(), "OK", null, List.of()));
                }
            } else {
                success(ctx, verbose);
            }
        } catch (RosterException e) {
            int status = e.code().kind().httpStatus();
            List<Rejection> rejections = e instanceof Ingestion.RejectedRequestException rejected ? rejected.rejections() : List.of();
            if (jsonImport) {
                ctx.status(status).json(importBody(status, 0, status == 401 ? "Unauthorized" : "Bad Request",
                        e.getMessage(), rejections));
            } else {
                failure(ctx, status, verbose, e);
            }
        }
    }

    /** The Basic user name (Mixpanel's api secret or service account), ignoring a malformed header. */
    private static Optional<String> basicUser(Context ctx) {
        try {
            return Auth.basicUser(ctx);
        } catch (RosterException e) {
            return Optional.empty();
        }
    }

    private static void success(Context ctx, boolean verbose) {
        if (verbose) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", 1);
            body.put("error", null);
            ctx.json(body);
        } else {
            ctx.contentType("text/plain; charset=utf-8").result("1");
        }
    }

    private static void failure(Context ctx, int status, boolean verbose, RosterException e) {
        ctx.status(status);
        if (verbose) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", 0);
            body.put("error", e.getMessage());
            body.put("code", e.code().code());
            ctx.json(body);
        } else {
            ctx.header("X-Roster-Error", e.code().code()).contentType("text/plain; charset=utf-8").result("0");
        }
    }

    private static Map<String, Object> importBody(int code, int imported, String status, String error, List<Rejection> rejections) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("num_records_imported", imported);
        body.put("status", status);
        if (error != null) {
            body.put("error", error);
        }
        if (!rejections.isEmpty()) {
            List<Map<String, Object>> failed = new ArrayList<>();
            for (Rejection rejection : rejections) {
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("index", rejection.index());
                record.put("field", rejection.reason().label());
                record.put("message", rejection.message());
                failed.add(record);
            }
            body.put("failed_records", failed);
        }
        return body;
    }

}

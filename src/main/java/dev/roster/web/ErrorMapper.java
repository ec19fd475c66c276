package dev.roster.web;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ingest.Ingestion;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every error into {@code {"error": code, "message": ...}} with the status of its kind. */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    static void register(Javalin app) {
        app.exception(RosterException.class, (e, ctx) -> {
            Map<String, Object> body = body(e.code().code(), e.getMessage());
            e.path().ifPresent(path -> body.put("path", path));
            if (e instanceof Ingestion.RejectedRequestException rejected) {
                body.put("rejected", rejected.rejections());
            }
            ctx.status(e.code().kind().httpStatus()).json(body);
        });
        app.exception(HttpResponseException.class, (e, ctx) ->
                ctx.status(e.getStatus()).json(body(e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus(), e.getMessage())));
        app.exception(Exception.class, (e, ctx) -> {
            String incident = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("internal error {} on {} {}", incident, ctx.method(), ctx.path(), e);
            ctx.status(500).json(body(ErrorCode.INTERNAL.code(), "internal error " + incident + "; see the server log"));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                ctx.json(body("not_found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> ctx.json(body("method_not_allowed", "method " + ctx.method() + " is not allowed on " + ctx.path())));
    }

    static Map<String, Object> body(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return body;
    }

    static void write(Context ctx, RosterException e) {
        ctx.status(e.code().kind().httpStatus()).json(body(e.code().code(), e.getMessage()));
    }
}

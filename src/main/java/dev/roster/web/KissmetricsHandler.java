package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.RosterException;
import dev.roster.ingest.Ingestion;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.ParsedRequest;
import dev.roster.ingest.RejectReason;
import dev.roster.ingest.kissmetrics.KissmetricsFormat;
import dev.roster.ops.Metrics;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /e}, {@code /s}, {@code /a}: the KISSmetrics API. It always answers 200 with a 1×1
 * GIF, because the caller is usually an image tag; a hit that cannot be stored is dropped, counted
 * in {@code roster_kissmetrics_dropped_total{reason}} and logged, never silently lost.
 */
final class KissmetricsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KissmetricsHandler.class);

    /** A transparent 1×1 GIF89a (43 bytes). */
    static final byte[] GIF = {
        'G', 'I', 'F', '8', '9', 'a', 0x01, 0x00, 0x01, 0x00, (byte) 0x80, 0x00, 0x00,
        0x00, 0x00, 0x00, (byte) 0xff, (byte) 0xff, (byte) 0xff,
        0x21, (byte) 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x02, 0x44, 0x01, 0x00, 0x3b
    };

    private final KissmetricsFormat format;
    private final Ingestion ingestion;
    private final Metrics metrics;
    private final Clock clock;

    KissmetricsHandler(KissmetricsFormat format, Ingestion ingestion, Metrics metrics, Clock clock) {
        this.format = requireNonNull(format, "format is null");
        this.ingestion = requireNonNull(ingestion, "ingestion is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    void event(Context ctx) {
        handle(ctx, KissmetricsFormat.Endpoint.EVENT);
    }

    void set(Context ctx) {
        handle(ctx, KissmetricsFormat.Endpoint.SET);
    }

    void alias(Context ctx) {
        handle(ctx, KissmetricsFormat.Endpoint.ALIAS);
    }

    private void handle(Context ctx, KissmetricsFormat.Endpoint endpoint) {
        try {
            ParsedRequest request = format.parse(endpoint, ctx.queryParamMap(), clock.instant());
            ingestion.ingest(request, "kissmetrics");
        } catch (InvalidEventException e) {
            drop(ctx, e.reason().label(), e.getMessage());
        } catch (RosterException e) {
            drop(ctx, e.code().code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("KISSmetrics hit {} {} failed", ctx.path(), ctx.queryString(), e);
            drop(ctx, RejectReason.INVALID_EVENT.label(), "internal error: " + e);
        }
        ctx.status(200)
                .header("Cache-Control", "no-cache, no-store, must-revalidate")
                .contentType("image/gif")
                .result(GIF);
    }

    private void drop(Context ctx, String reason, String message) {
        metrics.droppedHits.labelValues(reason.toLowerCase(Locale.ROOT)).inc();
        LOG.warn("dropped KISSmetrics hit {} ({}): {}", ctx.path(), reason, message);
    }
}

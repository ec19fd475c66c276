package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ops.Metrics;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import java.util.List;
import java.util.Optional;

/**
 * The end of every ingestion pipeline: parse (done by the wire format) → authenticate → validate →
 * write buffer → commit. It counts every rejection by reason.
 */
public final class Ingestion {
    private final Projects projects;
    private final WriteBuffer writeBuffer;
    private final Metrics metrics;

    public Ingestion(Projects projects, WriteBuffer writeBuffer, Metrics metrics) {
        this.projects = requireNonNull(projects, "projects is null");
        this.writeBuffer = requireNonNull(writeBuffer, "writeBuffer is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** The result of one request: what was stored, what was a duplicate, what was rejected. */
    public record Result(int stored, int duplicates, List<Rejection> rejections) {
        public Result {
            rejections = List.copyOf(rejections);
        }
    }

    /** Finds the project of a write key, or throws a 401 naming the problem. */
    public Project authenticate(Optional<String> writeKey) {
        String key = writeKey.map(String::trim).filter(k -> !k.isEmpty())
                .orElseThrow(() -> {
                    metrics.rejected.labelValues(RejectReason.MISSING_KEY.label()).inc();
                    return new RosterException(ErrorCode.MISSING_KEY,
                            "no write key: send it as the HTTP Basic user name or in the body");
                });
        return projects.findByWriteKey(key).orElseThrow(() -> {
            metrics.rejected.labelValues(RejectReason.INVALID_KEY.label()).inc();
            return new RosterException(ErrorCode.INVALID_KEY, "unknown write key");
        });
    }

    /**
     * Stores the valid commands of a parsed request. When no message was valid the whole request
     * is refused with a 400 that lists every reason.
     */
    public Result ingest(ParsedRequest request, String source) {
        Project project = authenticate(request.writeKey());
        return ingest(project, request, source);
    }

    public Result ingest(Project project, ParsedRequest request, String source) {
        for (Rejection rejection : request.rejections()) {
            metrics.rejected.labelValues(rejection.reason().label()).inc();
        }
        if (request.commands().isEmpty()) {
            if (request.rejections().isEmpty()) {
                throw new RosterException(ErrorCode.EMPTY_BATCH, "the request holds no events");
            }
            throw new RejectedRequestException(request.rejections());
        }
        IngestOutcome outcome = writeBuffer.submit(project, request.commands());
        metrics.ingested.labelValues(source).inc(outcome.stored());
        return new Result(outcome.stored(), outcome.duplicates(), request.rejections());
    }

    /** Every message of a request was invalid: a 400 listing each reason. */
    public static final class RejectedRequestException extends RosterException {
        private final List<Rejection> rejections;

        public RejectedRequestException(List<Rejection> rejections) {
            super(ErrorCode.INVALID_EVENT, describe(rejections));
            this.rejections = List.copyOf(rejections);
        }

        public List<Rejection> rejections() {
            return rejections;
        }

        private static String describe(List<Rejection> rejections) {
            StringBuilder message = new StringBuilder("no valid event in the request: ");
            for (int i = 0; i < rejections.size() && i < 5; i++) {
                Rejection rejection = rejections.get(i);
                message.append(i == 0 ? "" : "; ").append("#").append(rejection.index()).append(' ').append(rejection.message());
            }
            if (rejections.size() > 5) {
                message.append("; and ").append(rejections.size() - 5).append(" more");
            }
            return message.toString();
        }
    }
}

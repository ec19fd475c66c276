package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress and summary of one import. Counters are updated by the importing thread and read
 * by pollers.
 *
 * <p>Thread safety: safe for one writer and any number of readers.
 */
public final class ImportJob {
    public enum Status { QUEUED, RUNNING, DONE, FAILED }

    private final String id;
    private final int projectKey;
    private final ImportFormat format;
    private final int maxRejections;
    private final Instant createdAt;
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong imported = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rejectedCount = new AtomicLong();
    private final List<RejectedRow> rejected = new ArrayList<>();
    private volatile Status status = Status.QUEUED;
    private volatile String error;
    private volatile Instant finishedAt;

    public ImportJob(String id, int projectKey, ImportFormat format, int maxRejections, Instant createdAt) {
        this.id = requireNonNull(id, "id is null");
        this.projectKey = projectKey;
        this.format = requireNonNull(format, "format is null");
        this.maxRejections = maxRejections;
        this.createdAt = requireNonNull(createdAt, "createdAt is null");
    }

    /** The JSON shape of {@code POST /api/import} and {@code GET /api/import/{id}}. */
    public record Snapshot(String id, String status, String format, long rows, long imported, long duplicates,
                           @JsonProperty("rejected_count") long rejectedCount, List<RejectedRow> rejected,
                           String error, @JsonProperty("created_at") String createdAt,
                           @JsonProperty("finished_at") String finishedAt) {
    }

    public Snapshot snapshot() {
        List<RejectedRow> rows;
        synchronized (rejected) {
            rows = List.copyOf(rejected);
        }
        return new Snapshot(id, status.name().toLowerCase(java.util.Locale.ROOT), format.label(), this.rows.get(),
                imported.get(), duplicates.get(), rejectedCount.get(), rows, error, createdAt.toString(),
                finishedAt == null ? null : finishedAt.toString());
    }

    void row() {
        rows.incrementAndGet();
    }

    void reject(RejectedRow row) {
        rejectedCount.incrementAndGet();
        synchronized (rejected) {
            if (rejected.size() < maxRejections) {
                rejected.add(row);
            }
        }
    }

    /** Counts rejected rows whose details are beyond the reported limit. */
    void rejectedBeyondReport(long count) {
        rejectedCount.addAndGet(count);
    }

    /** Counts rows read in bulk. */
    void rows(long count) {
        rows.addAndGet(count);
    }

    int maxRejections() {
        return maxRejections;
    }

    void committed(long importedRows, long duplicateRows) {
        imported.addAndGet(importedRows);
        duplicates.addAndGet(duplicateRows);
    }

    void start() {
        status = Status.RUNNING;
    }

    void finish(Instant at) {
        finishedAt = at;
        status = Status.DONE;
    }

    void fail(String message, Instant at) {
        error = message;
        finishedAt = at;
        status = Status.FAILED;
    }

    public String id() {
        return id;
    }

    public int projectKey() {
        return projectKey;
    }

    public ImportFormat format() {
        return format;
    }

    public Status status() {
        return status;
    }

    public long rows() {
        return rows.get();
    }

    public long imported() {
        return imported.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long rejectedCount() {
        return rejectedCount.get();
    }

    public boolean finished() {
        return status == Status.DONE || status == Status.FAILED;
    }
}

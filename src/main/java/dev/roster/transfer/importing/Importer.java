package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.ingest.IngestOutcome;
import dev.roster.ingest.WriteBuffer;
import dev.roster.ingest.segment.SegmentFormat;
import dev.roster.ops.Metrics;
import dev.roster.project.Project;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Imports one file: parse rows → commands → the write buffer, in chunks, streaming. Memory is
 * bounded by two chunks (one being parsed, one being committed) whatever the file size. Rows of a
 * file go through the same pipeline as live ingestion: identity resolution, deduplication by event
 * id (so a re-import adds nothing), profiles.
 */
public final class Importer implements ImportRunner {
    private final WriteBuffer writeBuffer;
    private final Metrics metrics;
    private final Clock clock;
    private final SegmentFormat segment;

    public Importer(WriteBuffer writeBuffer, Metrics metrics, Clock clock) {
        this.writeBuffer = requireNonNull(writeBuffer, "writeBuffer is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.segment = new SegmentFormat(at -> metrics.clampedTimestamps.inc());
    }

    /**
     * Reads {@code in} to the end and imports it into {@code project}, updating {@code job} as it
     * goes. A problem with the file as a whole (no header, unreadable CSV) fails the job; bad rows
     * are rejected one by one.
     */
    @Override
    public void run(Project project, InputStream in, ImportOptions options, ImportJob job) {
        job.start();
        ExecutorService committer = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "roster-import-commit");
            thread.setDaemon(true);
            return thread;
        });
        CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
        try (RowParser parser = parser(in, options, clock.instant())) {
            List<Command> chunk = new ArrayList<>();
            int chunkRows = 0;
            int chunkOtherRows = 0;
            ParsedRow row;
            while ((row = parser.next()) != null) {
                job.row();
                if (row.isRejected()) {
                    job.reject(new RejectedRow(row.line(), row.rejection()));
                    metrics.rejected.labelValues("import").inc();
                    continue;
                }
                chunk.addAll(row.commands());
                chunkRows++;
                if (row.events() == 0) {
                    chunkOtherRows++;
                }
                if (chunkRows >= options.chunkRows()) {
                    inFlight = submit(committer, project, chunk, chunkOtherRows, job, inFlight);
                    chunk = new ArrayList<>();
                    chunkRows = 0;
                    chunkOtherRows = 0;
                }
            }
            inFlight = submit(committer, project, chunk, chunkOtherRows, job, inFlight);
            inFlight.join();
            job.finish(clock.instant());
        } catch (RosterException e) {
            inFlight.exceptionally(ignored -> null).join();
            job.fail(e.getMessage(), clock.instant());
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            job.fail(String.valueOf(cause.getMessage()), clock.instant());
        } catch (IOException | UncheckedIOException e) {
            inFlight.exceptionally(ignored -> null).join();
            job.fail("the file could not be read: " + e.getMessage(), clock.instant());
        } finally {
            committer.shutdownNow();
        }
    }

    /** Waits for the previous chunk's commit, then starts this one's, so parsing overlaps committing. */
    private CompletableFuture<Void> submit(ExecutorService committer, Project project, List<Command> chunk, int otherRows, ImportJob job,
                                           CompletableFuture<Void> previous) {
        previous.join();
        if (chunk.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> {
            IngestOutcome outcome = writeBuffer.submit(project, chunk);
            metrics.ingested.labelValues("import").inc(outcome.stored());
            job.committed(outcome.stored() + otherRows, outcome.duplicates());
        }, committer);
    }

    private RowParser parser(InputStream in, ImportOptions options, Instant receivedAt) throws IOException {
        if (options.format() == ImportFormat.JSONL) {
            return new JsonlRowParser(in, segment, receivedAt);
        }
        return new CsvRowParser(in, options, receivedAt);
    }
}

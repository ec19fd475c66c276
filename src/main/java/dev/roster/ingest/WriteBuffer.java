package dev.roster.ingest;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.identity.IdentityGraph;
import dev.roster.ops.Metrics;
import dev.roster.project.Project;
import dev.roster.store.CommitBatch;
import dev.roster.store.EventStore;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single write path. Requests {@link #submit} their commands and wait; one writer thread
 * takes everything queued (up to {@link #MAX_COMMANDS}), builds one batch and commits it in one
 * transaction, then completes every waiting request. Many concurrent requests therefore share a
 * commit (group commit), and a request is acknowledged only after its commit.
 *
 * <p>When the writer has been idle for a while and enough recent events have piled up, it
 * compacts them into the person-sorted table (see docs/architecture.md).
 *
 * <p>Thread safety: {@link #submit} and {@link #flush} may be called from any thread.
 */
public final class WriteBuffer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBuffer.class);
    static final int MAX_COMMANDS = 20_000;
    private static final int MAX_QUEUED = 2_000;
    private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Group commit linger: when the previous group came from several requests (concurrent
     * clients), the writer waits up to this long for more submissions while they keep arriving
     * (at most {@link #LINGER_GAP_NANOS} apart), because every commit pays a fixed cost (WAL
     * fsync, the per-commit statements) that a bigger group shares. A lone client never waits.
     */
    static final long LINGER_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("roster.commitLingerMicros", 4_000));
    private static final long LINGER_GAP_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("roster.commitLingerGapMicros", 1_500));
    /**
     * At most this many events move per compaction the writer starts by itself when idle: it commits
     * nothing while compacting, so an unbounded compaction (10M events took 263 s on a loaded machine) made
     * waiting requests time out. Chunks keep each pause to seconds; the next idle moment continues.
     */
    static final long COMPACT_CHUNK = Long.getLong("roster.compactChunkEvents", 1_000_000);
    /** WAL size above which an idle writer checkpoints (DuckDB itself waits for a larger one). */
    static final long IDLE_CHECKPOINT_WAL_BYTES = 8L << 20;
    /** A group this large already shares the fixed cost well: commit without lingering. */
    private static final int LINGER_UNTIL_COMMANDS = 4_000;

    private final EventStore store;
    private final Metrics metrics;
    private final BatchBuilder builder;
    private final Map<Integer, IdentityGraph> graphs = new HashMap<>();
    private final Map<Integer, EventIdIndex> eventIds = new HashMap<>();
    private final Map<Integer, LongOpenHashSet> profiled = new HashMap<>();
    private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread writer;
    private final long compactAfterEvents;
    private volatile boolean running = true;
    private long uncompactedEvents;

    /**
     * One request's commands and the future completed after their commit. {@code propertiesJson}
     * holds, per command, the serialised properties of a track (null otherwise): the request's
     * thread writes them, so the single writer thread does not.
     */
    record Submission(Project project, List<Command> commands, String[] propertiesJson, CompletableFuture<IngestOutcome> done) {
        static Submission of(Project project, List<Command> commands) {
            String[] json = new String[commands.size()];
            for (int i = 0; i < json.length; i++) {
                if (commands.get(i) instanceof Command.Track track) {
                    json[i] = Json.write(track.properties());
                }
            }
            return new Submission(project, commands, json, new CompletableFuture<>());
        }
    }

    public WriteBuffer(EventStore store, Clock clock, Metrics metrics, long compactAfterEvents) {
        this.store = requireNonNull(store, "store is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.compactAfterEvents = compactAfterEvents;
        store.loadOnce(this::loadState);   // start-up only: it changes the store's memory settings
        this.uncompactedEvents = store.recentEvents();   // after a restart, what the last run left uncompacted
        this.builder = new BatchBuilder(store, clock, graphs, eventIds, profiled);
        this.writer = new Thread(this::run, "roster-writer");
        this.writer.start();
    }

    private void loadState() {
        long started = System.nanoTime();
        store.nextPersonKeys().forEach((project, next) -> graphs.put(project, new IdentityGraph(project, next)));
        store.forEachIdentity((project, identity, person, isUser) ->
                graph(project).loadIdentity(identity, person, isUser));
        store.forEachMerge((project, from, to) -> graph(project).loadMerge(from, to));
        store.forEachProfiledPerson((project, person) -> profiled.computeIfAbsent(project, k -> new LongOpenHashSet()).add(person));
        store.eventCounts().forEach((project, events) -> eventIds.put(project, new EventIdIndex(events)));
        long[] count = {0};
        store.forEachEventId((project, id) -> {
            eventIds.computeIfAbsent(project, k -> new EventIdIndex()).add(project, id);
            count[0]++;
        });
        LOG.info("loaded identity graphs of {} projects and {} event ids in {} ms",
                graphs.size(), count[0], (System.nanoTime() - started) / 1_000_000);
    }

    private IdentityGraph graph(int projectKey) {
        return graphs.computeIfAbsent(projectKey, k -> new IdentityGraph(k, 1));
    }

    /**
     * Queues commands and waits for their commit. Throws if the server is shutting down or the
     * commit failed; then nothing of the request was stored.
     */
    public IngestOutcome submit(Project project, List<Command> commands) {
        if (commands.isEmpty()) {
            return new IngestOutcome(0, 0);
        }
        if (!running) {
            throw shuttingDown();
        }
        Submission submission = Submission.of(project, List.copyOf(commands));
        try {
            if (!queue.offer(submission, SUBMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new RosterException(ErrorCode.RATE_LIMITED, "the write queue is full; retry later");
            }
            if (!running && !writer.isAlive() && queue.remove(submission)) {
                // close() drained the queue before this offer: nobody would ever commit it
                throw shuttingDown();
            }
            return submission.done().get(SUBMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException(ErrorCode.INTERNAL, "interrupted while waiting for the commit");
        } catch (TimeoutException e) {
            throw new RosterException(ErrorCode.RATE_LIMITED, "the commit took too long; retry later");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RosterException roster) {
                throw roster;
            }
            throw new RosterException(ErrorCode.INTERNAL, "the events could not be stored: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Waits until everything submitted before this call is committed. */
    public void flush() {
        // An empty submission goes through the queue like any other, so it completes after
        // everything queued before it.
        Submission marker = new Submission(null, List.of(), new String[0], new CompletableFuture<>());
        try {
            queue.put(marker);
            if (!running && !writer.isAlive() && queue.remove(marker)) {
                return;   // closed: everything before the marker was committed or refused
            }
            marker.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Commits everything queued, then compacts all recent events into the person-sorted table in
     * one sorted run (an explicit request, e.g. after the demo generation: one run keeps person
     * lookups to one row group). Compactions the writer starts by itself are chunked instead.
     */
    public EventStore.CompactionResult compactNow() {
        flush();
        synchronized (this) {
            return compact(Long.MAX_VALUE);
        }
    }

    /**
     * Erases a person, serialised with ingestion: everything queued before is committed first,
     * then the store deletes the person's rows and the in-memory identity graph forgets them, so a
     * deleted identity that sends again starts a new person. Finally the store scrubs the file.
     */
    public EventStore.ErasedPerson erase(Project project, long personKey, EventStore.Audit audit) {
        flush();
        synchronized (this) {
            EventStore.ErasedPerson erased = store.erase(project.key(), personKey, audit);
            graph(project.key()).forget(erased.identities(), erased.personKeys());
            store.scrub();
            return erased;
        }
    }

    /**
     * Runs {@code work} while no commit can happen, after everything queued before is committed
     * (e.g. a consistent copy of the database file for a backup).
     */
    public <T> T whilePaused(java.util.function.Supplier<T> work) {
        flush();
        synchronized (this) {
            return work.get();
        }
    }

    private void run() {
        List<Submission> group = new ArrayList<>();
        int previousGroup = 0;
        while (running || !queue.isEmpty()) {
            try {
                Submission first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    previousGroup = 0;
                    maybeCompact();
                    checkpointWhileIdle();
                    continue;
                }
                group.clear();
                group.add(first);
                int commands = drain(group, first.commands().size());
                if (previousGroup > 1 && LINGER_NANOS > 0) {
                    long deadline = System.nanoTime() + LINGER_NANOS;
                    while (commands < LINGER_UNTIL_COMMANDS && running) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        Submission next = queue.poll(Math.min(left, LINGER_GAP_NANOS), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;   // nobody arrived within the gap: the burst is over
                        }
                        group.add(next);
                        commands = drain(group, commands + next.commands().size());
                    }
                }
                previousGroup = group.size();
                commit(group);
                maybeCompact();   // under sustained load the writer is never idle: compact between groups
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("writer loop failed", e);
            }
        }
    }

    /** Adds what is queued to {@code group} up to {@link #MAX_COMMANDS}; returns the command count. */
    private int drain(List<Submission> group, int commands) {
        while (commands < MAX_COMMANDS) {
            Submission next = queue.poll();
            if (next == null) {
                break;
            }
            group.add(next);
            commands += next.commands().size();
        }
        return commands;
    }

    private synchronized void commit(List<Submission> group) {
        List<Submission> real = group.stream().filter(s -> s.project() != null).toList();
        if (real.isEmpty()) {
            group.forEach(s -> s.done().complete(new IngestOutcome(0, 0)));
            return;
        }
        long started = System.nanoTime();
        try {
            BatchBuilder.Built built = builder.build(real);
            store.commit(built.batch());
            for (CommitBatch.ProfileRow profile : built.batch().profiles()) {
                LongOpenHashSet persons = profiled.computeIfAbsent(profile.projectKey(), k -> new LongOpenHashSet());
                if (profile.properties().isEmpty()) {
                    persons.remove(profile.personKey());
                } else {
                    persons.add(profile.personKey());
                }
            }
            for (BatchBuilder.EventKey key : built.newEventIds()) {
                eventIds.computeIfAbsent(key.projectKey(), k -> new EventIdIndex()).add(key.projectKey(), key.eventId());
            }
            int events = built.batch().events().size();
            uncompactedEvents += events;
            metrics.commitSeconds.observe((System.nanoTime() - started) / 1e9);
            metrics.commitEvents.observe(events);
            for (int i = 0; i < real.size(); i++) {
                IngestOutcome outcome = built.outcomes().get(i);
                metrics.duplicates.inc(outcome.duplicates());
                real.get(i).done().complete(outcome);
            }
            group.stream().filter(s -> s.project() == null).forEach(s -> s.done().complete(new IngestOutcome(0, 0)));
        } catch (RuntimeException e) {
            LOG.error("commit of {} requests failed; reloading identity state", real.size(), e);
            graphs.clear();
            eventIds.clear();
            profiled.clear();
            loadState();
            group.forEach(s -> s.done().completeExceptionally(e));
        }
    }

    private synchronized void maybeCompact() {
        if (compactAfterEvents > 0 && uncompactedEvents >= compactAfterEvents) {
            compact(COMPACT_CHUNK);
        }
    }

    /** Idle: fold the WAL into the file now rather than inside a commit under load. */
    private synchronized void checkpointWhileIdle() {
        long started = System.nanoTime();
        if (store.checkpointIfWalAbove(IDLE_CHECKPOINT_WAL_BYTES)) {
            LOG.info("checkpointed the write-ahead log while idle in {} ms", (System.nanoTime() - started) / 1_000_000);
        }
    }

    private EventStore.CompactionResult compact(long maxEvents) {
        EventStore.CompactionResult result = store.compact(maxEvents);
        uncompactedEvents = Math.max(0, uncompactedEvents - result.movedEvents());
        LOG.info("compacted {} events and folded {} merges in {} ms",
                result.movedEvents(), result.foldedMerges(), result.millis());
        return result;
    }

    /** Stops accepting, commits everything queued, and stops the writer. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // a submission that raced with the shutdown is refused instead of waiting for ever
        List<Submission> late = new ArrayList<>();
        queue.drainTo(late);
        for (Submission submission : late) {
            if (submission.project() == null) {
                submission.done().complete(new IngestOutcome(0, 0));   // a flush marker: nothing is left behind it
            } else {
                submission.done().completeExceptionally(shuttingDown());
            }
        }
    }

    private static RosterException shuttingDown() {
        return new RosterException(ErrorCode.RATE_LIMITED, "the server is shutting down; retry later");
    }
}

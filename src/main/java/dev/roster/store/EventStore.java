package dev.roster.store;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * The narrow write interface of the store: commit batches go in, and the few lookups the write
 * path needs come out. Reports, people and populations read through {@link Database#read} with
 * their own SQL against the {@code resolved_events} view. A sharded ClickHouse backend would
 * implement this interface and that view's contract (see docs/architecture.md).
 *
 * <p>Thread safety: the write methods must be called from a single thread (the write buffer's).
 */
public interface EventStore {

    /** Writes a batch atomically. After it returns, the batch is durable. */
    void commit(CommitBatch batch);

    /** The stored profiles of the given persons. */
    Map<Long, Map<String, CommitBatch.StoredProperty>> loadProfiles(int projectKey, Collection<Long> personKeys);

    /** Which of these event ids are already stored. */
    Set<String> existingEventIds(int projectKey, Collection<String> eventIds);

    /**
     * Runs the write side's start-up load ({@code load} calls the {@code forEach…} methods below) so
     * that what it reads once is not left cached for the rest of the process's life.
     */
    void loadOnce(Runnable load);

    /** How many events each project has stored (start-up: presizes the deduplication index). */
    Map<Integer, Long> eventCounts();

    /** Streams every stored event id (start-up: fills the deduplication index). */
    void forEachEventId(EventIdConsumer consumer);

    /** Streams the identity graph of every project (start-up). */
    void forEachIdentity(IdentityConsumer consumer);

    void forEachMerge(MergeConsumer consumer);

    /** Streams every person that has stored profile rows (start-up). */
    void forEachProfiledPerson(PersonConsumer consumer);

    /** The next unused person key of each project. */
    Map<Integer, Long> nextPersonKeys();

    /**
     * Moves at most {@code maxEvents} of the oldest recent events into the compacted table, sorted,
     * in one transaction; merges are folded into the compacted table once no recent event is left.
     * Bounding the chunk bounds how long the writer is busy (ingestion waits meanwhile).
     */
    CompactionResult compact(long maxEvents);

    /**
     * Checkpoints when the write-ahead log holds more than {@code bytes}; returns whether it did.
     * The writer calls it while idle, so that commits under load rarely pay for a checkpoint.
     */
    boolean checkpointIfWalAbove(long bytes);

    /** How many events wait in the recent (not yet compacted) table. */
    long recentEvents();

    /**
     * Erases one person (GDPR/CCPA): every event, identity, property, merge record and identity
     * warning of the person and of every person merged into it, plus an audit row without personal
     * data, in one transaction. {@code personKey} may be a merged-away key; its survivor is erased.
     */
    ErasedPerson erase(int projectKey, long personKey, Audit audit);

    /**
     * Makes erased rows unrecoverable from the database file: rewrites the tables that had rows
     * deleted, checkpoints, and overwrites the file's free blocks before releasing them.
     */
    void scrub();

    /** Who erased, when, and the SHA-256 of the erased person's public id. */
    record Audit(String personIdSha256, String erasedBy, java.time.Instant at) {
    }

    /** What an erasure removed: the person keys, the identities (to forget in memory) and the event count. */
    record ErasedPerson(java.util.List<Long> personKeys, java.util.List<String> identities, long events) {
    }

    @FunctionalInterface
    interface EventIdConsumer {
        void accept(int projectKey, String eventId);
    }

    @FunctionalInterface
    interface IdentityConsumer {
        void accept(int projectKey, String identity, long personKey, boolean isUser);
    }

    @FunctionalInterface
    interface PersonConsumer {
        void accept(int projectKey, long personKey);
    }

    @FunctionalInterface
    interface MergeConsumer {
        void accept(int projectKey, long fromKey, long toKey);
    }

    record CompactionResult(long movedEvents, long foldedMerges, long millis) {
    }
}

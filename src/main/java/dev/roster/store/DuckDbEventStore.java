package dev.roster.store;

import static java.util.Objects.requireNonNull;

import dev.roster.common.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * DuckDB implementation of the write side. Each {@link #commit} is one transaction: the driver's
 * appender flushes internally, so a statement is run first to open the transaction explicitly
 * (see DUCKDB-NOTES), making a batch all there or all gone after a crash.
 *
 * <p>Thread safety: confined to the write buffer's thread, which also serialises on the writer
 * connection with the few other writers (project creation).
 */
public final class DuckDbEventStore implements EventStore {
    private final Database database;
    private final PersonSummaryWriter summaries;

    /**
     * @param summaries maintains {@code person_summary}; a data directory written before it existed
     *     gets it built here, before the first commit or compaction
     */
    public DuckDbEventStore(Database database, PersonSummaryWriter summaries) {
        this.database = requireNonNull(database, "database is null");
        this.summaries = requireNonNull(summaries, "summaries is null");
        buildMissingSummaries();
        try (Statement statement = connection().createStatement()) {
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS batch_persons (project_key INTEGER, person_key BIGINT)");
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS batch_merges (project_key INTEGER, from_key BIGINT, to_key BIGINT)");
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS batch_users (project_key INTEGER, identity VARCHAR)");
            statement.execute("CREATE TEMP TABLE IF NOT EXISTS batch_event_ids (project_key INTEGER, event_id VARCHAR)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the write connection: " + e.getMessage(), e);
        }
    }

    private DuckDBConnection connection() {
        return (DuckDBConnection) database.writer();
    }

    /** First start after the summary's migration: builds it for the projects' existing compacted events. */
    private void buildMissingSummaries() {
        long started = System.nanoTime();
        List<Integer> built = database.inWriteTransaction("building the person summary", summaries::buildMissing);
        if (!built.isEmpty()) {
            System.getLogger(DuckDbEventStore.class.getName()).log(System.Logger.Level.INFO,
                    "built the person summary of " + built.size() + " project(s) in "
                            + (System.nanoTime() - started) / 1_000_000 + " ms");
        }
    }

    @Override
    public void commit(CommitBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        database.inWriteTransaction("commit", connection -> {
            writePersons(connection, batch);
            writeIdentities(connection, batch);
            writeMerges(connection, batch);
            writeProfiles(connection, batch);
            writeEvents(connection, batch);
            database.paymentLedger().record(connection, batch.events());
            writeWarnings(connection, batch);
            return null;
        });
    }

    private static void writePersons(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (batch.persons().isEmpty()) {
            return;
        }
        try (DuckDBAppender appender = connection.createAppender("persons")) {
            for (CommitBatch.PersonRow row : batch.persons()) {
                appender.beginRow().append(row.projectKey()).append(row.personKey()).append(row.personId())
                        .appendEpochMicros(micros(row.createdAt())).endRow();
            }
        }
    }

    private static void writeIdentities(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (!batch.identities().isEmpty()) {
            try (DuckDBAppender appender = connection.createAppender("identities")) {
                for (CommitBatch.IdentityRow row : batch.identities()) {
                    appender.beginRow().append(row.projectKey()).append(row.identity()).append(row.personKey())
                            .append(row.isUser()).appendEpochMicros(micros(row.createdAt())).endRow();
                }
            }
        }
        if (!batch.markedUsers().isEmpty()) {
            execute(connection, "DELETE FROM batch_users");
            try (DuckDBAppender appender = connection.createAppender("temp", "main", "batch_users")) {
                for (CommitBatch.IdentityRef row : batch.markedUsers()) {
                    appender.beginRow().append(row.projectKey()).append(row.identity()).endRow();
                }
            }
            execute(connection, "UPDATE identities SET is_user = true FROM batch_users b "
                    + "WHERE identities.project_key = b.project_key AND identities.identity = b.identity");
        }
    }

    /**
     * Merges: the losers' identities move to the survivor (skipped for losers created in this batch:
     * nothing of theirs is stored yet), stored merge rows pointing at a loser are redirected (only
     * when some loser had absorbed anyone: the identity graph knows), and the
     * batch's rows are appended to both merge tables. The key range of the losers is added as a
     * constant predicate so that DuckDB's zone maps skip the row groups written before the oldest
     * loser existed (person keys grow with time, and so do these tables).
     */
    private static void writeMerges(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (batch.merges().isEmpty()) {
            return;
        }
        List<CommitBatch.MergeRow> stored = batch.merges().stream().filter(CommitBatch.MergeRow::loserStored).toList();
        if (!stored.isEmpty()) {
            execute(connection, "DELETE FROM batch_merges");
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            boolean redirect = false;
            try (DuckDBAppender appender = connection.createAppender("temp", "main", "batch_merges")) {
                for (CommitBatch.MergeRow row : stored) {
                    appender.beginRow().append(row.projectKey()).append(row.fromKey()).append(row.toKey()).endRow();
                    min = Math.min(min, row.fromKey());
                    max = Math.max(max, row.fromKey());
                    redirect |= row.redirectsStored();
                }
            }
            String range = " BETWEEN " + min + " AND " + max;   // two longs, not user input
            execute(connection, "UPDATE identities SET person_key = b.to_key FROM batch_merges b "
                    + "WHERE identities.project_key = b.project_key AND identities.person_key = b.from_key "
                    + "AND identities.person_key" + range);
            if (redirect) {
                for (String table : new String[] {"person_merges", "unfolded_merges"}) {
                    execute(connection, "UPDATE " + table + " SET to_key = b.to_key FROM batch_merges b "
                            + "WHERE " + table + ".project_key = b.project_key AND " + table + ".to_key = b.from_key "
                            + "AND " + table + ".to_key" + range);
                }
            }
        }
        try (DuckDBAppender merges = connection.createAppender("person_merges");
                DuckDBAppender unfolded = connection.createAppender("unfolded_merges")) {
            for (CommitBatch.MergeRow row : batch.merges()) {
                merges.beginRow().append(row.projectKey()).append(row.fromKey()).append(row.toKey())
                        .appendEpochMicros(micros(row.mergedAt())).endRow();
                unfolded.beginRow().append(row.projectKey()).append(row.fromKey()).append(row.toKey()).endRow();
            }
        }
    }

    private static void writeProfiles(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (batch.profiles().isEmpty()) {
            return;
        }
        List<long[]> replaced = batch.profiles().stream().filter(CommitBatch.ProfileRow::replacesStored)
                .map(p -> new long[] {p.projectKey(), p.personKey()}).toList();
        if (!replaced.isEmpty()) {
            fillBatchPersons(connection, replaced);
            execute(connection, "DELETE FROM person_properties USING batch_persons b "
                    + "WHERE person_properties.project_key = b.project_key AND person_properties.person_key = b.person_key "
                    + "AND person_properties.person_key" + keyRange(replaced.stream().mapToLong(k -> k[1])));
        }
        try (DuckDBAppender appender = connection.createAppender("person_properties")) {
            for (CommitBatch.ProfileRow profile : batch.profiles()) {
                for (Map.Entry<String, CommitBatch.StoredProperty> entry : profile.properties().entrySet()) {
                    appender.beginRow().append(profile.projectKey()).append(profile.personKey()).append(entry.getKey())
                            .append(Json.write(entry.getValue().value()))
                            .appendEpochMicros(micros(entry.getValue().updatedAt())).endRow();
                }
            }
        }
    }

    private static void writeEvents(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (batch.events().isEmpty()) {
            return;
        }
        try (DuckDBAppender appender = connection.createAppender("events_recent")) {
            for (CommitBatch.EventRow row : batch.events()) {
                appender.beginRow().append(row.projectKey()).append(row.eventId()).append(row.identity())
                        .append(row.personKey()).append(row.name())
                        .appendEpochMicros(micros(row.timestamp())).appendEpochMicros(micros(row.receivedAt()));
                if (row.sessionId() == null) {
                    appender.appendNull();
                } else {
                    appender.append(row.sessionId());
                }
                appender.append(row.propertiesJson()).endRow();
            }
        }
    }

    private static void writeWarnings(DuckDBConnection connection, CommitBatch batch) throws SQLException {
        if (batch.warnings().isEmpty()) {
            return;
        }
        try (DuckDBAppender appender = connection.createAppender("identity_warnings")) {
            for (CommitBatch.WarningRow row : batch.warnings()) {
                appender.beginRow().append(row.projectKey()).append(row.kind()).append(row.identity());
                if (row.other() == null) {
                    appender.appendNull();
                } else {
                    appender.append(row.other());
                }
                appender.append(row.detail()).appendEpochMicros(micros(row.createdAt())).endRow();
            }
        }
    }

    /**
     * {@code " BETWEEN min AND max"} of internal person keys (numbers, never user input): a constant
     * range lets zone maps skip row groups that a join alone would scan.
     */
    private static String keyRange(java.util.stream.LongStream keys) {
        java.util.LongSummaryStatistics stats = keys.summaryStatistics();
        return " BETWEEN " + stats.getMin() + " AND " + stats.getMax();
    }

    private static void fillBatchPersons(DuckDBConnection connection, Collection<long[]> keys) throws SQLException {
        execute(connection, "DELETE FROM batch_persons");
        try (DuckDBAppender appender = connection.createAppender("temp", "main", "batch_persons")) {
            for (long[] key : keys) {
                appender.beginRow().append((int) key[0]).append(key[1]).endRow();
            }
        }
    }

    @Override
    public Map<Long, Map<String, CommitBatch.StoredProperty>> loadProfiles(int projectKey, Collection<Long> personKeys) {
        Map<Long, Map<String, CommitBatch.StoredProperty>> result = new HashMap<>();
        if (personKeys.isEmpty()) {
            return result;
        }
        DuckDBConnection connection = connection();
        synchronized (connection) {
            try {
                fillBatchPersons(connection, personKeys.stream().map(k -> new long[] {projectKey, k}).toList());
                try (Statement statement = connection.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "SELECT p.person_key, p.key, p.value, p.updated_at FROM person_properties p "
                                + "JOIN batch_persons b ON p.project_key = b.project_key AND p.person_key = b.person_key "
                                + "WHERE p.person_key" + keyRange(personKeys.stream().mapToLong(Long::longValue)))) {
                    while (rows.next()) {
                        result.computeIfAbsent(rows.getLong(1), k -> new LinkedHashMap<>())
                                .put(rows.getString(2), new CommitBatch.StoredProperty(
                                        Json.parse(rows.getString(3)), toInstant(rows.getTimestamp(4))));
                    }
                }
                return result;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot load profiles: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The candidates go into a temp table and are hash-joined against both event tables: a large
     * batch (an import chunk of 20,000 ids) would make an IN list of that many parameters slow.
     */
    @Override
    public Set<String> existingEventIds(int projectKey, Collection<String> eventIds) {
        Set<String> found = new HashSet<>();
        if (eventIds.isEmpty()) {
            return found;
        }
        DuckDBConnection connection = connection();
        synchronized (connection) {
            try {
                execute(connection, "DELETE FROM batch_event_ids");
                try (DuckDBAppender appender = connection.createAppender("temp", "main", "batch_event_ids")) {
                    for (String id : eventIds) {
                        appender.beginRow().append(projectKey).append(id).endRow();
                    }
                }
                for (String table : new String[] {"events_recent", "events_compacted"}) {
                    try (Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT e.event_id FROM " + table + " e "
                                    + "JOIN batch_event_ids b ON e.project_key = b.project_key AND e.event_id = b.event_id")) {
                        while (rows.next()) {
                            found.add(rows.getString(1));
                        }
                    }
                }
                execute(connection, "DELETE FROM batch_event_ids");
                return found;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot check event ids: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void loadOnce(Runnable load) {
        database.scanOnce(load);
    }

    @Override
    public Map<Integer, Long> eventCounts() {
        Map<Integer, Long> result = new HashMap<>();
        stream("SELECT project_key, count(*) FROM (SELECT project_key FROM events_compacted UNION ALL "
                + "SELECT project_key FROM events_recent) GROUP BY project_key", rows -> result.put(rows.getInt(1), rows.getLong(2)));
        return result;
    }

    @Override
    public void forEachEventId(EventIdConsumer consumer) {
        stream("SELECT project_key, event_id FROM events_compacted UNION ALL SELECT project_key, event_id FROM events_recent",
                rows -> consumer.accept(rows.getInt(1), rows.getString(2)));
    }

    @Override
    public void forEachIdentity(IdentityConsumer consumer) {
        stream("SELECT project_key, identity, person_key, is_user FROM identities",
                rows -> consumer.accept(rows.getInt(1), rows.getString(2), rows.getLong(3), rows.getBoolean(4)));
    }

    @Override
    public void forEachProfiledPerson(PersonConsumer consumer) {
        stream("SELECT DISTINCT project_key, person_key FROM person_properties",
                rows -> consumer.accept(rows.getInt(1), rows.getLong(2)));
    }

    @Override
    public void forEachMerge(MergeConsumer consumer) {
        stream("SELECT project_key, from_key, to_key FROM person_merges",
                rows -> consumer.accept(rows.getInt(1), rows.getLong(2), rows.getLong(3)));
    }

    @Override
    public Map<Integer, Long> nextPersonKeys() {
        Map<Integer, Long> result = new HashMap<>();
        stream("SELECT project_key, max(person_key) + 1 FROM persons GROUP BY project_key",
                rows -> result.put(rows.getInt(1), rows.getLong(2)));
        return result;
    }

    @Override
    public long recentEvents() {
        long[] count = {0};
        stream("SELECT count(*) FROM events_recent", rows -> count[0] = rows.getLong(1));
        return count[0];
    }

    @Override
    public boolean checkpointIfWalAbove(long bytes) {
        if (database.walBytes() <= bytes) {
            return false;
        }
        DuckDBConnection connection = connection();
        synchronized (connection) {
            database.checkpoint();
            return true;
        }
    }

    @Override
    public CompactionResult compact(long maxEvents) {
        long started = System.nanoTime();
        return database.inWriteTransaction("compaction", connection -> {
            long moved;
            long folded = 0;
            try (Statement statement = connection.createStatement()) {
                long recent = count(statement, "SELECT count(*) FROM events_recent");
                // The oldest chunk in arrival order (rowids are stable within this transaction).
                String chunk = "";
                if (recent > maxEvents) {
                    long last = count(statement, "SELECT max(rowid) FROM (SELECT rowid FROM events_recent ORDER BY rowid LIMIT "
                            + maxEvents + ")");
                    chunk = " WHERE r.rowid <= " + last;
                }
                summaries.collectTouched(connection, chunk, chunk.isEmpty());
                moved = statement.executeUpdate("INSERT INTO events_compacted "
                        + "SELECT r.project_key, r.event_id, r.identity, coalesce(m.to_key, r.person_key) AS person_key, "
                        + "r.name, r.ts, r.received_at, r.session_id, r.properties FROM events_recent r "
                        + "LEFT JOIN unfolded_merges m ON m.project_key = r.project_key AND m.from_key = r.person_key"
                        + chunk + " ORDER BY r.project_key, person_key, r.ts");
                EventProjections.appendChunk(statement, chunk);
                statement.execute("DELETE FROM events_recent" + chunk.replace("r.rowid", "rowid"));
                // Merges are folded only when no recent event still needs their redirect.
                if (chunk.isEmpty()) {
                    folded = count(statement, "SELECT count(*) FROM unfolded_merges");
                }
                if (folded > 0) {
                    statement.execute("UPDATE events_compacted SET person_key = m.to_key FROM unfolded_merges m "
                            + "WHERE events_compacted.project_key = m.project_key AND events_compacted.person_key = m.from_key");
                    statement.execute("UPDATE payments SET person_key = m.to_key FROM unfolded_merges m "
                            + "WHERE payments.project_key = m.project_key AND payments.person_key = m.from_key");
                    EventProjections.foldMerges(statement);
                    statement.execute("DELETE FROM unfolded_merges");
                }
            }
            EventSessions.recomputeTouched(connection);
            summaries.recomputeTouched(connection);
            return new CompactionResult(moved, folded, (System.nanoTime() - started) / 1_000_000);
        });
    }

    /** Tables with erased rows that {@link #scrub} must rewrite; the order for sorted tables. */
    private static final Map<String, String> SCRUB_ORDER = scrubOrder(Map.ofEntries(
            Map.entry("events_compacted", " ORDER BY project_key, person_key, ts"),
            Map.entry("events_recent", ""), Map.entry("identities", ""), Map.entry("person_summary", " ORDER BY project_key, person_key"),
            Map.entry("person_properties", ""), Map.entry("persons", ""),
            Map.entry("person_merges", ""), Map.entry("unfolded_merges", ""), Map.entry("identity_warnings", ""),
            Map.entry("payments", " ORDER BY project_key, person_key, ts")));

    private static Map<String, String> scrubOrder(Map<String, String> tables) {
        Map<String, String> all = new HashMap<>(tables);
        all.putAll(EventProjections.ORDER);
        all.put(EventSessions.TABLE, EventSessions.ORDER);
        return Map.copyOf(all);
    }
    private final Set<String> tablesToScrub = new java.util.LinkedHashSet<>();

    @Override
    public ErasedPerson erase(int projectKey, long personKey, Audit audit) {
        return database.inWriteTransaction("erasure", connection -> {
            long survivor = personKey;
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT to_key FROM person_merges WHERE project_key = ? AND from_key = ?")) {
                statement.setInt(1, projectKey);
                statement.setLong(2, personKey);
                try (ResultSet rows = statement.executeQuery()) {
                    if (rows.next()) {
                        survivor = rows.getLong(1);
                    }
                }
            }
            java.util.List<Long> keys = new java.util.ArrayList<>();
            keys.add(survivor);
            perPerson(connection, "SELECT from_key FROM person_merges WHERE project_key = ? AND to_key = ?", projectKey, survivor,
                    rows -> keys.add(rows.getLong(1)));
            java.util.List<String> identities = new java.util.ArrayList<>();
            perPerson(connection, "SELECT identity FROM identities WHERE project_key = ? AND person_key = ?", projectKey, survivor,
                    rows -> identities.add(rows.getString(1)));
            fillBatchPersons(connection, keys.stream().map(k -> new long[] {projectKey, k}).toList());
            execute(connection, "DELETE FROM batch_users");
            try (DuckDBAppender appender = connection.createAppender("temp", "main", "batch_users")) {
                for (String identity : identities) {
                    appender.beginRow().append(projectKey).append(identity).endRow();
                }
            }
            String inKeys = " USING batch_persons b WHERE %1$s.project_key = b.project_key AND %1$s.%2$s = b.person_key";
            long events = 0;
            for (String table : new String[] {"events_recent", "events_compacted"}) {
                events += deleted(connection, table, "DELETE FROM " + table + inKeys.formatted(table, "person_key"));
            }
            for (String table : EventProjections.ORDER.keySet()) {
                deleted(connection, table, "DELETE FROM " + table + inKeys.formatted(table, "person_key"));
            }
            deleted(connection, EventSessions.TABLE, "DELETE FROM event_sessions" + inKeys.formatted("event_sessions", "person_key"));
            deleted(connection, "person_summary", PersonSummaryWriter.DELETE_BATCH_PERSONS);
            deleted(connection, "payments", "DELETE FROM payments" + inKeys.formatted("payments", "person_key"));
            deleted(connection, "person_properties", "DELETE FROM person_properties" + inKeys.formatted("person_properties", "person_key"));
            deleted(connection, "persons", "DELETE FROM persons" + inKeys.formatted("persons", "person_key"));
            deleted(connection, "identities", "DELETE FROM identities" + inKeys.formatted("identities", "person_key"));
            for (String table : new String[] {"person_merges", "unfolded_merges"}) {
                deleted(connection, table, "DELETE FROM " + table + inKeys.formatted(table, "from_key"));
                deleted(connection, table, "DELETE FROM " + table + inKeys.formatted(table, "to_key"));
            }
            deleted(connection, "identity_warnings", "DELETE FROM identity_warnings USING batch_users b "
                    + "WHERE identity_warnings.project_key = b.project_key "
                    + "AND (identity_warnings.identity = b.identity OR identity_warnings.other_identity = b.identity)");
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO erasure_audit VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setInt(1, projectKey);
                insert.setString(2, audit.personIdSha256());
                insert.setString(3, audit.erasedBy());
                insert.setObject(4, LocalDateTime.ofInstant(audit.at(), ZoneOffset.UTC));
                insert.setLong(5, events);
                insert.setInt(6, identities.size());
                insert.execute();
            }
            execute(connection, "DELETE FROM batch_users");
            return new ErasedPerson(keys, identities, events);
        });
    }

    private long deleted(Connection connection, String table, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            long count = statement.executeUpdate(sql);
            if (count > 0) {
                tablesToScrub.add(table);
            }
            return count;
        }
    }

    /**
     * DuckDB marks deleted rows but keeps their bytes in the row group, and a rewritten row group's
     * old blocks keep their bytes on the free list (measured: a deleted identity string stayed in
     * the file after DELETE + CHECKPOINT, and after a table rewrite + CHECKPOINT). So: rewrite each
     * table that lost rows (copy out, delete all, copy back), checkpoint, then fill every free block
     * with random filler, checkpoint, and drop the filler. The freed blocks then hold only filler.
     */
    @Override
    public void scrub() {
        DuckDBConnection connection = connection();
        synchronized (connection) {
            try {
                for (String table : tablesToScrub) {
                    connection.setAutoCommit(false);
                    try {
                        execute(connection, "SELECT 1");
                        execute(connection, "CREATE OR REPLACE TEMP TABLE scrub_copy AS SELECT * FROM " + table + SCRUB_ORDER.get(table));
                        execute(connection, "DELETE FROM " + table);
                        execute(connection, "INSERT INTO " + table + " SELECT * FROM scrub_copy");
                        execute(connection, "DROP TABLE scrub_copy");
                        connection.commit();
                    } catch (SQLException e) {
                        connection.rollback();
                        throw e;
                    } finally {
                        connection.setAutoCommit(true);
                    }
                }
                tablesToScrub.clear();
                checkpoint(connection);
                for (int round = 0; round < 8; round++) {
                    long free;
                    long blockSize;
                    try (Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT free_blocks, block_size FROM pragma_database_size()")) {
                        rows.next();
                        free = rows.getLong(1);
                        blockSize = rows.getLong(2);
                    }
                    if (free == 0) {
                        break;
                    }
                    // 128 hex characters per row compress to about half: ask for twice the free space.
                    long rows = Math.max(10_000, free * blockSize / 64);
                    execute(connection, "CREATE OR REPLACE TABLE erasure_filler AS SELECT sha256(random()::VARCHAR || i::VARCHAR) "
                            + "|| sha256(random()::VARCHAR) AS v FROM range(" + rows + ") t(i)");
                    checkpoint(connection);
                }
                execute(connection, "DROP TABLE IF EXISTS erasure_filler");
                checkpoint(connection);
            } catch (SQLException e) {
                throw new IllegalStateException("scrubbing erased rows failed: " + e.getMessage(), e);
            }
        }
    }

    /** CHECKPOINT fails while readers hold transactions; retry briefly, then force it. */
    private static void checkpoint(Connection connection) throws SQLException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                execute(connection, "CHECKPOINT");
                return;
            } catch (SQLException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        execute(connection, "FORCE CHECKPOINT");
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private void stream(String sql, RowHandler handler) {
        database.read(connection -> {
            try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
                while (rows.next()) {
                    handler.accept(rows);
                }
            }
            return null;
        });
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    static Instant toInstant(Timestamp timestamp) {
        return timestamp.toLocalDateTime().toInstant(ZoneOffset.UTC);
    }

    /** Runs {@code sql} with one project key and one person key as its parameters, handing each row to {@code handler}. */
    private static void perPerson(Connection connection, String sql, int projectKey, long personKey, RowHandler handler)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setInt(1, projectKey);
            statement.setLong(2, personKey);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    handler.accept(rows);
                }
            }
        }
    }

    @FunctionalInterface
    private interface RowHandler {
        void accept(ResultSet rows) throws SQLException;
    }
}

package dev.roster.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The revenue ledger ({@code payments}): the events that carry a revenue amount under their
 * project's {@link PaymentRule}, with the amount as a typed column. Revenue reports read it instead
 * of parsing every event's JSON.
 *
 * <p>It is kept exact by every writer of events, in their own transaction: the event store's
 * commit ({@link #record}), the bulk CSV import ({@link #recordFrom}); erasure deletes from it, and
 * compaction folds merges into it as into the events. A project's ledger is rebuilt from its events
 * when its rule changes ({@link #sync}: on a revenue settings save, and at open for projects whose
 * stored rule differs from their settings, which includes every project of a data directory
 * written before the ledger existed).
 *
 * <p>Thread safety: one instance per {@link Database}; the methods that take a connection must be
 * called with the writer connection, under its lock. The rule cache is concurrent.
 */
public final class PaymentLedger {
    private static final String STAGED = "SELECT project_key, person_key, event_id, name, ts, properties FROM batch_payments "
            + "WHERE project_key = ?";

    private final Map<Integer, PaymentRule> rules = new ConcurrentHashMap<>();
    /**
     * {@link #record}'s insert of each project, prepared once per rule on the writer connection
     * (preparing it cost about as much as running it).
     */
    private final Map<Integer, PreparedInsert> recordInserts = new HashMap<>();
    private Connection recordConnection;

    PaymentLedger() {
    }

    /** A project's ledger rebuilt by {@link #syncAll}. */
    public record Rebuilt(int projectKey, long payments, long millis) {
    }

    /**
     * Rebuilds, each in its own transaction, the ledger of every project whose stored rule differs
     * from its settings. Called at open, before anything writes.
     */
    List<Rebuilt> syncAll(Connection writer) throws SQLException {
        // record's stage, created outside any transaction so that no rollback can drop it
        execute(writer, "CREATE TEMP TABLE IF NOT EXISTS batch_payments (project_key INTEGER, person_key BIGINT, "
                + "event_id VARCHAR, name VARCHAR, ts TIMESTAMP, properties JSON)");
        List<Integer> projects = new ArrayList<>();
        try (Statement statement = writer.createStatement();
                ResultSet rows = statement.executeQuery("SELECT project_key FROM projects ORDER BY project_key")) {
            while (rows.next()) {
                projects.add(rows.getInt(1));
            }
        }
        List<Rebuilt> rebuilt = new ArrayList<>();
        for (int project : projects) {
            long started = System.nanoTime();
            boolean autoCommit = writer.getAutoCommit();
            writer.setAutoCommit(false);
            try {
                execute(writer, "SELECT 1");
                long payments = sync(writer, project);
                writer.commit();
                if (payments >= 0) {
                    rebuilt.add(new Rebuilt(project, payments, (System.nanoTime() - started) / 1_000_000));
                }
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                rules.remove(project);
                throw e;
            } finally {
                writer.setAutoCommit(autoCommit);
            }
        }
        return rebuilt;
    }

    /**
     * Brings one project's ledger in line with the settings stored in {@code projects} (as seen by
     * the caller's transaction): when the rule the ledger was built with differs, the project's
     * ledger is deleted and refilled from all its events. The caller commits; on a rollback it must
     * call {@link #forget}.
     *
     * @return the number of payments written by a rebuild, or -1 when the ledger was already built with this rule
     */
    public long sync(Connection writer, int projectKey) throws SQLException {
        PaymentRule wanted;
        try (PreparedStatement statement = writer.prepareStatement("SELECT CAST(settings AS VARCHAR) FROM projects WHERE project_key = ?")) {
            statement.setInt(1, projectKey);
            try (ResultSet rows = statement.executeQuery()) {
                wanted = PaymentRule.fromSettings(rows.next() ? rows.getString(1) : null);
            }
        }
        String built = null;
        try (PreparedStatement statement = writer.prepareStatement("SELECT rule FROM payment_rules WHERE project_key = ?")) {
            statement.setInt(1, projectKey);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    built = rows.getString(1);
                }
            }
        }
        long written = -1;
        if (!wanted.key().equals(built)) {
            update(writer, "DELETE FROM payments WHERE project_key = ?", List.of(projectKey));
            written = insert(writer, wanted, "SELECT project_key, person_key, event_id, name, ts, properties FROM all_events "
                    + "WHERE project_key = ?", List.of(projectKey), true);
            update(writer, "DELETE FROM payment_rules WHERE project_key = ?", List.of(projectKey));
            update(writer, "INSERT INTO payment_rules VALUES (?, ?)", List.of(projectKey, wanted.key()));
        }
        rules.put(projectKey, wanted);
        return written;
    }

    /** Drops cached rules and prepared inserts (after a rolled-back transaction that may have synced). */
    public void forget() {
        rules.clear();
        for (PreparedInsert insert : recordInserts.values()) {
            try {
                insert.statement().close();
            } catch (SQLException ignored) {
                // prepared again on first use
            }
        }
        recordInserts.clear();
    }

    /**
     * The rule a project's ledger follows, or null when it was not known yet and the ledger was
     * just synced: a rebuild then already read the events written earlier in this transaction, which
     * must not be recorded a second time.
     */
    private PaymentRule ruleToRecord(Connection writer, int projectKey) throws SQLException {
        PaymentRule rule = rules.get(projectKey);
        if (rule != null) {
            return rule;
        }
        return sync(writer, projectKey) >= 0 ? null : rules.get(projectKey);
    }

    /**
     * Records the payments among events just written in the caller's transaction. Only the events
     * that {@link PaymentRule#mayPay} (a substring test, no parsing) go to a staging table, where the
     * amount is computed by the same SQL as a rebuild's; a batch without one costs a map lookup and
     * a string search per event.
     */
    void record(DuckDBConnection writer, List<CommitBatch.EventRow> events) throws SQLException {
        Map<Integer, List<CommitBatch.EventRow>> candidates = null;
        Map<Integer, PaymentRule> seen = new LinkedHashMap<>();
        for (CommitBatch.EventRow event : events) {
            PaymentRule rule;
            if (seen.containsKey(event.projectKey())) {
                rule = seen.get(event.projectKey());
            } else {
                rule = ruleToRecord(writer, event.projectKey());
                seen.put(event.projectKey(), rule);
            }
            if (rule != null && rule.mayPay(event.name(), event.propertiesJson())) {
                if (candidates == null) {
                    candidates = new LinkedHashMap<>();
                }
                candidates.computeIfAbsent(event.projectKey(), k -> new ArrayList<>()).add(event);
            }
        }
        if (candidates == null) {
            return;
        }
        try (DuckDBAppender appender = writer.createAppender("temp", "main", "batch_payments")) {
            for (List<CommitBatch.EventRow> rows : candidates.values()) {
                for (CommitBatch.EventRow row : rows) {
                    appender.beginRow().append(row.projectKey()).append(row.personKey()).append(row.eventId())
                            .append(row.name()).appendEpochMicros(DuckDbEventStore.micros(row.timestamp()))
                            .append(row.propertiesJson()).endRow();
                }
            }
        }
        for (int project : candidates.keySet()) {
            PaymentRule rule = seen.get(project);
            List<Object> parameters = new ArrayList<>(rule.amountParameters());
            parameters.add(project);
            PreparedStatement insert = recordInsert(writer, project, insertSql(rule, STAGED, false));
            Sql.bind(insert, 1, parameters);
            insert.executeUpdate();
        }
        // Empty for the next batch. A failed transaction needs no cleanup: its rollback empties the
        // (transactional) temp table as well.
        execute(writer, "DELETE FROM batch_payments");
    }

    private record PreparedInsert(String sql, PreparedStatement statement) {
    }

    private PreparedStatement recordInsert(Connection writer, int project, String sql) throws SQLException {
        if (recordConnection != writer) {
            recordInserts.clear();
            recordConnection = writer;
        }
        PreparedInsert insert = recordInserts.get(project);
        if (insert == null || !insert.sql().equals(sql)) {
            if (insert != null) {
                insert.statement().close();
            }
            insert = new PreparedInsert(sql, writer.prepareStatement(sql));
            recordInserts.put(project, insert);
        }
        return insert.statement();
    }

    /**
     * Whether an event whose properties have only the given names (and any event name) can carry
     * an amount under the project's rule. True when the rule is not known yet (nothing synced it).
     * Lets a bulk writer whose rows cannot pay skip {@link #recordFrom}.
     */
    public boolean mayPayWith(int projectKey, java.util.Collection<String> propertyNames) {
        PaymentRule rule = rules.get(projectKey);
        return rule == null || rule.properties().stream().anyMatch(propertyNames::contains);
    }

    /**
     * Records the payments among events inserted in bulk SQL by the caller's transaction (imports).
     * {@code source} selects the inserted events of one project with the columns
     * {@code project_key, person_key, event_id, name, ts, properties}.
     *
     * @return the number of payments recorded
     */
    public long recordFrom(Connection writer, int projectKey, String source, List<Object> parameters) throws SQLException {
        PaymentRule rule = ruleToRecord(writer, projectKey);
        return rule == null ? 0 : insert(writer, rule, source, parameters, false);
    }

    private static long insert(Connection writer, PaymentRule rule, String source, List<Object> parameters, boolean sorted)
            throws SQLException {
        List<Object> all = new ArrayList<>(rule.amountParameters());
        all.addAll(parameters);
        return update(writer, insertSql(rule, source, sorted), all);
    }

    private static String insertSql(PaymentRule rule, String source, boolean sorted) {
        return "INSERT INTO payments SELECT project_key, person_key, event_id, name, ts, amount FROM ("
                + "SELECT project_key, person_key, event_id, name, ts, " + rule.amountSql() + " AS amount FROM (" + source + ")) "
                + "WHERE amount IS NOT NULL" + (sorted ? " ORDER BY person_key, ts" : "");
    }

    private static long update(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Sql.bind(statement, 1, parameters);
            return statement.executeUpdate();
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}

package dev.roster.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** Small JDBC helpers and SQL fragments shared by the read side. */
public final class Sql {
    /**
     * A session starts at a person's first event, after 30 idle minutes, or when the client-sent
     * session id changes. Use inside a query with a window {@code w} partitioned by person and
     * ordered by ts.
     */
    /** Session numbers are packed into a unit key below the person key: {@code person * SESSION_FACTOR + session}. */
    public static final long SESSION_FACTOR = 16_777_216L;

    public static final String SESSION_START =
            "(lag(ts) OVER w IS NULL OR ts - lag(ts) OVER w > INTERVAL 30 MINUTE "
                    + "OR (session_id IS NOT NULL AND lag(session_id) OVER w IS NOT NULL AND session_id <> lag(session_id) OVER w))";

    private Sql() {
    }

    /** "?, ?, ?" for n values. */
    public static String placeholders(int count) {
        return String.join(", ", java.util.Collections.nCopies(Math.max(count, 1), "?"));
    }

    /** Binds values from position {@code start}; returns the next free position. */
    public static int bind(PreparedStatement statement, int start, List<?> values) throws SQLException {
        int index = start;
        for (Object value : values) {
            if (value instanceof Instant instant) {
                statement.setObject(index++, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
            } else {
                statement.setObject(index++, value);
            }
        }
        return index;
    }

    public static Instant instant(ResultSet rows, int column) throws SQLException {
        Timestamp timestamp = rows.getTimestamp(column);
        return timestamp == null ? null : timestamp.toLocalDateTime().toInstant(ZoneOffset.UTC);
    }

    public static Instant instant(ResultSet rows, String column) throws SQLException {
        Timestamp timestamp = rows.getTimestamp(column);
        return timestamp == null ? null : timestamp.toLocalDateTime().toInstant(ZoneOffset.UTC);
    }
}

package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How to read one import: the format, the column mapping of a CSV (logical field → column name,
 * e.g. {@code identity → Email}), how many rejected rows to report, and the rows per commit.
 */
public record ImportOptions(ImportFormat format, Map<String, String> columns, int maxRejections, int chunkRows) {
    /** The logical CSV fields a mapping may name. */
    public static final Set<String> FIELDS = Set.of("identity", "event", "timestamp", "event_id");
    public static final int DEFAULT_MAX_REJECTIONS = 1000;
    public static final int DEFAULT_CHUNK_ROWS = 20_000;

    public ImportOptions {
        requireNonNull(format, "format is null");
        columns = Map.copyOf(columns);
        for (String field : columns.keySet()) {
            if (!FIELDS.contains(field)) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "cannot map '" + field + "': the fields are " + FIELDS);
            }
        }
        if (maxRejections < 0 || maxRejections > 100_000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the rejection limit must be between 0 and 100000");
        }
        if (chunkRows < 1 || chunkRows > 20_000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "rows per commit must be between 1 and 20000");
        }
    }

    public static ImportOptions of(ImportFormat format) {
        return new ImportOptions(format, Map.of(), DEFAULT_MAX_REJECTIONS, DEFAULT_CHUNK_ROWS);
    }

    /** Parses mappings written as {@code field=Column}. */
    public static Map<String, String> parseMappings(List<String> mappings) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String mapping : mappings) {
            int equals = mapping.indexOf('=');
            if (equals <= 0 || equals == mapping.length() - 1) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "a column mapping looks like identity=Email, not '" + mapping + "'");
            }
            result.put(mapping.substring(0, equals).trim().toLowerCase(Locale.ROOT), mapping.substring(equals + 1).trim());
        }
        return result;
    }

    /** The column of a logical field: the mapped name, else the field name itself. */
    String column(String field) {
        return columns.getOrDefault(field, field);
    }
}

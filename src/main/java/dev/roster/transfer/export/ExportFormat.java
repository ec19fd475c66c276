package dev.roster.transfer.export;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.util.Locale;

/** Output formats of the exports. */
public enum ExportFormat {
    CSV("text/csv; charset=utf-8", "csv"),
    JSON("application/json", "json"),
    JSONL("application/x-ndjson", "jsonl"),
    PARQUET("application/vnd.apache.parquet", "parquet");

    private final String contentType;
    private final String extension;

    ExportFormat(String contentType, String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    public static ExportFormat parse(String text, ExportFormat... allowed) {
        String value = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (ExportFormat format : allowed) {
            if (format.name().equals(value)) {
                return format;
            }
        }
        StringBuilder names = new StringBuilder();
        for (ExportFormat format : allowed) {
            names.append(names.length() == 0 ? "" : ", ").append(format.extension);
        }
        throw new RosterException(ErrorCode.INVALID_REQUEST, "format must be one of " + names + ", not '" + text + "'");
    }
}

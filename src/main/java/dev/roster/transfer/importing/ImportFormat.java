package dev.roster.transfer.importing;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.util.Locale;

/** The file formats {@code roster import} and {@code POST /api/import} accept (SPEC §7). */
public enum ImportFormat {
    /** {@code identity,event,timestamp,<property columns…>}, columns renamable by a mapping. */
    CSV,
    /** One Segment-shaped message (track, page, screen, group, identify, alias) per line. */
    JSONL,
    /** A KISSmetrics export: {@code Identity,Timestamp,Event,Prop:<Name>…,Alias}. */
    KISSMETRICS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ImportFormat parse(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "csv":
                return CSV;
            case "jsonl":
            case "ndjson":
                return JSONL;
            case "kissmetrics":
            case "km":
                return KISSMETRICS;
            default:
                throw new RosterException(ErrorCode.INVALID_REQUEST,
                        "format must be csv, jsonl or kissmetrics, not '" + text + "'");
        }
    }

    /** The format a file name suggests: {@code .jsonl}/{@code .ndjson} are JSONL, anything else CSV. */
    public static ImportFormat guess(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".jsonl.gz") ? JSONL : CSV;
    }
}

package dev.roster.transfer.importing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Messages;
import dev.roster.ingest.segment.SegmentFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * JSONL: one Segment message per line ({@code type} track, page, screen, group, identify or
 * alias), turned into commands by the Segment format itself. Events need a {@code messageId} or a
 * {@code timestamp}, so that a re-import derives the same ids. Lines longer than 1 MB are rejected
 * without being held in memory.
 */
final class JsonlRowParser implements RowParser {
    static final int MAX_LINE_CHARS = 1024 * 1024;
    private static final Set<String> EVENT_TYPES = Set.of("track", "page", "screen", "group");

    private final Reader reader;
    private final SegmentFormat segment;
    private final Instant receivedAt;
    private final StringBuilder buffer = new StringBuilder();
    private long line;
    private boolean ended;

    JsonlRowParser(InputStream in, SegmentFormat segment, Instant receivedAt) throws IOException {
        this.reader = new java.io.BufferedReader(TextInput.reader(in), 64 * 1024);
        this.segment = segment;
        this.receivedAt = receivedAt;
    }

    @Override
    public ParsedRow next() {
        while (!ended) {
            boolean oversized = readLine();
            line++;
            if (oversized) {
                return ParsedRow.rejected(line, "the line is longer than " + MAX_LINE_CHARS + " characters");
            }
            String text = buffer.toString().trim();
            if (text.isEmpty()) {
                continue;
            }
            if (text.indexOf(TextInput.REPLACEMENT) >= 0) {
                return ParsedRow.rejected(line, "invalid UTF-8");
            }
            return parse(text);
        }
        return null;
    }

    private ParsedRow parse(String text) {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return ParsedRow.rejected(line, "not valid JSON: " + e.getOriginalMessage());
        }
        try {
            String type = message.isObject() ? Messages.text(message.get("type")) : null;
            if (type != null && EVENT_TYPES.contains(type.toLowerCase(java.util.Locale.ROOT))
                    && isBlank(message.get("messageId")) && isBlank(message.get("timestamp"))
                    && isBlank(message.get("originalTimestamp"))) {
                return ParsedRow.rejected(line, "an event needs a messageId or a timestamp (it makes re-imports idempotent)");
            }
            List<Command> commands = new ArrayList<>(2);
            segment.message(message, receivedAt, commands::add);
            return ParsedRow.of(line, commands);
        } catch (InvalidEventException e) {
            return ParsedRow.rejected(line, e.getMessage());
        }
    }

    private static boolean isBlank(JsonNode node) {
        String text = Messages.text(node);
        return text == null || text.isBlank();
    }

    /** Reads one line into the buffer; true when it was too long (the rest of it is skipped). */
    private boolean readLine() {
        buffer.setLength(0);
        boolean oversized = false;
        try {
            while (true) {
                int c = reader.read();
                if (c == -1) {
                    ended = true;
                    return oversized;
                }
                if (c == '\n') {
                    return oversized;
                }
                if (!oversized) {
                    if (buffer.length() >= MAX_LINE_CHARS) {
                        oversized = true;
                        buffer.setLength(0);
                    } else {
                        buffer.append((char) c);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

package dev.roster.transfer.importing;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The bulk import's single pass over the raw bytes of a CSV file (RFC 4180 as commons-csv's
 * {@code DEFAULT} reads it: comma, double quotes doubled inside quoted fields, CRLF/LF/CR line
 * breaks, empty lines skipped), record by record, without decoding text or building strings.
 *
 * <p>For each record it knows the physical line it starts on, the number of fields, and whether
 * it is <b>plain</b>: valid UTF-8 without U+FFFD, no control character (so no line break inside
 * quotes), no quote except around whole fields, at most {@link #PLAIN_BYTES} bytes, and the cell
 * checks of {@link #check}. A plain record is written as a stage row ({@link #writeStaged}) whose
 * content SQL takes as it is; every other record is handed over as text, decoded as
 * {@link TextInput} decodes files, for the exact Java rules.
 *
 * <p>Memory: one read buffer and the current record. Thread safety: one thread (it reuses one SHA-256 digest).
 */
final class CsvScanner {
    /** Records longer than this go the Java way (a cell over {@link TextInput#MAX_VALUE_CHARS} is rejected there). */
    static final int PLAIN_BYTES = TextInput.MAX_VALUE_CHARS;
    private static final int EOF = -1;

    private final InputStream in;
    private final byte[] buffer = new byte[1 << 18];
    private int position;
    private int limit;
    private byte[] record = new byte[1024];
    private int length;
    /** The line the next byte is on. */
    private long line = 1;
    private long recordLine;
    private int fields;
    private boolean plain;
    /** Where each field of the current record starts in {@link #record}. */
    private int[] starts = new int[16];
    /** The cells checked for SQL (see {@link #check}); -1 for none. */
    private int width = -1;
    private int identityField = -1;
    private int eventField = -1;
    private int timeField = -1;
    private int idField = -1;
    private boolean neverPlain;
    /** Per field, its property name as JSON ({@code "plan":}) in UTF-8, or null. */
    private byte[][] propertyNames = new byte[0][];
    private final MessageDigest digest;
    private final byte[] iso = new byte[32];
    private final byte[] hash = new byte[32];
    private final byte[] number = new byte[24];
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** A derived event id as text: {@code h:} and 32 hex digits. */
    private final byte[] derivedId = new byte[34];
    /** {@link #hash64} of the event id of the record last written by {@link #writeStaged}. */
    private long idHash;

    CsvScanner(InputStream in) throws IOException {
        this.in = requireNonNull(in, "in is null");
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        fill();
        if (limit - position >= 3 && (buffer[0] & 0xff) == 0xEF && (buffer[1] & 0xff) == 0xBB && (buffer[2] & 0xff) == 0xBF) {
            position = 3;
        }
    }

    private boolean fill() throws IOException {
        position = 0;
        limit = 0;
        int read = in.read(buffer, 0, buffer.length);
        while (read == 0) {
            read = in.read(buffer, 0, buffer.length);
        }
        if (read < 0) {
            return false;
        }
        limit = read;
        return true;
    }

    /**
     * From now on a record is plain only when it also has {@code width} fields, the identity and
     * event name need no trimming and have 1 to 255 bytes (the name starting with a printable ASCII
     * character), the event id (if {@code id >= 0}) is empty or the same, and the time is a real
     * instant in the canonical shape {@code yyyy-MM-ddTHH:mm:ss[.f{1,6}]Z} (year 1000 to 9999).
     * Then SQL can read the row exactly as {@link CsvRowParser#eventFrom} does. With
     * {@code never}, no record is plain.
     */
    void check(int width, int identity, int event, int time, int id, String[] quotedProperties) {
        boolean never = quotedProperties == null;
        this.width = width;
        this.identityField = identity;
        this.eventField = event;
        this.timeField = time;
        this.idField = id;
        this.neverPlain = never;
        this.propertyNames = new byte[width][];
        for (int i = 0; quotedProperties != null && i < width; i++) {
            propertyNames[i] = quotedProperties[i] == null ? null : quotedProperties[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position++] & 0xff;
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return EOF;
        }
        return buffer[position] & 0xff;
    }

    private void keep(int b) {
        if (length == record.length) {
            record = Arrays.copyOf(record, record.length * 2);
        }
        record[length++] = (byte) b;
    }

    /**
     * Reads the next non-empty record. Returns false at the end of the file.
     *
     * @throws RosterException when a quote is never closed or a closing quote is followed by text,
     *         which makes the rest of the file unreadable as CSV (as for commons-csv)
     */
    boolean next() throws IOException {
        while (true) {
            length = 0;
            fields = 1;
            plain = true;
            recordLine = line;
            boolean nonAscii = false;
            boolean fieldStart = true;
            boolean quoted = false;
            boolean afterQuote = false;
            int b = read();
            if (b == EOF) {
                return false;
            }
            while (true) {
                if (quoted) {
                    if (b == EOF) {
                        throw unreadable("a quoted value is not closed before the end of the file");
                    }
                    if (b == '"') {
                        if (peek() == '"') {
                            keep(b);
                            b = read();
                        } else {
                            quoted = false;
                            afterQuote = true;
                        }
                    } else if (b < 0x20) {
                        plain = false;
                        if (b == '\n' || b == '\r' && peek() != '\n') {
                            line++;
                        }
                    } else if (b >= 0x80) {
                        nonAscii = true;
                    }
                    keep(b);
                } else if (b == ',') {
                    if (fields == starts.length) {
                        starts = Arrays.copyOf(starts, fields * 2);
                    }
                    starts[fields] = length + 1;
                    fields++;
                    fieldStart = true;
                    afterQuote = false;
                    keep(b);
                } else if (b == '\n' || b == '\r' || b == EOF) {
                    if (b == '\r' && peek() == '\n') {
                        read();
                    }
                    if (b != EOF) {
                        line++;
                    }
                    break;
                } else if (afterQuote) {
                    throw unreadable("text follows a closing quote on line " + line);
                } else {
                    if (b == '"') {
                        if (fieldStart) {
                            quoted = true;
                        } else {
                            plain = false;
                        }
                    } else if (b < 0x20) {
                        plain = false;
                    } else if (b >= 0x80) {
                        nonAscii = true;
                    }
                    fieldStart = false;
                    keep(b);
                }
                b = read();
            }
            if (length == 0) {
                continue; // an empty line
            }
            if (length > PLAIN_BYTES) {
                plain = false;
            } else if (plain && nonAscii && text().indexOf(TextInput.REPLACEMENT) >= 0) {
                plain = false;
            }
            if (plain && width >= 0) {
                plain = !neverPlain && fields == width && trimmedShort(identityField, false) && trimmedShort(eventField, true)
                        && (idField < 0 || end(idField) == starts[idField] || trimmedShort(idField, false)) && canonicalTime(timeField);
            }
            return true;
        }
    }

    private int end(int field) {
        return field + 1 < fields ? starts[field + 1] - 1 : length;
    }

    /** The field has 1 to 255 bytes and nothing to trim (and, for an event name, starts with printable ASCII); not quoted. */
    private boolean trimmedShort(int field, boolean name) {
        int from = starts[field];
        int to = end(field);
        if (to - from < 1 || to - from > 255) {
            return false;
        }
        int first = record[from] & 0xff;
        int last = record[to - 1] & 0xff;
        return first > ' ' && last > ' ' && first != '"' && (!name || first < 0x7f);
    }

    private int digits(int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = record[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,6}]Z}, unquoted, a date that exists, year 1000 to 9999. */
    private boolean canonicalTime(int field) {
        int from = starts[field];
        int size = end(field) - from;
        if (size != 20 && (size < 22 || size > 26) || record[from + size - 1] != 'Z') {
            return false;
        }
        if (record[from + 4] != '-' || record[from + 7] != '-' || record[from + 10] != 'T' || record[from + 13] != ':'
                || record[from + 16] != ':') {
            return false;
        }
        int year = digits(from, 4);
        int month = digits(from + 5, 2);
        int day = digits(from + 8, 2);
        int hour = digits(from + 11, 2);
        int minute = digits(from + 14, 2);
        int second = digits(from + 17, 2);
        if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return false;
        }
        int days = month == 2 ? (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28)
                : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
        if (day > days) {
            return false;
        }
        return size == 20 || record[from + 19] == '.' && digits(from + 20, size - 21) >= 0;
    }

    private RosterException unreadable(String why) {
        return new RosterException(ErrorCode.INVALID_REQUEST, "the CSV cannot be read after line " + recordLine + ": " + why);
    }

    /** The line the current record starts on (1 is the first line of the file). */
    long line() {
        return recordLine;
    }

    /** The current record's number of fields (separators outside quotes plus one). */
    int fields() {
        return fields;
    }

    /** Whether the current record can go to DuckDB as it is (see the class comment). */
    boolean plain() {
        return plain;
    }

    /** The current record's size in bytes, without its line break. */
    int length() {
        return length;
    }

    /** The current record decoded as text (invalid UTF-8 becomes U+FFFD, as {@link TextInput} decodes). */
    String text() {
        return new String(record, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Writes the current plain record as the stage row SQL loads, tab-separated (a plain record has
     * no control characters, so no cell holds a tab or a line break):
     * {@code line, event id, identity, name, time without its Z, properties as JSON}. The event id
     * is the record's own or {@link DerivedEventIds}'s (the same bytes are hashed); the JSON is what
     * {@link CsvRowParser} writes (non-empty cells only, quotes and backslashes escaped).
     */
    void writeStaged(OutputStream out) throws IOException {
        writeNumber(out, recordLine);
        out.write('\t');
        int idFrom = starts[identityField];
        int idTo = end(identityField);
        int nameFrom = starts[eventField];
        int nameTo = end(eventField);
        int timeFrom = starts[timeField];
        int timeTo = end(timeField);
        if (idField >= 0 && end(idField) > starts[idField]) {
            out.write(record, starts[idField], end(idField) - starts[idField]);
            idHash = hash64(record, starts[idField], end(idField));
        } else {
            digest.update(record, idFrom, idTo - idFrom);
            digest.update((byte) 0);
            digest.update(record, nameFrom, nameTo - nameFrom);
            digest.update((byte) 0);
            digest.update(iso, 0, canonicalIso(timeFrom, timeTo));
            try {
                digest.digest(hash, 0, hash.length);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            derivedId[0] = 'h';
            derivedId[1] = ':';
            for (int i = 0; i < 16; i++) {
                derivedId[2 + 2 * i] = HEX[(hash[i] >> 4) & 0xf];
                derivedId[3 + 2 * i] = HEX[hash[i] & 0xf];
            }
            out.write(derivedId, 0, derivedId.length);
            idHash = hash64(derivedId, 0, derivedId.length);
        }
        out.write('\t');
        out.write(record, idFrom, idTo - idFrom);
        out.write('\t');
        out.write(record, nameFrom, nameTo - nameFrom);
        out.write('\t');
        out.write(record, timeFrom, timeTo - timeFrom - 1);
        out.write('\t');
        out.write('{');
        boolean first = true;
        for (int field = 0; field < fields; field++) {
            byte[] property = propertyNames[field];
            int from = starts[field];
            int to = end(field);
            if (property == null || to == from) {
                continue;
            }
            boolean quoted = record[from] == '"';
            if (quoted) {
                from++;
                to--;
                if (to == from) {
                    continue;
                }
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            out.write(property);
            out.write('"');
            for (int i = from; i < to; i++) {
                byte b = record[i];
                if (b == '"') {
                    if (quoted) {
                        i++; // a doubled quote inside a quoted cell is one quote
                    }
                    out.write('\\');
                } else if (b == '\\') {
                    out.write('\\');
                }
                out.write(b);
            }
            out.write('"');
        }
        out.write('}');
        out.write('\n');
    }

    /** {@link #hash64} of the event id the last {@link #writeStaged} wrote (the text of the id, as UTF-8). */
    long idHash() {
        return idHash;
    }

    /**
     * Whether the identity of the current plain record may be a placeholder
     * ({@link dev.roster.identity.Identities#isPlaceholder}). Never false for one that is; true
     * also for a few that are not (short non-ASCII identities), which only costs a check in SQL.
     * A plain identity has nothing to trim and no surrounding double quotes.
     */
    boolean identityMayBePlaceholder() {
        int from = starts[identityField];
        int to = end(identityField);
        boolean quoted = to - from >= 2 && record[from] == '\'' && record[to - 1] == '\'';
        if (to - from > 17 && !quoted) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (record[i] < 0 && to - from <= 64) {
                return true; // lower-casing non-ASCII text: leave it to SQL
            }
        }
        return dev.roster.identity.Identities.isPlaceholder(new String(record, from, to - from, StandardCharsets.UTF_8));
    }

    /**
     * A 64-bit hash of {@code bytes[from, to)} (FNV-1a, then MurmurHash3's finaliser): equal for
     * equal ids, so a set of them proves that no id repeats (a collision only costs a check in SQL).
     */
    static long hash64(byte[] bytes, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ (bytes[i] & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Writes into {@link #iso} what {@link IsoTimestamps#appendIso} writes for a canonical time cell; returns its length. */
    private int canonicalIso(int from, int to) {
        System.arraycopy(record, from, iso, 0, 19);
        int length = 19;
        int size = to - from;
        if (size > 20) {
            int micros = 0;
            int digits = size - 21;
            for (int i = 0; i < 6; i++) {
                micros = micros * 10 + (i < digits ? record[from + 20 + i] - '0' : 0);
            }
            if (micros != 0) {
                iso[length++] = '.';
                int width = micros % 1000 == 0 ? 3 : 6;
                int value = width == 3 ? micros / 1000 : micros;
                for (int i = width - 1; i >= 0; i--) {
                    iso[length + i] = (byte) ('0' + value % 10);
                    value /= 10;
                }
                length += width;
            }
        }
        iso[length++] = 'Z';
        return length;
    }

    private void writeNumber(OutputStream out, long value) throws IOException {
        int at = number.length;
        do {
            number[--at] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value > 0);
        out.write(number, at, number.length - at);
    }
}

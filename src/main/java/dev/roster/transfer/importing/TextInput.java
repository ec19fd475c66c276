package dev.roster.transfer.importing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decoding of import files: UTF-8, a leading BOM skipped, invalid bytes turned into U+FFFD so the row can be rejected. */
final class TextInput {
    /** A property value, identity or event name longer than this rejects its row. */
    static final int MAX_VALUE_CHARS = 64 * 1024;
    static final char REPLACEMENT = '\uFFFD';

    private TextInput() {
    }

    static Reader reader(InputStream in) throws IOException {
        PushbackInputStream pushback = new PushbackInputStream(in, 3);
        byte[] head = new byte[3];
        int read = pushback.readNBytes(head, 0, 3);
        boolean bom = read == 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF;
        if (!bom && read > 0) {
            pushback.unread(head, 0, read);
        }
        return new InputStreamReader(pushback, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE));
    }

    /** Why a cell cannot be imported, or null when it is fine. */
    static String problem(String column, String value) {
        if (value.indexOf(REPLACEMENT) >= 0) {
            return "invalid UTF-8 in column '" + column + "'";
        }
        if (value.length() > MAX_VALUE_CHARS) {
            return "the value of column '" + column + "' is " + value.length() + " characters; the limit is " + MAX_VALUE_CHARS;
        }
        return null;
    }
}

package dev.roster.ingest;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an ingestion request body with its limits (SPEC §3): gzip by {@code Content-Encoding} or by
 * magic bytes, at most {@link #MAX_BYTES} after decompression (413 otherwise, which also stops gzip
 * bombs early).
 */
public final class RequestBody {
    public static final int MAX_BYTES = 20 * 1024 * 1024;
    public static final int MAX_EVENT_BYTES = 1024 * 1024;

    private RequestBody() {
    }

    /** Reads and, when needed, gunzips a body. */
    public static byte[] read(InputStream in, long contentLength, String contentEncoding) {
        if (contentLength > MAX_BYTES) {
            throw tooLarge();
        }
        byte[] raw = readLimited(in, "request body");
        boolean declared = contentEncoding != null && contentEncoding.toLowerCase(java.util.Locale.ROOT).contains("gzip");
        if (declared || isGzip(raw)) {
            return gunzip(raw);
        }
        return raw;
    }

    public static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /** Gunzips with the size limit; a body that is not gzip gets a 400 naming the problem. */
    public static byte[] gunzip(byte[] compressed) {
        if (!isGzip(compressed)) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, "Content-Encoding says gzip but the body is not gzip data");
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed))) {
            return readLimited(in, "decompressed body");
        } catch (ZipException | java.io.EOFException e) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, "the gzip body is corrupt or truncated: " + e.getMessage());
        } catch (IOException e) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, "the gzip body cannot be read: " + e.getMessage());
        }
    }

    private static byte[] readLimited(InputStream in, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            int read;
            while ((read = in.read(buffer)) != -1) {
                if (out.size() + read > MAX_BYTES) {
                    throw new RosterException(ErrorCode.PAYLOAD_TOO_LARGE, "the " + what + " exceeds the limit of 20 MB");
                }
                out.write(buffer, 0, read);
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new RosterException(ErrorCode.INVALID_ENCODING, "the gzip body is corrupt or truncated: " + e.getMessage());
        } catch (IOException e) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the " + what + " cannot be read: " + e.getMessage());
        }
        return out.toByteArray();
    }

    private static RosterException tooLarge() {
        return new RosterException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body exceeds the limit of 20 MB");
    }
}

package dev.roster.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A terminal progress bar on stderr: bytes read of the total, rows per second and ETA. On a
 * terminal it redraws one line; otherwise it prints a line every few seconds.
 */
final class Progress implements AutoCloseable {
    private final long totalBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final LongSupplier rows;
    private final PrintStream out;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    Progress(long totalBytes, LongSupplier rows, PrintStream out, boolean enabled) {
        this.totalBytes = totalBytes;
        this.rows = rows;
        this.out = out;
        this.terminal = System.console() != null;
        this.thread = new Thread(this::loop, "roster-progress");
        this.thread.setDaemon(true);
        if (enabled) {
            thread.start();
        }
    }

    /** Wraps a stream so that its bytes are counted. */
    InputStream count(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int read = super.read(buffer, offset, length);
                if (read > 0) {
                    bytes.addAndGet(read);
                }
                return read;
            }
        };
    }

    private void loop() {
        long interval = terminal ? 250 : 5000;
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            if (running) {
                out.print((terminal ? "\r" : "") + render() + (terminal ? "" : System.lineSeparator()));
                out.flush();
            }
        }
    }

    String render() {
        double seconds = Math.max((System.nanoTime() - started) / 1e9, 1e-3);
        long read = bytes.get();
        double fraction = totalBytes > 0 ? Math.min(1.0, (double) read / totalBytes) : 0;
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        bar.append(']');
        double rate = read / seconds;
        String eta = rate > 0 && totalBytes > 0 ? duration((long) ((totalBytes - read) / rate)) : "--:--";
        return String.format("%s %3d%% %s / %s  %,.0f rows/s  ETA %s   ", bar, Math.round(fraction * 100),
                megabytes(read), megabytes(totalBytes), rows.getAsLong() / seconds, eta);
    }

    private static String megabytes(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    private static String duration(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }

    long bytes() {
        return bytes.get();
    }

    @Override
    public void close() {
        boolean wasRunning = thread.isAlive();
        running = false;
        thread.interrupt();
        if (wasRunning) {
            out.println((terminal ? "\r" : "") + render());
        }
    }
}

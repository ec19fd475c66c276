package dev.roster.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Shared pieces of the benchmarks in this package: child Roster processes, RSS and CPU readings,
 * percentiles, and the results file. Each benchmark is a main class run by {@code bench/run.sh};
 * add one by writing a class with a {@code main} and listing it in the script.
 */
final class Bench {
    static final Path RESULTS = Path.of("target", "bench", "results.md");
    /** The server JVM's options when -DserverJvmOptions is not given: the {@code roster} launcher's default. */
    static final String SERVER_JVM_OPTIONS = "-Xmx1g -XX:MaxNewSize=96m -XX:MaxHeapFreeRatio=30 -XX:MinHeapFreeRatio=10";

    private Bench() {
    }

    /** An integer system property, e.g. {@code -Dpeople=20000}. */
    static int intProperty(String name, int fallback) {
        return Integer.parseInt(System.getProperty(name, String.valueOf(fallback)).replace("_", ""));
    }

    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resident set size of a process in bytes, from /proc (0 where there is no /proc). */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    /** CPU seconds used by this JVM so far. */
    static double ownCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** CPU seconds (user + system) used by another process so far, from /proc/PID/stat. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static long directoryBytes(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
    }

    static long[] sorted(List<Long> values) {
        long[] array = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(array);
        return array;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
    }

    /** The load average, to judge how shared the machine was during a run. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Appends a section to target/bench/results.md and prints it. */
    static void report(String title, List<String[]> rows) {
        StringBuilder text = new StringBuilder("\n### ").append(title).append(" (").append(Instant.now()).append(")\n\n")
                .append("| metric | value |\n|---|---|\n");
        for (String[] row : rows) {
            text.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n");
        }
        System.out.println(text);
        try {
            Files.createDirectories(RESULTS.getParent());
            Files.writeString(RESULTS, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A result's rows as text: columns separated by a space, one line per row (to compare answers). */
    static String text(java.sql.ResultSet rows) throws java.sql.SQLException {
        StringBuilder out = new StringBuilder();
        int columns = rows.getMetaData().getColumnCount();
        while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
                out.append(i > 1 ? " " : "").append(rows.getString(i));
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String[] row(String metric, String format, Object... values) {
        return new String[] {metric, String.format(Locale.ROOT, format, values)};
    }

    /** A Roster child process ({@code java -jar target/roster.jar ...}) whose output is echoed and watched. */
    static final class Child implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final AtomicLong maxRss = new AtomicLong();
        private final Thread sampler;
        private volatile boolean sampling = true;

        Child(String... args) {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            String options = System.getProperty("serverJvmOptions", SERVER_JVM_OPTIONS);
            if (!options.isBlank()) {
                command.addAll(List.of(options.trim().split("\\s+")));
            }
            command.addAll(List.of("-jar", Path.of("target", "roster.jar").toString()));
            command.addAll(List.of(args));
            String serverArgs = System.getProperty("serverArgs", "");
            if (!serverArgs.isBlank() && args.length > 0 && List.of("serve", "demo").contains(args[0])) {
                command.addAll(List.of(serverArgs.trim().split("\\s+")));
            }
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command + " (build target/roster.jar first)", e);
            }
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        System.out.println("  [roster] " + line);
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
            sampler = new Thread(() -> {
                while (sampling && process.isAlive()) {
                    maxRss.accumulateAndGet(rssBytes(process.pid()), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rss-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        long pid() {
            return process.pid();
        }

        long maxRssBytes() {
            return Math.max(maxRss.get(), rssBytes(process.pid()));
        }

        /** Waits for an output line containing {@code text}; returns it. */
        String await(String text, long timeoutSeconds) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            synchronized (lines) {
                while (true) {
                    for (String line : lines) {
                        if (line.contains(text)) {
                            return line;
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (!process.isAlive() || left <= 0) {
                        throw new IllegalStateException("roster never printed '" + text + "' (alive: " + process.isAlive() + ")");
                    }
                    try {
                        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 1_000_000_000L))));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        int waitFor(long timeoutSeconds) {
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("roster did not finish within " + timeoutSeconds + " s");
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Graceful stop (SIGTERM: flush and checkpoint), then waits. */
        @Override
        public void close() {
            sampling = false;
            sampler.interrupt();
            if (process.isAlive()) {
                process.destroy();
                CompletableFuture<Process> exited = process.onExit();
                try {
                    exited.get(120, TimeUnit.SECONDS);
                } catch (Exception e) {
                    process.destroyForcibly();
                }
            }
        }
    }
}

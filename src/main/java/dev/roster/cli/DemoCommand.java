package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.demo.DemoGenerator;
import dev.roster.demo.DemoManifest;
import dev.roster.project.Project;
import dev.roster.project.ProjectKeys;
import dev.roster.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster demo [--people N] [--port N] [--data DIR] [--seed S]}: generates the demo dataset
 * (or reuses a complete one of the same size and seed) and serves it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate a realistic demo dataset (or reuse a finished one) and serve it.")
final class DemoCommand implements Runnable {
    @Option(names = "--people", description = "People to generate (about 10 events each). Default: ${DEFAULT-VALUE}",
            defaultValue = "20000")
    int people;

    @Option(names = "--port", description = "HTTP port. Default: ${DEFAULT-VALUE}", defaultValue = "8080")
    int port;

    @Option(names = "--data", description = "Data directory. Default: .roster/demo-<people>")
    Path data;

    @Option(names = "--seed", description = "Random seed; the same seed and size give the same data. Default: ${DEFAULT-VALUE}",
            defaultValue = "1")
    long seed;

    @Option(names = "--memory-limit", description = "DuckDB memory limit. Default: ${DEFAULT-VALUE}", defaultValue = Database.DEFAULT_MEMORY_LIMIT)
    String memoryLimit;

    @Option(names = "--generate-only", description = "Generate (or check) the dataset, then exit without serving.")
    boolean generateOnly;

    @Override
    public void run() {
        if (people < 1 || people > 50_000_000) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "--people must be between 1 and 50000000");
        }
        Path directory = data != null ? data : Path.of(".roster", "demo-" + people);
        boolean reuse = DemoManifest.read(directory).filter(m -> m.matches(people, seed)).isPresent();
        if (!reuse) {
            clear(directory);
        }
        Roster.Config defaults = Roster.Config.of(directory, port);
        Roster.Config config = new Roster.Config(directory, port, memoryLimit, Clock.systemUTC(), defaults.compactAfterEvents());
        Roster roster = generateOnly ? Roster.open(config) : Roster.serve(config);
        try {
            ProjectKeys keys = reuse ? existing(roster, DemoManifest.read(directory).orElseThrow()) : generate(roster, directory);
            if (generateOnly) {
                roster.close();
                return;
            }
            Serving.announce(roster, keys);
        } catch (RuntimeException e) {
            roster.close();
            throw e;
        }
        Serving.awaitShutdown(roster);
    }

    private ProjectKeys generate(Roster roster, Path directory) {
        ProjectKeys keys = roster.projects().create("Demo");
        DemoManifest started = new DemoManifest(DemoManifest.GENERATOR_VERSION, people, seed, keys.project().id(), false, 0,
                roster.clock().instant().toString());
        started.write(directory);
        System.out.printf("Generating the demo dataset: %,d people (about %,d events), seed %d, in %s%n",
                people, (long) (people * DemoGenerator.EVENTS_PER_PERSON), seed, directory.toAbsolutePath());
        long begun = System.nanoTime();
        AtomicLong lastPrinted = new AtomicLong(begun);
        DemoGenerator.Result result = new DemoGenerator(roster.writeBuffer(), roster.clock()).generate(keys.project(),
                DemoGenerator.Options.of(people, seed), (done, total, events) -> {
                    long now = System.nanoTime();
                    long last = lastPrinted.get();
                    if (now - last > 2_000_000_000L && lastPrinted.compareAndSet(last, now)) {
                        double seconds = (now - begun) / 1e9;
                        System.out.printf("  %,d / %,d people, %,d events (%,.0f events/s)%n",
                                done, total, events, events / seconds);
                    }
                });
        System.out.printf("Generated %,d events for %,d people in %.1f s (%,.0f events/s), compacted and ready.%n",
                result.events(), people, result.millis() / 1000.0, result.eventsPerSecond());
        new DemoManifest(DemoManifest.GENERATOR_VERSION, people, seed, keys.project().id(), true, result.events(),
                started.generatedAt()).write(directory);
        return keys;
    }

    private static ProjectKeys existing(Roster roster, DemoManifest manifest) {
        Project project = roster.projects().findById(manifest.project()).orElseThrow(() ->
                new RosterException(ErrorCode.INVALID_REQUEST, "the demo directory has no project '" + manifest.project()
                        + "'; delete it to regenerate"));
        List<String> secrets = roster.projects().secretKeys(project);
        System.out.printf("Reusing the demo dataset in %s: %,d people, %,d events, seed %d, generated %s.%n",
                roster.config().dataDirectory().toAbsolutePath(), manifest.people(), manifest.events(), manifest.seed(),
                manifest.generatedAt());
        return new ProjectKeys(project, secrets.isEmpty() ? "(none)" : secrets.get(0));
    }

    /**
     * Empties a demo directory for a fresh dataset. A directory that holds a Roster database but
     * no demo manifest is someone's real data and is never touched.
     */
    private static void clear(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        boolean hasDatabase = Files.exists(directory.resolve(Database.FILE_NAME));
        boolean isDemo = Files.exists(directory.resolve(DemoManifest.FILE_NAME));
        if (hasDatabase && !isDemo) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the directory " + directory
                    + " holds a Roster database that is not a demo; choose another --data directory");
        }
        if (!isDemo) {
            return;
        }
        if (hasDatabase) {
            // Fails with a clear message when a running server holds the directory.
            Database.open(directory, "256MB").close();
        }
        for (String name : new String[] {Database.FILE_NAME, Database.FILE_NAME + ".wal", DemoManifest.FILE_NAME, "tmp"}) {
            delete(directory.resolve(name));
        }
    }

    private static void delete(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }
}

package dev.roster.cli;

import dev.roster.store.Database;
import dev.roster.Roster;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster serve --data DIR --port N}. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the server.")
final class ServeCommand implements Runnable {
    @Option(names = "--data", description = "Data directory (created if missing). Default: ${DEFAULT-VALUE}", defaultValue = "data")
    Path data;

    @Option(names = "--port", description = "HTTP port. Default: ${DEFAULT-VALUE}", defaultValue = "8080")
    int port;

    @Option(names = "--memory-limit", description = "DuckDB memory limit. Default: ${DEFAULT-VALUE}", defaultValue = Database.DEFAULT_MEMORY_LIMIT)
    String memoryLimit;

    @Override
    public void run() {
        Roster.Config config = Roster.Config.of(data, port);
        config = new Roster.Config(config.dataDirectory(), port, memoryLimit, config.clock(), config.compactAfterEvents());
        Roster roster = Roster.serve(config);
        Serving.announce(roster, null);
        Serving.awaitShutdown(roster);
    }
}

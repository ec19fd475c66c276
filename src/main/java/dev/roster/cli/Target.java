package dev.roster.cli;

import dev.roster.store.Database;
import dev.roster.Roster;
import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import dev.roster.transfer.DataDirectory;
import java.time.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a transfer command works: a running server ({@code --url}, {@code --key}) or a data
 * directory that no server holds ({@code --data}, {@code --project}).
 */
final class Target {
    @Option(names = "--url", description = "A running server, e.g. http://localhost:8080")
    String url;

    @Option(names = "--key", description = "The project's secret key (with --url)")
    String key;

    @Option(names = "--data", description = "A data directory no server holds")
    Path data;

    @Option(names = "--project", description = "Project id (with --data; optional when there is one project)")
    String project;

    @Option(names = "--memory-limit", description = "DuckDB memory limit with --data. Default: ${DEFAULT-VALUE}", defaultValue = Database.DEFAULT_MEMORY_LIMIT)
    String memoryLimit;

    boolean remote() {
        if (url != null && data != null) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "give either --url (a running server) or --data (a stopped data directory), not both");
        }
        if (url == null && data == null) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "give --url URL --key SECRET_KEY (a running server) or --data DIR (a stopped data directory)");
        }
        if (url != null && (key == null || key.isBlank())) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "--url needs --key SECRET_KEY");
        }
        return url != null;
    }

    /** The whole application on the data directory: the write side too (identity graph, event-id index). */
    Roster open() {
        Roster.Config config = Roster.Config.of(data, 0);
        return Roster.open(new Roster.Config(config.dataDirectory(), 0, memoryLimit, config.clock(), config.compactAfterEvents()));
    }

    /** The data directory without the write side: cheap to open whatever its size (exports, backups, CSV imports). */
    DataDirectory openDirectory() {
        return DataDirectory.open(data, memoryLimit, Clock.systemUTC());
    }

    Project project(Roster roster) {
        return project(roster.projects());
    }

    Project project(DataDirectory directory) {
        return project(directory.projects());
    }

    private Project project(Projects projects) {
        if (project != null) {
            return projects.findById(project).orElseThrow(() ->
                    new RosterException(ErrorCode.NOT_FOUND, "no project '" + project + "' in " + data));
        }
        List<Project> all = projects.all();
        if (all.size() != 1) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, all.isEmpty() ? "the data directory has no project"
                    : "the data directory has " + all.size() + " projects; choose one with --project");
        }
        return all.get(0);
    }

    HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + pathAndQuery))
                .header("Authorization", "Bearer " + key);
    }

    static HttpClient http() {
        return HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
    }

    static Optional<String> errorMessage(byte[] body) {
        try {
            return Optional.ofNullable(dev.roster.common.Json.parse(body).path("message").asText(null));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}

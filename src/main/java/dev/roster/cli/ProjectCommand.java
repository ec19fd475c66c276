package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.project.ProjectKeys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster project create NAME --data DIR}. */
@Command(name = "project", mixinStandardHelpOptions = true, description = "Manage projects.",
        subcommands = ProjectCommand.Create.class)
final class ProjectCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a project and print its keys as one JSON line. Works while the server is stopped.")
    static final class Create implements Runnable {
        @Parameters(index = "0", description = "Project name")
        String name;

        @Option(names = "--data", description = "Data directory. Default: ${DEFAULT-VALUE}", defaultValue = "data")
        Path data;

        @Override
        public void run() {
            try (Roster roster = Roster.open(Roster.Config.of(data, 0))) {
                ProjectKeys keys = roster.projects().create(name);
                Map<String, String> line = new LinkedHashMap<>();
                line.put("project", keys.project().id());
                line.put("write_key", keys.project().writeKey());
                line.put("secret_key", keys.secretKey());
                System.out.println(Json.write(line));
            }
        }
    }
}

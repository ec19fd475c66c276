package dev.roster.cli;

import dev.roster.common.RosterException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code roster}: the command line. */
@Command(name = "roster", mixinStandardHelpOptions = true, version = "roster 0.1.0",
        description = "Self-hosted, person-level product analytics.",
        subcommands = {ServeCommand.class, ProjectCommand.class, DemoCommand.class,
                ImportCommand.class, ExportCommand.class, BackupCommand.class, PrivacyCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof RosterException roster) {
                cmd.getErr().println("roster: " + roster.getMessage());
                return 2;
            }
            throw e;
        });
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

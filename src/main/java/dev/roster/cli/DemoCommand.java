package dev.roster.cli;

import picocli.CommandLine.Command;

/** Placeholder replaced below. */
@Command(name = "demo")
final class DemoCommand implements Runnable {
    @Override
    public void run() {
    }
}

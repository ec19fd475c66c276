package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.project.ProjectKeys;
import java.util.concurrent.CountDownLatch;

/** Printing what a running server offers, and waiting for a graceful shutdown. */
final class Serving {
    private Serving() {
    }

    static void announce(Roster roster, ProjectKeys demo) {
        System.out.println();
        System.out.println("Roster is running at http://localhost:" + roster.port() + "/");
        System.out.println("  data directory: " + roster.config().dataDirectory().toAbsolutePath());
        if (demo != null) {
            System.out.println("  demo project:   " + demo.project().id());
            System.out.println("  write key:      " + demo.project().writeKey());
            System.out.println("  secret key:     " + demo.secretKey());
            System.out.println();
            System.out.println("Try: curl -H 'Authorization: Bearer " + demo.secretKey() + "' "
                    + "'http://localhost:" + roster.port() + "/api/people?limit=5'");
        }
        System.out.println("Stop with Ctrl-C (events are flushed and checkpointed).");
    }

    static void awaitShutdown(Roster roster) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            roster.close();
            stopped.countDown();
        }, "roster-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

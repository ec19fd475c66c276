package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.auth.AdminAccounts;
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
        AdminAccounts.Setup admin = roster.admins().ensureAdminFromEnvironment();
        System.out.println("  dashboard login: " + admin.username() + " / " + admin.generatedPassword().orElse(admin.created()
                ? "(the password from " + AdminAccounts.PASSWORD_ENVIRONMENT_VARIABLE + ")"
                : "(the password set at the first start)"));
        admin.generatedPassword().ifPresent(p ->
                System.out.println("  (the generated password is shown only this once; it is stored as a hash)"));
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

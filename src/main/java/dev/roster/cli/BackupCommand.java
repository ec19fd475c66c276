package dev.roster.cli;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.store.Database;
import dev.roster.transfer.DataDirectory;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code roster backup DIR}: a consistent copy of a live server (--url) or of a stopped data directory (--data). */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Copy the database consistently into DIR (restore: start 'roster serve --data DIR').")
final class BackupCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Target directory (created; must not hold a database yet)")
    Path directory;

    @Mixin
    Target target = new Target();

    @Override
    public Integer call() throws Exception {
        Path destination = directory.resolve(Database.FILE_NAME);
        if (Files.exists(destination)) {
            throw new RosterException(ErrorCode.CONFLICT, destination + " exists already; back up into an empty directory");
        }
        Files.createDirectories(directory);
        Path partial = directory.resolve(Database.FILE_NAME + ".partial");
        if (target.remote()) {
            HttpResponse<InputStream> response = Target.http().send(target.request("/api/admin/backup").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    byte[] body = in.readAllBytes();
                    throw new RosterException(ErrorCode.INVALID_REQUEST, "the server answered " + response.statusCode() + ": "
                            + Target.errorMessage(body).orElse(new String(body, StandardCharsets.UTF_8)));
                }
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
        } else {
            try (DataDirectory data = target.openDirectory()) {
                Path snapshot = data.backup().snapshot();
                Files.move(snapshot, partial, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("backup written to " + destination.toAbsolutePath() + " (" + Files.size(destination) + " bytes)");
        return 0;
    }
}

package dev.roster.transfer;

import static java.util.Objects.requireNonNull;

import dev.roster.ingest.WriteBuffer;
import dev.roster.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A consistent copy of a live database: everything queued is committed, commits are paused, the
 * WAL is checkpointed into the file, and the file is copied while nothing can write. The copy is
 * a complete {@code roster.duckdb}: restoring is putting it in an empty data directory.
 */
public final class Backup {
    private final Database database;
    /** Runs the copy while no commit can happen. */
    private final Function<Supplier<Path>, Path> paused;

    public Backup(Database database, WriteBuffer writeBuffer) {
        this(database, requireNonNull(writeBuffer, "writeBuffer is null")::whilePaused);
    }

    private Backup(Database database, Function<Supplier<Path>, Path> paused) {
        this.database = requireNonNull(database, "database is null");
        this.paused = paused;
    }

    /**
     * The backup of a data directory this process opened without a write buffer (the CLI's
     * {@code --data}): nothing else can write, so there is nothing to pause.
     */
    public static Backup withoutWriter(Database database) {
        return new Backup(database, Supplier::get);
    }

    /** Copies the database to a new temp file in the data directory and returns it; the caller deletes it. */
    public Path snapshot() {
        return paused.apply(() -> {
            java.sql.Connection writer = database.writer();
            synchronized (writer) {
                checkpoint();
                try {
                    Path copy = Files.createTempFile(database.directory().resolve("tmp"), "backup-", ".duckdb");
                    Files.copy(database.directory().resolve(Database.FILE_NAME), copy, StandardCopyOption.REPLACE_EXISTING);
                    return copy;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }


    /** CHECKPOINT fails while a reader holds a transaction; retry for a few seconds. */
    private void checkpoint() {
        for (int attempt = 0; ; attempt++) {
            try {
                database.checkpoint();
                return;
            } catch (IllegalStateException e) {
                if (attempt >= 100) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}

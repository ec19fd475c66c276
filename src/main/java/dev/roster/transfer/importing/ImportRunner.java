package dev.roster.transfer.importing;

import dev.roster.project.Project;
import java.io.InputStream;

/**
 * Runs one import into a project, updating its job as it goes: {@link Importer} through the write
 * buffer (a server), {@link BulkCsvImporter} straight into a data directory (the CLI).
 */
public interface ImportRunner {
    void run(Project project, InputStream in, ImportOptions options, ImportJob job);
}

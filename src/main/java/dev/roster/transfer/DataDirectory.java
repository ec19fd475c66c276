package dev.roster.transfer;

import static java.util.Objects.requireNonNull;

import dev.roster.people.PeopleSearch;
import dev.roster.population.PopulationService;
import dev.roster.project.Projects;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.transfer.export.EventsExport;
import dev.roster.transfer.export.PeopleExport;
import dev.roster.transfer.importing.BulkCsvImporter;
import dev.roster.transfer.importing.ImportJobs;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data directory opened by a CLI transfer command ({@code export}, {@code backup}, a CSV
 * {@code import}) without the write side: no write buffer, so no event-id index and no identity
 * graph are loaded, and opening costs what opening DuckDB costs, whatever the data size. Commands
 * that need identity resolution event by event (JSONL and KISSmetrics imports, privacy requests)
 * open the whole {@link dev.roster.Roster} instead.
 *
 * <p>Like {@code Roster.open}, it holds the directory's lock: a running server makes it fail with
 * a clear error.
 */
public final class DataDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);

    private final Database database;
    private final Projects projects;
    private final PopulationService populations;
    private final RevenueSettings revenueSettings;
    private final PeopleExport peopleExport;
    private final EventsExport eventsExport;
    private final Backup backup;
    private final ImportJobs imports;
    private boolean wrote;

    private DataDirectory(Database database, Clock clock) {
        this.database = database;
        this.projects = new Projects(database, clock);
        this.revenueSettings = new RevenueSettings(database);
        this.populations = new PopulationService(database, new PeopleSearch(database), revenueSettings, clock);
        this.peopleExport = new PeopleExport(database, populations, revenueSettings);
        this.eventsExport = new EventsExport(database);
        this.backup = Backup.withoutWriter(database);
        this.imports = new ImportJobs(new BulkCsvImporter(database, clock), database, clock);
    }

    /** Opens (and migrates) the database in {@code directory}. */
    public static DataDirectory open(Path directory, String memoryLimit, Clock clock) {
        requireNonNull(clock, "clock is null");
        return new DataDirectory(Database.open(directory, memoryLimit), clock);
    }

    public Database database() {
        return database;
    }

    public Projects projects() {
        return projects;
    }

    public PeopleExport peopleExport() {
        return peopleExport;
    }

    public EventsExport eventsExport() {
        return eventsExport;
    }

    public Backup backup() {
        return backup;
    }

    /** Imports of generic CSV files, in bulk ({@link BulkCsvImporter}). */
    public ImportJobs csvImports() {
        wrote = true;
        return imports;
    }

    /** Closes the database; after an import, checkpoints it first (as a server's shutdown does). */
    @Override
    public void close() {
        imports.close();
        if (wrote) {
            try {
                database.checkpoint();
            } catch (RuntimeException e) {
                LOG.warn("checkpoint on close failed", e);
            }
        }
        database.close();
    }
}

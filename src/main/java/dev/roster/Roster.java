package dev.roster;

import static java.util.Objects.requireNonNull;

import dev.roster.auth.AdminAccounts;
import dev.roster.identity.IdentityWarnings;
import dev.roster.ingest.Ingestion;
import dev.roster.ingest.WriteBuffer;
import dev.roster.ingest.segment.SegmentFormat;
import dev.roster.ops.Metrics;
import dev.roster.people.AdminMerge;
import dev.roster.people.PeopleSearch;
import dev.roster.people.PeopleService;
import dev.roster.population.PopulationResolver;
import dev.roster.population.PopulationService;
import dev.roster.project.Projects;
import dev.roster.report.Reports;
import dev.roster.report.revenue.RevenueReport;
import dev.roster.revenue.RevenueSettings;
import dev.roster.store.Database;
import dev.roster.store.DuckDbEventStore;
import dev.roster.store.PersonSummaryWriter;
import dev.roster.web.Wiring;
import dev.roster.population.PopulationResolver;
import dev.roster.privacy.PrivacyRequests;
import dev.roster.transfer.Backup;
import dev.roster.transfer.export.EventsExport;
import dev.roster.transfer.export.PeopleExport;
import dev.roster.transfer.importing.ImportJobs;
import dev.roster.transfer.importing.Importer;
import dev.roster.web.WebServer;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application: every service wired by hand, in one place. {@link #open} gives the core
 * (store, write path, read services) without HTTP, for the CLI; {@link #serve} adds the server.
 */
public final class Roster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Roster.class);

    private final Config config;
    private final Database database;
    private final Metrics metrics;
    private final Projects projects;
    private final WriteBuffer writeBuffer;
    private final Ingestion ingestion;
    private final PeopleService people;
    private final PeopleSearch peopleSearch;
    private final IdentityWarnings identityWarnings;
    private final AdminMerge adminMerge;
    private final Reports reports;
    private final RevenueSettings revenueSettings;
    private final RevenueReport revenueReport;
    private final PopulationService populations;
    private final ImportJobs importJobs;
    private final PeopleExport peopleExport;
    private final EventsExport eventsExport;
    private final PrivacyRequests privacy;
    private final Backup backup;
    private final AdminAccounts admins;
    private WebServer server;

    /** How to run: where the data lives, the port, DuckDB's memory limit and the clock. */
    public record Config(Path dataDirectory, int port, String memoryLimit, Clock clock, long compactAfterEvents) {
        public Config {
            requireNonNull(dataDirectory, "dataDirectory is null");
            requireNonNull(memoryLimit, "memoryLimit is null");
            requireNonNull(clock, "clock is null");
        }

        public static Config of(Path dataDirectory, int port) {
            return new Config(dataDirectory, port, Database.DEFAULT_MEMORY_LIMIT, Clock.systemUTC(), 1_000_000);
        }

        public Config withClock(Clock clock) {
            return new Config(dataDirectory, port, memoryLimit, clock, compactAfterEvents);
        }

        public Config withCompactAfterEvents(long events) {
            return new Config(dataDirectory, port, memoryLimit, clock, events);
        }
    }

    private Roster(Config config) {
        this.config = config;
        this.database = Database.open(config.dataDirectory(), config.memoryLimit());
        this.metrics = new Metrics();
        this.projects = new Projects(database, config.clock());
        this.writeBuffer = new WriteBuffer(new DuckDbEventStore(database, new PersonSummaryWriter(RevenueSettings.summaryAmounts())), config.clock(), metrics, config.compactAfterEvents());
        this.ingestion = new Ingestion(projects, writeBuffer, metrics);
        this.people = new PeopleService(database);
        this.peopleSearch = new PeopleSearch(database);
        this.identityWarnings = new IdentityWarnings(database);
        this.adminMerge = new AdminMerge(people, database, writeBuffer, config.clock());
        this.revenueSettings = new RevenueSettings(database);
        this.populations = new PopulationService(database, peopleSearch, revenueSettings, config.clock());
        this.reports = new Reports(database, populations, config.clock());
        this.revenueReport = new RevenueReport(database, revenueSettings, populations, config.clock());
        this.importJobs = new ImportJobs(new Importer(writeBuffer, metrics, config.clock()), database, config.clock());
        this.peopleExport = new PeopleExport(database, populations, revenueSettings);
        this.eventsExport = new EventsExport(database);
        this.privacy = new PrivacyRequests(people, database, writeBuffer, config.clock());
        this.backup = new Backup(database, writeBuffer);
        this.admins = new AdminAccounts(database, config.clock());
    }

    /** Opens the data directory without serving HTTP. */
    public static Roster open(Config config) {
        return new Roster(config);
    }

    /** Opens the data directory and starts the HTTP server. */
    public static Roster serve(Config config) {
        Roster roster = new Roster(config);
        try {
            roster.server = WebServer.start(Wiring.handlers(roster), config.port());
            return roster;
        } catch (RuntimeException e) {
            roster.close();
            throw e;
        }
    }

    public int port() {
        return server == null ? -1 : server.port();
    }

    public Config config() {
        return config;
    }

    public Database database() {
        return database;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Projects projects() {
        return projects;
    }

    public WriteBuffer writeBuffer() {
        return writeBuffer;
    }

    public Ingestion ingestion() {
        return ingestion;
    }

    public PeopleService people() {
        return people;
    }

    public PeopleSearch peopleSearch() {
        return peopleSearch;
    }

    public IdentityWarnings identityWarnings() {
        return identityWarnings;
    }

    public AdminMerge adminMerge() {
        return adminMerge;
    }

    public Reports reports() {
        return reports;
    }

    public RevenueSettings revenueSettings() {
        return revenueSettings;
    }

    public RevenueReport revenueReport() {
        return revenueReport;
    }

    public PopulationService populations() {
        return populations;
    }

    /** How reports, people search and exports turn a population id into its members. */
    public PopulationResolver populationResolver() {
        return populations;
    }

    public ImportJobs importJobs() {
        return importJobs;
    }

    public PeopleExport peopleExport() {
        return peopleExport;
    }

    public EventsExport eventsExport() {
        return eventsExport;
    }

    public PrivacyRequests privacy() {
        return privacy;
    }

    public Backup backup() {
        return backup;
    }

    public AdminAccounts admins() {
        return admins;
    }

    public Clock clock() {
        return config.clock();
    }

    /** Waits until everything submitted so far is committed. */
    public void flush() {
        writeBuffer.flush();
    }

    /** Graceful shutdown: stop serving, commit what is queued, checkpoint, close. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        importJobs.close();
        writeBuffer.close();
        try {
            database.checkpoint();
        } catch (RuntimeException e) {
            LOG.warn("checkpoint on shutdown failed", e);
        }
        database.close();
    }
}

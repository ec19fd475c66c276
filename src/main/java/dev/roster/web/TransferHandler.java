package dev.roster.web;

import static java.util.Objects.requireNonNull;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ingest.Timestamps;
import dev.roster.privacy.PrivacyRequests;
import dev.roster.project.Project;
import dev.roster.project.Projects;
import dev.roster.transfer.Backup;
import dev.roster.transfer.export.EventsExport;
import dev.roster.transfer.export.ExportFormat;
import dev.roster.transfer.export.PeopleExport;
import dev.roster.transfer.importing.ImportFormat;
import dev.roster.transfer.importing.ImportJob;
import dev.roster.transfer.importing.ImportJobs;
import dev.roster.transfer.importing.ImportOptions;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** Import, export, backup and privacy requests (SPEC §7, §10 "Transfer"). */
final class TransferHandler {
    private final ImportJobs imports;
    private final PeopleExport peopleExport;
    private final EventsExport eventsExport;
    private final PrivacyRequests privacy;
    private final Backup backup;
    private final Projects projects;
    private final Path spoolDirectory;

    TransferHandler(ImportJobs imports, PeopleExport peopleExport, EventsExport eventsExport, PrivacyRequests privacy,
                    Backup backup, Projects projects, Path spoolDirectory) {
        this.imports = requireNonNull(imports, "imports is null");
        this.peopleExport = requireNonNull(peopleExport, "peopleExport is null");
        this.eventsExport = requireNonNull(eventsExport, "eventsExport is null");
        this.privacy = requireNonNull(privacy, "privacy is null");
        this.backup = requireNonNull(backup, "backup is null");
        this.projects = requireNonNull(projects, "projects is null");
        this.spoolDirectory = requireNonNull(spoolDirectory, "spoolDirectory is null");
    }

    /**
     * {@code POST /api/import?format=csv|jsonl|kissmetrics&map=identity=Email&wait=true}: the file
     * is the body (gzip allowed). With {@code wait=true} it is imported while it streams in and the
     * answer is the finished job; otherwise it is spooled to disk, imported in the background, and
     * the answer is 202 with the job to poll at {@code GET /api/import/{id}}.
     */
    void upload(Context ctx) throws IOException {
        Project project = Auth.project(ctx);
        ImportFormat format = ImportFormat.parse(Optional.ofNullable(ctx.queryParam("format")).orElse("csv"));
        ImportOptions options = new ImportOptions(format, ImportOptions.parseMappings(ctx.queryParams("map")),
                PeopleHandler.intParam(ctx, "max_rejections", ImportOptions.DEFAULT_MAX_REJECTIONS),
                ImportOptions.DEFAULT_CHUNK_ROWS);
        InputStream body = ctx.req().getInputStream();
        String encoding = ctx.header("Content-Encoding");
        if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            body = new GZIPInputStream(body, 64 * 1024);
        }
        if ("true".equalsIgnoreCase(ctx.queryParam("wait"))) {
            ImportJob job = imports.prepare(project, options);
            imports.run(project, body, options, job);
            ctx.json(job.snapshot());
            return;
        }
        Files.createDirectories(spoolDirectory);
        Path spooled = Files.createTempFile(spoolDirectory, "import-", ".upload");
        Files.copy(body, spooled, StandardCopyOption.REPLACE_EXISTING);
        ImportJob job = imports.runLater(project, spooled, options);
        ctx.status(202).json(job.snapshot());
    }

    void job(Context ctx) {
        Project project = Auth.project(ctx);
        String id = ctx.pathParam("id");
        ctx.json(imports.find(project, id).orElseThrow(() ->
                new RosterException(ErrorCode.NOT_FOUND, "no import job '" + id + "' in this project")));
    }

    /** {@code GET /api/export/people?format=csv|json|jsonl&population=&memberships=&columns=&bom=true}. */
    void people(Context ctx) throws IOException {
        Project project = Auth.project(ctx);
        ExportFormat format = ExportFormat.parse(Optional.ofNullable(ctx.queryParam("format")).orElse("csv"),
                ExportFormat.CSV, ExportFormat.JSON, ExportFormat.JSONL);
        PeopleExport.Request request = new PeopleExport.Request(format,
                Optional.ofNullable(ctx.queryParam("population")).filter(p -> !p.isBlank()),
                list(ctx.queryParam("memberships")), list(ctx.queryParam("columns")),
                "true".equalsIgnoreCase(ctx.queryParam("bom")));
        ctx.contentType(format.contentType());
        ctx.header("Content-Disposition", "attachment; filename=\"people-" + project.id() + "." + format.extension() + "\"");
        OutputStream out = ctx.res().getOutputStream();
        peopleExport.write(project, request, out);
        out.flush();
    }

    /** {@code GET /api/export/events?from=&to=&format=jsonl|parquet}. */
    void events(Context ctx) throws IOException {
        Project project = Auth.project(ctx);
        ExportFormat format = ExportFormat.parse(Optional.ofNullable(ctx.queryParam("format")).orElse("jsonl"),
                ExportFormat.JSONL, ExportFormat.PARQUET);
        Instant from = time(ctx, "from", Instant.parse("1990-01-01T00:00:00Z"));
        Instant to = time(ctx, "to", Instant.parse("9999-01-01T00:00:00Z"));
        ctx.contentType(format.contentType());
        ctx.header("Content-Disposition", "attachment; filename=\"events-" + project.id() + "." + format.extension() + "\"");
        eventsExport.write(project, from, to, format, ctx.res().getOutputStream());
    }

    /** {@code GET /api/people/{id}/export}: the access request. */
    void access(Context ctx) {
        Project project = Auth.project(ctx);
        ctx.header("Content-Disposition", "attachment; filename=\"person-" + ctx.pathParam("id") + ".json\"");
        ctx.json(privacy.access(project, ctx.pathParam("id")));
    }

    /** {@code DELETE /api/people/{id}}: the erasure request. */
    void erase(Context ctx) {
        Project project = Auth.project(ctx);
        String who = "secret-key:" + PrivacyRequests.sha256(Auth.bearer(ctx).orElse("")).substring(0, 12);
        PrivacyRequests.Erasure erasure = privacy.erase(project, ctx.pathParam("id"), who);
        ctx.json(java.util.Map.of("erased", erasure.erased(), "events", erasure.events(), "identities", erasure.identities()));
    }

    /**
     * {@code GET /api/admin/backup}: a consistent copy of the database file. It holds every
     * project, so it is refused on a server hosting more than one (back up the stopped data
     * directory there instead).
     */
    void backup(Context ctx) throws IOException {
        Auth.project(ctx);
        if (projects.all().size() > 1) {
            throw new RosterException(ErrorCode.FORBIDDEN, "this server hosts several projects and a backup holds all of them; "
                    + "run 'roster backup DIR --data DATA' against the stopped data directory");
        }
        Path copy = backup.snapshot();
        try {
            ctx.contentType("application/octet-stream");
            ctx.header("Content-Disposition", "attachment; filename=\"roster.duckdb\"");
            ctx.header("Content-Length", Long.toString(Files.size(copy)));
            OutputStream out = ctx.res().getOutputStream();
            Files.copy(copy, out);
            out.flush();
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static Instant time(Context ctx, String name, Instant fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Timestamps.parse(value, name);
        } catch (dev.roster.ingest.InvalidEventException e) {
            throw new RosterException(ErrorCode.INVALID_TIMESTAMP, e.getMessage());
        }
    }
}

package dev.roster.cli;

import dev.roster.Roster;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.transfer.DataDirectory;
import dev.roster.transfer.importing.ImportFormat;
import dev.roster.transfer.importing.ImportJobs;
import dev.roster.transfer.importing.ImportJob;
import dev.roster.transfer.importing.ImportOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster import FILE}: CSV, JSONL or KISSmetrics CSV, to a server or a stopped data directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a CSV, JSONL or KISSmetrics CSV file (streamed; re-importing adds no duplicates).")
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The file (.gz is decompressed)")
    Path file;

    @Option(names = "--format", description = "csv, jsonl or kissmetrics. Default: from the file name")
    String format;

    @Option(names = "--map", description = "Column mapping field=Column (fields: identity, event, timestamp, event_id)")
    List<String> mappings = new ArrayList<>();

    @Option(names = "--max-rejections", description = "Rejected rows to report. Default: ${DEFAULT-VALUE}", defaultValue = "1000")
    int maxRejections;

    @Option(names = "--no-progress", description = "Do not draw the progress bar")
    boolean noProgress;

    @Mixin
    Target target = new Target();

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "no such file: " + file);
        }
        String name = file.getFileName().toString();
        ImportFormat importFormat = format == null ? ImportFormat.guess(name) : ImportFormat.parse(format);
        ImportOptions options = new ImportOptions(importFormat, ImportOptions.parseMappings(mappings), maxRejections,
                ImportOptions.DEFAULT_CHUNK_ROWS);
        ImportJob.Snapshot result = target.remote() ? remote(options, name) : local(options, name);
        System.out.println(Json.write(result));
        return "done".equals(result.status()) ? 0 : 1;
    }

    private InputStream open(String name, Progress progress) throws IOException {
        InputStream in = progress.count(Files.newInputStream(file));
        return name.endsWith(".gz") ? new GZIPInputStream(in, 64 * 1024) : new BufferedInputStream(in, 64 * 1024);
    }

    private ImportJob.Snapshot local(ImportOptions options, String name) throws IOException {
        if (options.format() == ImportFormat.CSV) {
            // events only: the bulk path, without loading the write side
            try (DataDirectory directory = target.openDirectory()) {
                return local(directory.csvImports(), target.project(directory), options, name);
            }
        }
        try (Roster roster = target.open()) {
            return local(roster.importJobs(), target.project(roster), options, name);
        }
    }

    private ImportJob.Snapshot local(ImportJobs jobs, Project project, ImportOptions options, String name) throws IOException {
        ImportJob job = jobs.prepare(project, options);
        try (Progress progress = new Progress(Files.size(file), job::rows, System.err, !noProgress);
                InputStream in = open(name, progress)) {
            jobs.run(project, in, options, job);
        }
        return job.snapshot();
    }

    private ImportJob.Snapshot remote(ImportOptions options, String name) throws IOException {
        StringBuilder query = new StringBuilder("/api/import?wait=true&format=").append(options.format().label())
                .append("&max_rejections=").append(options.maxRejections());
        options.columns().forEach((field, column) -> query.append("&map=")
                .append(URLEncoder.encode(field + "=" + column, StandardCharsets.UTF_8)));
        AtomicLong lines = new AtomicLong();
        try (Progress progress = new Progress(Files.size(file), lines::get, System.err, !noProgress)) {
            HttpRequest.Builder request = target.request(query.toString())
                    .header("Content-Type", name.endsWith(".gz") ? "application/gzip" : "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> countLines(progress, lines)));
            if (name.endsWith(".gz")) {
                request.header("Content-Encoding", "gzip");
            }
            HttpResponse<byte[]> response = Target.http().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the server answered " + response.statusCode() + ": "
                        + Target.errorMessage(response.body()).orElse(new String(response.body(), StandardCharsets.UTF_8)));
            }
            return Json.MAPPER.readValue(response.body(), ImportJob.Snapshot.class);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException(ErrorCode.INTERNAL, "interrupted");
        }
    }

    /** The file as sent, counting bytes and newlines (rows, roughly) for the progress bar. */
    private InputStream countLines(Progress progress, AtomicLong lines) {
        try {
            InputStream counted = progress.count(Files.newInputStream(file));
            return new java.io.FilterInputStream(counted) {
                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int read = super.read(buffer, offset, length);
                    for (int i = 0; i < read; i++) {
                        if (buffer[offset + i] == '\n') {
                            lines.incrementAndGet();
                        }
                    }
                    return read;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.roster.cli;

import dev.roster.common.ErrorCode;
import dev.roster.common.RosterException;
import dev.roster.ingest.Timestamps;
import dev.roster.project.Project;
import dev.roster.transfer.DataDirectory;
import dev.roster.transfer.export.ExportFormat;
import dev.roster.transfer.export.PeopleExport;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster export people|events}: streamed to a file or stdout. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export people (csv, json, jsonl) or events (jsonl, parquet).")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "people or events")
    String what;

    @Option(names = "--format", description = "people: csv, json, jsonl (default csv); events: jsonl, parquet (default jsonl)")
    String format;

    @Option(names = {"-o", "--output"}, description = "Output file. Default: standard output")
    Path output;

    @Option(names = "--population", description = "people: only this population's members")
    String population;

    @Option(names = "--memberships", split = ",", description = "people: population ids to list per person")
    List<String> memberships = new ArrayList<>();

    @Option(names = "--columns", split = ",", description = "people: columns to export")
    List<String> columns = new ArrayList<>();

    @Option(names = "--bom", description = "people CSV: start with a UTF-8 byte order mark (for Excel)")
    boolean bom;

    @Option(names = "--from", description = "events: from this time (inclusive)")
    String from;

    @Option(names = "--to", description = "events: to this time (exclusive)")
    String to;

    @Mixin
    Target target = new Target();

    @Override
    public Integer call() throws Exception {
        boolean people = "people".equals(what);
        if (!people && !"events".equals(what)) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "export what? 'people' or 'events', not '" + what + "'");
        }
        try (OutputStream out = output == null ? System.out : new BufferedOutputStream(Files.newOutputStream(output), 1 << 16)) {
            if (target.remote()) {
                remote(people, out);
            } else {
                try (DataDirectory directory = target.openDirectory()) {
                    Project project = target.project(directory);
                    if (people) {
                        directory.peopleExport().write(project, new PeopleExport.Request(
                                ExportFormat.parse(format == null ? "csv" : format, ExportFormat.CSV, ExportFormat.JSON, ExportFormat.JSONL),
                                Optional.ofNullable(population), memberships, columns, bom), out);
                    } else {
                        directory.eventsExport().write(project, time(from, "--from", "1990-01-01T00:00:00Z"),
                                time(to, "--to", "9999-01-01T00:00:00Z"),
                                ExportFormat.parse(format == null ? "jsonl" : format, ExportFormat.JSONL, ExportFormat.PARQUET), out);
                    }
                }
            }
            out.flush();
        }
        return 0;
    }

    private void remote(boolean people, OutputStream out) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder(people ? "/api/export/people?" : "/api/export/events?");
        add(query, "format", format);
        if (people) {
            add(query, "population", population);
            add(query, "memberships", memberships.isEmpty() ? null : String.join(",", memberships));
            add(query, "columns", columns.isEmpty() ? null : String.join(",", columns));
            add(query, "bom", bom ? "true" : null);
        } else {
            add(query, "from", from);
            add(query, "to", to);
        }
        HttpResponse<InputStream> response = Target.http().send(target.request(query.toString()).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                byte[] body = in.readAllBytes();
                throw new RosterException(ErrorCode.INVALID_REQUEST, "the server answered " + response.statusCode() + ": "
                        + Target.errorMessage(body).orElse(new String(body, StandardCharsets.UTF_8)));
            }
            in.transferTo(out);
        }
    }

    private static void add(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.charAt(query.length() - 1) == '?' ? "" : "&").append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private static Instant time(String value, String option, String fallback) {
        try {
            return value == null ? Instant.parse(fallback) : Timestamps.parse(value, option);
        } catch (dev.roster.ingest.InvalidEventException e) {
            throw new RosterException(ErrorCode.INVALID_TIMESTAMP, e.getMessage());
        }
    }
}

package dev.roster.transfer.importing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.ingest.Command;
import dev.roster.ingest.InvalidEventException;
import dev.roster.ingest.Messages;
import dev.roster.ingest.PropertyOperation;
import dev.roster.ingest.Timestamps;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.DuplicateHeaderMode;

/**
 * Generic CSV ({@code identity,event,timestamp,<property columns…>}, renamable by a mapping) and
 * KISSmetrics CSV ({@code Identity,Timestamp,Event,Prop:<Name>…,Alias}). Parsed by commons-csv,
 * one record at a time.
 *
 * <p>Generic rows are events; every other non-empty column is an event property (as text). An
 * {@code event_id} column, when present, is the event id; otherwise the id is derived from
 * (identity, event, timestamp), so re-importing a file adds nothing.
 *
 * <p>KISSmetrics rows: with an Alias the identity and the alias are linked; with an Event it is an
 * event whose properties are also set on the person (KISSmetrics keeps properties on the person);
 * with only properties they are set on the person.
 */
final class CsvRowParser implements RowParser {
    private final CSVParser parser;
    private final Iterator<CSVRecord> records;
    private final boolean kissmetrics;
    private final Instant receivedAt;
    private final List<String> header;
    private final int identityColumn;
    private final int eventColumn;
    private final int timestampColumn;
    private final int idColumn;
    private final int aliasColumn;
    /** Property name per column, or null for a column that is not a property. */
    private final String[] propertyOf;
    /** Per property column, its name quoted as a JSON string and a colon; the whole array is null when two columns share a name. */
    private final String[] quotedProperty;
    private final DerivedEventIds derivedIds = new DerivedEventIds();
    private final StringBuilder json = new StringBuilder(256);
    private long nextLine;

    CsvRowParser(InputStream in, ImportOptions options, Instant receivedAt) {
        this(open(in), options, receivedAt);
    }

    /**
     * Only the column logic of a generic CSV whose header is {@code headerLine} (as read from the
     * file): {@link #eventFrom} turns rows read elsewhere into events. {@link #next} and
     * {@link #nextEvent} are not available.
     */
    static CsvRowParser forHeader(String headerLine, ImportOptions options, Instant receivedAt) {
        return new CsvRowParser(open(new java.io.ByteArrayInputStream((headerLine + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))),
                options, receivedAt);
    }

    private static CSVParser open(InputStream in) {
        try {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
                    .setIgnoreEmptyLines(true).setDuplicateHeaderMode(DuplicateHeaderMode.ALLOW_EMPTY)
                    .setAllowMissingColumnNames(true).get().parse(TextInput.reader(in));
        } catch (IOException | IllegalArgumentException | UncheckedIOException e) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "cannot read the CSV header: " + e.getMessage());
        }
    }

    private CsvRowParser(CSVParser parser, ImportOptions options, Instant receivedAt) {
        this.kissmetrics = options.format() == ImportFormat.KISSMETRICS;
        this.receivedAt = receivedAt;
        this.parser = parser;
        this.header = parser.getHeaderNames();
        if (header.isEmpty()) {
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the file is empty: a CSV import needs a header line");
        }
        this.records = parser.iterator();
        this.propertyOf = new String[header.size()];
        if (kissmetrics) {
            identityColumn = required("Identity", "Identity");
            eventColumn = find("Event");
            timestampColumn = find("Timestamp");
            aliasColumn = find("Alias");
            idColumn = -1;
            for (int i = 0; i < header.size(); i++) {
                String name = header.get(i).trim();
                if (name.regionMatches(true, 0, "Prop:", 0, 5) && name.length() > 5) {
                    propertyOf[i] = name.substring(5).trim();
                }
            }
        } else {
            identityColumn = required("identity", options.column("identity"));
            eventColumn = required("event", options.column("event"));
            timestampColumn = required("timestamp", options.column("timestamp"));
            idColumn = find(options.column("event_id"));
            aliasColumn = -1;
            for (int i = 0; i < header.size(); i++) {
                if (i != identityColumn && i != eventColumn && i != timestampColumn && i != idColumn && !header.get(i).isBlank()) {
                    propertyOf[i] = header.get(i).trim();
                }
            }
        }
        this.quotedProperty = quotedProperties(propertyOf);
        this.nextLine = parser.getCurrentLineNumber() + 1;
    }

    /** JSON-quoted property names, or null when a name repeats (then {@link ObjectNode} semantics apply). */
    private static String[] quotedProperties(String[] propertyOf) {
        String[] quoted = new String[propertyOf.length];
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < propertyOf.length; i++) {
            if (propertyOf[i] != null) {
                if (!seen.add(propertyOf[i])) {
                    return null;
                }
                StringBuilder name = new StringBuilder().append('"');
                JsonStringEncoder.getInstance().quoteAsString(propertyOf[i], name);
                quoted[i] = name.append("\":").toString();
            }
        }
        return quoted;
    }

    private int find(String column) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).trim().equalsIgnoreCase(column)) {
                return i;
            }
        }
        return -1;
    }

    private int required(String field, String column) {
        int index = find(column);
        if (index < 0) {
            String hint = kissmetrics ? "" : "; map another column with --map " + field + "=COLUMN (HTTP: map=" + field + "=COLUMN)";
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the CSV header has no '" + column + "' column (it has "
                    + String.join(", ", header) + ")" + hint);
        }
        return index;
    }

    /** The next record, or null at the end of the file. */
    private CSVRecord record() {
        try {
            return records.hasNext() ? records.next() : null;
        } catch (UncheckedIOException | IllegalStateException e) {
            // A broken quote makes the rest of the file unreadable as CSV.
            throw new RosterException(ErrorCode.INVALID_REQUEST, "the CSV cannot be read after line " + nextLine + ": "
                    + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
        }
    }

    /** Why a record cannot be imported whatever its content (shape, encoding, size), or null. */
    private String shapeProblem(CSVRecord record) {
        return shapeProblem(record.values());
    }

    private String shapeProblem(String[] values) {
        if (values.length != header.size()) {
            return "the row has " + values.length + " columns; the header has " + header.size();
        }
        for (int i = 0; i < values.length; i++) {
            String problem = TextInput.problem(header.get(i), values[i]);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** True for a generic CSV (not KISSmetrics): every row is one event, so {@link #nextEvent} applies. */
    boolean eventsOnly() {
        return !kissmetrics;
    }

    /**
     * The bulk path's reader of a generic CSV: fills {@code into} with the next row as one flat
     * event (or its rejection) without building commands. Returns false at the end of the file.
     * The values are exactly those {@link #next} would put into its {@link Command.Track}.
     */
    boolean nextEvent(StagedEvent into) {
        if (kissmetrics) {
            throw new IllegalStateException("a KISSmetrics file has rows that are not events");
        }
        CSVRecord record = record();
        if (record == null) {
            return false;
        }
        long line = nextLine;
        nextLine = parser.getCurrentLineNumber() + 1;
        eventFrom(line, record.values(), into);
        return true;
    }

    /**
     * Fills {@code into} with the event of one generic CSV row given as its cell values (or the
     * reason it is rejected): what {@link #nextEvent} does with a record it read itself.
     */
    void eventFrom(long line, String[] values, StagedEvent into) {
        into.line = line;
        into.rejection = shapeProblem(values);
        if (into.rejection != null) {
            return;
        }
        try {
            String identity = identity(values[identityColumn], header.get(identityColumn));
            String name = Messages.eventName(TextNode.valueOf(values[eventColumn]), header.get(eventColumn));
            Instant time = IsoTimestamps.parse(values[timestampColumn], header.get(timestampColumn));
            String id = idColumn >= 0 ? values[idColumn].trim() : "";
            into.identity = identity;
            into.name = name;
            into.timestamp = Timestamps.resolve(Optional.of(time), Optional.empty(), receivedAt).instant();
            into.eventId = id.isEmpty() || id.length() > 255 ? derivedIds.derive(identity, name, time) : id;
            into.propertiesJson = propertiesJson(values);
        } catch (InvalidEventException e) {
            into.rejection = e.getMessage();
        }
    }

    /** The properties as {@code Json.write(properties(record))} would write them, without the tree. */
    private String propertiesJson(String[] values) {
        if (quotedProperty == null) {
            return Json.write(properties(values));
        }
        json.setLength(0);
        json.append('{');
        boolean first = true;
        for (int i = 0; i < quotedProperty.length; i++) {
            String quoted = quotedProperty[i];
            if (quoted != null) {
                String value = values[i];
                if (!value.isEmpty()) {
                    if (!first) {
                        json.append(',');
                    }
                    first = false;
                    json.append(quoted).append('"');
                    JsonStringEncoder.getInstance().quoteAsString(value, json);
                    json.append('"');
                }
            }
        }
        return json.append('}').toString();
    }

    @Override
    public ParsedRow next() {
        CSVRecord record = record();
        if (record == null) {
            return null;
        }
        long line = nextLine;
        nextLine = parser.getCurrentLineNumber() + 1;
        String problem = shapeProblem(record);
        if (problem != null) {
            return ParsedRow.rejected(line, problem);
        }
        try {
            return ParsedRow.of(line, kissmetrics ? kissmetrics(record) : generic(record));
        } catch (InvalidEventException e) {
            return ParsedRow.rejected(line, e.getMessage());
        }
    }

    private List<Command> generic(CSVRecord record) {
        String identity = identity(record.get(identityColumn), header.get(identityColumn));
        String name = Messages.eventName(TextNode.valueOf(record.get(eventColumn)), header.get(eventColumn));
        Instant time = IsoTimestamps.parse(record.get(timestampColumn), header.get(timestampColumn));
        ObjectNode properties = properties(record);
        String id = idColumn >= 0 ? record.get(idColumn).trim() : "";
        String eventId = id.isEmpty() || id.length() > 255 ? derivedIds.derive(identity, name, time) : id;
        return List.of(track(eventId, identity, name, time, properties, List.of()));
    }

    private List<Command> kissmetrics(CSVRecord record) {
        String identity = identity(record.get(identityColumn), "Identity");
        String alias = aliasColumn >= 0 ? record.get(aliasColumn).trim() : "";
        String name = eventColumn >= 0 ? record.get(eventColumn).trim() : "";
        String timestampText = timestampColumn >= 0 ? record.get(timestampColumn).trim() : "";
        Optional<Instant> time = timestampText.isEmpty() ? Optional.empty() : Optional.of(IsoTimestamps.parse(timestampText, "Timestamp"));
        ObjectNode properties = properties(record);
        List<Command> commands = new ArrayList<>();
        if (!alias.isEmpty()) {
            String other = identity(alias, "Alias");
            commands.add(new Command.Link(identity, false, other, Command.Strength.NORMAL, time.orElse(receivedAt)));
        }
        if (!name.isEmpty()) {
            if (time.isEmpty()) {
                throw new InvalidEventException(dev.roster.ingest.RejectReason.INVALID_TIMESTAMP,
                        "an event row needs a Timestamp (it makes re-imports idempotent)");
            }
            String eventName = Messages.eventName(TextNode.valueOf(name), "Event");
            commands.add(track(derivedIds.derive(identity, eventName, time.get()), identity, eventName, time.get(),
                    properties, Messages.operations(properties, PropertyOperation.Kind.SET)));
        } else if (!properties.isEmpty()) {
            commands.add(new Command.UpdateProfile(identity, false,
                    Messages.operations(properties, PropertyOperation.Kind.SET), time.orElse(receivedAt)));
        }
        if (commands.isEmpty()) {
            throw new InvalidEventException(dev.roster.ingest.RejectReason.INVALID_EVENT,
                    "the row has no Event, no Alias and no Prop: value");
        }
        return commands;
    }

    private Command.Track track(String eventId, String identity, String name, Instant time, ObjectNode properties,
                                List<PropertyOperation> personOperations) {
        Timestamps.Resolved resolved = Timestamps.resolve(Optional.of(time), Optional.empty(), receivedAt);
        return new Command.Track(eventId, identity, Optional.empty(), false, name, resolved.instant(), receivedAt,
                Optional.empty(), properties, personOperations);
    }

    private static String identity(String raw, String column) {
        return Messages.identity(TextNode.valueOf(raw), column).orElseThrow(() -> new InvalidEventException(
                dev.roster.ingest.RejectReason.MISSING_IDENTITY, "the row has no identity (column '" + column + "')"));
    }

    private ObjectNode properties(CSVRecord record) {
        return properties(record.values());
    }

    private ObjectNode properties(String[] values) {
        ObjectNode properties = Json.object();
        for (int i = 0; i < values.length; i++) {
            String property = propertyOf[i];
            if (property != null) {
                String value = values[i];
                if (!value.isEmpty()) {
                    properties.put(property, value);
                }
            }
        }
        return properties;
    }

    /** The column names of the header, in order. */
    List<String> header() {
        return header;
    }

    int identityColumn() {
        return identityColumn;
    }

    int eventColumn() {
        return eventColumn;
    }

    int timestampColumn() {
        return timestampColumn;
    }

    /** The names of the property columns: the only keys a row's properties JSON can have. */
    List<String> propertyNames() {
        List<String> names = new ArrayList<>();
        for (String property : propertyOf) {
            if (property != null) {
                names.add(property);
            }
        }
        return names;
    }

    /** The column of explicit event ids, or -1. */
    int idColumn() {
        return idColumn;
    }

    /**
     * Per column, its property name quoted as a JSON string followed by a colon ({@code "plan":}),
     * or null for a column that is not a property; null as a whole when two columns share a
     * property name.
     */
    String[] quotedProperties() {
        return quotedProperty == null ? null : quotedProperty.clone();
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}

package dev.roster.report.trends;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.Roster;
import dev.roster.common.Json;
import dev.roster.ingest.Command;
import dev.roster.project.Project;
import dev.roster.report.Fragment;
import dev.roster.store.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trends order a person's events by ts alone to find sessions (no event ids read) and fall back to
 * the exact (ts, event id) order only when equal timestamps carry different session ids. These
 * cases pin both sides: a tie whose order changes the session count is detected and answered in
 * event-id order; a tie of one session id is not reported as ambiguous.
 */
class TrendsTieOrderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final JsonNode BODY = Json.parse("{\"events\": [\"A\"], \"interval\": \"day\", \"from\": \"2024-01-01\", "
            + "\"to\": \"2024-01-01\", \"metrics\": [\"sessions\"], \"conversion\": {\"from\": \"A\", \"to\": \"B\"}}");
    /** The same with an always-true property filter on "A": sessions from the query-time window. */
    private static final JsonNode FILTERED = Json.parse("{\"events\": [{\"event\": \"A\", \"where\": [{\"property\": \"x\", "
            + "\"op\": \"is_not_set\"}]}], \"interval\": \"day\", \"from\": \"2024-01-01\", \"to\": \"2024-01-01\", "
            + "\"metrics\": [\"sessions\"], \"conversion\": {\"from\": \"A\", \"to\": \"B\"}}");
    private Path directory;
    private Roster roster;
    private Project project;

    @BeforeEach
    void open() throws IOException {
        directory = Files.createTempDirectory("roster-trend-ties");
        roster = Roster.open(Roster.Config.of(directory, 0).withClock(CLOCK));
        project = roster.projects().create("ties").project();
    }

    @AfterEach
    void close() throws IOException {
        roster.close();
        try (var files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private static Command track(String id, String name, String ts, String session) {
        Instant at = Instant.parse(ts);
        return new Command.Track(id, "u1", Optional.empty(), false, name, at, at, Optional.ofNullable(session), Json.object(), List.of());
    }

    /** The ambiguous-tie count the ts-ordered query reports, and the total sessions of "A" it finds. */
    private long[] fastQuery() {
        return fastQuery(BODY);
    }

    private long[] fastQuery(JsonNode body) {
        TrendsRequest request = TrendsRequest.parse(body, project, CLOCK);
        Fragment sql = new TrendsQuery(request, project, roster.populationResolver(), true, Optional.empty()).series(true);
        return roster.database().read(connection -> {
            long ties = -1;
            long sessions = -1;
            try (PreparedStatement statement = connection.prepareStatement(sql.sql())) {
                Sql.bind(statement, 1, sql.parameters());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        if (rows.getInt(4) == TrendsQuery.AMBIGUOUS_TIES) {
                            ties = rows.getLong(5);
                        } else if (rows.getInt(4) == 1) {
                            sessions = rows.getLong(7);
                        }
                    }
                }
            }
            return new long[] {ties, sessions};
        });
    }

    @Test
    void aTieWhoseOrderChangesTheSessionsIsAnsweredInEventIdOrder() {
        // In (ts, id) order: s1, s1, NULL, s2 -> one session (a NULL session id breaks no session and
        // the change NULL -> s2 is not one). Ordered t2 before t1 it would be s1, NULL, s1, s2 -> two.
        roster.writeBuffer().submit(project, List.of(
                track("e0", "A", "2024-01-01T10:00:00Z", "s1"),
                track("t2", "A", "2024-01-01T10:05:00Z", null),
                track("t1", "A", "2024-01-01T10:05:00Z", "s1"),
                track("e9", "B", "2024-01-01T10:10:00Z", "s2")));

        assertThat(fastQuery()[0]).as("ambiguous ties").isPositive();
        TrendsResult result = roster.reports().trends().run(project, BODY);
        assertThat(result.series().get(0).total().sessions()).isEqualTo(1);
        assertThat(result.peopleVsSessions().sessions().started()).isEqualTo(1);
        assertThat(result.peopleVsSessions().sessions().converted()).isEqualTo(1);

        roster.writeBuffer().compactNow();
        // Compacted, the person's sessions are read as numbered at compaction, in (ts, id) order: no tie to resolve.
        assertThat(fastQuery()).as("ambiguous ties and sessions of A from event_sessions").containsExactly(0, 1);
        assertThat(roster.reports().trends().run(project, BODY).series().get(0).total().sessions()).isEqualTo(1);
        // A property filter keeps the query-time window, which still finds the tie among compacted events.
        assertThat(fastQuery(FILTERED)[0]).as("ambiguous ties after compaction, window").isPositive();
        assertThat(roster.reports().trends().run(project, FILTERED).series().get(0).total().sessions()).isEqualTo(1);
    }

    @Test
    void aTieOfOneSessionIdIsNotAmbiguousAndTheTsOrderAnswers() {
        roster.writeBuffer().submit(project, List.of(
                track("e0", "A", "2024-01-01T10:00:00Z", "s1"),
                track("t2", "A", "2024-01-01T10:05:00Z", "s1"),
                track("t1", "A", "2024-01-01T10:05:00Z", "s1"),
                track("e5", "A", "2024-01-01T12:00:00Z", "s1"),
                track("e9", "B", "2024-01-01T12:10:00Z", "s2")));

        long[] fast = fastQuery();
        assertThat(fast[0]).as("ambiguous ties").isZero();
        assertThat(fast[1]).as("sessions of A: 10:00-10:05, then 12:00 after a 115-minute gap").isEqualTo(2);
        TrendsResult result = roster.reports().trends().run(project, BODY);
        assertThat(result.series().get(0).total().sessions()).isEqualTo(2);
        assertThat(result.peopleVsSessions().sessions().started()).isEqualTo(2);
        assertThat(result.peopleVsSessions().sessions().converted()).as("B is in a session of its own (s2)").isZero();
    }
}

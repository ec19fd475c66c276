package dev.roster.report.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.common.Json;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.store.PersonKeyQuery;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Retention reads person-days (first and last event of a person's UTC day) for "any event" returns
 * only where that is exact: the wall clock keeps one UTC offset over every instant that can count.
 */
class PersonDaysEligibilityTest {
    private static final Project PROJECT = new Project(1, "p", "P", "w", ZoneOffset.UTC);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final PopulationResolver NO_POPULATIONS = new PopulationResolver() {
        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String name(Project project, String populationId) {
            return populationId;
        }
    };

    private static boolean personDays(String json) {
        RetentionRequest request = RetentionRequest.parse(Json.parse(json.getBytes(StandardCharsets.UTF_8)), PROJECT, CLOCK);
        String sql = new RetentionQuery(request, PROJECT, NO_POPULATIONS, false, Optional.empty()).matrix().sql();
        boolean days = new RetentionQuery(request, PROJECT, NO_POPULATIONS, false, Optional.empty()).personDays();
        assertThat(sql.contains("all_person_days")).as(sql).isEqualTo(days);
        return days;
    }

    @Test
    void fixedOffsetsUsePersonDays() {
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"day\",\"periods\":5,\"from\":\"2024-03-01\",\"to\":\"2024-03-20\"}")).isTrue();
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"week\",\"mode\":\"on_or_after\",\"from\":\"2024-03-01\",\"to\":\"2024-03-20\","
                + "\"time_zone\":\"+05:30\"}")).isTrue();
        // Kolkata's last offset change was in 1945
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"month\",\"from\":\"2024-01-01\",\"to\":\"2024-03-20\","
                + "\"time_zone\":\"Asia/Kolkata\"}")).isTrue();
    }

    @Test
    void aZoneThatChangesItsOffsetWhileReturnsCountReadsEveryEvent() {
        // New York springs forward on 2024-03-10, inside the range
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"day\",\"from\":\"2024-03-08\",\"to\":\"2024-03-12\","
                + "\"time_zone\":\"America/New_York\"}")).isFalse();
        // summer cohorts whose 4 weekly periods end long before November's change
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"week\",\"periods\":4,\"from\":\"2024-06-03\",\"to\":\"2024-06-10\","
                + "\"time_zone\":\"America/New_York\"}")).isTrue();
        // "on or after" counts returns at any later time: some change always follows
        assertThat(personDays("{\"cohort_event\":\"A\",\"period\":\"week\",\"periods\":4,\"mode\":\"on_or_after\",\"from\":\"2024-06-03\","
                + "\"to\":\"2024-06-10\",\"time_zone\":\"America/New_York\"}")).isFalse();
    }

    @Test
    void aNamedReturnEventReadsItsOccurrences() {
        String sql = new RetentionQuery(RetentionRequest.parse(Json.parse(("{\"cohort_event\":\"A\",\"return_event\":\"B\",\"from\":\"2024-03-01\","
                + "\"to\":\"2024-03-20\"}").getBytes(StandardCharsets.UTF_8)), PROJECT, CLOCK), PROJECT, NO_POPULATIONS, false, Optional.empty())
                .matrix().sql();
        assertThat(sql).contains("all_occurrences").doesNotContain("all_person_days").doesNotContain("all_events");
        String filtered = new RetentionQuery(RetentionRequest.parse(Json.parse(("{\"cohort_event\":\"A\",\"return_event\":{\"event\":\"B\","
                + "\"where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"}]},\"from\":\"2024-03-01\",\"to\":\"2024-03-20\"}")
                .getBytes(StandardCharsets.UTF_8)), PROJECT, CLOCK), PROJECT, NO_POPULATIONS, false, Optional.empty()).matrix().sql();
        assertThat(filtered).contains("all_events").doesNotContain("all_occurrences");
    }
}

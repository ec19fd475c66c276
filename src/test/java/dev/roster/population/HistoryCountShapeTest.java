package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.common.Json;
import dev.roster.revenue.RevenueConfig;
import dev.roster.revenue.RevenueExpression;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which definitions the size history counts as one interval per person (one row per member)
 * rather than as (day, member) pairs; that both give the reference's answers is
 * {@link PopulationSqlMatchesReferenceTest}'s job.
 */
class HistoryCountShapeTest {
    private static final List<Instant> CUTOFFS = List.of(Instant.parse("2024-06-01T00:00:00Z"), Instant.parse("2024-06-02T00:00:00Z"));
    private static final RevenueExpression REVENUE = RevenueExpression.of(RevenueConfig.DEFAULT);

    @Test
    void positiveConjunctionsAreIntervals() {
        assertThat(countSql("{\"did\": \"Purchased\"}")).contains("timeline AS");
        assertThat(countSql("{\"all\": [{\"did\": \"Viewed Pricing\", \"count\": {\"op\": \"eq\", \"value\": 3}}, "
                + "{\"first_did\": \"Signed Up\", \"within\": {\"last\": 7, \"unit\": \"day\"}}, "
                + "{\"property\": \"plan\", \"op\": \"eq\", \"value\": \"pro\"}]}")).contains("timeline AS");
    }

    @Test
    void negationsDisjunctionsAndRollingWindowsArePairs() {
        assertThat(countSql("{\"all\": [{\"did\": \"Viewed Pricing\"}, {\"did_not\": \"Purchased\"}]}")).doesNotContain("timeline AS");
        assertThat(countSql("{\"any\": [{\"did\": \"Viewed Pricing\"}, {\"did\": \"Purchased\"}]}")).doesNotContain("timeline AS");
        assertThat(countSql("{\"did\": \"Viewed Pricing\", \"within\": {\"last\": 30, \"unit\": \"day\"}}")).doesNotContain("timeline AS");
        assertThat(countSql("{\"all\": [{\"did\": \"Viewed Pricing\"}, {\"property\": \"plan\", \"op\": \"neq\", \"value\": \"pro\"}]}"))
                .doesNotContain("timeline AS");
    }

    private static String countSql(String definition) {
        Condition condition = DefinitionParser.parse(Json.parse(definition), ZoneOffset.UTC);
        return HistoryCompiler.counts(condition, 1, CUTOFFS, REVENUE, "resolved_events", "resolved_occurrences", "first_seen").sql();
    }
}

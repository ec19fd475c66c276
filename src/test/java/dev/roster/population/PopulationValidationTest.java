package dev.roster.population;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roster.testing.TestServer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation rule is a 400 {@code invalid_population} whose path points at the offending node. */
class PopulationValidationTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> invalidDefinitions() {
        return Stream.of(
                Arguments.of("no positive condition", "{\"did_not\": \"Purchased\"}", "$", "positive condition"),
                Arguments.of("only negations in an AND", "{\"all\": [{\"did_not\": \"Purchased\"}, "
                        + "{\"property\": \"plan\", \"op\": \"is_not_set\"}]}", "$", "positive condition"),
                Arguments.of("a count that allows zero is not positive",
                        "{\"did\": \"Purchased\", \"count\": {\"op\": \"lte\", \"value\": 2}}", "$", "positive condition"),
                Arguments.of("lone negation inside an OR", "{\"all\": [{\"did\": \"Signed Up\"}, {\"any\": [{\"did\": \"Viewed Pricing\"}, "
                        + "{\"did_not\": \"Purchased\"}]}]}", "$.all[1].any[1]", "cannot stand alone inside \"any\""),
                Arguments.of("negative group inside an OR", "{\"any\": [{\"did\": \"A\"}, {\"all\": [{\"did_not\": \"B\"}, "
                        + "{\"property\": \"plan\", \"op\": \"neq\", \"value\": \"pro\"}]}]}", "$.any[1]", "no positive condition"),
                Arguments.of("negative count", "{\"all\": [{\"did\": \"Signed Up\"}, {\"did\": \"Viewed Pricing\", "
                        + "\"count\": {\"op\": \"gte\", \"value\": -1}}]}", "$.all[1].count.value", "≥ 0"),
                Arguments.of("fractional count", "{\"did\": \"A\", \"count\": {\"op\": \"gte\", \"value\": 1.5}}", "$.count.value", "whole number"),
                Arguments.of("unknown count operator", "{\"did\": \"A\", \"count\": {\"op\": \"gt\", \"value\": 3}}", "$.count.op", "gte, lte or eq"),
                Arguments.of("unknown property operator", "{\"all\": [{\"property\": \"plan\", \"op\": \"like\", \"value\": \"p%\"}]}",
                        "$.all[0].op", "unknown operator 'like'"),
                Arguments.of("unknown filter operator", "{\"did\": \"A\", \"where\": [{\"property\": \"plan\", \"op\": \"EQ\", \"value\": 1}]}",
                        "$.where[0].op", "unknown operator"),
                Arguments.of("unknown ltv operator", "{\"ltv\": {\"op\": \"gte\", \"value\": 10}}", "$.ltv.op", "gt or lt"),
                Arguments.of("unknown unit", "{\"all\": [{\"did\": \"A\", \"within\": {\"last\": 3, \"unit\": \"fortnight\"}}]}",
                        "$.all[0].within.unit", "unknown unit"),
                Arguments.of("window of zero days", "{\"did\": \"A\", \"within\": {\"last\": 0, \"unit\": \"day\"}}", "$.within.last", "≥ 1"),
                Arguments.of("from after to", "{\"did\": \"A\", \"within\": {\"from\": \"2024-02-01\", \"to\": \"2024-01-01\"}}",
                        "$.within", "before"),
                Arguments.of("bad date", "{\"did\": \"A\", \"within\": {\"from\": \"yesterday\", \"to\": \"2024-01-01\"}}",
                        "$.within.from", "not a date"),
                Arguments.of("unknown condition", "{\"all\": [{\"did\": \"A\"}, {\"visited\": \"/home\"}]}", "$.all[1]", "unknown condition"),
                Arguments.of("misspelt field", "{\"did\": \"A\", \"whithin\": {\"last\": 3}}", "$.whithin", "unknown field"),
                Arguments.of("two conditions in one object", "{\"did\": \"A\", \"identity\": \"x\"}", "$", "exactly one"),
                Arguments.of("empty group", "{\"all\": [{\"did\": \"A\"}, {\"any\": []}]}", "$.all[1].any", "at least one"),
                Arguments.of("value missing", "{\"property\": \"plan\", \"op\": \"eq\"}", "$.value", "needs a value"),
                Arguments.of("contains needs text", "{\"property\": \"plan\", \"op\": \"contains\", \"value\": 3}", "$.value", "non-empty string"),
                Arguments.of("empty event name", "{\"did\": \" \"}", "$.did", "empty"),
                Arguments.of("within on a sequence", "{\"did\": \"A\", \"before_first\": \"B\", \"within\": {\"last\": 3}}",
                        "$.within", "no \"within\""),
                Arguments.of("too deep", nested(DefinitionParser.MAX_DEPTH + 1), "$" + ".all[0]".repeat(DefinitionParser.MAX_DEPTH),
                        "nested at most"),
                Arguments.of("too many conditions", manyConditions(DefinitionParser.MAX_CONDITIONS + 1),
                        "$.all[" + DefinitionParser.MAX_CONDITIONS + "]", "at most"),
                Arguments.of("not an object", "[{\"did\": \"A\"}]", "$", "JSON object"));
    }

    private static String nested(int groups) {
        return "{\"all\": [".repeat(groups) + "{\"did\": \"A\"}" + "]}".repeat(groups);
    }

    private static String manyConditions(int conditions) {
        StringBuilder sql = new StringBuilder("{\"all\": [");
        for (int i = 0; i < conditions; i++) {
            sql.append(i == 0 ? "" : ", ").append("{\"did\": \"E").append(i).append("\"}");
        }
        return sql.append("]}").toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDefinitions")
    void invalidDefinitionIsA400PointingAtTheOffendingNode(String rule, String definition, String path, String message) {
        for (String endpoint : new String[] {"/api/populations", "/api/populations/preview"}) {
            TestServer.Response response = server.api(endpoint, "{\"name\": \"Invalid\", \"definition\": " + definition + "}");
            assertThat(response.status()).as(rule + " at " + endpoint + ": " + response.text()).isEqualTo(400);
            JsonNode body = response.json();
            assertThat(body.get("error").asText()).isEqualTo("invalid_population");
            assertThat(body.get("path").asText()).as(rule).isEqualTo(path);
            assertThat(body.get("message").asText()).as(rule).contains(message);
        }
    }

    @Test
    void limitsAreInclusive() {
        assertThat(server.api("/api/populations/preview", "{\"definition\": " + nested(DefinitionParser.MAX_DEPTH) + "}").status())
                .isEqualTo(200);
        assertThat(server.api("/api/populations/preview", "{\"definition\": " + manyConditions(DefinitionParser.MAX_CONDITIONS) + "}")
                .status()).isEqualTo(200);
    }

    @Test
    void negationsNextToAPositiveConditionAndInsideAnAllWithinAnOrAreValid() {
        String definition = "{\"any\": [{\"did\": \"Signed Up\"}, {\"all\": [{\"did\": \"Viewed Pricing\", \"count\": "
                + "{\"op\": \"gte\", \"value\": 3}}, {\"did_not\": \"Purchased\"}, {\"did\": \"Opened Email\", \"count\": "
                + "{\"op\": \"lte\", \"value\": 1}}]}]}";
        TestServer.Response response = server.api("/api/populations/preview", "{\"definition\": " + definition + "}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.json().get("count").asLong()).isZero();
    }

    @Test
    void missingDefinitionAndMissingNameAreNamed() {
        TestServer.Response noDefinition = server.api("/api/populations", "{\"name\": \"x\"}");
        assertThat(noDefinition.status()).isEqualTo(400);
        assertThat(noDefinition.json().get("path").asText()).isEqualTo("$");
        TestServer.Response noName = server.api("/api/populations", "{\"definition\": {\"did\": \"A\"}}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.json().get("path").asText()).isEqualTo("$.name");
    }
}

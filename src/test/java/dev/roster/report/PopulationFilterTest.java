package dev.roster.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.roster.common.ErrorCode;
import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.population.PopulationResolver;
import dev.roster.project.Project;
import dev.roster.report.funnel.FunnelResult;
import dev.roster.report.retention.RetentionResult;
import dev.roster.report.trends.TrendsResult;
import dev.roster.store.PersonKeyQuery;
import dev.roster.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The population filter and breakdown, through a small resolver whose members are fixed identities. */
class PopulationFilterTest {
    private TestServer server;
    private Reports reports;
    private Project project;

    /** "vip" is whoever owns the identities ann or bob. */
    private static final class FixedPopulations implements PopulationResolver {
        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            if (!populationId.equals("vip")) {
                throw new RosterException(ErrorCode.NOT_FOUND, "unknown population '" + populationId + "'");
            }
            return new PersonKeyQuery("SELECT person_key FROM identities WHERE project_key = ? AND identity IN (?, ?)",
                    List.of(project.key(), "ann", "bob"));
        }

        @Override
        public String name(Project project, String populationId) {
            members(project, populationId);
            return "VIP";
        }
    }

    /** Counts how often each population's members are asked for (each ask runs its definition in the real service). */
    private static final class CountingPopulations implements PopulationResolver {
        private final PopulationResolver resolver = new FixedPopulations();
        private final java.util.Map<String, Integer> asked = new java.util.HashMap<>();

        @Override
        public PersonKeyQuery members(Project project, String populationId) {
            asked.merge(populationId, 1, Integer::sum);
            return resolver.members(project, populationId);
        }

        @Override
        public String name(Project project, String populationId) {
            return resolver.name(project, populationId);
        }
    }

    @BeforeEach
    void start() {
        server = TestServer.start();
        reports = new Reports(server.roster().database(), new FixedPopulations(), server.roster().clock());
        project = server.keys().project();
        Tracking tracking = new Tracking(server);
        tracking.track("a-anon", null, "Signed Up", "2024-01-01T10:00:00Z", null);
        tracking.identify("a-anon", "ann", null);
        tracking.track("ann", "Purchased", "2024-01-01T11:00:00Z");
        tracking.track("bob", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("cat", "Signed Up", "2024-01-01T10:00:00Z");
        tracking.track("cat", "Purchased", "2024-01-02T10:00:00Z");
        tracking.track("dan", "Signed Up", "2024-01-01T10:00:00Z");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private FunnelResult funnel(String extra) {
        return reports.funnel().run(project, Json.parse("{\"steps\":[\"Signed Up\",\"Purchased\"],\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"" + extra + "}"));
    }

    @Test
    void populationInAndNotInFilterTheFunnel() {
        assertThat(funnel("").steps()).extracting(FunnelResult.Step::count).containsExactly(4L, 2L);
        assertThat(funnel(",\"population\":\"vip\"").steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(funnel(",\"population\":{\"id\":\"vip\",\"not\":true}").steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
    }

    @Test
    void aFunnelRunEvaluatesItsPopulationOnceWhateverItsQueriesUseIt() {
        CountingPopulations counting = new CountingPopulations();
        Reports counted = new Reports(server.roster().database(), counting, server.roster().clock());
        String steps = "{\"steps\":[\"Signed Up\",\"Purchased\"],\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"";
        // the fast shape: three step scans and the first step's count all filter on the members
        assertThat(counted.funnel().run(project, Json.parse(steps + ",\"population\":\"vip\"}")).steps())
                .extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(counting.asked).containsExactly(java.util.Map.entry("vip", 1));
        // not in, with the people lists (a second query) and a value breakdown (two more)
        counting.asked.clear();
        FunnelResult notIn = counted.funnel().run(project, Json.parse(steps + ",\"population\":{\"id\":\"vip\",\"not\":true},"
                + "\"people\":true,\"breakdown\":{\"person_property\":\"plan\"}}"));
        assertThat(notIn.steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(notIn.steps().get(0).people()).hasSize(2);
        assertThat(counting.asked).containsExactly(java.util.Map.entry("vip", 1));
        // the general shape (any order), filtered and broken down by the same population: members and the rest
        counting.asked.clear();
        FunnelResult split = counted.funnel().run(project, Json.parse(steps + ",\"order\":\"any\",\"population\":\"vip\","
                + "\"breakdown\":{\"populations\":[\"vip\"]}}"));
        assertThat(split.steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(split.breakdown()).extracting(FunnelResult.Group::value).containsExactly("VIP", "Not in VIP");
        assertThat(split.breakdown().get(0).steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(split.breakdown().get(1).steps()).extracting(FunnelResult.Step::count).containsExactly(0L, 0L);
        assertThat(counting.asked).containsExactly(java.util.Map.entry("vip", 1));
    }

    @Test
    void aRetentionRunEvaluatesItsPopulationOnceWithPeopleAndABreakdown() {
        CountingPopulations counting = new CountingPopulations();
        Reports counted = new Reports(server.roster().database(), counting, server.roster().clock());
        RetentionResult retention = counted.retention().run(project, Json.parse("{\"cohort_event\":\"Signed Up\",\"period\":\"day\","
                + "\"periods\":2,\"return_event\":\"Purchased\",\"from\":\"2024-01-01\",\"to\":\"2024-01-01\",\"people\":true,"
                + "\"population\":{\"id\":\"vip\",\"not\":true},\"breakdown\":{\"person_property\":\"plan\"}}"));
        // cat and dan: cat came back on day 1
        assertThat(retention.cohorts().get(0).size()).isEqualTo(2);
        assertThat(retention.cohorts().get(0).counts()).containsExactly(0L, 1L);
        assertThat(counting.asked).containsExactly(java.util.Map.entry("vip", 1));
    }

    @Test
    void aTrendsRunEvaluatesItsPopulationOnceWithPeopleABreakdownAndAConversion() {
        CountingPopulations counting = new CountingPopulations();
        Reports counted = new Reports(server.roster().database(), counting, server.roster().clock());
        TrendsResult trends = counted.trends().run(project, Json.parse("{\"events\":[\"Signed Up\",\"Purchased\"],\"from\":\"2024-01-01\","
                + "\"to\":\"2024-01-02\",\"people\":true,\"metrics\":[\"people\",\"sessions\"],\"population\":{\"id\":\"vip\",\"not\":true},"
                + "\"breakdown\":{\"person_property\":\"plan\"},\"conversion\":{\"from\":\"Signed Up\",\"to\":\"Purchased\"}}"));
        // cat and dan signed up; cat bought a day later, in another session
        assertThat(trends.series()).extracting(s -> s.total().people()).containsExactly(2L, 1L);
        assertThat(trends.peopleVsSessions().people().converted()).isEqualTo(1);
        assertThat(trends.peopleVsSessions().sessions().converted()).isEqualTo(0);
        assertThat(counting.asked).containsExactly(java.util.Map.entry("vip", 1));
    }

    @Test
    void trendsBreakdownValuesWithEqualTotalsComeInValueOrder() {
        Tracking tracking = new Tracking(server);
        tracking.identify(null, "cat", "{\"plan\":\"pro\"}");
        tracking.identify(null, "dan", "{\"plan\":\"basic\"}");
        for (int run = 0; run < 3; run++) {
            TrendsResult trends = reports.trends().run(project, Json.parse("{\"events\":[\"Signed Up\"],\"from\":\"2024-01-01\","
                    + "\"to\":\"2024-01-01\",\"population\":{\"id\":\"vip\",\"not\":true},\"breakdown\":{\"person_property\":\"plan\"}}"));
            assertThat(trends.series()).extracting(TrendsResult.Series::breakdownValue).containsExactly("basic", "pro");
        }
    }

    @Test
    void aSinglePopulationFunnelBreakdownGivesItsMembersAndEveryoneElse() {
        FunnelResult result = funnel(",\"breakdown\":{\"populations\":[\"vip\"]}");
        assertThat(result.steps()).extracting(FunnelResult.Step::count).containsExactly(4L, 2L);
        assertThat(result.breakdown()).extracting(FunnelResult.Group::value).containsExactly("VIP", "Not in VIP");
        // ann (signed up anonymously, merged) and bob are the members; cat and dan the rest
        FunnelResult.Group members = result.breakdown().get(0);
        FunnelResult.Group rest = result.breakdown().get(1);
        assertThat(members.steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        assertThat(rest.steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);
        // the groups are different people: ann bought after an hour, cat after a day
        assertThat(members.steps().get(1).medianSecondsFromPrevious()).isEqualTo(3600.0);
        assertThat(rest.steps().get(1).medianSecondsFromPrevious()).isEqualTo(86400.0);
    }

    @Test
    void aSinglePopulationRetentionBreakdownGivesItsMembersAndEveryoneElse() {
        RetentionResult retention = reports.retention().run(project, Json.parse("{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":2,"
                + "\"return_event\":\"Purchased\",\"from\":\"2024-01-01\",\"to\":\"2024-01-01\",\"breakdown\":{\"populations\":[\"vip\"]}}"));
        assertThat(retention.cohorts().get(0).size()).isEqualTo(4);
        assertThat(retention.cohorts().get(0).counts()).containsExactly(1L, 1L);
        assertThat(retention.breakdown()).extracting(RetentionResult.Group::value).containsExactly("VIP", "Not in VIP");
        RetentionResult.Cohort members = retention.breakdown().get(0).cohorts().get(0);
        RetentionResult.Cohort rest = retention.breakdown().get(1).cohorts().get(0);
        assertThat(members.size()).isEqualTo(2);
        assertThat(members.counts()).containsExactly(1L, 0L);
        assertThat(rest.size()).isEqualTo(2);
        assertThat(rest.counts()).containsExactly(0L, 1L);
        assertThat(retention.breakdown().get(1).average()).containsExactly(0.0, 0.5);
    }

    @Test
    void aSinglePopulationTrendsBreakdownGivesItsMembersAndEveryoneElse() {
        TrendsResult trends = reports.trends().run(project, Json.parse("{\"events\":[\"Signed Up\",\"Purchased\"],\"from\":\"2024-01-01\","
                + "\"to\":\"2024-01-02\",\"breakdown\":{\"populations\":[\"vip\"]}}"));
        assertThat(trends.series()).extracting(s -> s.breakdownValue() + "|" + s.event()).containsExactly(
                "VIP|Signed Up", "VIP|Purchased", "Not in VIP|Signed Up", "Not in VIP|Purchased");
        assertThat(trends.series()).extracting(s -> s.total().people()).containsExactly(2L, 1L, 2L, 1L);
        // ann bought on the first day, cat on the second
        assertThat(trends.series().get(1).points()).extracting(TrendsResult.Point::people).containsExactly(1L, 0L);
        assertThat(trends.series().get(3).points()).extracting(TrendsResult.Point::people).containsExactly(0L, 1L);

        TrendsResult filtered = reports.trends().run(project, Json.parse("{\"events\":[\"Signed Up\"],\"from\":\"2024-01-01\",\"to\":\"2024-01-01\","
                + "\"population\":{\"id\":\"vip\",\"not\":true}}"));
        assertThat(filtered.series().get(0).total().people()).isEqualTo(2);
    }

    @Test
    void severalPopulationsGetOneGroupEachAndNoComplement() {
        FunnelResult result = funnel(",\"breakdown\":{\"populations\":[\"vip\",\"vip\"]}");
        assertThat(result.breakdown()).extracting(FunnelResult.Group::value).containsExactly("VIP", "VIP");
    }

    @Test
    void anUnknownPopulationIsNotFound() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> funnel(",\"population\":\"nope\""))
                .isInstanceOf(RosterException.class)
                .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}

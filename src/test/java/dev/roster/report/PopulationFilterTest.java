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
    void breakdownByPopulationLabelsGroupsWithThePopulationName() {
        FunnelResult result = funnel(",\"breakdown\":{\"populations\":[\"vip\"]}");
        assertThat(result.breakdown()).hasSize(1);
        assertThat(result.breakdown().get(0).value()).isEqualTo("VIP");
        assertThat(result.breakdown().get(0).steps()).extracting(FunnelResult.Step::count).containsExactly(2L, 1L);

        RetentionResult retention = reports.retention().run(project, Json.parse("{\"cohort_event\":\"Signed Up\",\"period\":\"day\",\"periods\":2,"
                + "\"from\":\"2024-01-01\",\"to\":\"2024-01-01\",\"breakdown\":{\"populations\":[\"vip\"]}}"));
        assertThat(retention.cohorts().get(0).size()).isEqualTo(4);
        assertThat(retention.cohorts().get(0).counts()).containsExactly(1L, 1L);
        assertThat(retention.breakdown().get(0).cohorts().get(0).size()).isEqualTo(2);
        assertThat(retention.breakdown().get(0).cohorts().get(0).counts()).containsExactly(1L, 0L);

        TrendsResult trends = reports.trends().run(project, Json.parse("{\"events\":[\"Signed Up\"],\"from\":\"2024-01-01\",\"to\":\"2024-01-01\","
                + "\"population\":{\"id\":\"vip\",\"not\":true}}"));
        assertThat(trends.series().get(0).total().people()).isEqualTo(2);
    }

    @Test
    void anUnknownPopulationIsNotFound() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> funnel(",\"population\":\"nope\""))
                .isInstanceOf(RosterException.class)
                .satisfies(e -> assertThat(((RosterException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}

package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.common.Json;
import dev.roster.common.RosterException;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class RevenueRequestParserTest {

    @Test
    void defaultsAreChannelMonthlyTopTenAndTheProjectsChurnPeriod() {
        RevenueRequest request = RevenueRequestParser.parse(Json.parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"}"));
        assertThat(request.from()).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(request.groupBy()).isEqualTo(RevenueRequest.GroupBy.CHANNEL);
        assertThat(request.interval()).isEqualTo(RevenueRequest.Interval.MONTH);
        assertThat(request.top()).isEqualTo(10);
        assertThat(request.churnDays()).isEmpty();
        assertThat(request.population()).isEmpty();
    }

    @Test
    void populationIsAnIdOrAnIdWithNot() {
        RevenueRequest in = RevenueRequestParser.parse(Json.parse(
                "{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":\"p1\",\"churn_days\":45,\"group_by\":\"referring_domain\"}"));
        assertThat(in.population()).contains(new RevenueRequest.PopulationFilter("p1", false));
        assertThat(in.churnDays()).hasValue(45);
        assertThat(in.groupBy()).isEqualTo(RevenueRequest.GroupBy.REFERRING_DOMAIN);
        RevenueRequest out = RevenueRequestParser.parse(Json.parse(
                "{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":{\"id\":\"p1\",\"not\":true}}"));
        assertThat(out.population()).contains(new RevenueRequest.PopulationFilter("p1", true));
    }

    @Test
    void badRequestsNameTheField() {
        assertThatThrownBy(() -> RevenueRequestParser.parse(Json.parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"groupby\":\"x\"}")))
                .isInstanceOf(RosterException.class).hasMessageContaining("unknown field \"groupby\"");
        assertThatThrownBy(() -> RevenueRequestParser.parse(Json.parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"top\":101}")))
                .isInstanceOf(RosterException.class).hasMessageContaining("\"top\"");
        assertThatThrownBy(() -> RevenueRequestParser.parse(Json.parse("{\"from\":20240101,\"to\":\"2024-01-31\"}")))
                .isInstanceOf(RosterException.class).hasMessageContaining("\"from\" must be a day");
        assertThatThrownBy(() -> RevenueRequestParser.parse(Json.parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":{\"id\":\"p\",\"not\":\"yes\"}}")))
                .isInstanceOf(RosterException.class).hasMessageContaining("true or false");
    }

    @Test
    void weeksStartOnMonday() {
        assertThat(RevenueRequest.Interval.WEEK.start(LocalDate.of(2024, 1, 7))).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(RevenueRequest.Interval.WEEK.start(LocalDate.of(2024, 1, 8))).isEqualTo(LocalDate.of(2024, 1, 8));
        assertThat(RevenueRequest.Interval.MONTH.next(LocalDate.of(2024, 1, 1))).isEqualTo(LocalDate.of(2024, 2, 1));
    }
}

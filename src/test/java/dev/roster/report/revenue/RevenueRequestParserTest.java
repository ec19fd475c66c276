package dev.roster.report.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.common.Json;
import dev.roster.common.RosterException;
import dev.roster.project.Project;
import dev.roster.report.Breakdown;
import dev.roster.report.Population;
import dev.roster.report.PropertyFilter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class RevenueRequestParserTest {
    private static final Project PROJECT = new Project(1, "p", "P", "wk", ZoneId.of("Europe/Paris"));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-07-10T12:00:00Z"), ZoneOffset.UTC);

    private static RevenueRequest parse(String json) {
        return RevenueRequestParser.parse(Json.parse(json), PROJECT, CLOCK);
    }

    private static String message(String json) {
        try {
            parse(json);
        } catch (RosterException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void defaultsAreChannelMonthlyTopTenEverySectionAndTheProjectsChurnPeriodAndZone() {
        RevenueRequest request = parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\"}");
        assertThat(request.from()).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(request.scope().range().zone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(request.groupBy()).isEqualTo(RevenueRequest.GroupBy.CHANNEL);
        assertThat(request.interval()).isEqualTo(RevenueRequest.Interval.MONTH);
        assertThat(request.top()).isEqualTo(10);
        assertThat(request.churnDays()).isEmpty();
        assertThat(request.sections()).containsExactlyInAnyOrder(RevenueRequest.Section.values());
        assertThat(request.where()).isEmpty();
        assertThat(request.scope().population()).isEmpty();
        assertThat(request.scope().breakdown()).isEmpty();
        assertThat(request.scope().people()).isFalse();
    }

    @Test
    void filtersPopulationBreakdownAndPeopleUseTheSharedReportShapes() {
        RevenueRequest request = parse("{\"range\":{\"last\":3,\"unit\":\"month\"},\"time_zone\":\"UTC\",\"churn_days\":45,"
                + "\"group_by\":\"referring_domain\",\"population\":{\"id\":\"p1\",\"not\":true},\"people\":true,"
                + "\"where\":[{\"property\":\"plan\",\"op\":\"eq\",\"value\":\"pro\"}],"
                + "\"person_where\":[{\"property\":\"country\",\"op\":\"in\",\"value\":[\"FR\",\"DE\"]}],"
                + "\"breakdown\":{\"event_property\":\"plan\"},\"sections\":[\"ltv\",\"cohorts\"]}");
        assertThat(request.from()).isEqualTo(LocalDate.of(2024, 5, 1));
        assertThat(request.to()).isEqualTo(LocalDate.of(2024, 7, 10));
        assertThat(request.scope().range().zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(request.churnDays()).hasValue(45);
        assertThat(request.groupBy()).isEqualTo(RevenueRequest.GroupBy.REFERRING_DOMAIN);
        assertThat(request.scope().population()).contains(new Population("p1", true));
        assertThat(request.scope().people()).isTrue();
        assertThat(request.where()).extracting(PropertyFilter::property).containsExactly("plan");
        assertThat(request.scope().personWhere()).extracting(PropertyFilter::op).containsExactly(PropertyFilter.Op.IN);
        assertThat(request.scope().breakdown()).contains(new Breakdown.EventProperty("plan"));
        assertThat(request.sections()).isEqualTo(EnumSet.of(RevenueRequest.Section.LTV, RevenueRequest.Section.COHORTS));
        assertThat(parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"breakdown\":{\"populations\":[\"a\",\"b\"]}}")
                .scope().breakdownPopulations()).containsExactly("a", "b");
    }

    @Test
    void badRequestsNameTheField() {
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"groupby\":\"x\"}")).contains("groupby: unknown field");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"top\":101}")).startsWith("top:");
        assertThat(message("{\"from\":20240101,\"to\":\"2024-01-31\"}")).startsWith("from:");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"population\":{\"id\":\"p\",\"not\":\"yes\"}}"))
                .contains("population.not").contains("true or false");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"churn_days\":0}"))
                .isEqualTo("churn_days: must be at least 1 day (got 0): a customer churns after that many days without a payment");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"churn_days\":1.5}")).contains("whole number");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"where\":[{\"property\":\"plan\",\"op\":\"like\"}]}"))
                .startsWith("where[0].op");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"person_where\":[{\"op\":\"eq\",\"value\":1}]}"))
                .startsWith("person_where[0].property");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"breakdown\":{\"acquisition\":\"country\"}}"))
                .startsWith("breakdown.acquisition");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"breakdown\":{\"populations\":[]}}"))
                .startsWith("breakdown.populations");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"people\":\"yes\"}")).startsWith("people:");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"sections\":[\"ltv\",null]}")).startsWith("sections[1]");
        assertThat(message("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"sections\":[]}")).startsWith("sections:");
        assertThat(message("{\"from\":\"2014-12-01\",\"to\":\"2024-12-31\",\"interval\":\"day\"}")).startsWith("interval:");
        assertThat(message("[1]")).startsWith("body:");
    }

    @Test
    void weeksStartOnMonday() {
        assertThat(RevenueRequest.Interval.WEEK.start(LocalDate.of(2024, 1, 7))).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(RevenueRequest.Interval.WEEK.start(LocalDate.of(2024, 1, 8))).isEqualTo(LocalDate.of(2024, 1, 8));
        assertThat(RevenueRequest.Interval.MONTH.next(LocalDate.of(2024, 1, 1))).isEqualTo(LocalDate.of(2024, 2, 1));
    }

    @Test
    void everyProblemIsAnInvalidReport() {
        assertThatThrownBy(() -> parse("{\"from\":\"2024-01-01\",\"to\":\"2024-01-31\",\"group_by\":\"country\"}"))
                .isInstanceOf(RosterException.class)
                .satisfies(e -> assertThat(((RosterException) e).code().name()).isEqualTo("INVALID_REPORT"));
    }
}

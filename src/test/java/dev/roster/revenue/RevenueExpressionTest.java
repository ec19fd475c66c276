package dev.roster.revenue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.roster.common.Json;
import dev.roster.common.RosterException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevenueExpressionTest {

    @Test
    void propertyNamesAndBillingEventsAreParametersNeverSplicedIntoTheSql() {
        RevenueConfig config = new RevenueConfig("Order.Value €'; DROP TABLE x", List.of("Paid'"), 30, Optional.empty());
        RevenueExpression expression = RevenueExpression.of(config);
        assertThat(expression.sql()).doesNotContain("Order").doesNotContain("Paid").doesNotContain("DROP");
        assertThat(expression.parameters()).containsExactly("Paid'", "\"Order.Value €'; DROP TABLE x\"",
                "$.\"Order.Value €'; DROP TABLE x\"");
    }

    @Test
    void theDefaultPropertyAlsoReadsSegmentTotalAndKissmetricsBillingAmountInThatOrder() {
        assertThat(RevenueConfig.DEFAULT.readProperties()).containsExactly("revenue", "total", "Billing Amount");
        assertThat(RevenueExpression.of(RevenueConfig.DEFAULT).parameters()).containsExactly(
                "\"revenue\"", "\"total\"", "\"Billing Amount\"", "$.\"revenue\"", "$.\"total\"", "$.\"Billing Amount\"");
        assertThat(new RevenueConfig("amount", List.of(), 30, Optional.empty()).readProperties()).containsExactly("amount");
    }

    @Test
    void settingsParsingFillsDefaultsAndRefusesBadShapes() {
        RevenueConfig config = RevenueSettings.parse(Json.parse("{\"billing_events\":[\"Billed\",\"Billed\"]}"));
        assertThat(config.property()).isEqualTo("revenue");
        assertThat(config.billingEvents()).containsExactly("Billed");
        assertThat(config.churnDays()).isEqualTo(30);
        assertThatThrownBy(() -> RevenueSettings.parse(Json.parse("{\"property\":\"\"}"))).isInstanceOf(RosterException.class)
                .hasMessageContaining("1 to 255");
        assertThatThrownBy(() -> RevenueSettings.parse(Json.parse("{\"property\":\"a\\\\b\"}"))).isInstanceOf(RosterException.class)
                .hasMessageContaining("backslashes");
        assertThatThrownBy(() -> RevenueSettings.parse(Json.parse("{\"churn_days\":1.5}"))).isInstanceOf(RosterException.class)
                .hasMessageContaining("whole number");
        assertThatThrownBy(() -> RevenueSettings.parse(Json.parse("{\"billing_events\":\"Billed\"}"))).isInstanceOf(RosterException.class)
                .hasMessageContaining("list of event names");
    }
}
